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
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

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


@dataclass
class LineResult:
    school_id: int
    amount: Decimal
    claim: Decimal
    eligible_pupils: int
    bound: str
    explanation: dict[str, Any]


@dataclass
class Result:
    lines: list[LineResult]
    total: Decimal
    unallocated: Decimal  # what the limits left of the round's total
    warnings: list[dict[str, Any]] = field(default_factory=list)


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
        cap = formula.cap_per_pupil * eligible
        candidates.append((_to_units(cap, is_money, ROUND_DOWN), BOUND_CAP_PER_PUPIL))
        shown["cap_per_pupil"] = str(formula.cap_per_pupil)
        shown["cap_for_pupils"] = str(_from_units(_to_units(cap, is_money, ROUND_DOWN), is_money))
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


def compute(*args, **kwargs) -> Result:
    """Every school's amount and explanation (see ``_compute`` for the arguments).

    The computation makes about a million small objects (Fractions, Decimals, explanation dicts)
    that all stay alive until it ends: Python's cyclic garbage collector would scan them again and
    again for nothing (half the time at 40,000 schools), so it is paused meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _compute(*args, **kwargs)
    finally:
        if was_enabled:
            gc.enable()


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
