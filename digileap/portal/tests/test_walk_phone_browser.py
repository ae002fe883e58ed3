"""Found by walking issue 11 at 390 px: the devices overview's to-do list ran 450 px wide for every
school and programme role (a long label squeezed the next to-do, and its "1 overdue" badge stuck
out of the screen); and every table whose first column is a code, a number or a date gave it 13rem
at 390 px, leaving the programme's or target's name beside it a few characters wide. Measured in
Chromium on the demo data."""

import pytest
from django.urls import reverse

from digileap.accounts.models import User
from digileap.allocation.demo import seed_demo_allocation
from digileap.core.tests import browser_fixtures
from digileap.devices.demo import seed_demo_devices
from digileap.portal.demo import seed_demo
from digileap.programmes.demo import DEMO_CODE, seed_demo_programmes
from digileap.programmes.models import Programme

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
    # The targets page: the number column ("D1") is narrower than the title beside it.
    session.page.context.clear_cookies()
    session.sign_in_with_cookie(User.objects.get(username="owner"))
    programme = Programme.objects.get(code=DEMO_CODE)
    session.goto(reverse("programmes:programme-targets", kwargs={"pk": programme.pk}))
    session.page.wait_for_load_state("networkidle")
    number, title = session.page.evaluate(
        "[...document.querySelector('.data-table tbody tr').cells].slice(0, 2)"
        ".map(cell => Math.round(cell.getBoundingClientRect().width))"
    )
    assert number < 100 < title
