"""Pages of the training app. Route names start with the model they act on; ``pk`` is that
model's key, ``<model>_pk`` another's (see core/tests/test_permission_walk.py). Each part keeps
its routes in its own module."""

from importlib.util import find_spec

from django.urls import include, path

app_name = "training"

PARTS = ["hub", "framework", "course", "staff", "attendance", "completion", "certificate", "selfassessment", "teacher"]

urlpatterns = [
    path("", include(f"digileap.training.{part}_urls"))
    for part in PARTS
    if find_spec(f"digileap.training.{part}_urls") is not None
]
