"""Routes of the training app's course part (views in ``course_views``): providers, courses,
their sessions and their identifiers on learning platforms."""

from django.urls import path

from . import course_views as views

urlpatterns: list = [
    path("providers/", views.provider_list, name="provider-list"),
    path("providers/new/", views.provider_create, name="provider-create"),
    path("providers/<int:pk>/edit/", views.provider_update, name="provider-update"),
    path("courses/", views.course_list, name="course-list"),
    path("courses/new/", views.course_create, name="course-create"),
    path("courses/<int:pk>/", views.course_detail, name="course-detail"),
    path("courses/<int:pk>/edit/", views.course_update, name="course-update"),
    path("courses/<int:course_pk>/sessions/new/", views.session_create, name="session-create"),
    path("sessions/<int:pk>/edit/", views.session_update, name="session-update"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session-delete"),
    path("courses/<int:course_pk>/identifiers/", views.coursemapping_create, name="coursemapping-create"),
    path("course-identifiers/<int:pk>/delete/", views.coursemapping_delete, name="coursemapping-delete"),
]
