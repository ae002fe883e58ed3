"""Pages of data protection: the pupil-data access log (``access_urls``) and pupils' rights, export
and erasure (``rights_urls``). Route names start with the model they act on (see
core/tests/test_permission_walk.py)."""

from importlib.util import find_spec

from django.urls import include, path

app_name = "privacy"

PARTS = ["access", "rights"]

urlpatterns = [
    path("", include(f"digileap.privacy.{part}_urls")) for part in PARTS if find_spec(f"digileap.privacy.{part}_urls")
]
