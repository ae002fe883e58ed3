"""The base of every API viewset: querysets come from a selector, writes from services."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets

from digileap.core.permissions import Action


class ScopedViewSetMixin:
    """Reads go through ``selector(user, action)``, so an object outside the scope is a 404.

    ``queryset`` names the model (for the permission class and the schema); it is never queried.
    """

    selector: Callable[..., QuerySet[Any]] | None = None
    request: Any

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return getattr(self, "queryset").none()  # noqa: B009  (typed on the viewset, not the mixin)
        selector = type(self).selector
        assert selector is not None, f"{type(self).__name__} names no selector"
        return selector(self.request.user, Action.VIEW)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
