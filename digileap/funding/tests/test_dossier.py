"""The grant dossier: every part present, byte-identical for the same data, verified (and a
tampered file named), written and checked by the management commands, downloaded by the roles
that may."""

import datetime
import hashlib
import io
import json
import zipfile
from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core import audit
from digileap.core.packs import MANIFEST, MANIFEST_HASH
from digileap.devices.tests.factories import DeviceFactory
from digileap.programmes.models import FundingTransaction
from digileap.programmes.tests.factories import FundingTransactionFactory, ProgrammeFactory

from .. import dossier
from ..models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationState,
    ApplicationVersion,
    CallReviewer,
    ConflictDeclaration,
    CriterionScore,
    DecisionLine,
    GrantEvent,
    RepaymentClaim,
    RequiredDocument,
    ReviewAnswer,
    ReviewItem,
    ScoringCriterion,
)
from ..services.applications import canonical_json, content_sha256
from .factories import (
    ApplicationFactory,
    CallFactory,
    ClaimFactory,
    CostLineFactory,
    DecisionFactory,
    GrantFactory,
    GrantLineFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    ProofOfUseFactory,
)
from .review_fixtures import in_review, lines_of  # noqa: F401

GRANTED = datetime.datetime(2026, 3, 14, 9, 30, tzinfo=datetime.UTC)
LETTER = b"%PDF-1.4\n% Zuwendungsbescheid\n"
SCAN = b"%PDF-1.4\n% invoice scan\n"
PLAN = b"%PDF-1.4\n% media development plan\n"

EXPECTED_FILES = {
    "application/application.json",
    "application/cost_lines.csv",
    "application/documents.json",
    "application/documents/{document}-mep.pdf",
    "application/versions.json",
    "application/versions/version-001.json",
    "application/versions/version-002.json",
    "audit/audit_trail.json",
    "claims/claims.csv",
    "claims/claims.json",
    "claims/devices.json",
    "claims/invoice_lines.csv",
    "claims/invoice_lines.json",
    "claims/invoices.json",
    "claims/scans/{invoice}-R-1.pdf",
    "decisions/decision_lines.csv",
    "decisions/decisions.csv",
    "decisions/decisions.json",
    "decisions/letters/decision-1-de.pdf",
    "events/application_events.json",
    "events/grant_events.json",
    "grant.json",
    "grant_lines.csv",
    "payments/ledger.csv",
    "payments/ledger.json",
    "proof_of_use/content.json",
    "proof_of_use/proof_of_use.json",
    "repayments/repayment_claims.json",
    "review/checklist_answers.json",
    "review/conflict_declarations.json",
    "review/scores.json",
}


class Made:
    """What ``full_grant`` built, by name."""


