"""Routes of the connectivity app's report part (views in ``report_views``)."""

from django.urls import path

from . import report_views as views

urlpatterns: list = [
    path("campaigns/<int:pk>/report/", views.campaign_report, name="campaign-report"),
    path("campaigns/<int:pk>/report/file/", views.campaign_reportfile, name="campaign-reportfile"),
    path("campaigns/<int:pk>/report/attach/", views.campaign_reportattach, name="campaign-reportattach"),
]
