"""The allocation formula: from a school's pupils, index and need to its amount, with every step kept.

Pure code, no database (``inputs.py`` loads the ``SchoolInput`` rows), so it can be tested with
hypothesis and timed at 40,000 schools. The parts, applied in this order (docs/allocation.md):

1. **Claim** = (base per school + the sum of the per-pupil rules) x the index weight. A per-pupil rule
   has an amount and optionally levels and grades; rules add up (Digisprong: EUR 25 in grades 1-4,
   290 in grades 5-6, 510 in secondary, plus 42 for everyone). With ``need: "weight"`` the claim is
   the declared need (times the index weight) instead.
2. **Limits** per school: a cap (the smallest of the cap per school, the cap per pupil x pupils and,
   with ``need: "cap"``, the declared need) and a floor (never above the cap).
3. **Distribution**:
   * no total: each school gets its claim within its limits, rounded half up (to the cent or unit);
   * ``proportional``: the total is split in proportion to the claims within the limits, exactly
     (``apportionment.apportion_explained``); what a cap frees goes to the others;
   * ``priority``: floors first, then the most disadvantaged schools get their claim (within the
     limits) in turn until the total runs out.
4. **Operator cap**: an operator's schools together get at most a percentage of a base (the
   operator's total in another round, or the round's total). An operator over its cap is held at
   it, its amount split over its schools, and the rest shared again among the others.

Amounts are integers of the smallest unit (cents, or devices) inside; ``Decimal`` outside.

``compute`` runs the vectorised path (``_compute_vectorised``): numpy arrays of integers in fixed
units (amounts in 10^-E, weights in 10^-W, claims in 10^-4, limits and shares in cents or units), so
every figure is exact; the water-filling compares in floats only where the margin makes the answer
certain. The explanations are written as JSON text (keys sorted) from fragments that repeat. Inputs
that could leave 64-bit integers, and a level given as None, take the reference path
(``compute_reference``: one school at a time with ``Decimal`` and ``Fraction``), which defines the
results: tests compare the two on random inputs, to the cent, unit and explanation.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from .apportionment import apportion_explained

CLAIM_PLACES = Decimal("0.0001")
BOUND_FLOOR = "floor"
BOUND_CAP_SCHOOL = "cap_school"
BOUND_CAP_PER_PUPIL = "cap_per_pupil"
BOUND_CAP_OPERATOR = "cap_operator"
BOUND_NEED = "need"
BOUND_BUDGET = "budget"


class FormulaError(ValueError):
    """A formula or eligibility setting that cannot be used; ``path`` names the setting."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class PerPupilRule:
    amount: Decimal
    levels: tuple[int, ...] = ()  # empty: every eligible level
    grades: tuple[int, ...] = ()  # empty: the whole level


@dataclass(frozen=True)
class IndexWeights:
    """``table``: bands ``(from, to, weight)``, from inclusive, to exclusive, None open; ``curve``:
    points ``(x, weight)`` joined by straight lines, flat beyond the ends."""

    kind: str
    bands: tuple[tuple[Decimal | None, Decimal | None, Decimal], ...] = ()
    points: tuple[tuple[Decimal, Decimal], ...] = ()
    missing: Decimal = Decimal(1)

    def weight(self, index: Decimal | None) -> Decimal:
        if index is None:
            return self.missing
        if self.kind == "table":
            for low, high, weight in self.bands:
                if (low is None or index >= low) and (high is None or index < high):
                    return weight
            return self.missing
        points = self.points
        if index <= points[0][0]:
            return points[0][1]
        for (x0, w0), (x1, w1) in zip(points, points[1:], strict=False):
            if index <= x1:
                return (w0 + (w1 - w0) * (index - x0) / (x1 - x0)).quantize(CLAIM_PLACES)
        return points[-1][1]


@dataclass(frozen=True)
class OperatorCap:
    percent: Decimal
    of_round: str | None = None  # code of another round of the programme; None: this round's total


@dataclass(frozen=True)
class Formula:
    """The parsed ``AllocationRound.formula``."""

    per_pupil: tuple[PerPupilRule, ...] = ()
    base_per_school: Decimal = Decimal(0)
    pupils: str = "enrolment"  # or "eligible_groups": the pupils of the eligible groups (Latvia)
    index_weights: IndexWeights | None = None
    cap_per_school: Decimal | None = None
    cap_per_pupil: Decimal | None = None
    floor_per_school: Decimal | None = None
    operator_cap: OperatorCap | None = None
    need: str = "none"  # "cap" or "weight"
    need_unit_price: Decimal | None = None


@dataclass
class SchoolInput:
    """What the formula reads of one eligible school."""

    school_id: int
    number: str
    operator_id: int
    # (level, grade) -> pupils, eligible levels only; grade 0 is a level given only as a total.
    pupils: dict[tuple[int, int], int] = field(default_factory=dict)
    eligible_group_pupils: int = 0
    index: Decimal | None = None
    disadvantage: Decimal | None = None  # the index turned so that higher means more disadvantaged
    need_units: int | None = None  # declared need; None when nothing was declared


class LineResult:
    """One school's line. ``explanation`` (a dict) and ``explanation_json`` (the same as JSON text,
    keys sorted, as the line stores it) are each made from the other on first use: the vectorised
    path writes the text directly, which is much cheaper than 40,000 nested dicts and ``json.dumps``."""

    __slots__ = ("_explanation", "_explanation_json", "amount", "bound", "claim", "eligible_pupils", "school_id")

    def __init__(
        self,
        school_id: int,
        amount: Decimal,
        claim: Decimal,
        eligible_pupils: int,
        bound: str,
        explanation: dict[str, Any] | None = None,
        *,
        explanation_json: str | None = None,
    ) -> None:
        if explanation is None and explanation_json is None:
            raise ValueError("a line needs its explanation")
        self.school_id = school_id
        self.amount = amount
        self.claim = claim
        self.eligible_pupils = eligible_pupils
        self.bound = bound
        self._explanation = explanation
        self._explanation_json = explanation_json

    @property
    def explanation(self) -> dict[str, Any]:
        if self._explanation is None:
            assert self._explanation_json is not None  # a line has one of the two
            self._explanation = json.loads(self._explanation_json)
        return self._explanation

    @property
    def explanation_json(self) -> str:
        if self._explanation_json is None:
            self._explanation_json = json.dumps(self._explanation, ensure_ascii=False, sort_keys=True)
        return self._explanation_json

    def _key(self) -> tuple:
        return (self.school_id, self.amount, self.claim, self.eligible_pupils, self.bound, self.explanation)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LineResult) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"LineResult(school_id={self.school_id!r}, amount={self.amount!r}, claim={self.claim!r}, "
            f"eligible_pupils={self.eligible_pupils!r}, bound={self.bound!r}, explanation={self.explanation!r})"
        )


