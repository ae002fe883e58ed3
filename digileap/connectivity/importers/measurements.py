"""The measurement importer: a target (``measurements``) of the core tabular engine.

Each row is one speed test: ``measured_at`` (a time with its zone, or a local time in the
installation's zone), ``school`` (the official number, among the schools the importing user may
add measurements for; any other school is "unknown"), optionally ``site`` (the site's code or name
within that school), ``download`` and optionally ``upload`` (in the profile's ``speed_unit``:
``mbps`` by default, ``kbps`` or ``bps``; stored in Mbit/s), ``latency`` (ms) and ``connection``
(wired, wifi). The profile's ``source`` option (default: the profile's name when it is a source,
else ``generic``) is stored with every row.

The path is set-based, for files of millions of rows (docs/connectivity-measurements.md):

- the parsed rows are kept as Arrow columns; numbers and times are checked and converted column by
  column (Arrow's ISO 8601 parser, the local times localised in one call), and only the invalid
  cells are looked at one by one, to name them;
- schools and sites are looked up once per distinct number;
- a row is identified by school, time (to the second) and source: rows repeated within the file
  count once (repeated with other figures: rejected); the candidates go into a TEMP staging table
  (``COPY`` on PostgreSQL, ``executemany`` in batches on SQLite) and are compared with the stored
  rows in SQL, so a re-import reads nothing into memory and writes nothing;
- the commit is one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` from the staging table, then
  ``ANALYZE`` on PostgreSQL, then the daily aggregates of the days it touched
  (``services.aggregation.aggregate_days``), and one audit event with the counts.
"""

import datetime
import io
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.bulk import chunked
from digileap.core.permissions import Action, assignments_for
from digileap.core.tabular.engine import Importer, Plan, register_importer
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.fields import CHECKED, FieldSpec
from digileap.core.tabular.parsing import ParsedRow
from digileap.core.tabular.profiles import register_profile_dir
from digileap.schools.models import School, Site

from ..models import MAX_MBPS, Connection, Measurement, Source

TARGET = "measurements"
register_profile_dir(TARGET, Path(__file__).resolve().parent.parent / "import_profiles" / TARGET)

FIELDS = ("measured_at", "school", "site", "download", "upload", "latency", "connection", "authority")
CHUNK_ROWS = 65_536
STAGE = "digileap_measurement_stage"
# A latency above ten minutes is not a measurement.
MAX_LATENCY_MS = 600_000
# A device clock a little ahead is not "the future".
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
# What a speed in the file is divided by to give Mbit/s (a division, so 54300 kbit/s is exactly 54.3).
SPEED_UNITS = {"mbps": 1, "kbps": 1000, "bps": 1_000_000}
CONNECTIONS = {
    "": Connection.UNKNOWN,
    "unknown": Connection.UNKNOWN,
    "wired": Connection.WIRED,
    "ethernet": Connection.WIRED,
    "lan": Connection.WIRED,
    "cable": Connection.WIRED,
    "wifi": Connection.WIFI,
    "wi-fi": Connection.WIFI,
    "wlan": Connection.WIFI,
    "wireless": Connection.WIFI,
}
_NUMBER = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$"
# What Arrow's ISO 8601 cast reads: a date, a time to the minute or second (fractions allowed),
# and a zone (Z, +01:00, +0100) or none.
_ISO = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
_ISO_ZONED = _ISO + r"(Z|[+-]\d{2}(:?\d{2})?)$"
_ISO_LOCAL = _ISO + r"$"
_OTHER_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
)

