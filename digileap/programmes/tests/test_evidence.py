import csv
import datetime
import hashlib
import io
import itertools
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.audit import chain_head_hash
from digileap.programmes import evidence
from digileap.programmes.models import EvidencePack, FundingTransaction
from digileap.schools.tests.factories import SchoolFactory

from .factories import (
    FundingSourceFactory,
    FundingTransactionFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
)

D = Decimal
DAY = datetime.date(2024, 12, 31)


@pytest.fixture
def target(world):
    programme = ProgrammeFactory(code="evidence", name={"en": "Evidence programme"}, authority=world.authority)
    source = FundingSourceFactory(programme=programme, kind="eu_rrf", amount=D("10000.00"))
    second = SchoolFactory(operator=world.operator, name="=Second school", number="1002")
    for school, amount, day, reference in (
        (second, "250.00", datetime.date(2024, 2, 1), "P-2"),
        (world.school, "100.00", datetime.date(2024, 1, 15), "P-1"),
        (world.school, "50.50", datetime.date(2024, 3, 1), "P-3"),
        (None, "10.00", datetime.date(2024, 4, 1), "P-4"),
        (world.school, "999.00", datetime.date(2025, 1, 1), "after the day"),
    ):
        FundingTransactionFactory(
            programme=programme, source=source, school=school, amount=D(amount), date=day, reference=reference
        )
    FundingTransactionFactory(
        programme=programme, source=source, school=world.school, kind=FundingTransaction.Kind.COMMITTED,
        amount=D("5000.00"), date=datetime.date(2024, 1, 1),
    )  # fmt: skip
    return TargetFactory(
        programme=programme,
        number="410",
        title={"en": "Money paid"},
        target_value=D("1000"),
        unit="EUR",
        indicator=IndicatorFactory(programme=programme, kind="money", parameters={"measure": "paid"}),
    )


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_pack_contents(target):
    data = evidence.build_pack(target, DAY)
    files = unzip(data)
    assert list(files) == ["manifest.json", "records.csv", "summary.pdf", "totals_by_school.csv"]
    rows = list(csv.reader(io.StringIO(files["records.csv"].decode()), delimiter=";"))
    assert rows == [
        ["date", "funding_source", "amount_eur", "school_number", "school_name", "reference"],
        ["2024-01-15", "eu_rrf", "100.00", "1001", "INSIDE school", "P-1"],
        ["2024-02-01", "eu_rrf", "250.00", "1002", "'=Second school", "P-2"],
        ["2024-03-01", "eu_rrf", "50.50", "1001", "INSIDE school", "P-3"],
        ["2024-04-01", "eu_rrf", "10.00", "", "", "P-4"],
    ]
    totals = list(csv.reader(io.StringIO(files["totals_by_school.csv"].decode()), delimiter=";"))
    assert totals == [
        ["school_number", "school_name", "records", "amount_eur"],
        ["1001", "INSIDE school", "2", "150.50"],
        ["1002", "'=Second school", "1", "250.00"],
        ["", "", "1", "10.00"],
    ]
    assert files["summary.pdf"].startswith(b"%PDF-")
    manifest = json.loads(files["manifest.json"])
    assert manifest["value"] == "410.50"
    assert manifest["record_count"] == 4
    assert manifest["as_of"] == "2024-12-31"
    assert manifest["method"] == {"indicator": "money", "label": "Money", "parameters": {"measure": "paid"}}
    assert manifest["target"]["number"] == "410"
    assert manifest["audit_chain_head"] == chain_head_hash()
    assert manifest["files"]["records.csv"]["sha256"] == hashlib.sha256(files["records.csv"]).hexdigest()
    assert manifest["files"]["summary.pdf"]["sha256"] == hashlib.sha256(files["summary.pdf"]).hexdigest()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 12, 31, 0, 0, 0)}


def test_the_same_data_gives_the_same_bytes(target):
    first = evidence.build_pack(target, DAY)
    second = evidence.build_pack(target, DAY)
    assert first == second
    assert unzip(first)["summary.pdf"] == unzip(second)["summary.pdf"]
    FundingTransactionFactory(programme=target.programme, amount=D("1.00"), date=datetime.date(2024, 5, 1))
    assert evidence.build_pack(target, DAY) != first


