"""Pages of the funding app's report part (included by urls.py into the "funding" namespace).
Route names start with the model they act on; ``pk`` is that model's key (see urls.py)."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("calls/<int:pk>/overview/", report_views.call_overview, name="call-overview"),
    path(
        "calls/<int:pk>/export/applications/",
        report_views.call_export_applications,
        name="call-export-applications",
    ),
    path("calls/<int:pk>/export/lines/", report_views.call_export_lines, name="call-export-lines"),
    path("calls/<int:pk>/export/claims/", report_views.call_export_claims, name="call-export-claims"),
    path("calls/<int:pk>/export/payments/", report_views.call_export_payments, name="call-export-payments"),
    path("operators/<int:pk>/funding/", report_views.schooloperator_funding, name="schooloperator-funding"),
]
