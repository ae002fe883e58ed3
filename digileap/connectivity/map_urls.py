"""Routes of the connectivity app's map part (views in ``map_views``)."""

from django.urls import path

from . import map_views

urlpatterns = [
    path("campaigns/<int:pk>/map/", map_views.campaign_map, name="campaign-map"),
    path("campaigns/<int:pk>/map.json", map_views.campaign_mapdata, name="campaign-mapdata"),
    path("campaigns/<int:pk>/charts/", map_views.campaign_charts, name="campaign-charts"),
]
