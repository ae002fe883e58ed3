from django.urls import path

from . import views

app_name = "programmes"

# Route names start with the model they act on; ``pk`` is that model's key.
urlpatterns = [
    path("", views.programme_list, name="programme-list"),
    path("<int:pk>/", views.programme_detail, name="programme-detail"),
    path("<int:pk>/dashboard/", views.programme_dashboard, name="programme-dashboard"),
    path("<int:pk>/breakdown/", views.programme_breakdown, name="programme-breakdown"),
    path("<int:pk>/map.svg", views.programme_map, name="programme-map"),
]
