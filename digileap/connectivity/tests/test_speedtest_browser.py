"""The speed test in a real browser (headless Chromium): a school coordinator runs it on the school's
page and a result row appears; staff without an account run it through a signed link. The page is
served by the live server; the ndt7 endpoint is this installation's own app (digileap/connectivity/ndt7.py)
under uvicorn in a background thread, named by ``DIGILEAP_SPEEDTEST_OWN_SERVER``, so the tickets and
the summaries are the real ones and the result is verified. Durations are cut to 2 s a direction."""

import socket
import threading
import time

import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.tests import browser_fixtures

from .. import ndt7
from ..models import Measurement, Source, SpeedTest
from ..services import speedtests as services

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session
RUN_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def ndt7_server():
    """The ndt7 app under uvicorn on a free loopback port; yields ``host:port``."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = ndt7.NDT7App(download_seconds=2.0, upload_seconds=2.0)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws_per_message_deflate=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the ndt7 server did not start")
        time.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def own_server(settings, ndt7_server):
    settings.DIGILEAP_SPEEDTEST_OWN_SERVER = ndt7_server
    return ndt7_server


def run_the_test(page, connection_label: str) -> None:
    page.get_by_label(connection_label).check()
    page.get_by_role("button", name="Start the test").click()
    page.locator("[data-speedtest-done]").wait_for(timeout=RUN_TIMEOUT_MS)


def test_a_school_coordinator_runs_the_test_and_a_result_row_appears(browser_session, own_server, world, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    session = browser_session
    page = session.page
    session.sign_in_with_cookie(coordinator)
    session.goto(reverse("connectivity:school-speedtest", kwargs={"pk": world.school.pk}))
    page.get_by_text("No tests yet.").wait_for()
    run_the_test(page, "Wired (network cable)")

    test = SpeedTest.objects.get()
    assert (test.state, test.verified, test.user, test.link) == ("done", True, coordinator, None)
    assert test.connection == "wired" and test.browser.startswith("Chrome ")
    assert test.network == "127.0.0.0/24"
    assert test.bytes_down > 0 and test.bytes_up > 0
    assert test.download_mbps > 0 and test.upload_mbps > 0
    assert test.latency_ms is not None and test.jitter_ms is not None
    measurement = Measurement.objects.get()
    assert (measurement.source, measurement.download_mbps, measurement.upload_mbps) == (
        Source.BROWSER,
        test.download_mbps,
        test.upload_mbps,
    )
    # The result and the school's recent tests, with the new row, without a reload.
    rows = page.locator("[data-speedtest-recent] tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "Wired" in rows.first.inner_text() and "Done" in rows.first.inner_text()
    assert "counted by this installation's server" in page.locator("[data-speedtest-done]").inner_text()
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_staff_without_an_account_run_the_test_through_a_link(browser_session, own_server, world, role_users):
    link = services.link_create(actor=role_users[Role.SCHOOL_COORDINATOR], school=world.school, label="ICT lab")
    session = browser_session
    page = session.page
    session.goto(services.link_url(link))
    page.get_by_text("INSIDE school").first.wait_for()
    run_the_test(page, "Wi-Fi")
    test = SpeedTest.objects.get()
    assert (test.state, test.verified, test.link, test.user, test.connection) == ("done", True, link, None, "wifi")
    assert Measurement.objects.filter(source=Source.BROWSER).count() == 1
    assert "Mbit/s" in page.locator("[data-speedtest-done] [data-result=download]").inner_text()


def test_a_withdrawn_link_shows_a_clear_page_and_no_test(browser_session, world, role_users):
    link = services.link_create(actor=role_users[Role.SCHOOL_COORDINATOR], school=world.school)
    services.link_revoke(actor=role_users[Role.SCHOOL_COORDINATOR], link=link)
    session = browser_session
    session.expected_errors.append("status of 410")
    response = session.page.goto(session.url(services.link_url(link)))
    assert response.status == 410
    session.page.get_by_text("This speed test link was withdrawn").wait_for()
    assert session.page.get_by_role("button", name="Start the test").count() == 0
