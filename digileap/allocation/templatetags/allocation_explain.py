"""Allocation rounds in words: a round's definition ("EUR 290 per pupil in grades 5–6 of primary")
and a line's explanation (the inputs, each step of the formula with its figures, the limits and
which one bound the amount, the share of the total).

The functions are plain Python (the pages, the API and the exports use them); the tags hand them
to templates: ``{% round_definition round as definition %}``, ``{% line_explanation line as explained %}``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from digileap.core.types import Text
from digileap.devices.models import DeviceType
from digileap.schools.models import IscedLevel

register = template.Library()


def level_name(level: int) -> str:
    names: dict[int, Text] = {
        IscedLevel.PRE_PRIMARY: _("pre-primary"),
        IscedLevel.PRIMARY: _("primary"),
        IscedLevel.LOWER_SECONDARY: _("lower secondary"),
        IscedLevel.UPPER_SECONDARY: _("upper secondary"),
        IscedLevel.POST_SECONDARY: _("post-secondary"),
    }
    return str(names.get(level, level))


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def plain_number(value: Any, places: int | None = None) -> str:
    """A number as people read it: grouped thousands, no trailing zeros unless ``places`` is given."""
    number = _decimal(value)
    if number is None:
        return "–"
    if places is None:
        number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
        return number_format(number, force_grouping=True)
    return number_format(number, decimal_pos=places, force_grouping=True)


def amount_text(value: Any, is_money: bool, *, places: int | None = None) -> str:
    """``EUR 14,210.00`` for money (2 places unless told), ``1,200 units`` for devices."""
    if is_money:
        return _("EUR %(amount)s") % {"amount": plain_number(value, 2 if places is None else places)}
    number = _decimal(value) or Decimal(0)
    count = int(number) if number == number.to_integral_value() else 2
    return ngettext("%(amount)s unit", "%(amount)s units", count) % {"amount": plain_number(value, places)}


def rate_text(value: Any, is_money: bool) -> str:
    """A rate without forced decimals: ``EUR 290``, ``0.25 units``."""
    if is_money:
        return _("EUR %(amount)s") % {"amount": plain_number(value)}
    return amount_text(value, False)


def number_ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 4, 6]`` as ``1–4, 6``."""
    numbers = sorted(set(numbers))
    parts: list[str] = []
    start = previous = None
    for number in [*numbers, None]:
        if number is not None and previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}–{previous}")
        start = previous = number
    return ", ".join(parts)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def where_text(levels: list[int], grades: list[int], pupils: str = "enrolment") -> str:
    """Which pupils a per-pupil rule counts, in words (empty: every eligible pupil)."""
    if pupils == "eligible_groups":
        return _("of the eligible groups")
    level_text = _join([level_name(level) for level in levels])
    if grades:
        grade_text = ngettext("in grade %(grades)s", "in grades %(grades)s", len(grades)) % {
            "grades": number_ranges(grades)
        }
        return _("%(grades)s of %(levels)s") % {"grades": grade_text, "levels": level_text} if levels else grade_text
    if levels:
        return _("in %(levels)s") % {"levels": level_text}
    return ""


def _per_pupil_text(rule: dict, is_money: bool, pupils: str) -> str:
    where = where_text(rule.get("levels") or [], rule.get("grades") or [], pupils)
    rate = rate_text(rule.get("amount"), is_money)
    if where:
        return _("%(rate)s per pupil %(where)s") % {"rate": rate, "where": where}
    return _("%(rate)s per eligible pupil") % {"rate": rate}


# --- the definition of a round ------------------------------------------------------------------


def round_parameters(allocation_round) -> dict:
    """A round's definition in the shape a version keeps it (``AllocationVersion.parameters``)."""
    return {
        "total": None if allocation_round.total is None else str(allocation_round.total),
        "resource": allocation_round.resource,
        "device_type": allocation_round.device_type,
        "school_year": allocation_round.school_year,
        "method": allocation_round.method,
        "distribution": allocation_round.distribution,
        "eligibility": allocation_round.eligibility or {},
        "formula": allocation_round.formula or {},
    }


