"""Writes through the API: manual values, evidence documents and their approval, money, evidence packs."""

import datetime
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.programmes.models import EvidenceDocument, EvidencePack, FundingTransaction, ManualValue

from .factories import FundingSourceFactory, IndicatorFactory, ProgrammeFactory, TargetFactory

D = Decimal


def api_for(user) -> Client:
    client = Client(HTTP_ACCEPT="application/json")
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def programme(world):
    programme = ProgrammeFactory(code="api", authority=world.authority)
    manual = TargetFactory(
        programme=programme,
        number="1",
        indicator=IndicatorFactory(programme=programme, kind="manual", parameters={"source": "survey"}),
    )
    milestone = TargetFactory(
        programme=programme,
        number="2",
        kind="milestone",
        target_value=D("1"),
        indicator=IndicatorFactory(programme=programme, kind="document_approved"),
    )
    source = FundingSourceFactory(programme=programme)
    return programme, manual, milestone, source


def test_record_a_manual_value(role_users, programme):
    _programme, manual, milestone, _source = programme
    client = api_for(role_users[Role.FUNDING_ADMINISTRATOR])
    response = post(client, "/api/manual-values/", {"target": manual.pk, "value": "37.50", "as_of": "2024-06-30"})
    assert response.status_code == 201, response.content
    value = ManualValue.objects.get()
    assert (value.value, value.as_of, value.entered_by) == (
        D("37.50"),
        datetime.date(2024, 6, 30),
        role_users[Role.FUNDING_ADMINISTRATOR],
    )
    assert response.json() == {
        "id": value.pk,
        "indicator": manual.indicator_id,
        "as_of": "2024-06-30",
        "value": "37.50",
        "note": "",
        "entered_at": response.json()["entered_at"],
    }
    assert AuditEvent.objects.filter(object_type="programmes.manualvalue", action="create").count() == 1
    refused = post(client, "/api/manual-values/", {"target": milestone.pk, "value": "1", "as_of": "2024-06-30"})
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["Values are entered by hand only for indicators declared manual."]}


def test_manual_value_outside_the_scope_or_by_the_wrong_role(role_users, programme, world):
    outside = TargetFactory(
        programme=ProgrammeFactory(authority=world.other_authority),
        indicator=IndicatorFactory(kind="manual"),
    )
    client = api_for(role_users[Role.FUNDING_ADMINISTRATOR])
    response = post(client, "/api/manual-values/", {"target": outside.pk, "value": "1", "as_of": "2024-06-30"})
    assert response.status_code == 400
    assert "does not exist" in response.json()["target"][0]
    staff = api_for(role_users[Role.OPERATOR_STAFF])
    manual = programme[1]
    assert (
        post(staff, "/api/manual-values/", {"target": manual.pk, "value": "1", "as_of": "2024-06-30"}).status_code
        == 403
    )
    assert not ManualValue.objects.exists()


def test_upload_and_approve_a_document(role_users, programme):
    programme_obj, _manual, milestone, _source = programme
    uploader = api_for(role_users[Role.FUNDING_ADMINISTRATOR])
    response = uploader.post(
        "/api/evidence-documents/",
        {
            "programme": programme_obj.pk,
            "target": milestone.pk,
            "title": "Bandwidth report",
            "file": SimpleUploadedFile("report.pdf", b"%PDF-1.7 report"),
        },
    )
    assert response.status_code == 201, response.content
    document = EvidenceDocument.objects.get()
    assert document.sha256 == hashlib.sha256(b"%PDF-1.7 report").hexdigest()
    assert response.json()["approved_at"] is None
    # The uploader cannot approve (and has no right to change documents anyway).
    assert uploader.post(f"/api/evidence-documents/{document.pk}/approve/").status_code == 403
    owner = api_for(role_users[Role.PROGRAMME_OWNER])
    approved = owner.post(f"/api/evidence-documents/{document.pk}/approve/")
    assert approved.status_code == 200
    assert approved.json()["approved_at"] is not None
    document.refresh_from_db()
    assert document.approved_by == role_users[Role.PROGRAMME_OWNER]
    again = owner.post(f"/api/evidence-documents/{document.pk}/approve/")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This document is already approved."]}
    value = owner.get(f"/api/targets/{milestone.pk}/value/").json()
    assert (value["value"], value["status"]) == ("1.00", "achieved")


def test_the_auditor_approves_nothing(role_users, programme):
    document = EvidenceDocument.objects.create(
        programme=programme[0],
        target=programme[2],
        title="r",
        file=SimpleUploadedFile("r.pdf", b"x"),
        sha256="0" * 64,
        uploaded_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
    )
    response = api_for(role_users[Role.AUDITOR]).post(f"/api/evidence-documents/{document.pk}/approve/")
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.approved_at is None


def test_record_money(role_users, programme, world):
    programme_obj, _manual, _milestone, source = programme
    client = api_for(role_users[Role.FUNDING_ADMINISTRATOR])
    data = {
        "programme": programme_obj.pk,
        "source": source.pk,
        "kind": "paid",
        "amount": "1250.00",
        "date": "2024-05-01",
        "school": world.school.pk,
        "reference": "INV-1",
    }
    response = post(client, "/api/funding-transactions/", data)
    assert response.status_code == 201, response.content
    entry = FundingTransaction.objects.get()
    assert (entry.amount, entry.school, entry.recorded_by) == (
        D("1250.00"),
        world.school,
        role_users[Role.FUNDING_ADMINISTRATOR],
    )
    outside = post(client, "/api/funding-transactions/", {**data, "school": world.other_school.pk})
    assert outside.status_code == 400 and "school" in outside.json()
    zero = post(client, "/api/funding-transactions/", {**data, "amount": "0.00"})
    assert zero.status_code == 400
    assert FundingTransaction.objects.count() == 1


def test_evidence_pack_through_the_api(role_users, programme, django_capture_on_commit_callbacks):
    _programme, manual, _milestone, _source = programme
    owner = api_for(role_users[Role.PROGRAMME_OWNER])
    with django_capture_on_commit_callbacks(execute=True):
        response = post(owner, "/api/evidence-packs/", {"target": manual.pk, "as_of": "2024-06-30"})
    assert response.status_code == 201, response.content
    pack = EvidencePack.objects.get()
    assert pack.status == "done"
    auditor = api_for(role_users[Role.AUDITOR])
    listed = auditor.get("/api/evidence-packs/").json()
    assert [(p["id"], p["status"], p["sha256"]) for p in listed["results"]] == [(pack.pk, "done", pack.sha256)]
    download = auditor.get(f"/api/evidence-packs/{pack.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert post(auditor, "/api/evidence-packs/", {"target": manual.pk}).status_code == 403
    assert api_for(role_users[Role.OPERATOR_STAFF]).get("/api/evidence-packs/").status_code == 403
