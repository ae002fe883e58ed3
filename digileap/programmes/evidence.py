"""Evidence packs (C3): for a milestone or target on a day, a ZIP an auditor can check.

The ZIP holds, in this order:

- ``manifest.json``: the programme, the target, the day, the value, the method (indicator kind and
  parameters), how many records, the SHA-256 of every other file and the audit chain's head hash;
- ``records.csv``: every record that counts toward the value (the indicator kind's ``records()``);
- ``summary.pdf``: programme, target, value, day, method and totals by school (WeasyPrint);
- ``totals_by_school.csv``: the totals by school in full (the PDF lists the first ``PDF_SCHOOLS``).

The same data gives the same bytes: files in a fixed order, ZIP timestamps set to the day, fixed
permissions, sorted JSON, and the PDF's dates set from the day. ``verify_pack`` checks a pack.

Speed (a million devices in seconds, in little memory): records that are one query
(``QueryRows``, the device kinds) never pass through Python row by row. The tables' statistics are
gathered first where missing (``ensure_statistics``); the database counts the records by school
(one GROUP BY) and writes records.csv itself, the formula escaping done in the query
(``core.exports.safe_cell_sql``): ``COPY (query) TO STDOUT (FORMAT csv)`` on PostgreSQL, in one
REPEATABLE READ snapshot with the totals; ``csv.writer`` over the cursor's rows on SQLite. The file
is hashed and deflated in a thread as it comes (``_Deflated``; zipfile's own deflate, so the ZIP has
the bytes it always had) and the summary PDF renders in another. Other records (money, documents)
are read row by row as before; both ways give the same bytes (``tests/test_evidence_streaming.py``).
"""

import csv
import datetime
import hashlib
import io
import json
import logging
import queue
import shutil
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import DatabaseError, connection, transaction
from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from digileap.core.audit import chain_head_hash
from digileap.core.exports import safe_cell, safe_cell_sql
from digileap.core.packs import MANIFEST, Verification, sha256, verify_manifest
from digileap.core.packs import csv_bytes as _csv_bytes
from digileap.core.packs import zip_info as _zip_info
from digileap.core.pdf import reproducible_fonts

from .indicators import get_kind
from .models import Target
from .status import assess, target_start

logger = logging.getLogger(__name__)

RECORDS = "records.csv"
SUMMARY = "summary.pdf"
TOTALS = "totals_by_school.csv"
# The target's approved evidence documents (a report, minutes) go into the pack as they were
# uploaded, listed in DOCUMENTS, whatever the target's indicator counts.
DOCUMENTS = "documents.csv"
DOCUMENTS_FOLDER = "documents/"
PDF_SCHOOLS = 200
FORMAT_VERSION = 1
CHUNK_SIZE = 5000  # rows a server-side cursor fetches at a time (records read through Python)
FETCH_ROWS = 20_000  # rows fetched at a time on SQLite
STREAM_BYTES = 1 << 20  # bytes of CSV rows gathered before they are written and hashed

Progress = Callable[[int], None]


class EvidenceError(Exception):
    """The target has no indicator that Digileap can compute."""


@dataclass
class SchoolTotal:
    number: str
    name: str
    records: int
    amount: Decimal | None


# --- records that are the rows of one query --------------------------------------------------------

TEXT, INTEGER, DATE, DATETIME = "text", "integer", "date", "datetime"
_COLUMN_TYPES = {
    **dict.fromkeys(["CharField", "TextField", "EmailField", "SlugField", "URLField"], TEXT),
    **dict.fromkeys(
        [
            "IntegerField",
            "SmallIntegerField",
            "BigIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "PositiveBigIntegerField",
            "AutoField",
            "SmallAutoField",
            "BigAutoField",
        ],
        INTEGER,
    ),
    "DateField": DATE,
    "DateTimeField": DATETIME,
}


