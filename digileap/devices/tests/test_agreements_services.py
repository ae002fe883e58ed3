"""User agreements: issuing at hand-out, templates (placeholders, versions, one in use per language),
and acceptance on paper and in the app."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices.models import AgreementTemplate, Recipient, UserAgreement
from digileap.devices.services import agreements as services
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories_agreements import AgreementTemplateFactory, agreement_for, hand_out

PDF = b"%PDF-1.4\n% signed agreement\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="AGR", name={"en": "Agreements programme"}, authority=world.authority)


@pytest.fixture
def assignment(world, programme):
    return hand_out(programme=programme, school=world.school, reference="P-001", serial="SN-AGR-1")


def scan(content=PDF, name="signed.pdf"):
    return SimpleUploadedFile(name, content)


# Issuing.


def test_issue_picks_the_asked_language(programme, assignment, role_users):
    AgreementTemplateFactory(programme=programme, language="en")
    dutch = AgreementTemplateFactory(programme=programme, language="nl")
    agreement = services.agreement_issue(
        assignment=assignment, actor=role_users[Role.SCHOOL_COORDINATOR], language="NL-be"
    )
    assert agreement.template == dutch
    assert agreement.status == UserAgreement.Status.PENDING
    assert agreement.assignment == assignment
    assert len(agreement.token) == 43  # 32 random bytes, URL-safe base64
    assert agreement.sent_at is not None and agreement.accepted_at is None


def test_issue_falls_back_to_the_schools_language(world, programme, assignment, role_users):
    world.school.language = "fr"
    world.school.save()
    AgreementTemplateFactory(programme=programme, language="en")
    french = AgreementTemplateFactory(programme=programme, language="fr")
    agreement = services.agreement_issue(
        assignment=assignment, actor=role_users[Role.SCHOOL_COORDINATOR], language="de"
    )
    assert agreement.template == french


def test_issue_falls_back_to_the_first_template_in_use(world, programme, assignment, role_users):
    world.school.language = "lv"
    world.school.save()
    AgreementTemplateFactory(programme=programme, language="de", is_active=False)
    first = AgreementTemplateFactory(programme=programme, language="nl")
    AgreementTemplateFactory(programme=programme, language="en")
    agreement = services.agreement_issue(assignment=assignment, actor=None)
    assert agreement.template == first


def test_no_template_in_use_means_no_agreement(world, programme, assignment):
    AgreementTemplateFactory(programme=programme, language="en", is_active=False)
    # Another programme's template does not count.
    AgreementTemplateFactory(programme=ProgrammeFactory(authority=world.authority), language="en")
    assert services.agreement_issue(assignment=assignment, actor=None) is None
    assert UserAgreement.objects.count() == 0


def test_issue_is_audited_without_the_token_and_is_idempotent(programme, assignment, role_users):
    AgreementTemplateFactory(programme=programme, language="en")
    actor = role_users[Role.SCHOOL_COORDINATOR]
    first = services.agreement_issue(assignment=assignment, actor=actor)
    again = services.agreement_issue(assignment=assignment, actor=actor)
    assert again.pk == first.pk
    events = list(AuditEvent.objects.filter(object_type="devices.useragreement"))
    assert [(e.action, e.actor_id) for e in events] == [("create", actor.pk)]
    assert "token" not in events[0].after
    assert first.token not in str(events[0].after)
    assert events[0].after["status"] == "pending"


def test_tokens_differ(programme, world):
    AgreementTemplateFactory(programme=programme, language="en")
    tokens = {
        services.agreement_issue(
            assignment=hand_out(programme=programme, school=world.school, reference=f"P-{n}"), actor=None
        ).token
        for n in range(5)
    }
    assert len(tokens) == 5


# Templates.


def test_placeholders_are_checked():
    assert services.placeholder_errors("{recipient} gets {serial} on {date}. {{braces}}") == []
    assert services.placeholder_errors("Hello {name} and {pupil.name} with {serial}") == [
        "Unknown placeholders: {name}, {pupil.name}. Use only: {programme}, {school}, {recipient}, {device}, "
        "{serial}, {kit}, {date}."
    ]
    assert services.placeholder_errors("{serial!r} {date:%Y}") == [
        "Write the placeholder {serial} without a format or conversion (found {serial!r}).",
        "Write the placeholder {date} without a format or conversion (found {date:%Y}).",
    ]
    assert services.placeholder_errors("Open {serial") == [
        "A brace is not closed or not opened. Write placeholders as {serial}; write a brace that should be "
        "printed twice: {{ or }}."
    ]


def test_fill_placeholders_keeps_escaped_braces():
    assert services.fill_placeholders("{recipient}: {{x}} {serial}", {"recipient": "P1", "serial": "S"}) == "P1: {x} S"


def test_owner_creates_a_template(programme, role_users):
    owner = role_users[Role.PROGRAMME_OWNER]
    template = services.agreement_template_create(
        actor=owner, programme=programme, language="nl", title=" Overeenkomst ", body="{recipient} krijgt {serial}."
    )
    assert (template.language, template.version, template.title, template.is_active, template.created_by) == (
        "nl",
        1,
        "Overeenkomst",
        True,
        owner,
    )
    assert AuditEvent.objects.get(object_type="devices.agreementtemplate").action == "create"


def test_a_template_with_unknown_placeholders_is_refused(programme, role_users):
    with pytest.raises(ValidationError) as error:
        services.agreement_template_create(
            actor=role_users[Role.PROGRAMME_OWNER], programme=programme, language="en", title="", body="Hi {name}"
        )
    assert error.value.message_dict == {
        "title": ["Give the agreement a title."],
        "body": [
            "Unknown placeholders: {name}. Use only: {programme}, {school}, {recipient}, {device}, {serial}, "
            "{kit}, {date}."
        ],
    }
    assert AgreementTemplate.objects.count() == 0


def test_a_second_template_in_use_in_one_language_is_refused(programme, role_users):
    existing = AgreementTemplateFactory(programme=programme, language="en", title="Current")
    with pytest.raises(ValidationError) as error:
        services.agreement_template_create(
            actor=role_users[Role.PROGRAMME_OWNER], programme=programme, language="en", title="New", body="x"
        )
    assert error.value.message_dict == {
        "language": [
            "This programme already has an agreement in use in this language (Current, version 1): edit that one "
            "instead."
        ]
    }
    assert list(AgreementTemplate.objects.all()) == [existing]


def test_the_database_allows_one_template_in_use_per_language(programme):
    AgreementTemplateFactory(programme=programme, language="en", version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementTemplateFactory(programme=programme, language="en", version=2)


def test_a_new_template_after_old_versions_gets_the_next_version(programme, role_users):
    AgreementTemplateFactory(programme=programme, language="en", version=1, is_active=False)
    AgreementTemplateFactory(programme=programme, language="en", version=2, is_active=False)
    template = services.agreement_template_create(
        actor=role_users[Role.PROGRAMME_OWNER], programme=programme, language="en", title="T", body="{serial}"
    )
    assert template.version == 3


@pytest.mark.parametrize(
    "role", [Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR]
)
def test_only_owners_write_templates(programme, role_users, role):
    with pytest.raises(PermissionDenied):
        services.agreement_template_create(
            actor=role_users[role], programme=programme, language="en", title="T", body="{serial}"
        )
    template = AgreementTemplateFactory(programme=programme)
    with pytest.raises(PermissionDenied):
        services.agreement_template_update(actor=role_users[role], template=template, title="T", body="x")


def test_an_owner_of_another_authority_cannot_write_here(world, programme):
    from digileap.accounts.tests.factories import user_with_role

    stranger = user_with_role(Role.PROGRAMME_OWNER, world.other_authority, username="stranger")
    with pytest.raises(PermissionDenied):
        services.agreement_template_create(actor=stranger, programme=programme, language="en", title="T", body="x")


def test_editing_an_unused_template_changes_it_in_place(programme, role_users):
    template = AgreementTemplateFactory(programme=programme, title="Old", body="{serial}")
    saved = services.agreement_template_update(
        actor=role_users[Role.PROGRAMME_OWNER], template=template, title="New", body="{serial} {kit}"
    )
    assert saved.pk == template.pk
    assert (saved.version, saved.title, saved.body) == (1, "New", "{serial} {kit}")
    event = AuditEvent.objects.filter(object_type="devices.agreementtemplate").get()
    assert (event.action, event.before, event.after) == (
        "update",
        {"title": "Old", "body": "{serial}"},
        {"title": "New", "body": "{serial} {kit}"},
    )


def test_editing_a_used_template_makes_a_new_version(programme, assignment, role_users):
    template = AgreementTemplateFactory(programme=programme, title="Old", body="Old {serial}")
    agreement = agreement_for(assignment, template)
    saved = services.agreement_template_update(
        actor=role_users[Role.PROGRAMME_OWNER], template=template, title="New", body="New {serial}"
    )
    template.refresh_from_db()
    agreement.refresh_from_db()
    assert saved.pk != template.pk
    assert (saved.version, saved.is_active, saved.body) == (2, True, "New {serial}")
    assert (template.version, template.is_active, template.body) == (1, False, "Old {serial}")
    assert agreement.template == template  # the issued agreement keeps its words
    assert services.choose_template(programme, language="en") == saved


def test_editing_without_a_change_writes_nothing(programme, role_users):
    template = AgreementTemplateFactory(programme=programme, title="Same", body="{serial}")
    services.agreement_template_update(
        actor=role_users[Role.PROGRAMME_OWNER], template=template, title="Same", body="{serial}"
    )
    assert AuditEvent.objects.count() == 0


def test_putting_a_version_in_use_takes_the_other_out(programme, role_users):
    old = AgreementTemplateFactory(programme=programme, language="en", version=1, is_active=False)
    current = AgreementTemplateFactory(programme=programme, language="en", version=2)
    services.agreement_template_set_active(actor=role_users[Role.PROGRAMME_OWNER], template=old, is_active=True)
    old.refresh_from_db()
    current.refresh_from_db()
    assert (old.is_active, current.is_active) == (True, False)
    services.agreement_template_set_active(actor=role_users[Role.PROGRAMME_OWNER], template=old, is_active=False)
    assert AgreementTemplate.objects.filter(is_active=True).count() == 0
    assert list(
        AuditEvent.objects.filter(object_type="devices.agreementtemplate")
        .order_by("id")
        .values_list("action", "object_id")
    ) == [("deactivate", str(current.pk)), ("activate", str(old.pk)), ("deactivate", str(old.pk))]


# Paper acceptance.


@pytest.fixture
def agreement(programme, assignment):
    return agreement_for(assignment, AgreementTemplateFactory(programme=programme))


@pytest.mark.parametrize(
    ("content", "name", "stored"), [(PDF, "a.pdf", "pdf"), (PNG, "a.png", "png"), (JPEG, "a.JPG", "jpg")]
)
def test_paper_acceptance_keeps_the_scan(agreement, role_users, content, name, stored):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    accepted = services.agreement_accept_paper(
        actor=coordinator, agreement=agreement, signed_by="parent", scan=scan(content, name)
    )
    accepted.refresh_from_db()
    assert accepted.status == UserAgreement.Status.ACCEPTED
    assert (accepted.accepted_via, accepted.signed_by, accepted.recorded_by) == ("paper", "parent", coordinator)
    assert accepted.scan_sha256 == hashlib.sha256(content).hexdigest()
    assert accepted.scan.name.endswith(f".{stored}")
    assert accepted.scan.read() == content
    event = AuditEvent.objects.get(object_type="devices.useragreement", action="accept")
    assert event.after["scan_sha256"] == hashlib.sha256(content).hexdigest()
    assert event.after["scan_bytes"] == len(content)
    assert event.actor_id == coordinator.pk


def test_a_misnamed_scan_is_refused(agreement, role_users):
    # The name must agree with the content (digileap/core/uploads.py): a PNG named .pdf is refused.
    with pytest.raises(ValidationError) as error:
        services.agreement_accept_paper(
            actor=role_users[Role.OPERATOR_STAFF], agreement=agreement, signed_by="pupil", scan=scan(PNG, "scan.pdf")
        )
    assert error.value.message_dict == {"scan": ["scan.pdf is not a PDF: its content is a PNG image."]}
    agreement.refresh_from_db()
    assert (agreement.status, agreement.scan.name) == ("pending", "")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.pdf", "empty.pdf is empty."),
        (b"GIF89a....", "a.gif", "a.gif: .gif files are not accepted here; accepted are PDF, PNG, JPEG."),
        (b"name;serial\n", "list.pdf", "list.pdf is not a PDF: its content is text."),
        (b"PK\x03\x04zip", "archive.pdf", "archive.pdf is not a PDF: its content is a ZIP archive."),
    ],
)
def test_bad_scans_are_refused(agreement, role_users, content, name, message):
    with pytest.raises(ValidationError) as error:
        services.agreement_accept_paper(
            actor=role_users[Role.SCHOOL_COORDINATOR], agreement=agreement, signed_by="parent", scan=scan(content, name)
        )
    assert error.value.message_dict == {"scan": [message]}
    agreement.refresh_from_db()
    assert (agreement.status, agreement.scan.name) == ("pending", "")


def test_a_scan_over_the_limit_is_refused(agreement, role_users, monkeypatch):
    monkeypatch.setattr(services, "SCAN_MAX_BYTES", 2 * 1024 * 1024)
    big = scan(PDF + b"0" * (3 * 1024 * 1024), "big.pdf")
    with pytest.raises(ValidationError) as error:
        services.agreement_accept_paper(
            actor=role_users[Role.SCHOOL_COORDINATOR], agreement=agreement, signed_by="parent", scan=big
        )
    assert error.value.message_dict == {"scan": ["big.pdf is 3.1 MB; the limit is 2 MB."]}


def test_who_signs_depends_on_the_recipient(agreement, role_users, programme, world):
    with pytest.raises(ValidationError) as error:
        services.agreement_accept_paper(
            actor=role_users[Role.SCHOOL_COORDINATOR], agreement=agreement, signed_by="teacher", scan=scan()
        )
    assert error.value.message_dict == {"signed_by": ["This agreement is signed by: Parent or guardian, Pupil."]}
    teacher = agreement_for(
        hand_out(programme=programme, school=world.school, reference="T-1", kind=Recipient.Kind.TEACHER),
        agreement.template,
    )
    with pytest.raises(ValidationError) as error:
        services.agreement_accept_paper(
            actor=role_users[Role.SCHOOL_COORDINATOR], agreement=teacher, signed_by="parent", scan=scan()
        )
    assert error.value.message_dict == {"signed_by": ["This agreement is signed by: Teacher."]}


def test_an_agreement_is_accepted_once(agreement, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    services.agreement_accept_paper(actor=coordinator, agreement=agreement, signed_by="parent", scan=scan())
    agreement.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.agreement_accept_paper(
            actor=coordinator, agreement=agreement, signed_by="pupil", scan=scan(PNG, "b.png")
        )
    when = timezone.localtime(agreement.accepted_at).strftime("%Y-%m-%d %H:%M")
    assert error.value.messages == [
        f"This agreement was already accepted on {when} (Signed on paper (scan), signed by Parent or guardian)."
    ]
    agreement.refresh_from_db()
    assert agreement.signed_by == "parent"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMINISTRATOR, True),
        (Role.PROGRAMME_OWNER, False),
        (Role.FUNDING_ADMINISTRATOR, False),
        (Role.OPERATOR_STAFF, True),
        (Role.SCHOOL_COORDINATOR, True),
        (Role.SUPPLIER, False),
        (Role.AUDITOR, False),
    ],
)
def test_who_records_paper_acceptance(agreement, role_users, role, allowed):
    if allowed:
        services.agreement_accept_paper(actor=role_users[role], agreement=agreement, signed_by="parent", scan=scan())
        agreement.refresh_from_db()
        assert agreement.status == "accepted"
    else:
        with pytest.raises(PermissionDenied):
            services.agreement_accept_paper(
                actor=role_users[role], agreement=agreement, signed_by="parent", scan=scan()
            )


def test_a_coordinator_of_another_school_cannot_record(world, agreement):
    from digileap.accounts.tests.factories import user_with_role

    stranger = user_with_role(Role.SCHOOL_COORDINATOR, world.other_school, username="other-coordinator")
    with pytest.raises(PermissionDenied):
        services.agreement_accept_paper(actor=stranger, agreement=agreement, signed_by="parent", scan=scan())


# In-app acceptance.


def test_in_app_acceptance_and_reuse_of_the_token(agreement):
    result = services.agreement_accept_in_app(token=agreement.token, signed_by="pupil")
    assert result.is_new is True
    agreement.refresh_from_db()
    assert (agreement.status, agreement.accepted_via, agreement.signed_by, agreement.recorded_by) == (
        "accepted",
        "in_app",
        "pupil",
        None,
    )
    first_time = agreement.accepted_at
    again = services.agreement_accept_in_app(token=agreement.token, signed_by="parent")
    assert again.is_new is False
    agreement.refresh_from_db()
    assert (agreement.accepted_at, agreement.signed_by) == (first_time, "pupil")
    events = AuditEvent.objects.filter(object_type="devices.useragreement", action="accept")
    assert [(e.actor_id, e.actor_label) for e in events] == [(None, "in-app acceptance")]


def test_in_app_acceptance_with_an_unknown_token(agreement):
    with pytest.raises(UserAgreement.DoesNotExist):
        services.agreement_accept_in_app(token="not-a-token", signed_by="pupil")


def test_in_app_acceptance_after_the_return_is_refused(agreement):
    assignment = agreement.assignment
    assignment.returned_at = timezone.now()
    assignment.save()
    with pytest.raises(ValidationError) as error:
        services.agreement_accept_in_app(token=agreement.token, signed_by="parent")
    assert error.value.messages == ["The device was returned: this agreement no longer needs to be accepted."]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_paper_and_an_in_app_acceptance_at_the_same_moment_land_once(world, role_users):
    """The agreement's row lock makes the second acceptance wait and then see the first."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; row locks need PostgreSQL")
    programme = ProgrammeFactory(authority=world.authority)
    agreement = agreement_for(
        hand_out(programme=programme, school=world.school, reference="P-RACE"),
        AgreementTemplateFactory(programme=programme),
    )
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    barrier = threading.Barrier(2)
    outcomes = []

    def on_paper():
        try:
            barrier.wait()
            services.agreement_accept_paper(
                actor=coordinator, agreement=UserAgreement.objects.get(pk=agreement.pk), signed_by="parent", scan=scan()
            )
            outcomes.append(("paper", "accepted"))
        except ValidationError as error:
            already = error.messages[0].startswith("This agreement was already accepted on ")
            outcomes.append(("paper", "already" if already else error.messages[0]))
        finally:
            connections.close_all()

    def in_app():
        try:
            barrier.wait()
            result = services.agreement_accept_in_app(token=agreement.token, signed_by="pupil")
            outcomes.append(("in_app", "accepted" if result.is_new else "already"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=on_paper), threading.Thread(target=in_app)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    agreement.refresh_from_db()
    results = dict(outcomes)
    if agreement.accepted_via == "paper":
        assert results == {"paper": "accepted", "in_app": "already"}
        assert agreement.signed_by == "parent"
    else:
        assert results == {"paper": "already", "in_app": "accepted"}
        assert (agreement.signed_by, agreement.scan.name) == ("pupil", "")
    assert AuditEvent.objects.filter(object_type="devices.useragreement", action="accept").count() == 1
