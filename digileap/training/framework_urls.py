"""Routes of the training app's framework part (views in ``framework_views``)."""

from django.urls import path

from . import framework_views as views

urlpatterns: list = [
    path("frameworks/", views.framework_list, name="framework-list"),
    path("frameworks/upload/", views.framework_upload, name="framework-upload"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework-detail"),
    path("frameworks/<int:pk>/deactivate/", views.framework_deactivate, name="framework-deactivate"),
]
