"""Pages of the connectivity app. Route names start with the model they act on; ``pk`` is that
model's key, ``<model>_pk`` another's (see core/tests/test_permission_walk.py). Each part keeps
its routes in its own module."""

from django.urls import include, path

app_name = "connectivity"

urlpatterns = [
    path("", include("digileap.connectivity.campaign_urls")),
    path("", include("digileap.connectivity.survey_urls")),
    path("", include("digileap.connectivity.speedtest_urls")),
    path("", include("digileap.connectivity.measurement_urls")),
    path("", include("digileap.connectivity.analysis_urls")),
    path("", include("digileap.connectivity.map_urls")),
    path("", include("digileap.connectivity.report_urls")),
]
