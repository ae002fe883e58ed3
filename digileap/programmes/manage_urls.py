"""Programme administration pages: programme, funding sources, objectives, publish, copy.

Route names start with the model they act on and ``pk`` is that model's key (the permission walk
in digileap/core/tests/test_permission_walk.py relies on it)."""

from django.urls import path

from . import manage_views

urlpatterns = [
    path("new/", manage_views.programme_create, name="programme-create"),
    path("<int:pk>/edit/", manage_views.programme_update, name="programme-update"),
    path("<int:pk>/sources/", manage_views.programme_sources, name="programme-sources"),
    path("<int:pk>/sources/new/", manage_views.programme_source_create, name="programme-source-create"),
    path("sources/<int:pk>/edit/", manage_views.fundingsource_update, name="fundingsource-update"),
    path("<int:pk>/objectives/", manage_views.programme_objectives, name="programme-objectives"),
    path("<int:pk>/objectives/new/", manage_views.programme_objective_create, name="programme-objective-create"),
    path("objectives/<int:pk>/edit/", manage_views.objective_update, name="objective-update"),
    path("<int:pk>/publish/", manage_views.programme_publish, name="programme-publish"),
    path("<int:pk>/copy/", manage_views.programme_copy, name="programme-copy"),
]
