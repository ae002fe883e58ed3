"""Routes of the connectivity app's measurement part (views in ``measurement_views``)."""

from django.urls import path

from . import measurement_views as views

urlpatterns = [
    path("measurements/import/", views.measurement_import, name="measurement-import"),
    path("schools/<int:pk>/measurements/", views.school_measurements, name="school-measurements"),
]
