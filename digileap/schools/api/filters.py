"""Filters of the registry API besides ``SchoolFilter`` (shared with the list page)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from digileap.schools.models import EligibleCount, Enrolment, IscedLevel, Site, SocioEconomicIndex, StaffCount


class SchoolOperatorFilter(django_filters.FilterSet):
    authority = django_filters.NumberFilter(field_name="authority_id", label=_("Authority id"))
    code = django_filters.CharFilter(field_name="code", lookup_expr="exact", label=_("Code"))


class _PerSchoolFilter(django_filters.FilterSet):
    # A plain number, not a choice of schools: an id outside the scope then simply finds nothing.
    school = django_filters.NumberFilter(field_name="school_id", label=_("School id"))


class SiteFilter(_PerSchoolFilter):
    class Meta:
        model = Site
        fields: list[str] = []


class _PerSchoolYearFilter(_PerSchoolFilter):
    school_year = django_filters.CharFilter(field_name="school_year", lookup_expr="exact", label=_("School year"))


class EnrolmentFilter(_PerSchoolYearFilter):
    level = django_filters.ChoiceFilter(field_name="level", choices=IscedLevel.choices, label=_("Level"))

    class Meta:
        model = Enrolment
        fields: list[str] = []


class StaffCountFilter(_PerSchoolYearFilter):
    class Meta:
        model = StaffCount
        fields: list[str] = []


class EligibleCountFilter(_PerSchoolYearFilter):
    group = django_filters.CharFilter(field_name="group__code", lookup_expr="exact", label=_("Eligibility group code"))

    class Meta:
        model = EligibleCount
        fields: list[str] = []


class SocioEconomicIndexFilter(_PerSchoolYearFilter):
    scale = django_filters.CharFilter(field_name="scale__code", lookup_expr="exact", label=_("Scale code"))

    class Meta:
        model = SocioEconomicIndex
        fields: list[str] = []
