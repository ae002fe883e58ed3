"""Routes of the connectivity app's report part (views in ``report_views``)."""

urlpatterns: list = []
