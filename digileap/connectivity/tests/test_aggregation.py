"""Daily aggregates (count, median, 95th percentile per school, site and local day) and the
retention purge. The expected figures are worked out by hand; the same tests run on SQLite (numpy)
and PostgreSQL (percentile_cont), so both give the same numbers."""

import datetime
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.db.models import F

from digileap.schools.tests.factories import SiteFactory

from ..models import DailyAggregate, Measurement, Source
from ..services.aggregation import aggregate_days, grouped_percentiles, purge_measurements
from .factories import MeasurementFactory

UTC = datetime.UTC
DAY = datetime.date(2026, 11, 3)


def at(hour: int, minute: int = 0, day: int = 3) -> datetime.datetime:
    """A time on November ``day``, 2026 in UTC (Brussels is UTC+1 then)."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def measure(school, when, download, upload=None, latency=None, site=None, source=Source.GENERIC):
    return MeasurementFactory(
        school=school,
        site=site,
        measured_at=when,
        download_mbps=download,
        upload_mbps=upload,
        latency_ms=latency,
        source=source,
    )


def figures(**filters):
    return list(
        DailyAggregate.objects.filter(**filters)
        .order_by("school__number", "day", F("site_id").asc(nulls_first=True))
        .values_list(
            "day",
            "tests",
            "download_median",
            "download_p95",
            "upload_median",
            "upload_p95",
            "latency_median",
            "latency_p95",
        )
    )


def test_median_and_95th_percentile_by_hand(world):
    # Download 10..50: median 30; p95 at rank 0.95 × 4 = 3.8: 40 + 0.8 × 10 = 48.
    # Upload 1, 2, 4, 5 (one test without): median 2 + 0.5 × 2 = 3; p95 at rank 2.85: 4 + 0.85 × 1 = 4.85.
    # Latency 7 and 9 only: median 8; p95 at rank 0.95: 7 + 0.95 × 2 = 8.9.
    for hour, download, upload, latency in (
        (7, 30.0, 1.0, None),
        (8, 10.0, 4.0, 9.0),
        (9, 50.0, None, None),
        (10, 20.0, 5.0, 7.0),
        (11, 40.0, 2.0, None),
    ):
        measure(world.school, at(hour), download, upload, latency)
    assert aggregate_days(start=DAY, end=DAY) == 1
    [(day, tests, d50, d95, u50, u95, l50, l95)] = figures()
    assert (day, tests, d50, d95, u50, l50) == (DAY, 5, 30.0, 48.0, 3.0, 8.0)
    assert u95 == pytest.approx(4.85, abs=1e-12)
    assert l95 == pytest.approx(8.9, abs=1e-12)


def test_a_single_test_and_a_day_without_uploads(world):
    measure(world.school, at(9), 12.5)
    aggregate_days(start=DAY, end=DAY)
    assert figures() == [(DAY, 1, 12.5, 12.5, None, None, None, None)]


def test_even_count_interpolates_the_median(world):
    for hour, download in ((7, 100.0), (8, 300.0), (9, 200.0), (10, 400.0)):
        measure(world.school, at(hour), download)
    aggregate_days(start=DAY, end=DAY)
    # Median at rank 1.5: 200 + 0.5 × 100 = 250; p95 at rank 2.85: 300 + 0.85 × 100 = 385.
    [(_day, tests, d50, d95, *_rest)] = figures()
    assert (tests, d50) == (4, 250.0)
    assert d95 == pytest.approx(385.0, abs=1e-9)


def test_days_are_local_days_and_sites_are_apart(world):
    site = SiteFactory(school=world.school, authority=world.authority, name="Annex", code="IN-ANNEX")
    measure(world.school, at(22, 59), 10.0)  # 23:59 in Brussels: the 3rd
    measure(world.school, at(23, 0), 20.0)  # 00:00 in Brussels: the 4th
    measure(world.school, at(23, 30), 40.0)  # the 4th
    measure(world.school, at(10), 80.0, site=site)
    assert aggregate_days(start=DAY, end=DAY + datetime.timedelta(days=1)) == 3
    rows = list(
        DailyAggregate.objects.order_by("day", F("site_id").asc(nulls_first=True)).values_list(
            "day", "site_id", "tests", "download_median"
        )
    )
    assert rows == [
        (DAY, None, 1, 10.0),
        (DAY, site.id, 1, 80.0),
        (DAY + datetime.timedelta(days=1), None, 2, 30.0),
    ]


def test_sources_count_together_per_school(world):
    measure(world.school, at(9), 10.0, source=Source.GENERIC)
    measure(world.school, at(9), 30.0, source=Source.GIGA)
    measure(world.school, at(10), 20.0, source=Source.BROWSER)
    aggregate_days(start=DAY, end=DAY)
    assert figures()[0][:3] == (DAY, 3, 20.0)


def test_idempotent_and_follows_the_raw_rows(world):
    for hour, download in ((7, 10.0), (8, 20.0), (9, 60.0)):
        measure(world.school, at(hour), download)
    aggregate_days(start=DAY, end=DAY)
    first = figures()
    assert aggregate_days(start=DAY, end=DAY) == 1
    assert figures() == first
    Measurement.objects.filter(download_mbps=60.0).update(download_mbps=30.0)
    aggregate_days(start=DAY, end=DAY)
    assert figures()[0][2] == 20.0
    Measurement.objects.all().delete()
    assert aggregate_days(start=DAY, end=DAY) == 0
    assert DailyAggregate.objects.count() == 0


def test_only_the_schools_given_are_recomputed(world):
    measure(world.school, at(9), 10.0)
    measure(world.other_school, at(9), 70.0)
    aggregate_days(start=DAY, end=DAY)
    Measurement.objects.update(download_mbps=5.0)
    assert aggregate_days(start=DAY, end=DAY, schools=[world.school]) == 1
    assert figures(school=world.school)[0][2] == 5.0
    assert figures(school=world.other_school)[0][2] == 70.0
    assert aggregate_days(start=DAY, end=DAY, schools=[]) == 0


def test_days_outside_the_range_are_left_alone(world):
    measure(world.school, at(9, day=2), 10.0)
    measure(world.school, at(9, day=3), 20.0)
    aggregate_days(start=DAY - datetime.timedelta(days=1), end=DAY)
    Measurement.objects.update(download_mbps=99.0)
    aggregate_days(start=DAY, end=DAY)
    assert [row[2] for row in figures()] == [10.0, 99.0]


def test_grouped_percentiles_match_numpy_linear():
    generator = np.random.default_rng(13)
    groups = generator.integers(0, 50, size=2000)
    values = generator.gamma(2.0, 40.0, size=2000)
    values[generator.random(2000) < 0.1] = np.nan
    medians, p95s = grouped_percentiles(groups, values, 51, (0.5, 0.95))
    for group in range(50):
        chosen = values[(groups == group) & ~np.isnan(values)]
        assert medians[group] == pytest.approx(np.percentile(chosen, 50), rel=1e-12)
        assert p95s[group] == pytest.approx(np.percentile(chosen, 95), rel=1e-12)
    assert np.isnan(medians[50])


def test_purge_aggregates_first_then_deletes_whole_days(world, settings):
    settings.DIGILEAP_MEASUREMENT_RETENTION_DAYS = 30
    measure(world.school, at(9, day=1), 10.0)
    measure(world.school, at(15, day=1), 30.0)
    measure(world.school, at(22, 30, day=2), 50.0)  # 23:30 in Brussels on the 2nd
    measure(world.school, at(23, 30, day=2), 70.0)  # 00:30 in Brussels on the 3rd: kept
    assert purge_measurements(before=DAY) == 3
    assert list(Measurement.objects.values_list("download_mbps", flat=True)) == [70.0]
    assert list(DailyAggregate.objects.order_by("day").values_list("day", "tests", "download_median")) == [
        (datetime.date(2026, 11, 1), 2, 20.0),
        (datetime.date(2026, 11, 2), 1, 50.0),
    ]
    assert purge_measurements(before=DAY) == 0


def test_purge_keeps_the_retention_period(world, settings):
    settings.DIGILEAP_MEASUREMENT_RETENTION_DAYS = 30
    old = datetime.datetime.now(tz=UTC) - datetime.timedelta(days=45)
    recent = datetime.datetime.now(tz=UTC) - datetime.timedelta(days=10)
    measure(world.school, old, 10.0)
    measure(world.school, recent, 20.0)
    assert purge_measurements() == 1
    assert list(Measurement.objects.values_list("download_mbps", flat=True)) == [20.0]
    assert DailyAggregate.objects.get().download_median == 10.0


def test_purge_command_dry_run_and_run(world, capsys):
    measure(world.school, at(9, day=1), 10.0)
    measure(world.school, at(9, day=5), 20.0)
    call_command("purge_measurements", "--before", "2026-11-03", "--dry-run")
    assert json.loads(capsys.readouterr().out) == {"before": "2026-11-03", "would_delete": 1}
    assert Measurement.objects.count() == 2
    assert DailyAggregate.objects.count() == 0
    call_command("purge_measurements", "--before", "2026-11-03")
    assert json.loads(capsys.readouterr().out) == {"before": "2026-11-03", "deleted": 1}
    assert Measurement.objects.count() == 1


def test_aggregate_command(world, capsys):
    measure(world.school, at(9, day=1), 10.0)
    measure(world.school, at(9, day=2), 20.0)
    call_command("aggregate_measurements", "--day", "2026-11-01")
    assert json.loads(capsys.readouterr().out) == {"start": "2026-11-01", "end": "2026-11-01", "aggregates": 1}
    call_command("aggregate_measurements", "--start", "2026-11-01", "--end", "2026-11-30")
    assert json.loads(capsys.readouterr().out) == {"start": "2026-11-01", "end": "2026-11-30", "aggregates": 2}
    assert DailyAggregate.objects.count() == 2


@pytest.mark.parametrize(
    "arguments",
    [["--day", "3.11.2026"], ["--start", "2026-11-05", "--end", "2026-11-01"], ["--start", "2026-11-01"]],
)
def test_aggregate_command_refuses_bad_days(world, arguments):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("aggregate_measurements", *arguments)
