"""Pages of allocation rounds, needs, roll-out plans and change requests. Route names start with the
model they act on; ``pk`` is that model's key (see core/tests/test_permission_walk.py)."""

from django.urls import path

from .views import needs, plans, rounds

app_name = "allocation"

urlpatterns = [
    # --- rounds (views/rounds.py) ---
    # --- end rounds ---
    # --- needs (views/needs.py) ---
    # --- end needs ---
    # --- plans and change requests (views/plans.py) ---
    # --- end plans ---
]
