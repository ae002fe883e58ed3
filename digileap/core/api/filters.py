import django_filters
import django_filters.rest_framework
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from digileap.core.filters import guard_form
from digileap.core.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        field_name="object_type", lookup_expr="exact", label=_("Object type, e.g. schools.school")
    )
    object_id = django_filters.CharFilter(field_name="object_id", lookup_expr="exact", label=_("Object id"))
    action = django_filters.CharFilter(field_name="action", lookup_expr="exact", label=_("Action"))
    actor_id = django_filters.NumberFilter(field_name="actor_id", label=_("Actor id"))
    request_id = django_filters.CharFilter(field_name="request_id", lookup_expr="exact", label=_("Request id"))

    class Meta:
        model = AuditEvent
        fields: list[str] = []


_ID_FILTER = {"filter_class": django_filters.NumberFilter}


class IdFilterSet(django_filters.rest_framework.FilterSet):
    """Filters built from ``filterset_fields`` take related objects as plain ids.

    django-filter's default for a foreign key is a choice of *every* row of the related table, which
    the browsable API renders as a drop-down: that would show objects outside the user's scope. A
    number filter shows nothing, and an id outside the scope simply finds no rows.
    """

    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: _ID_FILTER,
        models.OneToOneField: _ID_FILTER,
        models.ManyToManyField: _ID_FILTER,
    }


class ScopedFilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    """The default filter backend: ``DjangoFilterBackend`` with id filters for relations.

    Every FilterSet it builds, from ``filterset_fields`` or a view's own ``filterset_class``, has its
    numeric and id filters guarded (``digileap.core.filters``): an integer beyond 64 bits is a 400
    naming the parameter, never a database error."""

    filterset_base = IdFilterSet

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            guard_form(filterset.form)
            _refuse_non_booleans(filterset, request)
        return filterset


def _refuse_non_booleans(filterset: django_filters.FilterSet, request) -> None:
    """A yes/no filter takes ``true`` or ``false``, a number or id filter a value: anything else
    (an empty value included) is a 400, as the schema says (django-filter would ignore it and
    answer every row)."""
    errors = {}
    for name, filter_ in filterset.filters.items():
        if name not in request.query_params:
            continue
        value = request.query_params[name]
        if isinstance(filter_, django_filters.BooleanFilter) and value.lower() not in {"true", "false"}:
            errors[name] = [_("Either true or false.")]
        elif isinstance(filter_, django_filters.NumberFilter | django_filters.ModelChoiceFilter) and not value.strip():
            errors[name] = [_("A value is required.")]
    if errors:
        raise ValidationError(errors)


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` with the primary key as the last tie-breaker, so pages never shift or repeat
    rows among equal values (two schools of the same name)."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        if any(term.lstrip("-") in ("pk", "id") for term in ordering):
            return ordering
        return [*ordering, "pk"]
