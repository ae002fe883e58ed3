"""The milestone and target form in Chromium: the parameters of the chosen kind only, the live preview
of the value in the page's language (static JS, no CSP error), and the pages at 390 px wide."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from digileap.accounts.models import Role
from digileap.core.tests.browser_fixtures import browser_session, chromium  # noqa: F401 - fixtures
from digileap.programmes.models import FundingTransaction

from .factories import FundingSourceFactory, ProgrammeFactory, TargetFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def programme(world):
    programme = ProgrammeFactory(code="BROWSER", authority=world.authority)
    source = FundingSourceFactory(programme=programme, position=1, name={"en": "EU RRF"}, amount=Decimal("1000"))
    FundingTransaction.objects.create(
        programme=programme,
        source=source,
        kind="committed",
        amount=Decimal("12345.60"),
        date=datetime.date(2024, 2, 1),
        school=world.school,
        recorded_at=timezone.now(),
    )
    TargetFactory(programme=programme, number="1", title={"en": "A target with a rather long title to wrap"})
    return programme


@pytest.mark.parametrize(("language", "expected"), [("en", "12,345.60 EUR"), ("de", "12.345,60 EUR")])
def test_the_preview_follows_the_kind_and_parameters(browser_session, programme, role_users, language, expected):  # noqa: F811
    page = browser_session.page
    browser_session.sign_in_with_cookie(role_users[Role.PROGRAMME_OWNER])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": browser_session.base_url}])
    browser_session.goto(reverse("programmes:programme-target-create", args=[programme.pk]))
    money = page.locator('[data-indicator-kind="money"]')
    expect(money).to_be_hidden()
    page.select_option("#id_indicator_kind", "money")
    expect(money).to_be_visible()
    expect(page.locator('[data-indicator-kind="manual"]')).to_be_hidden()
    page.select_option("#id_param__money__measure", "committed")
    expect(page.locator("#indicator-preview")).to_have_text(expected)
    page.select_option("#id_param__money__measure", "paid")
    expect(page.locator("#indicator-preview")).to_have_text("0 EUR")
    assert browser_session.unexpected_errors() == []


def test_the_pages_fit_a_phone(browser_session, programme, role_users):  # noqa: F811
    page = browser_session.page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_session.sign_in_with_cookie(role_users[Role.PROGRAMME_OWNER])
    for name in (
        "programme-targets",
        "programme-target-create",
        "programme-documents",
        "programme-transactions",
        "programme-transactions-import",
    ):
        browser_session.goto(reverse(f"programmes:{name}", args=[programme.pk]))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name} is {width} px wide at 390 px"
    assert browser_session.unexpected_errors() == []
