import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from digileap.programmes.models import IndicatorSnapshot
from digileap.programmes.status import Status
from digileap.programmes.tasks import record_snapshots
from digileap.schools.tests.factories import SchoolFactory

from .factories import FundingTransactionFactory, IndicatorFactory, TargetFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def target():
    """Four schools to reach from 1 Jan to 31 Jan 2024; one reached on the 2nd, one on the 4th."""
    target = TargetFactory(
        programme__period_start=datetime.date(2024, 1, 1),
        target_value=D("4"),
        due_date=datetime.date(2024, 1, 31),
    )
    for day in (2, 4):
        school = SchoolFactory(operator__authority=target.programme.authority)
        FundingTransactionFactory(programme=target.programme, school=school, date=datetime.date(2024, 1, day))
    return target


def snapshots(target):
    return list(IndicatorSnapshot.objects.filter(target=target).order_by("date").values_list("date", "value", "status"))


def test_the_task_records_one_snapshot_per_target_and_day(target):
    TargetFactory(indicator=None)  # a target without an indicator gets no snapshot
    result = record_snapshots.enqueue("2024-01-03")
    assert result.return_value == 1
    record_snapshots.enqueue("2024-01-03")
    assert snapshots(target) == [(datetime.date(2024, 1, 3), D("1.00"), Status.ON_TRACK)]


def test_the_task_replaces_the_days_snapshot_when_data_changed(target):
    record_snapshots.enqueue("2024-01-04")
    FundingTransactionFactory(
        programme=target.programme,
        school=SchoolFactory(operator__authority=target.programme.authority),
        date=datetime.date(2024, 1, 4),
    )
    record_snapshots.enqueue("2024-01-04")
    assert snapshots(target) == [(datetime.date(2024, 1, 4), D("3.00"), Status.ON_TRACK)]


def test_backfill_recomputes_past_days_from_dated_records(target):
    call_command("backfill_snapshots", "--from", "2024-01-01", "--to", "2024-01-05")
    assert snapshots(target) == [
        (datetime.date(2024, 1, 1), D("0.00"), Status.NOT_STARTED),
        (datetime.date(2024, 1, 2), D("1.00"), Status.ON_TRACK),
        (datetime.date(2024, 1, 3), D("1.00"), Status.ON_TRACK),
        (datetime.date(2024, 1, 4), D("2.00"), Status.ON_TRACK),
        (datetime.date(2024, 1, 5), D("2.00"), Status.ON_TRACK),
    ]


def test_backfill_uses_the_trend_of_the_days_before(target):
    # Reached 2 by the 4th, then nothing: by 20 Jan the flat trend of the last 28 days
    # (0, 1, 1, 2, 2, ..., 2) no longer reaches 4 by the 31st.
    call_command("backfill_snapshots", "--from", "2024-01-01", "--to", "2024-01-20")
    assert snapshots(target)[-1] == (datetime.date(2024, 1, 20), D("2.00"), Status.AT_RISK)
    call_command("backfill_snapshots", "--from", "2024-02-01", "--to", "2024-02-01")
    assert snapshots(target)[-1] == (datetime.date(2024, 2, 1), D("2.00"), Status.LATE)


def test_backfill_skips_kinds_without_history(target, monkeypatch):
    from digileap.programmes.indicators import get_kind

    monkeypatch.setattr(get_kind("schools_reached"), "has_history", False)
    call_command("backfill_snapshots", "--from", "2024-01-01", "--to", "2024-01-05")
    assert snapshots(target) == []


def test_backfill_refuses_bad_dates_and_unknown_programmes(target):
    with pytest.raises(CommandError):
        call_command("backfill_snapshots", "--from", "2024-13-01")
    with pytest.raises(CommandError):
        call_command("backfill_snapshots", "--from", "2024-01-05", "--to", "2024-01-01")
    with pytest.raises(CommandError):
        call_command("backfill_snapshots", "--programme", "nope")


def test_backfill_only_the_named_programme(target):
    other = TargetFactory(indicator=IndicatorFactory(kind="schools_reached"))
    call_command(
        "backfill_snapshots", "--from", "2024-01-02", "--to", "2024-01-02", "--programme", target.programme.code
    )
    assert len(snapshots(target)) == 1
    assert snapshots(other) == []
