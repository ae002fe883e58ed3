"""Apportionment: exact values, limits, errors, and properties (no database)."""

import heapq
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digileap.allocation.apportionment import (
    Share,
    apportion,
    apportion_explained,
    apportion_money,
    apportion_money_explained,
)

METHODS = ["largest_remainder", "sainte_lague"]
FAST = settings(max_examples=200, deadline=None)


# --- exact values -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_equal_weights_tie_goes_to_lowest_index(method):
    assert apportion(10, [1, 1, 1], method=method) == [4, 3, 3]


@pytest.mark.parametrize("method", METHODS)
def test_tie_keys_break_ties_before_the_index(method):
    assert apportion(10, [1, 1, 1], method=method, tie_keys=[2, 1, 0]) == [3, 3, 4]
    assert apportion(11, [1, 1, 1], method=method, tie_keys=["b", "a", "c"]) == [4, 4, 3]


def test_weights_of_any_exact_type_give_the_same_result():
    # Quotas 7/33, 14/33, 210/33 = 0.21, 0.42, 6.36: integer parts 0, 0, 6, the last unit to 0.42.
    assert apportion(7, [Decimal("0.1"), Fraction(1, 5), 3]) == apportion(7, [1, 2, 30]) == [0, 1, 6]
    assert apportion(100, [Decimal("1.5"), Fraction(1, 2), 1]) == [50, 17, 33]


def test_alabama_paradox_for_largest_remainder_but_not_sainte_lague():
    # Quotas at 10: 60/14, 60/14, 20/14 = 4.29, 4.29, 1.43 -> 4, 4 and the last unit to the 0.43: 2.
    # At 11: 4.71, 4.71, 1.57 -> 4, 4, 1 and two units to the 0.71s: 5, 5, 1. The third item loses
    # a unit although the total grew (the Alabama paradox of the Hamilton method).
    assert apportion(10, [6, 6, 2]) == [4, 4, 2]
    assert apportion(11, [6, 6, 2]) == [5, 5, 1]
    # Sainte-Laguë is house-monotone. Units one at a time to the highest w / (s + 1/2): at 9 it is
    # [4, 4, 1]; the tenth unit sees a three-way tie 6/4.5 = 6/4.5 = 2/1.5, lowest index: [5, 4, 1].
    # The eleventh goes to the second item (6/4.5 = 1.33 = 2/1.5, lower index): [5, 5, 1].
    assert apportion(10, [6, 6, 2], method="sainte_lague") == [5, 4, 1]
    assert apportion(11, [6, 6, 2], method="sainte_lague") == [5, 5, 1]


def test_a_cap_frees_units_for_the_others():
    # Quotas 50, 30, 20; the first is capped at 30, the 20 it frees go 3:2 to the others:
    # 70 * 3/5 = 42, 70 * 2/5 = 28.
    assert apportion(100, [5, 3, 2], caps=[30, None, None]) == [30, 42, 28]


def test_caps_cascade():
    # Quotas 60, 30, 10 with caps 40 and 35: the first is capped (40), the rest 60 goes 3:1 = 45, 15;
    # now the second breaks its cap 35, and the last gets everything left: 100 - 40 - 35 = 25.
    assert apportion(100, [6, 3, 1], caps=[40, 35, None]) == [40, 35, 25]


def test_a_floor_takes_from_the_others():
    # Quotas 50, 30, 20; the last has a floor of 40, the other 60 goes 5:3 = 37.5, 22.5.
    # Equal remainders 0.5: the extra unit goes to the lower index.
    assert apportion(100, [5, 3, 2], floors=[0, 0, 40]) == [38, 22, 40]


def test_zero_weight_gets_its_floor_only():
    assert apportion(10, [0, 1, 1]) == [0, 5, 5]
    assert apportion(10, [0, 1, 1], floors=[2, 0, 0]) == [2, 4, 4]


