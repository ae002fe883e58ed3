import datetime
from decimal import Decimal

import pytest

from digileap.programmes.status import Status, Trend, assess

D = Decimal
JAN_1 = datetime.date(2024, 1, 1)
DUE = datetime.date(2024, 12, 31)  # 365 days after JAN_1 (2024 is a leap year)


def run(value, as_of, *, snapshots=(), start=JAN_1, baseline="0", target="365", due=DUE):
    return assess(
        value=D(value),
        baseline=D(baseline),
        target_value=D(target),
        due_date=due,
        as_of=as_of,
        start=start,
        snapshots=[(day, D(v)) for day, v in snapshots],
    )


def test_achieved_when_the_value_reaches_the_target():
    result = run("365", datetime.date(2024, 12, 31))
    assert (result.status, result.progress, result.forecast) == (Status.ACHIEVED, D("1.0000"), None)


def test_achieved_early_stays_achieved():
    result = run("400", datetime.date(2024, 3, 1))
    assert (result.status, result.progress, result.percent) == (Status.ACHIEVED, D("1.0959"), D("109.6"))


def test_achieved_after_the_deadline_is_achieved_not_late():
    assert run("365", datetime.date(2025, 2, 1)).status == Status.ACHIEVED


def test_late_once_the_deadline_has_passed():
    result = run("364", datetime.date(2025, 1, 1))
    assert (result.status, result.forecast) == (Status.LATE, None)


def test_on_the_due_date_itself_it_is_not_late_yet():
    # 364 of 365 on the last day, on the planned line: the forecast is 364 + 1 * 0 days.
    result = run("364", DUE)
    assert (result.status, result.forecast) == (Status.AT_RISK, D("364.00"))


def test_not_started_while_the_value_is_at_the_baseline():
    result = run("0", datetime.date(2024, 6, 1))
    assert (result.status, result.progress) == (Status.NOT_STARTED, D("0.0000"))


def test_not_started_before_counting_begins_even_with_a_value():
    assert run("10", datetime.date(2023, 12, 31)).status == Status.NOT_STARTED


def test_no_snapshots_uses_the_average_rate_since_the_start():
    # 100 days after the start with 100 done: exactly on the planned line of 1 a day.
    result = run("100", datetime.date(2024, 4, 10))
    assert (result.status, result.trend, result.rate_per_day, result.forecast) == (
        Status.ON_TRACK,
        Trend.AVERAGE,
        D("1.00"),
        D("365.00"),
    )


def test_exactly_on_the_line_is_on_track_and_one_below_is_at_risk():
    assert run("100", datetime.date(2024, 4, 10)).status == Status.ON_TRACK
    below = run("99", datetime.date(2024, 4, 10))
    assert (below.status, below.forecast) == (Status.AT_RISK, D("361.35"))


def test_no_snapshots_and_no_start_gives_no_forecast():
    result = run("100", datetime.date(2024, 4, 10), start=None)
    assert (result.status, result.trend, result.forecast) == (Status.AT_RISK, Trend.NONE, None)


def test_flat_trend_is_at_risk():
    snapshots = [(datetime.date(2024, 4, day), "100") for day in range(1, 10)]
    result = run("100", datetime.date(2024, 4, 10), snapshots=snapshots)
    assert (result.status, result.trend, result.rate_per_day, result.forecast) == (
        Status.AT_RISK,
        Trend.SNAPSHOTS,
        D("0.00"),
        D("100.00"),
    )


def test_a_steep_recent_trend_is_on_track_although_behind_the_line():
    # Behind the line (50 of 100 expected), but 5 a day for the last days: 50 + 5 * 265 >= 365.
    snapshots = [(datetime.date(2024, 4, 8), "40"), (datetime.date(2024, 4, 9), "45")]
    result = run("50", datetime.date(2024, 4, 10), snapshots=snapshots)
    assert (result.status, result.rate_per_day, result.forecast) == (Status.ON_TRACK, D("5.00"), D("1375.00"))


def test_snapshots_older_than_the_trend_window_and_later_than_the_day_are_ignored():
    snapshots = [(datetime.date(2024, 1, 2), "0"), (datetime.date(2024, 5, 1), "365")]
    result = run("100", datetime.date(2024, 4, 10), snapshots=snapshots)
    assert result.trend == Trend.AVERAGE


def test_a_snapshot_of_the_same_day_is_replaced_by_the_current_value():
    snapshots = [(datetime.date(2024, 4, 10), "0")]
    assert run("100", datetime.date(2024, 4, 10), snapshots=snapshots).trend == Trend.AVERAGE


def test_per_period_counting_starts_at_the_period():
    # A per-period target counts from its own start: the same day is early in its period.
    start = datetime.date(2024, 7, 1)
    result = run("60", datetime.date(2024, 8, 1), start=start, target="184")
    assert (result.status, result.forecast) == (Status.ON_TRACK, D("354.19"))


def test_targets_going_down_work_on_the_share_of_the_way():
    result = run("50", datetime.date(2024, 7, 1), baseline="100", target="0")
    assert (result.status, result.progress) == (Status.ON_TRACK, D("0.5000"))
    assert run("0", datetime.date(2024, 7, 1), baseline="100", target="0").status == Status.ACHIEVED


def test_a_target_equal_to_its_baseline_is_refused():
    with pytest.raises(ValueError):
        run("1", JAN_1, baseline="5", target="5")
