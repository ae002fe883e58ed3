"""The grant dossier: one ZIP per grant that an auditor can check without Digileap.

It holds everything the grant rests on, each part as data (canonical JSON, sorted keys; CSV where
a table is easier to read) and the files as they were uploaded or made:

- ``grant.json``: the grant, its call, operator and lines;
- ``application/``: the application as it stands (``application.json``: schools, cost lines),
  every submitted version as frozen (``versions/version-NNN.json``: the canonical JSON whose
  SHA-256 the version recorded, so the file's hash in the manifest *is* the version's hash;
  ``versions.json`` lists them with the recorded hash), the documents' records
  (``documents.json``) and files (``documents/<id>-<file name>``);
- ``review/``: checklist answers (of the application, its claims and its proof of use), scores,
  conflict-of-interest declarations;
- ``decisions/``: every decision and amendment (``decisions.json``, ``decisions.csv``,
  ``decision_lines.csv``) and its letter (``letters/decision-N-<language>.pdf``);
- ``claims/``: claims, invoices with their scans (``scans/<id>-<file name>``), invoice lines with
  the devices they paid for (``invoice_lines.csv``, ``devices.json``);
- ``payments/ledger.csv`` and ``ledger.json``: the ledger rows of the grant (its commitment,
  the claims' payments, the repayments);
- ``proof_of_use/``: the proof of use (state, figures, narrative) and its submitted content
  (``content.json``, canonical JSON as hashed);
- ``repayments/repayment_claims.json``;
- ``events/``: the application's and the grant's events (append-only records);
- ``audit/audit_trail.json``: every audit trail entry of the objects above, in the chain's order,
  with the hashes that link each entry to the one before it (``manage.py verify_audit_chain``
  checks the whole chain in the database);
- ``manifest.json``: what the dossier is, counts, the SHA-256 and size of every other file, and
  ``manifest.sha256``: the manifest's own hash.

**Byte-identical for the same data**: entries in sorted order, every entry dated the grant's day
(``created_at`` in UTC), fixed permissions, rows ordered by key, times in UTC, no time of "now"
and no global audit chain head (any unrelated change would move it; the dossier instead names the
last audit entry of its own objects, which the chain in the database links to its head).
``core.packs.verify_manifest`` checks a dossier, as it checks an evidence pack.
"""

import datetime
import re
from collections.abc import Iterable
from typing import IO

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet

from digileap.core import audit
from digileap.core.models import AuditEvent
from digileap.core.packs import Verification, csv_bytes, json_bytes, sha256, verify_manifest, write_pack
from digileap.programmes.models import FundingTransaction

from .models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationSchool,
    ApplicationVersion,
    Claim,
    ConflictDeclaration,
    CostLine,
    CriterionScore,
    Decision,
    DecisionLine,
    Grant,
    GrantEvent,
    GrantLine,
    Invoice,
    InvoiceLine,
    ProofOfUse,
    RepaymentClaim,
    ReviewAnswer,
)
from .services.applications import canonical_json

FORMAT = "digileap-grant-dossier"
FORMAT_VERSION = 1
AUDIT_BATCH = 500  # object ids per query (SQLite's limit on parameters)


class DossierError(Exception):
    """The grant asked for cannot be found, or not told apart from another."""


def find_grant(identifier: str) -> Grant:
    """The grant with this number, or else this id. A number used in several calls must be given
    as the id (the error lists them)."""
    text = str(identifier).strip()
    matches = list(Grant.objects.filter(number=text).select_related("call").order_by("pk"))
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listed = ", ".join(f"id {grant.pk} (call {grant.call.code})" for grant in matches)
        raise DossierError(f"Grant number {text!r} is used in several calls: {listed}. Give the id.")
    if text.isdigit():
        grant = Grant.objects.filter(pk=int(text)).first()
        if grant is not None:
            return grant
    raise DossierError(f"There is no grant with the number or id {text!r}.")


def dossier_filename(grant: Grant) -> str:
    return f"grant-dossier-{_safe_name(grant.number) or grant.pk}.zip"


def dossier_day(grant: Grant) -> datetime.date:
    """The date every entry of the ZIP carries: the day the grant was made, in UTC."""
    return grant.created_at.astimezone(datetime.UTC).date()


def _safe_name(text: str) -> str:
    """A file name's last part with only letters, digits, dot, dash and underscore."""
    name = str(text).replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:120]


def _utc(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value


def _row(instance: Model) -> dict:
    """Every concrete field (foreign keys as ids, times in UTC, money as text)."""
    data = audit.snapshot(instance)
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, datetime.datetime):
            data[field.name] = _utc(value)
    return data


def _rows(queryset: QuerySet) -> list[dict]:
    return [_row(instance) for instance in queryset.order_by("pk")]


def _cell(value) -> str:
    if value is None:
        return ""
    return str(_utc(value))


