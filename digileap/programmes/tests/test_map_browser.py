"""The dashboard's map and burn-up charts in a real browser: Leaflet draws the schools over the
bundled outlines, a tooltip shows on hover, the layer picker changes the indicator, the legend
formats numbers for the language, the chart text is at least 12 px on a phone and on a wide
screen, and nothing breaks the Content Security Policy (the session fails on any console error)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from digileap.accounts.models import Role
from digileap.core.tests.browser_fixtures import browser_session, chromium  # noqa: F401 - fixtures

from .test_dashboard import programme  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

# Every text of the burn-up charts as rendered: its font size times the scale of its SVG on screen.
RENDERED_TEXT_SIZES = """() => Array.from(document.querySelectorAll("svg.burn-up text")).map((text) => {
  const matrix = text.getScreenCTM();
  return parseFloat(getComputedStyle(text).fontSize) * Math.hypot(matrix.a, matrix.b);
})"""


def dashboard(session, programme_):
    session.goto(reverse("programmes:programme-dashboard", kwargs={"pk": programme_.pk}))
    section = session.page.locator("[data-programme-map]")
    expect(section).to_have_attribute("data-state", "ready")
    return section


def test_the_map_draws_schools_with_tooltips_a_legend_and_a_layer_picker(
    browser_session,  # noqa: F811
    role_users,
    programme,  # noqa: F811
):
    page = browser_session.page
    programme_, _second, _third = programme
    browser_session.sign_in_with_cookie(role_users[Role.PROGRAMME_OWNER])
    section = dashboard(browser_session, programme_)
    # The bundled outlines (54 countries) and two schools drawn on a canvas, no tiles.
    expect(section).to_have_attribute("data-outlines", "54")
    assert page.locator(".map__canvas canvas").count() == 1
    # The canvas is drawn at its own size (the site's "max-width: 100%" must not shrink it to nothing).
    canvas_box = page.locator(".map__canvas canvas").bounding_box()
    assert canvas_box["width"] > 1000 and canvas_box["height"] > 300
    assert page.locator(".leaflet-tile").count() == 0
    expect(section.locator(".map__status")).to_have_text(
        "2 schools on the map, 2 with a value. 1 school has no position and is not shown."
    )
    legend = section.locator(".map-legend")
    expect(legend.locator(".map-legend__title")).to_have_text("Share of the committed money paid")
    expect(legend.locator(".map-legend__unit")).to_have_text("%")
    expect(legend.locator("li")).to_have_text(["≤ 40", "40 – 100", "no value"])
    # Hover over the school in Brussels (50.85 N, 4.35 E): its tooltip.
    section.locator(".map__canvas").scroll_into_view_if_needed()
    box = _school_position(page, 50.85, 4.35)
    _hover(page, box)
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_have_text("INSIDE school (1001): 40\u00a0%")
    # Another indicator: the money committed, in EUR.
    picker = section.get_by_label("Show on the map")
    options = picker.locator("option")
    expect(options).to_have_text(
        [
            "Share of the committed money paid",
            "Money committed",
            "Money paid",
            re.compile("401 Schools funded"),
        ]
    )
    picker.select_option("committed")
    expect(section).to_have_attribute("data-layer", "committed")
    expect(legend.locator("li")).to_have_text(["≤ 1,000", "1,000 – 3,000", "no value"])
    expect(legend.locator(".map-legend__total")).to_have_text("Total: 4,000\u00a0EUR")
    page.mouse.move(0, 0)
    _hover(page, box)
    expect(tooltip.last).to_have_text("INSIDE school (1001): 1,000\u00a0EUR")
    expect(tooltip).to_have_count(1)  # the first layer's tooltip fades out (200 ms) and goes
    browser_session.screenshot("programme-map.png")


def _hover(page, box: dict) -> None:
    """Point at a spot as a hand would: Leaflet's canvas renderer throttles mouse moves, so the
    pointer arrives in steps and then moves by a pixel."""
    page.mouse.move(box["x"], box["y"], steps=4)
    page.mouse.move(box["x"] + 1, box["y"], steps=2)


def _school_position(page, latitude: float, longitude: float) -> dict:
    """Where a position is on the screen, from Leaflet's own projection."""
    return page.evaluate(
        """([lat, lon]) => {
        const container = document.querySelector(".map__canvas");
        const map = container.digileapMap;
        const point = map.latLngToContainerPoint([lat, lon]);
        const box = container.getBoundingClientRect();
        return {x: box.left + point.x, y: box.top + point.y};
    }""",
        [latitude, longitude],
    )


