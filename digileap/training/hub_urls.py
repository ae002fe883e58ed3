from django.urls import path

from . import hub_views as views

urlpatterns = [path("", views.training_index, name="index")]
