"""Routes of the connectivity app's analysis part (views in ``analysis_views``)."""

urlpatterns: list = []