class _Shared:
    """Hands out one object per distinct value, so rows that repeat a model, a school, a delivery
    or a day share the text instead of each holding a copy (a million rows, a few thousand texts)."""

    def __init__(self) -> None:
        self._values: dict[Any, str] = {}

    def text(self, value: Any) -> str:
        try:
            return self._values[value]
        except KeyError:
            text = "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)
            self._values[value] = text
            return text


def _cell_sql(column: str, kind: str, vendor: str) -> str:
    """SQL of one records.csv cell of a column: the text Python makes of the value (``_Shared.text``:
    ISO 8601 dates and times, in UTC as Django reads them with ``USE_TZ``; digits for integers),
    formula-escaped (``safe_cell_sql``). NULL, and on PostgreSQL also "", is NULL: the empty cell
    that COPY's CSV format writes unquoted, as ``csv.writer`` does (COPY quotes an empty string)."""
    if vendor == "postgresql":
        if kind == DATE:
            return f"to_char({column}, 'YYYY-MM-DD')"
        if kind == DATETIME:
            utc = f"({column} AT TIME ZONE 'UTC')"
            layout = (
                f"""CASE WHEN to_char({utc}, 'US') = '000000' THEN 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"' """
                f"""ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"' END"""
            )
            return f"to_char({utc}, {layout})"
        text = f"CAST({column} AS text)" if kind == INTEGER else column
        return f"NULLIF({safe_cell_sql(text, vendor=vendor)}, '')"
    # SQLite keeps dates as ISO text and times as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC (Django's adapter).
    if kind == DATE:
        return column
    if kind == DATETIME:
        return f"replace({column}, ' ', 'T') || '+00:00'"
    text = f"CAST({column} AS TEXT)" if kind == INTEGER else column
    return safe_cell_sql(text, vendor=vendor)


