"""The call page and an application page in a real browser, at a phone's and a laptop's width."""

import pytest
from django.urls import reverse

from digileap.core.tests import browser_fixtures

from ..services.applications import application_draft, cost_line_add

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session
WIDTHS = [1366, 390]


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_call_and_application_pages_fit_the_screen(browser_session, mv_call, world, staff, owner):
    application = application_draft(actor=staff, call=mv_call, operator=world.operator, title="WLAN und Tablets")
    devices = mv_call.cost_categories.get(code="pupil-devices")
    cost_line_add(
        actor=staff,
        application=application,
        data={
            "category": devices,
            "school": world.school,
            "description": "Tablets",
            "quantity": "40",
            "unit_price": "499.99",
        },
    )
    session = browser_session
    page = session.page
    session.sign_in_with_cookie(staff)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        session.goto(reverse("funding:call-detail", kwargs={"pk": mv_call.pk}))
        page.get_by_role("heading", name="Eligible costs").wait_for()
        assert scroll_width(page) <= width, f"call page at {width} px"
        session.goto(reverse("funding:application-detail", kwargs={"pk": application.pk}))
        page.get_by_role("heading", name="Cost lines").wait_for()
        assert scroll_width(page) <= width, f"application page at {width} px"
        session.screenshot(f"funding-application-{width}.png")
        session.goto(reverse("funding:application-create", kwargs={"call_pk": mv_call.pk}))
        assert scroll_width(page) <= width, f"application start at {width} px"
    # A line typed with an error comes back with the rule's message, in the browser too.
    page.set_viewport_size({"width": 390, "height": 900})
    session.goto(reverse("funding:application-detail", kwargs={"pk": application.pk}))
    page.select_option("#id_category", str(devices.pk))
    page.select_option("#id_school", str(world.school.pk))
    page.fill("#id_description", "More tablets")
    page.fill("#id_quantity", "20")
    page.fill("#id_unit_price", "499.99")
    session.expected_errors.append("status of 400")
    page.get_by_role("button", name="Add the line").click()
    page.get_by_text("(rule: cap per school)").first.wait_for()
    assert scroll_width(page) <= 390
    session.sign_in_with_cookie(owner)
    session.goto(reverse("funding:call-update", kwargs={"pk": mv_call.pk}))
    assert scroll_width(page) <= 390, "call form at 390 px"