@pytest.fixture
def full_grant(world, role_users):
    """A grant of the INSIDE authority with one of everything a dossier holds, built by factories
    (the services of the later stages are exercised by their own tests)."""
    made = Made()
    programme = ProgrammeFactory(authority=world.authority, code="DOS")
    call = CallFactory(programme=programme, code="DOS-1")
    application = ApplicationFactory(call=call, operator=world.operator, state=ApplicationState.APPROVED)
    first = CostLineFactory(application=application, position=1, description="Wi-Fi", school=world.school)
    second = CostLineFactory(application=application, position=2, description="=SUM(A1)", category=first.category)
    content = {"application": {"id": application.pk}, "lines": [{"position": 1, "amount": "1000.00"}], "version": 1}
    versions = [
        ApplicationVersion.objects.create(
            application=application, number=number, content={**content, "version": number},
            sha256=content_sha256({**content, "version": number}), created_at=GRANTED,
        )
        for number in (1, 2)
    ]  # fmt: skip
    required = RequiredDocument.objects.create(call=call, code="mep", scope="operator", name={"en": "MEP"})
    made.document = ApplicationDocument(
        application=application,
        required_document=required,
        original_filename="mep.pdf",
        content_type="application/pdf",
        size_bytes=len(PLAN),
        sha256=hashlib.sha256(PLAN).hexdigest(),
        issued_on=datetime.date(2026, 1, 5),
    )
    made.document.file.save("mep.pdf", ContentFile(PLAN), save=True)
    for from_state, to_state in (("", "draft"), ("draft", "submitted"), ("review", "approved")):
        ApplicationEvent.objects.create(
            application=application, from_state=from_state, to_state=to_state, occurred_at=GRANTED
        )
    reviewer = role_users[Role.FUNDING_ADMINISTRATOR]
    CallReviewer.objects.create(call=call, user=reviewer, assigned_at=GRANTED)
    item = ReviewItem.objects.create(call=call, stage="application", code="mep-ok", text={"en": "MEP present"})
    made.answer = ReviewAnswer.objects.create(
        item=item, application=application, answer="yes", note="fine", answered_by=reviewer, answered_at=GRANTED
    )
    criterion = ScoringCriterion.objects.create(call=call, code="impact", name={"en": "Impact"})
    CriterionScore.objects.create(application=application, criterion=criterion, score=7, scored_at=GRANTED)
    ConflictDeclaration.objects.create(application=application, reviewer=reviewer, declared_at=GRANTED)
    decision = DecisionFactory(
        application=application,
        language="de",
        requested_total=D("1800.00"),
        approved_total=D("1700.00"),
        letter_sha256=hashlib.sha256(LETTER).hexdigest(),
        decided_at=GRANTED,
        letter=ContentFile(LETTER, name="bescheid.pdf"),  # set on creation: the row is append-only
    )
    DecisionLine.objects.create(decision=decision, cost_line=first, requested=D("900.00"), approved=D("900.00"))
    DecisionLine.objects.create(
        decision=decision, cost_line=second, requested=D("900.00"), approved=D("800.00"), reason="too dear"
    )
    commitment = FundingTransactionFactory(
        programme=programme, source=call.funding_source, kind=FundingTransaction.Kind.COMMITTED, amount=D("1700.00")
    )
    made.grant = GrantFactory(
        decision=decision, number="G-DOS-1", approved_amount=D("1700.00"), created_at=GRANTED, commitment=commitment
    )
    grant_line = GrantLineFactory(grant=made.grant, cost_line=first)
    GrantLineFactory(grant=made.grant, cost_line=second, approved=D("800.00"))
    payment = FundingTransactionFactory(
        programme=programme, source=call.funding_source, kind=FundingTransaction.Kind.PAID, amount=D("900.00")
    )
    made.claim = ClaimFactory(
        grant=made.grant, number=1, state="paid", amount=D("900.00"), paid_on=datetime.date(2026, 4, 1),
        payment_reference="PAY-1", payment=payment, created_at=GRANTED,
    )  # fmt: skip
    made.invoice = InvoiceFactory(claim=made.claim, number="R-1", original_filename="R-1.pdf", uploaded_at=GRANTED)
    made.invoice.file.save("R-1.pdf", ContentFile(SCAN), save=True)
    made.device = DeviceFactory(programme=programme, school=world.school, serial="SN-DOSSIER-1")
    invoice_line = InvoiceLineFactory(invoice=made.invoice, grant_line=grant_line)
    invoice_line.devices.add(made.device)
    proof = ProofOfUseFactory(
        grant=made.grant, state="submitted", narrative="All delivered.", content={"claims": [1], "spent": "900.00"}
    )
    proof.sha256 = content_sha256(proof.content)
    proof.save()
    RepaymentClaim.objects.create(
        grant=made.grant, proof_of_use=proof, amount=D("800.00"), reason="unused", created_at=GRANTED
    )
    GrantEvent.objects.create(grant=made.grant, claim=made.claim, from_state="approved", to_state="paid", occurred_at=GRANTED)  # fmt: skip
    made.audit_entries = [
        audit.record(actor=None, action="create", instance=made.grant, after={"number": made.grant.number}),
        audit.record(actor=None, action="update", instance=made.claim, after={"state": "paid"}),
        audit.record(actor=None, action="create", instance=versions[0], after={"number": 1}),
        audit.record(actor=None, action="create", instance=made.answer, after={"answer": "yes"}),
    ]
    made.application, made.versions, made.proof = application, versions, proof
    return made


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_every_part_is_in_the_dossier(full_grant):
    data = dossier.build_dossier(full_grant.grant)
    files = unzip(data)
    expected = {name.format(document=full_grant.document.pk, invoice=full_grant.invoice.pk) for name in EXPECTED_FILES}
    assert set(files) == expected | {MANIFEST, MANIFEST_HASH}
    manifest = json.loads(files[MANIFEST])
    assert manifest["format"] == "digileap-grant-dossier"
    assert manifest["grant"]["number"] == "G-DOS-1"
    assert manifest["dated"] == "2026-03-14"
    assert manifest["missing_files"] == []
    assert manifest["counts"] == {
        "application_documents": 1,
        "application_events": 3,
        "application_versions": 2,
        "audit_entries": 4,
        "checklist_answers": 1,
        "claims": 1,
        "conflict_declarations": 1,
        "cost_lines": 2,
        "decision_lines": 2,
        "decisions": 1,
        "devices": 1,
        "grant_events": 1,
        "grant_lines": 2,
        "invoice_lines": 1,
        "invoices": 1,
        "ledger_rows": 2,
        "proof_of_use": 1,
        "repayment_claims": 1,
        "scores": 1,
    }
    assert set(manifest["files"]) == expected
    # Versions as frozen: the file's SHA-256 is the hash the version recorded.
    for version in full_grant.versions:
        name = f"application/versions/version-{version.number:03d}.json"
        assert files[name] == canonical_json(version.content)
        assert manifest["files"][name]["sha256"] == version.sha256
    assert [row["file_sha256_matches_recorded"] for row in json.loads(files["application/versions.json"])] == [
        True,
        True,
    ]
    # The uploaded and generated files, byte for byte.
    assert files[f"application/documents/{full_grant.document.pk}-mep.pdf"] == PLAN
    assert files["decisions/letters/decision-1-de.pdf"] == LETTER
    assert files[f"claims/scans/{full_grant.invoice.pk}-R-1.pdf"] == SCAN
    # Review, decisions, claims with devices, ledger, proof of use.
    answers = json.loads(files["review/checklist_answers.json"])
    assert [(row["answer"], row["note"], row["item_detail"]["code"]) for row in answers] == [("yes", "fine", "mep-ok")]
    assert json.loads(files["review/scores.json"])[0]["score"] == 7
    assert files["decisions/decision_lines.csv"].decode().splitlines()[2].endswith(";900.00;800.00;too dear")
    assert "'=SUM(A1)" in files["application/cost_lines.csv"].decode()  # formula escaped
    invoice_lines = files["claims/invoice_lines.csv"].decode().splitlines()
    assert invoice_lines[1].endswith(";1000.00;900.00;SN-DOSSIER-1")
    assert json.loads(files["claims/devices.json"])[0]["serial"] == "SN-DOSSIER-1"
    ledger = json.loads(files["payments/ledger.json"])
    assert [(row["kind"], row["amount"]) for row in ledger] == [("committed", "1700.00"), ("paid", "900.00")]
    proof = json.loads(files["proof_of_use/proof_of_use.json"])
    assert (proof["state"], proof["narrative"]) == ("submitted", "All delivered.")
    assert hashlib.sha256(files["proof_of_use/content.json"]).hexdigest() == full_grant.proof.sha256
    assert json.loads(files["repayments/repayment_claims.json"])[0]["amount"] == "800.00"
    assert [row["to_state"] for row in json.loads(files["events/application_events.json"])] == [
        "draft",
        "submitted",
        "approved",
    ]
    assert json.loads(files["events/grant_events.json"])[0]["to_state"] == "paid"
    # The audit trail: the entries of the dossier's objects, in the chain's order, with their hashes.
    trail = json.loads(files["audit/audit_trail.json"])
    assert [row["entry_hash"] for row in trail] == [entry.entry_hash for entry in full_grant.audit_entries]
    assert trail[1]["previous_hash"] == trail[0]["entry_hash"]
    assert manifest["audit"]["last_entry_hash"] == full_grant.audit_entries[-1].entry_hash


