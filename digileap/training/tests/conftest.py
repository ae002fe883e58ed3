import pytest


@pytest.fixture(autouse=True)
def _shipped_frameworks(request):
    """DigCompEdu comes with migration 0002, but a transactional test (the browser tests) flushes
    every table when it ends, so a test after it on the same worker would find no shipped framework.
    Install it again where it is missing (idempotent; one query when it is there). Only for tests
    marked ``django_db``: pytest-django's own autouse fixture has opened the database for them."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from digileap.training.selectors.frameworks import digcompedu
    from digileap.training.services.frameworks import install_shipped_frameworks

    if digcompedu() is None:
        install_shipped_frameworks()
