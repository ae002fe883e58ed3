from .views import AuditEventViewSet


def register(router) -> None:
    """Add this app's viewsets to the API router."""
    router.register("audit-events", AuditEventViewSet, basename="auditevent")
