"""The pupil-data access log for data-protection officers and administrators."""

from django.urls import path

from . import access_views as views

urlpatterns = [
    path("access-log/", views.pupildataaccess_list, name="pupildataaccess-list"),
    path("access-log/export.csv", views.pupildataaccess_export, name="pupildataaccess-export"),
    path("access-log/summary/", views.pupildataaccess_summary, name="pupildataaccess-summary"),
]
