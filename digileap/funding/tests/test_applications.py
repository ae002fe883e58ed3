"""Applications: the draft the registry prefills, cost lines checked on entry, documents, submission
with a frozen, hashed version, and the state machine with append-only events."""

import datetime
import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.schools.tests.factories import SchoolFactory

from ..models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationState,
    ApplicationVersion,
    Call,
    CostCategory,
    CostLine,
    RequiredDocument,
)
from ..selectors import application_prefill
from ..services.applications import (
    TRANSITIONS,
    allowed_next,
    application_check,
    application_document_add,
    application_draft,
    application_submit,
    application_transition,
    application_update,
    application_withdraw,
    canonical_json,
    cost_line_add,
    cost_line_delete,
    cost_line_update,
    version_compare,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
S = ApplicationState


def pdf(name="plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def category(call: Call, code: str) -> CostCategory:
    return call.cost_categories.get(code=code)


def document(call: Call, code: str) -> RequiredDocument:
    return call.required_documents.get(code=code)


def snapshot_of(application: Application) -> tuple:
    application.refresh_from_db()
    return (
        application.state,
        list(CostLine.objects.filter(application=application).values_list("position", "amount", "funding")),
        ApplicationEvent.objects.filter(application=application).count(),
        ApplicationVersion.objects.filter(application=application).count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def draft(mv_call, world, staff):
    return application_draft(
        actor=staff, call=mv_call, operator=world.operator, title="Netzwerk 2026", rollout_year=2026
    )


def add(staff, application, code="network", school="first", quantity="1", unit_price="1000.00", world=None, **extra):
    call = application.call
    school_value = {"first": application.application_schools.order_by("school__number")[0].school, None: None}.get(
        school, school
    )
    data = {
        "category": category(call, code),
        "school": school_value,
        "description": "Access points",
        "quantity": quantity,
        "unit_price": unit_price,
        **extra,
    }
    return cost_line_add(actor=staff, application=application, data=data)


def documents_for(staff, application, world):
    day = timezone.localdate() - datetime.timedelta(days=30)
    call = application.call
    application_document_add(
        actor=staff, application=application, required_document=document(call, "mep"), file=pdf(), issued_on=day
    )
    application_document_add(
        actor=staff,
        application=application,
        required_document=document(call, "technical-concept"),
        file=pdf("concept.pdf"),
        issued_on=day,
    )
    for row in application.application_schools.select_related("school"):
        application_document_add(
            actor=staff,
            application=application,
            required_document=document(call, "mbk"),
            school=row.school,
            file=pdf(f"mbk-{row.school.number}.pdf"),
            issued_on=day,
        )


# Drafting.


def test_the_registry_prefills_schools_pupils_entitlement_and_what_was_applied(mv_call, world, staff):
    prefill = application_prefill(mv_call, world.operator)
    assert [(school["name"], school["pupils_total"]) for school in prefill["schools"]] == [
        ("INSIDE Gymnasium", 600),
        ("INSIDE school", 200),
    ]
    assert prefill["pupils"] == 800
    assert (prefill["entitlement"], prefill["applied"], prefill["available"]) == (
        Decimal("200000.00"),
        Decimal("0.00"),
        Decimal("200000.00"),
    )
    application = application_draft(actor=staff, call=mv_call, operator=world.operator)
    add(staff, application, unit_price="10000.00")  # funding 9,000
    prefill = application_prefill(mv_call, world.operator)
    assert (prefill["applied"], prefill["available"]) == (Decimal("9000.00"), Decimal("191000.00"))


def test_a_draft_takes_the_operators_open_schools_and_records_its_first_event(draft, world, staff):
    assert (draft.number, draft.state, draft.title, draft.rollout_year) == (1, S.DRAFT, "Netzwerk 2026", 2026)
    assert sorted(draft.application_schools.values_list("school__name", "pupils")) == [
        ("INSIDE Gymnasium", 600),
        ("INSIDE school", 200),
    ]
    event = draft.events.get()
    assert (event.from_state, event.to_state, event.actor_id) == ("", S.DRAFT, staff.pk)
    second = application_draft(actor=staff, call=draft.call, operator=world.operator, schools=[world.school])
    assert second.number == 2
    assert list(second.application_schools.values_list("school_id", flat=True)) == [world.school.pk]


def test_a_draft_refuses_other_operators_schools_a_closed_call_and_an_operator_not_in_the_call(mv_call, world, staff):
    with pytest.raises(ValidationError) as error:
        application_draft(actor=staff, call=mv_call, operator=world.operator, schools=[world.other_school])
    assert error.value.message_dict == {"schools": ["These schools are not the operator's: OUTSIDE school"]}
    Call.objects.filter(pk=mv_call.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    mv_call.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        application_draft(actor=staff, call=mv_call, operator=world.operator)
    assert error.value.messages == ["The call is not open (rule: call open)."]
    with pytest.raises(PermissionDenied):
        application_draft(actor=staff, call=mv_call, operator=world.other_operator)
    assert not Application.objects.exists()


def test_schools_named_by_lines_stay_in_the_application(draft, world, staff):
    add(staff, draft)  # on INSIDE school (number 1001)
    with pytest.raises(ValidationError) as error:
        application_update(actor=staff, application=draft, data={"schools": [world.second_school]})
    assert error.value.message_dict == {"schools": ["Cost lines name these schools: INSIDE school"]}
    application_update(actor=staff, application=draft, data={"schools": [world.school], "title": "Nur Grundschule"})
    draft.refresh_from_db()
    assert draft.title == "Nur Grundschule"
    assert list(draft.application_schools.values_list("school_id", flat=True)) == [world.school.pk]


# Cost lines.


def test_a_line_is_stored_with_its_figures_to_the_cent(draft, staff):
    line = add(staff, draft, quantity="3", unit_price="333.33")
    assert (line.position, line.amount, line.funding) == (1, Decimal("999.99"), Decimal("899.99"))
    second = add(staff, draft, school=None, unit_price="0.05")
    assert (second.position, second.school, second.amount, second.funding) == (
        2,
        None,
        Decimal("0.05"),
        Decimal("0.04"),
    )
    result = application_check(draft, submission=False)
    assert (result.total_amount, result.total_funding, result.total_cofinancing) == (
        Decimal("1000.04"),
        Decimal("900.03"),
        Decimal("100.01"),
    )
    assert AuditEvent.objects.filter(action="create", object_type="funding.costline").count() == 2


def test_a_line_over_the_cap_per_school_is_refused_and_nothing_is_written(draft, staff):
    add(staff, draft, code="pupil-devices", quantity="50", unit_price="500.00")  # funding 22,500
    before = snapshot_of(draft)
    with pytest.raises(ValidationError) as error:
        add(staff, draft, code="pupil-devices", quantity="6", unit_price="500.00")  # 25,200
    assert error.value.messages == [
        "Line 2: Pupil devices for INSIDE school comes to EUR 25,200.00, over the cap of EUR 25,000.00 per school "
        "(rule: cap per school)."
    ]
    assert snapshot_of(draft) == before


def test_pupil_devices_are_held_to_twenty_percent_of_the_entitlement(draft, world, staff):
    # Entitlement 200,000: devices at most 40,000 over all schools; each school at most 25,000.
    add(staff, draft, code="pupil-devices", quantity="1", unit_price="27777.78")  # 25,000.00 at school 1
    second = draft.application_schools.get(school=world.second_school).school
    add(staff, draft, code="pupil-devices", school=second, quantity="1", unit_price="16666.67")  # 15,000.00
    with pytest.raises(ValidationError) as error:
        add(staff, draft, code="pupil-devices", school=second, quantity="1", unit_price="0.02")
    assert error.value.messages == [
        "Line 3: Pupil devices comes to EUR 40,000.01, over 20 % of the entitlement (EUR 40,000.00) "
        "(rule: share of the entitlement)."
    ]


def test_the_entitlement_counts_every_application_of_the_operator(draft, world, staff):
    add(staff, draft, school=None, quantity="2", unit_price="100000.00")  # funding 180,000
    other = application_draft(actor=staff, call=draft.call, operator=world.operator)
    add(staff, other, school=None, quantity="1", unit_price="22222.22")  # 19,999.99: 199,999.99 in all
    with pytest.raises(ValidationError) as error:
        add(staff, other, school=None, quantity="1", unit_price="0.03")  # 0.02 more
    assert error.value.messages == [
        "Line 2: the operator's applications in this call come to EUR 200,000.01, over its entitlement of "
        "EUR 200,000.00 (EUR 180,000.00 in other applications) (rule: entitlement)."
    ]
    # A withdrawn application gives its share back.
    application_withdraw(actor=staff, application=draft, reason="Replaced by application 2")
    add(staff, other, school=None, quantity="1", unit_price="0.03")


@pytest.mark.parametrize(
    "quantity, unit_price, field, message",
    [
        ("-1", "10", "quantity", "Line 1: The quantity cannot be negative. (rule: amount)"),
        ("1", "-10", "unit_price", "Line 1: The unit price cannot be negative. (rule: amount)"),
        ("zwei", "10", "quantity", "Line 1: The quantity 'zwei' is not a number. (rule: amount)"),
        ("1", "10.005", "unit_price", "Line 1: The unit price has more than 2 decimals. (rule: amount)"),
    ],
)
def test_bad_numbers_are_refused_and_nothing_is_written(draft, staff, quantity, unit_price, field, message):
    before = snapshot_of(draft)
    with pytest.raises(ValidationError) as error:
        add(staff, draft, quantity=quantity, unit_price=unit_price)
    assert error.value.message_dict == {field: [message]}
    assert snapshot_of(draft) == before


def test_a_line_on_a_closed_call_is_refused(draft, staff):
    Call.objects.filter(pk=draft.call_id).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        add(staff, draft)
    assert len(error.value.messages) == 1
    assert error.value.messages[0].startswith("The call closed on ")
    assert not CostLine.objects.exists()


def test_a_line_for_a_school_outside_the_application_or_a_foreign_category_is_refused(draft, world, staff):
    with pytest.raises(ValidationError) as error:
        add(staff, draft, school=world.other_school)
    assert error.value.message_dict == {
        "school": ["Line 1: the school is not one of this application's schools (rule: school)."]
    }
    with pytest.raises(ValidationError) as error:
        cost_line_add(
            actor=staff,
            application=draft,
            data={"category": 999999, "school": None, "description": "x", "quantity": "1", "unit_price": "1"},
        )
    assert error.value.message_dict == {"category": ["Choose a cost category of this call."]}
    assert not CostLine.objects.exists()


def test_editing_a_line_is_checked_and_deleting_one_is_audited(draft, staff):
    line = add(staff, draft, code="pupil-devices", quantity="10", unit_price="1000.00")
    updated = cost_line_update(actor=staff, line=line, data={"quantity": "20"})
    assert (updated.amount, updated.funding) == (Decimal("20000.00"), Decimal("18000.00"))
    with pytest.raises(ValidationError) as error:
        cost_line_update(actor=staff, line=line, data={"quantity": "30"})
    assert error.value.messages == [
        "Line 1: Pupil devices for INSIDE school comes to EUR 27,000.00, over the cap of EUR 25,000.00 per school "
        "(rule: cap per school)."
    ]
    line.refresh_from_db()
    assert line.quantity == Decimal("20.00")
    cost_line_delete(actor=staff, line=line)
    assert not CostLine.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_type="funding.costline").count() == 1


# Documents.


def upload_error(staff, application, file) -> tuple[str, str]:
    with pytest.raises(ValidationError) as error:
        application_document_add(
            actor=staff,
            application=application,
            required_document=document(application.call, "mep"),
            file=file,
            issued_on=timezone.localdate(),
        )
    (problem,) = error.value.error_dict["file"]
    return problem.code, problem.message


def test_uploads_are_checked_by_their_content(draft, staff):
    code, message = upload_error(staff, draft, SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf"))
    assert code == "content" and message.startswith("plan.pdf is not a PDF: its content is")
    assert upload_error(staff, draft, SimpleUploadedFile("e.pdf", b"")) == ("empty", "e.pdf is empty.")
    assert upload_error(staff, draft, SimpleUploadedFile("run.exe", b"MZ"))[0] == "extension"
    fake_zip = io.BytesIO()
    with zipfile.ZipFile(fake_zip, "w") as archive:
        archive.writestr("payload.exe", b"x")
    assert upload_error(staff, draft, SimpleUploadedFile("plan.docx", fake_zip.getvalue()))[0] in {"content", "damaged"}
    assert not ApplicationDocument.objects.exists()
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    stored = application_document_add(
        actor=staff,
        application=draft,
        required_document=document(draft.call, "mep"),
        file=SimpleUploadedFile("MEP.docx", docx.getvalue()),
        issued_on=timezone.localdate(),
    )
    assert stored.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert stored.sha256 == hashlib.sha256(docx.getvalue()).hexdigest()
    assert stored.size_bytes == len(docx.getvalue())
    assert stored.original_filename == "MEP.docx"


def test_uploads_over_the_size_limit_are_refused(draft, staff, settings):
    settings.DIGILEAP_UPLOAD_MAX_BYTES = 40
    assert upload_error(staff, draft, SimpleUploadedFile("big.pdf", PDF + b" " * 40))[0] == "too_large"
    assert not ApplicationDocument.objects.exists()


def test_school_documents_need_a_school_of_the_application(draft, world, staff):
    with pytest.raises(ValidationError) as error:
        application_document_add(
            actor=staff,
            application=draft,
            required_document=document(draft.call, "mbk"),
            file=pdf(),
            issued_on=timezone.localdate(),
        )
    assert error.value.message_dict == {"school": ["Choose one of the application's schools."]}
    with pytest.raises(ValidationError):
        application_document_add(
            actor=staff,
            application=draft,
            required_document=document(draft.call, "mep"),
            school=world.school,
            file=pdf(),
            issued_on=timezone.localdate(),
        )


# Submission.


def test_submitting_without_documents_names_every_missing_one_and_writes_nothing(draft, staff):
    add(staff, draft)
    before = snapshot_of(draft)
    with pytest.raises(ValidationError) as error:
        application_submit(actor=staff, application=draft, declarations_confirmed=True)
    assert error.value.messages == [
        "Media development plan is missing (rule: documents present).",
        "Media concept for INSIDE Gymnasium is missing (rule: documents present).",
        "Media concept for INSIDE school is missing (rule: documents present).",
        "Technical concept is missing (rule: documents present).",
    ]
    assert snapshot_of(draft) == before


def test_an_expired_document_blocks_submission(draft, world, staff):
    add(staff, draft)
    documents_for(staff, draft, world)
    ApplicationDocument.objects.filter(required_document__code="mbk", school=world.school).update(
        issued_on=datetime.date(2020, 1, 15)
    )
    with pytest.raises(ValidationError) as error:
        application_submit(actor=staff, application=draft, declarations_confirmed=True)
    assert error.value.messages == [
        "Media concept for INSIDE school was valid until 14 January 2023 (rule: documents valid)."
    ]


def test_submission_needs_the_declarations_and_a_line(draft, world, staff):
    documents_for(staff, draft, world)
    with pytest.raises(ValidationError) as error:
        application_submit(actor=staff, application=draft, declarations_confirmed=False)
    assert error.value.message_dict == {"declarations_confirmed": ["Confirm the declarations to submit."]}
    with pytest.raises(ValidationError) as error:
        application_submit(actor=staff, application=draft, declarations_confirmed=True)
    assert error.value.messages == ["Add at least one cost line."]


def test_submitting_freezes_a_version_with_the_sha256_of_its_canonical_json(draft, world, staff):
    add(staff, draft, quantity="4", unit_price="250.00")
    documents_for(staff, draft, world)
    version = application_submit(actor=staff, application=draft, declarations_confirmed=True)
    draft.refresh_from_db()
    assert draft.state == S.SUBMITTED
    assert draft.declarations_confirmed_at is not None
    assert version.number == 1
    stored = ApplicationVersion.objects.get(pk=version.pk)
    assert (
        stored.sha256
        == hashlib.sha256(
            json.dumps(stored.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).hexdigest()
    )
    assert canonical_json(stored.content) == canonical_json(version.content)
    assert stored.content["totals"] == {"amount": "1000.00", "funding": "900.00", "cofinancing": "100.00"}
    assert stored.content["lines"] == [
        {
            "position": 1,
            "category": "network",
            "school": world.school.pk,
            "description": "Access points",
            "quantity": "4.00",
            "unit_price": "250.00",
            "amount": "1000.00",
            "funding": "900.00",
            "cofinancing": "100.00",
        }
    ]
    assert [school["number"] for school in stored.content["schools"]] == ["1001", "1002"]
    assert len(stored.content["documents"]) == 4
    event = draft.events.order_by("id").last()
    assert (event.from_state, event.to_state, event.version_id, event.actor_id) == (
        S.DRAFT,
        S.SUBMITTED,
        version.pk,
        staff.pk,
    )
    # A submitted application is frozen for the operator.
    with pytest.raises(ValidationError):
        add(staff, draft)


def test_more_information_resubmission_and_comparing_versions(draft, world, staff, funding_admin):
    line = add(staff, draft, quantity="4", unit_price="250.00")
    documents_for(staff, draft, world)
    first = application_submit(actor=staff, application=draft, declarations_confirmed=True)
    application_transition(actor=funding_admin, application=draft, state=S.FORMAL_CHECK)
    application_transition(
        actor=funding_admin, application=draft, state=S.MORE_INFORMATION, reason="Price per access point?"
    )
    cost_line_update(actor=staff, line=line, data={"unit_price": "200.00"})
    add(staff, draft, code="displays", quantity="1", unit_price="3000.00")
    second = application_submit(actor=staff, application=draft, declarations_confirmed=True, reason="Cheaper offer")
    draft.refresh_from_db()
    assert (draft.state, second.number) == (S.RESUBMITTED, 2)
    assert first.sha256 != second.sha256
    comparison = version_compare(first, second)
    assert [line["position"] for line in comparison["added"]] == [2]
    assert comparison["removed"] == []
    assert [(change["position"], change["fields"]) for change in comparison["changed"]] == [
        (1, ["amount", "cofinancing", "funding", "unit_price"])
    ]
    assert list(draft.events.order_by("id").values_list("from_state", "to_state", "reason")) == [
        ("", S.DRAFT, ""),
        (S.DRAFT, S.SUBMITTED, ""),
        (S.SUBMITTED, S.FORMAL_CHECK, ""),
        (S.FORMAL_CHECK, S.MORE_INFORMATION, "Price per access point?"),
        (S.MORE_INFORMATION, S.RESUBMITTED, "Cheaper offer"),
    ]


# The state machine.


def test_the_transitions_are_exactly_these():
    assert {state: allowed_next(state) for state in S.values} == {
        "draft": ["submitted", "withdrawn"],
        "submitted": ["formal_check", "withdrawn"],
        "formal_check": ["more_information", "review", "rejected", "withdrawn"],
        "more_information": ["resubmitted", "withdrawn"],
        "resubmitted": ["formal_check", "more_information", "review", "withdrawn"],
        "review": ["more_information", "approved", "partly_approved", "rejected", "withdrawn"],
        "approved": [],
        "partly_approved": [],
        "rejected": [],
        "withdrawn": [],
    }
    assert set(TRANSITIONS) == set(S.values)


def submitted(staff, draft, world):
    add(staff, draft)
    documents_for(staff, draft, world)
    application_submit(actor=staff, application=draft, declarations_confirmed=True)
    draft.refresh_from_db()
    return draft


@pytest.mark.parametrize("state", [S.APPROVED, S.REVIEW, S.REJECTED, S.MORE_INFORMATION, S.DRAFT])
def test_a_forbidden_transition_is_refused_and_writes_nothing(draft, world, staff, funding_admin, state):
    application = submitted(staff, draft, world)
    before = snapshot_of(application)
    with pytest.raises(ValidationError) as error:
        application_transition(actor=funding_admin, application=application, state=state, reason="because")
    assert error.value.message_dict == {
        "state": [f"An application that is submitted cannot become {S(state).label.lower()}."]
    }
    assert snapshot_of(application) == before


def test_an_unknown_state_is_refused(draft, funding_admin):
    with pytest.raises(ValidationError) as error:
        application_transition(actor=funding_admin, application=draft, state="granted")
    assert error.value.message_dict == {"state": ["Unknown state 'granted'."]}


def test_submitting_through_the_transition_is_refused(draft, staff):
    with pytest.raises(ValidationError) as error:
        application_transition(actor=staff, application=draft, state=S.SUBMITTED)
    assert error.value.message_dict == {"state": ["Submit the application to freeze a version."]}


def test_a_decision_path_to_partly_approved_with_reasons(draft, world, staff, funding_admin):
    application = submitted(staff, draft, world)
    application_transition(actor=funding_admin, application=application, state=S.FORMAL_CHECK)
    application_transition(actor=funding_admin, application=application, state=S.REVIEW)
    with pytest.raises(ValidationError) as error:
        application_transition(actor=funding_admin, application=application, state=S.PARTLY_APPROVED)
    assert error.value.message_dict == {"reason": ["Give a reason."]}
    application_transition(
        actor=funding_admin, application=application, state=S.PARTLY_APPROVED, reason="Line 1 reduced"
    )
    application.refresh_from_db()
    assert application.state == S.PARTLY_APPROVED
    with pytest.raises(ValidationError):
        application_withdraw(actor=staff, application=application, reason="too late")


def test_withdrawal_before_the_decision(draft, world, staff):
    application = submitted(staff, draft, world)
    with pytest.raises(ValidationError):
        application_withdraw(actor=staff, application=application, reason="  ")
    application_withdraw(actor=staff, application=application, reason="Plans changed")
    application.refresh_from_db()
    assert application.state == S.WITHDRAWN
    event = application.events.order_by("id").last()
    assert (event.from_state, event.to_state, event.reason, event.actor_label) == (
        S.SUBMITTED,
        S.WITHDRAWN,
        "Plans changed",
        staff.get_username(),
    )


def test_the_operator_cannot_take_the_authoritys_steps_and_the_authority_cannot_submit(
    draft, world, staff, funding_admin
):
    application = submitted(staff, draft, world)
    with pytest.raises(PermissionDenied):
        application_transition(actor=staff, application=application, state=S.FORMAL_CHECK)
    with pytest.raises(PermissionDenied):
        application_withdraw(actor=funding_admin, application=application, reason="not theirs")
    other = application_draft(actor=staff, call=draft.call, operator=world.operator)
    add(staff, other)
    with pytest.raises(PermissionDenied):
        application_submit(actor=funding_admin, application=other, declarations_confirmed=True)
    assert Application.objects.get(pk=other.pk).state == S.DRAFT


def test_the_system_actor_may_act_for_both_sides(draft, world, staff):
    application = submitted(staff, draft, world)
    application_transition(actor=SystemActor("seed"), application=application, state=S.FORMAL_CHECK)
    event = application.events.order_by("id").last()
    assert (event.actor_id, event.actor_label) == (None, "seed")


def test_schools_of_other_operators_cannot_be_added_later(draft, world, staff):
    other_school = SchoolFactory(operator=world.other_operator, name="OUTSIDE annex")
    with pytest.raises(ValidationError):
        application_update(actor=staff, application=draft, data={"schools": [world.school, other_school]})
