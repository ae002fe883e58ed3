"""Fixtures for the browser tests: Debian's headless Chromium driven by Playwright's sync API.

Import them into a test module (``from digileap.core.tests.browser_fixtures import browser_session, chromium``)
or rely on ``digileap/core/tests/conftest.py``, which imports them for this folder.

- ``chromium``: one browser per test module. Playwright's sync API keeps an asyncio event loop
  running in the main thread while it is started, and Django refuses ORM calls from a thread with
  a running loop (SynchronousOnlyOperation). So the browser lives only as long as the module that
  uses it, with ``DJANGO_ALLOW_ASYNC_UNSAFE`` set for that time only; the other test files that
  share the xdist worker run with a clean main thread.
- ``browser_session``: a fresh context and page per test against pytest-django's ``live_server``
  (transactional database), which records console errors and uncaught page errors. A Content
  Security Policy violation is reported by Chromium as a console error, so it shows up there too.

No browser is ever downloaded: the fixtures launch ``/usr/bin/chromium`` (or ``DIGILEAP_CHROMIUM``).
Without it the tests are skipped, unless ``CI`` is set, where a missing browser fails the run.
The names avoid pytest-playwright's fixture names (``page``, ``browser``, ``context``, ...), so its
own fixtures, which would look for a downloaded browser, never run for these tests.
"""

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM_PATH = os.environ.get("DIGILEAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Where screenshots go (git-ignored); pytest-playwright empties it at the start of a run.
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "test-results"
# Generous for a loaded 2-core CI machine; a passing test never waits this long.
TIMEOUT_MS = 15_000


def chromium_executable() -> str | None:
    path = shutil.which(CHROMIUM_PATH)
    return path if path and os.access(path, os.X_OK) else None


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium for the whole test module."""
    executable = chromium_executable()
    if executable is None:
        reason = f"Chromium not found at {CHROMIUM_PATH} (apt-get install chromium, or set DIGILEAP_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # The ORM calls of the test itself (factories, assertions) run while Playwright's loop runs.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        driver = sync_playwright().start()
        try:
            browser = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
            try:
                yield browser
            finally:
                browser.close()
        finally:
            driver.stop()


@dataclass
class BrowserSession:
    """A page in a fresh browser context, the live server's address, and what went wrong in the console."""

    page: object
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    # Console errors a test provokes on purpose (regular expressions), not counted as failures.
    expected_errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return response

    def sign_in_with_cookie(self, user) -> None:
        """Sign in without the form (the form itself is tested once): a session made by Django's test client."""
        from django.test import Client

        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": self.base_url}]
        )

    def unexpected_errors(self) -> list[str]:
        return [
            message
            for message in self.console_errors
            if not any(re.search(pattern, message) for pattern in self.expected_errors)
        ]

    def screenshot(self, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def browser_session(chromium, live_server) -> Iterator[BrowserSession]:
    """A new context (English, 1280 px wide) and page; fails the test on any unexpected console error."""
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    session = BrowserSession(page=page, base_url=live_server.url)
    page.on("console", lambda message: _record_console(session, message))
    page.on("pageerror", lambda error: session.console_errors.append(f"pageerror: {error}"))
    try:
        yield session
    finally:
        context.close()
    assert session.unexpected_errors() == [], "console errors in the browser"


def _record_console(session: BrowserSession, message) -> None:
    if message.type == "error":
        location = message.location or {}
        session.console_errors.append(f"{message.text} ({location.get('url', '')})")
