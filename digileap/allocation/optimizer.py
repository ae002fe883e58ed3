"""Roll-out plan optimiser: which school gets its equipment in which year or wave.

Pure functions, no database. A roll-out plan (ROP) puts each school of a programme into one
period (a year or a wave) or leaves it out, so that

* no period spends more than its budget cap (cents, exact integers);
* every school the user pinned stays in its period, and no school goes to a period it is not
  allowed in;
* optionally, the schools of one operator (``group``) land in at most ``max_periods_per_group``
  periods, so an operator deals with the roll-out in at most K waves.

Among those plans it maximises the priority-weighted coverage, earliest first. School ``i`` in
period ``t`` (of ``T``) is worth

    weight_i * (1 + earliness * (T - 1 - t) / (T - 1))

so a school in the first period is worth ``1 + earliness`` times what it is worth in the last.
The default ``earliness`` of 0.05 is small on purpose: coverage comes first and the order of the
years only second. Leaving a school out loses its whole weight, while moving a school to the last
period costs at most 5 % of it, so dropping a school to make room for others earlier only pays
when those others are together worth more than twenty times it. Among the covered schools, the
higher priorities get the earlier years, because their 5 % is worth more.

``weight_i`` is the school's priority, except that a priority of 0 counts as a thousandth of the
smallest positive priority (1 when no priority is positive). Without that, a school of priority 0
would be worth nothing and a budget that has room for it would stay unused; with it, such
schools fill what is left, and it takes about a thousand of them to outweigh one school with a
priority.

The model: a 0-1 linear programme for ``scipy.optimize.milp`` (HiGHS), with ``x[i, t] = 1`` when
school ``i`` goes to period ``t`` (variables exist only for allowed periods; a pinned school has
one, fixed to 1), ``sum_t x[i, t] <= 1``, one budget row per capped period (scaled by its cap, so
HiGHS sees coefficients below 1 instead of millions of cents), and for the operator limit binary
``y[g, t]`` (the group uses period ``t``) with ``x[i, t] <= y[g, t]`` and ``sum_t y[g, t] <= K``.
Groups that cannot exceed K periods anyway (at most K schools, or at most K allowed periods) get
no rows. The aggregated form ``sum_i x[i, t] <= n_g * y[g, t]`` has 20 times fewer rows on the
benchmark but a much weaker relaxation: measured there, rounding it left gaps of 2.5 to 6 % and
branch and bound then took 40 s and more, against about a second for the form used here.

How it is solved, in up to three steps, each only when the one before did not reach the gap:

1. The linear relaxation. Its value bounds every plan (that is ``dual_bound``), and its solution
   is nearly integral: on the benchmark (5,000 schools, 4 periods, 300 operators, K = 2) about 60
   schools are split between periods or partly covered. The plan keeps the schools it covers
   whole, then fills up along its fractions (the schools it covers most first, each into the
   period where it has the most); that is within 0.01 to 0.09 % of the bound there, in about a
   second. HiGHS's branch and bound on the same model needs 15 to 30 s for 0.1 %: its bound is
   that of the relaxation from the start, but its own heuristics take long to find such a plan.
2. Branch and bound on the schools the relaxation did not cover whole, the others fixed where it
   put them: a problem of a few hundred schools (given a quarter of ``time_limit`` at most).
3. Branch and bound on the whole problem, in the time that is left; its bound tightens
   ``dual_bound``.

After each solve the 0-1 values are read back and checked in exact integers (a safety net drops
the lowest-weight unpinned school of a period, should the solver's float tolerance have let a
cent through). Then every school still left out that fits somewhere (budget and operator limit)
is added: first those the solver covered most, each into the period it preferred, then the
others, earliest period first; once by weight per cent and once by weight, keeping the better
plan. That can only raise the objective, and it means every school the optimiser leaves out has
a reason other than the solver's gap: ``"no_budget"``, ``"constraint"`` or ``"not_allowed"``.
:func:`explain_left_out` gives the same reasons for any plan, for example one a person edited;
there ``"not_chosen"`` (it would fit, nothing forbids it) can occur too.

``scipy.optimize.milp`` takes no callback, so ``progress`` is told only at the stage boundaries
(building 0.0, solving 0.1, explaining 0.9, done 1.0), not during the solve.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

Status = Literal["optimal", "time_limit", "infeasible", "unbounded", "error"]
Reason = Literal["no_budget", "constraint", "not_chosen", "not_allowed"]
Method = Literal["relaxation", "fixed_relaxation", "branch_and_bound", "pins"]
Progress = Callable[[str, float], None]

DEFAULT_EARLINESS = 0.05
DEFAULT_RELATIVE_GAP = 0.001
DEFAULT_TIME_LIMIT = 30.0
# A priority of 0 counts as this share of the smallest positive priority (see the module docstring).
ZERO_PRIORITY_SHARE = 0.001

_STATUS: dict[int, Status] = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "error"}


@dataclass(frozen=True, slots=True)
class Period:
    """One year or wave of the plan; ``cap`` is its budget in cents, ``None`` for no cap."""

    cap: int | None = None
    label: Any = None


@dataclass(frozen=True, slots=True)
class School:
    """One school to place.

    ``key`` identifies it in the result (a school id, say). ``cost`` is in cents. ``priority``
    (>= 0) is what covering it is worth, e.g. from the socio-economic index. ``group`` is the
    operator, for ``max_periods_per_group``. ``pinned`` is the period index a person fixed it to.
    ``allowed`` is the set of period indexes it may go to (``None``: all).
    """

    key: Hashable
    cost: int
    priority: int | float | Decimal | Fraction = 0
    group: Hashable | None = None
    pinned: int | None = None
    allowed: Collection[int] | None = None


@dataclass(frozen=True, slots=True)
class PeriodSummary:
    """What the plan puts into one period; ``remaining`` is ``cap - cost`` (``None`` without cap)."""

    index: int
    label: Any
    schools: int
    cost: int
    cap: int | None
    remaining: int | None


@dataclass(frozen=True, slots=True)
class RolloutResult:
    """A roll-out plan, how good it is provably, and why each school left out is left out."""

    status: Status
    # (dual_bound - objective) / objective: no plan is worth more than 1 + mip_gap times this one.
    # 0.0 when proven optimal; None when the time ran out before there was a bound.
    mip_gap: float | None
    # Weighted coverage of the returned plan (see the module docstring), in priority units.
    objective: float
    # No plan can be worth more than this (the solver's bound), None when it gave none.
    dual_bound: float | None
    seconds: float
    build_seconds: float
    solve_seconds: float
    # How the plan was found: "relaxation" (the rounded linear relaxation was within the gap),
    # "fixed_relaxation" (its whole schools kept, the rest by branch and bound),
    # "branch_and_bound" (on the whole problem), or "pins" (no solver result in time: the pins
    # plus the fill pass).
    method: Method
    # Every school's key, in input order: its period index, or None when left out.
    assignment: dict[Hashable, int | None]
    periods: list[PeriodSummary]
    # Only the schools left out, in input order.
    reasons: dict[Hashable, Reason]
    message: str


# --- validation ----------------------------------------------------------------------------------


def _check_whole(value: Any, what: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {value}")
    return value


def _check_priority(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        raise ValueError(f"{what} must be a number, not {value!r}")
    result = float(value)
    if not math.isfinite(result) or (isinstance(value, Decimal) and not value.is_finite()):
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    if result < 0:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return result


def _allowed_set(school: School, i: int, period_count: int) -> frozenset[int]:
    if school.allowed is None:
        return frozenset(range(period_count))
    if isinstance(school.allowed, str | bytes):
        raise ValueError(f"schools[{i}] ({school.key!r}): allowed must be a set of period indexes")
    result = frozenset(school.allowed)
    for t in result:
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < period_count:
            raise ValueError(
                f"schools[{i}] ({school.key!r}): allowed period {t!r} is not an index from 0 to {period_count - 1}"
            )
    return result


def validate_rollout_inputs(
    periods: Sequence[Period],
    schools: Sequence[School],
    *,
    max_periods_per_group: int | None = None,
) -> None:
    """Raise ``ValueError`` naming the first problem found; return None when the inputs are sound.

    Checks the types and signs of caps, costs and priorities, unique school keys, allowed and
    pinned period indexes in range, pins inside the allowed periods, pinned schools within every
    cap, and no operator pinned into more than ``max_periods_per_group`` periods. Inputs that pass
    always have a plan (the pins alone), so the optimiser never reports them infeasible.
    """
    _validate(periods, schools, max_periods_per_group)


def _validate(
    periods: Sequence[Period], schools: Sequence[School], max_periods_per_group: int | None
) -> list[frozenset[int]]:
    """Validate, and return every school's allowed periods (just its pin when it is pinned)."""
    period_count = len(periods)
    if period_count == 0:
        raise ValueError("a roll-out plan needs at least one period")
    for t, period in enumerate(periods):
        if not isinstance(period, Period):
            raise ValueError(f"periods[{t}] must be a Period, not {period!r}")
        if period.cap is not None:
            _check_whole(period.cap, f"periods[{t}].cap")
    if max_periods_per_group is not None:
        _check_whole(max_periods_per_group, "max_periods_per_group", minimum=1)

    seen: dict[Hashable, int] = {}
    allowed: list[frozenset[int]] = []
    pinned_cost = [0] * period_count
    pinned_periods: dict[Hashable, set[int]] = {}
    for i, school in enumerate(schools):
        if not isinstance(school, School):
            raise ValueError(f"schools[{i}] must be a School, not {school!r}")
        try:
            hash(school.key)
            hash(school.group)
        except TypeError as exc:
            raise ValueError(f"schools[{i}]: key and group must be hashable, got {school.key!r}") from exc
        if school.key in seen:
            raise ValueError(f"schools[{i}] has the key {school.key!r} of schools[{seen[school.key]}]")
        seen[school.key] = i
        _check_whole(school.cost, f"schools[{i}] ({school.key!r}).cost")
        _check_priority(school.priority, f"schools[{i}] ({school.key!r}).priority")
        periods_allowed = _allowed_set(school, i, period_count)
        if school.pinned is not None:
            pin = school.pinned
            if isinstance(pin, bool) or not isinstance(pin, int) or not 0 <= pin < period_count:
                raise ValueError(
                    f"schools[{i}] ({school.key!r}) is pinned to {pin!r}, not a period index "
                    f"from 0 to {period_count - 1}"
                )
            if pin not in periods_allowed:
                raise ValueError(f"schools[{i}] ({school.key!r}) is pinned to period {pin}, which it is not allowed in")
            periods_allowed = frozenset((pin,))
            pinned_cost[pin] += school.cost
            if school.group is not None:
                pinned_periods.setdefault(school.group, set()).add(pin)
        allowed.append(periods_allowed)

    for t, period in enumerate(periods):
        if period.cap is not None and pinned_cost[t] > period.cap:
            name = f"period {t}" if period.label is None else f"period {t} ({period.label})"
            raise ValueError(
                f"{name}: the pinned schools cost {pinned_cost[t]} cents, more than its cap of {period.cap} cents"
            )
    if max_periods_per_group is not None:
        for group, used in pinned_periods.items():
            if len(used) > max_periods_per_group:
                raise ValueError(
                    f"group {group!r} has schools pinned to {len(used)} periods ({sorted(used)}), "
                    f"more than max_periods_per_group = {max_periods_per_group}"
                )
    return allowed


