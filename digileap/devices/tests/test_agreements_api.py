"""API of agreement templates and user agreements: reads per role and scope, filters, no tokens, and
the ``accept`` action for paper acceptances (multipart with the scan)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.devices.models import UserAgreement
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories_agreements import AgreementTemplateFactory, agreement_for, hand_out

PDF = b"%PDF-1.4\n% signed\n"
READERS = [Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF,
           Role.SCHOOL_COORDINATOR, Role.AUDITOR]  # fmt: skip


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def template(world):
    programme = ProgrammeFactory(code="AGR", authority=world.authority)
    return AgreementTemplateFactory(programme=programme, title="Device agreement", language="en")


@pytest.fixture
def agreement(world, template):
    assignment = hand_out(programme=template.programme, school=world.school, reference="P-7", group="6C", serial="SN7")
    return agreement_for(assignment, template)


@pytest.fixture
def outside(world):
    programme = ProgrammeFactory(code="OUT-AGR", authority=world.other_authority)
    template = AgreementTemplateFactory(programme=programme, title="OUTSIDE agreement")
    return agreement_for(hand_out(programme=programme, school=world.other_school, reference="OUTSIDE-P"), template)


@pytest.mark.parametrize("role", READERS)
def test_reading_agreements(role, role_users, agreement, outside, world):
    response = api(role_users[role]).get("/api/user-agreements/")
    assert response.status_code == 200
    rows = response.json()["results"]
    expected = 2 if role == Role.ADMINISTRATOR else 1
    assert len(rows) == expected == response.json()["count"]
    row = next(r for r in rows if r["id"] == agreement.pk)
    assert row == {
        "id": agreement.pk,
        "assignment": agreement.assignment_id,
        "school": world.school.pk,
        "recipient_reference": "P-7",
        "group": "6C",
        "device": agreement.assignment.device_id,
        "serial": "SN7",
        "template": agreement.template_id,
        "template_language": "en",
        "template_version": 1,
        "status": "pending",
        "sent_at": row["sent_at"],
        "accepted_at": None,
        "accepted_via": "",
        "signed_by": "",
        "has_scan": False,
        "scan_sha256": "",
        "recorded_by": None,
        "reminder_count": 0,
        "last_reminded_at": None,
    }
    assert agreement.token not in response.content.decode()
    detail = api(role_users[role]).get(f"/api/user-agreements/{outside.pk}/")
    assert detail.status_code == (200 if role == Role.ADMINISTRATOR else 404)


def test_suppliers_read_nothing(role_users, agreement):
    client = api(role_users[Role.SUPPLIER])
    assert client.get("/api/user-agreements/").status_code == 403
    assert client.get("/api/agreement-templates/").status_code == 403


def test_filters(role_users, agreement, template, world):
    agreement_for(hand_out(programme=template.programme, school=world.school, reference="P-8", group="6D"), template)
    client = api(role_users[Role.ADMINISTRATOR])

    def references(**query):
        return sorted(r["recipient_reference"] for r in client.get("/api/user-agreements/", query).json()["results"])

    assert references(group="6C") == ["P-7"]
    assert references(school=world.school.pk) == ["P-7", "P-8"]
    assert references(school=world.other_school.pk) == []
    assert references(status="accepted") == []


@pytest.mark.parametrize("role", READERS)
def test_reading_templates(role, role_users, template, outside):
    response = api(role_users[role]).get("/api/agreement-templates/")
    rows = response.json()["results"]
    titles = sorted(r["title"] for r in rows)
    assert titles == (["Device agreement", "OUTSIDE agreement"] if role == Role.ADMINISTRATOR else ["Device agreement"])
    row = next(r for r in rows if r["id"] == template.pk)
    assert (row["programme_code"], row["language"], row["version"], row["is_active"], row["agreements_count"]) == (
        "AGR",
        "en",
        1,
        True,
        0,
    )
    # Read-only: those who may write templates (on the pages) get 405, the others 403.
    can_write = role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER)
    response = api(role_users[role]).post("/api/agreement-templates/", {"title": "x"})
    assert response.status_code == (405 if can_write else 403)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR])
def test_accepting_on_paper(role, role_users, agreement):
    client = api(role_users[role])
    url = f"/api/user-agreements/{agreement.pk}/accept/"
    response = client.post(url, {"signed_by": "pupil", "scan": SimpleUploadedFile("s.pdf", PDF)}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["accepted_via"], body["signed_by"], body["has_scan"]) == (
        "accepted",
        "paper",
        "pupil",
        True,
    )
    assert body["scan_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["recorded_by"] == role_users[role].username
    again = client.post(url, {"signed_by": "pupil", "scan": SimpleUploadedFile("s.pdf", PDF)}, format="multipart")
    assert again.status_code == 400
    assert again.json()["non_field_errors"][0].startswith("This agreement was already accepted on ")


def test_accept_needs_a_scan_and_a_signer(role_users, agreement):
    client = api(role_users[Role.SCHOOL_COORDINATOR])
    url = f"/api/user-agreements/{agreement.pk}/accept/"
    response = client.post(url, {"signed_by": "cat"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"signed_by": ['"cat" is not a valid choice.'], "scan": ["No file was submitted."]}
    response = client.post(url, {"signed_by": "teacher", "scan": SimpleUploadedFile("s.pdf", PDF)}, format="multipart")
    assert response.json() == {"signed_by": ["This agreement is signed by: Parent or guardian, Pupil."]}
    response = client.post(
        url, {"signed_by": "parent", "scan": SimpleUploadedFile("s.pdf", b"hello")}, format="multipart"
    )
    assert response.json() == {"scan": ["s.pdf is not a PDF: its content is text."]}
    assert client.post(url, {"signed_by": "parent"}, format="json").status_code == 415
    agreement.refresh_from_db()
    assert agreement.status == UserAgreement.Status.PENDING


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.SUPPLIER])
def test_others_cannot_accept(role, role_users, agreement):
    response = api(role_users[role]).post(
        f"/api/user-agreements/{agreement.pk}/accept/",
        {"signed_by": "parent", "scan": SimpleUploadedFile("s.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == UserAgreement.Status.PENDING


def test_accepting_outside_the_scope_is_404(role_users, outside):
    response = api(role_users[Role.OPERATOR_STAFF]).post(
        f"/api/user-agreements/{outside.pk}/accept/",
        {"signed_by": "parent", "scan": SimpleUploadedFile("s.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 404
    outside.refresh_from_db()
    assert outside.status == UserAgreement.Status.PENDING