def test_the_same_data_gives_the_same_bytes(full_grant, world):
    first = dossier.build_dossier(full_grant.grant)
    assert dossier.build_dossier(full_grant.grant) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert {info.date_time for info in archive.infolist()} == {(2026, 3, 14, 0, 0, 0)}
    assert names[:2] == [MANIFEST, MANIFEST_HASH]
    assert names[2:] == sorted(names[2:])
    # What happens elsewhere (another object's audit entry, another grant) changes nothing.
    audit.record(actor=None, action="update", instance=world.school, after={"name": "x"})
    GrantFactory(number="G-OTHER")
    assert dossier.build_dossier(full_grant.grant) == first
    # A change of the grant's own data does.
    GrantEvent.objects.create(grant=full_grant.grant, from_state="", to_state="closed", occurred_at=GRANTED)
    assert dossier.build_dossier(full_grant.grant) != first


def test_the_dossier_verifies_and_a_tampered_file_is_named(full_grant):
    data = dossier.build_dossier(full_grant.grant)
    result = dossier.verify_dossier(io.BytesIO(data))
    assert (result.ok, result.problems) == (True, [])
    files = unzip(data)
    files["claims/claims.json"] = files["claims/claims.json"].replace(b"900.00", b"990.00")
    result = dossier.verify_dossier(io.BytesIO(rezip(files)))
    assert not result.ok
    assert len(result.problems) == 1
    assert result.problems[0].startswith("claims/claims.json: SHA-256 ")


