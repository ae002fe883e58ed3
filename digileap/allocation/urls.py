"""Pages of allocation rounds, needs, roll-out plans and change requests. Route names start with the
model they act on; ``pk`` is that model's key (see core/tests/test_permission_walk.py)."""

from django.urls import path  # noqa: F401

from .views import change_requests, needs, plans, rounds  # noqa: F401  (each fills its section below)

app_name = "allocation"

urlpatterns = [
    # --- rounds (views/rounds.py) ---
    # --- end rounds ---
    # --- needs (views/needs.py) ---
    path("needs/", needs.need_list, name="needdeclaration-list"),
    path("needs/declare/", needs.need_create, name="needdeclaration-create"),
    path("needs/export/", needs.need_export, name="needdeclaration-export"),
    path("needs/<int:pk>/", needs.need_detail, name="needdeclaration-detail"),
    path("needs/<int:pk>/edit/", needs.need_edit, name="needdeclaration-edit"),
    # --- end needs ---
    # --- plans (views/plans.py) ---
    # --- end plans ---
    # --- change requests (views/change_requests.py) ---
    path("change-requests/", change_requests.change_request_list, name="changerequest-list"),
    path("change-requests/new/", change_requests.change_request_create, name="changerequest-create"),
    path("change-requests/<int:pk>/", change_requests.change_request_detail, name="changerequest-detail"),
    path("change-requests/<int:pk>/schedule/", change_requests.change_request_schedule, name="changerequest-schedule"),
    path("change-requests/<int:pk>/decide/", change_requests.change_request_decide, name="changerequest-decide"),
    path("change-requests/<int:pk>/withdraw/", change_requests.change_request_withdraw, name="changerequest-withdraw"),
    # --- end change requests ---
]
