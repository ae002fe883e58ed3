import pytest

TRANSACTIONAL = {"transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def _shipped_frameworks(request):
    """DigCompEdu comes with migration 0002, but a transactional test (the browser tests) flushes
    every table when it ends, so a test after it on the same worker would find no shipped framework.
    Install it again where it is missing (idempotent; one query when it is there), for every test
    that uses the database (marked ``django_db``, or through a fixture such as ``world``)."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not names & ({"db"} | TRANSACTIONAL):
        return
    if marker is None:
        request.getfixturevalue("transactional_db" if names & TRANSACTIONAL else "db")
    from digileap.training.selectors.frameworks import digcompedu
    from digileap.training.services.frameworks import install_shipped_frameworks

    if digcompedu() is None:
        install_shipped_frameworks()
