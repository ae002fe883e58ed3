"""Device-management reports: an Intune or Google Admin device export, read by the core tabular
engine and reconciled with the funded devices of one operator (or one of its schools).

The engine reads the file (encoding, delimiter, headers, row errors) by one of the profiles in
``management_profiles/`` (``intune``, ``google``); this importer matches each row to a funded
device and, on commit, stores one ``ManagementReport`` and its ``ManagedDevice`` rows with one
bulk insert. User columns of the exports are not mapped, so no user name is ever read. The same
export again (the scope's latest report holds exactly its rows, matched to the same devices, and the
same count of devices not enrolled) writes nothing: its rows count as unchanged.

The operator, the school and the file's name and checksum come as profile constants
(``operator_id``, ``school_id``, ``original_filename``, ``sha256``), set by
``services.exchange.managementreport_import``. Through the generic import pages (no constants) the
operator and school follow from the user's scope when it names exactly one operator or school.
"""

import itertools
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.bulk import bulk_insert
from digileap.core.permissions import Action, assignments_for, permits
from digileap.core.tabular.engine import Importer, Plan, register_importer
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.fields import CHECKED, STORED, FieldSpec
from digileap.core.tabular.parsing import ParsedRow
from digileap.core.tabular.profiles import register_profile_dir
from digileap.schools.models import School, SchoolOperator

from ..exchange import FundedDevice, manufacturer_key, match_device, normalise_serial, parse_check_in
from ..models import Device, DeviceStatus, DeviceType, ManagedDevice, ManagementReport
from . import autopilot  # noqa: F401  (registers the autopilot_hashes target; belongs in __init__.py)
from .recipients import refuse_constant_columns

TARGET = "management_reports"
register_profile_dir(TARGET, Path(__file__).parent / "management_profiles")

# A funded device in one of these statuses should be enrolled: it is at the school or in a
# pupil's hands. Only the device types the tool manages count (Intune: Windows and tablets;
# Google Admin: Chromebooks), so access points and displays never show as "not enrolled".
NOT_ENROLLED_STATUSES = frozenset({DeviceStatus.DELIVERED, DeviceStatus.DEPLOYED, DeviceStatus.LOANED_OUT})
MANAGED_TYPES: dict[str, frozenset[DeviceType]] = {
    ManagementReport.Source.INTUNE: frozenset({DeviceType.LAPTOP, DeviceType.TABLET, DeviceType.OTHER}),
    ManagementReport.Source.GOOGLE: frozenset({DeviceType.CHROMEBOOK}),
}
MANAGED_DEVICE_FIELDS = [
    "report_id",
    "serial",
    "manufacturer",
    "model_name",
    "device_name",
    "last_sync_at",
    "device_id",
]

# Columns only one tool writes. Headers match without regard to case, so Intune's "Serial number" is
# Google's "Serial Number": an export of the other tool would pass the header check of a Google profile.
SIGNATURE_COLUMNS: dict[str, frozenset[str]] = {
    ManagementReport.Source.INTUNE: frozenset({"last check-in", "managed by", "primary user upn"}),
    ManagementReport.Source.GOOGLE: frozenset({"last sync", "org unit path", "annotated asset id", "annotated user"}),
}

_created_reports: ContextVar[list | None] = ContextVar("created_management_reports", default=None)


@contextmanager
def collecting_reports() -> Iterator[list]:
    """Collect the reports committed inside the block (the engine returns counts, not objects)."""
    created: list = []
    token = _created_reports.set(created)
    try:
        yield created
    finally:
        _created_reports.reset(token)


@dataclass
class ReportPlan:
    """What a commit writes: the report's scope and counts, and one row per enrolled device."""

    source: str
    operator: SchoolOperator
    school: School | None
    original_filename: str
    sha256: str
    # (serial, manufacturer, model_name, device_name, last_sync_at, device_id)
    rows: list[list] = field(default_factory=list)
    not_enrolled: int = 0
    skipped_without_serial: int = 0
    skipped_duplicates: int = 0
    skipped_deprovisioned: int = 0
    # The latest report of the same scope when this file says exactly what it says: nothing to write.
    same_as: ManagementReport | None = None

    @property
    def matched(self) -> int:
        return sum(1 for row in self.rows if row[5] is not None)

    @property
    def skipped(self) -> int:
        return self.skipped_without_serial + self.skipped_duplicates + self.skipped_deprovisioned


