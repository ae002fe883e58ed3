"""Pages of the funding app's config part (included by urls.py into the "funding" namespace):
setting a call up (categories, documents, operators, entitlements) and editing an application in
place. Route names start with the model they act on; ``pk`` is that model's key (see urls.py)."""

from django.urls import path

from . import config_views, views

urlpatterns = [
    path("calls/<int:call_pk>/categories/new/", config_views.costcategory_create, name="costcategory-create"),
    path("categories/<int:pk>/edit/", config_views.costcategory_update, name="costcategory-update"),
    path(
        "calls/<int:call_pk>/required-documents/new/",
        config_views.requireddocument_create,
        name="requireddocument-create",
    ),
    path("required-documents/<int:pk>/edit/", config_views.requireddocument_update, name="requireddocument-update"),
    path("calls/<int:pk>/operators/", config_views.call_operators, name="call-operators"),
    path("calls/<int:call_pk>/entitlements/new/", config_views.entitlement_create, name="entitlement-create"),
    path("calls/<int:pk>/entitlements/from-round/", config_views.call_fromround, name="call-fromround"),
    path("lines/<int:pk>/edit/", config_views.costline_update, name="costline-update"),
    path("applications/<int:pk>/compare/", config_views.application_compare, name="application-compare"),
    path("applications/<int:pk>/school-documents/", views.application_uploadschools, name="application-uploadschools"),
]