def _table(rows: list[dict], columns: list[str]) -> bytes:
    return csv_bytes(columns, ([_cell(row.get(column)) for column in columns] for row in rows))


def _read(field) -> bytes | None:
    """The bytes of a stored file, or None where it is missing from the storage."""
    if not field or not field.name:
        return None
    try:
        with field.storage.open(field.name, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        return None


class _Builder:
    def __init__(self, grant: Grant):
        self.grant = grant
        self.files: dict[str, bytes] = {}
        self.missing: list[dict] = []
        self.counts: dict[str, int] = {}
        self.objects: dict[str, set[str]] = {}  # audited objects: model label -> ids

    def add(self, name: str, data: bytes) -> None:
        self.files[name] = data

    def add_json(self, name: str, value) -> None:
        self.add(name, json_bytes(value))

    def add_file(self, name: str, field, record: str) -> str | None:
        data = _read(field)
        if data is None:
            self.missing.append({"record": record, "stored_as": getattr(field, "name", "") or ""})
            return None
        self.add(name, data)
        return name

    def track(self, rows: Iterable[dict], model: type[Model]) -> None:
        self.objects.setdefault(model._meta.label_lower, set()).update(str(row["id"]) for row in rows)

    def count(self, key: str, rows: list) -> list:
        self.counts[key] = len(rows)
        return rows


def build_dossier(grant: Grant) -> bytes:
    """The dossier of ``grant`` as ZIP bytes (see the module's docstring)."""
    grant = Grant.objects.select_related(
        "call__programme", "call__funding_source", "operator", "application", "decision"
    ).get(pk=grant.pk)
    builder = _Builder(grant)
    application = grant.application
    _grant_part(builder)
    _application_part(builder)
    _review_part(builder)
    _decision_part(builder)
    _claim_part(builder)
    _proof_part(builder)
    _ledger_part(builder)
    _events_part(builder)
    trail = _audit_part(builder)
    day = dossier_day(grant)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "grant": {
            "id": grant.pk,
            "number": grant.number,
            "call": grant.call.code,
            "programme": grant.call.programme.code,
            "operator": {"id": grant.operator_id, "code": grant.operator.code, "name": grant.operator.name},
            "application": {"id": application.pk, "number": application.number, "state": application.state},
            "approved_amount": str(grant.approved_amount),
            "created_at": _utc(grant.created_at),
            "closed_at": _utc(grant.closed_at),
        },
        "dated": day.isoformat(),
        "counts": dict(sorted(builder.counts.items())),
        "missing_files": builder.missing,
        "audit": {
            "entries": len(trail),
            "first_entry_hash": trail[0]["entry_hash"] if trail else "",
            "last_entry_hash": trail[-1]["entry_hash"] if trail else "",
        },
        "files": {name: {"sha256": sha256(data), "bytes": len(data)} for name, data in sorted(builder.files.items())},
    }
    return write_pack(day, json_bytes(manifest), builder.files)


def _grant_part(builder: _Builder) -> None:
    grant = builder.grant
    call = grant.call
    lines = builder.count("grant_lines", _rows(GrantLine.objects.filter(grant=grant)))
    builder.track([_row(grant)], Grant)
    builder.track(lines, GrantLine)
    builder.add_json(
        "grant.json",
        {
            "grant": _row(grant),
            "call": {
                "id": call.pk,
                "code": call.code,
                "title": call.title,
                "programme": call.programme.code,
                "funding_source": call.funding_source_id,
                "cofinancing_rate": str(call.cofinancing_rate),
                "cofinancing_payer": call.cofinancing_payer,
            },
            "operator": {"id": grant.operator_id, "code": grant.operator.code, "name": grant.operator.name},
            "lines": lines,
        },
    )
    builder.add(
        "grant_lines.csv",
        _table(lines, ["position", "id", "cost_line", "category", "school", "description", "amount", "approved"]),
    )


def _application_part(builder: _Builder) -> None:
    application = builder.grant.application
    schools = _rows(ApplicationSchool.objects.filter(application=application))
    lines = builder.count("cost_lines", _rows(CostLine.objects.filter(application=application)))
    record = _row(application)
    builder.track([record], type(application))
    builder.track(schools, ApplicationSchool)
    builder.track(lines, CostLine)
    builder.add_json("application/application.json", {"application": record, "schools": schools, "cost_lines": lines})
    builder.add(
        "application/cost_lines.csv",
        _table(
            lines,
            ["position", "id", "category", "school", "description", "quantity", "unit_price", "amount", "funding"],
        ),
    )
    versions = []
    for version in ApplicationVersion.objects.filter(application=application).order_by("number", "pk"):
        name = f"application/versions/version-{version.number:03d}.json"
        frozen = canonical_json(version.content)
        builder.add(name, frozen)
        row = _row(version)
        row.pop("content")
        versions.append({**row, "file": name, "file_sha256_matches_recorded": sha256(frozen) == version.sha256})
    builder.track(versions, ApplicationVersion)
    builder.count("application_versions", versions)
    builder.add_json("application/versions.json", versions)
    documents = []
    for document in ApplicationDocument.objects.filter(application=application).order_by("pk"):
        row = _row(document)
        name = f"application/documents/{document.pk}-{_safe_name(document.original_filename) or 'document'}"
        row["file_in_dossier"] = builder.add_file(name, document.file, f"application document {document.pk}")
        documents.append(row)
    builder.track(documents, ApplicationDocument)
    builder.count("application_documents", documents)
    builder.add_json("application/documents.json", documents)


