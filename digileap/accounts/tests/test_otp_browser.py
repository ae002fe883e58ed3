"""The second factor in Chromium: a programme owner signs in through the form, sets up TOTP from the
QR page (the SVG shows under the CSP, no console error), signs out, signs in again and is asked for
the code. The pages fit a 390 px wide screen."""

from base64 import b32decode
from binascii import unhexlify

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import PASSWORD
from digileap.core.tests import browser_fixtures

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session


def code_for(hex_key: str, steps_ahead: int = 0) -> str:
    return f"{totp(unhexlify(hex_key.encode()), step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_a_programme_owner_sets_up_and_uses_a_second_factor(browser_session, role_users):
    owner = role_users[Role.PROGRAMME_OWNER]
    page = browser_session.page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, browser_session.base_url, owner.username)
    page.goto(browser_session.url("/accounts/otp/"))
    expect(page.locator("h1")).to_have_text("Second factor")
    qr = page.get_by_alt_text("QR code of the key for your authenticator app")
    expect(qr).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", qr.element_handle()) > 0  # the data: SVG loaded
    assert fits(page)
    secret = page.locator("code").inner_text().replace(" ", "")
    key = b32decode(secret).hex()
    page.get_by_label("Code").fill(code_for(key))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator(".messages")).to_contain_text("Your second factor is set up.")
    assert TOTPDevice.objects.get(user=owner).confirmed

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, browser_session.base_url, owner.username)
    expect(page.locator("h1")).to_have_text("Enter your code")
    assert "/accounts/otp/verify/" in page.url
    assert fits(page)
    page.get_by_label("Code").fill(code_for(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).not_to_have_text("Enter your code")
    assert "/accounts/otp/verify/" not in page.url
