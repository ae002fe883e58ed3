from . import views


def register(router) -> None:
    """Add this app's viewsets to the API router; basenames are the model names."""
    router.register("funding-calls", views.CallViewSet, basename="call")
    router.register("funding-entitlements", views.EntitlementViewSet, basename="entitlement")
    router.register("funding-applications", views.ApplicationViewSet, basename="application")
    router.register("funding-cost-lines", views.CostLineViewSet, basename="costline")
    router.register("funding-decisions", views.DecisionViewSet, basename="decision")
    router.register("funding-grants", views.GrantViewSet, basename="grant")
    router.register("funding-claims", views.ClaimViewSet, basename="claim")
