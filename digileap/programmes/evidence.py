"""Evidence packs (C3): for a milestone or target on a day, a ZIP an auditor can check.

The ZIP holds, in this order:

- ``manifest.json``: the programme, the target, the day, the value, the method (indicator kind and
  parameters), how many records, the SHA-256 of every other file and the audit chain's head hash;
- ``records.csv``: every record that counts toward the value (the indicator kind's ``records()``);
- ``summary.pdf``: programme, target, value, day, method and totals by school (WeasyPrint);
- ``totals_by_school.csv``: the totals by school in full (the PDF lists the first ``PDF_SCHOOLS``).

The same data gives the same bytes: files in a fixed order, ZIP timestamps set to the day, fixed
permissions, sorted JSON, and the PDF's dates set from the day. ``verify_pack`` checks a pack.
"""

import csv
import datetime
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from digileap.core.audit import chain_head_hash
from digileap.core.exports import safe_cell

from .indicators import get_kind
from .models import Target
from .status import assess, target_start

MANIFEST = "manifest.json"
RECORDS = "records.csv"
SUMMARY = "summary.pdf"
TOTALS = "totals_by_school.csv"
PDF_SCHOOLS = 200
FORMAT_VERSION = 1
ZIP_DIRECTORY_MODE = 0o644 << 16

Progress = Callable[[int], None]


class EvidenceError(Exception):
    """The target has no indicator that Digileap can compute."""


@dataclass
class SchoolTotal:
    number: str
    name: str
    records: int
    amount: Decimal | None


