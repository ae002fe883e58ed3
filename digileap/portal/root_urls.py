"""The portal's pages at the root of the site: the home page keeps "/" and the name "home"."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]