class QueryRows:
    """The rows of records that one query gives: an indicator kind's ``records().rows`` for records
    that may run to millions (devices, hand-outs).

    Iterating gives the rows as tuples of texts (``None`` as "", dates and times in ISO 8601) of
    ``fields`` of ``queryset`` (with ``annotations``) in ``order_by`` order, read in chunks from a
    server-side cursor; repeated texts are shared between rows, the values at the ``unique``
    positions (serials, references) are kept as they come. ``build_pack`` does not iterate: the
    database writes the CSV (``csv_query``) and counts the records by school
    (``school_totals``), so that no record passes through Python one by one."""

    def __init__(
        self,
        queryset: QuerySet,
        fields: Sequence[str],
        *,
        order_by: Sequence[str],
        annotations: dict[str, Any] | None = None,
        unique: Sequence[int] = (0,),
    ):
        self.queryset = queryset.order_by()
        self.fields = list(fields)
        self.order_by = list(order_by)
        self.annotations = dict(annotations or {})
        self.unique = tuple(unique)

    def ordered(self) -> QuerySet:
        """The records query: ``fields`` in order, as tuples (the benchmark's raw baseline)."""
        return self.queryset.annotate(**self.annotations).order_by(*self.order_by).values_list(*self.fields)

    def __iter__(self) -> Iterator[tuple]:
        text = _Shared().text
        rows = self.ordered().iterator(chunk_size=CHUNK_SIZE)
        if self.unique == (0,):  # the common case, the fastest way
            for first, *rest in rows:
                yield (first, *map(text, rest))
            return
        unique = self.unique
        for row in rows:
            yield tuple(value if at in unique else text(value) for at, value in enumerate(row))

    def _needed(self, *names: str) -> dict[str, Any]:
        return {name: expression for name, expression in self.annotations.items() if name in names}

    def csv_query(self, vendor: str) -> tuple[str, Sequence] | None:
        """SQL and parameters of a query whose rows are the records.csv cells (``_cell_sql``), in
        order; None where the database or a column's type does not allow it (the rows are then
        read through Python)."""
        if vendor not in ("postgresql", "sqlite") or not settings.USE_TZ or connection.timezone_name != "UTC":
            return None
        if vendor == "postgresql" and len(self.fields) < 2:
            return None  # COPY quotes a lone "\." of a one-column row
        order = [(name[1:], " DESC") if name.startswith("-") else (name, "") for name in self.order_by]
        if any(not name or name == "?" for name, _direction in order):
            return None
        inner = (
            self.queryset.annotate(**self.annotations)
            .order_by()
            .values(
                **{f"c{at}": F(field) for at, field in enumerate(self.fields)},
                **{f"k{at}": F(name) for at, (name, _direction) in enumerate(order)},
            )
        )
        quote = connection.ops.quote_name
        cells = []
        for at in range(len(self.fields)):
            kind = _COLUMN_TYPES.get(inner.query.annotations[f"c{at}"].output_field.get_internal_type())
            if kind is None:
                return None
            cells.append(_cell_sql(f"records.{quote(f'c{at}')}", kind, vendor))
        sql, params = inner.query.sql_with_params()
        keys = ", ".join(f"records.{quote(f'k{at}')}{direction}" for at, (_name, direction) in enumerate(order))
        return f"SELECT {', '.join(cells)} FROM ({sql}) records ORDER BY {keys}", params

    def _related(self, relation: str):
        """The model at the end of a path of foreign keys (``school``, ``recipient__school``), or None."""
        model = self.queryset.model
        for part in relation.split("__"):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return None
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                return None
            model = field.related_model
        return model

    def _groups(self, number: str, name: str | None) -> Iterable[tuple[Any, Any, int]]:
        """(number, name, records) per group of records with the same school (or the same number
        and name). Where both are columns of one related row (``school__number``, ``school__name``),
        the records are counted by its id, without joining it to every record, and its number and
        name are read afterwards, a few thousand rows."""
        relation, _sep, number_column = number.rpartition("__")
        name_relation, _sep, name_column = (name or number).rpartition("__")
        related = self._related(relation) if relation and name_relation == relation else None
        if related is not None and relation not in self.annotations:
            counts = self.queryset.values(relation).annotate(records=Count("pk")).order_by()
            counts = dict(counts.values_list(relation, "records"))
            ids = [pk for pk in counts if pk is not None]
            details: dict[Any, tuple[Any, Any]] = {}
            for start in range(0, len(ids), 2000):
                details.update(
                    (pk, (row_number, row_name if name else ""))
                    for pk, row_number, row_name in related._base_manager.filter(pk__in=ids[start : start + 2000])
                    .order_by()
                    .values_list("pk", number_column, name_column)
                )
            return [(*details.get(pk, (None, None)), records) for pk, records in counts.items()]
        queryset = self.queryset.annotate(**self._needed(number, name or number))
        names_of = {"school_name": F(name) if name else Value("", output_field=CharField())}
        grouped = queryset.values(school_number=F(number), **names_of).annotate(records=Count("pk"))
        return grouped.order_by().values_list("school_number", "school_name", "records")

    def school_totals(self, number_at: int, name_at: int | None) -> list[tuple[str, str, int]]:
        """(number, name, records) per school number, as ``_Totals`` counts them row by row: the
        name is that of the number's first record in order ("" without a name column). One GROUP
        BY query, and one more per number that two differently named schools share."""
        number = self.fields[number_at]
        name = self.fields[name_at] if name_at is not None else None
        names: dict[str, set[str]] = {}
        counts: dict[str, int] = {}
        for school_number, school_name, records in self._groups(number, name):
            key = str(school_number or "")
            names.setdefault(key, set()).add(str(school_name or ""))
            counts[key] = counts.get(key, 0) + records
        totals = []
        for key, found in names.items():
            if len(found) == 1:
                (first,) = found
            else:
                assert name is not None  # several names: the profile has a name column
                queryset = self.queryset.annotate(**self._needed(number, name))
                same = Q(**{number: key}) if key else Q(**{number: ""}) | Q(**{f"{number}__isnull": True})
                first = queryset.filter(same).order_by(*self.order_by).values_list(name, flat=True)[:1]
                first = str(next(iter(first), "") or "")
            totals.append((key, first, counts[key]))
        return totals

    def tables(self) -> list[str]:
        """The tables the records query reads."""
        query = self.queryset.annotate(**self.annotations).values_list(*self.fields).query
        query.get_compiler(connection=connection).as_sql()  # sets up every join
        return sorted({join.table_name for join in query.alias_map.values()})