def _review_part(builder: _Builder) -> None:
    grant = builder.grant
    answers = []
    subjects = Q(application=grant.application_id) | Q(claim__grant=grant) | Q(proof_of_use__grant=grant)
    for answer in ReviewAnswer.objects.filter(subjects).select_related("item").order_by("pk"):
        row = _row(answer)
        row["item_detail"] = {"stage": answer.item.stage, "code": answer.item.code, "text": answer.item.text}
        answers.append(row)
    scores = []
    for score in CriterionScore.objects.filter(application=grant.application_id).select_related("criterion"):
        row = _row(score)
        criterion = score.criterion
        row["criterion_detail"] = {
            "code": criterion.code,
            "name": criterion.name,
            "max_score": criterion.max_score,
            "weight": str(criterion.weight),
        }
        scores.append(row)
    scores.sort(key=lambda row: row["id"])
    declarations = _rows(ConflictDeclaration.objects.filter(application=grant.application_id))
    for key, model, rows in (
        ("checklist_answers", ReviewAnswer, answers),
        ("scores", CriterionScore, scores),
        ("conflict_declarations", ConflictDeclaration, declarations),
    ):
        builder.track(rows, model)
        builder.count(key, rows)
        builder.add_json(f"review/{key}.json", rows)


def _decision_part(builder: _Builder) -> None:
    application_id = builder.grant.application_id
    decisions = []
    for decision in Decision.objects.filter(application=application_id).order_by("number", "pk"):
        row = _row(decision)
        name = f"decisions/letters/decision-{decision.number}-{_safe_name(decision.language) or 'xx'}.pdf"
        row["letter_in_dossier"] = (
            builder.add_file(name, decision.letter, f"decision {decision.pk}") if decision.letter else None
        )
        decisions.append(row)
    lines = _rows(DecisionLine.objects.filter(decision__application=application_id))
    builder.track(decisions, Decision)
    builder.track(lines, DecisionLine)
    builder.count("decisions", decisions)
    builder.count("decision_lines", lines)
    builder.add_json("decisions/decisions.json", {"decisions": decisions, "lines": lines})
    builder.add(
        "decisions/decisions.csv",
        _table(
            decisions,
            [
                "number",
                "id",
                "outcome",
                "requested_total",
                "approved_total",
                "language",
                "letter_sha256",
                "decided_by",
                "decided_at",
                "conditions",
                "reason",
            ],
        ),
    )
    builder.add(
        "decisions/decision_lines.csv",
        _table(lines, ["decision", "id", "cost_line", "requested", "approved", "reason"]),
    )


def _claim_part(builder: _Builder) -> None:
    grant = builder.grant
    claims = builder.count("claims", _rows(Claim.objects.filter(grant=grant)))
    invoices = []
    for invoice in Invoice.objects.filter(claim__grant=grant).order_by("pk"):
        row = _row(invoice)
        name = f"claims/scans/{invoice.pk}-{_safe_name(invoice.original_filename) or 'scan'}"
        row["scan_in_dossier"] = builder.add_file(name, invoice.file, f"invoice {invoice.pk}") if invoice.file else None
        invoices.append(row)
    device_ids: dict[int, list[int]] = {}
    through = InvoiceLine.devices.through
    for line_id, device_id in (
        through.objects.filter(invoiceline__invoice__claim__grant=grant)
        .order_by("invoiceline_id", "device_id")
        .values_list("invoiceline_id", "device_id")
    ):
        device_ids.setdefault(line_id, []).append(device_id)
    lines = _rows(InvoiceLine.objects.filter(invoice__claim__grant=grant))
    for row in lines:
        row["devices"] = device_ids.get(row["id"], [])
    from digileap.devices.models import Device

    all_devices = sorted({device for ids in device_ids.values() for device in ids})
    device_values = []
    for start in range(0, len(all_devices), AUDIT_BATCH):
        device_values += list(
            Device.objects.filter(pk__in=all_devices[start : start + AUDIT_BATCH]).values(
                "id",
                "serial",
                "manufacturer",
                "device_type",
                "school_id",
                "delivery_id",
                "status",
                "delivered_on",
                "accepted_at",
            )
        )
    devices = [{key: audit.to_jsonable(_utc(value)) for key, value in row.items()} for row in device_values]
    devices.sort(key=lambda row: row["id"])
    serials = {row["id"]: row["serial"] for row in devices}
    builder.track(claims, Claim)
    builder.track(invoices, Invoice)
    builder.track(lines, InvoiceLine)
    builder.count("invoices", invoices)
    builder.count("invoice_lines", lines)
    builder.count("devices", devices)
    builder.add_json("claims/claims.json", claims)
    builder.add(
        "claims/claims.csv",
        _table(claims, ["number", "id", "state", "amount", "submitted_at", "paid_on", "payment_reference", "payment"]),
    )
    builder.add_json("claims/invoices.json", invoices)
    builder.add_json("claims/invoice_lines.json", lines)
    builder.add(
        "claims/invoice_lines.csv",
        csv_bytes(
            ["invoice", "id", "grant_line", "description", "amount", "claimed", "device_serials"],
            (
                [
                    row["invoice"],
                    row["id"],
                    row["grant_line"],
                    row["description"],
                    row["amount"],
                    row["claimed"],
                    " ".join(serials.get(device, str(device)) for device in row["devices"]),
                ]
                for row in lines
            ),
        ),
    )
    builder.add_json("claims/devices.json", devices)


