from django.urls import path

from . import views

app_name = "schools"

# Route names start with the model they act on; ``pk`` is that model's key, other keys are ``<model>_pk``.
urlpatterns = [
    path("", views.school_list, name="school-list"),
    path("export.csv", views.school_export, {"file_format": "csv"}, name="school-export"),
    path("export.xlsx", views.school_export, {"file_format": "xlsx"}, name="school-export-xlsx"),
    path("new/", views.school_create, name="school-create"),
    path("<int:pk>/", views.school_detail, name="school-detail"),
    path("<int:pk>/edit/", views.school_update, name="school-update"),
    path("<int:pk>/figures/", views.school_figures, name="school-figures"),
    path("<int:school_pk>/sites/new/", views.site_create, name="site-create"),
    path("sites/<int:pk>/edit/", views.site_update, name="site-update"),
    path("sites/<int:pk>/delete/", views.site_delete, name="site-delete"),
    path("operators/", views.operator_list, name="operator-list"),
    path("operators/<int:pk>/", views.operator_detail, name="operator-detail"),
]
