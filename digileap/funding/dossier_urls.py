"""Pages of the funding app's dossier part (included by urls.py into the "funding" namespace).
Route names start with the model they act on; ``pk`` is that model's key (see urls.py)."""

from django.urls import path

from . import dossier_views

urlpatterns: list = [
    path("grants/<int:pk>/dossier.zip", dossier_views.grant_dossier, name="grant-dossier"),
]
