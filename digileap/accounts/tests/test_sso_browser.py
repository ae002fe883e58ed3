"""Single sign-on in Chromium against a real OpenID provider running on this machine: the npm package
oidc-provider, started by ``oidc_provider/server.mjs`` on a free port for each test.

The issue's "Done means": an SSO user whose provider group maps to a role signs in and lands on
that role's home page; signing out ends the provider's session too (single logout). Also: "cancel"
at the provider and an unverified e-mail end on Digileap's own pages.

Needs node and the npm package (``.ci/run`` and this module install it into
``DIGILEAP_OIDC_PROVIDER_PREFIX``, default ``~/.cache/digileap/oidc-provider``). Without node or
npm the tests are skipped, unless ``CI`` is set: then they fail.
"""

import copy
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from digileap.accounts.models import AccessRequest, RoleAssignment, User
from digileap.core.tests import browser_fixtures

from .test_sso import configure_sso

pytestmark = [pytest.mark.browser, pytest.mark.urls("digileap.accounts.tests.test_sso")]

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session

SERVER = Path(__file__).parent / "oidc_provider" / "server.mjs"
PREFIX = Path(
    os.environ.get("DIGILEAP_OIDC_PROVIDER_PREFIX", Path.home() / ".cache" / "digileap" / "oidc-provider")
).expanduser()
PACKAGE = "oidc-provider@9"


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the single sign-on browser tests", pytrace=False)
    pytest.skip(reason)


def _installed_provider() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _missing("node or npm not found (apt-get install nodejs npm): the local OpenID provider cannot run")
    if not (PREFIX / "node_modules" / "oidc-provider" / "package.json").exists():
        result = subprocess.run(
            [npm, "install", "--prefix", str(PREFIX), PACKAGE, "--no-audit", "--no-fund", "--loglevel=error"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            _missing(f"npm install {PACKAGE} failed: {result.stderr.strip()[-500:]}")
    return Path(node)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def provider(live_server, settings, world) -> Iterator[str]:
    """The provider, knowing the live server's callback; Digileap configured to use it."""
    node = _installed_provider()
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "OIDC_PROVIDER_PREFIX": str(PREFIX),
        "REDIRECT_URI": live_server.url + reverse("oidc_authentication_callback"),
        "POST_LOGOUT_REDIRECT_URI": live_server.url + "/",
    }
    process = subprocess.Popen(
        [str(node), str(SERVER)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        issuer = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            line = process.stdout.readline() if process.stdout else ""
            if line.startswith("ready "):
                break
            if not line and process.poll() is not None:
                pytest.fail(f"the OpenID provider did not start: {process.stderr.read() if process.stderr else ''}")
            if time.monotonic() > deadline:
                pytest.fail("the OpenID provider did not start within 30 s")
        configure_sso(
            settings,
            OIDC_RP_CLIENT_SECRET="digileap-secret",
            OIDC_RP_SCOPES="openid email profile groups",
            OIDC_OP_AUTHORIZATION_ENDPOINT=f"{issuer}/auth",
            OIDC_OP_TOKEN_ENDPOINT=f"{issuer}/token",
            OIDC_OP_USER_ENDPOINT=f"{issuer}/me",
            OIDC_OP_JWKS_ENDPOINT=f"{issuer}/jwks",
            OIDC_OP_LOGOUT_ENDPOINT=f"{issuer}/session/end",
            DIGILEAP_SSO_ROLE_MAP=json.dumps(
                [{"value": "digileap-owners-IN", "role": "programme_owner", "scope": {"authority": "IN"}}]
            ),
        )
        # As config/settings/base.py does with OIDC_OP_LOGOUT_ENDPOINT: the sign-out form may go there.
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], issuer]
        settings.CONTENT_SECURITY_POLICY = policy
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _at_the_provider(session, issuer: str, login: str):
    """From Digileap's sign-in page to the provider's, then sign in there as ``login`` (any password)."""
    page = session.page
    # The provider's development pages load a web font from the internet; this machine may have none.
    session.expected_errors.append(r"127\.0\.0\.1:\d+|fonts\.googleapis")
    session.goto(reverse("login"))
    page.get_by_role("link", name="Sign in with your organisation's account").click()
    page.wait_for_url(f"{issuer}/interaction/**")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign-in").click()
    return page


def test_a_mapped_group_signs_in_to_the_roles_home_page_and_out_of_the_provider(browser_session, provider):
    session, issuer = browser_session, provider
    page = _at_the_provider(session, issuer, "owner")
    with page.expect_navigation(url=session.url("/")):
        page.get_by_role("button", name="Continue").click()  # the provider's consent
    expect(page.locator(".account__name")).to_have_text("Olga Owner")
    expect(page.locator(".account__roles")).to_contain_text("Programme owner")
    expect(page.locator("main")).to_contain_text("Schools")
    expect(page.get_by_role("link", name="Change password")).to_have_count(0)
    user = User.objects.get(email="Owner.SSO@example.org")
    assert [(a.role, a.authority.code, a.source) for a in RoleAssignment.objects.filter(user=user)] == [
        ("programme_owner", "IN", "identity_provider")
    ]
    # Single logout: the provider asks, then sends the browser back to Digileap's home page.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{issuer}/session/end**")
    with page.expect_navigation(url=session.url("/")):
        page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    # The provider's session ended: signing in again asks for the account again.
    session.goto(reverse("login"))
    page.get_by_role("link", name="Sign in with your organisation's account").click()
    page.wait_for_url(f"{issuer}/interaction/**")
    expect(page.locator("input[name=login]")).to_be_visible()


def _fits_390_px(page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_cancel_an_unverified_email_and_no_role_end_on_digileaps_pages(browser_session, provider, settings):
    session, issuer = browser_session, provider
    page = session.page
    session.expected_errors.append(r"status of (403|400)")
    session.goto(reverse("login"))
    page.get_by_role("link", name="Sign in with your organisation's account").click()
    page.wait_for_url(f"{issuer}/interaction/**")
    session.expected_errors.append(r"127\.0\.0\.1:\d+|fonts\.googleapis")
    page.goto(page.url.rstrip("/") + "/abort")  # the provider's "cancel"
    page.wait_for_url(session.url(reverse("oidc_authentication_callback")) + "**")
    expect(page.locator("h1")).to_have_text("Sign-in cancelled")
    expect(page.get_by_role("link", name="Back to the sign-in page")).to_be_visible()

    page = _at_the_provider(session, issuer, "unverified")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(session.url(reverse("oidc_authentication_callback")) + "**")
    expect(page.locator("h1")).to_have_text("E-mail address not verified")
    assert not User.objects.filter(email="unverified@example.org").exists()
    assert not AccessRequest.objects.exists()
    _fits_390_px(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    settings.OIDC_CREATE_USER = True  # everyone gets an account; "nobody"'s groups give no role
    page.context.clear_cookies()  # "unverified" is still signed in at the provider
    page = _at_the_provider(session, issuer, "nobody")
    with page.expect_navigation(url=session.url(reverse("waiting_for_role"))):
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Waiting for a role")
    expect(page.locator("main")).to_contain_text("Digileap's administrators give roles.")
    expect(page.locator("main")).to_contain_text("all-staff")
    assert AccessRequest.objects.get().user.email == "nobody@example.org"
    _fits_390_px(page)
