from django.urls import path

from . import map_views

urlpatterns = [
    path("<int:pk>/map.json", map_views.programme_map_data, name="programme-map-data"),
]
