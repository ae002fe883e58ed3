from django.urls import path

from . import import_views

urlpatterns = [
    path("", import_views.importjob_list, name="importjob-list"),
    path("new/", import_views.importjob_create, name="importjob-create"),
    path("template.csv", import_views.importprofile_template, name="importprofile-template"),
    path("<int:pk>/", import_views.importjob_detail, name="importjob-detail"),
    path("<int:pk>/progress/", import_views.importjob_progress, name="importjob-progress"),
    path("<int:pk>/commit/", import_views.importjob_commit, name="importjob-commit"),
    path("<int:pk>/rejected.csv", import_views.importjob_rejected, name="importjob-rejected"),
]
