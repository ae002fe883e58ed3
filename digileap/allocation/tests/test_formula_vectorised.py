"""The vectorised formula against the reference path: the same lines to the cent, unit and
explanation (as a dict and as the stored JSON text), the same totals, warnings and errors."""

import json
import random
from decimal import Decimal

import pytest
from hypothesis import given

from digileap.allocation.formula import (
    FormulaError,
    _compute_vectorised,
    compute,
    compute_reference,
    parse_formula,
)

from .test_formula import PROPERTY, instances, school

D = Decimal


def both(formula, schools, is_money, total, options):
    """(vectorised result or error, reference result or error)."""
    parsed = parse_formula(formula, is_money=is_money)
    outcomes = []
    for function in (_compute_vectorised, compute_reference):
        try:
            outcomes.append(function(schools, parsed, is_money=is_money, total=total, **options))
        except (FormulaError, ValueError) as error:
            outcomes.append(error)
    return outcomes


def assert_same(fast, reference):
    if isinstance(reference, Exception):
        assert fast is None or (type(fast) is type(reference) and str(fast) == str(reference))
        return
    assert fast is not None, "the vectorised path should take these inputs"
    assert not isinstance(fast, Exception), fast
    assert fast.total == reference.total
    assert str(fast.total) == str(reference.total)
    assert fast.unallocated == reference.unallocated
    assert fast.warnings == reference.warnings
    assert len(fast.lines) == len(reference.lines)
    for line, expected in zip(fast.lines, reference.lines, strict=True):
        assert line.school_id == expected.school_id
        assert str(line.amount) == str(expected.amount)
        assert str(line.claim) == str(expected.claim)
        assert (line.eligible_pupils, line.bound) == (expected.eligible_pupils, expected.bound)
        assert json.loads(line.explanation_json) == expected.explanation
        assert line.explanation_json == json.dumps(expected.explanation, ensure_ascii=False, sort_keys=True)
        assert line == expected


@PROPERTY
@given(instances())
def test_the_vectorised_path_equals_the_reference(instance):
    formula, schools, is_money, total, options = instance
    assert_same(*both(formula, schools, is_money, total, options))


@PROPERTY
@given(instances(weighted=True))
def test_the_vectorised_path_equals_the_reference_with_index_weights(instance):
    formula, schools, is_money, total, options = instance
    assert_same(*both(formula, schools, is_money, total, options))


def national(n, seed, *, by_grade=0.4):
    rnd = random.Random(seed)
    schools = []
    for k in range(n):
        levels = rnd.choice([{1: range(1, 7)}, {2: range(7, 11)}, {2: range(7, 11), 3: range(11, 14)}])
        pupils = {}
        for level, grades in levels.items():
            size = rnd.randint(50, 1300)
            if rnd.random() < by_grade:
                for grade in grades:
                    pupils[(level, grade)] = size // len(grades)
            else:
                pupils[(level, 0)] = size
        index = None if rnd.random() < 0.01 else D(f"{rnd.uniform(0, 100):.1f}")
        schools.append(school(k + 1, pupils, operator=rnd.randint(1, 40), number=f"{80_000_000 + k}", index=index))
    return schools


MONEY = {
    "per_pupil": [
        {"levels": [1], "grades": [1, 2, 3, 4], "amount": "25"},
        {"levels": [1], "grades": [5, 6], "amount": "290"},
        {"levels": [2, 3], "amount": "510"},
        {"amount": "42.125"},
    ],
    "index_weights": {"kind": "curve", "points": [["0", "1.6"], ["50", "1.0"], ["100", "0.8"]], "missing": "1"},
    "floor_per_school": "1000",
    "cap_per_school": "25000",
    "cap_per_pupil": "120",
}


@pytest.mark.parametrize("method", ["largest_remainder", "sainte_lague"])
@pytest.mark.parametrize("total", [D("6000000.00"), D("3456789.01"), D("9876543.21"), D("40000000"), None])
def test_large_money_rounds_take_the_exact_wide_integers(method, total):
    """Totals and claims whose products leave 64 bits: the water-filling runs on Python integers."""
    schools = national(600, 3)
    fast, reference = both(MONEY, schools, True, total, {"method": method})
    assert_same(fast, reference)


def test_units_with_need_as_cap_and_unknown_grades():
    formula = {
        "per_pupil": [{"amount": "1", "levels": [1], "grades": [1, 2]}, {"amount": "0.5"}],
        "need": "cap",
        "cap_per_pupil": "0.7",
        "floor_per_school": "2",
    }
    schools = national(300, 5, by_grade=0.5)
    for k, s in enumerate(schools):
        s.need_units = None if k % 3 == 0 else k % 40
    for total in (D(20_000), D(500), None):
        assert_same(*both(formula, schools, False, total, {}))


def test_compute_uses_the_vectorised_path_and_a_school_level_unknown_falls_back():
    schools = [school(1, {(1, 1): 10}), school(2, {(None, 0): 5})]
    parsed = parse_formula({"per_pupil": [{"amount": 1}]}, is_money=False)
    assert _compute_vectorised(schools, parsed, is_money=False, total=D(10)) is None
    result = compute(schools, parsed, is_money=False, total=D(10))
    assert [line.amount for line in result.lines] == [D(7), D(3)]
    assert result.lines[1].explanation["inputs"]["pupils"] == {"None/0": 5}


def test_a_quota_exactly_at_a_cap_is_decided_by_the_exact_loop():
    """Floats cannot tell a quota exactly at its cap from one just above: the exact loop decides."""
    import numpy as np

    from digileap.allocation.formula import _water_fill_float

    weights = np.array([10000, 10000, 30000], dtype=np.int64)
    caps = np.array([5, 5, 100], dtype=np.int64)
    floors = np.zeros(3, dtype=np.int64)
    assert _water_fill_float(25, weights, floors, caps, np.array([True, True, True])) is None
    formula = {"per_pupil": [{"amount": 1}], "cap_per_school": 5}
    schools = [school(1, 1), school(2, 1), school(3, 3)]
    assert_same(*both(formula, schools, False, D(13), {}))
    formula = {"per_pupil": [{"amount": 1}], "cap_per_pupil": "1.25"}
    assert_same(*both(formula, [school(1, 4), school(2, 4), school(3, 12)], False, D(20), {}))