def _index_weights_text(weights: dict) -> str:
    missing = plain_number(weights.get("missing", 1))
    if weights.get("kind") == "table":
        bands = []
        for band in weights.get("bands") or []:
            low, high, weight = band.get("from"), band.get("to"), plain_number(band.get("weight"))
            if low in (None, "") and high in (None, ""):
                bands.append(_("any index: %(weight)s") % {"weight": weight})
            elif low in (None, ""):
                bands.append(_("below %(to)s: %(weight)s") % {"to": plain_number(high), "weight": weight})
            elif high in (None, ""):
                bands.append(_("from %(from)s: %(weight)s") % {"from": plain_number(low), "weight": weight})
            else:
                bands.append(
                    _("from %(from)s to below %(to)s: %(weight)s")
                    % {"from": plain_number(low), "to": plain_number(high), "weight": weight}
                )
        text = _("Multiplied by a weight by socio-economic index: %(bands)s") % {"bands": "; ".join(bands)}
    else:
        points = ", ".join(f"({plain_number(x)}, {plain_number(w)})" for x, w in weights.get("points") or [])
        text = _(
            "Multiplied by a weight by socio-economic index on a curve through the points (index, weight) "
            "%(points)s, straight between them and flat beyond the ends"
        ) % {"points": points}
    return _("%(text)s; without an index: %(missing)s.") % {"text": text, "missing": missing}


def definition(parameters: dict, operator_names: dict[int, str] | None = None, authority: str = "") -> dict:
    """The definition of a round (or of the round as a version computed it) in sentences:
    ``{"split": str, "formula": [str], "limits": [str], "eligibility": [str]}``."""
    formula = parameters.get("formula") or {}
    eligibility = parameters.get("eligibility") or {}
    is_money = parameters.get("resource", "money") == "money"
    device_type = parameters.get("device_type") or ""
    device_label = str(DeviceType(device_type).label) if device_type in DeviceType.values else device_type
    pupils = formula.get("pupils", "enrolment")
    total = parameters.get("total")
    method = (
        _("Sainte-Laguë (Webster)")
        if parameters.get("method") == "sainte_lague"
        else _("the largest remainder (Hamilton)")
    )

    if total in (None, ""):
        split = _(
            "No total: every eligible school gets what the formula gives, within its limits, rounded to %(unit)s."
        ) % {"unit": _("the cent") if is_money else _("whole units")}
    else:
        what = amount_text(total, is_money)
        if device_label and not is_money:
            what = _("%(amount)s (%(device)s)") % {"amount": what, "device": device_label}
        if parameters.get("distribution") == "priority":
            split = _(
                "%(total)s go to the most disadvantaged schools first, each up to its limit, until the total runs out."
            ) % {"total": what}
        else:
            split = _(
                "%(total)s are split over the eligible schools in proportion to the formula, rounded by %(method)s "
                "so that the amounts add up exactly; what a limit frees goes to the others."
            ) % {"total": what, "method": method}

    parts: list[str] = []
    need = formula.get("need", "none")
    price = formula.get("need_unit_price")
    if need == "weight":
        if is_money and price not in (None, ""):
            parts.append(_("The declared need: %(price)s per needed device.") % {"price": rate_text(price, True)})
        else:
            parts.append(_("The declared need, in devices."))
    else:
        if _decimal(formula.get("base_per_school")):
            parts.append(_("%(amount)s per school.") % {"amount": rate_text(formula["base_per_school"], is_money)})
        for rule in formula.get("per_pupil") or []:
            parts.append(_per_pupil_text(rule, is_money, pupils) + ".")
        if len(formula.get("per_pupil") or []) > 1:
            parts.append(_("The amounts per pupil add up."))
    if formula.get("index_weights"):
        parts.append(_index_weights_text(formula["index_weights"]))

    limits: list[str] = []
    if formula.get("cap_per_school") not in (None, ""):
        limits.append(_("At most %(amount)s per school.") % {"amount": rate_text(formula["cap_per_school"], is_money)})
    if formula.get("cap_per_pupil") not in (None, ""):
        limits.append(
            _("At most %(amount)s per eligible pupil.") % {"amount": rate_text(formula["cap_per_pupil"], is_money)}
        )
    if formula.get("floor_per_school") not in (None, ""):
        limits.append(
            _("At least %(amount)s per school (never above its cap).")
            % {"amount": rate_text(formula["floor_per_school"], is_money)}
        )
    if need == "cap":
        if is_money and price not in (None, ""):
            limits.append(
                _("Never more than the declared need, at %(price)s per needed device.")
                % {"price": rate_text(price, True)}
            )
        else:
            limits.append(_("Never more than the declared need."))
    operator_cap = formula.get("operator_cap") or {}
    if operator_cap:
        percent = plain_number(operator_cap.get("percent"))
        if operator_cap.get("of_round"):
            limits.append(
                _(
                    "An operator's schools together get at most %(percent)s %% of the operator's total in round %(round)s."
                )
                % {"percent": percent, "round": operator_cap["of_round"]}
            )
        else:
            limits.append(
                _("An operator's schools together get at most %(percent)s %% of this round's total.")
                % {"percent": percent}
            )

    return {
        "split": split,
        "formula": parts,
        "limits": limits,
        "eligibility": eligibility_text(eligibility, parameters.get("school_year", ""), operator_names, authority),
    }


