"""The rules an application is checked against, on every entry and at submission. Pure code: no
database, so every rule is tested exhaustively (tests/test_rules.py) and the services only load the
inputs (``services.applications.load_check_inputs``).

Figures, to the cent:

- a line's **amount** is quantity x unit price, rounded half up to the cent;
- its **funding** is amount x the category's funding rate, rounded *down* to the cent (the funding
  never exceeds the rate), and its **co-financing** is amount - funding, so that funding plus
  co-financing is the amount exactly, for every line and for the application;
- caps and the entitlement limit the **funding**, never the cost.

Each problem names its rule (``Problem.rule``, one of ``RULES``) and, where it has one, the line
(``Problem.line``, its position); its message says both in words. Caps that limit a sum (per
application, per school, a share) flag each line at which the running sum, in line order, is over
the limit, so the first flagged line is the one that crossed it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core.types import Text

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# The largest amount the columns hold (14 digits, 2 decimals).
MAX_AMOUNT = Decimal("999999999999.99")
MAX_QUANTITY = Decimal("9999999999.99")

RULE_CALL_OPEN = "call_open"
RULE_AMOUNT = "amount"
RULE_CATEGORY = "category"
RULE_SCHOOL = "school"
RULE_CAP_ABSOLUTE = "cap_absolute"
RULE_CAP_PER_SCHOOL = "cap_per_school"
RULE_CAP_PER_PUPIL = "cap_per_pupil"
RULE_CAP_SHARE_OF_APPLICATION = "cap_share_of_application"
RULE_CAP_SHARE_OF_ENTITLEMENT = "cap_share_of_entitlement"
RULE_COFINANCING = "cofinancing"
RULE_ENTITLEMENT = "entitlement"
RULE_DOCUMENT_MISSING = "document_missing"
RULE_DOCUMENT_EXPIRED = "document_expired"
RULES = (
    RULE_CALL_OPEN,
    RULE_AMOUNT,
    RULE_CATEGORY,
    RULE_SCHOOL,
    RULE_CAP_ABSOLUTE,
    RULE_CAP_PER_SCHOOL,
    RULE_CAP_PER_PUPIL,
    RULE_CAP_SHARE_OF_APPLICATION,
    RULE_CAP_SHARE_OF_ENTITLEMENT,
    RULE_COFINANCING,
    RULE_ENTITLEMENT,
    RULE_DOCUMENT_MISSING,
    RULE_DOCUMENT_EXPIRED,
)
# The rules that need the whole application (documents can be uploaded last): checked at submission.
SUBMISSION_RULES = frozenset({RULE_DOCUMENT_MISSING, RULE_DOCUMENT_EXPIRED})


def euros(value: Decimal) -> str:
    """``EUR 1,234.50`` in English, ``EUR 1.234,50`` in German."""
    number = formats.number_format(Decimal(value).quantize(CENT), 2, use_l10n=True, force_grouping=True)
    return _("EUR %(amount)s") % {"amount": number}


def percent(value: Decimal) -> str:
    number = Decimal(value)
    places = 0 if number == number.to_integral_value() else 2
    return formats.number_format(number, places, use_l10n=True) + " %"


@dataclass(frozen=True)
class Category:
    """A cost category as the rules see it (``models.CostCategory``)."""

    code: str
    name: str
    funding_rate: Decimal
    cap_absolute: Decimal | None = None
    cap_per_school: Decimal | None = None
    cap_per_pupil: Decimal | None = None
    cap_share_of_application: Decimal | None = None
    cap_share_of_entitlement: Decimal | None = None


@dataclass(frozen=True)
class Requirement:
    """A required document (``models.RequiredDocument``): ``scope`` operator, school or application."""

    code: str
    name: str
    scope: str
    validity_months: int | None = None


@dataclass(frozen=True)
class Upload:
    """An uploaded document: which requirement, for which school (None: operator or application)."""

    requirement: str
    school: int | None
    issued_on: datetime.date


@dataclass(frozen=True)
class School:
    name: str
    pupils: int


@dataclass(frozen=True)
class Line:
    """A cost line as typed: quantity and unit price may be anything the user typed."""

    position: int
    category: str
    school: int | None
    description: str
    quantity: object
    unit_price: object


@dataclass(frozen=True)
class Terms:
    """What the call says."""

    opens_at: datetime.datetime
    closes_at: datetime.datetime
    cofinancing_rate: Decimal
    categories: dict[str, Category]
    requirements: tuple[Requirement, ...] = ()
    uses_entitlements: bool = True


@dataclass(frozen=True)
class Draft:
    """What the application says, and what the operator holds elsewhere in the call.

    ``entitlement`` is the operator's published entitlement (None: none published);
    ``applied_elsewhere`` the funding of the operator's other applications in the call that still
    count (not withdrawn or rejected).
    """

    schools: dict[int, School]
    lines: tuple[Line, ...]
    entitlement: Decimal | None = None
    applied_elsewhere: Decimal = Decimal(0)
    uploads: tuple[Upload, ...] = ()


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str
    line: int | None = None
    field: str = ""


@dataclass(frozen=True)
class Figures:
    """A line's money: cost, funding and co-financing."""

    amount: Decimal
    funding: Decimal
    cofinancing: Decimal


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    figures: dict[int, Figures] = field(default_factory=dict)
    total_amount: Decimal = Decimal("0.00")
    total_funding: Decimal = Decimal("0.00")
    total_cofinancing: Decimal = Decimal("0.00")

    @property
    def is_valid(self) -> bool:
        return not self.problems

    def for_line(self, position: int) -> list[Problem]:
        return [problem for problem in self.problems if problem.line == position]