def test_the_same_bytes_a_minute_later(target, monkeypatch):
    """WeasyPrint's font subsets carry fontTools' "now" unless pinned (a pack built at 10:07:59 and
    its retry at 10:08:00 differed in three bytes of each font)."""
    from fontTools.misc import timeTools

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    ticks = itertools.count()
    monkeypatch.setattr(timeTools.time, "time", lambda: 1_700_000_000.0 + 60 * next(ticks))
    first = unzip(evidence.build_pack(target, DAY))["summary.pdf"]
    assert unzip(evidence.build_pack(target, DAY))["summary.pdf"] == first


def test_manifest_verifies_and_tampering_is_found(target):
    data = evidence.build_pack(target, DAY)
    result = evidence.verify_pack(io.BytesIO(data), chain_head_hash())
    assert result.ok and result.problems == []
    files = unzip(data)
    files["records.csv"] = files["records.csv"].replace(b"100.00", b"900.00")
    files["extra.txt"] = b"x"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    result = evidence.verify_pack(io.BytesIO(buffer.getvalue()), "f" * 64)
    assert not result.ok
    assert result.problems[0].startswith("records.csv: SHA-256 ")
    assert result.problems[1:] == [
        "extra.txt is not in the manifest",
        "the audit chain's head differs from the manifest's",
    ]


