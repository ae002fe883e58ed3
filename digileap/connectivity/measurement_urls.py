"""Routes of the connectivity app's measurement part (views in ``measurement_views``)."""

urlpatterns: list = []
