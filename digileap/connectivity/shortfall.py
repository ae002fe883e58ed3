"""The costing rules of the connectivity analysis, without a database: a school's status for a
benchmark, its uplink gap, and the cheapest option that closes the gap with its costs.

Everything here takes plain values (Decimals for money and speeds the programme sets, floats for
measured speeds) so that the rules are tested to the cent without a database
(tests/test_shortfall.py). ``services/analysis.py`` reads the rows and calls these.

Money is rounded to the cent, half up, at each figure a person sees (capex, opex per year), and the
total is computed from the rounded figures, so that the columns of a proposal add up exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

MEETS = "meets"
MODERATE = "moderate"
BELOW = "below"
INSUFFICIENT = "insufficient"

ABSOLUTE = "absolute"
PER_PUPIL = "per_pupil"
TIERS = "tiers"
CONTRACTED = "contracted"

NONE = "none"
UPGRADE = "upgrade"
FIBRE = "fibre"


def cents(value) -> Decimal:
    """Money rounded to the cent, half up (``0.005`` becomes ``0.01``)."""
    if value.__class__ is not Decimal:
        value = Decimal(value)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_decimal(value) -> Decimal:
    """A float or number as a Decimal of its shortest decimal form (``0.1`` is ``0.1``, not its binary value)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


@dataclass(frozen=True)
class BenchmarkRule:
    """What a status needs to know of a benchmark."""

    kind: str
    threshold_mbps: Decimal | None = None
    lower_mbps: Decimal | None = None
    share_percent: Decimal | None = None
    min_tests: int = 5
    min_days: int = 3


@dataclass(frozen=True)
class Assessment:
    """A school's status for one benchmark: the status, the speed it needs (None when it cannot be
    known: pupils unknown, no contract), the measured speed, tests and days."""

    status: str
    required_mbps: float | None
    measured_mbps: float | Decimal | None
    tests: int
    days: int


def required_mbps(rule: BenchmarkRule, *, pupils: int | None, contracted_mbps: Decimal | None) -> Decimal | None:
    """The download speed a school needs to meet the benchmark (for tiers: the "good" threshold).

    None when it cannot be known: a per-pupil benchmark for a school whose pupils are not known, a
    contracted benchmark for a school without a submitted answer with an uplink."""
    if rule.kind == PER_PUPIL:
        if not pupils:
            return None
        assert rule.threshold_mbps is not None  # a per-pupil rule has a threshold
        return rule.threshold_mbps * pupils
    if rule.kind == CONTRACTED:
        if contracted_mbps is None or contracted_mbps <= 0:
            return None
        assert rule.share_percent is not None  # a contracted rule has a share
        return rule.share_percent * contracted_mbps / 100
    return rule.threshold_mbps


def assess(
    rule: BenchmarkRule,
    *,
    measured_mbps: float | Decimal | None,
    tests: int,
    days: int,
    pupils: int | None = None,
    contracted_mbps: Decimal | None = None,
) -> Assessment:
    """A school's status for ``rule``.

    "Insufficient data" unless the school has at least ``min_tests`` tests on ``min_days`` days, and
    also when the required speed cannot be known (pupils or contract unknown). Otherwise: meets when
    the measured speed reaches the required one; for tiers, moderate from ``lower_mbps`` up to the
    threshold and below under ``lower_mbps``; for the other kinds, below."""
    required = required_mbps(rule, pupils=pupils, contracted_mbps=contracted_mbps)
    required_float = float(required) if required is not None else None
    enough = measured_mbps is not None and tests >= rule.min_tests and days >= rule.min_days
    if not enough or required is None:
        return Assessment(INSUFFICIENT, required_float, measured_mbps, tests, days)
    measured = as_decimal(measured_mbps)
    if measured >= required:
        status = MEETS
    elif rule.kind == TIERS and rule.lower_mbps is not None and measured >= rule.lower_mbps:
        status = MODERATE
    else:
        status = BELOW
    return Assessment(status, required_float, measured_mbps, tests, days)


@dataclass(frozen=True)
class Costs:
    """A programme's cost parameters, as the rules need them."""

    fibre_per_km: Decimal
    fibre_connection: Decimal
    fibre_default_km: Decimal
    fibre_monthly: Decimal
    upgrade_per_mbps_month: Decimal
    wifi_per_classroom: Decimal
    switch_per_site: Decimal
    years: int
    technology_limits: Mapping[str, float | int | Decimal]


