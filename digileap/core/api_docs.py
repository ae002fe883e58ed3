"""The OpenAPI schema (/api/schema/) and its documentation page (/api/docs/) need a sign-in (session
or token) unless DIGILEAP_API_DOCS_PUBLIC is on. See docs/security.md."""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission


class ApiDocsPermission(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(settings.DIGILEAP_API_DOCS_PUBLIC or request.user.is_authenticated)


schema_view = SpectacularAPIView.as_view(permission_classes=[ApiDocsPermission])

# Swagger UI sets inline styles; its scripts stay external (script-src 'self').
_swagger_view = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[ApiDocsPermission])
)


def docs_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    """The documentation page; a visitor who is not signed in is sent to the sign-in page."""
    if not (settings.DIGILEAP_API_DOCS_PUBLIC or request.user.is_authenticated):
        return redirect_to_login(request.get_full_path())
    return _swagger_view(request, *args, **kwargs)
