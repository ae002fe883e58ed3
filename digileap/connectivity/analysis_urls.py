"""Routes of the connectivity app's analysis part (views in ``analysis_views``)."""

from django.urls import path

from . import analysis_views as views

urlpatterns = [
    path("programmes/<int:programme_pk>/benchmarks/", views.benchmark_list, name="benchmark-list"),
    path("programmes/<int:programme_pk>/benchmarks/new/", views.benchmark_create, name="benchmark-create"),
    path("programmes/<int:programme_pk>/benchmarks/install/", views.benchmark_install, name="benchmark-install"),
    path("benchmarks/<int:pk>/edit/", views.benchmark_update, name="benchmark-edit"),
    path("benchmarks/<int:pk>/delete/", views.benchmark_delete, name="benchmark-delete"),
    path("programmes/<int:programme_pk>/costs/", views.costparameters_edit, name="costparameters-edit"),
    path("campaigns/<int:pk>/analysis/", views.campaign_analysis, name="campaign-analysis"),
    path("campaigns/<int:pk>/analysis/run/", views.campaign_analysis_run, name="campaign-analysis-run"),
    path("campaigns/<int:pk>/analysis/proposals.csv", views.campaign_proposals_csv, name="campaign-proposals-csv"),
    path("campaigns/<int:pk>/analysis/proposals.xlsx", views.campaign_proposals_xlsx, name="campaign-proposals-xlsx"),
]
