from . import change_requests, needs, plans, rounds  # noqa: F401  (each fills its section below)


def register(router) -> None:
    """Add this app's viewsets to the API router. Basenames are the model names, so route names
    read ``<model>-list`` and ``<model>-detail``."""
    # --- rounds (api/rounds.py) ---
    router.register("allocation-rounds", rounds.AllocationRoundViewSet, basename="allocationround")
    router.register("allocation-versions", rounds.AllocationVersionViewSet, basename="allocationversion")
    router.register("allocation-lines", rounds.AllocationLineViewSet, basename="allocationline")
    # --- end rounds ---
    # --- needs (api/needs.py) ---
    router.register("need-declarations", needs.NeedDeclarationViewSet, basename="needdeclaration")
    # --- end needs ---
    # --- plans (api/plans.py) ---
    router.register("rollout-plans", plans.RolloutPlanViewSet, basename="rolloutplan")
    router.register("rollout-versions", plans.RolloutVersionViewSet, basename="rolloutversion")
    router.register("rollout-entries", plans.RolloutEntryViewSet, basename="rolloutentry")
    # --- end plans ---
    # --- change requests (api/change_requests.py) ---
    router.register("change-requests", change_requests.ChangeRequestViewSet, basename="changerequest")
    # --- end change requests ---
