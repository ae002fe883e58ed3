"""Roll-out plan optimiser: hand-checked plans, reasons, errors, brute force and properties (no database)."""

import itertools
import random
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import OptimizeResult

from digileap.allocation.optimizer import (
    Period,
    PeriodSummary,
    School,
    explain_left_out,
    plan_rollout,
    validate_rollout_inputs,
)

FAST = settings(max_examples=150, deadline=None)


def periods_with(*caps):
    return [Period(cap=cap, label=2026 + t) for t, cap in enumerate(caps)]


def exact(periods, schools, **options):
    """A proven optimum: small cases have a unique best plan, and gap 0 asks for it."""
    return plan_rollout(periods, schools, relative_gap=0, **options)


# --- exact values -------------------------------------------------------------------------------


def test_a_cap_is_respected_and_the_higher_priority_school_goes_first():
    schools = [
        School(key="low", cost=60, priority=Decimal("2")),
        School(key="high", cost=60, priority=Decimal("3")),
        School(key="small", cost=40, priority=Decimal("0.5")),
    ]
    result = exact(periods_with(100), schools)
    assert result.assignment == {"low": None, "high": 0, "small": 0}
    assert result.reasons == {"low": "no_budget"}
    assert result.periods == [PeriodSummary(index=0, label=2026, schools=2, cost=100, cap=100, remaining=0)]
    assert result.objective == 3.5  # one period: no earliness factor
    assert result.status == "optimal"
    assert result.mip_gap == 0.0
    assert result.dual_bound == pytest.approx(3.5, rel=1e-9)


def test_earlier_periods_go_to_the_higher_priorities():
    schools = [School(key="b", cost=100, priority=1), School(key="a", cost=100, priority=2)]
    result = exact(periods_with(100, 100), schools)
    assert result.assignment == {"b": 1, "a": 0}
    # Two periods: factors 1.05 and 1.00.
    assert result.objective == pytest.approx(2 * 1.05 + 1 * 1.00)


def test_with_room_for_everything_every_school_goes_to_the_first_period():
    schools = [School(key=k, cost=10, priority=1) for k in "abc"]
    result = exact(periods_with(100, 100, 100), schools)
    assert result.assignment == {"a": 0, "b": 0, "c": 0}
    assert [p.remaining for p in result.periods] == [70, 100, 100]


def test_earliness_zero_still_covers_the_most_priority():
    schools = [School(key="b", cost=100, priority=1), School(key="a", cost=100, priority=2)]
    result = exact(periods_with(100, 100), schools, earliness=0)
    assert sorted(result.assignment.values()) == [0, 1]
    assert result.objective == 3.0


def test_pinned_school_stays_where_it_was_pinned():
    schools = [
        School(key="b", cost=100, priority=1, pinned=0),
        School(key="a", cost=100, priority=2),
    ]
    result = exact(periods_with(100, 100), schools)
    assert result.assignment == {"b": 0, "a": 1}
    assert result.objective == pytest.approx(1 * 1.05 + 2 * 1.00)


def test_allowed_periods_are_respected():
    schools = [
        School(key="late", cost=10, priority=5, allowed={2}),
        School(key="early", cost=10, priority=1, allowed=[0, 1]),
    ]
    result = exact(periods_with(100, 100, 100), schools)
    assert result.assignment == {"late": 2, "early": 0}


def test_an_operator_spreads_over_at_most_k_periods():
    # Each period holds one school of 60; the operator's three schools would need three periods.
    schools = [
        School(key="g1", cost=60, priority=3, group="op"),
        School(key="g2", cost=60, priority=2, group="op"),
        School(key="g3", cost=60, priority=1, group="op"),
    ]
    free = exact(periods_with(100, 100, 100), schools)
    assert free.assignment == {"g1": 0, "g2": 1, "g3": 2}
    assert free.objective == pytest.approx(3 * 1.05 + 2 * 1.025 + 1 * 1.0)

    limited = exact(periods_with(100, 100, 100), schools, max_periods_per_group=2)
    assert limited.assignment == {"g1": 0, "g2": 1, "g3": None}
    # Period 2 has room for g3 (100 >= 60), but the operator already uses two periods, both full.
    assert limited.reasons == {"g3": "constraint"}
    assert limited.objective == pytest.approx(3 * 1.05 + 2 * 1.025)


