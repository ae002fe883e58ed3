"""Signed agreement scans are checked by content (digileap/core/uploads.py) in the service, so the page
and the API both refuse a disguised scan, with its name and the reason, and write nothing."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices.models import UserAgreement
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories_agreements import AgreementTemplateFactory, agreement_for, hand_out

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 64


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def agreement(world):
    programme = ProgrammeFactory(code="SCAN", authority=world.authority)
    template = AgreementTemplateFactory(programme=programme, title="Device agreement", language="en")
    return agreement_for(hand_out(programme=programme, school=world.school, reference="P-9", serial="SN9"), template)


def assert_nothing_written(agreement, settings):
    agreement.refresh_from_db()
    assert (agreement.status, agreement.scan.name, agreement.scan_sha256) == ("pending", "", "")
    assert not AuditEvent.objects.filter(object_type="devices.useragreement", action="accept").exists()
    media = Path(settings.MEDIA_ROOT)
    assert [path for path in media.rglob("*") if path.is_file()] == []


def test_the_record_page_refuses_a_renamed_program(role_users, agreement, settings):
    client = Client()
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post(
        reverse("devices:useragreement-record", kwargs={"pk": agreement.pk}),
        {"signed_by": "parent", "scan": SimpleUploadedFile("signed.pdf", PROGRAM)},
    )
    assert response.status_code == 200
    assert "signed.pdf is not a PDF: its content is a Windows program." in response.content.decode()
    assert_nothing_written(agreement, settings)


def test_the_api_refuses_a_zip_named_jpg(role_users, agreement, settings):
    client = APIClient()
    client.force_authenticate(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post(
        f"/api/user-agreements/{agreement.pk}/accept/",
        {"signed_by": "parent", "scan": SimpleUploadedFile("signed.jpg", b"PK\x03\x04\x14\x00\x00\x00" + b"\0" * 40)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {"scan": ["signed.jpg is not a JPEG image: its content is a ZIP archive."]}
    assert_nothing_written(agreement, settings)
    assert UserAgreement.objects.get(pk=agreement.pk).status == "pending"
