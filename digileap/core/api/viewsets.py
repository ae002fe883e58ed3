"""The base of every API viewset: querysets come from a selector, writes from services."""

from rest_framework import viewsets

from digileap.core.permissions import Action


class ScopedViewSetMixin:
    """Reads go through ``selector(user, action)``, so an object outside the scope is a 404.

    ``queryset`` names the model (for the permission class and the schema); it is never queried.
    """

    selector = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return type(self).selector(self.request.user, Action.VIEW)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
