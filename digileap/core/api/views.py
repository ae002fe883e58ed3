from rest_framework import viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import ScopedRateThrottle

from digileap.accounts.models import Role
from digileap.core import selectors
from digileap.core.models import AuditEvent
from digileap.core.permissions import has_role

from .filters import AuditEventFilter
from .serializers import AuditEventSerializer


class AuditReaderPermission(BasePermission):
    """The audit trail is read by administrators and auditors, and written by services only."""

    def has_permission(self, request, view) -> bool:
        return (
            request.method in SAFE_METHODS
            and request.user.is_authenticated
            and has_role(request.user, Role.ADMINISTRATOR, Role.AUDITOR)
        )


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The append-only audit trail, newest first. Filter one object's history with
    ``?object_type=schools.school&object_id=42``."""

    queryset = AuditEvent.objects.none()
    serializer_class = AuditEventSerializer
    permission_classes = [AuditReaderPermission]
    filterset_class = AuditEventFilter
    ordering_fields = ["id", "occurred_at"]
    ordering = ["-id"]
    search_fields = ["object_repr", "actor_label"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        return selectors.audit_events_for(self.request.user).order_by("-id")


class ThrottledObtainAuthToken(ObtainAuthToken):
    """Exchange a username and password for an API token. Rate-limited against password guessing."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