# --- explanations --------------------------------------------------------------------------------


def _reason(
    cost: int,
    allowed: frozenset[int],
    group: Hashable | None,
    remaining: Sequence[int | None],
    group_periods: Mapping[Hashable, set[int]],
    max_periods_per_group: int | None,
) -> Reason:
    if not allowed:
        return "not_allowed"
    with_room = [t for t in sorted(allowed) if remaining[t] is None or remaining[t] >= cost]  # type: ignore[operator]
    if not with_room:
        return "no_budget"
    if max_periods_per_group is not None and group is not None:
        used = group_periods.get(group, set())
        if len(used) >= max_periods_per_group and not used.intersection(with_room):
            return "constraint"
    return "not_chosen"


def _period_usage(
    periods: Sequence[Period], schools: Sequence[School], placed: Sequence[int | None]
) -> tuple[list[int], list[int], list[int | None], dict[Hashable, set[int]]]:
    counts = [0] * len(periods)
    costs = [0] * len(periods)
    group_periods: dict[Hashable, set[int]] = {}
    for school, t in zip(schools, placed, strict=True):
        if t is None:
            continue
        counts[t] += 1
        costs[t] += school.cost
        if school.group is not None:
            group_periods.setdefault(school.group, set()).add(t)
    remaining = [None if p.cap is None else p.cap - costs[t] for t, p in enumerate(periods)]
    return counts, costs, remaining, group_periods