# --- statistics ------------------------------------------------------------------------------------

# PostgreSQL plans the records query from the tables' statistics; without them (right after a bulk
# import, with autovacuum off or not yet run) it nests loops over a million devices (minutes
# instead of seconds). So the pack first analyses the tables it reads whose statistics are missing
# or stale (the table grew by more than a fifth since). SQLite alike, with a bounded sample.


def _stale_tables(tables: Sequence[str]) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_class c WHERE c.oid = ANY("
                "  SELECT to_regclass(quote_ident(name)) FROM unnest(%s::text[]) AS name)"
                " AND (c.reltuples < 0"
                "  OR pg_relation_size(c.oid) / current_setting('block_size')::bigint > c.relpages * 1.2 + 8)",
                [list(tables)],
            )
            return sorted(name for (name,) in cursor.fetchall())
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
            analysed: dict[str, int] = {}
            if cursor.fetchone():
                cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
                for table, stat in cursor.fetchall():
                    rows = int(str(stat or "0").split(" ")[0] or 0)
                    analysed[table] = max(analysed.get(table, 0), rows)
            stale = []
            for table in tables:
                cursor.execute(f"SELECT max(rowid) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                size = cursor.fetchone()[0] or 0
                if table not in analysed and size > 0 or size > analysed.get(table, 0) * 1.2 + 1000:
                    stale.append(table)
            return stale
    return []


def ensure_statistics(tables: Sequence[str]) -> list[str]:
    """ANALYZE the ``tables`` whose statistics are missing or stale; returns them. A database user
    that may not analyse a table leaves it as it is (the query still runs, only slower)."""
    try:
        stale = _stale_tables(tables)
    except DatabaseError:
        logger.warning("evidence pack: could not read the statistics of %s", ", ".join(tables), exc_info=True)
        return []
    analysed = []
    for table in stale:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA analysis_limit = 1000")
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            analysed.append(table)
        except DatabaseError:
            logger.warning("evidence pack: could not analyse %s", table, exc_info=True)
    return analysed


# --- the CSV files ---------------------------------------------------------------------------------


class _Deflated:
    """A file's bytes deflated into a temporary file as they come, as zipfile would deflate them
    (raw deflate at zlib's default level; the output does not depend on how the bytes are split),
    with their SHA-256, CRC-32 and size. The work runs in a thread (zlib and hashlib let go of the
    GIL), beside the database that writes the rows; at most ``QUEUED_CHUNKS`` chunks wait."""

    QUEUED_CHUNKS = 8

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()
        self.digest = hashlib.sha256()
        self.crc = 0
        self.size = 0
        self._compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        self._queue: queue.Queue = queue.Queue(maxsize=self.QUEUED_CHUNKS)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="evidence-deflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is not None:
                continue
            try:
                self.digest.update(data)
                self.crc = zlib.crc32(data, self.crc)
                self.size += len(data)
                self.file.write(self._compressor.compress(data))
            except BaseException as error:  # noqa: BLE001 - raised again by finish()
                self._error = error
        if self._error is None:
            try:
                self.file.write(self._compressor.flush())
            except BaseException as error:  # noqa: BLE001 - raised again by finish()
                self._error = error

    def write(self, data: bytes) -> None:
        if data:
            self._queue.put(data)

    def finish(self) -> "_Deflated":
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        self.file.seek(0)
        return self

    def discard(self) -> None:
        self._error = self._error or RuntimeError("discarded")
        self._queue.put(None)
        self._thread.join()
        self.file.close()


class _CsvSpool:
    """A CSV deflated as rows come (``_Deflated``): an evidence pack of a million devices never
    holds its records in memory. Rows from Python, or CSV bytes the database wrote."""

    def __init__(self, header: Iterable[str]):
        self.deflated = _Deflated()
        self._buffer = io.StringIO(newline="")
        self._writer = csv.writer(self._buffer, delimiter=";", lineterminator="\r\n")
        self._pending = 0
        self._writer.writerow(list(header))

    def write(self, row: Iterable) -> None:
        self._writer.writerow([safe_cell(value) for value in row])
        self._pending += 1
        if self._pending >= 5000:
            self._flush()

    def write_bytes(self, data: bytes) -> None:
        """CSV rows already written (by the database), after the rows so far."""
        self._flush()
        self.deflated.write(data)

    def _flush(self) -> None:
        data = self._buffer.getvalue().encode("utf-8")
        self._buffer.seek(0)
        self._buffer.truncate()
        self._pending = 0
        self.deflated.write(data)

    def finish(self) -> _Deflated:
        self._flush()
        return self.deflated.finish()

    def discard(self) -> None:
        self.deflated.discard()


def _add_deflated(archive: zipfile.ZipFile, info: zipfile.ZipInfo, deflated: _Deflated) -> None:
    """Add an entry whose bytes are deflated already, as ``archive.open(info, "w")`` would write it
    (same header, sizes and CRC; tested against zipfile), without deflating them again."""
    compressed = deflated.file.seek(0, io.SEEK_END)
    deflated.file.seek(0)
    info.flag_bits = 0
    info.file_size, info.compress_size, info.CRC = deflated.size, compressed, deflated.crc
    zip64 = max(deflated.size, compressed) > zipfile.ZIP64_LIMIT
    fp = archive.fp
    assert fp is not None  # an archive open for writing
    fp.seek(archive.start_dir)
    info.header_offset = fp.tell()
    # ZipFile's private steps (typeshed leaves them out), as ZipFile.open(mode="w") takes them.
    archive._writecheck(info)  # type: ignore[attr-defined]
    archive._didModify = True  # type: ignore[attr-defined]
    fp.write(info.FileHeader(zip64))
    shutil.copyfileobj(deflated.file, fp, 1 << 20)
    archive.start_dir = fp.tell()
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    deflated.file.close()


def _crlf(data: bytes) -> tuple[bytes, int]:
    """COPY's CSV rows (whole rows, each ending in a line feed) with the line ends of csv.writer
    (CR LF), and how many rows they are. A line feed inside a quoted cell stays as it is."""
    if b'"' not in data:
        return data.replace(b"\n", b"\r\n"), data.count(b"\n")
    parts = data.split(b'"')  # quotes pair up within whole rows: even parts are outside quotes
    rows = 0
    for at in range(0, len(parts), 2):
        rows += parts[at].count(b"\n")
        parts[at] = parts[at].replace(b"\n", b"\r\n")
    return b'"'.join(parts), rows


def _stream_csv(sql: str, params: Sequence, spool: _CsvSpool) -> int:
    """Write the CSV of the query's rows (cells as ``_cell_sql`` makes them) into ``spool``, as
    csv.writer would; returns how many rows there were. PostgreSQL writes the CSV itself (COPY);
    on SQLite, csv.writer writes the rows of the cursor, escaped in SQL (no Python per row)."""
    count = 0
    if connection.vendor == "postgresql":
        from psycopg import ClientCursor

        connection.ensure_connection()
        statement = ClientCursor(connection.connection).mogrify(sql, params)
        pending = bytearray()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv, DELIMITER ';')") as copy,
        ):
            for row in copy:  # one message a row
                pending += row
                if len(pending) >= STREAM_BYTES:
                    data, rows = _crlf(bytes(pending))
                    spool.write_bytes(data)
                    count += rows
                    pending.clear()
        data, rows = _crlf(bytes(pending))
        spool.write_bytes(data)
        return count + rows
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH_ROWS):
            writer.writerows(batch)
            spool.write_bytes(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
            count += len(batch)
    return count


@contextmanager
def _one_snapshot():
    """On PostgreSQL, the totals and the records from one snapshot (REPEATABLE READ), when the pack
    is not built inside a transaction already."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


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


def _records_through_python(records, columns: list[str]) -> tuple[_Deflated, list[SchoolTotal], int]:
    """Rows stream from the kind into the deflated spool; only the totals by school stay in memory."""
    spool = _CsvSpool(columns)
    school_totals = _Totals(columns)
    count = 0
    try:
        for row in records.rows:
            spool.write(row)
            school_totals.add(row)
            count += 1
    except BaseException:
        spool.discard()
        raise
    return spool.finish(), school_totals.sorted(), count


class _Summary:
    """The summary PDF, rendered in a thread while the database writes the records: WeasyPrint is
    Python's work, the records the database's (on SQLite, C code that lets go of the GIL). The
    thread reads no database; it renders in the caller's language."""

    def __init__(self, context: dict):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence-pdf")
        language = translation.get_language()

        def render() -> bytes:
            with translation.override(language):
                return _summary_pdf(context)

        self._future: Future = self._executor.submit(render)

    def result(self) -> bytes:
        try:
            return self._future.result()
        finally:
            self._executor.shutdown()

    def wait(self) -> None:
        """Let the thread end, whatever its outcome (the pack is given up or made otherwise)."""
        self._executor.shutdown(wait=True)


def _records_through_sql(rows: QueryRows, columns: list[str], summary: Callable[[list, int], dict]):
    """The records' CSV written by the database and the totals by school counted by it, while the
    PDF renders (when the records name schools). None where the database cannot: the caller then
    reads the rows through Python."""
    if "amount_eur" in columns:
        return None
    query = rows.csv_query(connection.vendor)
    if query is None:
        return None
    number_at = columns.index("school_number") if "school_number" in columns else None
    name_at = columns.index("school_name") if "school_name" in columns else None
    spool = _CsvSpool(columns)
    pdf = None
    totals: list[SchoolTotal] = []
    try:
        with _one_snapshot():
            if number_at is not None:
                totals = sorted(
                    (
                        SchoolTotal(number, name, records, None)
                        for number, name, records in rows.school_totals(number_at, name_at)
                    ),
                    key=lambda t: (t.number == "", t.number),
                )
                pdf = _Summary(summary(totals, sum(t.records for t in totals)))
            count = _stream_csv(*query, spool)
    except BaseException:
        spool.discard()
        if pdf is not None:
            pdf.wait()
        raise
    if pdf is not None and sum(t.records for t in totals) != count:
        # The data changed between the two queries (no common snapshot): read them through Python.
        pdf.wait()
        spool.discard()
        return None
    return spool.finish(), totals, count, pdf


def _summary_pdf(context: dict) -> bytes:
    from weasyprint import HTML

    reproducible_fonts()
    html = render_to_string("programmes/evidence/summary.html", context)
    return HTML(string=html).write_pdf()


@contextmanager
def _unmapped():
    """On SQLite, the pack reads the database through SQLite's page cache instead of mapping the
    file into the process (``PRAGMA mmap_size``, set back afterwards): the pages a million devices
    span would count in the process's memory."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        row = cursor.fetchone()
        size = int(row[0]) if row else 0
        cursor.execute("PRAGMA mmap_size = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA mmap_size = {size}")


def build_pack(target: Target, as_of: datetime.date, progress: Progress | None = None) -> bytes:
    """The evidence pack of ``target`` on ``as_of``, as ZIP bytes. ``progress(percent)`` is called
    as the work advances (background packs show it)."""
    with _unmapped():
        return _build_pack(target, as_of, progress)


def _build_pack(target: Target, as_of: datetime.date, progress: Progress | None) -> bytes:
    report = progress or (lambda percent: None)
    # Read the target as stored (an object in memory may hold 0 where the database holds 0.00).
    target = Target.objects.select_related("programme__authority", "indicator").get(pk=target.pk)
    kind = get_kind(target.indicator.kind) if target.indicator is not None else None
    if kind is None:
        raise EvidenceError(_("This milestone or target has no indicator Digileap can compute."))
    programme = target.programme
    records = kind.records(target, as_of)
    columns = list(records.columns)
    if isinstance(records.rows, QueryRows):
        # First, as the value's query plans from them too (a million devices: seconds, not minutes).
        ensure_statistics(records.rows.tables())
    report(5)
    # Values are stored with two places; SQLite's sums lose the scale, so fix it for equal bytes on both.
    value = Decimal(kind.compute(target, as_of)).quantize(Decimal("0.01"))
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
    # Which records count, in words, where the kind has such a rule (the device kinds' ``count``).
    counting_rule = kind.counting_rule(target) if hasattr(kind, "counting_rule") else ""

    def summary_context(totals: list[SchoolTotal], record_count: int) -> dict:
        return {
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
            "counting_rule": counting_rule,
        }

    report(10)
    made = None
    if isinstance(records.rows, QueryRows):
        made = _records_through_sql(records.rows, columns, summary_context)
    if made is None:
        records_file, totals, record_count = _records_through_python(records, columns)
        pdf = None
    else:
        records_file, totals, record_count, pdf = made
    report(40)
    totals_csv = _csv_bytes(
        ["school_number", "school_name", "records", "amount_eur"],
        ([t.number, t.name, t.records, t.amount if t.amount is not None else ""] for t in totals),
    )
    report(55)
    summary_pdf = pdf.result() if pdf is not None else _summary_pdf(summary_context(totals, record_count))
    report(90)
    files = {SUMMARY: summary_pdf, TOTALS: totals_csv, **_approved_documents(target, as_of)}
    files_meta = {name: {"sha256": sha256(data), "bytes": len(data)} for name, data in files.items()}
    files_meta[RECORDS] = {"sha256": records_file.digest.hexdigest(), "bytes": records_file.size}
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
        "method": {
            "indicator": kind.code,
            "label": str(kind.label),
            "parameters": target.defined_indicator.parameters,
            **({"counting_rule": counting_rule} if counting_rule else {}),
        },
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
                _add_deflated(archive, _zip_info(name, as_of), records_file)
            else:
                archive.writestr(_zip_info(name, as_of), files[name])
    report(100)
    return buffer.getvalue()


def _approved_documents(target: Target, as_of: datetime.date) -> dict[str, bytes]:
    """The target's evidence documents approved on or before ``as_of``, as pack files
    (``documents/<id>-<name>``) and their list (``documents.csv``); nothing when there are none."""
    from .models import EvidenceDocument

    documents = (
        EvidenceDocument.objects.filter(target=target, approved_at__isnull=False, approved_at__date__lte=as_of)
        .select_related("approved_by")
        .order_by("approved_at", "id")
    )
    files: dict[str, bytes] = {}
    listing = []
    for document in documents:
        name = f"{DOCUMENTS_FOLDER}{document.pk}-{(document.file.name or '').rsplit('/', 1)[-1]}"
        with document.file.open("rb") as handle:
            files[name] = handle.read()
        listing.append(
            [
                name,
                document.title,
                document.sha256,
                document.uploaded_at.isoformat(),
                str(document.approved_by or ""),
                document.approved_at.isoformat() if document.approved_at else "",  # (approved ones only)
            ]
        )
    if listing:
        files[DOCUMENTS] = _csv_bytes(["file", "title", "sha256", "uploaded_at", "approved_by", "approved_at"], listing)
    return files


def pack_filename(target: Target, as_of: datetime.date) -> str:
    label = target.number or f"target-{target.pk}"
    return f"evidence-{target.programme.code}-{label}-{as_of.isoformat()}.zip"


def verify_pack(file: IO[bytes] | str, expected_chain_head: str | None = None) -> Verification:
    """Check that every file the manifest lists is in the ZIP with the SHA-256 it states, and
    nothing else is (``core.packs.verify_manifest``, which also checks a grant dossier); with
    ``expected_chain_head``, also that the audit chain's head matches."""
    result = verify_manifest(file)
    if not result.manifest:
        return result
    if expected_chain_head is not None and result.manifest.get("audit_chain_head") != expected_chain_head:
        result.problems.append("the audit chain's head differs from the manifest's")
        result.ok = False
    return result
