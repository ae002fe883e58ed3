"""Routes of the connectivity app's campaign part (views in ``campaign_views``)."""

from django.urls import path

from . import campaign_views as views

urlpatterns: list = [
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_update, name="campaign-update"),
    path("campaigns/<int:pk>/schools/", views.campaign_schools, name="campaign-schools"),
    path("campaigns/<int:pk>/open/", views.campaign_open, name="campaign-open"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign-close"),
    path("campaigns/<int:pk>/remind/", views.campaign_remind, name="campaign-remind"),
    path("campaigns/<int:pk>/progress.csv", views.campaign_progress_csv, name="campaign-progress"),
]
