"""Routes of the people pages (views in ``people_views``), under the namespace ``people``. Route
names start with the model they act on; ``pk`` is that model's key (see
core/tests/test_permission_walk.py)."""

from django.urls import path

from . import people_views as views

urlpatterns: list = [
    path("", views.user_list, name="user-list"),
    path("<int:pk>/", views.user_detail, name="user-detail"),
    path("<int:pk>/assign/", views.user_assign, name="user-assign"),
    path("<int:pk>/deactivate/", views.user_deactivate, name="user-deactivate"),
    path("<int:pk>/reactivate/", views.user_reactivate, name="user-reactivate"),
    path("roles/<int:pk>/change/", views.roleassignment_change, name="roleassignment-change"),
    path("roles/<int:pk>/revoke/", views.roleassignment_revoke, name="roleassignment-revoke"),
    path("invitations/", views.userinvitation_list, name="userinvitation-list"),
    path("invitations/new/", views.userinvitation_create, name="userinvitation-create"),
    path("invitations/<int:pk>/withdraw/", views.userinvitation_withdraw, name="userinvitation-withdraw"),
    path("invitation/<str:token>/", views.userinvitation_accept, name="userinvitation-accept"),
    path("waiting/", views.accessrequest_list, name="accessrequest-list"),
]
