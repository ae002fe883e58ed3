"""Routes of the training app's teacher part (views in ``teacher_views``): the teacher's own page
and the public invitation link."""

from django.urls import path

from . import teacher_views as views

urlpatterns: list = [
    path("my-training/", views.my_training, name="my-training"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
