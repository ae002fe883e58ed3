"""Routes of the connectivity app's speedtest part (views in ``speedtest_views``)."""

urlpatterns: list = []
