"""Routes of the connectivity app's campaign part (views in ``campaign_views``)."""

urlpatterns: list = []
