"""Routes of the training app's completion part (views in ``completion_views``)."""

from django.urls import path

from . import completion_views as views

urlpatterns = [
    path("completions/", views.completion_list, name="completion-list"),
    path("completions/export.csv", views.completion_export, {"file_format": "csv"}, name="completion-export"),
    path("completions/export.xlsx", views.completion_export, {"file_format": "xlsx"}, name="completion-export-xlsx"),
    path("completions/<int:pk>/", views.completion_detail, name="completion-detail"),
]