def _csv_bytes(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


class _CsvSpool:
    """A CSV written to a temporary file as rows come, hashed on the way: an evidence pack of a
    million devices never holds its records in memory (only the file's bytes on disk)."""

    def __init__(self, header: Iterable[str]):
        self.file = tempfile.TemporaryFile()
        self.digest = hashlib.sha256()
        self.size = 0
        self._buffer = io.StringIO(newline="")
        self._writer = csv.writer(self._buffer, delimiter=";", lineterminator="\r\n")
        self._pending = 0
        self._writer.writerow(list(header))

    def write(self, row: Iterable) -> None:
        self._writer.writerow([safe_cell(value) for value in row])
        self._pending += 1
        if self._pending >= 5000:
            self._flush()

    def _flush(self) -> None:
        data = self._buffer.getvalue().encode("utf-8")
        self._buffer.seek(0)
        self._buffer.truncate()
        self._pending = 0
        self.file.write(data)
        self.digest.update(data)
        self.size += len(data)

    def finish(self) -> "_CsvSpool":
        self._flush()
        self.file.seek(0)
        return self


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


class _Totals:
    """Records and amounts per school, when the records name schools (else none), row by row."""

    def __init__(self, columns: list[str]):
        self.number_at = columns.index("school_number") if "school_number" in columns else None
        self.name_at = columns.index("school_name") if "school_name" in columns else None
        self.amount_at = columns.index("amount_eur") if "amount_eur" in columns else None
        self.by_number: dict[str, SchoolTotal] = {}

    def add(self, row: tuple) -> None:
        if self.number_at is None:
            return
        number = str(row[self.number_at] or "")
        total = self.by_number.get(number)
        if total is None:
            name = str(row[self.name_at] or "") if self.name_at is not None else ""
            total = self.by_number[number] = SchoolTotal(number, name, 0, None)
        total.records += 1
        if self.amount_at is not None:
            amount = _amount(row[self.amount_at])
            if amount is not None:
                total.amount = (total.amount or Decimal("0")) + amount

    def sorted(self) -> list[SchoolTotal]:
        # Schools first by official number; entries without a school ("") last.
        return sorted(self.by_number.values(), key=lambda t: (t.number == "", t.number))


def _zip_info(name: str, day: datetime.date) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever machine makes the pack
    info.external_attr = ZIP_DIRECTORY_MODE
    return info


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _summary_pdf(context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("programmes/evidence/summary.html", context)
    return HTML(string=html).write_pdf()


def build_pack(target: Target, as_of: datetime.date, progress: Progress | None = None) -> bytes:
    """The evidence pack of ``target`` on ``as_of``, as ZIP bytes. ``progress(percent)`` is called
    as the work advances (background packs show it)."""
    report = progress or (lambda percent: None)
    # Read the target as stored (an object in memory may hold 0 where the database holds 0.00).
    target = Target.objects.select_related("programme__authority", "indicator").get(pk=target.pk)
    kind = get_kind(target.indicator.kind) if target.indicator_id else None
    if kind is None:
        raise EvidenceError(_("This milestone or target has no indicator Digileap can compute."))
    programme = target.programme
    report(5)
    # Values are stored with two places; SQLite's sums lose the scale, so fix it for equal bytes on both.
    value = Decimal(kind.compute(target, as_of)).quantize(Decimal("0.01"))
    records = kind.records(target, as_of)
    columns = list(records.columns)
    # Rows stream from the kind into a temporary file; only the totals by school stay in memory.
    records_spool = _CsvSpool(columns)
    school_totals = _Totals(columns)
    record_count = 0
    for row in records.rows:
        records_spool.write(row)
        school_totals.add(row)
        record_count += 1
    records_spool.finish()
    report(40)
    totals = school_totals.sorted()
    totals_csv = _csv_bytes(
        ["school_number", "school_name", "records", "amount_eur"],
        ([t.number, t.name, t.records, t.amount if t.amount is not None else ""] for t in totals),
    )
    report(55)
    history = list(
        target.snapshots.filter(date__lt=as_of, date__gte=as_of - datetime.timedelta(days=60))
        .order_by("date")
        .values_list("date", "value")
    )
    assessment = assess(
        value=value,
        baseline=target.baseline,
        target_value=target.target_value,
        due_date=target.due_date,
        as_of=as_of,
        start=target_start(target),
        snapshots=history,
    )
    head = chain_head_hash()
    moment = f"{as_of.isoformat()}T00:00:00Z"
    summary_pdf = _summary_pdf(
        {
            "programme": programme,
            "target": target,
            "kind": kind,
            "as_of": as_of,
            "moment": moment,
            "value": value,
            "assessment": assessment,
            "record_count": record_count,
            "totals": totals[:PDF_SCHOOLS],
            "more_totals": max(0, len(totals) - PDF_SCHOOLS),
            "total_amount": sum((t.amount for t in totals if t.amount is not None), Decimal("0")),
            "has_amounts": any(t.amount is not None for t in totals),
            "chain_head": head,
        }
    )
    report(90)
    files = {SUMMARY: summary_pdf, TOTALS: totals_csv}
    files_meta = {name: {"sha256": sha256(data), "bytes": len(data)} for name, data in files.items()}
    files_meta[RECORDS] = {"sha256": records_spool.digest.hexdigest(), "bytes": records_spool.size}
    manifest = {
        "format": "digileap-evidence-pack",
        "format_version": FORMAT_VERSION,
        "programme": {"code": programme.code, "name": programme.display_name},
        "target": {
            "id": target.pk,
            "number": target.number,
            "kind": target.kind,
            "title": target.display_title,
            "baseline": str(target.baseline),
            "target_value": str(target.target_value),
            "unit": target.unit,
            "due_date": target.due_date.isoformat(),
            "counting": target.accumulation,
        },
        "as_of": as_of.isoformat(),
        "value": str(value),
        "status": assessment.status,
        "method": {"indicator": kind.code, "label": str(kind.label), "parameters": target.indicator.parameters},
        "record_count": record_count,
        "files": dict(sorted(files_meta.items())),
        "audit_chain_head": head,
    }
    manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_zip_info(MANIFEST, as_of), manifest_bytes)
        for name in sorted(files_meta):
            if name == RECORDS:
                with records_spool.file, archive.open(_zip_info(name, as_of), "w") as entry:
                    shutil.copyfileobj(records_spool.file, entry, 1 << 20)
            else:
                archive.writestr(_zip_info(name, as_of), files[name])
    report(100)
    return buffer.getvalue()


def pack_filename(target: Target, as_of: datetime.date) -> str:
    label = target.number or f"target-{target.pk}"
    return f"evidence-{target.programme.code}-{label}-{as_of.isoformat()}.zip"


@dataclass
class Verification:
    ok: bool
    problems: list[str]
    manifest: dict


def verify_pack(file: IO[bytes] | str, expected_chain_head: str | None = None) -> Verification:
    """Check that every file the manifest lists is in the ZIP with the SHA-256 it states, and
    nothing else is; with ``expected_chain_head``, also that the audit chain's head matches."""
    problems: list[str] = []
    with zipfile.ZipFile(file) as archive:
        names = archive.namelist()
        if MANIFEST not in names:
            return Verification(False, [f"{MANIFEST} is missing"], {})
        manifest = json.loads(archive.read(MANIFEST))
        listed = manifest.get("files", {})
        for name, facts in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name} is listed but missing")
                continue
            digest = sha256(archive.read(name))
            if digest != facts.get("sha256"):
                problems.append(f"{name}: SHA-256 {digest} differs from the manifest's {facts.get('sha256')}")
        for name in names:
            if name != MANIFEST and name not in listed:
                problems.append(f"{name} is not in the manifest")
    if expected_chain_head is not None and manifest.get("audit_chain_head") != expected_chain_head:
        problems.append("the audit chain's head differs from the manifest's")
    return Verification(not problems, problems, manifest)
