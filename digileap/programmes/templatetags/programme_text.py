"""Programme data in the reader's language: ``{{ target.unit|unit_label }}``."""

from django import template

from digileap.programmes.translation import unit_label as _unit_label

register = template.Library()


@register.filter
def unit_label(unit) -> str:
    """A target's unit as the active language names it (``devices`` → ``Geräte``)."""
    return _unit_label(unit)
