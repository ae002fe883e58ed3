import django_filters
from django.utils.translation import gettext_lazy as _

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
