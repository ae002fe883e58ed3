"""Pages of user agreements and their templates, for every role, and the public acceptance page."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.devices import agreements_pdf
from digileap.devices.models import AgreementTemplate, UserAgreement
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories_agreements import AgreementTemplateFactory, agreement_for, hand_out

PDF = b"%PDF-1.4\n% signed\n"
READERS = [Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF,
           Role.SCHOOL_COORDINATOR, Role.AUDITOR]  # fmt: skip
RECORDERS = [Role.ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="AGR", name={"en": "Laptops for pupils"}, authority=world.authority)


@pytest.fixture
def template(programme):
    return AgreementTemplateFactory(programme=programme, title="Device agreement", body="{recipient} gets {serial}.")


@pytest.fixture
def agreement(world, programme, template):
    return agreement_for(
        hand_out(programme=programme, school=world.school, reference="P-100", serial="SN-100"), template
    )


@pytest.fixture
def outside(world):
    programme = ProgrammeFactory(code="OUT-AGR", authority=world.other_authority)
    template = AgreementTemplateFactory(programme=programme, title="OUTSIDE agreement")
    assignment = hand_out(programme=programme, school=world.other_school, reference="OUTSIDE-P", serial="OUT-SN")
    return agreement_for(assignment, template)


@pytest.fixture
def captured_html(monkeypatch):
    """The HTML each PDF response was made from (the PDF itself is compressed)."""
    pages = []
    render = agreements_pdf.render_pdf

    def capture(html):
        pages.append(html)
        return render(html)

    monkeypatch.setattr(agreements_pdf, "render_pdf", capture)
    return pages


# The list.


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_list(role, role_users, agreement, outside):
    response = signed_in(role_users[role]).get(reverse("devices:useragreement-list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "P-100" in content and "SN-100" in content
    if role != Role.ADMINISTRATOR:
        assert "OUTSIDE" not in content


def test_suppliers_see_no_agreements(role_users, agreement):
    client = signed_in(role_users[Role.SUPPLIER])
    assert client.get(reverse("devices:useragreement-list")).status_code == 403
    assert client.get(reverse("devices:useragreement-detail", kwargs={"pk": agreement.pk})).status_code == 404
    assert client.get(reverse("devices:agreementtemplate-list")).status_code == 403


def test_counts_filters_and_overdue(world, programme, template, role_users):
    now = timezone.now()
    old = agreement_for(
        hand_out(programme=programme, school=world.school, reference="P-OLD", group="5A"),
        template,
        sent_at=now - datetime.timedelta(days=8),
    )
    agreement_for(hand_out(programme=programme, school=world.school, reference="P-NEW", group="5B"), template)
    agreement_for(
        hand_out(programme=programme, school=world.school, reference="P-DONE", group="5B"),
        template,
        sent_at=now - datetime.timedelta(days=20),
        status=UserAgreement.Status.ACCEPTED,
        accepted_at=now,
        accepted_via=UserAgreement.Via.IN_APP,
        signed_by="parent",
    )
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    response = client.get(reverse("devices:useragreement-list"))
    counts = [int(n) for n in re.findall(r'class="tile__count">(\d+)<', response.content.decode())]
    assert counts == [3, 2, 1, 1]  # total, pending, accepted, overdue
    rows = re.findall(r"<tr[ >](?:(?!</tr>).)*</tr>", response.content.decode(), re.S)
    overdue = [row for row in rows if 'class="is-overdue"' in row]
    assert len(overdue) == 1
    assert "P-OLD" in overdue[0] and "Overdue" in overdue[0]

    def references(**query):
        content = client.get(reverse("devices:useragreement-list"), query).content.decode()
        return sorted(set(re.findall(r"P-(?:OLD|NEW|DONE)", content)))

    assert references(status="accepted") == ["P-DONE"]
    assert references(group="5B") == ["P-DONE", "P-NEW"]
    assert references(overdue="on") == ["P-OLD"]
    assert references(school=world.school.pk, status="pending") == ["P-NEW", "P-OLD"]
    # A school outside the scope is not a choice; the list stays the user's own.
    response = client.get(reverse("devices:useragreement-list"), {"school": world.other_school.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert old.pk


# One agreement.


@pytest.mark.parametrize("role", READERS)
def test_the_detail_and_who_sees_the_link(role, role_users, agreement, outside):
    client = signed_in(role_users[role])
    response = client.get(reverse("devices:useragreement-detail", kwargs={"pk": agreement.pk}))
    assert response.status_code == 200
    link = reverse("devices:useragreement-accept", kwargs={"token": agreement.token})
    content = response.content.decode()
    assert (link in content) == (role in RECORDERS)
    assert ("Record the signed paper" in content) == (role in RECORDERS)
    outside_status = client.get(reverse("devices:useragreement-detail", kwargs={"pk": outside.pk})).status_code
    assert outside_status == (200 if role == Role.ADMINISTRATOR else 404)


def test_the_pdf_of_one_agreement(role_users, agreement, captured_html):
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).get(
        reverse("devices:useragreement-pdf", kwargs={"pk": agreement.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == f'inline; filename="agreement-{agreement.pk}-P-100.pdf"'
    html = captured_html[0]
    assert "P-100 gets SN-100." in html
    assert f"http://testserver/devices/agreements/accept/{agreement.token}/" in html


def test_readers_get_the_pdf_without_the_link(role_users, agreement, captured_html):
    response = signed_in(role_users[Role.AUDITOR]).get(
        reverse("devices:useragreement-pdf", kwargs={"pk": agreement.pk})
    )
    assert response.status_code == 200
    assert agreement.token not in captured_html[0]


@pytest.mark.parametrize("role", RECORDERS)
def test_recording_a_paper_acceptance(role, role_users, agreement):
    client = signed_in(role_users[role])
    url = reverse("devices:useragreement-record", kwargs={"pk": agreement.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"signed_by": "parent", "scan": SimpleUploadedFile("s.pdf", PDF)})
    assert response.status_code == 302
    assert response["Location"] == reverse("devices:useragreement-detail", kwargs={"pk": agreement.pk})
    agreement.refresh_from_db()
    assert (agreement.status, agreement.accepted_via, agreement.recorded_by) == ("accepted", "paper", role_users[role])
    scan = client.get(reverse("devices:useragreement-scan", kwargs={"pk": agreement.pk}))
    assert b"".join(scan.streaming_content) == PDF
    assert scan["Content-Disposition"] == f'attachment; filename="agreement-{agreement.pk}-signed.pdf"'


def test_a_bad_scan_is_shown_on_the_form(role_users, agreement):
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    url = reverse("devices:useragreement-record", kwargs={"pk": agreement.pk})
    response = client.post(url, {"signed_by": "parent", "scan": SimpleUploadedFile("s.docx", b"PK\x03\x04word")})
    assert response.status_code == 200
    assert "s.docx: .docx files are not accepted here; accepted are PDF, PNG, JPEG." in response.content.decode()
    response = client.post(url, {"signed_by": "teacher"})
    content = response.content.decode()
    assert "Select a valid choice. teacher is not one of the available choices." in content
    assert "This field is required." in content
    agreement.refresh_from_db()
    assert agreement.status == "pending"


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR])
def test_readers_cannot_record(role, role_users, agreement):
    client = signed_in(role_users[role])
    url = reverse("devices:useragreement-record", kwargs={"pk": agreement.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"signed_by": "parent", "scan": SimpleUploadedFile("s.pdf", PDF)}).status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == "pending"


def test_nothing_is_recorded_outside_the_scope(role_users, outside):
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    url = reverse("devices:useragreement-record", kwargs={"pk": outside.pk})
    assert client.post(url, {"signed_by": "parent", "scan": SimpleUploadedFile("s.pdf", PDF)}).status_code == 404
    outside.refresh_from_db()
    assert outside.status == "pending"


def test_the_scan_of_an_agreement_without_one_is_404(role_users, agreement):
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    assert client.get(reverse("devices:useragreement-scan", kwargs={"pk": agreement.pk})).status_code == 404


# Printing a class's agreements.


def test_printing_a_group(world, programme, template, role_users, captured_html, outside):
    for reference, group in (("P-2", "6A"), ("P-1", "6A"), ("P-3", "6B")):
        agreement_for(hand_out(programme=programme, school=world.school, reference=reference, group=group), template)
    returned = agreement_for(hand_out(programme=programme, school=world.school, reference="P-4", group="6A"), template)
    returned.assignment.returned_at = timezone.now()
    returned.assignment.save()
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    url = reverse("devices:useragreement-print")
    form = client.get(url)
    assert form.status_code == 200 and "Make the PDF" in form.content.decode()
    response = client.get(url, {"school": world.school.pk, "group": "6A"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == 'inline; filename="agreements-1001-6A.pdf"'
    html = captured_html[0]
    assert html.count('<section class="agreement">') == 2
    assert html.index("P-1 gets") < html.index("P-2 gets")
    assert "P-3" not in html and "P-4" not in html
    response = client.get(url, {"school": world.school.pk})
    assert captured_html[1].count('<section class="agreement">') == 3
    response = client.get(url, {"school": world.school.pk, "group": "7C"})
    assert response.status_code == 200
    assert "No agreement of this school and class or group is awaiting acceptance." in response.content.decode()
    response = client.get(url, {"school": world.other_school.pk})
    assert response.status_code == 200
    assert "OUTSIDE" not in response.content.decode()
    assert len(captured_html) == 2


# Templates.


@pytest.mark.parametrize("role", READERS)
def test_template_pages_for_readers(role, role_users, template):
    client = signed_in(role_users[role])
    listing = client.get(reverse("devices:agreementtemplate-list")).content.decode()
    assert "Device agreement" in listing
    assert ("New template" in listing) == (role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER))
    detail = client.get(reverse("devices:agreementtemplate-detail", kwargs={"pk": template.pk}))
    assert detail.status_code == 200
    assert "P-0042 gets PF0ABC12." in detail.content.decode()  # the preview with made-up values
    pdf = client.get(reverse("devices:agreementtemplate-pdf", kwargs={"pk": template.pk}))
    assert pdf.content.startswith(b"%PDF-")
    can_write = role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER)
    assert client.get(reverse("devices:agreementtemplate-create")).status_code == (200 if can_write else 403)
    edit = client.get(reverse("devices:agreementtemplate-edit", kwargs={"pk": template.pk}))
    assert edit.status_code == (200 if can_write else 403)


def test_an_owner_writes_a_template(role_users, programme):
    client = signed_in(role_users[Role.PROGRAMME_OWNER])
    url = reverse("devices:agreementtemplate-create")
    data = {"programme": programme.pk, "language": "nl", "title": "Overeenkomst", "body": "Hallo {name}"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Unknown placeholders: {name}." in response.content.decode()
    assert AgreementTemplate.objects.count() == 0
    response = client.post(url, {**data, "body": "{recipient} krijgt {serial}."})
    template = AgreementTemplate.objects.get()
    assert response["Location"] == reverse("devices:agreementtemplate-detail", kwargs={"pk": template.pk})
    assert (template.language, template.version, template.body) == ("nl", 1, "{recipient} krijgt {serial}.")
    response = client.post(url, {**data, "body": "{serial}"})
    assert "already has an agreement in use in this language" in response.content.decode()


def test_editing_a_used_template_says_a_version_was_made(role_users, agreement, template):
    client = signed_in(role_users[Role.PROGRAMME_OWNER])
    url = reverse("devices:agreementtemplate-edit", kwargs={"pk": template.pk})
    assert "1 agreement was issued with this text." in client.get(url).content.decode()
    response = client.post(url, {"title": "Device agreement", "body": "{recipient} now gets {serial}."}, follow=True)
    new = AgreementTemplate.objects.get(version=2)
    assert response.redirect_chain == [(reverse("devices:agreementtemplate-detail", kwargs={"pk": new.pk}), 302)]
    assert "so the change was saved as version 2" in response.content.decode()


def test_putting_templates_in_and_out_of_use(role_users, template):
    owner = signed_in(role_users[Role.PROGRAMME_OWNER])
    url = reverse("devices:agreementtemplate-deactivate", kwargs={"pk": template.pk})
    assert owner.get(url).status_code == 405
    assert owner.post(url).status_code == 302
    template.refresh_from_db()
    assert template.is_active is False
    owner.post(reverse("devices:agreementtemplate-activate", kwargs={"pk": template.pk}))
    template.refresh_from_db()
    assert template.is_active is True
    coordinator = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    assert coordinator.post(url).status_code == 403


def test_the_live_preview(role_users):
    client = signed_in(role_users[Role.PROGRAMME_OWNER])
    url = reverse("devices:agreementtemplate-preview")
    response = client.post(url, {"body": "{recipient} gets {serial}.\n\nSecond."})
    assert "<p>P-0042 gets PF0ABC12.</p>" in response.content.decode()
    assert "<p>Second.</p>" in response.content.decode()
    response = client.post(url, {"body": "{who}"})
    assert "Unknown placeholders: {who}." in response.content.decode()
    assert client.get(url).status_code == 405


def test_templates_outside_the_scope_are_404(role_users, outside):
    client = signed_in(role_users[Role.PROGRAMME_OWNER])
    for name in ("detail", "edit", "pdf"):
        url = reverse(f"devices:agreementtemplate-{name}", kwargs={"pk": outside.template.pk})
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("devices:agreementtemplate-deactivate", kwargs={"pk": outside.template.pk})).status_code
        == 404
    )
    outside.template.refresh_from_db()
    assert outside.template.is_active is True


# The public acceptance page.


def accept_url(agreement) -> str:
    return reverse("devices:useragreement-accept", kwargs={"token": agreement.token})


def test_the_public_page_needs_no_sign_in(agreement):
    response = Client().get(accept_url(agreement))
    assert response.status_code == 200
    content = response.content.decode()
    assert "P-100 gets SN-100." in content
    assert "Accept the agreement" in content
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_accepting_in_the_app_once(agreement):
    client = Client(enforce_csrf_checks=True)
    page = client.get(accept_url(agreement))
    token = page.cookies["csrftoken"].value
    response = client.post(accept_url(agreement), {"signed_by": "parent", "csrfmiddlewaretoken": token})
    assert "I have read the agreement and accept it." in response.content.decode()
    assert "This field is required." in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == "pending"
    response = client.post(
        accept_url(agreement), {"signed_by": "parent", "confirm": "on", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    assert "Thank you: the agreement is accepted." in response.content.decode()
    agreement.refresh_from_db()
    assert (agreement.status, agreement.accepted_via, agreement.signed_by) == ("accepted", "in_app", "parent")
    again = client.post(accept_url(agreement), {"signed_by": "pupil", "confirm": "on", "csrfmiddlewaretoken": token})
    content = again.content.decode()
    assert "This agreement was already accepted on" in content
    assert "Accept the agreement" not in content
    agreement.refresh_from_db()
    assert agreement.signed_by == "parent"


def test_the_public_page_wants_the_csrf_token(agreement):
    response = Client(enforce_csrf_checks=True).post(accept_url(agreement), {"signed_by": "parent", "confirm": "on"})
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == "pending"


def test_a_wrong_token_is_404(agreement):
    client = Client()
    assert client.get(reverse("devices:useragreement-accept", kwargs={"token": "x" * 43})).status_code == 404
    response = client.post(
        reverse("devices:useragreement-accept", kwargs={"token": agreement.token[:-1]}),
        {"signed_by": "parent", "confirm": "on"},
    )
    assert response.status_code == 404
    agreement.refresh_from_db()
    assert agreement.status == "pending"


def test_a_returned_device_needs_no_acceptance(agreement):
    agreement.assignment.returned_at = timezone.now()
    agreement.assignment.save()
    response = Client().post(accept_url(agreement), {"signed_by": "parent", "confirm": "on"})
    assert "The device was returned" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == "pending"


def test_the_public_page_is_rate_limited(agreement):
    from digileap.devices.views import agreements as views

    client = Client()
    wrong = reverse("devices:useragreement-accept", kwargs={"token": "guess"})
    statuses = [client.get(wrong).status_code for _ in range(views.PUBLIC_LIMIT)]
    assert set(statuses) == {404}
    response = client.get(accept_url(agreement))
    assert response.status_code == 429
    assert response["Retry-After"] == str(views.PUBLIC_WINDOW_SECONDS)
    assert "Too many attempts" in response.content.decode()
    # Another address is not held up.
    assert Client(REMOTE_ADDR="10.0.0.9").get(accept_url(agreement)).status_code == 200