def _proof_part(builder: _Builder) -> None:
    grant = builder.grant
    try:
        proof = ProofOfUse.objects.get(grant=grant)
    except ObjectDoesNotExist:
        proof = None
    if proof is not None:
        row = _row(proof)
        builder.track([row], ProofOfUse)
        builder.add_json("proof_of_use/proof_of_use.json", row)
        builder.add("proof_of_use/content.json", canonical_json(proof.content or {}))
    builder.counts["proof_of_use"] = int(proof is not None)
    repayments = builder.count("repayment_claims", _rows(RepaymentClaim.objects.filter(grant=grant)))
    builder.track(repayments, RepaymentClaim)
    builder.add_json("repayments/repayment_claims.json", repayments)


def _ledger_part(builder: _Builder) -> None:
    grant = builder.grant
    ids = {grant.commitment_id}
    ids |= set(Claim.objects.filter(grant=grant).values_list("payment_id", flat=True))
    ids |= set(RepaymentClaim.objects.filter(grant=grant).values_list("transaction_id", flat=True))
    ids.discard(None)
    rows = builder.count("ledger_rows", _rows(FundingTransaction.objects.filter(pk__in=sorted(ids))))
    builder.track(rows, FundingTransaction)
    builder.add_json("payments/ledger.json", rows)
    builder.add(
        "payments/ledger.csv",
        _table(rows, ["id", "kind", "amount", "date", "source", "school", "reference", "recorded_by", "recorded_at"]),
    )


def _events_part(builder: _Builder) -> None:
    grant = builder.grant
    application_events = _rows(ApplicationEvent.objects.filter(application=grant.application_id))
    grant_events = _rows(GrantEvent.objects.filter(grant=grant))
    builder.track(application_events, ApplicationEvent)
    builder.track(grant_events, GrantEvent)
    builder.count("application_events", application_events)
    builder.count("grant_events", grant_events)
    builder.add_json("events/application_events.json", application_events)
    builder.add_json("events/grant_events.json", grant_events)


AUDIT_FIELDS = ["id", *audit.EVENT_FIELDS]


def _audit_part(builder: _Builder) -> list[dict]:
    """The audit trail entries of every object in the dossier, in the chain's order (by id)."""
    entries: dict[int, dict] = {}
    for label, ids in sorted(builder.objects.items()):
        ordered = sorted(ids)
        for start in range(0, len(ordered), AUDIT_BATCH):
            for row in AuditEvent.objects.filter(
                object_type=label, object_id__in=ordered[start : start + AUDIT_BATCH]
            ).values(*AUDIT_FIELDS):
                row["occurred_at"] = _utc(row["occurred_at"])
                entries[row["id"]] = row
    trail = [entries[key] for key in sorted(entries)]
    builder.count("audit_entries", trail)
    builder.add_json("audit/audit_trail.json", trail)
    return trail


def verify_dossier(file: IO[bytes] | str, *, expected_manifest_sha256: str | None = None) -> Verification:
    """Check a dossier: the manifest's own hash, every file's hash, no file unlisted; and that the
    manifest says it is a grant dossier."""
    result = verify_manifest(file, expected_manifest_sha256=expected_manifest_sha256)
    if result.manifest and result.manifest.get("format") != FORMAT:
        result.problems.append(f"manifest.json: the format is {result.manifest.get('format')!r}, not {FORMAT!r}")
        result.ok = False
    return result
