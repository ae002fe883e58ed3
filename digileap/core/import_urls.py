from django.urls import path

from . import import_views, profile_editor_views

# The profile pages take the profile's id as a parameter (?id=) rather than in the path: a saved
# profile belongs to a target, not to a scope, and the one being edited lives in the session.
urlpatterns = [
    path("", import_views.importjob_list, name="importjob-list"),
    path("new/", import_views.importjob_create, name="importjob-create"),
    path("template.csv", import_views.importprofile_template, name="importprofile-template"),
    path("profile.schema.json", profile_editor_views.importprofile_schema, name="importprofile-schema"),
    path("profiles/", profile_editor_views.importprofile_list, name="importprofile-list"),
    path("profiles/new/", profile_editor_views.importprofile_start, name="importprofile-start"),
    path("profiles/upload/", profile_editor_views.importprofile_upload, name="importprofile-upload"),
    path("profiles/editor/", profile_editor_views.importprofile_editor, name="importprofile-editor"),
    path("profiles/edit/", profile_editor_views.importprofile_edit, name="importprofile-edit"),
    path("profiles/duplicate/", profile_editor_views.importprofile_duplicate, name="importprofile-duplicate"),
    path("profiles/delete/", profile_editor_views.importprofile_delete, name="importprofile-delete"),
    path("profiles/download.json", profile_editor_views.importprofile_download, name="importprofile-download"),
    path("<int:pk>/", import_views.importjob_detail, name="importjob-detail"),
    path("<int:pk>/progress/", import_views.importjob_progress, name="importjob-progress"),
    path("<int:pk>/commit/", import_views.importjob_commit, name="importjob-commit"),
    path("<int:pk>/cancel/", import_views.importjob_cancel, name="importjob-cancel"),
    path("<int:pk>/retry/", import_views.importjob_retry, name="importjob-retry"),
    path("<int:pk>/rejected.csv", import_views.importjob_rejected, name="importjob-rejected"),
]
