"""Filters never pass a number the database cannot hold.

A filter value such as ``?school=18446744073709551616`` used to reach SQLite, which raises
``OverflowError`` ("Python int too large to convert to SQLite INTEGER"): a 500. Here numbers in
numeric and id filters are checked against the signed 64-bit range first, and refused with a
message that names the parameter:

- :func:`guard_form` wraps the numeric and model-choice fields of a form (a FilterSet's form or a
  page's filter form) so that an integer beyond the range is a validation error of that field;
- :class:`FilterSet` is the django-filter base that does so for its form; the API's filter backend
  (``digileap.core.api.filters.ScopedFilterBackend``) guards every FilterSet it builds, whatever its base;
- :func:`out_of_range_parameters` names the query parameters holding such a number, for the net under
  every page (``digileap.core.limits.IntegerOverflowMiddleware``).

Text filters are left alone: a search for a 20-digit ICCID is text, not a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

INTEGER_MIN = -(2**63)
INTEGER_MAX = 2**63 - 1
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
GUARDED_FIELDS = (
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
    forms.ModelChoiceField,
    forms.ModelMultipleChoiceField,
)


def out_of_range_message() -> str:
    return _("Enter a whole number between %(min)s and %(max)s.") % {"min": INTEGER_MIN, "max": INTEGER_MAX}


def _parts(value: Any) -> Iterable[str]:
    if value is None:
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _parts(item)
        return
    if isinstance(value, str):
        # Comma-separated lists ("1,2,3") of the "in" filters.
        yield from value.split(",")


def is_out_of_range(value: Any) -> bool:
    """Whether ``value`` (a raw string, a list of them, or "1,2,3") holds an integer beyond 64 bits."""
    for part in _parts(value):
        if len(part) > 18 and _INTEGER.match(part) and not INTEGER_MIN <= int(part) <= INTEGER_MAX:
            return True
    return False


def out_of_range_parameters(query: Mapping[str, Any]) -> list[str]:
    """The names of the parameters of ``query`` (a QueryDict or a dict) that hold an integer beyond 64 bits."""
    getlist = getattr(query, "getlist", None)
    names = []
    for name in query:
        values = getlist(name) if getlist else query[name]
        if is_out_of_range(values):
            names.append(name)
    return sorted(names)


def guard_field(field: forms.Field) -> None:
    """Make ``field`` refuse an integer beyond 64 bits before it converts or looks anything up."""
    if getattr(field, "_digileap_guarded", False) or not isinstance(field, GUARDED_FIELDS):
        return
    clean = field.clean

    def guarded_clean(value: Any) -> Any:
        if is_out_of_range(value):
            raise ValidationError(out_of_range_message(), code="out_of_range")
        return clean(value)

    field.clean = guarded_clean  # type: ignore[method-assign]
    setattr(field, "_digileap_guarded", True)  # noqa: B010 (an attribute forms.Field does not declare)


def guard_form(form: forms.BaseForm) -> forms.BaseForm:
    """Guard every numeric and model-choice field of ``form`` (an instance); returns the form."""
    for field in form.fields.values():
        guard_field(field)
    return form


class FilterSet(django_filters.FilterSet):
    """A django-filter FilterSet whose numeric and id filters refuse integers beyond 64 bits."""

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            guard_form(super().form)
        return self._form