def explain_left_out(
    periods: Sequence[Period],
    schools: Sequence[School],
    assignment: Mapping[Hashable, int | None],
    *,
    max_periods_per_group: int | None = None,
) -> dict[Hashable, Reason]:
    """Say, for every school the plan ``assignment`` leaves out, why it is left out.

    * ``"not_allowed"``: it has no allowed period;
    * ``"no_budget"``: no allowed period has ``remaining >= cost`` in this plan;
    * ``"constraint"``: some allowed period has room, but its operator already uses
      ``max_periods_per_group`` periods and none of those has room;
    * ``"not_chosen"``: it would fit and nothing forbids it.

    Schools missing from ``assignment`` count as left out. Beyond its period indexes, the plan
    itself is not checked (caps, pins and limits are what the person decided).
    """
    allowed = _validate(periods, schools, max_periods_per_group)
    placed = [assignment.get(s.key) for s in schools]
    for school, t in zip(schools, placed, strict=True):
        if t is not None and (isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < len(periods)):
            raise ValueError(
                f"the plan puts {school.key!r} into {t!r}, not a period index from 0 to {len(periods) - 1}"
            )
    _, _, remaining, group_periods = _period_usage(periods, schools, placed)
    return {
        s.key: _reason(s.cost, allowed[i], s.group, remaining, group_periods, max_periods_per_group)
        for i, s in enumerate(schools)
        if placed[i] is None
    }