MEASUREMENT_FIELDS = (
    FieldSpec(
        "measured_at",
        gettext_lazy("Time of the test"),
        required=True,
        aliases=("Timestamp", "Time", "Date", "Zeit", "Zeitpunkt", "Tijdstip", "Date et heure", "Laiks", "created_at"),
        help=gettext_lazy("2024-05-03T10:15:00+02:00, or a local time in the installation's time zone."),
    ),
    FieldSpec(
        "school",
        gettext_lazy("School number"),
        kept=CHECKED,
        required=True,
        aliases=("School", "school_id", "Schulnummer", "Schoolnummer", "Numéro d'école", "Skolas numurs"),
        help=gettext_lazy("The school's official number within its authority."),
    ),
    FieldSpec(
        "site",
        gettext_lazy("Site"),
        kept=CHECKED,
        aliases=("Site", "Building", "Standort", "Vestigingsplaats", "Implantation", "Ēka"),
        help=gettext_lazy("The code or name of one of the school's sites."),
    ),
    FieldSpec(
        "download",
        gettext_lazy("Download"),
        required=True,
        aliases=("download_mbps", "Download", "Download speed", "Downstream"),
        help=gettext_lazy("In the profile's unit (Mbit/s unless it says kbit/s or bit/s)."),
    ),
    FieldSpec(
        "upload",
        gettext_lazy("Upload"),
        aliases=("upload_mbps", "Upload", "Upload speed", "Upstream"),
        help=gettext_lazy("In the profile's unit (Mbit/s unless it says kbit/s or bit/s)."),
    ),
    FieldSpec(
        "latency",
        gettext_lazy("Latency (ms)"),
        aliases=("latency_ms", "Latency", "Ping", "Latenz", "Latentie", "Latence", "Latentums"),
    ),
    FieldSpec(
        "connection",
        gettext_lazy("Connection"),
        aliases=("Connection", "Connection type", "Verbindung", "Verbinding", "Connexion", "Savienojums"),
        help=gettext_lazy("wired or wifi (empty: not known)."),
    ),
    FieldSpec(
        "authority",
        gettext_lazy("Authority code"),
        kept=CHECKED,
        help=gettext_lazy("Only needed when the same school number exists in several authorities you may import for."),
    ),
)


_ArrayT = TypeVar("_ArrayT", bound=pa.Array)


def _fill_null(values: _ArrayT, fill_value: object) -> _ArrayT:
    """``pc.fill_null(values, fill_value)``, with the array's own type.

    The stubs give ``pc.fill_null`` the signature of ``pc.coalesce`` (no Python value, any array
    type back); the scalar is what ``pc.fill_null`` makes of ``fill_value`` itself.
    """
    return cast(_ArrayT, pc.fill_null(values, pa.scalar(fill_value, values.type)))