def test_brussels_style_units_for_secondary_schools_low_ses_first():
    # 3,500 devices over four secondary schools; weight = pupils, times 3/2 for a low
    # socio-economic index (SES); at most 1,000 devices a school; ties go to the lower SES index.
    #   school  pupils  SES index  weight
    #   A        800     12 (low)   1200
    #   B        600     18 (low)    900
    #   C       1000     60         1000
    #   D        900     55          900      sum 4000
    # Quotas 3500 * w / 4000: A 1050 > cap 1000, so A gets 1000 and 2500 go over B, C, D (2800):
    #   B 2500 * 900 / 2800 = 803 4/7, C 2500 * 1000 / 2800 = 892 6/7, D 803 4/7.
    # Integer parts 803 + 892 + 803 = 2498, two units left: C (6/7) first, then B and D tie at 4/7
    # and B has the lower SES index. Result A 1000, B 804, C 893, D 803 = 3500.
    pupils = [800, 600, 1000, 900]
    ses = [12, 18, 60, 55]
    weights = [p * Fraction(3, 2) if s < 20 else p for p, s in zip(pupils, ses, strict=True)]
    shares = apportion_explained(3500, weights, caps=[1000] * 4, tie_keys=ses)
    assert [s.amount for s in shares] == [1000, 804, 893, 803]
    assert [s.bound for s in shares] == ["cap", None, None, None]
    assert [s.quota for s in shares] == [1000, Fraction(5625, 7), Fraction(6250, 7), Fraction(5625, 7)]
    assert [s.raw_quota for s in shares] == [1050, Fraction(1575, 2), 875, Fraction(1575, 2)]
    assert [s.remainder_rank for s in shares] == [None, 2, 1, 3]
    assert [s.rounded_up for s in shares] == [False, True, True, False]
    # Without the cap: 1050, 787.5, 875, 787.5 -> B and D tie on 0.5, B (SES 18) before D (SES 55).
    assert apportion(3500, weights, tie_keys=ses) == [1050, 788, 875, 787]


def test_explanation_of_a_floor():
    shares = apportion_explained(10, [1, 0, 9], floors=[3, 1, 0])
    assert shares[0] == Share(
        index=0,
        weight=Fraction(1),
        raw_quota=Fraction(1),
        quota=Fraction(3),
        amount=3,
        bound="floor",
        remainder_rank=None,
        rounded_up=False,
    )
    assert [(s.amount, s.bound) for s in shares] == [(3, "floor"), (1, "floor"), (6, None)]


def test_money_to_the_cent():
    assert apportion_money(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    result = apportion_money(
        Decimal("75000.00"), [Decimal("290"), Decimal("510"), Decimal("25")], caps=[None, Decimal("25000.00"), None]
    )
    # 75000 * 510/825 = 46363.64 > 25000: capped; 50000 over 290:25 -> 46031.746..., 3968.253...
    assert result == [Decimal("46031.75"), Decimal("25000.00"), Decimal("3968.25")]
    assert sum(result) == Decimal("75000.00")
    assert apportion_money_explained(Decimal("0.05"), [1, 1])[0].amount == 3


# --- errors -------------------------------------------------------------------------------------


def test_floors_above_the_total_are_refused():
    with pytest.raises(ValueError, match="floors add up to 12, more than the total 10"):
        apportion(10, [1, 1], floors=[6, 6])


def test_caps_that_cannot_absorb_the_total_are_refused():
    with pytest.raises(ValueError, match="at most 7 .* less than the total 10"):
        apportion(10, [1, 1, 0], caps=[3, 3, 5], floors=[0, 0, 1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"total": -1, "weights": [1]}, "total must be a whole number"),
        ({"total": 1, "weights": [-1, 2]}, r"weights\[0\] must not be negative"),
        ({"total": 1, "weights": [float("nan")]}, r"weights\[0\] must be a finite number"),
        ({"total": 1, "weights": [1], "floors": [2], "caps": [1]}, "floor 2 is above its cap 1"),
        ({"total": 1, "weights": [1, 1], "caps": [1]}, "caps has 1 entries but there are 2 weights"),
        ({"total": 1, "weights": [1], "method": "dhondt"}, "method must be one of"),
        ({"total": 1, "weights": []}, "caps can absorb at most 0"),
        ({"total": 1, "weights": [0, 0]}, "caps can absorb at most 0"),
    ],
)
def test_bad_input_is_refused_with_a_reason(kwargs, message):
    with pytest.raises(ValueError, match=message):
        apportion(**kwargs)


def test_money_must_be_whole_cents():
    with pytest.raises(ValueError, match="whole number of cents"):
        apportion_money(Decimal("1.005"), [1])
    with pytest.raises(ValueError, match="must be a Decimal"):
        apportion_money(1.5, [1])