def test_a_changed_manifest_is_named(full_grant):
    files = unzip(dossier.build_dossier(full_grant.grant))
    manifest = json.loads(files[MANIFEST])
    manifest["grant"]["approved_amount"] = "99999.00"
    files[MANIFEST] = json.dumps(manifest).encode()
    result = dossier.verify_dossier(io.BytesIO(rezip(files)))
    assert not result.ok
    assert [problem.split(":")[0] for problem in result.problems] == ["manifest.json"]
    assert "differs from manifest.sha256's" in result.problems[0]


def test_a_file_added_or_removed_is_named(full_grant):
    files = unzip(dossier.build_dossier(full_grant.grant))
    del files["grant.json"]
    files["extra.txt"] = b"x"
    result = dossier.verify_dossier(io.BytesIO(rezip(files)))
    assert result.problems == ["grant.json is listed but missing", "extra.txt is not in the manifest"]


def test_the_commands_write_and_verify_a_dossier(full_grant, tmp_path):
    output = tmp_path / "dossier.zip"
    out = io.StringIO()
    call_command("grant_dossier", "G-DOS-1", "--output", str(output), stdout=out)
    data = output.read_bytes()
    assert data == dossier.build_dossier(full_grant.grant)
    assert f"SHA-256 {hashlib.sha256(data).hexdigest()}" in out.getvalue()
    by_id = tmp_path / "by-id.zip"
    call_command("grant_dossier", str(full_grant.grant.pk), "--output", str(by_id), stdout=io.StringIO())
    assert by_id.read_bytes() == data
    out = io.StringIO()
    call_command("verify_grant_dossier", str(output), stdout=out)
    assert out.getvalue().startswith(f"{output} verifies: grant G-DOS-1")
    manifest_hash = hashlib.sha256(unzip(data)[MANIFEST]).hexdigest()
    call_command("verify_grant_dossier", str(output), "--manifest-sha256", manifest_hash, stdout=io.StringIO())
    # The evidence pack's verifier checks a dossier's hashes as well.
    call_command("verify_evidence_pack", str(output), stdout=io.StringIO())

    files = unzip(data)
    scan = f"claims/scans/{full_grant.invoice.pk}-R-1.pdf"
    files[scan] = SCAN + b"%tampered"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(rezip(files))
    with pytest.raises(CommandError) as refused:
        call_command("verify_grant_dossier", str(broken), stdout=io.StringIO())
    assert str(refused.value).startswith(f"{broken} does not verify:\n{scan}: SHA-256 ")
    with pytest.raises(CommandError, match="manifest.json: SHA-256 .* differs from the expected 0000"):
        call_command("verify_grant_dossier", str(output), "--manifest-sha256", "0" * 64, stdout=io.StringIO())


