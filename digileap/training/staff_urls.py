"""Routes of the training app's staff part (views in ``staff_views``)."""

from django.urls import path

from . import staff_views as views

urlpatterns: list = [
    path("staff/", views.staffmember_list, name="staffmember-list"),
    path("staff/new/", views.staffmember_create, name="staffmember-create"),
    path("staff/upload/", views.staffmember_upload, name="staffmember-upload"),
    path("staff/<int:pk>/", views.staffmember_detail, name="staffmember-detail"),
    path("staff/<int:pk>/edit/", views.staffmember_update, name="staffmember-update"),
    path("staff/<int:pk>/schools/", views.staffmember_membership, name="staffmember-membership"),
    path("staff/<int:pk>/invite/", views.staffmember_invite, name="staffmember-invite"),
    path("staff/schools/<int:pk>/end/", views.membership_end, name="membership-end"),
]
