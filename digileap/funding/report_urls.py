"""Pages of the funding app's report part (included by urls.py into the "funding" namespace).
Route names start with the model they act on; ``pk`` is that model's key (see urls.py)."""

urlpatterns: list = []
