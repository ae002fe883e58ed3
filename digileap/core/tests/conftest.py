"""Browser fixtures for the tests in this folder (see browser_fixtures.py). Nothing else belongs here."""

from .browser_fixtures import browser_session, chromium

__all__ = ["browser_session", "chromium"]
