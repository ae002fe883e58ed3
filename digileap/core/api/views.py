from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
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


class TokenRequestSerializer(AuthTokenSerializer):
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=16,
        help_text="The current six-digit code of the user's authenticator app, if they set up a second factor.",
    )


class ThrottledObtainAuthToken(ObtainAuthToken):
    """Exchange a username and password for an API token. Rate-limited against password guessing: failures
    count towards the same lock-out as the sign-in page (429 with Retry-After while locked). A user with a
    second factor also sends its current code. See docs/security.md."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        from digileap.accounts.lockout import lockout_message, retry_after
        from digileap.accounts.otp import verify_code_for_token

        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        # Axes marks the request it was given (this DRF request) when the address or account is locked.
        if getattr(request, "axes_locked_out", False):
            seconds = int(retry_after(request).total_seconds())
            return Response(
                {"detail": lockout_message(request), "retry_after": seconds},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(seconds)},
            )
        if not valid:
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        problem = verify_code_for_token(user, serializer.validated_data.get("code", ""))
        if problem:
            raise ValidationError({"code": [problem]})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for an address no route matches: JSON under /api/ (as the schema declares), the
    application's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