def eligibility_text(
    eligibility: dict, school_year: str, operator_names: dict[int, str] | None = None, authority: str = ""
) -> list[str]:
    from digileap.schools.models import School

    statuses = eligibility.get("statuses") or [School.Status.OPEN]
    status_labels = [str(School.Status(s).label).lower() for s in statuses if s in School.Status.values]
    sentences = [
        _("Schools of %(authority)s with status %(statuses)s, with their figures for %(year)s.")
        % {
            "authority": authority or _("the programme's authority"),
            "statuses": _join(status_labels),
            "year": school_year,
        }
    ]
    if eligibility.get("levels"):
        sentences.append(
            _("Pupils in %(levels)s count.") % {"levels": _join([level_name(v) for v in eligibility["levels"]])}
        )
    if eligibility.get("grades"):
        sentences.append(_("Only grades %(grades)s count.") % {"grades": number_ranges(eligibility["grades"])})
    if eligibility.get("school_types"):
        sentences.append(_("School types: %(types)s.") % {"types": ", ".join(eligibility["school_types"])})
    if eligibility.get("sectors"):
        labels = [str(School.Sector(s).label) for s in eligibility["sectors"] if s in School.Sector.values]
        sentences.append(_("Sectors: %(sectors)s.") % {"sectors": ", ".join(labels)})
    if eligibility.get("operators"):
        names = operator_names or {}
        listed = [names.get(pk) or _("operator %(id)s") % {"id": pk} for pk in eligibility["operators"]]
        sentences.append(_("Operators: %(operators)s.") % {"operators": ", ".join(listed)})
    low, high = eligibility.get("index_min"), eligibility.get("index_max")
    if low not in (None, "") and high not in (None, ""):
        sentences.append(
            _("Socio-economic index from %(low)s to %(high)s.") % {"low": plain_number(low), "high": plain_number(high)}
        )
    elif low not in (None, ""):
        sentences.append(_("Socio-economic index at least %(low)s.") % {"low": plain_number(low)})
    elif high not in (None, ""):
        sentences.append(_("Socio-economic index at most %(high)s.") % {"high": plain_number(high)})
    if eligibility.get("eligible_groups"):
        sentences.append(
            _("Pupils of the eligible groups %(groups)s count.") % {"groups": ", ".join(eligibility["eligible_groups"])}
        )
    min_pupils = eligibility.get("min_pupils", 1)
    if min_pupils != 1:
        sentences.append(
            ngettext("At least %(count)s eligible pupil.", "At least %(count)s eligible pupils.", min_pupils)
            % {"count": min_pupils}
        )
    return sentences


EXCLUDED_REASONS = {
    "no_index": lambda n: ngettext(
        "%(count)s school has no socio-economic index for the year.",
        "%(count)s schools have no socio-economic index for the year.",
        n,
    ),
    "index": lambda n: ngettext(
        "%(count)s school is outside the index range.", "%(count)s schools are outside the index range.", n
    ),
    "no_pupils": lambda n: ngettext(
        "%(count)s school has too few eligible pupils.", "%(count)s schools have too few eligible pupils.", n
    ),
    "no_need": lambda n: ngettext("%(count)s school declared no need.", "%(count)s schools declared no need.", n),
}


def excluded_text(excluded: dict) -> list[str]:
    """Why schools of the authority were left out of a version, one sentence per reason."""
    sentences = []
    for reason, count in sorted((excluded or {}).items()):
        template_for = EXCLUDED_REASONS.get(reason)
        if template_for is None:
            sentences.append(f"{reason}: {count}")
        else:
            sentences.append(template_for(count) % {"count": count})
    return sentences


def unallocated_amount(parameters: dict) -> Decimal:
    return _decimal((parameters or {}).get("unallocated")) or Decimal(0)


# --- the explanation of a line ------------------------------------------------------------------


BOUND_TEXT = {
    "": lambda: _("No limit bound it: the amount is the school's share by the formula."),
    "floor": lambda: _("The floor bound it: the formula gave less."),
    "cap_school": lambda: _("The cap per school bound it."),
    "cap_per_pupil": lambda: _("The cap per pupil bound it."),
    "cap_operator": lambda: _("The operator's cap bound it: the operator's schools together reached it."),
    "need": lambda: _("The declared need bound it."),
    "budget": lambda: _("The total ran out at this school's turn."),
}


