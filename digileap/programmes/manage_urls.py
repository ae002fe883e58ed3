"""Programme administration pages: programme, funding sources, objectives, publish, copy."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
