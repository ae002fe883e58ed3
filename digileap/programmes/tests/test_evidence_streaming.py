"""Evidence packs whose records are one query (``evidence.QueryRows``): the database writes the CSV
lines (COPY on PostgreSQL) and counts the records by school, and the pack has the very bytes that
reading the rows through Python gives. Runs on the configured database (SQLite, or PostgreSQL with
DATABASE_URL)."""

import csv
import datetime
import io
import json
import random
import threading
import zipfile
from decimal import Decimal

import pytest
from django.db import connection

from digileap.devices.tests import test_indicators_kinds
from digileap.programmes import evidence
from digileap.programmes.indicators import IndicatorKind, Records, register_indicator_kind, unregister_indicator_kind
from digileap.programmes.models import FundingTransaction
from digileap.schools.tests.factories import SchoolFactory

from .factories import (
    FundingSourceFactory,
    FundingTransactionFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
)

DAY = datetime.date(2024, 12, 31)
JUNE_30 = test_indicators_kinds.JUNE_30
data = test_indicators_kinds.data  # the devices' hand-built programme and access points, as fixtures here too
access_points = test_indicators_kinds.access_points

# Texts a spreadsheet would run, or that need quoting, escaping in COPY's text format, or both.
NASTY = [
    "=1+2",
    "+49 40",
    "-5",
    "@SUM(A1)",
    "\tTab first",
    "\rReturn first",
    'He said "hi"',
    "semi;colon",
    "two\nlines",
    "carriage\rreturn",
    "back\\slash \\n not a newline",
    "form\ffeed\vvertical\bback",
    "'already quoted",
    "ünïcødé 🙂",
    " spaces ",
    "=",
    "",
]


class LedgerKind(IndicatorKind):
    """The programme's paid transactions, as records that are one query (text, date, time and
    integer columns, a school that may be missing)."""

    code = "test_ledger"
    label = "Ledger"
    columns = ["reference", "school_number", "school_name", "pupils", "date", "recorded_at", "kind"]

    def compute(self, target, as_of):
        return Decimal(FundingTransaction.objects.filter(programme=target.programme_id, date__lte=as_of).count())

    def records(self, target, as_of):
        rows = evidence.QueryRows(
            FundingTransaction.objects.filter(programme=target.programme_id, date__lte=as_of),
            ["reference", "school__number", "school__name", "school__pupils_total", "date", "recorded_at", "kind"],
            order_by=["school__number", "reference", "pk"],
        )
        return Records(self.columns, rows)


@pytest.fixture
def ledger(world):
    kind = register_indicator_kind(LedgerKind())
    programme = ProgrammeFactory(code="ledger", authority=world.authority)
    source = FundingSourceFactory(programme=programme)
    nasty_school = SchoolFactory(operator=world.operator, number="1002", name='=Nasty; "school"', pupils_total=None)
    world.school.pupils_total = 345
    world.school.save()
    # Another authority's school with the same number and another name: the totals keep the
    # name of the number's first record, as counting row by row does.
    twin = SchoolFactory(operator=world.other_operator, number="1001", name="A twin of 1001", pupils_total=12)
    moments = [
        datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC),
        datetime.datetime(2024, 3, 1, 9, 0, 0, 120000, tzinfo=datetime.UTC),
        datetime.datetime(2024, 3, 1, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    ]
    schools = [world.school, nasty_school, twin, None]
    for at, text in enumerate(NASTY):
        FundingTransactionFactory(
            programme=programme,
            source=source,
            school=schools[at % len(schools)],
            reference=f"{text}-{at:02d}" if at % 3 else text,
            date=datetime.date(2024, 1, 1) + datetime.timedelta(days=at),
            recorded_at=moments[at % len(moments)],
        )
    FundingTransactionFactory(programme=programme, source=source, school=twin, reference="A", date=DAY)
    FundingTransactionFactory(programme=programme, source=source, reference="later", date=DAY.replace(year=2025))
    target = TargetFactory(
        programme=programme, number="L1", indicator=IndicatorFactory(programme=programme, kind="test_ledger")
    )
    yield target
    unregister_indicator_kind(kind.code)


@pytest.fixture
def through_python(monkeypatch):
    """Make ``build_pack`` read every QueryRows through Python, as it does where SQL cannot."""

    def use():
        monkeypatch.setattr(evidence.QueryRows, "csv_query", lambda self, vendor: None)

    return use