def installation_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def schools_in_scope(actor):
    """The schools ``actor`` may add measurements for (the others are "unknown" to the import)."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(actor, Action.ADD, Measurement):
        kind = assignment.scope_kind
        if kind == "all":
            return School.objects.all()
        if kind == "authority":
            condition |= Q(authority_id=assignment.scope_id)
        elif kind == "operator":
            condition |= Q(operator_id=assignment.scope_id)
        elif kind == "school":
            condition |= Q(pk=assignment.scope_id)
    return School.objects.filter(condition)


@dataclass
class MeasurementPlan:
    """What the commit writes: the staged candidates, and the local days they touch per school."""

    source: str
    staged: int = 0
    days: dict[int, set[datetime.date]] = field(default_factory=dict)


class _Errors:
    def __init__(self, lines: np.ndarray, count: int):
        self.lines = lines
        self.failed = np.zeros(count, dtype=bool)
        self.items: list[RowError] = []
        self.seen: set[tuple[int, str]] = set()

    def add(self, position: int, column: str, message: str, value) -> None:
        """One error per row and column: the first reason found (the parser's, if it had one)."""
        self.failed[position] = True
        key = (int(self.lines[position]), column)
        if key in self.seen:
            return
        self.seen.add(key)
        self.items.append(RowError(int(self.lines[position]), column, message, "" if value is None else str(value)))


class MeasurementImporter(Importer):
    target = TARGET
    label = gettext_lazy("Connectivity measurements (speed tests)")
    model = Measurement
    fields = MEASUREMENT_FIELDS

    def __init__(self, *, profile, actor):
        super().__init__(profile=profile, actor=actor)
        self.column_of = {c.field: c.sources[0] for c in profile.columns}
        options = profile.options or {}
        unit = str(options.get("speed_unit", "mbps")).lower()
        if unit not in SPEED_UNITS:
            raise ImportFileError(
                _("profile %(profile)s: unknown speed unit %(unit)r; use one of %(units)s")
                % {"profile": profile.name, "unit": unit, "units": ", ".join(SPEED_UNITS)}
            )
        self.divisor = SPEED_UNITS[unit]
        source = options.get("source") or (profile.name if profile.name in Source.values else Source.GENERIC)
        if source not in Source.values or source == Source.BROWSER:
            raise ImportFileError(
                _("profile %(profile)s: unknown source %(source)r") % {"profile": profile.name, "source": source}
            )
        self.source = source
        self.now = timezone.now()

    def column(self, name: str) -> str:
        return self.column_of.get(name, name)

    # -- planning --------------------------------------------------------------------------------

    def _columns(self, rows: Iterable[ParsedRow]) -> tuple[dict[str, pa.StringArray], np.ndarray, dict[int, list]]:
        chunks: dict[str, list[pa.Array]] = {name: [] for name in FIELDS}
        lines: list[np.ndarray] = []
        parse_errors: dict[int, list[RowError]] = {}
        buffer: list[tuple] = []
        buffer_lines: list[int] = []
        position = 0

        def flush() -> None:
            if not buffer:
                return
            for name, values in zip(FIELDS, zip(*buffer, strict=True), strict=True):
                try:
                    array = pa.array(values, type=pa.string())
                except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value the profile typed (a number, a date)
                    array = pa.array([None if v is None else str(v) for v in values], type=pa.string())
                # Empty cells are missing values.
                chunks[name].append(pc.if_else(pc.equal(array, pa.scalar("")), pa.scalar(None, pa.string()), array))
            lines.append(np.asarray(buffer_lines, dtype=np.int64))
            buffer.clear()
            buffer_lines.clear()

        for parsed in rows:
            values = parsed.values
            buffer.append(tuple(map(values.get, FIELDS)))
            buffer_lines.append(parsed.line)
            if parsed.errors:
                parse_errors[position] = parsed.errors
            position += 1
            if len(buffer) >= CHUNK_ROWS:
                flush()
        flush()
        # Combined string chunks are a StringArray (the stubs say Array[StringScalar]).
        columns = {
            name: (
                cast(pa.StringArray, pa.chunked_array(parts, type=pa.string()).combine_chunks())
                if parts
                else pa.array([], pa.string())
            )
            for name, parts in chunks.items()
        }
        line = np.concatenate(lines) if lines else np.zeros(0, dtype=np.int64)
        return columns, line, parse_errors

    def _numbers(
        self, values: pa.StringArray, name: str, errors: _Errors, *, speed: bool, required: bool
    ) -> np.ndarray:
        """The column as float64 (NaN where empty or invalid); invalid cells become row errors."""
        column = self.column(name)
        stripped = pc.utf8_trim_whitespace(values)
        empty = _fill_null(pc.equal(stripped, pa.scalar("")), True)
        valid_text = _fill_null(pc.match_substring_regex(stripped, _NUMBER), False)
        bad_text = np.flatnonzero(pc.and_(pc.invert(empty), pc.invert(valid_text)).to_numpy(zero_copy_only=False))
        for position in bad_text:
            value = values[int(position)].as_py()
            errors.add(int(position), column, _("%(value)r is not a number") % {"value": value}, value)
        if required:
            for position in np.flatnonzero(empty.to_numpy(zero_copy_only=False)):
                errors.add(int(position), column, _("the value is missing"), "")
        cleaned: pa.StringArray = pc.if_else(valid_text, pc.replace_substring(stripped, ",", "."), "nan")
        numbers = pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False).copy()
        if speed and self.divisor != 1:
            numbers /= self.divisor
        known = ~np.isnan(numbers)
        negative = np.flatnonzero(known & (numbers < 0))
        for position in negative:
            errors.add(
                int(position),
                column,
                _("%(value)s is negative") % {"value": values[int(position)].as_py()},
                values[int(position)].as_py(),
            )
        limit = MAX_MBPS if speed else MAX_LATENCY_MS
        too_high = np.flatnonzero(known & (numbers > limit))
        for position in too_high:
            value = values[int(position)].as_py()
            if speed:
                message = _("%(value)s is %(mbps)s Mbit/s: more than 100 Gbit/s is not a real measurement") % {
                    "value": value,
                    "mbps": f"{numbers[position]:,.0f}",
                }
            else:
                message = _("%(value)s ms is more than ten minutes: not a real latency") % {"value": value}
            errors.add(int(position), column, message, value)
        numbers[negative] = np.nan
        numbers[too_high] = np.nan
        return numbers

    def _times(self, values: pa.StringArray, errors: _Errors) -> np.ndarray:
        """Seconds since the epoch (UTC) per row, int64; -1 where invalid."""
        column = self.column("measured_at")
        stripped = pc.utf8_trim_whitespace(_fill_null(values, ""))
        zoned = pc.match_substring_regex(stripped, _ISO_ZONED).to_numpy(zero_copy_only=False)
        local = pc.match_substring_regex(stripped, _ISO_LOCAL).to_numpy(zero_copy_only=False)
        result = np.full(len(values), -1, dtype=np.int64)
        zone = settings.TIME_ZONE
        if zoned.any():
            positions = np.flatnonzero(zoned)
            part = pc.take(stripped, pa.array(positions, pa.int64()))
            # Arrow reads "+0100" and "+01:00" and "Z"; a bare "+01" is widened first.
            part = pc.replace_substring_regex(part, r"([+-]\d{2})$", r"\1:00")
            try:
                stamps = pc.cast(pc.cast(part, pa.timestamp("us", tz="UTC")), pa.timestamp("s", tz="UTC"), safe=False)
                result[positions] = stamps.cast(pa.int64()).to_numpy(zero_copy_only=False)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                local[positions] = False
                zoned[positions] = False
        if local.any():
            positions = np.flatnonzero(local)
            part = pc.take(stripped, pa.array(positions, pa.int64()))
            try:
                # A cast to a timestamp type gives a TimestampArray (the stubs: a plain Array).
                naive = cast(
                    pa.TimestampArray, pc.cast(pc.cast(part, pa.timestamp("us")), pa.timestamp("s"), safe=False)
                )
                aware = pc.assume_timezone(naive, timezone=zone, ambiguous="earliest", nonexistent="latest")
                result[positions] = aware.cast(pa.int64()).to_numpy(zero_copy_only=False)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                local[positions] = False
        others = np.flatnonzero(~(zoned | local))
        tz = installation_zone()
        for position in others:
            text = stripped[int(position)].as_py()
            if not text:
                errors.add(int(position), column, _("the value is missing"), "")
                continue
            moment = _parse_time(text, tz)
            if moment is None:
                errors.add(
                    int(position),
                    column,
                    _("%(value)r is not a time (use 2024-05-03T10:15:00+02:00 or 2024-05-03 10:15)") % {"value": text},
                    text,
                )
                continue
            result[position] = int(moment.timestamp())
        limit = int((self.now + FUTURE_TOLERANCE).timestamp())
        for position in np.flatnonzero(result > limit):
            value = values[int(position)].as_py()
            errors.add(
                int(position),
                column,
                _("%(value)s is in the future") % {"value": value},
                value,
            )
            result[position] = -1
        return result

    def _schools(self, values: pa.StringArray, authorities: pa.StringArray, errors: _Errors) -> np.ndarray:
        """The school id per row (0 where unknown)."""
        column = self.column("school")
        numbers = pc.utf8_trim_whitespace(_fill_null(values, ""))
        authority_codes = pc.utf8_trim_whitespace(_fill_null(authorities, ""))
        # The last argument is the separator; the stubs take only arrays or only scalars.
        keys: pa.StringArray = pc.binary_join_element_wise(authority_codes, numbers, "\x1f")  # type: ignore[call-overload]
        encoded = keys.dictionary_encode()
        # An encoded array's dictionary holds no null.
        distinct = cast(list[str], encoded.dictionary.to_pylist())
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        wanted = sorted({key.split("\x1f", 1)[1] for key in distinct} - {""})
        found: dict[str, list[tuple[int, str]]] = {}
        scope = schools_in_scope(self.actor)
        for chunk in chunked(wanted, 900):
            for school_id, number, authority_code in scope.filter(number__in=chunk).values_list(
                "id", "number", "authority__code"
            ):
                found.setdefault(number, []).append((school_id, authority_code))
        ids = np.zeros(len(distinct), dtype=np.int64)
        messages: dict[int, str] = {}
        for index, key in enumerate(distinct):
            authority_code, number = key.split("\x1f", 1)
            if not number:
                messages[index] = _("the value is missing")
                continue
            matches = [m for m in found.get(number, []) if not authority_code or m[1] == authority_code]
            if len(matches) == 1:
                ids[index] = matches[0][0]
            elif not matches:
                messages[index] = _("unknown school %(number)s (or a school outside your scope)") % {"number": number}
            else:
                messages[index] = _(
                    "school number %(number)s exists in several authorities (%(codes)s); add an authority column"
                ) % {"number": number, "codes": ", ".join(sorted(m[1] for m in matches))}
        if messages:
            bad = np.isin(indices, np.fromiter(messages, dtype=indices.dtype))
            for position in np.flatnonzero(bad):
                errors.add(int(position), column, messages[int(indices[position])], numbers[int(position)].as_py())
        return ids[indices]

    def _sites(self, values: pa.StringArray, school_ids: np.ndarray, errors: _Errors) -> np.ndarray:
        """The site id per row (0: none given)."""
        result = np.zeros(len(values), dtype=np.int64)
        given = np.flatnonzero(pc.is_valid(values).to_numpy(zero_copy_only=False) & (school_ids > 0))
        if not len(given):
            return result
        schools = sorted({int(s) for s in school_ids[given]})
        by_school: dict[int, dict[str, int]] = {}
        for chunk in chunked(schools, 900):
            for site_id, school_id, code, name in Site.objects.filter(school_id__in=chunk).values_list(
                "id", "school_id", "code", "name"
            ):
                sites = by_school.setdefault(school_id, {})
                sites.setdefault(_key(name), site_id)
                if code:
                    sites[_key(code)] = site_id
        column = self.column("site")
        cache: dict[tuple[int, str], int] = {}
        for position in given:
            text = values[int(position)].as_py()
            school_id = int(school_ids[position])
            key = (school_id, _key(text))
            if key not in cache:
                cache[key] = by_school.get(school_id, {}).get(key[1], 0)
            if cache[key]:
                result[position] = cache[key]
            else:
                errors.add(int(position), column, _("the school has no site %(site)r") % {"site": text}, text)
        return result

    def _connections(self, values: pa.StringArray, errors: _Errors) -> pa.StringArray:
        column = self.column("connection")
        encoded = pc.utf8_lower(pc.utf8_trim_whitespace(_fill_null(values, ""))).dictionary_encode()
        mapped: list[str] = []
        for index, text in enumerate(encoded.dictionary.to_pylist()):
            if text in CONNECTIONS:
                mapped.append(str(CONNECTIONS[text]))
            else:
                mapped.append(str(Connection.UNKNOWN))
                for position in np.flatnonzero(encoded.indices.to_numpy(zero_copy_only=False) == index):
                    errors.add(
                        int(position),
                        column,
                        _("unknown connection %(value)r; use wired or wifi") % {"value": values[int(position)].as_py()},
                        values[int(position)].as_py(),
                    )
        return pa.array(mapped, pa.string()).take(encoded.indices)

    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        plan = Plan(data=MeasurementPlan(source=self.source))
        columns, lines, parse_errors = self._columns(rows)
        count = len(lines)
        errors = _Errors(lines, count)
        for position, row_errors in parse_errors.items():
            errors.failed[position] = True
            errors.items.extend(row_errors)
            errors.seen.update((error.line, error.column) for error in row_errors)
        if not count:
            return plan
        times = self._times(columns["measured_at"], errors)
        download = self._numbers(columns["download"], "download", errors, speed=True, required=True)
        upload = self._numbers(columns["upload"], "upload", errors, speed=True, required=False)
        latency = self._numbers(columns["latency"], "latency", errors, speed=False, required=False)
        school_ids = self._schools(columns["school"], columns["authority"], errors)
        site_ids = self._sites(columns["site"], school_ids, errors)
        connections = self._connections(columns["connection"], errors)
        del columns

        # Rows repeated within the file (same school and second): the first counts, an identical
        # repetition is unchanged, one with other figures is rejected.
        valid = ~errors.failed
        positions = np.flatnonzero(valid)
        order = positions[np.lexsort((positions, times[positions], school_ids[positions]))]
        same_as_previous = np.zeros(len(order), dtype=bool)
        if len(order) > 1:
            same_as_previous[1:] = (school_ids[order[1:]] == school_ids[order[:-1]]) & (
                times[order[1:]] == times[order[:-1]]
            )
        keep = np.ones(count, dtype=bool)
        repeated = 0
        if same_as_previous.any():
            first = order.copy()
            for i in range(1, len(order)):
                if same_as_previous[i]:
                    first[i] = first[i - 1]
            connection_values = connections.to_numpy(zero_copy_only=False)
            for repeat in np.flatnonzero(same_as_previous):
                p, f = order[repeat], first[repeat]
                keep[p] = False
                same = (
                    _equal(download[p], download[f])
                    and _equal(upload[p], upload[f])
                    and _equal(latency[p], latency[f])
                    and site_ids[p] == site_ids[f]
                    and connection_values[p] == connection_values[f]
                )
                if same:
                    repeated += 1
                else:
                    errors.add(
                        int(p),
                        self.column("measured_at"),
                        _("line %(line)s has a measurement of the same school at the same time with other figures")
                        % {"line": int(lines[f])},
                        _format_time(int(times[p])),
                    )
        plan.rejected.extend(errors.items)
        candidates = np.flatnonzero(~errors.failed & keep)
        staged = self._stage(candidates, lines, school_ids, site_ids, times, download, upload, latency, connections)
        plan.data.staged = staged
        created, unchanged, conflicts = self._compare()
        for line, _school_id, measured_at in conflicts:
            plan.rejected.append(
                RowError(
                    line,
                    self.column("measured_at"),
                    _("a measurement of this school at %(time)s is already stored with other figures")
                    % {"time": measured_at},
                    measured_at,
                )
            )
        plan.created = created
        plan.unchanged = unchanged + repeated
        if conflicts:
            self._drop_lines([c[0] for c in conflicts])
        plan.rejected.sort(key=lambda e: (e.line, e.column))
        # The local days each school's new rows fall on: the commit aggregates them.
        if created:
            zone = installation_zone()
            local_days = cast(
                pa.TimestampArray,
                pa.array(times[candidates], pa.timestamp("s", tz="UTC")).cast(pa.timestamp("s", tz=zone.key)),
            )
            days = pc.cast(pc.local_timestamp(local_days), pa.date32()).to_numpy(zero_copy_only=False)
            pairs = np.unique(
                np.stack([school_ids[candidates], days.astype("datetime64[D]").astype(np.int64)], axis=1), axis=0
            )
            epoch = datetime.date(1970, 1, 1)
            for school_id, day in pairs:
                plan.data.days.setdefault(int(school_id), set()).add(epoch + datetime.timedelta(days=int(day)))
        return plan

    # -- staging and comparing in SQL ---------------------------------------------------------------

    def _stage(self, candidates, lines, school_ids, site_ids, times, download, upload, latency, connections) -> int:
        drop_stage()
        columns = (
            ("line", "integer"),
            ("school_id", "bigint"),
            ("site_id", "bigint"),
            ("measured_at", "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"),
            ("download_mbps", "double precision"),
            ("upload_mbps", "double precision"),
            ("latency_ms", "double precision"),
            ("connection", "varchar(16)"),
        )
        names = ", ".join(name for name, _kind in columns)
        definition = ", ".join(f"{name} {kind}" for name, kind in columns)

        def nullable(values: np.ndarray) -> pa.Array:
            return pa.array(values, pa.float64(), mask=np.isnan(values))

        def table(part: np.ndarray) -> pa.Table:
            return pa.table(
                {
                    "line": pa.array(lines[part], pa.int64()),
                    "school_id": pa.array(school_ids[part], pa.int64()),
                    "site_id": pa.array(site_ids[part], pa.int64(), mask=site_ids[part] == 0),
                    "measured_at": pc.strftime(
                        cast(pa.TimestampArray, pa.array(times[part], pa.timestamp("s", tz="UTC"))),
                        format="%Y-%m-%d %H:%M:%S",
                    ),
                    "download_mbps": nullable(download[part]),
                    "upload_mbps": nullable(upload[part]),
                    "latency_ms": nullable(latency[part]),
                    "connection": connections.take(pa.array(part)),
                }
            )

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE {STAGE} ({definition})")
            if connection.vendor == "postgresql":
                options = pa_csv.WriteOptions(include_header=False)
                with cursor.cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
                    for start in range(0, len(candidates), 200_000):
                        part = table(candidates[start : start + 200_000])
                        # The last argument is the separator; the stubs take only arrays or only scalars.
                        joined = pc.binary_join_element_wise(part["measured_at"], "+00", "")  # type: ignore[call-overload]
                        part = part.set_column(3, "measured_at", joined)
                        buffer = io.BytesIO()
                        pa_csv.write_csv(part, buffer, options)
                        copy.write(buffer.getbuffer())
                cursor.execute(f"CREATE INDEX ON {STAGE} (school_id, measured_at)")
                cursor.execute(f"ANALYZE {STAGE}")
            else:
                sql = f"INSERT INTO {STAGE} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
                for start in range(0, len(candidates), 100_000):
                    part = table(candidates[start : start + 100_000])
                    # Django takes any iterable of rows here (its SQLite cursor tees it); the stubs want a Sequence.
                    rows = zip(*(column.to_pylist() for column in part.columns), strict=True)
                    cursor.executemany(sql, rows)  # type: ignore[arg-type]
                cursor.execute(f"CREATE INDEX {STAGE}_key ON {STAGE} (school_id, measured_at)")
        return len(candidates)

    def _compare(self) -> tuple[int, int, list[tuple[int, int, str]]]:
        """(new rows, rows stored already with the same figures, rows stored with other figures)."""
        table = Measurement._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {STAGE}")
            total = cursor.fetchone()[0]
            cursor.execute(
                f"""SELECT s.line, s.school_id, s.measured_at,
                       (s.download_mbps = m.download_mbps
                        AND (s.upload_mbps = m.upload_mbps OR (s.upload_mbps IS NULL AND m.upload_mbps IS NULL))
                        AND (s.latency_ms = m.latency_ms OR (s.latency_ms IS NULL AND m.latency_ms IS NULL))
                        AND (s.site_id = m.site_id OR (s.site_id IS NULL AND m.site_id IS NULL))
                        AND s.connection = m.connection)
                FROM {STAGE} s JOIN {table} m
                  ON m.school_id = s.school_id AND m.measured_at = s.measured_at AND m.source = %s""",
                [self.source],
            )
            found = cursor.fetchall()
        unchanged = sum(1 for row in found if row[3])
        conflicts = [(row[0], row[1], _format_value(row[2])) for row in found if not row[3]]
        return total - len(found), unchanged, conflicts

    def _drop_lines(self, lines: list[int]) -> None:
        with connection.cursor() as cursor:
            for chunk in chunked(sorted(lines), 900):
                cursor.execute(f"DELETE FROM {STAGE} WHERE line IN ({', '.join(['%s'] * len(chunk))})", chunk)

    # -- writing ---------------------------------------------------------------------------------

    def commit(self, plan: Plan) -> None:
        data: MeasurementPlan = plan.data
        if not plan.created:
            drop_stage()
            return  # nothing new: a re-import leaves no trace, not even in the audit trail
        table = Measurement._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {table}
                    (school_id, site_id, measured_at, download_mbps, upload_mbps, latency_ms, connection, source)
                SELECT school_id, site_id, measured_at, download_mbps, upload_mbps, latency_ms, connection, %s
                FROM {STAGE} WHERE true
                ON CONFLICT (school_id, measured_at, source) DO NOTHING""",
                [data.source],
            )
            inserted = cursor.rowcount
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {table}")
        drop_stage()
        from ..services.aggregation import aggregate_school_days

        aggregates = aggregate_school_days(data.days)
        audit.record_many(
            actor=self.actor,
            changes=[
                audit.Change(
                    "import",
                    "connectivity.import",
                    self.profile.name,
                    _("Measurement import (%(profile)s)") % {"profile": self.profile.name},
                    None,
                    {
                        "created": inserted,
                        "unchanged": plan.unchanged,
                        "rejected": plan.rejected_lines,
                        "source": data.source,
                        "schools": len(data.days),
                        "daily_summaries": aggregates,
                    },
                )
            ],
        )


def drop_stage() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _equal(left: float, right: float) -> bool:
    return (np.isnan(left) and np.isnan(right)) or left == right


def _format_time(seconds: int) -> str:
    return timezone.localtime(datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)).isoformat()


def _format_value(value) -> str:
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = value.replace(tzinfo=datetime.UTC)
        return timezone.localtime(value).isoformat()
    return str(value)


def _parse_time(text: str, zone: zoneinfo.ZoneInfo) -> datetime.datetime | None:
    """A time in one of the other accepted forms, aware; None when it is none of them."""
    text = re.sub(r"\s+", " ", text)
    for pattern in _OTHER_FORMATS:
        try:
            moment = datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment
    return None


register_importer(MeasurementImporter)