def scope_from_assignments(actor) -> tuple[SchoolOperator, School | None]:
    """The operator (and school) a report is for when the upload did not say: the one operator or
    school the actor's role may import reports for. Raises ImportFileError when that is not one."""
    assignments = assignments_for(actor, Action.ADD, ManagementReport)
    if len(assignments) == 1 and assignments[0].scope_kind in ("operator", "school"):
        assignment = assignments[0]
        if assignment.scope_kind == "operator":
            return SchoolOperator.objects.get(pk=assignment.scope_id), None
        school = School.objects.select_related("operator").get(pk=assignment.scope_id)
        return school.operator, school
    raise ImportFileError(
        _(
            "a management report belongs to one school operator: upload it on the page Devices, "
            "Management reports, where you choose the operator and school"
        )
    )


def _header_key(name: str) -> str:
    """A header as the engine compares them: without regard to case and runs of whitespace."""
    return " ".join(str(name).split()).casefold()


FIELDS = (
    FieldSpec(
        "serial",
        gettext_lazy("Serial number"),
        max_length=64,
        required=True,
        aliases=(
            "Serial number",
            "Serial Number",
            "serial number",
            "Serienummer",
            "Numéro de série",
            "Seriennummer",
            "Sērijas numurs",
        ),  # fmt: skip
        help=gettext_lazy("The device's serial number, matched with the funded devices (upper-case, without spaces)."),
    ),
    FieldSpec(
        "manufacturer",
        gettext_lazy("Manufacturer"),
        max_length=100,
        aliases=("Manufacturer", "Fabrikant", "Fabricant", "Hersteller", "Ražotājs"),
        help=gettext_lazy("The manufacturer as the device reports it; a row that names one matches only its devices."),
    ),
    FieldSpec(
        "model_name",
        gettext_lazy("Model"),
        max_length=200,
        aliases=("Model", "model", "Modèle", "Modell", "Modelis"),
        help=gettext_lazy("The device model as the tool reports it."),
    ),
    FieldSpec(
        "device_name",
        gettext_lazy("Device name"),
        max_length=200,
        aliases=(
            "Device name",
            "Asset ID",
            "Annotated Asset ID",
            "Apparaatnaam",
            "Nom de l'appareil",
            "Gerätename",
            "Ierīces nosaukums",
        ),  # fmt: skip
        help=gettext_lazy("The name or asset ID the tool knows the device by."),
    ),
    FieldSpec(
        "last_sync",
        gettext_lazy("Last check-in"),
        type="datetime",
        aliases=(
            "Last check-in",
            "Last Sync",
            "last sync",
            "Laatste synchronisatie",
            "Dernière synchronisation",
            "Letzter Check-in",
            "Letzte Synchronisierung",
            "Pēdējā sinhronizācija",
        ),  # fmt: skip
        help=gettext_lazy(
            "When the device last checked in, in UTC: 2024-09-30 14:05:00, 2024-09-30T14:05:00Z, "
            "9/30/2024 2:05:00 PM or 2024-10-07 09:08 AM."
        ),
    ),
    FieldSpec(
        "status",
        gettext_lazy("Enrolment status"),
        kept=CHECKED,
        aliases=("Status", "status", "Statut", "Statuss"),
        help=gettext_lazy("Google Admin's status: a DEPROVISIONED device is skipped, not counted as enrolled."),
    ),
    FieldSpec(
        "source",
        gettext_lazy("Management tool"),
        kept=STORED,
        aliases=("Tool", "Beheertool", "Outil de gestion", "Verwaltungswerkzeug", "Pārvaldības rīks"),
        help=gettext_lazy("Which tool wrote the file: intune or google (a profile constant)."),
    ),
)


def _newer(candidate: list, kept: list) -> bool:
    """Whether ``candidate`` checked in later than ``kept`` (a row without a time is the oldest)."""
    return candidate[4] is not None and (kept[4] is None or candidate[4] > kept[4])


