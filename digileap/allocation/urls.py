"""Pages of allocation rounds, needs, roll-out plans and change requests. Route names start with the
model they act on; ``pk`` is that model's key (see core/tests/test_permission_walk.py)."""

from django.urls import path  # noqa: F401

from .views import change_requests, needs, plans, rounds  # noqa: F401  (each fills its section below)

app_name = "allocation"

urlpatterns = [
    # --- rounds (views/rounds.py) ---
    path("rounds/", rounds.allocationround_list, name="allocationround-list"),
    path("rounds/new/", rounds.allocationround_create, name="allocationround-create"),
    path("rounds/<int:pk>/", rounds.allocationround_detail, name="allocationround-detail"),
    path("rounds/<int:pk>/edit/", rounds.allocationround_update, name="allocationround-update"),
    path("rounds/<int:pk>/compute/", rounds.allocationround_compute, name="allocationround-compute"),
    path("versions/<int:pk>/", rounds.allocationversion_detail, name="allocationversion-detail"),
    path("versions/<int:pk>/approve/", rounds.allocationversion_approve, name="allocationversion-approve"),
    path("versions/<int:pk>/publish/", rounds.allocationversion_publish, name="allocationversion-publish"),
    path("versions/<int:pk>/compare/", rounds.allocationversion_compare, name="allocationversion-compare"),
    path("versions/<int:pk>/export.csv", rounds.allocationversion_export, name="allocationversion-export"),
    path("versions/<int:pk>/export.xlsx", rounds.allocationversion_export_xlsx, name="allocationversion-export-xlsx"),
    path("lines/<int:pk>/", rounds.allocationline_detail, name="allocationline-detail"),
    # --- end rounds ---
    # --- needs (views/needs.py) ---
    path("needs/", needs.need_list, name="needdeclaration-list"),
    path("needs/declare/", needs.need_create, name="needdeclaration-create"),
    path("needs/export/", needs.need_export, name="needdeclaration-export"),
    path("needs/<int:pk>/", needs.need_detail, name="needdeclaration-detail"),
    path("needs/<int:pk>/edit/", needs.need_edit, name="needdeclaration-edit"),
    # --- end needs ---
    # --- plans (views/plans.py) ---
    path("plans/", plans.rolloutplan_list, name="rolloutplan-list"),
    path("plans/new/", plans.rolloutplan_create, name="rolloutplan-create"),
    path("plans/<int:pk>/", plans.rolloutplan_detail, name="rolloutplan-detail"),
    path("plans/<int:pk>/edit/", plans.rolloutplan_update, name="rolloutplan-update"),
    path("plans/<int:pk>/build/", plans.rolloutplan_build, name="rolloutplan-build"),
    path("plans/versions/<int:pk>/", plans.rolloutversion_detail, name="rolloutversion-detail"),
    path("plans/versions/<int:pk>/progress/", plans.rolloutversion_progress, name="rolloutversion-progress"),
    path("plans/versions/<int:pk>/optimise/", plans.rolloutversion_optimise, name="rolloutversion-optimise"),
    path("plans/versions/<int:pk>/copy/", plans.rolloutversion_copy, name="rolloutversion-copy"),
    path("plans/versions/<int:pk>/adopt/", plans.rolloutversion_adopt, name="rolloutversion-adopt"),
    path("plans/versions/<int:pk>/export/", plans.rolloutversion_export, name="rolloutversion-export"),
    path("plans/entries/<int:pk>/move/", plans.rolloutentry_move, name="rolloutentry-move"),
    path("plans/entries/<int:pk>/edit/", plans.rolloutentry_update, name="rolloutentry-update"),
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