def test_the_operator_limit_packs_an_operator_into_fewer_periods():
    # Room for everything in three periods; with K = 1 the operator's schools share one period
    # (the first), and the other operator's school moves to the second.
    schools = [
        School(key="a1", cost=40, priority=2, group="A"),
        School(key="a2", cost=40, priority=2, group="A"),
        School(key="b1", cost=50, priority=3, group="B"),
    ]
    result = exact(periods_with(100, 100, 100), schools, max_periods_per_group=1)
    # b1 (3) first with one of A's would split A; A together (4 * 1.05) plus b1 in period 1
    # (3 * 1.025) = 7.275 beats b1 first (3 * 1.05) plus A in period 1 (4 * 1.025) = 7.25.
    assert result.assignment == {"a1": 0, "a2": 0, "b1": 1}
    assert result.objective == pytest.approx(4 * 1.05 + 3 * 1.025)


def test_reasons_for_left_out_schools():
    schools = [
        School(key="big", cost=500, priority=9),
        School(key="nowhere", cost=1, priority=9, allowed=set()),
        School(key="fits", cost=80, priority=1),
        School(key="o1", cost=60, priority=4, group="op", pinned=0),
        School(key="o2", cost=30, priority=4, group="op"),
    ]
    result = exact(periods_with(100, 100), schools, max_periods_per_group=1)
    # o1 is pinned to 0 (60 of 100), so o2 can only join it there (30 fits: 90); fits (80) goes to 1.
    assert result.assignment == {"big": None, "nowhere": None, "fits": 1, "o1": 0, "o2": 0}
    assert result.reasons == {"big": "no_budget", "nowhere": "not_allowed"}
    assert [(p.schools, p.cost, p.remaining) for p in result.periods] == [(2, 90, 10), (1, 80, 20)]


def test_explain_left_out_for_a_plan_a_person_made():
    periods = periods_with(100, 100)
    schools = [
        School(key="a", cost=50, priority=1, group="op"),
        School(key="b", cost=50, priority=1, group="op"),
        School(key="c", cost=70, priority=1, group="op"),
        School(key="d", cost=40, priority=1),
        School(key="e", cost=200, priority=1),
        School(key="f", cost=1, priority=1, allowed=()),
    ]
    plan = {"a": 0, "b": 0, "c": None, "d": None, "e": None}  # "f" missing: counts as left out
    reasons = explain_left_out(periods, schools, plan, max_periods_per_group=1)
    # c: period 1 has room (100 >= 70), but op uses period 0 (full) and may use only one period.
    # d: period 1 has room and d has no operator: nothing forbids it.
    assert reasons == {"c": "constraint", "d": "not_chosen", "e": "no_budget", "f": "not_allowed"}
    assert explain_left_out(periods, schools, plan)["c"] == "not_chosen"
    with pytest.raises(ValueError, match=r"the plan puts 'a' into 2, not a period index from 0 to 1"):
        explain_left_out(periods, schools, {"a": 2})


def test_schools_of_priority_zero_still_use_free_budget():
    schools = [School(key="zero", cost=50, priority=0), School(key="one", cost=50, priority=1)]
    result = exact(periods_with(100), schools)
    assert result.assignment == {"zero": 0, "one": 0}
    # A priority of 0 counts as a thousandth of the smallest positive priority.
    assert result.objective == pytest.approx(1.001)

    only_zero = exact(periods_with(100), [School(key=k, cost=40) for k in "abc"])
    assert sorted(only_zero.assignment.values(), key=str) == [0, 0, None]  # equal schools: any two
    assert list(only_zero.reasons.values()) == ["no_budget"]


def test_a_priority_zero_school_does_not_displace_a_school_with_priority():
    schools = [School(key="zero", cost=60, priority=0), School(key="one", cost=60, priority=Decimal("0.01"))]
    assert exact(periods_with(100), schools).assignment == {"zero": None, "one": 0}


def test_uncapped_period_takes_everyone_left():
    schools = [School(key=k, cost=70, priority=p) for k, p in [("a", 3), ("b", 2), ("c", 1)]]
    result = exact(periods_with(100, None), schools)
    assert result.assignment == {"a": 0, "b": 1, "c": 1}
    assert result.periods[1] == PeriodSummary(index=1, label=2027, schools=2, cost=140, cap=None, remaining=None)


def test_zero_cost_schools_always_fit():
    schools = [School(key="free", cost=0, priority=1), School(key="paid", cost=10, priority=1)]
    result = exact(periods_with(0, 10), schools)
    assert result.assignment == {"free": 0, "paid": 1}


