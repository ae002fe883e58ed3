"""Funding over REST, read-only for now: ``/api/funding-calls/``, ``/api/funding-entitlements/``,
``/api/funding-applications/``, each restricted by the selectors like the pages (operator staff see
their operator's applications and published entitlements only). Writes are not exposed yet
(docs/funding.md)."""

from digileap.core.api.viewsets import ScopedReadOnlyViewSet

from ..models import Application, Call, Entitlement
from ..selectors import applications_for, calls_for, entitlements_for
from .serializers import ApplicationSerializer, CallSerializer, EntitlementSerializer


class CallViewSet(ScopedReadOnlyViewSet):
    """Funding calls with their cost categories and required documents."""

    queryset = Call.objects.all()
    serializer_class = CallSerializer
    selector = staticmethod(
        lambda user, action: (
            calls_for(user, action).prefetch_related("cost_categories", "required_documents").order_by("id")
        )
    )


class EntitlementViewSet(ScopedReadOnlyViewSet):
    """Entitlements per operator and call (operator staff: published ones)."""

    queryset = Entitlement.objects.all()
    serializer_class = EntitlementSerializer
    selector = staticmethod(lambda user, action: entitlements_for(user, action).order_by("id"))


class ApplicationViewSet(ScopedReadOnlyViewSet):
    """Funding applications with their schools, cost lines, versions and events."""

    queryset = Application.objects.all()
    serializer_class = ApplicationSerializer
    selector = staticmethod(
        lambda user, action: (
            applications_for(user, action)
            .prefetch_related("application_schools__school", "cost_lines__category", "versions", "events")
            .order_by("id")
        )
    )
