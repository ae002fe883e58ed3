"""The status map in a real browser at 390 px: Leaflet draws the placed schools on a canvas, the
map stands above the legend and the table, nothing is wider than the phone, a school's tooltip
and popup say its status and proposal in the page's language, and nothing breaks the Content
Security Policy (the session fails on any console error)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from digileap.accounts.models import Role
from digileap.core.tests.browser_fixtures import browser_session, chromium  # noqa: F401 - fixtures

from .factories_map import analysed_campaign

pytestmark = pytest.mark.browser

SCHOOL_POSITION = """([lat, lon]) => {
    const container = document.querySelector(".map__canvas");
    const point = container.digileapMap.latLngToContainerPoint([lat, lon]);
    const box = container.getBoundingClientRect();
    return {x: box.left + point.x, y: box.top + point.y};
}"""


@pytest.mark.parametrize(("language", "total"), [("en", "44,200.00\u00a0EUR"), ("de", "44.200,00\u00a0EUR")])
def test_the_map_at_390_px(browser_session, world, role_users, language, total):  # noqa: F811
    analysed = analysed_campaign(world)
    page = browser_session.page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_session.sign_in_with_cookie(role_users[Role.PROGRAMME_OWNER])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": browser_session.base_url}])
    browser_session.goto(reverse("connectivity:campaign-map", kwargs={"pk": analysed.campaign.pk}))
    section = page.locator("[data-connectivity-map]")
    expect(section).to_have_attribute("data-state", "ready")
    expect(section).to_have_attribute("data-schools", "2")
    assert page.locator(".map__canvas canvas").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    tops = [page.locator(selector).bounding_box()["y"] for selector in (".map__canvas", "[data-testid=legend]")]
    tops.append(page.locator(".table-container").bounding_box()["y"])
    assert tops == sorted(tops)
    section.locator(".map__canvas").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = page.evaluate(SCHOOL_POSITION, [56.946, 24.105])
    page.mouse.move(box["x"], box["y"], steps=4)
    page.mouse.move(box["x"] + 1, box["y"], steps=2)
    expect(page.locator(".leaflet-tooltip")).to_contain_text("INSIDE school (1001)")
    page.mouse.click(box["x"] + 1, box["y"])
    popup = page.locator(".connectivity-popup")
    expect(popup).to_contain_text(total)
    expect(popup.locator(f'a[href="/schools/{analysed.schools[0].pk}/"]')).to_have_count(1)
