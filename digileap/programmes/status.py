"""A target's status and forecast, from its current value, its deadline and the trend of its snapshots.

The rule (docs/programmes.md explains it with examples), checked in this order:

1. **achieved**: the value has reached the target (whatever the date; early or not).
2. **late**: the due date has passed and the target is not achieved.
3. **not started**: counting has not begun (the day is before the start), or the value has not
   moved from the baseline.
4. Otherwise a forecast of the value on the due date decides: **on track** if it reaches the
   target (exactly reaching it counts), **at risk** if not. The forecast extends the current
   value by a rate per day:
   - the least-squares slope of the snapshots of the last ``TREND_DAYS`` days and today's value,
     when they span at least two different days;
   - else the average rate since the start (the target's counting start, or the programme's
     start): on the straight line from (start, baseline) to (due date, target) exactly means on
     track;
   - else there is no basis for a forecast, and the target is at risk.

Targets that go down (a baseline above the target) work the same way on the share of the way
from the baseline to the target. Arithmetic is exact (fractions), so "exactly on the line" is
never lost to rounding.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypedDict

from django.db import models
from django.utils.translation import gettext_lazy as _

TREND_DAYS = 28
CENTS = Decimal("0.01")
PROGRESS_PLACES = Decimal("0.0001")


class Status(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    LATE = "late", _("Late")
    NOT_STARTED = "not_started", _("Not started")


class Trend(models.TextChoices):
    SNAPSHOTS = "snapshots", _("trend of recent daily values")
    AVERAGE = "average", _("average rate since the start")
    NONE = "none", _("no basis for a forecast")


class _Figures(TypedDict):
    """An assessment's figures besides its status."""

    value: Decimal
    progress: Decimal
    forecast: Decimal | None
    rate_per_day: Decimal | None
    trend: str


@dataclass(frozen=True)
class Assessment:
    status: str
    value: Decimal
    progress: Decimal  # the share of the way from the baseline to the target, 0 = baseline, 1 = target
    forecast: Decimal | None  # the value expected on the due date; None once achieved or late, or without trend
    rate_per_day: Decimal | None
    trend: str

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def percent(self) -> Decimal:
        return (self.progress * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _decimal(value: Fraction, places: Decimal = CENTS) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


def _slope(points: list[tuple[int, Fraction]]) -> Fraction:
    n = len(points)
    mean_x = Fraction(sum(x for x, _y in points), n)
    mean_y = sum((y for _x, y in points), Fraction(0)) / n
    numerator = sum(((x - mean_x) * (y - mean_y) for x, y in points), Fraction(0))
    denominator = sum(((x - mean_x) ** 2 for x, _y in points), Fraction(0))
    return numerator / denominator


def assess(
    *,
    value: Decimal,
    baseline: Decimal,
    target_value: Decimal,
    due_date: datetime.date,
    as_of: datetime.date,
    start: datetime.date | None = None,
    snapshots: Iterable[tuple[datetime.date, Decimal]] = (),
) -> Assessment:
    """The status on ``as_of``. ``snapshots`` are (day, value) pairs; those after ``as_of`` are ignored."""
    span = Fraction(target_value) - Fraction(baseline)
    if span == 0:
        raise ValueError("The target value must differ from the baseline.")

    def share(amount: Fraction) -> Fraction:
        return (amount - Fraction(baseline)) / span

    current = Fraction(value)
    progress = share(current)
    result: _Figures = {
        "value": value,
        "progress": _decimal(progress, PROGRESS_PLACES),
        "forecast": None,
        "rate_per_day": None,
        "trend": Trend.NONE,
    }
    if progress >= 1:
        return Assessment(status=Status.ACHIEVED, **result)
    if as_of > due_date:
        return Assessment(status=Status.LATE, **result)
    if (start is not None and as_of < start) or progress <= 0:
        return Assessment(status=Status.NOT_STARTED, **result)

    window_start = as_of - datetime.timedelta(days=TREND_DAYS)
    by_day = {day: Fraction(v) for day, v in snapshots if window_start <= day < as_of}
    by_day[as_of] = current
    rate: Fraction | None = None
    if len(by_day) >= 2:
        rate = _slope([(day.toordinal(), v) for day, v in sorted(by_day.items())])
        result["trend"] = Trend.SNAPSHOTS
    elif start is not None and start < as_of:
        rate = (current - Fraction(baseline)) / (as_of - start).days
        result["trend"] = Trend.AVERAGE
    if rate is None:
        return Assessment(status=Status.AT_RISK, **result)

    forecast = current + rate * (due_date - as_of).days
    result["forecast"] = _decimal(forecast)
    result["rate_per_day"] = _decimal(rate)
    status = Status.ON_TRACK if share(forecast) >= 1 else Status.AT_RISK
    return Assessment(status=status, **result)


def target_start(target) -> datetime.date | None:
    """Where the target's planned line begins: its counting start, else its programme's start."""
    return target.period_start or target.programme.period_start