def test_a_target_without_a_computable_indicator_has_no_pack(world):
    target = TargetFactory(indicator=IndicatorFactory(kind="not_installed_here"))
    with pytest.raises(evidence.EvidenceError):
        evidence.build_pack(target, DAY)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_download_is_scoped(role_users, world, target):
    url = reverse("programmes:target-evidence-download", kwargs={"pk": target.pk})
    auditor = client_for(role_users[Role.AUDITOR])
    response = auditor.get(url, {"as_of": "2024-12-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="evidence-evidence-410-2024-12-31.zip"'
    assert unzip(response.content)["manifest.json"] == unzip(evidence.build_pack(target, DAY))["manifest.json"]
    assert response.content == evidence.build_pack(target, DAY)
    assert client_for(role_users[Role.OPERATOR_STAFF]).get(url).status_code == 404
    assert client_for(role_users[Role.SCHOOL_COORDINATOR]).get(url).status_code == 404
    assert client_for(role_users[Role.PROGRAMME_OWNER]).get(url).status_code == 200
    other = TargetFactory(programme=ProgrammeFactory(authority=world.other_authority))
    other_url = reverse("programmes:target-evidence-download", kwargs={"pk": other.pk})
    assert auditor.get(other_url).status_code == 404
    assert auditor.get(url, {"as_of": "2999-01-01"}).status_code == 404


def test_evidence_page(role_users, target):
    response = client_for(role_users[Role.AUDITOR]).get(reverse("programmes:target-evidence", kwargs={"pk": target.pk}))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Download now" in text
    assert "Prepare in the background" not in text  # the auditor writes nothing
    owner_page = client_for(role_users[Role.PROGRAMME_OWNER]).get(
        reverse("programmes:target-evidence", kwargs={"pk": target.pk})
    )
    assert "Prepare in the background" in owner_page.content.decode()


def test_background_pack(role_users, target, django_capture_on_commit_callbacks):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programmes:target-evidence-prepare", kwargs={"pk": target.pk}), {"as_of": "2024-12-31"}
        )
    pack = EvidencePack.objects.get()
    assert response["Location"] == reverse("programmes:evidencepack-detail", kwargs={"pk": pack.pk})
    assert (pack.status, pack.progress, pack.as_of) == ("done", 100, DAY)
    expected = evidence.build_pack(target, DAY)
    assert pack.sha256 == hashlib.sha256(expected).hexdigest()
    page = client.get(reverse("programmes:evidencepack-progress", kwargs={"pk": pack.pk})).content.decode()
    assert pack.sha256 in page and "hx-get" not in page
    download = client.get(reverse("programmes:evidencepack-download", kwargs={"pk": pack.pk}))
    assert b"".join(download.streaming_content) == expected
    auditor = client_for(role_users[Role.AUDITOR])
    assert auditor.get(reverse("programmes:evidencepack-download", kwargs={"pk": pack.pk})).status_code == 200
    assert (
        client_for(role_users[Role.OPERATOR_STAFF])
        .get(reverse("programmes:evidencepack-detail", kwargs={"pk": pack.pk}))
        .status_code
        == 404
    )


def test_running_pack_polls(role_users, target):
    from django.utils import timezone

    pack = EvidencePack.objects.create(
        target=target, as_of=DAY, status="running", progress=40, requested_at=timezone.now()
    )
    page = client_for(role_users[Role.AUDITOR]).get(reverse("programmes:evidencepack-detail", kwargs={"pk": pack.pk}))
    text = page.content.decode()
    assert 'hx-trigger="every 1s"' in text and '<progress id="pack-progress-' in text and 'value="40"' in text


def test_the_auditor_cannot_prepare_a_pack(role_users, target):
    response = client_for(role_users[Role.AUDITOR]).post(
        reverse("programmes:target-evidence-prepare", kwargs={"pk": target.pk})
    )
    assert response.status_code == 404
    assert not EvidencePack.objects.exists()


def test_commands(target, tmp_path):
    output = tmp_path / "pack.zip"
    out = io.StringIO()
    call_command("evidence_pack", str(target.pk), "--output", str(output), "--as-of", "2024-12-31", stdout=out)
    data = output.read_bytes()
    assert data == evidence.build_pack(target, DAY)
    assert out.getvalue() == f"{output}: {len(data)} bytes, SHA-256 {hashlib.sha256(data).hexdigest()}\n"
    out = io.StringIO()
    call_command("verify_evidence_pack", str(output), "--chain-head", stdout=out)
    assert out.getvalue().startswith(f"{output} verifies: records.csv, summary.pdf, totals_by_school.csv;")
    broken = tmp_path / "broken.zip"
    files = unzip(data)
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("manifest.json", files["manifest.json"])
        archive.writestr("records.csv", b"tampered")
    with pytest.raises(CommandError, match="records.csv: SHA-256"):
        call_command("verify_evidence_pack", str(broken))
    with pytest.raises(CommandError, match="no milestone or target 999999"):
        call_command("evidence_pack", "999999", "--output", str(tmp_path / "x.zip"))


def test_the_targets_approved_documents_go_into_the_pack(target, role_users):
    """A report attached to a target (the Latvian bandwidth analysis, say) is in its pack whatever
    the indicator counts: as uploaded, listed, and verified by the manifest. Drafts and documents
    approved after the day stay out."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from digileap.programmes.models import EvidenceDocument

    owner = role_users[Role.PROGRAMME_OWNER]

    def document(title: str, content: bytes, approved: datetime.datetime | None) -> EvidenceDocument:
        made = EvidenceDocument(
            programme=target.programme,
            target=target,
            title=title,
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=owner,
            uploaded_at=datetime.datetime(2024, 6, 1, 9, tzinfo=datetime.UTC),
            approved_by=owner if approved else None,
            approved_at=approved,
        )
        made.file.save("report.pdf", ContentFile(content), save=True)
        return made

    report = document("Bandwidth report", b"%PDF-1.7 report", datetime.datetime(2024, 6, 20, 12, tzinfo=datetime.UTC))
    document("Draft", b"%PDF-1.7 draft", None)
    document("Approved later", b"%PDF-1.7 later", timezone.make_aware(datetime.datetime(2025, 1, 2, 12)))
    data = evidence.build_pack(target, DAY)
    files = unzip(data)
    name = f"documents/{report.pk}-{report.file.name.rsplit('/', 1)[-1]}"
    assert [n for n in files if n.startswith("documents")] == ["documents.csv", name]
    assert files[name] == b"%PDF-1.7 report"
    rows = list(csv.reader(io.StringIO(files["documents.csv"].decode()), delimiter=";"))
    assert rows == [
        ["file", "title", "sha256", "uploaded_at", "approved_by", "approved_at"],
        [name, "Bandwidth report", report.sha256, "2024-06-01T09:00:00+00:00", str(owner), "2024-06-20T12:00:00+00:00"],
    ]
    manifest = json.loads(files["manifest.json"])
    assert manifest["files"][name]["sha256"] == hashlib.sha256(b"%PDF-1.7 report").hexdigest()
    assert evidence.verify_pack(io.BytesIO(data), chain_head_hash()).ok