def test_no_schools_and_no_variables():
    empty = plan_rollout(periods_with(100), [])
    assert (empty.status, empty.assignment, empty.objective, empty.mip_gap) == ("optimal", {}, 0.0, 0.0)
    nowhere = plan_rollout(periods_with(100), [School(key=1, cost=1, priority=1, allowed=set())])
    assert nowhere.assignment == {1: None}
    assert nowhere.reasons == {1: "not_allowed"}


def test_progress_is_reported_at_the_stage_boundaries():
    calls = []
    plan_rollout(periods_with(100), [School(key=1, cost=1, priority=1)], progress=lambda s, f: calls.append((s, f)))
    assert calls == [("building", 0.0), ("solving", 0.1), ("explaining", 0.9), ("done", 1.0)]


def test_without_any_solver_result_the_pins_and_a_greedy_fill_come_back(monkeypatch):
    import digileap.allocation.optimizer as optimizer

    out_of_time = OptimizeResult(status=1, x=None, fun=None, message="Time limit reached.", mip_dual_bound=None)
    monkeypatch.setattr(optimizer, "milp", lambda *args, **kwargs: out_of_time)
    schools = [
        School(key="pinned", cost=50, priority=1, pinned=1),
        School(key="a", cost=60, priority=2),
        School(key="b", cost=60, priority=1),
    ]
    result = plan_rollout(periods_with(100, 100), schools)
    assert (result.status, result.method, result.mip_gap, result.dual_bound) == ("time_limit", "pins", None, None)
    assert result.assignment == {"pinned": 1, "a": 0, "b": None}
    assert result.reasons == {"b": "no_budget"}
    assert result.objective == pytest.approx(1 * 1.0 + 2 * 1.05)


def random_instance(seed, *, schools=30, periods=3, groups=5, fits=0.85):
    rng = random.Random(seed)
    rows = [
        School(
            key=f"s{i}",
            cost=rng.randrange(10, 100) * 100,
            priority=Decimal(rng.randrange(0, 500)) / 100,
            group=f"g{rng.randrange(groups)}",
        )
        for i in range(schools)
    ]
    total = sum(s.cost for s in rows)
    return [Period(cap=int(total * fits / periods)) for _ in range(periods)], rows


def test_the_same_input_gives_the_same_plan():
    periods, schools = random_instance(3)
    first = plan_rollout(periods, schools, max_periods_per_group=2)
    second = plan_rollout(periods, schools, max_periods_per_group=2)
    assert first.assignment == second.assignment
    assert first.reasons == second.reasons
    assert first.objective == second.objective
    assert first.status == "optimal"
    assert first.mip_gap <= 0.001
    assert sum(t is not None for t in first.assignment.values()) == 26


# --- errors -------------------------------------------------------------------------------------


def test_pinned_schools_above_a_cap_are_refused():
    schools = [School(key="a", cost=60, pinned=1), School(key="b", cost=50, pinned=1)]
    with pytest.raises(
        ValueError, match=r"period 1 \(2027\): the pinned schools cost 110 cents, more than its cap of 100"
    ):
        plan_rollout(periods_with(100, 100), schools)