# --- the model -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Model:
    c: np.ndarray
    integrality: np.ndarray
    bounds: Bounds
    constraints: list[LinearConstraint]
    school_of_x: np.ndarray
    period_of_x: np.ndarray
    scale: float


def _weights(schools: Sequence[School]) -> np.ndarray:
    priorities = np.array([float(s.priority) for s in schools], dtype=float)
    positive = priorities[priorities > 0]
    floor = ZERO_PRIORITY_SHARE * positive.min() if positive.size else 1.0
    if floor <= 0:  # a denormal smallest priority (5e-324): a thousandth of it underflows to 0
        floor = positive.min()
    return np.where(priorities > 0, priorities, floor)


def _earliness_factors(period_count: int, earliness: float) -> np.ndarray:
    if period_count == 1:
        return np.ones(1)
    return 1.0 + earliness * (period_count - 1 - np.arange(period_count)) / (period_count - 1)


def _build(
    periods: Sequence[Period],
    schools: Sequence[School],
    allowed: Sequence[frozenset[int]],
    weights: np.ndarray,
    factors: np.ndarray,
    max_periods_per_group: int | None,
    fixed: Sequence[bool],
) -> _Model:
    """The 0-1 programme; a ``fixed`` school has one allowed period and its variable is fixed to 1."""
    n, period_count = len(schools), len(periods)
    mask = np.zeros((n, period_count), dtype=bool)
    rows = [i for i, a in enumerate(allowed) for _ in a]
    cols = [t for a in allowed for t in a]
    mask[rows, cols] = True
    costs = np.array([s.cost for s in schools], dtype=float)
    caps = np.array([math.inf if p.cap is None else p.cap for p in periods], dtype=float)
    mask &= costs[:, None] <= caps[None, :]  # a school dearer than a whole cap never goes there
    school_of_x, period_of_x = np.nonzero(mask)  # one x per allowed (school, period), by school then period
    x_count = school_of_x.size
    is_fixed = np.array(fixed, dtype=bool)

    coefficients = weights[school_of_x] * factors[period_of_x]
    scale = float(coefficients.max()) if x_count and coefficients.max() > 0 else 1.0
    lower = is_fixed[school_of_x].astype(float)

    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # rows, cols, data, lb, ub

    # At most one period per school (a school with a single allowed period needs no row).
    per_school = np.bincount(school_of_x, minlength=n)
    several = per_school[school_of_x] > 1
    row_of_school = np.cumsum(per_school > 1) - 1
    row_count = int((per_school > 1).sum())
    blocks.append(
        (
            row_of_school[school_of_x[several]],
            np.flatnonzero(several),
            np.ones(int(several.sum())),
            np.full(row_count, -np.inf),
            np.ones(row_count),
        )
    )

    # Budget per capped period; a cap that every allowed school together cannot reach is left out.
    demand = np.bincount(period_of_x, weights=costs[school_of_x], minlength=period_count)
    binding = [(t, p.cap) for t, p in enumerate(periods) if p.cap is not None and demand[t] > p.cap]
    if binding:  # so every cap here is > 0
        row_of_period = np.full(period_count, -1)
        cap_of_period = np.ones(period_count)
        for r, (t, cap) in enumerate(binding):
            row_of_period[t] = r
            cap_of_period[t] = cap
        in_capped = row_of_period[period_of_x] >= 0
        blocks.append(
            (
                row_of_period[period_of_x[in_capped]],
                np.flatnonzero(in_capped),
                costs[school_of_x[in_capped]] / cap_of_period[period_of_x[in_capped]],
                np.full(len(binding), -np.inf),
                np.ones(len(binding)),
            )
        )

    y_count = 0
    if max_periods_per_group is not None and period_count > max_periods_per_group:
        limit = max_periods_per_group
        codes: dict[Hashable, int] = {}
        group_of_school = np.array(
            [-1 if s.group is None else codes.setdefault(s.group, len(codes)) for s in schools], dtype=np.int64
        )
        group_count = len(codes)
        if group_count:
            size = np.bincount(group_of_school[group_of_school >= 0], minlength=group_count)
            group_of_x = group_of_school[school_of_x]
            grouped = group_of_x >= 0
            usable = np.zeros((group_count, period_count), dtype=bool)
            usable[group_of_x[grouped], period_of_x[grouped]] = True
            # Only groups that could otherwise spread over more than `limit` periods need y.
            constrained = np.minimum(size, usable.sum(axis=1)) > limit
            usable &= constrained[:, None]
            y_group, y_period = np.nonzero(usable)
            y_count = y_group.size
            y_index = np.full((group_count, period_count), -1, dtype=np.int64)
            y_index[y_group, y_period] = x_count + np.arange(y_count)
            linked = np.flatnonzero(grouped & constrained[np.where(grouped, group_of_x, 0)])
            link_rows = np.arange(linked.size)
            # x[i, t] - y[g, t] <= 0
            blocks.append(
                (
                    np.concatenate([link_rows, link_rows]),
                    np.concatenate([linked, y_index[group_of_x[linked], period_of_x[linked]]]),
                    np.concatenate([np.ones(linked.size), -np.ones(linked.size)]),
                    np.full(linked.size, -np.inf),
                    np.zeros(linked.size),
                )
            )
            # sum_t y[g, t] <= limit
            group_rows = np.cumsum(constrained) - 1
            constrained_count = int(constrained.sum())
            blocks.append(
                (
                    group_rows[y_group],
                    x_count + np.arange(y_count),
                    np.ones(y_count),
                    np.full(constrained_count, -np.inf),
                    np.full(constrained_count, float(limit)),
                )
            )

    variable_count = x_count + y_count
    offset = 0
    all_rows, all_cols, all_data, all_lb, all_ub = [], [], [], [], []
    for block_rows, block_cols, data, lb, ub in blocks:
        all_rows.append(block_rows + offset)
        all_cols.append(block_cols)
        all_data.append(data)
        all_lb.append(lb)
        all_ub.append(ub)
        offset += lb.size
    constraints = []
    if offset:
        matrix = coo_array(
            (np.concatenate(all_data), (np.concatenate(all_rows), np.concatenate(all_cols))),
            shape=(offset, variable_count),
        ).tocsr()
        constraints.append(LinearConstraint(matrix, np.concatenate(all_lb), np.concatenate(all_ub)))
    c = np.concatenate([-coefficients / scale, np.zeros(y_count)])
    return _Model(
        c=c,
        integrality=np.ones(variable_count, dtype=np.int8),
        bounds=Bounds(np.concatenate([lower, np.zeros(y_count)]), np.ones(variable_count)),
        constraints=constraints,
        school_of_x=school_of_x,
        period_of_x=period_of_x,
        scale=scale,
    )


