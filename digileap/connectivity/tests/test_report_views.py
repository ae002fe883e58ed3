"""The report page, its download and the attachment of the PDF to a target's evidence, per role."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.connectivity.report import build_report
from digileap.connectivity.services.reports import report_attach
from digileap.programmes.evidence import build_pack
from digileap.programmes.models import EvidenceDocument
from digileap.programmes.services import evidence_document_approve
from digileap.programmes.tests.factories import IndicatorFactory, ProgrammeFactory, TargetFactory

from .factories import CampaignFactory
from .factories_report import report_world

pytestmark = pytest.mark.django_db

READERS = [Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR]
ATTACHERS = [Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR]
REFUSED = [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER]


@pytest.fixture
def made(world):
    return report_world(authority=world.authority)


@pytest.fixture
def milestone(made):
    indicator = IndicatorFactory(programme=made.programme, kind="document_approved", parameters={})
    return TargetFactory(
        programme=made.programme,
        kind="milestone",
        title={"en": "Analysis of school internet bandwidth and proposals"},
        target_value=1,
        unit="document",
        indicator=indicator,
    )


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(campaign) -> str:
    return reverse("connectivity:campaign-report", kwargs={"pk": campaign.pk})


def file_url(campaign) -> str:
    return reverse("connectivity:campaign-reportfile", kwargs={"pk": campaign.pk})


def attach_url(campaign) -> str:
    return reverse("connectivity:campaign-reportattach", kwargs={"pk": campaign.pk})


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_page(role, role_users, made, milestone):
    response = client_of(role_users[role]).get(page_url(made.campaign))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="report-run"' in html
    assert f'action="{file_url(made.campaign)}"' in html
    assert '<option value="lv">' in html and '<option value="xlsx">' in html
    # Only those who may add evidence get the form to attach.
    assert (f'action="{attach_url(made.campaign)}"' in html) is (role in ATTACHERS)
    if role in ATTACHERS:
        assert f'<option value="{milestone.pk}">Analysis of school internet bandwidth and proposals</option>' in html


@pytest.mark.parametrize("role", REFUSED)
def test_the_school_side_and_suppliers_are_refused(role, role_users, made, milestone):
    client = client_of(role_users[role])
    assert client.get(page_url(made.campaign)).status_code == 403
    assert client.get(file_url(made.campaign), {"format": "xlsx"}).status_code == 403
    response = client.post(attach_url(made.campaign), {"target": milestone.pk, "language": "en"})
    assert response.status_code == 403
    assert EvidenceDocument.objects.count() == 0


def test_another_authoritys_campaign_is_not_found(role_users, world):
    other = report_world(authority=world.other_authority, code="OUTSIDE-lv")
    client = client_of(role_users[Role.PROGRAMME_OWNER])
    assert client.get(page_url(other.campaign)).status_code == 404
    assert client.get(file_url(other.campaign)).status_code == 404


def test_sign_in_is_required(made):
    response = Client().get(page_url(made.campaign))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_campaign_without_analysis(role_users, made):
    empty = CampaignFactory(programme=made.programme, code="EMPTY")
    client = client_of(role_users[Role.PROGRAMME_OWNER])
    html = client.get(page_url(empty)).content.decode()
    assert 'data-testid="report-no-run"' in html and "campaign-reportfile" not in html
    response = client.get(file_url(empty))
    assert response.status_code == 404
    assert response.content.decode() == "This campaign has no analysis yet: run the analysis first."


@pytest.mark.parametrize("role", READERS)
def test_readers_download_the_report(role, role_users, made):
    client = client_of(role_users[role])
    response = client.get(file_url(made.campaign), {"language": "lv", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        'attachment; filename="connectivity-report-lv-dators-BW-2024-2024-06-15-lv.xlsx"'
    )
    assert response.content == build_report(made.run, language="lv", fmt="xlsx")
    assert openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[7]["K2"].value == 46700


def test_the_download_defaults_to_a_pdf_in_the_page_language(role_users, made):
    response = client_of(role_users[Role.AUDITOR]).get(file_url(made.campaign))
    assert response["Content-Type"] == "application/pdf"
    assert response.content == build_report(made.run, language="en", fmt="pdf")


def test_a_bad_download_request_names_the_field(role_users, made):
    response = client_of(role_users[Role.PROGRAMME_OWNER]).get(file_url(made.campaign), {"format": "docx"})
    assert response.status_code == 400
    assert response.content.decode() == "format: Select a valid choice. docx is not one of the available choices."


def test_the_owner_attaches_the_report_and_the_evidence_pack_lists_it(role_users, made, milestone):
    owner = role_users[Role.PROGRAMME_OWNER]
    response = client_of(owner).post(attach_url(made.campaign), {"target": milestone.pk, "language": "lv"})
    assert response.status_code == 302 and response["Location"] == page_url(made.campaign)
    document = EvidenceDocument.objects.get()
    assert document.target == milestone and document.programme == made.programme
    assert document.title == "Connectivity report lv-dators/BW-2024 as of 2024-06-15 (lv)"
    assert document.uploaded_by == owner and document.approved_at is None
    with document.file.open("rb") as stored:
        assert stored.read() == build_report(made.run, language="lv", fmt="pdf")
    html = client_of(owner).get(page_url(made.campaign)).content.decode()
    assert 'data-testid="report-documents"' in html and document.title in html

    # Approved by someone else, it counts and the target's evidence pack lists it.
    evidence_document_approve(actor=role_users[Role.ADMINISTRATOR], document=document)
    document.refresh_from_db()
    pack = zipfile.ZipFile(io.BytesIO(build_pack(milestone, timezone.localdate())))
    records = list(csv.reader(io.StringIO(pack.read("records.csv").decode("utf-8-sig")), delimiter=";"))
    assert records[0] == ["title", "file", "sha256", "uploaded_at", "approved_by", "approved_at"]
    assert records[1][:3] == [document.title, document.file.name, document.sha256]
    assert '"value": "1.00"' in pack.read("manifest.json").decode()


def test_the_auditor_attaches_nothing(role_users, made, milestone):
    response = client_of(role_users[Role.AUDITOR]).post(
        attach_url(made.campaign), {"target": milestone.pk, "language": "en"}
    )
    assert response.status_code == 403
    assert EvidenceDocument.objects.count() == 0


def test_a_target_of_another_programme_is_refused(role_users, made, world):
    foreign = TargetFactory(programme=ProgrammeFactory(authority=world.authority))
    owner = role_users[Role.PROGRAMME_OWNER]
    response = client_of(owner).post(attach_url(made.campaign), {"target": foreign.pk, "language": "en"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    with pytest.raises(ValidationError) as error:
        report_attach(actor=owner, campaign=made.campaign, target=foreign, language="en")
    assert error.value.message_dict == {"target": ["The milestone or target belongs to another programme."]}
    assert EvidenceDocument.objects.count() == 0


def test_attach_refuses_an_unknown_language_and_a_campaign_without_analysis(role_users, made, milestone):
    owner = role_users[Role.PROGRAMME_OWNER]
    with pytest.raises(ValidationError) as error:
        report_attach(actor=owner, campaign=made.campaign, target=milestone, language="xx")
    assert error.value.message_dict == {"language": ["Unknown language xx: choose one of en, nl, fr, de, lv."]}
    empty = CampaignFactory(programme=made.programme, code="EMPTY")
    with pytest.raises(ValidationError) as error:
        report_attach(actor=owner, campaign=empty, target=milestone, language="en")
    assert error.value.messages == ["This campaign has no analysis yet: run the analysis first."]
    assert EvidenceDocument.objects.count() == 0


def test_attach_refuses_those_without_the_right(role_users, made, milestone):
    with pytest.raises(PermissionDenied):
        report_attach(actor=role_users[Role.AUDITOR], campaign=made.campaign, target=milestone, language="en")
    with pytest.raises(PermissionDenied):
        report_attach(
            actor=role_users[Role.PROGRAMME_OWNER],
            campaign=report_world(code="elsewhere").campaign,  # another authority's
            target=milestone,
            language="en",
        )
    assert EvidenceDocument.objects.count() == 0
