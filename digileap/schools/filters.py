"""Filters for the school registry, shared by the list page, its exports and the API.

Every choice list is restricted to what the requesting user may see, so that a filter never
names an authority or operator outside the user's scope.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import IscedLevel, School


def _authorities(request):
    if request is None:
        return selectors.authorities_for(None)
    return selectors.authorities_for(request.user)


def _operators(request):
    if request is None:
        return selectors.operators_for(None)
    return selectors.operators_for(request.user).only("id", "name", "authority_id")


class SchoolFilter(django_filters.FilterSet):
    """Search and filters over schools. All but ``operator_name`` use columns of the school row (no join)."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Name, official number or city"),
    )
    number = django_filters.CharFilter(field_name="number", lookup_expr="exact", label=_("Official number"))
    authority = django_filters.ModelChoiceFilter(
        queryset=_authorities, label=_("Authority"), empty_label=_("All authorities")
    )
    operator = django_filters.ModelChoiceFilter(
        queryset=_operators, label=_("School operator"), empty_label=_("All operators")
    )
    operator_name = django_filters.CharFilter(
        field_name="operator__name",
        lookup_expr="icontains",
        label=_("School operator"),
        help_text=_("Part of the name"),
    )
    level = django_filters.ChoiceFilter(
        choices=IscedLevel.choices, method="filter_level", label=_("Level"), empty_label=_("All levels")
    )
    type_code = django_filters.CharFilter(field_name="type_code", lookup_expr="iexact", label=_("School type code"))
    sector = django_filters.ChoiceFilter(choices=School.Sector.choices, label=_("Sector"), empty_label=_("All sectors"))
    status = django_filters.ChoiceFilter(
        choices=School.Status.choices, label=_("Status"), empty_label=_("All statuses")
    )
    ses_min = django_filters.NumberFilter(field_name="ses_value", lookup_expr="gte", label=_("Index from"))
    ses_max = django_filters.NumberFilter(field_name="ses_value", lookup_expr="lte", label=_("Index to"))
    pupils_min = django_filters.NumberFilter(
        field_name="pupils_total",
        lookup_expr="gte",
        label=_("Pupils from"),
        widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
    )
    pupils_max = django_filters.NumberFilter(
        field_name="pupils_total",
        lookup_expr="lte",
        label=_("Pupils to"),
        widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
    )

    class Meta:
        model = School
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(number__iexact=value) | Q(city__icontains=value))

    def filter_level(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        return queryset.filter(**{f"isced_{int(value)}": True})
