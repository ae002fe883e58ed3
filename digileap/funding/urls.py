"""Pages of funding calls and applications. Route names start with the model they act on; ``pk`` is
that model's key, ``call_pk`` a call's (see core/tests/test_permission_walk.py)."""

from django.urls import include, path

from . import views

app_name = "funding"

urlpatterns = [
    path("calls/", views.call_list, name="call-list"),
    path("calls/new/", views.call_create, name="call-create"),
    path("calls/<int:pk>/", views.call_detail, name="call-detail"),
    path("calls/<int:pk>/edit/", views.call_update, name="call-update"),
    path("calls/<int:pk>/compute/", views.call_compute, name="call-compute"),
    path("calls/<int:pk>/publish/", views.call_publish, name="call-publish"),
    path("calls/<int:call_pk>/apply/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/lines/", views.application_addline, name="application-addline"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application-submit"),
    path("applications/<int:pk>/documents/", views.application_upload, name="application-upload"),
    path("applications/<int:pk>/transition/", views.application_transition, name="application-transition"),
    path("lines/<int:pk>/delete/", views.costline_delete, name="costline-delete"),
    # Each later part of the app keeps its routes in its own module.
    path("", include("digileap.funding.config_urls")),
    path("", include("digileap.funding.review_urls")),
    path("", include("digileap.funding.claim_urls")),
    path("", include("digileap.funding.proof_urls")),
    path("", include("digileap.funding.report_urls")),
    path("", include("digileap.funding.dossier_urls")),
]
