"""Administration pages for targets and indicators, manual values, evidence documents and transactions.

Route names start with the model they act on and ``pk`` is that model's key (the permission walk
in digileap/core/tests/test_permission_walk.py relies on it)."""

from django.urls import path

from . import target_views

urlpatterns = [
    path("<int:pk>/targets/", target_views.programme_targets, name="programme-targets"),
    path("<int:pk>/targets/new/", target_views.programme_target_create, name="programme-target-create"),
    path("targets/<int:pk>/edit/", target_views.target_update, name="target-update"),
    path("<int:pk>/indicator-preview/", target_views.programme_indicator_preview, name="programme-indicator-preview"),
    path("targets/<int:pk>/values/", target_views.target_values, name="target-values"),
    path("<int:pk>/documents/", target_views.programme_documents, name="programme-documents"),
    path("documents/<int:pk>/approve/", target_views.evidencedocument_approve, name="evidencedocument-approve"),
    path("documents/<int:pk>/download/", target_views.evidencedocument_download, name="evidencedocument-download"),
    path("<int:pk>/money/", target_views.programme_transactions, name="programme-transactions"),
    path("<int:pk>/money/import/", target_views.programme_transactions_import, name="programme-transactions-import"),
]