def line_label(position: int) -> str:
    return _("Line %(line)s") % {"line": position}


def _line_problem(line: Line, rule: str, message: str, field_name: str = "") -> Problem:
    # Translators: a cost line's label ("Line 3") and what is wrong with it.
    labelled = _("%(line)s: %(message)s") % {"line": line_label(line.position), "message": message}
    return Problem(rule=rule, line=line.position, field=field_name, message=labelled)


# Translators: "The quantity 'abc' is not a number." The name is a field's name with its article.
NOT_A_NUMBER = gettext_lazy("%(name)s %(value)s is not a number.")
# The names of a line's numbers, translated only when a message uses them (not once per line).
THE_QUANTITY = gettext_lazy("The quantity")
THE_UNIT_PRICE = gettext_lazy("The unit price")


def parse_money(
    value: object, *, name: Text, places: int = 2, maximum: Decimal = MAX_AMOUNT
) -> tuple[Decimal | None, str]:
    """``(number, "")`` or ``(None, message)``: a finite, non-negative number of at most ``places`` decimals."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        return None, _("%(name)s is missing.") % {"name": name}
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return None, NOT_A_NUMBER % {"name": name, "value": repr(str(value))}
    if not number.is_finite():
        return None, NOT_A_NUMBER % {"name": name, "value": repr(str(value))}
    if number < 0:
        return None, _("%(name)s cannot be negative.") % {"name": name}
    if number != number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN):
        return None, _("%(name)s has more than %(places)s decimals.") % {"name": name, "places": places}
    if number > maximum:
        return None, _("%(name)s is too large.") % {"name": name}
    return number, ""


def line_figures(quantity: Decimal, unit_price: Decimal, funding_rate: Decimal) -> Figures:
    amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
    funding = (amount * funding_rate / HUNDRED).quantize(CENT, rounding=ROUND_DOWN)
    return Figures(amount=amount, funding=funding, cofinancing=amount - funding)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months, on the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = (datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def valid_until(upload: Upload, requirement: Requirement) -> datetime.date | None:
    """The last day an upload is valid (None: without limit)."""
    if requirement.validity_months is None:
        return None
    return add_months(upload.issued_on, requirement.validity_months) - datetime.timedelta(days=1)


def check(terms: Terms, draft: Draft, *, at: datetime.datetime, submission: bool = False) -> Result:
    """Every rule on ``draft`` at the moment ``at``; with ``submission`` also the documents."""
    result = Result()
    if not terms.opens_at <= at < terms.closes_at:
        result.problems.append(Problem(rule=RULE_CALL_OPEN, message=_call_closed_message(terms, at)))

    valid_lines: list[tuple[Line, Category]] = []
    for line in sorted(draft.lines, key=lambda line: line.position):
        category = _check_line(terms, draft, line, result)
        if category is not None:
            valid_lines.append((line, category))

    for line, _category in valid_lines:
        figures = result.figures[line.position]
        result.total_amount += figures.amount
        result.total_funding += figures.funding
        result.total_cofinancing += figures.cofinancing

    _check_caps(draft, valid_lines, result)
    if terms.uses_entitlements:
        _check_entitlement(draft, valid_lines, result)
    if submission:
        _check_documents(terms, draft, at.date(), result)
    return result


def _call_closed_message(terms: Terms, at: datetime.datetime) -> str:
    moment = formats.date_format(terms.opens_at if at < terms.opens_at else terms.closes_at, "DATETIME_FORMAT")
    if at < terms.opens_at:
        return _("The call is not open yet: it opens on %(moment)s (rule: call open).") % {"moment": moment}
    return _("The call closed on %(moment)s (rule: call open).") % {"moment": moment}


def _check_line(terms: Terms, draft: Draft, line: Line, result: Result) -> Category | None:
    """The line's own rules; its figures when it has valid numbers and a known category."""
    ok = True
    category = terms.categories.get(line.category)
    if category is None:
        ok = False
        result.problems.append(
            _line_problem(
                line,
                RULE_CATEGORY,
                _("%(category)r is not a cost category of this call (rule: eligible category).")
                % {"category": line.category},
                "category",
            )
        )
    if line.school is not None and line.school not in draft.schools:
        ok = False
        result.problems.append(
            _line_problem(
                line, RULE_SCHOOL, _("the school is not one of this application's schools (rule: school)."), "school"
            )
        )
    quantity, quantity_error = parse_money(line.quantity, name=THE_QUANTITY, maximum=MAX_QUANTITY)
    if quantity is not None and quantity == 0:
        quantity, quantity_error = None, _("The quantity must be more than zero.")
    unit_price, price_error = parse_money(line.unit_price, name=THE_UNIT_PRICE)
    for error, field_name in ((quantity_error, "quantity"), (price_error, "unit_price")):
        if error:
            ok = False
            result.problems.append(
                _line_problem(line, RULE_AMOUNT, _("%(error)s (rule: amount)") % {"error": error}, field_name)
            )
    if not ok:
        return None
    assert category is not None and quantity is not None and unit_price is not None
    figures = line_figures(quantity, unit_price, category.funding_rate)
    if figures.amount > MAX_AMOUNT:
        result.problems.append(
            _line_problem(line, RULE_AMOUNT, _("The amount is too large. (rule: amount)"), "quantity")
        )
        return None
    result.figures[line.position] = figures
    required = figures.amount * terms.cofinancing_rate / HUNDRED
    if figures.cofinancing < required:
        result.problems.append(
            _line_problem(
                line,
                RULE_COFINANCING,
                _(
                    "the co-financing of %(cofinancing)s is less than the call's %(rate)s of %(amount)s "
                    "(%(required)s); the funding rate of %(category)s is too high (rule: co-financing)."
                )
                % {
                    "cofinancing": euros(figures.cofinancing),
                    "rate": percent(terms.cofinancing_rate),
                    "amount": euros(figures.amount),
                    "required": euros(required.quantize(CENT, rounding=ROUND_HALF_UP)),
                    "category": category.name,
                },
            )
        )
    return category if ok else None