# --- after the solve -----------------------------------------------------------------------------


def _repair(
    periods: Sequence[Period],
    schools: Sequence[School],
    by_weight: Sequence[int],
    placed: list[int | None],
    max_periods_per_group: int | None,
) -> None:
    """Make a plan read from float solver values hold exactly: caps in integers, operator limits.

    The solver works to a float tolerance; should that have let a cent through, the lowest-weight
    unpinned schools of the period go. (This is a safety net: it has not been seen to act.)
    """
    _, costs, _, group_periods = _period_usage(periods, schools, placed)
    for t, period in enumerate(periods):
        if period.cap is None or costs[t] <= period.cap:
            continue
        for i in reversed(by_weight):
            if placed[i] == t and schools[i].pinned is None:
                placed[i] = None
                costs[t] -= schools[i].cost
                if costs[t] <= period.cap:
                    break
    if max_periods_per_group is None:
        return
    for group, used in group_periods.items():
        if len(used) <= max_periods_per_group:
            continue
        members = [i for i in by_weight if schools[i].group == group and placed[i] is not None]
        value = dict.fromkeys(sorted(used), 0.0)
        for rank, i in enumerate(members):
            value[placed[i]] += len(members) - rank  # type: ignore[index]
        pinned_periods = {placed[i] for i in members if schools[i].pinned is not None}
        keep = sorted(used, key=lambda t: (t not in pinned_periods, -value[t], t))[:max_periods_per_group]
        for i in members:
            if placed[i] not in keep:
                placed[i] = None


