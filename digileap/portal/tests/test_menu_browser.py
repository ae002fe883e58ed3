"""The main menu and a section's menu on a phone (issue 11 acceptance walk: at 390 px the header and
menus took about 500 px before the hand-out page's heading). Below 700 px both fold behind a "Menu"
button that opens them (mouse or keyboard); on a wide screen they show as before."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from digileap.accounts.models import Role
from digileap.core.tests import browser_fixtures
from digileap.devices.tests.factories import RecipientFactory

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session


def _handout(session, world, role_users, width: int):
    # A long school name, as real ones are: the roles line in the header names it.
    world.school.name = "INSIDE Basisschool De Regenboog Gent"
    world.school.save()
    RecipientFactory(school=world.school, reference="P-01", group="5A")
    session.page.set_viewport_size({"width": width, "height": 844})
    session.sign_in_with_cookie(role_users[Role.SCHOOL_COORDINATOR])
    session.goto(reverse("devices:assignment-handout", kwargs={"school_pk": world.school.pk}))
    return session.page


def test_on_a_phone_the_menus_fold_behind_a_button(browser_session, world, role_users):
    page = _handout(browser_session, world, role_users, 390)
    # From the top of the page (the hand-out page focuses its serial field, which may scroll).
    top = page.locator("main h1").first.evaluate("h1 => h1.getBoundingClientRect().top + window.scrollY")
    assert top < 250, top
    main_link = page.locator(".main-nav a").first
    section_link = page.locator(".section-nav a").first
    expect(main_link).to_be_hidden()
    expect(section_link).to_be_hidden()
    expect(page.get_by_label("Language")).to_be_hidden()
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(main_link).to_be_visible()
    expect(section_link).to_be_visible()
    expect(page.get_by_label("Language")).to_be_visible()
    expect(page.get_by_role("link", name="Change password")).to_be_visible()
    # The keyboard closes it again.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(main_link).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") == 390


def test_on_a_wide_screen_the_menus_show_without_a_click(browser_session, world, role_users):
    page = _handout(browser_session, world, role_users, 1366)
    expect(page.locator(".main-nav a").first).to_be_visible()
    expect(page.locator(".section-nav a").first).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