class Result:
    """The round's lines, allocated total, what the limits left of the round's total, and warnings.

    The vectorised path gives the lines as columns (``table``: school ids, amounts in the smallest
    unit, amounts and claims as text, eligible pupils, bounds, explanations as JSON text); ``lines``
    makes ``LineResult`` objects of them on first use, and ``rows()`` reads them without."""

    def __init__(
        self,
        lines: list[LineResult] | None = None,
        total: Decimal = Decimal(0),
        unallocated: Decimal = Decimal(0),
        warnings: list[dict[str, Any]] | None = None,
        *,
        table: tuple[list, ...] | None = None,
    ) -> None:
        if lines is None and table is None:
            raise ValueError("a result needs its lines")
        self._lines = lines
        self._table = table
        self.total = total
        self.unallocated = unallocated
        self.warnings = [] if warnings is None else warnings

    def _columns(self) -> tuple[list, ...]:
        """The table of the vectorised path (there when the lines are not made yet)."""
        assert self._table is not None  # a result has its lines or its table
        return self._table

    @property
    def lines(self) -> list[LineResult]:
        if self._lines is None:
            ids, _units, amounts, claims, eligible, bounds, texts = self._columns()
            self._lines = [
                LineResult(*values[:5], explanation_json=values[5])
                for values in zip(
                    ids, map(Decimal, amounts), map(Decimal, claims), eligible, bounds, texts, strict=True
                )
            ]
        return self._lines

    def rows(self) -> Iterator[tuple[int, Decimal | str, Decimal | str, int, str, str]]:
        """Per line: school id, amount, claim (Decimals, or their exact text), eligible pupils,
        bound and the explanation as JSON text (keys sorted)."""
        if self._lines is None:
            ids, _units, amounts, claims, eligible, bounds, texts = self._columns()
            return zip(ids, amounts, claims, eligible, bounds, texts, strict=True)
        return (
            (line.school_id, line.amount, line.claim, line.eligible_pupils, line.bound, line.explanation_json)
            for line in self._lines
        )

    @property
    def schools_count(self) -> int:
        """Schools that get something."""
        if self._lines is None:
            return sum(1 for units in self._columns()[1] if units > 0)
        return sum(1 for line in self._lines if line.amount > 0)

    @property
    def eligible_pupils(self) -> int:
        if self._lines is None:
            return sum(self._columns()[4])
        return sum(line.eligible_pupils for line in self._lines)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return (self.lines, self.total, self.unallocated, self.warnings) == (
            other.lines,
            other.total,
            other.unallocated,
            other.warnings,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Result(lines={self.lines!r}, total={self.total!r}, unallocated={self.unallocated!r}, "
            f"warnings={self.warnings!r})"
        )


# --- parsing ------------------------------------------------------------------------------------


def _decimal(value: Any, path: str, *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise FormulaError(path, _("give a number, not %(value)r") % {"value": value})
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise FormulaError(path, _("%(value)r is not a number") % {"value": value}) from None
    if not number.is_finite():
        raise FormulaError(path, _("%(value)r is not a number") % {"value": value})
    if minimum is not None and number < minimum:
        raise FormulaError(
            path, _("must be at least %(minimum)s, not %(number)s") % {"minimum": minimum, "number": number}
        )
    return number


def _optional_decimal(data: dict, key: str, path: str) -> Decimal | None:
    value = data.get(key)
    return None if value in (None, "") else _decimal(value, f"{path}.{key}")


def _int_list(value: Any, path: str, low: int, high: int) -> tuple[int, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        raise FormulaError(path, _("give a list of whole numbers"))
    for v in value:
        if not low <= v <= high:
            raise FormulaError(
                path, _("%(value)s is not between %(low)s and %(high)s") % {"value": v, "low": low, "high": high}
            )
    return tuple(sorted(set(value)))


KNOWN_FORMULA_KEYS = {
    "per_pupil",
    "base_per_school",
    "pupils",
    "index_weights",
    "cap_per_school",
    "cap_per_pupil",
    "floor_per_school",
    "operator_cap",
    "need",
    "need_unit_price",
}


def parse_formula(data: dict, *, is_money: bool) -> Formula:
    """Check and parse a round's formula; ``FormulaError`` names the first wrong setting."""
    if not isinstance(data, dict):
        raise FormulaError("formula", _("give an object"))
    unknown = sorted(set(data) - KNOWN_FORMULA_KEYS)
    if unknown:
        raise FormulaError(f"formula.{unknown[0]}", _("unknown setting"))
    rules = []
    raw_rules = data.get("per_pupil") or []
    if not isinstance(raw_rules, list):
        raise FormulaError("formula.per_pupil", _("give a list of rules"))
    for i, rule in enumerate(raw_rules):
        path = f"formula.per_pupil[{i}]"
        if not isinstance(rule, dict) or "amount" not in rule:
            raise FormulaError(path, _("each rule needs an amount"))
        extra = sorted(set(rule) - {"amount", "levels", "grades"})
        if extra:
            raise FormulaError(f"{path}.{extra[0]}", _("unknown setting"))
        rules.append(
            PerPupilRule(
                amount=_decimal(rule["amount"], f"{path}.amount"),
                levels=_int_list(rule.get("levels"), f"{path}.levels", 0, 4),
                grades=_int_list(rule.get("grades"), f"{path}.grades", 1, 13),
            )
        )
    pupils = data.get("pupils", "enrolment")
    if pupils not in ("enrolment", "eligible_groups"):
        raise FormulaError("formula.pupils", _("use 'enrolment' or 'eligible_groups'"))
    if pupils == "eligible_groups" and any(rule.levels or rule.grades for rule in rules):
        raise FormulaError("formula.per_pupil", _("rules by level or grade need pupils counted by enrolment"))
    need = data.get("need", "none")
    if need not in ("none", "cap", "weight"):
        raise FormulaError("formula.need", _("use 'none', 'cap' or 'weight'"))
    need_unit_price = _optional_decimal(data, "need_unit_price", "formula")
    if need != "none" and is_money and need_unit_price is None:
        raise FormulaError("formula.need_unit_price", _("a money round needs a price per needed device"))
    if need != "weight" and not rules and not data.get("base_per_school"):
        raise FormulaError("formula.per_pupil", _("give at least one amount per pupil or a base per school"))
    operator_cap = None
    raw_cap = data.get("operator_cap")
    if raw_cap:
        if not isinstance(raw_cap, dict) or "percent" not in raw_cap:
            raise FormulaError("formula.operator_cap", _("give a percent (and optionally the round it is of)"))
        percent = _decimal(raw_cap["percent"], "formula.operator_cap.percent")
        if percent > 100:
            raise FormulaError("formula.operator_cap.percent", _("must be at most 100"))
        of_round = raw_cap.get("of_round") or None
        if of_round is not None and not isinstance(of_round, str):
            raise FormulaError("formula.operator_cap.of_round", _("give the code of a round"))
        operator_cap = OperatorCap(percent=percent, of_round=of_round)
    formula = Formula(
        per_pupil=tuple(rules),
        base_per_school=_decimal(data.get("base_per_school", 0), "formula.base_per_school"),
        pupils=pupils,
        index_weights=_parse_index_weights(data.get("index_weights")),
        cap_per_school=_optional_decimal(data, "cap_per_school", "formula"),
        cap_per_pupil=_optional_decimal(data, "cap_per_pupil", "formula"),
        floor_per_school=_optional_decimal(data, "floor_per_school", "formula"),
        operator_cap=operator_cap,
        need=need,
        need_unit_price=need_unit_price,
    )
    if (
        formula.floor_per_school is not None
        and formula.cap_per_school is not None
        and formula.floor_per_school > formula.cap_per_school
    ):
        raise FormulaError("formula.floor_per_school", _("the floor is above the cap per school"))
    return formula


def _parse_index_weights(data: Any) -> IndexWeights | None:
    if not data:
        return None
    path = "formula.index_weights"
    if not isinstance(data, dict) or data.get("kind") not in ("table", "curve"):
        raise FormulaError(f"{path}.kind", _("use 'table' or 'curve'"))
    missing = _decimal(data.get("missing", 1), f"{path}.missing")
    if data["kind"] == "table":
        bands = []
        for i, band in enumerate(data.get("bands") or []):
            where = f"{path}.bands[{i}]"
            if not isinstance(band, dict) or "weight" not in band:
                raise FormulaError(where, _("each band needs a weight (and from and/or to)"))
            low = None if band.get("from") in (None, "") else _decimal(band["from"], f"{where}.from", minimum=None)
            high = None if band.get("to") in (None, "") else _decimal(band["to"], f"{where}.to", minimum=None)
            if low is not None and high is not None and high <= low:
                raise FormulaError(where, _("'to' must be above 'from'"))
            bands.append((low, high, _decimal(band["weight"], f"{where}.weight")))
        if not bands:
            raise FormulaError(f"{path}.bands", _("give at least one band"))
        return IndexWeights("table", bands=tuple(bands), missing=missing)
    points = []
    for i, point in enumerate(data.get("points") or []):
        where = f"{path}.points[{i}]"
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise FormulaError(where, _("each point is [index, weight]"))
        points.append((_decimal(point[0], where, minimum=None), _decimal(point[1], where)))
    if len(points) < 2:
        raise FormulaError(f"{path}.points", _("give at least two points"))
    points.sort()
    if any(a[0] == b[0] for a, b in zip(points, points[1:], strict=False)):
        raise FormulaError(f"{path}.points", _("two points have the same index"))
    return IndexWeights("curve", points=tuple(points), missing=missing)


# --- computing ----------------------------------------------------------------------------------


def _pupils_for(rule: PerPupilRule, school: SchoolInput) -> tuple[int, bool]:
    """Pupils a rule counts, and whether a level given only as a total kept a grade rule out."""
    count = 0
    missing_split = False
    for (level, grade), pupils in school.pupils.items():
        if rule.levels and level not in rule.levels:
            continue
        if rule.grades:
            if grade == 0:
                missing_split = True
                continue
            if grade not in rule.grades:
                continue
        count += pupils
    return count, missing_split


def _to_units(amount: Decimal, is_money: bool, rounding: str) -> int:
    scaled = amount * 100 if is_money else amount
    return int(scaled.to_integral_value(rounding=rounding))


def _from_units(units: int, is_money: bool) -> Decimal:
    # scaleb is exact and much cheaper than a division and a quantize: 12345 -> Decimal("123.45").
    return Decimal(units).scaleb(-2) if is_money else Decimal(units)


def _claim(formula: Formula, school: SchoolInput, is_money: bool) -> tuple[Decimal, int, list[dict]]:
    steps: list[dict] = []
    eligible = school.eligible_group_pupils if formula.pupils == "eligible_groups" else sum(school.pupils.values())
    if formula.need == "weight":
        need = Decimal(school.need_units or 0)
        base = need * formula.need_unit_price if is_money and formula.need_unit_price is not None else need
        steps.append({"step": "need", "units": school.need_units or 0, "value": str(base)})
    else:
        base = formula.base_per_school
        if base:
            steps.append({"step": "base", "value": str(base)})
        for rule in formula.per_pupil:
            if formula.pupils == "eligible_groups":
                count, missing_split = school.eligible_group_pupils, False
            else:
                count, missing_split = _pupils_for(rule, school)
            value = rule.amount * count
            steps.append(
                {
                    "step": "per_pupil",
                    "rate": str(rule.amount),
                    "pupils": count,
                    "levels": list(rule.levels),
                    "grades": list(rule.grades),
                    "value": str(value),
                    **({"grades_unknown": True} if missing_split else {}),
                }
            )
            base += value
    if formula.index_weights is not None:
        weight = formula.index_weights.weight(school.index)
        claim = (base * weight).quantize(CLAIM_PLACES)
        steps.append(
            {
                "step": "index_weight",
                "index": None if school.index is None else str(school.index),
                "weight": str(weight),
                "value": str(claim),
            }
        )
    else:
        claim = base.quantize(CLAIM_PLACES)
    return claim, eligible, steps


def _limits(formula: Formula, school: SchoolInput, eligible: int, is_money: bool) -> tuple[int | None, str, int, dict]:
    """The cap (smallest unit, None: none), what set it, the floor, and the figures for the explanation."""
    candidates: list[tuple[int, str]] = []
    shown: dict[str, Any] = {}
    if formula.cap_per_school is not None:
        candidates.append((_to_units(formula.cap_per_school, is_money, ROUND_DOWN), BOUND_CAP_SCHOOL))
        shown["cap_per_school"] = str(formula.cap_per_school)
    if formula.cap_per_pupil is not None:
        pupils_cap = formula.cap_per_pupil * eligible
        candidates.append((_to_units(pupils_cap, is_money, ROUND_DOWN), BOUND_CAP_PER_PUPIL))
        shown["cap_per_pupil"] = str(formula.cap_per_pupil)
        shown["cap_for_pupils"] = str(_from_units(_to_units(pupils_cap, is_money, ROUND_DOWN), is_money))
    if formula.need == "cap" and school.need_units is not None:
        need = Decimal(school.need_units)
        value = need * formula.need_unit_price if is_money and formula.need_unit_price is not None else need
        candidates.append((_to_units(value, is_money, ROUND_DOWN), BOUND_NEED))
        shown["need_units"] = school.need_units
        shown["need"] = str(value)
    cap, cap_by = (None, "")
    if candidates:
        cap, cap_by = min(candidates, key=lambda c: c[0])
    floor = 0
    if formula.floor_per_school is not None:
        floor = _to_units(formula.floor_per_school, is_money, ROUND_HALF_UP)
        shown["floor"] = str(formula.floor_per_school)
        if cap is not None and floor > cap:
            floor = cap
            shown["floor_lowered_to_cap"] = True
    return cap, cap_by, floor, shown


class gc_paused:  # noqa: N801 - used as a context manager, like contextlib's
    """Pause Python's cyclic garbage collector meanwhile (restored as it was afterwards).

    A round makes hundreds of thousands of small objects (rows, Decimals, texts) that all stay alive
    until it ends: the collector would scan them again and again for nothing."""

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self.was_enabled:
            gc.enable()


def compute(*args, **kwargs) -> Result:
    """Every school's amount and explanation (see ``_compute`` for the arguments).

    The arithmetic runs vectorised (``_compute_vectorised``: numpy arrays of integers in the
    smallest units, exact) whenever the inputs fit in 64-bit integers; otherwise, or for a shape the
    vectorised path does not take, the reference path (``compute_reference``) computes it. Both give
    the same lines to the cent, unit and explanation (tested on random inputs)."""
    with gc_paused():
        result = _compute_vectorised(*args, **kwargs)
        if result is None:
            result = _compute(*args, **kwargs)
        return result


def compute_reference(*args, **kwargs) -> Result:
    """The reference path: one school at a time with ``Decimal`` and ``Fraction`` (the definition
    the vectorised path is tested against)."""
    with gc_paused():
        return _compute(*args, **kwargs)


def _compute(
    schools: Sequence[SchoolInput],
    formula: Formula,
    *,
    is_money: bool,
    total: Decimal | None,
    distribution: str = "proportional",
    method: str = "largest_remainder",
    operator_bases: dict[int, Decimal] | None = None,
) -> Result:
    """Every school's amount and explanation. ``operator_bases``: the amount the operator cap's
    percentage is taken of, per operator (from another round); None: of the round's total."""
    schools = sorted(schools, key=lambda s: (s.number, s.school_id))
    n = len(schools)
    claims: list[Decimal] = []
    eligibles: list[int] = []
    steps: list[list[dict]] = []
    caps: list[int | None] = []
    cap_by: list[str] = []
    floors: list[int] = []
    limits_shown: list[dict] = []
    for school in schools:
        claim, eligible, school_steps = _claim(formula, school, is_money)
        cap, by, floor, shown = _limits(formula, school, eligible, is_money)
        claims.append(claim)
        eligibles.append(eligible)
        steps.append(school_steps)
        caps.append(cap)
        cap_by.append(by)
        floors.append(floor)
        limits_shown.append(shown)

    group_caps = _operator_caps(formula, schools, is_money, total, operator_bases)
    total_units = None if total is None else _to_units(total, is_money, ROUND_HALF_UP)
    amounts = [0] * n
    bound = [""] * n
    share_info: list[dict] = [{} for _ in range(n)]
    warnings: list[dict] = []

    if total_units is None:
        for i in range(n):
            value = _to_units(claims[i], is_money, ROUND_HALF_UP)
            amounts[i], bound[i] = _clamp(value, floors[i], caps[i], cap_by[i])
            share_info[i] = {"distribution": "direct"}
        _hold_operators_direct(schools, claims, amounts, bound, floors, group_caps, share_info, method)
    elif distribution == "priority":
        _priority(schools, claims, floors, caps, cap_by, group_caps, total_units, amounts, bound, share_info, is_money)
    else:
        _proportional(
            schools, claims, floors, caps, cap_by, group_caps, total_units, amounts, bound, share_info, method, is_money
        )

    lines = []
    allocated = 0
    for i, school in enumerate(schools):
        allocated += amounts[i]
        amount = _from_units(amounts[i], is_money)
        explanation = {
            "inputs": {
                "pupils": {f"{level}/{grade}": count for (level, grade), count in sorted(school.pupils.items())},
                "eligible_pupils": eligibles[i],
                "index": None if school.index is None else str(school.index),
                "need_units": school.need_units,
            },
            "steps": steps[i],
            "claim": str(claims[i]),
            "limits": limits_shown[i],
            "share": share_info[i],
            "bound": bound[i],
            "amount": str(amount),
        }
        lines.append(LineResult(school.school_id, amount, claims[i], eligibles[i], bound[i], explanation))
    unallocated = Decimal(0) if total_units is None else _from_units(total_units - allocated, is_money)
    if unallocated:
        warnings.append({"code": "unallocated", "amount": str(unallocated)})
    return Result(lines=lines, total=_from_units(allocated, is_money), unallocated=unallocated, warnings=warnings)


def _clamp(value: int, floor: int, cap: int | None, cap_by: str) -> tuple[int, str]:
    if cap is not None and value > cap:
        return cap, cap_by
    if value < floor:
        return floor, BOUND_FLOOR
    return value, ""


def _operator_caps(
    formula: Formula,
    schools: Sequence[SchoolInput],
    is_money: bool,
    total: Decimal | None,
    operator_bases: dict[int, Decimal] | None,
) -> dict[int, int]:
    cap = formula.operator_cap
    if cap is None:
        return {}
    operators = {school.operator_id for school in schools}
    if cap.of_round is None:
        if total is None:
            raise FormulaError("formula.operator_cap.of_round", _("without a total, name the round the percent is of"))
        return {op: _to_units(total * cap.percent / 100, is_money, ROUND_DOWN) for op in operators}
    bases = operator_bases or {}
    return {op: _to_units(bases.get(op, Decimal(0)) * cap.percent / 100, is_money, ROUND_DOWN) for op in operators}


def _hold_operators_direct(schools, claims, amounts, bound, floors, group_caps, share_info, method) -> None:
    """Without a total: an operator over its cap has the cap split over its schools."""
    members: dict[int, list[int]] = defaultdict(list)
    for i, school in enumerate(schools):
        members[school.operator_id].append(i)
    for operator_id, cap in group_caps.items():
        items = members.get(operator_id, [])
        if sum(amounts[i] for i in items) <= cap:
            continue
        _check_operator_floors(operator_id, sum(floors[i] for i in items), cap)
        shares = apportion_explained(
            cap,
            [claims[i] for i in items],
            floors=[min(floors[i], amounts[i]) for i in items],
            caps=[amounts[i] for i in items],
            method=method,
            tie_keys=[schools[i].number for i in items],
        )
        for i, share in zip(items, shares, strict=True):
            amounts[i] = share.amount
            bound[i] = BOUND_CAP_OPERATOR
            share_info[i] = {"distribution": "direct", "operator_cap": str(cap), **_share_figures(share)}


def _share_figures(share) -> dict:
    return {
        "quota": f"{float(share.quota):.4f}",
        "rounded_up": share.rounded_up,
        "remainder_rank": share.remainder_rank,
    }


def _capacity(items: list[int], claims, floors, caps) -> int | None:
    """What the items can hold at most (None: no limit): a claimant up to its cap, the others their floor."""
    capacity = 0
    for i in items:
        if claims[i] > 0:
            if caps[i] is None:
                return None
            capacity += caps[i]
        else:
            capacity += floors[i]
    return capacity


def _proportional(
    schools, claims, floors, caps, cap_by, group_caps, total, amounts, bound, share_info, method, is_money
) -> None:
    active = list(range(len(schools)))
    remaining = total
    held: dict[int, int] = {}
    while True:
        if not active:
            return
        capacity = _capacity(active, claims, floors, caps)
        if capacity is not None and capacity <= remaining:
            # The limits cannot take the whole total: everyone gets its limit, the rest is left over.
            for i in active:
                amounts[i] = caps[i] if claims[i] > 0 else floors[i]
                bound[i] = cap_by[i] if claims[i] > 0 else BOUND_FLOOR
                share_info[i] = {"distribution": "proportional", "all_limits_reached": True}
            _check_groups(schools, active, claims, floors, amounts, bound, share_info, group_caps, method)
            return
        shares = apportion_explained(
            remaining,
            [claims[i] for i in active],
            floors=[floors[i] for i in active],
            caps=[caps[i] for i in active],
            method=method,
            tie_keys=[schools[i].number for i in active],
        )
        sums: dict[int, int] = defaultdict(int)
        for i, share in zip(active, shares, strict=True):
            sums[schools[i].operator_id] += share.amount
        over = {op for op, amount in sums.items() if op in group_caps and amount > group_caps[op]}
        if not over:
            weight_sum = sum(claims[i] for i in active)
            for i, share in zip(active, shares, strict=True):
                amounts[i] = share.amount
                bound[i] = {"floor": BOUND_FLOOR, "cap": cap_by[i]}.get(share.bound or "", "")
                share_info[i] = {
                    "distribution": "proportional",
                    "total": str(_from_units(remaining, is_money)),
                    "weight_sum": str(weight_sum),
                    **_share_figures(share),
                }
            return
        for op in sorted(over):
            items = [i for i in active if schools[i].operator_id == op]
            cap = group_caps[op]
            _check_operator_floors(op, sum(floors[i] for i in items), cap)
            inner = apportion_explained(
                cap,
                [claims[i] for i in items],
                floors=[floors[i] for i in items],
                caps=[caps[i] for i in items],
                method=method,
                tie_keys=[schools[i].number for i in items],
            )
            for i, share in zip(items, inner, strict=True):
                amounts[i] = share.amount
                own = {"floor": BOUND_FLOOR, "cap": cap_by[i]}.get(share.bound or "", "")
                bound[i] = own or BOUND_CAP_OPERATOR
                share_info[i] = {"distribution": "proportional", "operator_cap": str(cap), **_share_figures(share)}
            held[op] = cap
            remaining -= cap
        active = [i for i in active if schools[i].operator_id not in over]


def _check_operator_floors(op: int, floor_sum: int, cap: int) -> None:
    if floor_sum > cap:
        raise FormulaError(
            "formula.operator_cap",
            _("the floors of operator %(operator)s's schools add up to more than its cap (%(floors)s > %(cap)s)")
            % {"operator": op, "floors": floor_sum, "cap": cap},
        )


def _check_groups(schools, items, claims, floors, amounts, bound, share_info, group_caps, method) -> None:
    """When every limit is reached, an operator above its cap is cut back to it: its cap is split
    by the claims within the floors and limits, as when it is held in the loop of ``_proportional``."""
    members: dict[int, list[int]] = defaultdict(list)
    for i in items:
        members[schools[i].operator_id].append(i)
    for op, cap in group_caps.items():
        group = members.get(op, [])
        if group and sum(amounts[i] for i in group) > cap:
            _check_operator_floors(op, sum(floors[i] for i in group), cap)
            shares = apportion_explained(
                cap,
                [claims[i] for i in group],
                floors=[floors[i] for i in group],
                caps=[amounts[i] for i in group],
                method=method,
                tie_keys=[schools[i].number for i in group],
            )
            for i, share in zip(group, shares, strict=True):
                amounts[i] = share.amount
                bound[i] = BOUND_FLOOR if share.bound == "floor" else BOUND_CAP_OPERATOR
                share_info[i] = {"distribution": "proportional", "operator_cap": str(cap), **_share_figures(share)}


def _priority(schools, claims, floors, caps, cap_by, group_caps, total, amounts, bound, share_info, is_money) -> None:
    """Floors first; then, most disadvantaged first (then by number), each school up to its limit."""
    floor_sum = sum(floors)
    if floor_sum > total:
        raise FormulaError(
            "formula.floor_per_school",
            _("the floors add up to more than the total (%(floors)s > %(total)s)")
            % {"floors": floor_sum, "total": total},
        )
    remaining = total - floor_sum
    group_room = {
        op: cap - sum(floors[i] for i, s in enumerate(schools) if s.operator_id == op) for op, cap in group_caps.items()
    }
    for op, room in sorted(group_room.items()):
        _check_operator_floors(op, group_caps[op] - room, group_caps[op])
    order = sorted(
        range(len(schools)),
        key=lambda i: (
            schools[i].disadvantage is None,
            -(schools[i].disadvantage or 0),
            schools[i].number,
            schools[i].school_id,
        ),
    )
    for rank, i in enumerate(order, start=1):
        school = schools[i]
        wanted = _to_units(claims[i], is_money, ROUND_HALF_UP)
        limit, limit_by = _clamp(wanted, floors[i], caps[i], cap_by[i])
        extra = max(0, limit - floors[i])
        given = min(extra, remaining)
        why = limit_by
        if given < extra:
            why = BOUND_BUDGET
        room = group_room.get(school.operator_id)
        if room is not None and given > room:
            given = max(0, room)
            why = BOUND_CAP_OPERATOR
        amounts[i] = floors[i] + given
        remaining -= given
        if room is not None:
            group_room[school.operator_id] = room - given
        bound[i] = why
        share_info[i] = {"distribution": "priority", "rank": rank, "wanted": str(_from_units(wanted, is_money))}


# --- the vectorised path --------------------------------------------------------------------------
#
# The same arithmetic as above, on numpy arrays of integers in fixed units: amounts in 10^-E of the
# currency (E: the most decimal places of the formula's amounts), weights in 10^-W, claims in 10^-4,
# limits and shares in cents or units. Integer arithmetic is exact, so every figure equals the
# reference path's; a guard sends inputs whose products could leave 64 bits (or that the reference
# path would refuse) to the reference path. The explanation is written as JSON text with the keys
# sorted, from fragments that repeat (a rule's levels and grades, a pupils breakdown's keys).

_SAFE = 2**62


def _places(value: Decimal) -> int:
    return max(0, -int(value.as_tuple().exponent))


def _scaled_int(value: Decimal, places: int) -> int:
    return int(value.scaleb(places))


def _half_even_div(x: np.ndarray, divisor: int) -> np.ndarray:
    """``x / divisor`` rounded half to even (``Decimal.quantize``'s default), for ``x >= 0``."""
    if divisor == 1:
        return x
    q, r = np.divmod(x, divisor)
    twice = 2 * r
    return q + ((twice > divisor) | ((twice == divisor) & (q % 2 == 1)))


def _units_text(units: int, is_money: bool) -> str:
    """``str(_from_units(units))`` for ``units >= 0`` without making a Decimal."""
    if not is_money:
        return str(units)
    whole, cents = divmod(units, 100)
    return f"{whole}.{cents:02d}"


def _claim_text(claim: int) -> str:
    whole, rest = divmod(claim, 10000)
    return f"{whole}.{rest:04d}"


def _texts_by_value(keys: np.ndarray, text) -> list[str]:
    """``[text(k) for k in keys]``, calling ``text`` once per distinct key."""
    distinct, positions = np.unique(keys, return_inverse=True)
    texts = [text(k) for k in distinct.tolist()]
    return [texts[p] for p in positions.tolist()]


def _json_list(values) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


class _Pupils:
    """Schools grouped by the keys of their pupils breakdown: each group is one integer matrix."""

    def __init__(self, schools: Sequence[SchoolInput]) -> None:
        groups: dict[tuple, list[int]] = {}
        for i, school in enumerate(schools):
            key = tuple(school.pupils)
            group = groups.get(key)
            if group is None:
                groups[key] = [i]
            else:
                group.append(i)
        self.groups = []
        for keys, members in groups.items():
            rows = [tuple(schools[i].pupils.values()) for i in members]
            matrix = np.array(rows, dtype=np.int64).reshape(len(members), len(keys))
            self.groups.append((keys, np.array(members, dtype=np.int64), matrix))

    def has_unknown_level(self) -> bool:
        return any(level is None for keys, _m, _v in self.groups for level, _grade in keys)

    def largest(self) -> int:
        return max((int(v.max()) for _k, _m, v in self.groups if v.size), default=0)

    def total(self, n: int) -> np.ndarray:
        result = np.zeros(n, dtype=np.int64)
        for _keys, members, matrix in self.groups:
            result[members] = matrix.sum(axis=1)
        return result

    def for_rule(self, rule: PerPupilRule, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Per school: the pupils the rule counts, and whether a level total kept a grade rule out."""
        counts = np.zeros(n, dtype=np.int64)
        missing = np.zeros(n, dtype=bool)
        for keys, members, matrix in self.groups:
            take = np.zeros(len(keys), dtype=np.int64)
            flagged = False
            for k, (level, grade) in enumerate(keys):
                if rule.levels and level not in rule.levels:
                    continue
                if rule.grades:
                    if grade == 0:
                        flagged = True
                        continue
                    if grade not in rule.grades:
                        continue
                take[k] = 1
            counts[members] = matrix @ take
            missing[members] = flagged
        return counts, missing

    def texts(self, n: int) -> list[str]:
        """Each school's breakdown as JSON (keys "level/grade", sorted as texts)."""
        result = [""] * n
        for keys, members, matrix in self.groups:
            named = sorted((f"{level}/{grade}", k) for k, (level, grade) in enumerate(keys))
            template = "{" + ", ".join(f'"{name}": %d' for name, _k in named) + "}"
            order = [k for _name, k in named]
            for i, row in zip(members.tolist(), matrix[:, order].tolist(), strict=True):
                result[i] = template % tuple(row)
        return result


def _compute_vectorised(
    schools: Sequence[SchoolInput],
    formula: Formula,
    *,
    is_money: bool,
    total: Decimal | None,
    distribution: str = "proportional",
    method: str = "largest_remainder",
    operator_bases: dict[int, Decimal] | None = None,
) -> Result | None:
    """``_compute`` on arrays; None when the inputs need the reference path."""
    n = len(schools)
    if n == 0:
        return None
    schools = sorted(schools, key=lambda s: (s.number, s.school_id))
    pupils = _Pupils(schools)
    if pupils.has_unknown_level():
        return None
    unit = 100 if is_money else 1
    by_groups = formula.pupils == "eligible_groups"
    group_pupils = np.array([s.eligible_group_pupils for s in schools], dtype=np.int64) if by_groups else None
    eligible = pupils.total(n) if group_pupils is None else group_pupils
    largest_count = max(int(eligible.max()), pupils.largest())
    if largest_count >= 2**31:
        return None
    need_units = [s.need_units for s in schools]

    # 1. The claim, in 10^-E before the weight.
    step_columns: list[list[str]] = []  # each step's text, per school
    if formula.need == "weight":
        price = formula.need_unit_price if is_money and formula.need_unit_price is not None else None
        places = 0 if price is None else _places(price)
        factor = 1 if price is None else _scaled_int(price, places)
        units = np.array([u or 0 for u in need_units], dtype=np.int64)
        if int(units.max()) * factor >= _SAFE:
            return None
        base = units * factor
        step_columns.append(
            _texts_by_value(
                units,
                lambda u: (
                    f'{{"step": "need", "units": {u}, "value": "{Decimal(u) * price if price is not None else Decimal(u)}"}}'
                ),
            )
        )
    else:
        places = max([_places(formula.base_per_school), *(_places(rule.amount) for rule in formula.per_pupil)])
        bound_base = _scaled_int(formula.base_per_school, places)
        rule_factors = [_scaled_int(rule.amount, places) for rule in formula.per_pupil]
        bound_base += sum(rule_factors) * largest_count
        if bound_base >= _SAFE:
            return None
        base = np.full(n, _scaled_int(formula.base_per_school, places), dtype=np.int64)
        if formula.base_per_school:
            step_columns.append([f'{{"step": "base", "value": "{formula.base_per_school}"}}'] * n)
        for rule, factor in zip(formula.per_pupil, rule_factors, strict=True):
            if group_pupils is not None:  # by groups
                counts, missing = group_pupils, np.zeros(n, dtype=bool)
            else:
                counts, missing = pupils.for_rule(rule, n)
            base += counts * factor
            head = f'{{"grades": {_json_list(rule.grades)}, '
            tail = f'"levels": {_json_list(rule.levels)}, "pupils": '
            rate = f', "rate": "{rule.amount}", "step": "per_pupil", "value": "'
            unknown = '"grades_unknown": true, '

            def text(key: int, head=head, tail=tail, rate=rate, unknown=unknown, amount=rule.amount) -> str:
                count, flag = divmod(key, 2)
                return f'{head}{unknown if flag else ""}{tail}{count}{rate}{amount * count}"}}'

            step_columns.append(_texts_by_value(counts * 2 + missing, text))

    # 2. The index weight, in 10^-W, and the claim in 10^-4.
    weights = formula.index_weights
    index_texts = ["null" if s.index is None else f'"{s.index}"' for s in schools]
    if weights is not None:
        memo: dict[Decimal | None, Decimal] = {}
        per_school = []
        for s in schools:
            weight = memo.get(s.index)
            if weight is None:
                weight = memo[s.index] = weights.weight(s.index)
            per_school.append(weight)
        weight_text = {id(w): str(w) for w in memo.values()}
        w_places = max(_places(w) for w in memo.values())
        w_ints = {key: _scaled_int(w, w_places) for key, w in memo.items()}
        if int(base.max()) * max(w_ints.values()) >= _SAFE:
            return None
        weight_array = np.array([w_ints[s.index] for s in schools], dtype=np.int64)
        product = base * weight_array
        shift = places + w_places
        weight_texts = [weight_text[id(w)] for w in per_school]
    else:
        product = base
        shift = places
        weight_texts = None
    if shift >= 4:
        claims = _half_even_div(product, 10 ** (shift - 4))
    else:
        if int(product.max()) * 10 ** (4 - shift) >= _SAFE:
            return None
        claims = product * 10 ** (4 - shift)
    claim_list = claims.tolist()
    whole, rest = np.divmod(claims, 10000)
    claim_texts = [f"{w}.{r:04d}" for w, r in zip(whole.tolist(), rest.tolist(), strict=True)]
    if weight_texts is not None:
        step_columns.append(
            [
                f'{{"index": {index}, "step": "index_weight", "value": "{claim}", "weight": "{weight}"}}'
                for index, claim, weight in zip(index_texts, claim_texts, weight_texts, strict=True)
            ]
        )

    # 3. The limits, in cents or units.
    none = np.iinfo(np.int64).max
    cap = np.full(n, none, dtype=np.int64)
    cap_code = np.zeros(n, dtype=np.int8)  # 0: none, 1: per school, 2: per pupil, 3: need
    cap_names = ["", BOUND_CAP_SCHOOL, BOUND_CAP_PER_PUPIL, BOUND_NEED]
    if formula.cap_per_school is not None:
        value = _to_units(formula.cap_per_school, is_money, ROUND_DOWN)
        if value >= _SAFE:
            return None
        cap[:] = value
        cap_code[:] = 1
    cap_for_pupils = None
    if formula.cap_per_pupil is not None:
        pp_places = _places(formula.cap_per_pupil)
        pp = _scaled_int(formula.cap_per_pupil, pp_places)
        if pp * unit * largest_count >= _SAFE:
            return None
        cap_for_pupils = (pp * unit * eligible) // 10**pp_places
        lower = cap_for_pupils < cap
        cap = np.where(lower, cap_for_pupils, cap)
        cap_code = np.where(lower, 2, cap_code).astype(np.int8)
    need_texts: list[str] | None = None
    if formula.need == "cap":
        price = formula.need_unit_price if is_money and formula.need_unit_price is not None else None
        need_cap = np.full(n, none, dtype=np.int64)
        need_texts = [""] * n
        memo_need: dict[int, tuple[int, str]] = {}
        for i, u in enumerate(need_units):
            if u is None:
                continue
            known = memo_need.get(u)
            if known is None:
                need_value = Decimal(u) * price if price is not None else Decimal(u)
                known = memo_need[u] = (
                    _to_units(need_value, is_money, ROUND_DOWN),
                    f'"need": "{need_value}", "need_units": {u}',
                )
            if known[0] >= _SAFE:
                return None
            need_cap[i] = known[0]
            need_texts[i] = known[1]
        lower = need_cap < cap
        cap = np.where(lower, need_cap, cap)
        cap_code = np.where(lower, 3, cap_code).astype(np.int8)
    has_cap = cap_code > 0
    floor = np.zeros(n, dtype=np.int64)
    lowered = np.zeros(n, dtype=bool)
    if formula.floor_per_school is not None:
        value = _to_units(formula.floor_per_school, is_money, ROUND_HALF_UP)
        if value >= _SAFE:
            return None
        lowered = has_cap & (value > cap)
        floor = np.where(lowered, cap, value)

    # The limits' explanation, keys sorted.
    fixed_school = f'"cap_per_school": "{formula.cap_per_school}"' if formula.cap_per_school is not None else ""
    fixed_floor = f'"floor": "{formula.floor_per_school}"' if formula.floor_per_school is not None else ""

    def limits_text(key: int) -> str:
        for_pupils, flag = divmod(key, 2)
        parts = []
        if cap_for_pupils is not None:
            parts.append(
                f'"cap_for_pupils": "{_units_text(for_pupils, is_money)}", "cap_per_pupil": "{formula.cap_per_pupil}"'
            )
        if fixed_school:
            parts.append(fixed_school)
        if fixed_floor:
            parts.append(fixed_floor)
            if flag:
                parts.append('"floor_lowered_to_cap": true')
        return ", ".join(parts)

    limit_key = lowered.astype(np.int64) if cap_for_pupils is None else cap_for_pupils * 2 + lowered
    limit_texts = _texts_by_value(limit_key, limits_text)
    if need_texts is not None:
        limit_texts = [
            f"{fixed}, {need}" if fixed and need else fixed or need
            for fixed, need in zip(limit_texts, need_texts, strict=True)
        ]

    # 4. The distribution.
    cap_list = cap.tolist()
    floor_list = floor.tolist()
    code_list = cap_code.tolist()
    caps_or_none = [c if code else None for c, code in zip(cap_list, code_list, strict=True)]
    cap_by = [cap_names[code] for code in code_list]
    total_units = None if total is None else _to_units(total, is_money, ROUND_HALF_UP)
    if total_units is not None and total_units >= _SAFE:
        return None
    share_texts: list[str] | None = None
    if formula.operator_cap is not None or (total_units is not None and distribution == "priority"):
        # The operator caps and the priority order run school by school: the reference functions,
        # on the exact claims and limits computed above.
        claim_decimals = [Decimal(c).scaleb(-4) for c in claim_list]
        group_caps = _operator_caps(formula, schools, is_money, total, operator_bases)
        amounts = [0] * n
        bound = [""] * n
        share_info: list[dict] = [{} for _ in range(n)]
        if total_units is None:
            direct = _direct(claims, floor, cap, has_cap, is_money)
            for i, (value, code) in enumerate(zip(*direct, strict=True)):
                amounts[i] = value
                bound[i] = {0: "", 1: BOUND_FLOOR, 2: cap_by[i]}[code]
                share_info[i] = {"distribution": "direct"}
            _hold_operators_direct(schools, claim_decimals, amounts, bound, floor_list, group_caps, share_info, method)
        elif distribution == "priority":
            _priority(
                schools, claim_decimals, floor_list, caps_or_none, cap_by, group_caps, total_units, amounts, bound,
                share_info, is_money,
            )  # fmt: skip
        else:
            _proportional(
                schools, claim_decimals, floor_list, caps_or_none, cap_by, group_caps, total_units, amounts, bound,
                share_info, method, is_money,
            )  # fmt: skip
        share_texts = [json.dumps(info, ensure_ascii=False, sort_keys=True) for info in share_info]
    elif total_units is None:
        values, codes = _direct(claims, floor, cap, has_cap, is_money)
        amounts = values
        bound = [("", BOUND_FLOOR, cap_by[i])[code] for i, code in enumerate(codes)]
        share_texts = ['{"distribution": "direct"}'] * n
    else:
        split = _proportional_vectorised(
            claims, claim_list, floor, floor_list, cap, caps_or_none, has_cap, cap_by, total_units, method, is_money
        )
        if split is None:
            return None
        amounts, bound, share_texts = split

    # 5. The lines.
    pupils_texts = pupils.texts(n)
    steps_texts = [", ".join(steps) for steps in zip(*step_columns, strict=True)] if step_columns else [""] * n
    eligible_list = eligible.tolist()
    if is_money:
        whole, cents = np.divmod(np.array(amounts, dtype=object if max(amounts) >= _SAFE else np.int64), 100)
        amount_texts = [f"{w}.{c:02d}" for w, c in zip(whole.tolist(), cents.tolist(), strict=True)]
    else:
        amount_texts = [str(a) for a in amounts]
    need_json = ["null" if need is None else str(need) for need in need_units]
    texts = [
        f'{{"amount": "{amount}", "bound": "{by}", "claim": "{claim}", "inputs": {{"eligible_pupils": {pupils}, '
        f'"index": {index}, "need_units": {need}, "pupils": {breakdown}}}, "limits": {{{limits}}}, '
        f'"share": {share}, "steps": [{steps}]}}'
        for amount, by, claim, pupils, index, need, breakdown, limits, share, steps in zip(
            amount_texts, bound, claim_texts, eligible_list, index_texts, need_json, pupils_texts, limit_texts,
            share_texts, steps_texts, strict=True,
        )
    ]  # fmt: skip
    allocated = sum(amounts)
    ids = [school.school_id for school in schools]
    table = (ids, amounts, amount_texts, claim_texts, eligible_list, bound, texts)
    unallocated = Decimal(0) if total_units is None else _from_units(total_units - allocated, is_money)
    warnings = [{"code": "unallocated", "amount": str(unallocated)}] if unallocated else []
    return Result(table=table, total=_from_units(allocated, is_money), unallocated=unallocated, warnings=warnings)


def _direct(claims, floor, cap, has_cap, is_money) -> tuple[list[int], list[int]]:
    """Without a total: each claim rounded half up to the cent or unit, within the limits.
    Returns the amounts and what bound them (0: nothing, 1: the floor, 2: the cap)."""
    half = 50 if is_money else 5000
    values = (claims + half) // (100 if is_money else 10000)
    over = has_cap & (values > cap)
    under = ~over & (values < floor)
    amounts = np.where(over, cap, np.where(under, floor, values))
    codes = np.where(over, 2, np.where(under, 1, 0))
    return amounts.tolist(), codes.tolist()


def _proportional_vectorised(
    claims, claim_list, floor, floor_list, cap, caps_or_none, has_cap, cap_by, total, method, is_money
):
    """``_proportional`` without operator caps: the amounts, bounds and share explanations, or None
    when the reference path is needed (floors above the total)."""
    n = len(claim_list)
    positive = claims > 0
    if bool(np.all(has_cap | ~positive)):
        capacity = int(np.where(positive, cap, floor).sum())
        if capacity <= total:
            amounts = np.where(positive, cap, floor).tolist()
            bound = [cap_by[i] if claim_list[i] > 0 else BOUND_FLOOR for i in range(n)]
            return amounts, bound, ['{"all_limits_reached": true, "distribution": "proportional"}'] * n
    if int(floor.sum()) > total:
        return None  # the reference path raises the apportionment's error
    if method == "largest_remainder":
        shares = _largest_remainder_vectorised(total, claims, floor, cap, has_cap)
    else:
        # Sainte-Laguë moves unit by unit through a heap: the reference apportionment, on the claims
        # as integers (the same ratios, so the same shares; the tie order is the schools' order).
        explained = apportion_explained(total, claim_list, floors=floor_list, caps=caps_or_none, method=method)
        shares = (
            [s.amount for s in explained],
            [s.bound for s in explained],
            [f"{float(s.quota):.4f}" for s in explained],
            [s.rounded_up for s in explained],
            [s.remainder_rank for s in explained],
        )
    amounts, bounds, quotas, rounded_up, ranks = shares
    tail = f'"total": "{_units_text(total, is_money)}", "weight_sum": "{_claim_text(sum(claim_list))}"}}'
    bound = []
    texts = []
    for i in range(n):
        b = bounds[i]
        bound.append(cap_by[i] if b == "cap" else BOUND_FLOOR if b == "floor" else "")
        rank = ranks[i]
        texts.append(
            f'{{"distribution": "proportional", "quota": "{quotas[i]}", '
            f'"remainder_rank": {"null" if rank is None else rank}, '
            f'"rounded_up": {"true" if rounded_up[i] else "false"}, {tail}'
        )
    return amounts, bound, texts


_FREE, _FLOOR, _CAP = 0, 1, 2
_EXACT_FLOAT = 2**53


def _water_fill_float(total: int, weights, floor, cap, has_cap):
    """The water-filling of ``apportionment._water_fill`` with each item's comparison made in
    floats, and the sums that decide between the capped and the floored exactly. Returns (bound,
    rest, weight sum), or None when a comparison is too close for floats (then the exact loop
    decides) or a figure is too large to be exact in a float."""
    largest = max(int(weights.max()), int(np.where(has_cap, cap, 0).max()), int(floor.max()), total)
    if largest >= _EXACT_FLOAT or int(weights.sum(dtype=np.float64)) >= _EXACT_FLOAT:
        return None
    w = weights.astype(np.float64)
    caps = np.where(has_cap, cap, 0)
    caps_f = caps.astype(np.float64)
    floors_f = floor.astype(np.float64)
    bound = np.where(weights == 0, _FLOOR, _FREE).astype(np.int8)
    while True:
        rest = total - int(floor[bound == _FLOOR].sum()) - int(caps[bound == _CAP].sum())
        free = bound == _FREE
        weight_sum = int(weights[free].sum())
        if weight_sum == 0:
            return bound, 0, 1
        if abs(rest) >= _EXACT_FLOAT:
            return None
        scaled = rest * w[free]
        free_caps = caps_f[free] * weight_sum
        free_floors = floors_f[free] * weight_sum
        # Too close to call: the exact loop decides.
        margin = 1e-12 * np.maximum(np.abs(scaled), 1.0)
        capped = has_cap[free]
        if bool(np.any(capped & (np.abs(scaled - free_caps) <= margin))) or bool(
            np.any(np.abs(scaled - free_floors) <= margin)
        ):
            return None
        over = capped & (scaled > free_caps)
        under = ~over & (scaled < free_floors)
        if not over.any() and not under.any():
            return bound, rest, weight_sum
        positions = np.flatnonzero(free)
        over_at, under_at = positions[over], positions[under]
        excess = sum(
            rest * int(x) - int(c) * weight_sum
            for x, c in zip(weights[over_at].tolist(), caps[over_at].tolist(), strict=True)
        )
        deficit = sum(
            int(f) * weight_sum - rest * int(x)
            for x, f in zip(weights[under_at].tolist(), floor[under_at].tolist(), strict=True)
        )
        if excess >= deficit:
            bound[over_at] = _CAP
        if deficit >= excess:
            bound[under_at] = _FLOOR


def _largest_remainder_vectorised(total: int, weights, floor, cap, has_cap):
    """``apportion_explained`` with the largest remainder method, for integer weights, floors not
    above the caps and the tie order of the items: (amounts, bounds, quota texts, rounded up, ranks).

    The water-filling compares in floats where that is certain (``_water_fill_float``), else runs
    on int64 arrays when every product fits, else on arrays of Python integers (numpy object
    arrays); the quotas and remainders are exact integers either way."""
    n = len(weights)
    weight_sum_all = int(weights.sum(dtype=np.float64))
    largest_limit = max(int(np.where(has_cap, cap, 0).max()), int(floor.max()))
    # Sums of n products must fit too.
    exact64 = n * total * int(weights.max()) < _SAFE and n * largest_limit * max(weight_sum_all, 1) < _SAFE
    dtype = np.int64 if exact64 else object
    w = weights.astype(dtype)
    floors = floor.astype(dtype)
    caps = np.where(has_cap, cap, 0).astype(dtype)
    FREE, FLOOR, CAP = _FREE, _FLOOR, _CAP  # noqa: N806
    filled = _water_fill_float(total, weights, floor, cap, has_cap)
    if filled is not None:
        bound, num, den = filled
    else:
        bound = np.where(weights == 0, FLOOR, FREE).astype(np.int8)
    while filled is None:
        fixed = int(floors[bound == FLOOR].sum()) + int(caps[bound == CAP].sum())
        rest = total - fixed
        free = bound == FREE
        free_w = w[free]
        weight_sum = int(free_w.sum())
        if weight_sum == 0:
            num, den = 0, 1
            break
        scaled = rest * free_w
        free_caps = caps[free] * weight_sum
        free_floors = floors[free] * weight_sum
        over = has_cap[free] & (scaled > free_caps)
        under = ~over & (scaled < free_floors)
        if not over.any() and not under.any():
            num, den = rest, weight_sum
            break
        excess = int((scaled[over] - free_caps[over]).sum())
        deficit = int((free_floors[under] - scaled[under]).sum())
        positions = np.flatnonzero(free)
        if excess >= deficit:
            bound[positions[over]] = CAP
        if deficit >= excess:
            bound[positions[under]] = FLOOR
    free = bound == FREE
    positions = np.flatnonzero(free)
    amounts = np.where(bound == CAP, caps, floors).astype(dtype)
    scaled_quotas = num * (w[free] if exact64 else weights[free].astype(object))
    whole, remainder = scaled_quotas // den, scaled_quotas % den
    amounts[positions] = whole
    extra = total - int(amounts.sum())
    remainders = remainder.astype(np.int64) if den < _SAFE else remainder
    if den < _SAFE:
        ranked = positions[np.argsort(-remainders, kind="stable")]
    else:
        rem_list = remainder.tolist()
        ranked = positions[sorted(range(len(rem_list)), key=lambda k: -rem_list[k])]
    amounts[ranked[:extra]] += 1
    amount_list = [int(a) for a in amounts.tolist()]
    ranks: list[int | None] = [None] * n
    for r, i in enumerate(ranked.tolist(), start=1):
        ranks[i] = r
    rounded_up = [False] * n
    for i in ranked[:extra].tolist():
        rounded_up[i] = True
    # The quotas as the reference shows them: float(Fraction) is the correctly rounded quotient,
    # as is Python's int / int.
    bound_list = bound.tolist()
    quotas = [f"{float(limit):.4f}" for limit in np.where(bound == CAP, caps, floors).tolist()]
    for i, weight in zip(positions.tolist(), w[free].tolist(), strict=True):
        quotas[i] = f"{num * weight / den:.4f}"
    floor_list = floor.tolist()
    bounds: list[str | None] = [
        None if b == FREE else "cap" if b == CAP else "floor" if floor_list[i] else None
        for i, b in enumerate(bound_list)
    ]
    return amount_list, bounds, quotas, rounded_up, ranks
