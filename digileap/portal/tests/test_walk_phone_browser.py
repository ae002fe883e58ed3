"""Found by walking issue 11 at 390 px: the devices overview's to-do list ran 450 px wide for every
school and programme role (a long label squeezed the next to-do, and its "1 overdue" badge stuck
out of the screen). Measured in Chromium on the demo data."""

import pytest
from django.urls import reverse

from digileap.accounts.models import User
from digileap.allocation.demo import seed_demo_allocation
from digileap.core.tests import browser_fixtures
from digileap.devices.demo import seed_demo_devices
from digileap.portal.demo import seed_demo
from digileap.programmes.demo import seed_demo_programmes

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session

PHONE = 390


def test_the_devices_overview_fits_a_phone(browser_session):
    session = browser_session
    seed_demo(schools=20)
    seed_demo_programmes()
    seed_demo_allocation()
    seed_demo_devices()
    session.page.set_viewport_size({"width": PHONE, "height": 800})
    session.sign_in_with_cookie(User.objects.get(username="coordinator"))
    session.goto(reverse("devices:device-overview"))
    session.page.wait_for_load_state("networkidle")
    assert session.page.locator("dl.facts--todo .badge--danger").inner_text() == "1 overdue"
    assert session.page.evaluate("document.documentElement.scrollWidth") == PHONE