@register_importer
class ManagementReportImporter(Importer):
    target = TARGET
    label = gettext_lazy("Device-management report (Intune, Google Admin)")
    model = ManagementReport
    fields = FIELDS

    def _scope(self) -> tuple[SchoolOperator, School | None]:
        constants = self.profile.constants
        if constants.get("operator_id"):
            operator = SchoolOperator.objects.get(pk=constants["operator_id"])
            school = School.objects.get(pk=constants["school_id"]) if constants.get("school_id") else None
        else:
            operator, school = scope_from_assignments(self.actor)
        if not permits(self.actor, Action.ADD, ManagementReport(operator=operator, school=school)):
            raise PermissionDenied(_("You may not import management reports for this operator or school."))
        return operator, school

    def _column(self, field_name: str) -> str:
        """The file's header for a field: the first of the column's sources the file has, as the
        file spells it (a profile may list "Last Sync" and "last sync")."""
        column = next((c for c in self.profile.columns if c.field == field_name), None)
        if column is None:
            return field_name
        in_file = {_header_key(header): header for header in self.headers}
        for source in column.sources:
            if _header_key(source) in in_file:
                return in_file[_header_key(source)]
        return column.sources[0]

    @classmethod
    def unpack(cls, source, *, filename: str) -> tuple[Any, str, dict[str, Any]]:
        """The file as it is; its name kept for the errors this importer raises itself."""
        name = filename or os.path.basename(str(getattr(source, "name", "") or source))
        return source, filename, {"filename": name}

    def _check_tool(self, source: str) -> None:
        """Refuse an export that carries only the other tool's own columns."""
        headers = {_header_key(header): header for header in self.headers}
        own = SIGNATURE_COLUMNS[source] & headers.keys()
        for other, signature in SIGNATURE_COLUMNS.items():
            found = sorted(signature & headers.keys())
            if other == source or not found or own:
                continue
            raise ImportFileError(
                _("the file looks like an export of %(other)s (columns %(columns)s), not of %(tool)s: choose %(other)s")
                % {
                    "other": ManagementReport.Source(other).label,
                    "tool": ManagementReport.Source(source).label,
                    "columns": ", ".join(repr(headers[key]) for key in found),
                },
                filename=str(self.profile.constants.get("original_filename") or self.context.get("filename") or ""),
                line=1,
            )

    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        constants = self.profile.constants
        refuse_constant_columns(self.profile, ("source",))
        source = constants.get("source") or self.profile.name
        if source not in MANAGED_TYPES:
            raise ImportFileError(
                _("profile %(name)s does not say which tool wrote the file") % {"name": self.profile.name}
            )
        # The engine checks the header row when the first row is read: its missing columns come first.
        rows = iter(rows)
        first = next(rows, None)
        self._check_tool(source)
        if first is not None:
            rows = itertools.chain([first], rows)
        operator, school = self._scope()
        data = ReportPlan(
            source=source,
            operator=operator,
            school=school,
            original_filename=str(constants.get("original_filename") or self.profile.label)[:255],
            sha256=str(constants.get("sha256") or ""),
        )
        rejected: list[RowError] = []
        by_key: dict[tuple[str, str], list] = {}
        last_sync_column = self._column("last_sync")
        for row in rows:
            if row.errors:
                rejected.extend(row.errors)
                continue
            values = row.values
            serial = normalise_serial(values.get("serial"))
            if not serial:
                data.skipped_without_serial += 1
                continue
            if str(values.get("status") or "").strip().upper() == "DEPROVISIONED":
                data.skipped_deprovisioned += 1
                continue
            text = str(values.get("last_sync") or "")
            try:
                last_sync_at = parse_check_in(text)
            except ValueError as error:
                rejected.append(RowError(row.line, last_sync_column, str(error), text[:80]))
                continue
            manufacturer = str(values.get("manufacturer") or "").strip()
            entry = [
                serial,
                manufacturer,
                str(values.get("model_name") or "").strip(),
                str(values.get("device_name") or "").strip(),
                last_sync_at,
                None,
            ]
            key = (serial, manufacturer_key(manufacturer))
            kept = by_key.get(key)
            if kept is not None:
                # A device listed twice (re-enrolled, stale record): the newest check-in counts.
                data.skipped_duplicates += 1
                if _newer(entry, kept):
                    kept[:] = entry
                continue
            by_key[key] = entry
        self._match(data, list(by_key.values()))
        data.same_as = self._same_report(data)
        if data.same_as is not None:
            # The same export again: the stored report already says all of it.
            return Plan(created=0, unchanged=len(data.rows) + data.skipped, rejected=rejected, data=data)
        return Plan(created=len(data.rows), unchanged=data.skipped, rejected=rejected, data=data)

    def _same_report(self, data: ReportPlan) -> ManagementReport | None:
        """The scope's latest report when it holds exactly these rows, matched to the same devices,
        with the same count of funded devices not enrolled; else None (a new report is stored)."""
        latest = (
            ManagementReport.objects.filter(source=data.source, operator=data.operator, school=data.school)
            .order_by("-uploaded_at", "-id")
            .first()
        )
        if latest is None or (latest.rows, latest.not_enrolled) != (len(data.rows), data.not_enrolled):
            return None
        stored = ManagedDevice.objects.filter(report=latest).values_list(*MANAGED_DEVICE_FIELDS[1:])
        # A Counter compares aware times by their instant, whatever zone the file wrote them in.
        return latest if Counter(stored) == Counter(tuple(row) for row in data.rows) else None

    def _match(self, data: ReportPlan, entries: list[list]) -> None:
        """Match each entry to a funded device of the scope; count the funded devices left over."""
        devices = Device.objects.filter(school__operator=data.operator)
        if data.school is not None:
            devices = devices.filter(school=data.school)
        by_serial: dict[str, list[FundedDevice]] = defaultdict(list)
        should_enrol: set[int] = set()
        managed_types = MANAGED_TYPES[data.source]
        fields = ("pk", "serial", "manufacturer", "status", "device_type")
        for pk, serial, manufacturer, status, device_type in devices.values_list(*fields).iterator(chunk_size=10000):
            by_serial[serial].append(FundedDevice(pk, serial, manufacturer))
            if status in NOT_ENROLLED_STATUSES and device_type in managed_types:
                should_enrol.add(pk)
        by_device: dict[int, list] = {}
        for entry in entries:
            device_id = match_device(entry[0], entry[1], by_serial.get(entry[0], ()))
            if device_id is None:
                data.rows.append(entry)
                continue
            entry[5] = device_id
            kept = by_device.get(device_id)
            if kept is None:
                by_device[device_id] = entry
                data.rows.append(entry)
                continue
            # Two rows about one funded device (one names the manufacturer, one does not).
            data.skipped_duplicates += 1
            if _newer(entry, kept):
                kept[:] = entry
        data.not_enrolled = len(should_enrol - by_device.keys())

    def commit(self, plan: Plan) -> None:
        data: ReportPlan = plan.data
        created = _created_reports.get()
        if data.same_as is not None:
            if created is not None:
                created.append((data.same_as, data))
            return  # a re-import of the same export writes nothing and records nothing
        matched = data.matched
        report = ManagementReport.objects.create(
            source=data.source,
            operator=data.operator,
            school=data.school,
            original_filename=data.original_filename,
            sha256=data.sha256,
            rows=len(data.rows),
            matched=matched,
            unknown=len(data.rows) - matched,
            not_enrolled=data.not_enrolled,
            uploaded_by=self.actor if getattr(self.actor, "pk", None) else None,
        )
        bulk_insert(ManagedDevice, MANAGED_DEVICE_FIELDS, ([report.pk, *row] for row in data.rows))
        after = audit.snapshot(report, ["source", "operator", "school", "original_filename", "sha256"])
        after.update(
            rows=report.rows,
            matched=report.matched,
            unknown=report.unknown,
            not_enrolled=report.not_enrolled,
            skipped_without_serial=data.skipped_without_serial,
            skipped_duplicates=data.skipped_duplicates,
            skipped_deprovisioned=data.skipped_deprovisioned,
        )
        audit.record(actor=self.actor, action="import", instance=report, after=after)
        if created is not None:
            created.append((report, data))
