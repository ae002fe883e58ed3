from . import needs, plans, rounds


def register(router) -> None:
    """Add this app's viewsets to the API router. Basenames are the model names, so route names
    read ``<model>-list`` and ``<model>-detail``."""
    # --- rounds (api/rounds.py) ---
    # --- end rounds ---
    # --- needs (api/needs.py) ---
    # --- end needs ---
    # --- plans and change requests (api/plans.py) ---
    # --- end plans ---