def _flag_running(
    lines: list[tuple[Line, Category]],
    result: Result,
    limit: Decimal,
    rule: str,
    describe,
    start: Decimal = Decimal(0),
) -> None:
    """Flag each line at which the running funding (from ``start``) is over ``limit``."""
    running = start
    for line, _category in lines:
        funding = result.figures[line.position].funding
        running += funding
        if running > limit and funding > 0:
            result.problems.append(_line_problem(line, rule, describe(running, limit)))


def _check_caps(draft: Draft, lines: list[tuple[Line, Category]], result: Result) -> None:
    by_category: dict[str, list[tuple[Line, Category]]] = defaultdict(list)
    by_school: dict[tuple[str, int], list[tuple[Line, Category]]] = defaultdict(list)
    for line, category in lines:
        by_category[category.code].append((line, category))
        if line.school is not None:
            by_school[(category.code, line.school)].append((line, category))

    for group in by_category.values():
        category = group[0][1]
        if category.cap_absolute is not None:
            _flag_running(
                group,
                result,
                category.cap_absolute,
                RULE_CAP_ABSOLUTE,
                lambda total, limit, category=category: (
                    _(
                        "%(category)s comes to %(total)s, over the cap of %(limit)s per application (rule: cap per application)."
                    )
                    % {"category": category.name, "total": euros(total), "limit": euros(limit)}
                ),
            )
        if category.cap_share_of_application is not None:
            limit = result.total_funding * category.cap_share_of_application / HUNDRED
            _flag_running(
                group,
                result,
                limit,
                RULE_CAP_SHARE_OF_APPLICATION,
                lambda total, limit, category=category: (
                    _(
                        "%(category)s comes to %(total)s, over %(share)s of the application's funding (%(limit)s) "
                        "(rule: share of the application)."
                    )
                    % {
                        "category": category.name,
                        "total": euros(total),
                        "share": percent(category.cap_share_of_application),
                        "limit": euros(limit),
                    }
                ),
            )
        if category.cap_share_of_entitlement is not None and draft.entitlement is not None:
            limit = draft.entitlement * category.cap_share_of_entitlement / HUNDRED
            _flag_running(
                group,
                result,
                limit,
                RULE_CAP_SHARE_OF_ENTITLEMENT,
                lambda total, limit, category=category: (
                    _(
                        "%(category)s comes to %(total)s, over %(share)s of the entitlement (%(limit)s) "
                        "(rule: share of the entitlement)."
                    )
                    % {
                        "category": category.name,
                        "total": euros(total),
                        "share": percent(category.cap_share_of_entitlement),
                        "limit": euros(limit),
                    }
                ),
            )

    for (_code, school_id), group in by_school.items():
        category = group[0][1]
        school = draft.schools[school_id]
        if category.cap_per_school is not None:
            _flag_running(
                group,
                result,
                category.cap_per_school,
                RULE_CAP_PER_SCHOOL,
                lambda total, limit, category=category, school=school: (
                    _(
                        "%(category)s for %(school)s comes to %(total)s, over the cap of %(limit)s per school "
                        "(rule: cap per school)."
                    )
                    % {"category": category.name, "school": school.name, "total": euros(total), "limit": euros(limit)}
                ),
            )
        if category.cap_per_pupil is not None:
            _flag_running(
                group,
                result,
                category.cap_per_pupil * school.pupils,
                RULE_CAP_PER_PUPIL,
                lambda total, limit, category=category, school=school: (
                    _(
                        "%(category)s for %(school)s comes to %(total)s, over %(rate)s per pupil for %(pupils)s pupils "
                        "(%(limit)s) (rule: cap per pupil)."
                    )
                    % {
                        "category": category.name,
                        "school": school.name,
                        "total": euros(total),
                        "rate": euros(category.cap_per_pupil),
                        "pupils": school.pupils,
                        "limit": euros(limit),
                    }
                ),
            )


