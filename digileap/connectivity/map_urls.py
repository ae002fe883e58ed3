"""Routes of the connectivity app's map part (views in ``map_views``)."""

urlpatterns: list = []