def _pupils_label(key: str) -> str:
    level, _slash, grade = key.partition("/")
    if level == "None":
        return _("All levels (no breakdown given)")
    try:
        level_number, grade_number = int(level), int(grade or 0)
    except ValueError:
        return key
    if grade_number:
        return _("%(level)s, grade %(grade)s") % {"level": level_name(level_number).capitalize(), "grade": grade_number}
    return _("%(level)s, all grades") % {"level": level_name(level_number).capitalize()}


def explanation(explained: dict, is_money: bool) -> dict:
    """A line's ``explanation`` in words: ``{"inputs": [(label, value)], "steps": [str], "claim": str,
    "limits": [str], "bound": str, "share": [str], "amount": str}``."""
    inputs_data = explained.get("inputs") or {}
    inputs: list[tuple[str, str]] = []
    for key, count in (inputs_data.get("pupils") or {}).items():
        inputs.append((_pupils_label(key), plain_number(count)))
    if "eligible_pupils" in inputs_data:
        inputs.append((_("Eligible pupils"), plain_number(inputs_data["eligible_pupils"])))
    index = inputs_data.get("index")
    inputs.append((_("Socio-economic index"), plain_number(index) if index is not None else _("not recorded")))
    if inputs_data.get("need_units") is not None:
        need_units = inputs_data["need_units"]
        inputs.append(
            (
                _("Declared need"),
                ngettext("%(count)s device", "%(count)s devices", need_units) % {"count": plain_number(need_units)},
            )
        )

    steps: list[str] = []
    running = Decimal(0)
    for step in explained.get("steps") or []:
        kind = step.get("step")
        value = _decimal(step.get("value")) or Decimal(0)
        if kind == "base":
            steps.append(_("Base per school: %(amount)s.") % {"amount": amount_text(value, is_money)})
            running += value
        elif kind == "per_pupil":
            where = where_text(step.get("levels") or [], step.get("grades") or [])
            pupils_text = ngettext("%(count)s pupil", "%(count)s pupils", step.get("pupils", 0)) % {
                "count": plain_number(step.get("pupils", 0))
            }
            if where:
                pupils_text = f"{pupils_text} {where}"
            sentence = _("%(rate)s × %(pupils)s = %(amount)s.") % {
                "rate": rate_text(step.get("rate"), is_money),
                "pupils": pupils_text,
                "amount": amount_text(value, is_money),
            }
            if step.get("grades_unknown"):
                sentence += " " + _(
                    "Some pupils are recorded only as a total for their level, without grades: this rule could not count them."
                )
            steps.append(sentence)
            running += value
        elif kind == "need":
            units = step.get("units", 0)
            devices = ngettext("%(count)s device", "%(count)s devices", units) % {"count": plain_number(units)}
            steps.append(
                _("Declared need: %(devices)s, worth %(amount)s.")
                % {"devices": devices, "amount": amount_text(value, is_money)}
            )
            running += value
        elif kind == "index_weight":
            index_text = (
                _("Socio-economic index %(index)s") % {"index": plain_number(step["index"])}
                if step.get("index") is not None
                else _("No socio-economic index recorded")
            )
            steps.append(
                _("%(index)s gives the weight %(weight)s: %(before)s × %(weight)s = %(amount)s.")
                % {
                    "index": index_text,
                    "weight": plain_number(step.get("weight")),
                    "before": amount_text(running, is_money),
                    "amount": amount_text(value, is_money, places=4 if is_money else None),
                }
            )
            running = value

    limits_data = explained.get("limits") or {}
    limits: list[str] = []
    if "cap_per_school" in limits_data:
        limits.append(
            _("Cap per school: %(amount)s.") % {"amount": amount_text(limits_data["cap_per_school"], is_money)}
        )
    if "cap_per_pupil" in limits_data:
        limits.append(
            _("Cap per pupil: %(rate)s × %(pupils)s eligible pupils = %(amount)s.")
            % {
                "rate": rate_text(limits_data["cap_per_pupil"], is_money),
                "pupils": plain_number(inputs_data.get("eligible_pupils", 0)),
                "amount": amount_text(limits_data.get("cap_for_pupils"), is_money),
            }
        )
    if "need" in limits_data:
        need_units = limits_data.get("need_units", 0)
        limits.append(
            _("Declared need: %(devices)s, worth %(amount)s.")
            % {
                "devices": ngettext("%(count)s device", "%(count)s devices", need_units)
                % {"count": plain_number(need_units)},
                "amount": amount_text(limits_data["need"], is_money),
            }
        )
    if "floor" in limits_data:
        sentence = _("Floor: %(amount)s.") % {"amount": amount_text(limits_data["floor"], is_money)}
        if limits_data.get("floor_lowered_to_cap"):
            sentence += " " + _("It is above the cap, so the cap is the floor.")
        limits.append(sentence)

    share_data = explained.get("share") or {}
    share: list[str] = []
    distribution = share_data.get("distribution")
    unit = _("cent") if is_money else _("unit")
    if distribution == "direct":
        share.append(
            _("No total is split: the school gets its formula value within its limits, rounded to the %(unit)s.")
            % {"unit": unit}
        )
    elif distribution == "priority":
        share.append(
            _(
                "Schools were served most disadvantaged first; this school came number %(rank)s and asked for %(wanted)s."
            )
            % {"rank": share_data.get("rank"), "wanted": amount_text(share_data.get("wanted"), is_money)}
        )
    elif distribution == "proportional" and share_data.get("all_limits_reached"):
        share.append(_("The schools' limits could not take the whole total: every school got its limit."))
    elif distribution == "proportional" and "total" in share_data:
        share.append(
            _("%(total)s were split in proportion to the formula values (together %(sum)s).")
            % {
                "total": amount_text(share_data["total"], is_money),
                "sum": amount_text(share_data.get("weight_sum"), is_money, places=4 if is_money else None),
            }
        )
    if "operator_cap" in share_data:
        share.append(
            _("The operator's schools together were held at its cap of %(cap)s, shared among them in proportion.")
            % {"cap": amount_text(_from_smallest(share_data["operator_cap"], is_money), is_money)}
        )
    if "quota" in share_data:
        quota = _from_smallest(share_data["quota"], is_money)
        share.append(_("This school's exact share: %(quota)s.") % {"quota": amount_text(quota, is_money, places=4)})
        rank = share_data.get("remainder_rank")
        if share_data.get("rounded_up"):
            share.append(
                _("Rounding gave it one %(unit)s more (its remainder ranked %(rank)s).") % {"unit": unit, "rank": rank}
                if rank
                else _("Rounding gave it one %(unit)s more.") % {"unit": unit}
            )
        elif rank:
            share.append(
                _("Its remainder ranked %(rank)s: too low for one %(unit)s more.") % {"unit": unit, "rank": rank}
            )

    bound = explained.get("bound", "")
    bound_text = BOUND_TEXT.get(bound, lambda: bound)()
    return {
        "inputs": inputs,
        "steps": steps,
        "claim": amount_text(explained.get("claim"), is_money, places=4 if is_money else None),
        "limits": limits,
        "bound": bound_text,
        "share": share,
        "amount": amount_text(explained.get("amount"), is_money),
    }


