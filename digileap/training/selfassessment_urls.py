"""Routes of the training app's self-assessment part (views in ``selfassessment_views``)."""

from django.urls import path

from . import selfassessment_views as views

urlpatterns: list = [
    path("self-assessment/", views.round_list, name="assessmentround-list"),
    path("self-assessment/new/", views.round_create, name="assessmentround-create"),
    path("self-assessment/<int:pk>/", views.round_detail, name="assessmentround-detail"),
    path("self-assessment/<int:pk>/edit/", views.round_update, name="assessmentround-update"),
    path("self-assessment/<int:pk>/answer/", views.round_answer, name="assessmentround-answer"),
    path("self-assessment/<int:pk>/report/", views.round_report, name="assessmentround-report"),
    path("self-assessment/<int:pk>/results/", views.round_results, name="assessmentround-results"),
    path("self-assessment/<int:pk>/results.csv", views.round_results_csv, name="assessmentround-results-csv"),
]
