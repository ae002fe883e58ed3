"""Administration pages for targets and indicators, manual values, evidence documents and transactions."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
