"""Public programme pages under /p/ (no login). Route names are listed in the permission walk's
exclusions (public by design); tests/test_public_pages.py proves what they show."""

from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("index.json", public_views.index_json, name="index-json"),
    path("index.csv", public_views.index_csv, name="index-csv"),
    path("<str:code>.json", public_views.programme_json, name="programme-json"),
    path("<str:code>.csv", public_views.programme_csv, name="programme-csv"),
    path("<str:code>/", public_views.programme, name="programme"),
    path("<str:code>/budget.csv", public_views.programme_budget_csv, name="programme-budget-csv"),
]