def _check_entitlement(draft: Draft, lines: list[tuple[Line, Category]], result: Result) -> None:
    if draft.entitlement is None:
        result.problems.append(
            Problem(
                rule=RULE_ENTITLEMENT,
                message=_("No entitlement has been published for this operator (rule: entitlement)."),
            )
        )
        return
    _flag_running(
        lines,
        result,
        draft.entitlement,
        RULE_ENTITLEMENT,
        lambda total, limit: (
            _(
                "the operator's applications in this call come to %(total)s, over its entitlement of %(limit)s "
                "(%(elsewhere)s in other applications) (rule: entitlement)."
            )
            % {"total": euros(total), "limit": euros(limit), "elsewhere": euros(draft.applied_elsewhere)}
        ),
        start=draft.applied_elsewhere,
    )


def _check_documents(terms: Terms, draft: Draft, today: datetime.date, result: Result) -> None:
    uploads: dict[tuple[str, int | None], list[Upload]] = defaultdict(list)
    for upload in draft.uploads:
        uploads[(upload.requirement, upload.school)].append(upload)
    for requirement in terms.requirements:
        if requirement.scope == "school":
            wanted: list[tuple[int | None, str]] = [
                (school_id, school.name)
                for school_id, school in sorted(draft.schools.items(), key=lambda item: item[1].name)
            ]
        else:
            wanted = [(None, "")]
        for school_id, school_name in wanted:
            found = uploads.get((requirement.code, school_id), [])
            subject = {"document": requirement.name, "school": school_name}
            if not found:
                message = (
                    _("%(document)s for %(school)s is missing (rule: documents present).")
                    if school_id is not None
                    else _("%(document)s is missing (rule: documents present).")
                )
                result.problems.append(
                    Problem(rule=RULE_DOCUMENT_MISSING, message=message % subject, field=requirement.code)
                )
                continue
            ends = [valid_until(upload, requirement) for upload in found]
            if any(end is None or end >= today for end in ends):
                continue
            subject["until"] = formats.date_format(max(end for end in ends if end is not None), "DATE_FORMAT")
            message = (
                _("%(document)s for %(school)s was valid until %(until)s (rule: documents valid).")
                if school_id is not None
                else _("%(document)s was valid until %(until)s (rule: documents valid).")
            )
            result.problems.append(
                Problem(rule=RULE_DOCUMENT_EXPIRED, message=message % subject, field=requirement.code)
            )
