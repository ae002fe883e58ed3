"""Routes of the connectivity app's speed test part (views in ``speedtest_views``). The ``t/<token>/``
routes and ``speedtest-ping`` are public by design (the signed link is the proof; the ping returns
nothing); the ndt7 websocket paths ``/ndt/v7/download`` and ``/ndt/v7/upload`` are served by
``config/asgi.py``, not by Django."""

from django.urls import path

from . import speedtest_views as views

urlpatterns = [
    path("schools/<int:pk>/speedtest/", views.school_speedtest, name="school-speedtest"),
    path("schools/<int:pk>/speedtest/start/", views.school_speedtest_start, name="school-speedtest-start"),
    path("sites/<int:pk>/speedtest/", views.site_speedtest, name="site-speedtest"),
    path("speedtests/<int:pk>/finish/", views.speedtest_finish, name="speedtest-finish"),
    path("schools/<int:school_pk>/test-links/", views.testlink_list, name="testlink-list"),
    path("schools/<int:school_pk>/test-links/new/", views.testlink_create, name="testlink-create"),
    path("test-links/<int:pk>/revoke/", views.testlink_revoke, name="testlink-revoke"),
    path("speedtest/ping/", views.speedtest_ping, name="speedtest-ping"),
    path("t/<str:token>/", views.testlink_run, name="testlink-run"),
    path("t/<str:token>/start/", views.testlink_start, name="testlink-start"),
    path("t/<str:token>/finish/", views.testlink_finish, name="testlink-finish"),
]