def _fill(
    periods: Sequence[Period],
    schools: Sequence[School],
    allowed: Sequence[frozenset[int]],
    order: Sequence[int],
    preference: np.ndarray | None,
    placed: list[int | None],
    max_periods_per_group: int | None,
) -> None:
    """Add every left-out school that fits, in ``order``, into the period it prefers most.

    ``preference[i, t]`` (the relaxation's value, say) ranks a school's periods, earliest first
    among equals; without it, the earliest period that fits.
    """
    _, _, remaining, group_periods = _period_usage(periods, schools, placed)
    for i in order:
        if placed[i] is not None:
            continue
        school = schools[i]
        used = group_periods.get(school.group) if school.group is not None else None
        candidates = sorted(allowed[i])
        if preference is not None:
            candidates.sort(key=lambda t: -preference[i, t])
        for t in candidates:
            room = remaining[t]
            if room is not None and room < school.cost:
                continue
            if (
                max_periods_per_group is not None
                and used is not None
                and len(used) >= max_periods_per_group
                and t not in used
            ):
                continue
            placed[i] = t
            if room is not None:
                remaining[t] = room - school.cost
            if school.group is not None:
                group_periods.setdefault(school.group, set()).add(t)
                used = group_periods[school.group]
            break


def _plan_from(
    values: np.ndarray | None,
    model: _Model,
    periods: Sequence[Period],
    schools: Sequence[School],
    allowed: Sequence[frozenset[int]],
    by_weight: Sequence[int],
    fill_order: Sequence[int],
    max_periods_per_group: int | None,
) -> list[int | None]:
    """Turn solver values into a plan: the schools at 1, repaired, then the rest filled in.

    The schools the solver covers most (the sum of their values, rounded to 6 places so that
    float noise does not decide) come first, in ``fill_order`` among equals, each into the period
    with its largest value. Without values: the pins, then ``fill_order``, earliest period first.
    """
    if values is None:
        placed: list[int | None] = [s.pinned for s in schools]
        _fill(periods, schools, allowed, fill_order, None, placed, max_periods_per_group)
        return placed
    placed = [None] * len(schools)
    chosen = values[: model.school_of_x.size] > 1 - 1e-6
    for i, t in zip(model.school_of_x[chosen].tolist(), model.period_of_x[chosen].tolist(), strict=True):
        placed[i] = t
    _repair(periods, schools, by_weight, placed, max_periods_per_group)
    preference = np.zeros((len(schools), len(periods)))
    preference[model.school_of_x, model.period_of_x] = np.round(values[: model.school_of_x.size], 6)
    coverage = preference.sum(axis=1).tolist()
    rank = {i: r for r, i in enumerate(fill_order)}
    order = sorted(range(len(schools)), key=lambda i: (-coverage[i], rank[i]))
    _fill(periods, schools, allowed, order, preference, placed, max_periods_per_group)
    return placed