def _from_smallest(value: Any, is_money: bool) -> Decimal:
    """Apportionment figures are in the smallest unit (cents for money)."""
    number = _decimal(value) or Decimal(0)
    return number / 100 if is_money else number


def explanation_lines(explained: dict, is_money: bool) -> list[str]:
    """The explanation as a flat list of sentences (API, exports)."""
    words = explanation(explained, is_money)
    lines = [f"{label}: {value}" for label, value in words["inputs"]]
    lines += words["steps"]
    lines.append(_("Formula value: %(amount)s.") % {"amount": words["claim"]})
    lines += words["limits"]
    lines += words["share"]
    lines.append(words["bound"])
    lines.append(_("Amount: %(amount)s.") % {"amount": words["amount"]})
    return lines


# --- template tags ------------------------------------------------------------------------------


@register.simple_tag
def round_definition(allocation_round, operator_names=None):
    return definition(
        round_parameters(allocation_round), operator_names, authority=allocation_round.programme.authority.name
    )


@register.simple_tag
def version_definition(version, operator_names=None):
    return definition(version.parameters or {}, operator_names, authority=version.round.programme.authority.name)


@register.simple_tag
def line_explanation(line):
    return explanation(line.explanation or {}, not line.version.round.is_units)


@register.filter
def allocation_amount(value, allocation_round):
    """``{{ line.amount|allocation_amount:round }}``: EUR with cents, or units."""
    return amount_text(value, not allocation_round.is_units)


@register.filter
def signed_amount(value, allocation_round):
    """A difference with its sign: ``+EUR 10.00``, ``−3 units``, ``0``."""
    number = _decimal(value) or Decimal(0)
    text = amount_text(abs(number), not allocation_round.is_units)
    if number > 0:
        return f"+{text}"
    if number < 0:
        return f"−{text}"
    return text