@pytest.mark.parametrize(
    ("periods", "schools", "options", "message"),
    [
        ([], [], {}, "at least one period"),
        (periods_with(-1), [], {}, r"periods\[0\].cap must be at least 0, got -1"),
        (periods_with(1.5), [], {}, r"periods\[0\].cap must be a whole number"),
        ([100], [], {}, r"periods\[0\] must be a Period"),
        (periods_with(1), [School(key="a", cost=-5)], {}, r"schools\[0\] \('a'\).cost must be at least 0, got -5"),
        (periods_with(1), [School(key="a", cost=True)], {}, "cost must be a whole number, not True"),
        (periods_with(1), [School(key="a", cost=Decimal("1.5"))], {}, "cost must be a whole number"),
        (periods_with(1), [School(key="a", cost=1, priority=-1)], {}, "priority must not be negative"),
        (periods_with(1), [School(key="a", cost=1, priority=float("nan"))], {}, "priority must be a finite number"),
        (periods_with(1), [School(key="a", cost=1, priority=Decimal("NaN"))], {}, "priority must be a finite number"),
        (periods_with(1), [School(key="a", cost=1, priority="3")], {}, "priority must be a number"),
        (periods_with(1), [School(key="a", cost=1), School(key="a", cost=2)], {}, r"schools\[1\] has the key 'a'"),
        (periods_with(1), [School(key=["a"], cost=1)], {}, "must be hashable"),
        (periods_with(1, 1), [School(key="a", cost=1, pinned=2)], {}, "pinned to 2, not a period index from 0 to 1"),
        (periods_with(1, 1), [School(key="a", cost=1, pinned=-1)], {}, "pinned to -1"),
        (periods_with(1, 1), [School(key="a", cost=1, allowed={0, 5})], {}, "allowed period 5 is not an index"),
        (periods_with(1, 1), [School(key="a", cost=1, allowed="01")], {}, "allowed must be a set"),
        (periods_with(1, 1), [School(key="a", cost=1, allowed={0}, pinned=1)], {}, "not allowed in"),
        ([Period()], [], {"max_periods_per_group": 0}, "max_periods_per_group must be at least 1"),
        (
            periods_with(9, 9, 9),
            [School(key=k, cost=1, group="op", pinned=t) for t, k in enumerate("abc")],
            {"max_periods_per_group": 2},
            r"group 'op' has schools pinned to 3 periods \(\[0, 1, 2\]\), more than max_periods_per_group = 2",
        ),
        ([Period()], [], {"relative_gap": -0.1}, "relative_gap must be a number >= 0"),
        ([Period()], [], {"time_limit": 0}, "time_limit must be a number of seconds > 0"),
        ([Period()], [], {"earliness": float("inf")}, "earliness must be a finite number >= 0"),
    ],
)
def test_unsound_inputs_are_refused(periods, schools, options, message):
    with pytest.raises(ValueError, match=message):
        plan_rollout(periods, schools, **options)


def test_validate_accepts_sound_inputs():
    schools = [School(key=1, cost=5, priority=Decimal("1.5"), group="op", pinned=0, allowed=frozenset({0, 1}))]
    assert validate_rollout_inputs(periods_with(10, None), schools, max_periods_per_group=1) is None
    with pytest.raises(
        ValueError, match=r"^period 0 \(2026\): the pinned schools cost 5 cents, more than its cap of 4"
    ):
        validate_rollout_inputs(periods_with(4, None), schools)
    with pytest.raises(ValueError, match=r"^period 0: the pinned schools cost 5 cents"):
        validate_rollout_inputs([Period(cap=4), Period()], schools)


# --- brute force --------------------------------------------------------------------------------


def brute_force(periods, schools, limit, earliness=0.05):
    """The best objective over every assignment (each school in a period or none)."""
    count = len(periods)
    factors = [1 + earliness * (count - 1 - t) / (count - 1) if count > 1 else 1 for t in range(count)]
    positive = [float(s.priority) for s in schools if s.priority > 0]
    zero_weight = 0.001 * min(positive) if positive else 1.0
    best = 0.0
    for plan in itertools.product([None, *range(count)], repeat=len(schools)):
        spent = [0] * count
        used = {}
        feasible = True
        for school, t in zip(schools, plan, strict=True):
            allowed = range(count) if school.allowed is None else school.allowed
            if school.pinned is not None and t != school.pinned or t is not None and t not in allowed:
                feasible = False
                break
            if t is not None:
                spent[t] += school.cost
                used.setdefault(school.group, set()).add(t)
        if not feasible or any(p.cap is not None and spent[t] > p.cap for t, p in enumerate(periods)):
            continue
        if limit is not None and any(len(ts) > limit for g, ts in used.items() if g is not None):
            continue
        worth = sum(
            (float(s.priority) if s.priority > 0 else zero_weight) * factors[t]
            for s, t in zip(schools, plan, strict=True)
            if t is not None
        )
        best = max(best, worth)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_matches_brute_force_on_small_instances(seed):
    rng = random.Random(seed)
    schools = []
    for i in range(6):
        pinned = 0 if i == 0 and seed % 3 == 0 else None
        allowed = {rng.randrange(3), rng.randrange(3)} if i == 5 and seed % 2 else None
        if pinned is not None:
            allowed = None
        schools.append(
            School(
                key=i,
                cost=rng.randrange(1, 10) * 10,
                priority=Decimal(rng.randrange(0, 10)),
                group=rng.choice(["A", "B", None]),
                pinned=pinned,
                allowed=allowed,
            )
        )
    periods = [Period(cap=rng.randrange(40, 120)) for _ in range(3)]
    limit = [None, 1, 2][seed % 3]
    best = brute_force(periods, schools, limit)
    result = plan_rollout(periods, schools, max_periods_per_group=limit)
    assert best / 1.001 - 1e-9 <= result.objective <= best + 1e-9
    assert result.dual_bound >= best - 1e-9
    proven = plan_rollout(periods, schools, max_periods_per_group=limit, relative_gap=0)
    assert proven.objective == pytest.approx(best, rel=1e-9)


