"""Entitlements computed from a call's rule: a base per school by its type plus an amount per pupil,
summed per operator. Pure code (``services.entitlements`` loads the schools and writes the rows).

Why not the allocation formula (``digileap/allocation/formula.py``)? Its ``base_per_school`` is one
amount for every school; MV's rule gives a different base by school type and sector. The rule here
is the small part of that formula MV needs, with the same habits: exact ``Decimal`` figures, every
step kept in an explanation, and settings refused with their path.

A definition (docs/funding.md, example in docs/funding-examples/mv-digitalpakt.json)::

    {
      "base_per_school": [
        {"sectors": ["private"], "amount": "15000", "label": "private school"},
        {"school_types": ["GS"], "amount": "40000", "label": "primary school"},
        {"amount": "50000", "label": "other school"}
      ],
      "per_pupil": "340",
      "statuses": ["open"]
    }

The first base rule whose conditions a school meets gives its base (``school_types`` matches the
registry's ``type_code``, ``sectors`` its sector; a rule without conditions matches every school).
A school no rule matches gets no base. Pupils are the registry's newest count (``pupils_total``);
a school without one counts 0 pupils, and its explanation says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


class DefinitionError(ValueError):
    """A setting that cannot be used; ``path`` names it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class BaseRule:
    amount: Decimal
    label: str = ""
    school_types: frozenset[str] | None = None
    sectors: frozenset[str] | None = None

    def matches(self, school: SchoolFacts) -> bool:
        if self.school_types is not None and school.type_code not in self.school_types:
            return False
        return self.sectors is None or school.sector in self.sectors


@dataclass(frozen=True)
class Definition:
    base_rules: tuple[BaseRule, ...]
    per_pupil: Decimal
    statuses: frozenset[str]


@dataclass(frozen=True)
class SchoolFacts:
    id: int
    operator_id: int
    number: str
    name: str
    type_code: str
    sector: str
    status: str
    pupils: int | None


def _amount(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise DefinitionError(path, _('give an amount as a number or a text such as "340".'))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise DefinitionError(path, _("%(value)r is not a number.") % {"value": value}) from None
    if not number.is_finite() or number < 0:
        raise DefinitionError(path, _("%(value)r is not an amount of zero or more.") % {"value": value})
    if number != number.quantize(CENT):
        raise DefinitionError(path, _("%(value)r has more than two decimals.") % {"value": value})
    return number


def _texts(value: Any, path: str) -> frozenset[str]:
    if not isinstance(value, list) or not value or any(not isinstance(item, str) for item in value):
        raise DefinitionError(path, _("give a non-empty list of texts."))
    return frozenset(value)


def parse_definition(data: Any) -> Definition:
    """Read a definition; a bad setting raises ``DefinitionError`` naming it."""
    if not isinstance(data, dict):
        raise DefinitionError("definition", _("give the rule as an object."))
    known = {"code", "name", "description", "base_per_school", "per_pupil", "statuses"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DefinitionError(unknown[0], _("unknown setting."))
    raw_rules = data.get("base_per_school", [])
    rules = []
    if isinstance(raw_rules, (str, int, Decimal)) and not isinstance(raw_rules, bool):
        rules.append(BaseRule(amount=_amount(raw_rules, "base_per_school")))
        raw_rules = []
    if not isinstance(raw_rules, list):
        raise DefinitionError("base_per_school", _("give a list of rules or one amount."))
    for index, raw in enumerate(raw_rules):
        path = f"base_per_school[{index}]"
        if not isinstance(raw, dict):
            raise DefinitionError(path, _("give each rule as an object."))
        unknown = sorted(set(raw) - {"amount", "label", "school_types", "sectors"})
        if unknown:
            raise DefinitionError(f"{path}.{unknown[0]}", _("unknown setting."))
        if "amount" not in raw:
            raise DefinitionError(f"{path}.amount", _("missing."))
        rules.append(
            BaseRule(
                amount=_amount(raw["amount"], f"{path}.amount"),
                label=str(raw.get("label", "")),
                school_types=_texts(raw["school_types"], f"{path}.school_types") if "school_types" in raw else None,
                sectors=_texts(raw["sectors"], f"{path}.sectors") if "sectors" in raw else None,
            )
        )
    per_pupil = _amount(data.get("per_pupil", "0"), "per_pupil")
    if not rules and not per_pupil:
        raise DefinitionError("definition", _("give a base per school, an amount per pupil, or both."))
    statuses = _texts(data["statuses"], "statuses") if "statuses" in data else frozenset({"open"})
    return Definition(base_rules=tuple(rules), per_pupil=per_pupil, statuses=statuses)


@dataclass(frozen=True)
class OperatorAmount:
    amount: Decimal
    explanation: dict


def compute(definition: Definition, schools: list[SchoolFacts]) -> dict[int, OperatorAmount]:
    """Each operator's entitlement and its explanation (its schools in the order of their numbers)."""
    steps: dict[int, list[dict]] = {}
    totals: dict[int, Decimal] = {}
    for school in sorted(schools, key=lambda school: (school.operator_id, school.number, school.id)):
        steps.setdefault(school.operator_id, [])
        totals.setdefault(school.operator_id, Decimal("0.00"))
        if school.status not in definition.statuses:
            continue
        rule = next((rule for rule in definition.base_rules if rule.matches(school)), None)
        base = rule.amount if rule is not None else Decimal(0)
        pupils = school.pupils or 0
        amount = (base + definition.per_pupil * pupils).quantize(CENT)
        totals[school.operator_id] += amount
        steps[school.operator_id].append(
            {
                "school": school.id,
                "number": school.number,
                "name": school.name,
                "base_rule": rule.label if rule is not None else None,
                "base": str(base.quantize(CENT)),
                "pupils": pupils,
                "pupils_unknown": school.pupils is None,
                "per_pupil": str(definition.per_pupil.quantize(CENT)),
                "amount": str(amount),
            }
        )
    return {
        operator_id: OperatorAmount(
            amount=totals[operator_id], explanation={"schools": steps[operator_id], "total": str(totals[operator_id])}
        )
        for operator_id in steps
    }