# --- properties ---------------------------------------------------------------------------------


@st.composite
def problems(draw, max_items=8):
    n = draw(st.integers(1, max_items))
    weights = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
    floors = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    caps = [f + draw(st.integers(0, 40)) if draw(st.booleans()) else None for f in floors]
    capacity = None
    if all(c is not None for c, w in zip(caps, weights, strict=True) if w > 0):
        capacity = sum(c if w > 0 else f for c, f, w in zip(caps, floors, weights, strict=True))
    low = sum(floors)
    high = low + 200 if capacity is None else capacity
    if high < low or not any(weights) and high == low and capacity is None:
        high = low
    total = draw(st.integers(low, max(low, high)))
    if not any(weights):
        total = low
    return total, weights, floors, caps


@FAST
@given(problems(), st.sampled_from(METHODS))
def test_totals_exact_and_limits_respected(problem, method):
    total, weights, floors, caps = problem
    result = apportion(total, weights, floors=floors, caps=caps, method=method)
    assert sum(result) == total
    for amount, floor, cap, weight in zip(result, floors, caps, weights, strict=True):
        assert amount >= floor
        assert cap is None or amount <= cap
        if weight == 0:
            assert amount == floor
    # Same inputs, same result.
    assert apportion(total, list(weights), floors=list(floors), caps=list(caps), method=method) == result


@FAST
@given(problems(), st.sampled_from(METHODS), st.data())
def test_raising_a_weight_never_lowers_that_share(problem, method, data):
    total, weights, floors, caps = problem
    i = data.draw(st.integers(0, len(weights) - 1))
    bigger = list(weights)
    bigger[i] += data.draw(st.integers(1, 30))
    before = apportion(total, weights, floors=floors, caps=caps, method=method)
    after = apportion(total, bigger, floors=floors, caps=caps, method=method)
    assert after[i] >= before[i]


@FAST
@given(problems())
def test_sainte_lague_is_house_monotone(problem):
    total, weights, floors, caps = problem
    try:
        bigger = apportion(total + 1, weights, floors=floors, caps=caps, method="sainte_lague")
    except ValueError:
        return  # the caps cannot hold one more
    smaller = apportion(total, weights, floors=floors, caps=caps, method="sainte_lague")
    assert all(b >= s for b, s in zip(bigger, smaller, strict=True))


def _sainte_lague_one_by_one(total, weights, floors, caps):
    """Reference: start at the floors, give each next unit to the highest w / (s + 1/2)."""
    seats = list(floors)
    heap = [(-Fraction(2 * w, 2 * s + 1), i) for i, (w, s, c) in enumerate(zip(weights, seats, caps, strict=True)) if w]
    heap = [h for h in heap if caps[h[1]] is None or seats[h[1]] < caps[h[1]]]
    heapq.heapify(heap)
    for _ in range(total - sum(seats)):
        _, i = heapq.heappop(heap)
        seats[i] += 1
        if caps[i] is None or seats[i] < caps[i]:
            heapq.heappush(heap, (-Fraction(2 * weights[i], 2 * seats[i] + 1), i))
    return seats


@FAST
@given(problems())
def test_sainte_lague_matches_the_one_unit_at_a_time_definition(problem):
    total, weights, floors, caps = problem
    expected = _sainte_lague_one_by_one(total, weights, floors, caps)
    assert apportion(total, weights, floors=floors, caps=caps, method="sainte_lague") == expected


@FAST
@given(problems())
def test_largest_remainder_stays_within_one_of_the_bounded_quota(problem):
    total, weights, floors, caps = problem
    for share in apportion_explained(total, weights, floors=floors, caps=caps):
        assert share.quota - 1 < share.amount < share.quota + 1
        if share.bound == "cap":
            assert share.amount == caps[share.index]
        if share.bound == "floor":
            assert share.amount == floors[share.index]


@FAST
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=10).filter(any), st.integers(0, 10**7))
def test_money_adds_up_to_the_cent(weights, cents):
    total = Decimal(cents) / 100
    result = apportion_money(total, weights)
    assert sum(result) == total
    assert all(r == r.quantize(Decimal("0.01")) and r >= 0 for r in result)
