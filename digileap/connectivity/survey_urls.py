"""Routes of the connectivity app's survey part (views in ``survey_views``)."""

urlpatterns: list = []
