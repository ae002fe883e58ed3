"""Phone-sized screens (issue 11, defect 6): at 390 px no page is wider than the screen. Measured in
Chromium on the demo data: the programme dashboard, the new-round form, and the home page of every
demo role (with its to-dos and direct links)."""

import datetime

import pytest
from django.urls import reverse

from digileap.accounts.models import User
from digileap.allocation.demo import seed_demo_allocation
from digileap.core.tests import browser_fixtures
from digileap.devices.demo import seed_demo_devices
from digileap.portal.demo import DEMO_USERS, seed_demo
from digileap.programmes.demo import DEMO_CODE, seed_demo_programmes
from digileap.programmes.models import Programme

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session

PHONE = 390
TODAY = datetime.date(2025, 3, 1)


def _width(session, path: str) -> int:
    session.goto(path)
    session.page.wait_for_load_state("networkidle")
    return session.page.evaluate("document.documentElement.scrollWidth")


def test_no_page_is_wider_than_a_phone(browser_session):
    session = browser_session
    seed_demo(schools=20)
    seed_demo_programmes(today=TODAY)
    seed_demo_allocation()
    seed_demo_devices(today=TODAY)
    session.page.set_viewport_size({"width": PHONE, "height": 800})
    programme = Programme.objects.get(code=DEMO_CODE)
    widths = {}
    session.sign_in_with_cookie(User.objects.get(username="owner"))
    widths["dashboard"] = _width(session, reverse("programmes:programme-dashboard", kwargs={"pk": programme.pk}))
    widths["new round"] = _width(session, reverse("allocation:allocationround-create") + f"?programme={programme.pk}")
    for spec in DEMO_USERS:
        session.page.context.clear_cookies()
        session.sign_in_with_cookie(User.objects.get(username=spec.username))
        widths[f"home of {spec.username}"] = _width(session, reverse("home"))
    assert widths == {name: PHONE for name in widths}
    # The to-dos are on the home page, as links (the owner has rounds to approve).
    session.page.context.clear_cookies()
    session.sign_in_with_cookie(User.objects.get(username="owner"))
    session.goto(reverse("home"))
    link = session.page.locator("[data-todo='rounds-to-approve'] a")
    assert link.get_attribute("href") == reverse("allocation:allocationround-list") + "?status=computed"