def test_a_damaged_entry_is_named(full_grant, tmp_path):
    data = bytearray(dossier.build_dossier(full_grant.grant))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("grant.json")
    # Flip a byte of the stored (deflated) bytes: the entry's CRC no longer matches.
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 2
    data[at] ^= 0xFF
    path = tmp_path / "damaged.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="grant.json"):
        call_command("verify_grant_dossier", str(path), stdout=io.StringIO())


def test_unknown_or_ambiguous_grants_are_refused(full_grant, tmp_path):
    with pytest.raises(CommandError, match="There is no grant with the number or id 'G-NONE'"):
        call_command("grant_dossier", "G-NONE", "--output", str(tmp_path / "x.zip"))
    other = GrantFactory(number="G-DOS-1")
    with pytest.raises(CommandError, match="is used in several calls"):
        call_command("grant_dossier", "G-DOS-1", "--output", str(tmp_path / "x.zip"))
    assert dossier.find_grant(str(other.pk)) == other
    assert not (tmp_path / "x.zip").exists()


def test_a_missing_file_is_listed_not_fatal(full_grant):
    full_grant.invoice.file.storage.delete(full_grant.invoice.file.name)
    manifest = json.loads(unzip(dossier.build_dossier(full_grant.grant))[MANIFEST])
    assert manifest["missing_files"] == [
        {"record": f"invoice {full_grant.invoice.pk}", "stored_as": full_grant.invoice.file.name}
    ]


# The download.


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PROGRAMME_OWNER, 200),
        (Role.FUNDING_ADMINISTRATOR, 200),  # assigned to review the call
        (Role.AUDITOR, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.OPERATOR_STAFF, 404),  # the dossier holds the review's working papers
        (Role.SCHOOL_COORDINATOR, 404),
        (Role.SUPPLIER, 404),
    ],
)
def test_who_downloads_the_dossier(full_grant, role_users, role, status):
    url = reverse("funding:grant-dossier", kwargs={"pk": full_grant.grant.pk})
    response = client_for(role_users[role]).get(url)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"] == 'attachment; filename="grant-dossier-G-DOS-1.zip"'
        assert response.content == dossier.build_dossier(full_grant.grant)
        assert response["X-Content-SHA256"] == hashlib.sha256(response.content).hexdigest()


def test_a_funding_administrator_not_reviewing_the_call_gets_no_dossier(full_grant, role_users):
    CallReviewer.objects.filter(call=full_grant.grant.call).delete()
    url = reverse("funding:grant-dossier", kwargs={"pk": full_grant.grant.pk})
    assert client_for(role_users[Role.FUNDING_ADMINISTRATOR]).get(url).status_code == 404