# --- properties ---------------------------------------------------------------------------------


@st.composite
def instances(draw):
    count = draw(st.integers(1, 3))
    limit = draw(st.sampled_from([None, 1, 2]))
    caps = draw(st.lists(st.one_of(st.none(), st.integers(0, 300)), min_size=count, max_size=count))
    schools = []
    pinned_cost = [0] * count
    pinned_periods = {}
    for i in range(draw(st.integers(0, 8))):
        cost = draw(st.integers(0, 150))
        group = draw(st.sampled_from([None, "A", "B"]))
        allowed = draw(st.one_of(st.none(), st.sets(st.integers(0, count - 1))))
        pinned = draw(st.one_of(st.none(), st.integers(0, count - 1)))
        if pinned is not None:
            used = pinned_periods.setdefault(group, set())
            cap = caps[pinned]
            if (
                (cap is not None and pinned_cost[pinned] + cost > cap)
                or (allowed is not None and pinned not in allowed)
                or (limit is not None and group is not None and pinned not in used and len(used) >= limit)
            ):
                pinned = None
            else:
                pinned_cost[pinned] += cost
                used.add(pinned)
        priority = draw(st.one_of(st.integers(0, 20), st.decimals(0, 20, places=2), st.floats(0, 20)))
        schools.append(School(key=i, cost=cost, priority=priority, group=group, pinned=pinned, allowed=allowed))
    return [Period(cap=c) for c in caps], schools, limit


@FAST
@given(instances())
def test_plans_keep_every_rule(instance):
    periods, schools, limit = instance
    result = plan_rollout(periods, schools, max_periods_per_group=limit)
    assert list(result.assignment) == [s.key for s in schools]  # each school once, in input order
    spent = [0] * len(periods)
    used = {}
    for school in schools:
        t = result.assignment[school.key]
        if school.pinned is not None:
            assert t == school.pinned
        if t is not None:
            assert school.allowed is None or t in school.allowed
            spent[t] += school.cost
            if school.group is not None:
                used.setdefault(school.group, set()).add(t)
    for t, period in enumerate(periods):
        assert period.cap is None or spent[t] <= period.cap
        assert result.periods[t].cost == spent[t]
        assert result.periods[t].remaining == (None if period.cap is None else period.cap - spent[t])
    if limit is not None:
        assert all(len(periods_used) <= limit for periods_used in used.values())
    # Every school left out has a reason, and after the fill pass never "the solver's gap".
    left_out = {s.key for s in schools if result.assignment[s.key] is None}
    assert set(result.reasons) == left_out
    assert "not_chosen" not in result.reasons.values()
    assert result.reasons == explain_left_out(periods, schools, result.assignment, max_periods_per_group=limit)
    assert result.status == "optimal"
    assert result.objective <= result.dual_bound
    assert result.mip_gap <= 0.001


@FAST
@given(instances())
def test_a_larger_cap_never_lowers_the_proven_optimum(instance):
    periods, schools, limit = instance
    assume(any(p.cap is not None for p in periods))
    before = plan_rollout(periods, schools, max_periods_per_group=limit, relative_gap=0)
    wider = [Period(cap=None if p.cap is None else p.cap + 50) for p in periods]
    after = plan_rollout(wider, schools, max_periods_per_group=limit, relative_gap=0)
    assert after.objective >= before.objective - 1e-9 * max(1.0, before.objective)


def test_a_denormal_priority_is_still_a_priority():
    """Found by hypothesis: a priority of 5e-324 made the zero-priority weight 0 and the scale 0."""
    schools = [School(key=0, cost=0, priority=5e-324, allowed=set()), School(key=1, cost=0, priority=0)]
    result = plan_rollout([Period(cap=None)], schools)
    assert (result.status, result.assignment) == ("optimal", {0: None, 1: 0})
    assert result.reasons == {0: "not_allowed"}