def _relative_gap(bound: float, objective: float, scale: float) -> float:
    """(bound - objective) / objective, 0.0 within float noise (a relative 1e-9)."""
    if objective > 0:
        gap = (bound - objective) / objective
        return 0.0 if gap < 1e-9 else gap
    return 0.0 if bound <= 1e-9 * scale else math.inf


def plan_rollout(
    periods: Sequence[Period],
    schools: Sequence[School],
    *,
    max_periods_per_group: int | None = None,
    relative_gap: float = DEFAULT_RELATIVE_GAP,
    time_limit: float = DEFAULT_TIME_LIMIT,
    earliness: float = DEFAULT_EARLINESS,
    progress: Progress | None = None,
) -> RolloutResult:
    """Place the schools into the periods (see the module docstring for the model and the solve).

    ``relative_gap``: stop once no plan can be worth more than ``1 + relative_gap`` times the one
    returned (0 asks for a proven optimum). ``time_limit``: seconds for the solver (building the
    model comes on top); when they run out, the best plan found so far comes back with status
    ``"time_limit"``. ``progress(stage, fraction)`` is called at "building" 0.0, "solving" 0.1,
    "explaining" 0.9 and "done" 1.0; ``milp`` has no callback, so nothing is reported during the
    solve itself.

    Raises ``ValueError`` for unsound inputs (see :func:`validate_rollout_inputs`).
    """
    started = time.perf_counter()
    if isinstance(relative_gap, bool) or not isinstance(relative_gap, int | float) or not relative_gap >= 0:
        raise ValueError(f"relative_gap must be a number >= 0, not {relative_gap!r}")
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float) or not time_limit > 0:
        raise ValueError(f"time_limit must be a number of seconds > 0, not {time_limit!r}")
    if isinstance(earliness, bool) or not isinstance(earliness, int | float) or not 0 <= earliness < math.inf:
        raise ValueError(f"earliness must be a finite number >= 0, not {earliness!r}")
    if progress:
        progress("building", 0.0)
    allowed = _validate(periods, schools, max_periods_per_group)
    weights = _weights(schools) if schools else np.zeros(0)
    factors = _earliness_factors(len(periods), float(earliness))
    fixed = [s.pinned is not None for s in schools]
    model = _build(periods, schools, allowed, weights, factors, max_periods_per_group, fixed)
    weight_list, factor_list = weights.tolist(), factors.tolist()
    by_weight = sorted(range(len(schools)), key=lambda i: (-weight_list[i], i))
    # Filling the budget left over is a small knapsack problem: by weight and by weight per cent
    # each win on some instances (on the benchmark, per cent wins six times out of seven).
    by_value = sorted(
        range(len(schools)),
        key=lambda i: (-weight_list[i] / schools[i].cost if schools[i].cost else -math.inf, i),
    )

    def worth(placed: list[int | None]) -> float:
        return math.fsum(weight_list[i] * factor_list[t] for i, t in enumerate(placed) if t is not None)

    def plan_from(values: np.ndarray | None, source: _Model) -> list[int | None]:
        plans = [
            _plan_from(values, source, periods, schools, allowed, by_weight, order, max_periods_per_group)
            for order in (by_value, by_weight)
        ]
        return max(plans, key=worth)  # the first of equals

    def solve(source: _Model, *, integral: bool, share: float = 1.0) -> Any:
        left = max(0.01, min(share * time_limit, time_limit - (time.perf_counter() - built)))
        return milp(
            source.c,
            integrality=source.integrality if integral else np.zeros_like(source.integrality),
            bounds=source.bounds,
            constraints=source.constraints,
            options=(
                {"time_limit": left, "presolve": True, "mip_rel_gap": float(relative_gap)}
                if integral
                else {"time_limit": left, "presolve": True}
            ),
        )

    def good_enough() -> bool:
        return bound is not None and _relative_gap(bound, worth(placed), model.scale) <= relative_gap

    built = time.perf_counter()
    if progress:
        progress("solving", 0.1)
    status: Status = "time_limit"
    message = "the time limit ran out before the relaxation was solved"
    method: Method = "pins"
    bound: float | None = None
    proven_by_solver = False  # branch and bound on the whole problem reported its gap reached
    placed: list[int | None] = []
    if not model.c.size:
        bound, status, message, method = 0.0, "optimal", "nothing to place", "relaxation"

    # 1. The linear relaxation, rounded (see the module docstring).
    relaxed = solve(model, integral=False) if model.c.size else None
    if relaxed is not None:
        if relaxed.status == 0:
            bound = -float(relaxed.fun) * model.scale
            placed, method = plan_from(relaxed.x, model), "relaxation"
            status, message = "optimal", "the rounded relaxation is within the gap"
        elif relaxed.status in (2, 3, 4):
            status, message = _STATUS[relaxed.status], str(relaxed.message)
    if relaxed is None or relaxed.status != 0:
        placed = plan_from(None, model)

    # 2. The schools the relaxation covers whole stay where it put them; branch and bound places
    # the others. A few hundred schools: it usually closes the gap in a second or two, but it
    # must prove its own gap, so it gets a quarter of the time at most.
    if relaxed is not None and relaxed.status == 0 and not good_enough():
        whole = relaxed.x[: model.school_of_x.size] > 1 - 1e-6
        sub_allowed = list(allowed)
        sub_fixed = list(fixed)
        for i, t in zip(model.school_of_x[whole].tolist(), model.period_of_x[whole].tolist(), strict=True):
            sub_allowed[i], sub_fixed[i] = frozenset((t,)), True
        sub_model = _build(periods, schools, sub_allowed, weights, factors, max_periods_per_group, sub_fixed)
        result = solve(sub_model, integral=True, share=0.25)
        if result.x is not None:
            candidate = plan_from(result.x, sub_model)
            if worth(candidate) > worth(placed):
                placed, method = candidate, "fixed_relaxation"
                message = "the relaxation's whole schools kept, the others placed by branch and bound"

    # 3. Branch and bound on the whole problem, in the time that is left.
    if bound is not None and not good_enough() and time.perf_counter() - built < time_limit:
        result = solve(model, integral=True)
        status, message = _STATUS.get(result.status, "error"), str(result.message)
        proven_by_solver = result.status == 0
        if result.x is not None:
            candidate = plan_from(result.x, model)
            if worth(candidate) > worth(placed):
                placed, method = candidate, "branch_and_bound"
        dual = getattr(result, "mip_dual_bound", None)
        if dual is not None and math.isfinite(dual):
            bound = min(bound, -float(dual) * model.scale)
    solved = time.perf_counter()

    if progress:
        progress("explaining", 0.9)
    objective = worth(placed)
    gap: float | None = None
    if bound is not None:
        bound = max(bound, objective)  # a proven optimum may come out a hair above the bound
        gap = _relative_gap(bound, objective, model.scale)
    if gap is not None and gap <= relative_gap:
        status = "optimal"
    elif status == "optimal" and not proven_by_solver:
        status = "time_limit"
        message = "the time limit ran out before the plan was within the gap"
    counts, costs, remaining, group_periods = _period_usage(periods, schools, placed)
    reasons = {
        s.key: _reason(s.cost, allowed[i], s.group, remaining, group_periods, max_periods_per_group)
        for i, s in enumerate(schools)
        if placed[i] is None
    }
    summaries = [
        PeriodSummary(index=t, label=p.label, schools=counts[t], cost=costs[t], cap=p.cap, remaining=remaining[t])
        for t, p in enumerate(periods)
    ]
    finished = time.perf_counter()
    if progress:
        progress("done", 1.0)
    return RolloutResult(
        status=status,
        mip_gap=gap,
        objective=objective,
        dual_bound=bound,
        seconds=finished - started,
        build_seconds=built - started,
        solve_seconds=solved - built,
        method=method,
        assignment={s.key: placed[i] for i, s in enumerate(schools)},
        periods=summaries,
        reasons=reasons,
        message=message,
    )