@dataclass(frozen=True)
class Option:
    """An uplink option: its one-off cost, its cost per year, and both over the years."""

    kind: str
    capex: Decimal
    opex_year: Decimal
    total: Decimal


@dataclass(frozen=True)
class Plan:
    """A school's costed proposal."""

    gap_mbps: Decimal
    classrooms_without_wifi: int
    sites_needing_switches: int
    option: str
    uplink_capex: Decimal
    uplink_opex_year: Decimal
    wifi_capex: Decimal
    switch_capex: Decimal
    total: Decimal


def gap_mbps(required: Decimal | None, current: float | Decimal | None) -> Decimal:
    """The uplink gap in Mbit/s, to two decimals (half up): the required speed minus the current
    one, 0 when met or when either is not known."""
    if required is None or current is None:
        return ZERO
    gap = as_decimal(required) - as_decimal(current)
    return cents(gap) if gap > 0 else ZERO


def upgrade_possible(required: Decimal, technologies: Iterable[str], limits: Mapping) -> bool:
    """Whether upgrading the current contract can reach ``required``: the school has an uplink, and
    the fastest of its technologies allows it. A technology missing from ``limits`` has no known
    limit (allowed); a school without an uplink on record has no contract to upgrade."""
    technologies = list(technologies)
    if not technologies:
        return False
    for technology in technologies:
        limit = limits.get(technology)
        if limit is None or as_decimal(limit) >= required:
            return True
    return False


def fibre_km(distances: Iterable[Decimal | None], default_km: Decimal) -> Decimal:
    """The distance to cost a fibre connection on: the nearest one the answers give, else the default."""
    known = [Decimal(d) for d in distances if d is not None]
    return min(known) if known else Decimal(default_km)


def uplink_options(gap: Decimal, *, required: Decimal | None, technologies, km: Decimal, costs: Costs) -> list[Option]:
    """The options that close ``gap`` (none when there is no gap), each with its costs over the years."""
    if gap <= 0:
        return [Option(NONE, ZERO, ZERO, ZERO)]
    options = []
    if required is not None and upgrade_possible(required, technologies, costs.technology_limits):
        opex = cents(gap * costs.upgrade_per_mbps_month * 12)
        options.append(Option(UPGRADE, ZERO, opex, cents(opex * costs.years)))
    capex = cents(costs.fibre_per_km * km + costs.fibre_connection)
    opex = cents(costs.fibre_monthly * 12)
    options.append(Option(FIBRE, capex, opex, cents(capex + opex * costs.years)))
    return options


def cheapest(options: list[Option]) -> Option:
    """The option with the lowest total over the years; on a tie the first (an upgrade before fibre)."""
    return min(options, key=lambda option: option.total)


def plan(
    *,
    required: Decimal | None,
    current: float | Decimal | None,
    technologies: Iterable[str],
    distances: Iterable[Decimal | None],
    classrooms_without_wifi: int,
    sites_needing_switches: int,
    costs: Costs,
) -> Plan:
    """A school's proposal: the gap, the cheapest uplink option closing it, Wi-Fi for every classroom
    without it, switches for every site that needs them; the total is the one-off costs plus the
    running costs over ``costs.years``."""
    gap = gap_mbps(required, current)
    km = fibre_km(distances, costs.fibre_default_km)
    option = cheapest(uplink_options(gap, required=required, technologies=technologies, km=km, costs=costs))
    wifi = cents(costs.wifi_per_classroom * classrooms_without_wifi)
    switches = cents(costs.switch_per_site * sites_needing_switches)
    total = option.capex + wifi + switches + option.opex_year * costs.years
    return Plan(
        gap_mbps=gap,
        classrooms_without_wifi=classrooms_without_wifi,
        sites_needing_switches=sites_needing_switches,
        option=option.kind,
        uplink_capex=option.capex,
        uplink_opex_year=option.opex_year,
        wifi_capex=wifi,
        switch_capex=switches,
        total=cents(total),
    )


def needs_switches(*, switches: int, age_years: int | None, max_age_years: int) -> bool:
    """A site needs switches when it has none, or when its oldest is older than ``max_age_years``
    (an unknown age counts as fine)."""
    if not switches:
        return True
    return age_years is not None and age_years > max_age_years


def median(values: list[float]) -> float | None:
    """The median (the mean of the two middle values for an even count), as numpy and PostgreSQL's
    ``percentile_cont(0.5)`` compute it."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
