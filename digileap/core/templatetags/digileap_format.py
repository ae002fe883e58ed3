"""Figures in templates, in the active language: ``{{ amount|money }}``, ``{{ count|number }}``,
``{{ value|number:1 }}``. See ``digileap.core.formatting``; never chain ``floatformat|intcomma``.
"""

from django import template

from digileap.core.formatting import format_money, format_number

register = template.Library()


@register.filter(is_safe=True)
def money(value) -> str:
    """An amount with two decimals, grouped: ``12.000.000,00`` in German."""
    return format_money(value)


@register.filter(is_safe=True)
def number(value, places=None) -> str:
    """A figure, grouped, with its own decimals (or exactly ``places``): ``1 234,5`` in French."""
    if places in (None, ""):
        return format_number(value)
    try:
        return format_number(value, int(places))
    except (TypeError, ValueError):
        return format_number(value)
