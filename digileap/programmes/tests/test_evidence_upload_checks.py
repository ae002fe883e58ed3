"""Evidence documents are checked by content (digileap/core/uploads.py) in the service, so the page and
the API both refuse a disguised file, with its name and the reason, and write nothing."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.programmes.models import EvidenceDocument

from .factories import ProgrammeFactory, TargetFactory

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 64


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="UPL", authority=world.authority)


def signed_in(user, **headers) -> Client:
    client = Client(**headers)
    client.force_login(user)
    return client


def assert_nothing_written(settings):
    assert not EvidenceDocument.objects.exists()
    assert not AuditEvent.objects.filter(object_type="programmes.evidencedocument").exists()
    media = Path(settings.MEDIA_ROOT)
    assert [path for path in media.rglob("*") if path.is_file()] == []


def test_the_documents_page_refuses_a_renamed_program(role_users, programme, settings):
    target = TargetFactory(programme=programme, number="7")
    url = reverse("programmes:programme-documents", args=[programme.pk])
    response = signed_in(role_users[Role.FUNDING_ADMINISTRATOR]).post(
        url, {"title": "Delivery report", "file": SimpleUploadedFile("report.pdf", PROGRAM), "target": target.pk}
    )
    assert response.status_code == 400
    assert "report.pdf is not a PDF: its content is a Windows program." in response.content.decode()
    assert_nothing_written(settings)


def test_the_api_refuses_html_named_pdf(role_users, programme, settings):
    response = signed_in(role_users[Role.FUNDING_ADMINISTRATOR], HTTP_ACCEPT="application/json").post(
        "/api/evidence-documents/",
        {
            "programme": programme.pk,
            "title": "Bandwidth report",
            "file": SimpleUploadedFile("report.pdf", b"<!DOCTYPE html><html><script>x()</script></html>"),
        },
    )
    assert response.status_code == 400
    assert response.json() == {"file": ["report.pdf is not a PDF: its content is an HTML page."]}
    assert_nothing_written(settings)


def test_the_api_accepts_a_real_office_document(role_users, programme):
    from digileap.core.tests.test_uploads import xlsx_bytes

    response = signed_in(role_users[Role.FUNDING_ADMINISTRATOR], HTTP_ACCEPT="application/json").post(
        "/api/evidence-documents/",
        {"programme": programme.pk, "title": "Budget", "file": SimpleUploadedFile("budget.xlsx", xlsx_bytes())},
    )
    assert response.status_code == 201, response.content
    assert EvidenceDocument.objects.get().file.name.endswith(".xlsx")


def test_the_upload_form_says_what_is_accepted(role_users, programme):
    page = signed_in(role_users[Role.FUNDING_ADMINISTRATOR]).get(
        reverse("programmes:programme-documents", args=[programme.pk])
    )
    content = page.content.decode()
    assert (
        'accept=".pdf,.png,.jpg,.jpeg,.jpe,.gif,.webp,.tif,.tiff,.docx,.xlsx,.pptx,.odt,.ods,.odp,.doc,.xls,.ppt"'
        in content
    )
    assert "PDF, PNG, JPEG, GIF, WebP, TIFF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT, at most 20 MB." in content


def test_a_document_refused_for_another_reason_leaves_no_file(role_users, programme, settings):
    """The file was stored before the row was validated: a refused title left an orphan file."""
    from django.core.exceptions import ValidationError

    from digileap.programmes.services import evidence_document_upload

    with pytest.raises(ValidationError) as refused:
        evidence_document_upload(
            actor=role_users[Role.FUNDING_ADMINISTRATOR],
            programme=programme,
            title="x" * 300,  # longer than the title may be
            file=SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n"),
        )
    assert "title" in refused.value.message_dict
    assert_nothing_written(settings)
