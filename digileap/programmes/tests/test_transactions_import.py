"""The ``transactions`` import target: commitments and payments from CSV or XLSX."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.programmes.models import FundingTransaction

from .factories import FundingSourceFactory, ProgrammeFactory

D = Decimal


@pytest.fixture
def programme(world):
    programme = ProgrammeFactory(code="MONEY", authority=world.authority)
    FundingSourceFactory(programme=programme, position=1, name={"en": "EU RRF", "nl": "EU HVF"}, amount=D("1000.00"))
    FundingSourceFactory(programme=programme, position=2, name={"en": "Region"}, amount=D("500.00"), kind="regional")
    return programme


def csv_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def run(source, actor, *, dry_run=False, overrides=None, filename="money.csv"):
    return run_import(
        target="transactions",
        source=source,
        profile="generic",
        actor=actor,
        filename=filename,
        dry_run=dry_run,
        overrides=overrides,
    )


GOOD = (
    "programme;source;kind;amount;date;school;reference\n"
    "MONEY;EU RRF;commitment;600,00;2024-03-01;1001;D-1\n"
    "MONEY;2;payment;120.50;01.04.2024;;P-1\n"
    "MONEY;eu hvf;paid;99.5;2024-04-02;1001;P-2\n"
)


def test_import_records_each_row_and_a_reimport_changes_nothing(programme, role_users):
    owner = role_users[Role.PROGRAMME_OWNER]
    result = run(csv_file(GOOD), owner)
    assert result.summary() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    rows = list(
        FundingTransaction.objects.order_by("date").values_list(
            "source__position", "kind", "amount", "date", "school__number", "reference", "recorded_by"
        )
    )
    assert rows == [
        (1, "committed", D("600.00"), datetime.date(2024, 3, 1), "1001", "D-1", owner.pk),
        (2, "paid", D("120.50"), datetime.date(2024, 4, 1), None, "P-1", owner.pk),
        (1, "paid", D("99.50"), datetime.date(2024, 4, 2), "1001", "P-2", owner.pk),
    ]
    events = AuditEvent.objects.count()
    again = run(csv_file(GOOD), owner)
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert FundingTransaction.objects.count() == 3
    assert AuditEvent.objects.count() == events


def test_the_same_entry_twice_in_a_file_is_recorded_twice_and_found_twice(programme, role_users):
    owner = role_users[Role.PROGRAMME_OWNER]
    text = "source;kind;amount;date\n1;payment;10;2024-01-01\n1;payment;10;2024-01-01\n"
    first = run(csv_file(text), owner, overrides={"programme": "MONEY"})
    assert (first.created, first.unchanged) == (2, 0)
    second = run(csv_file(text), owner, overrides={"programme": "MONEY"})
    assert (second.created, second.unchanged) == (0, 2)
    assert FundingTransaction.objects.count() == 2


def test_errors_name_line_and_column_and_nothing_is_written(programme, role_users):
    text = (
        "programme;source;kind;amount;date;school;reference\n"
        "MONEY;EU RRF;commitment;600;2024-03-01;;ok\n"
        "MONEY;Lottery;commitment;1;2024-03-01;;\n"
        "MONEY;1;gift;1;2024-03-01;;\n"
        "MONEY;1;paid;0;2024-03-01;;\n"
        "MONEY;1;paid;1.005;2024-03-01;;\n"
        "MONEY;1;paid;5;31.02.2024;;\n"
        "MONEY;1;paid;5;2024-03-01;2002;\n"
        "NOPE;1;paid;5;2024-03-01;;\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        run(csv_file(text), role_users[Role.PROGRAMME_OWNER])
    errors = [(e.line, e.column, e.message) for e in rejected.value.result.errors]
    assert errors == [
        (3, "source", "the programme has no funding source 'Lottery' (its sources: 1: EU RRF; 2: Region)"),
        (4, "kind", "'gift' is neither a commitment nor a payment"),
        (5, "amount", "an amount is not zero"),
        (6, "amount", "an amount has at most two decimals"),
        (7, "date", "'31.02.2024' is not a date (use 2024-10-01 or 01.10.2024)"),
        (8, "school", "the programme's authority has no school numbered 2002"),
        (9, "programme", "there is no programme NOPE"),
    ]
    assert FundingTransaction.objects.count() == 0


def test_a_programme_outside_the_scope_is_unknown(programme, world, role_users):
    outside = ProgrammeFactory(code="OUTSIDE-MONEY", authority=world.other_authority)
    FundingSourceFactory(programme=outside, position=1, name={"en": "EU"})
    text = "programme;source;kind;amount;date\nOUTSIDE-MONEY;1;paid;5;2024-03-01\n"
    with pytest.raises(ImportRejected) as rejected:
        run(csv_file(text), role_users[Role.PROGRAMME_OWNER])
    assert [(e.line, e.column, e.message) for e in rejected.value.result.errors] == [
        (2, "programme", "there is no programme OUTSIDE-MONEY")
    ]


def test_the_preview_warns_where_a_source_goes_over_its_budget(programme, role_users):
    owner = role_users[Role.PROGRAMME_OWNER]
    FundingTransaction.objects.create(
        programme=programme,
        source=programme.funding_sources.get(position=1),
        kind="committed",
        amount=D("700.00"),
        date=datetime.date(2024, 1, 1),
        recorded_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
    )
    text = (
        "source;kind;amount;date\n"
        "1;commitment;200;2024-02-01\n"  # 900 of 1,000
        "1;commitment;300;2024-02-02\n"  # 1,200: over by 200
        "1;commitment;50;2024-02-03\n"  # still over: warned once
        "2;payment;100;2024-02-03\n"  # within 500
    )
    result = run(csv_file(text), owner, dry_run=True, overrides={"programme": "MONEY"})
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": 1}
    assert [(w.line, w.column, w.message) for w in result.warnings] == [
        (
            3,
            "amount",
            "EU RRF: commitments would reach EUR 1,200.00 against a budget of EUR 1,000.00 (EUR 200.00 over)",
        )
    ]


def test_an_xlsx_file_with_number_and_date_cells(programme, role_users):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["source", "kind", "amount", "date", "school", "reference"])
    sheet.append(["Region", "Zahlung", 250.25, datetime.datetime(2024, 5, 6), 1001, "Z-1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    result = run(buffer, role_users[Role.PROGRAMME_OWNER], overrides={"programme": "MONEY"}, filename="money.xlsx")
    assert result.created == 1
    assert list(FundingTransaction.objects.values_list("kind", "amount", "date", "school__number", "reference")) == [
        ("paid", D("250.25"), datetime.date(2024, 5, 6), "1001", "Z-1")
    ]


def test_roles_that_may_not_record_money_cannot_import(programme, role_users):
    from django.core.exceptions import PermissionDenied

    for role in (Role.AUDITOR, Role.SUPPLIER, Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF):
        with pytest.raises(PermissionDenied):
            run(csv_file(GOOD), role_users[role])
    assert FundingTransaction.objects.count() == 0