def test_an_outside_grant_and_writes_are_refused(full_grant, world, role_users):
    outside_call = CallFactory(programme=ProgrammeFactory(authority=world.other_authority))
    outside = GrantFactory(
        decision=DecisionFactory(application=ApplicationFactory(call=outside_call, operator=world.other_operator)),
        number="OUTSIDE-G",
        created_at=timezone.now(),
    )
    for role in (Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.OPERATOR_STAFF):
        client = client_for(role_users[role])
        response = client.get(reverse("funding:grant-dossier", kwargs={"pk": outside.pk}))
        assert response.status_code == 404, role
    owner = client_for(role_users[Role.PROGRAMME_OWNER])
    assert owner.post(reverse("funding:grant-dossier", kwargs={"pk": full_grant.grant.pk})).status_code == 405
    anonymous = Client().get(reverse("funding:grant-dossier", kwargs={"pk": full_grant.grant.pk}))
    assert anonymous.status_code == 302


# A grant made through the services of every stage.


def test_a_grant_made_through_the_services_has_every_part(in_review, world, funding_admin, owner, staff):  # noqa: F811
    from ..services import claims as claim_services
    from ..services import proofs as proof_services
    from ..services import review as review_services
    from .claims_setup import claim_with_line

    review_services.conflict_declare(actor=funding_admin, application=in_review, has_conflict=False)
    review_services.application_decide(
        actor=funding_admin,
        application=in_review,
        lines=lines_of(in_review, p2=("3600.00", "Four displays are enough.")),
        language="de",
    )
    grant = in_review.grant
    line = grant.lines.get(position=1)
    claim = claim_with_line(grant, line, actor=staff, amount="1000.00")
    claim_services.claim_submit(actor=staff, claim=claim)
    claim_services.claim_approve(actor=owner, claim=claim)
    claim_services.claim_pay(actor=owner, claim=claim, paid_on=datetime.date(2026, 5, 4), reference="PAY-7")
    proof = proof_services.proof_of_use_open(actor=staff, grant=grant)
    proof = proof_services.proof_of_use_submit(actor=staff, proof=proof, narrative="Wi-Fi installed.")
    proof_services.proof_of_use_accept(actor=owner, proof=proof)

    data = dossier.build_dossier(grant)
    assert dossier.build_dossier(grant) == data
    assert dossier.verify_dossier(io.BytesIO(data)).ok
    files = unzip(data)
    manifest = json.loads(files[MANIFEST])
    counts = manifest["counts"]
    assert {key: counts[key] for key in ("decisions", "decision_lines", "grant_lines", "claims", "invoices")} == {
        "decisions": 1,
        "decision_lines": 2,
        "grant_lines": 2,
        "claims": 1,
        "invoices": 1,
    }
    assert (counts["conflict_declarations"], counts["proof_of_use"], counts["repayment_claims"]) == (1, 1, 1)
    assert files["decisions/letters/decision-1-de.pdf"][:5] == b"%PDF-"
    decision = json.loads(files["decisions/decisions.json"])["decisions"][0]
    assert hashlib.sha256(files["decisions/letters/decision-1-de.pdf"]).hexdigest() == decision["letter_sha256"]
    assert decision["outcome"] == "partly_approved"
    scans = [name for name in files if name.startswith("claims/scans/")]
    assert len(scans) == 1 and files[scans[0]][:5] == b"%PDF-"
    ledger = json.loads(files["payments/ledger.json"])
    assert [(row["kind"], row["amount"]) for row in ledger] == [("committed", "12600.00"), ("paid", "900.00")]
    assert [row["to_state"] for row in json.loads(files["events/grant_events.json"]) if row["claim"]] == [
        "draft",
        "submitted",
        "approved",
        "paid",
    ]
    assert json.loads(files["proof_of_use/proof_of_use.json"])["state"] == "accepted"
    trail = json.loads(files["audit/audit_trail.json"])
    audited = {row["object_type"] for row in trail}
    assert {"funding.decision", "funding.grant", "funding.claim", "funding.invoice", "funding.proofofuse"} <= audited
    assert manifest["missing_files"] == []