@pytest.fixture
def streamed(monkeypatch):
    """Count the packs whose records the database wrote."""
    calls = []
    original = evidence._stream_csv

    def spy(sql, params, spool):
        count = original(sql, params, spool)
        calls.append(count)
        return count

    monkeypatch.setattr(evidence, "_stream_csv", spy)
    return calls


def unzip(pack: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_database_writes_the_same_bytes_as_python(ledger, streamed, through_python):
    fast = evidence.build_pack(ledger, DAY)
    assert streamed == [len(NASTY) + 1]
    through_python()
    slow = evidence.build_pack(ledger, DAY)
    assert streamed == [len(NASTY) + 1]  # the second pack did not stream
    assert fast == slow
    files = unzip(fast)
    manifest = json.loads(files["manifest.json"])
    assert manifest["record_count"] == len(NASTY) + 1
    assert evidence.verify_pack(io.BytesIO(fast)).ok


def test_the_records_are_escaped_and_quoted_cell_by_cell(ledger, streamed):
    files = unzip(evidence.build_pack(ledger, DAY))
    assert streamed == [len(NASTY) + 1]
    rows = list(csv.reader(io.StringIO(files["records.csv"].decode("utf-8"), newline=""), delimiter=";"))
    assert rows[0] == LedgerKind.columns
    by_reference = {row[0]: row[1:] for row in rows[1:]}
    assert len(by_reference) == len(NASTY) + 1
    moment = "2024-03-01T09:00:00"
    assert by_reference["'=1+2"] == ["1001", "INSIDE school", "345", "2024-01-01", f"{moment}+00:00", "paid"]
    assert by_reference["'+49 40-01"] == [
        "1002", "'=Nasty; \"school\"", "", "2024-01-02", f"{moment}.120000+00:00", "paid"
    ]  # fmt: skip
    assert by_reference["'-5-02"] == [
        "1001",
        "A twin of 1001",
        "12",
        "2024-01-03",
        "2024-03-01T23:59:59.999999+00:00",
        "paid",
    ]
    assert by_reference["'@SUM(A1)"] == ["", "", "", "2024-01-04", f"{moment}+00:00", "paid"]
    escaped = {
        "'\tTab first-04", "'\rReturn first-05", 'He said "hi"', "semi;colon-07", "two\nlines-08",
        "carriage\rreturn", "back\\slash \\n not a newline-10", "form\ffeed\vvertical\bback-11",
        "'already quoted", "ünïcødé 🙂-13", " spaces -14", "'=", "'-16", "A",
    }  # fmt: skip
    assert escaped <= set(by_reference)
    assert b'"two\nlines-08";1001;' in files["records.csv"]
    assert files["records.csv"].startswith(b"reference;school_number;school_name;pupils;date;recorded_at;kind\r\n")
    totals = list(csv.reader(io.StringIO(files["totals_by_school.csv"].decode("utf-8")), delimiter=";"))
    assert [row[0] for row in totals] == ["school_number", "1001", "1002", ""]
    assert [row[2] for row in totals[1:]] == ["10", "4", "4"]
    assert totals[2][1] == '\'=Nasty; "school"'


def test_the_same_pack_in_another_language(ledger, through_python):
    from django.utils import translation

    with translation.override("de"):
        fast = evidence.build_pack(ledger, DAY)
        through_python()
        slow = evidence.build_pack(ledger, DAY)
    assert fast == slow
    assert unzip(fast)["summary.pdf"] != unzip(evidence.build_pack(ledger, DAY))["summary.pdf"]


def test_records_that_change_between_the_two_queries_are_read_again_through_python(ledger, streamed, monkeypatch):
    """Totals from one query, lines from another: on SQLite (no common snapshot) a write in between
    would make them differ. The pack then reads the rows through Python, and still matches."""
    original = evidence.QueryRows.school_totals
    monkeypatch.setattr(
        evidence.QueryRows,
        "school_totals",
        lambda self, number_at, name_at: [
            (n, name, records + 1) for n, name, records in original(self, number_at, name_at)
        ],
    )
    pack = evidence.build_pack(ledger, DAY)
    assert streamed == [len(NASTY) + 1]
    manifest = json.loads(unzip(pack)["manifest.json"])
    assert manifest["record_count"] == len(NASTY) + 1
    totals = unzip(pack)["totals_by_school.csv"].decode()
    assert totals.splitlines()[1:] == [
        f"1001;{totals.splitlines()[1].split(';')[1]};10;",
        '1002;"\'=Nasty; ""school""";4;',
        ";;4;",
    ]


@pytest.mark.parametrize(
    ("kind", "parameters", "day"),
    [
        ("devices_delivered", {}, JUNE_30),
        ("devices_delivered", {"device_types": ["laptop"], "levels": [2], "count": "delivered"}, JUNE_30),
        ("devices_deployed", {}, JUNE_30),
        ("access_points_installed", {}, datetime.date(2024, 7, 31)),
        ("pupils_with_device", {"as_ratio": True}, datetime.date(2024, 9, 1)),
        ("pupils_with_device", {}, datetime.date(2024, 3, 31)),
    ],
)
def test_device_packs_are_the_same_either_way(data, access_points, kind, parameters, day, streamed, through_python):
    programme = access_points if kind == "access_points_installed" else data.programme
    indicator = IndicatorFactory(programme=programme, kind=kind, parameters=parameters)
    target = TargetFactory(programme=programme, number="D1", indicator=indicator)
    fast = evidence.build_pack(target, day)
    assert len(streamed) == 1
    through_python()
    assert evidence.build_pack(target, day) == fast
    manifest = json.loads(unzip(fast)["manifest.json"])
    assert manifest["record_count"] == streamed[0] > 0


def test_copy_rows_get_cr_lf_line_ends():
    assert evidence._crlf(b"a;b\nc;d\n") == (b"a;b\r\nc;d\r\n", 2)
    # A line feed inside quotes is the cell's own; quotes inside quotes are doubled.
    copied = b'x;"two\nlines";"say ""hi""\n";y\n"\n";z\n'
    assert evidence._crlf(copied) == (b'x;"two\nlines";"say ""hi""\n";y\r\n"\n";z\r\n', 2)
    assert evidence._crlf(b"") == (b"", 0)


@pytest.mark.django_db
def test_missing_statistics_are_gathered():
    from digileap.programmes.models import Programme

    tables = [Programme._meta.db_table]
    ProgrammeFactory()
    first = evidence.ensure_statistics(tables)
    if connection.vendor == "sqlite":  # statistics are transactional there: none in a new test
        assert first == tables
    else:  # PostgreSQL keeps a table's size estimates once analysed, even when the test rolls back
        assert first in ([], tables)
    assert evidence._stale_tables(tables) == []
    assert evidence.ensure_statistics(tables) == []


@pytest.mark.parametrize("size", [0, 7, 3_000_000])
def test_deflated_entries_are_the_bytes_zipfile_writes(size):
    """records.csv is deflated while the database writes it, then added to the ZIP as it is: the
    ZIP has the very bytes that zipfile gives when it deflates the file itself."""
    rng = random.Random(size)
    lines = b"".join(b"PF%010d;Lenovo;ThinkPad L14;'=x;%d\r\n" % (n, rng.randrange(10**6)) for n in range(size // 40))
    data = (lines + rng.randbytes(size // 10))[:size]
    day = datetime.date(2024, 6, 30)

    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as archive:
        archive.writestr(evidence._zip_info("manifest.json", day), b"{}")
        with archive.open(evidence._zip_info("records.csv", day), "w") as entry:
            entry.write(data)
        archive.writestr(evidence._zip_info("summary.pdf", day), b"%PDF")

    deflated = evidence._Deflated()
    at = 0
    while at < len(data):  # uneven pieces, as the rows come
        step = rng.randrange(1, 300_000)
        deflated.write(data[at : at + step])
        at += step
    deflated.finish()
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w") as archive:
        archive.writestr(evidence._zip_info("manifest.json", day), b"{}")
        evidence._add_deflated(archive, evidence._zip_info("records.csv", day), deflated)
        archive.writestr(evidence._zip_info("summary.pdf", day), b"%PDF")
    assert written.getvalue() == expected.getvalue()
    with zipfile.ZipFile(written) as archive:
        assert archive.read("records.csv") == data
        assert archive.testzip() is None


def test_a_failed_pack_stops_its_threads(ledger, monkeypatch):
    def broken(sql, params, spool):
        spool.write_bytes(b"a;b\r\n")
        raise RuntimeError("the database went away")

    monkeypatch.setattr(evidence, "_stream_csv", broken)
    before = {thread.name for thread in threading.enumerate()}
    with pytest.raises(RuntimeError, match="went away"):
        evidence.build_pack(ledger, DAY)
    names = {thread.name for thread in threading.enumerate()} - before
    assert not [name for name in names if name.startswith("evidence-")]
