"""Figures as the reader's language writes them: one place for every amount and count on a page.

``money(12000000)`` is ``12,000,000.00`` in English, ``12.000.000,00`` in German and Dutch and
``12 000 000,00`` in French and Latvian (with the no-break space of Django's formats). Django's
``floatformat`` followed by ``intcomma`` must not be used: ``floatformat`` already writes the
language's decimal comma, and ``intcomma`` then groups that text with English commas
("12,000,000,00").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format

EMPTY = "–"


def as_decimal(value: Any) -> Decimal | None:
    """``value`` as a Decimal, or None for nothing and for text that is not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value: Any, places: int | None = None) -> str:
    """``value`` grouped in thousands in the active language.

    With ``places``, exactly that many decimals (rounded half up); with a negative ``places``, as
    ``floatformat`` does, that many only when the value is not whole (``-2``: ``1,200`` but
    ``12.50``); without, as many as the value has (``14.10`` becomes ``14.1``). Nothing gives ``–``.
    """
    number = as_decimal(value)
    if number is None:
        return EMPTY
    if places is None:
        number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
        return number_format(number, use_l10n=True, force_grouping=True)
    if places < 0:
        places = 0 if number == number.to_integral_value() else -places
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_money(value: Any) -> str:
    """An amount in EUR: grouped, always two decimals."""
    return format_number(value, 2)