@pytest.mark.parametrize(("width", "language"), [(390, "de"), (1366, "fr")])
def test_chart_text_is_readable_and_the_map_fits_the_width(
    browser_session,  # noqa: F811
    role_users,
    programme,  # noqa: F811
    width,
    language,
):
    page = browser_session.page
    programme_, _second, _third = programme
    page.set_viewport_size({"width": width, "height": 900})
    browser_session.sign_in_with_cookie(role_users[Role.PROGRAMME_OWNER])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": browser_session.base_url}])
    section = dashboard(browser_session, programme_)
    sizes = page.evaluate(RENDERED_TEXT_SIZES)
    assert sizes and min(sizes) >= 12, sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The numbers follow the language of the page.
    page.locator(".map__layer").select_option("committed")
    expect(section).to_have_attribute("data-layer", "committed")
    total = {"de": "4.000\u00a0EUR", "fr": "4\u202f000\u00a0EUR"}[language]
    expect(section.locator(".map-legend__total")).to_have_text(re.compile(": " + re.escape(total) + "$"))


# Every school's marker, as drawn, against the map's box (issue 11 acceptance walk: at 390 px the
# map was not fitted to the schools and one was cut off at the right edge).
MARKERS_OUTSIDE_THE_MAP = """() => {
  const container = document.querySelector(".map__canvas");
  const map = container.digileapMap;
  const box = container.getBoundingClientRect();
  const outside = [];
  map.eachLayer((layer) => {
    if (!(layer instanceof L.CircleMarker)) return;
    const point = map.latLngToContainerPoint(layer.getLatLng());
    const r = layer.getRadius();
    const x = box.left + point.x, y = box.top + point.y;
    if (x - r < box.left || x + r > box.right || y - r < box.top || y + r > box.bottom) {
      outside.push([layer.options.label, x, y, box.left, box.right, box.top, box.bottom]);
    }
  });
  return outside;
}"""


@pytest.mark.parametrize("first_width", [390, 1366])
def test_at_390_px_every_school_is_inside_the_map(
    browser_session,  # noqa: F811
    role_users,
    programme,  # noqa: F811
    first_width,
):
    """Opened on a phone, or on a wide screen made narrow (a window resized, a phone turned): the
    map is fitted to the schools of the box it has."""
    page = browser_session.page
    programme_, _second, _third = programme
    page.set_viewport_size({"width": first_width, "height": 844})
    browser_session.sign_in_with_cookie(role_users[Role.PROGRAMME_OWNER])
    section = dashboard(browser_session, programme_)
    expect(section).to_have_attribute("data-outlines", "54")
    page.set_viewport_size({"width": 390, "height": 844})
    section.locator(".map__canvas").scroll_into_view_if_needed()
    page.wait_for_function(
        """() => { const c = document.querySelector(".map__canvas");
        return c.digileapMap.getSize().x === c.clientWidth; }"""
    )
    page.wait_for_timeout(300)  # a refit after a resize is not animated; let Leaflet settle
    count = page.evaluate(
        """() => { let n = 0; document.querySelector(".map__canvas").digileapMap.eachLayer(
        (layer) => { if (layer instanceof L.CircleMarker) n += 1; }); return n; }"""
    )
    assert count == 2
    assert page.evaluate(MARKERS_OUTSIDE_THE_MAP) == []
