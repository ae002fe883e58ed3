"""Figures follow the language (issue 11, defect 5): "12,000,000,00" in French, Dutch and Latvian came
from ``floatformat|intcomma`` (the decimal comma of the language, then English commas over it).

The expected texts are Django's own formats (French and Latvian group with a no-break space).
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from digileap.accounts.models import Role
from digileap.core.formatting import format_money, format_number
from digileap.programmes.tests.factories import (
    FundingSourceFactory,
    FundingTransactionFactory,
    ProgrammeFactory,
    TargetFactory,
)

D = Decimal
NBSP = "\xa0"
TWELVE_MILLION = {
    "en": "12,000,000.00",
    "nl": "12.000.000,00",
    "fr": f"12{NBSP}000{NBSP}000,00",
    "de": "12.000.000,00",
    "lv": f"12{NBSP}000{NBSP}000,00",
}
PAID = {  # 1,234,567.5 paid
    "en": "1,234,567.50",
    "nl": "1.234.567,50",
    "fr": f"1{NBSP}234{NBSP}567,50",
    "de": "1.234.567,50",
    "lv": f"1{NBSP}234{NBSP}567,50",
}
LANGUAGES = list(TWELVE_MILLION)


def test_every_language_is_covered():
    assert LANGUAGES == [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_money_in_each_language(language):
    with translation.override(language):
        assert format_money(D("12000000")) == TWELVE_MILLION[language]
        assert format_money("12000000.00") == TWELVE_MILLION[language]
        assert format_money(12000000) == TWELVE_MILLION[language]
        assert format_money(D("1234567.5")) == PAID[language]


@pytest.mark.parametrize(
    ("value", "places", "english", "german"),
    [
        (D("1200"), None, "1,200", "1.200"),
        (D("14.10"), None, "14.1", "14,1"),
        (D("0.5"), None, "0.5", "0,5"),
        (D("-1234.565"), 2, "-1,234.57", "-1.234,57"),  # half up, as people round
        (D("2.5"), 0, "3", "3"),
        (D("1200.00"), -2, "1,200", "1.200"),
        (D("12.5"), -2, "12.50", "12,50"),
        (D("999999.999"), 2, "1,000,000.00", "1.000.000,00"),
    ],
)
def test_number_places(value, places, english, german):
    with translation.override("en"):
        assert format_number(value, places) == english
    with translation.override("de"):
        assert format_number(value, places) == german


@pytest.mark.parametrize("value", [None, "", "n/a", float("nan"), True])
def test_nothing_is_a_dash(value):
    assert format_number(value) == "–"
    assert format_money(value) == "–"


@pytest.mark.parametrize("language", LANGUAGES)
def test_template_filters(language):
    template = Template('{% load digileap_format %}{{ a|money }}|{{ b|number }}|{{ b|number:1 }}|{{ c|number:"-2" }}')
    with translation.override(language):
        text = template.render(Context({"a": D("12000000"), "b": 1234567, "c": D("12000000.00")}))
    group = {"en": ",", "nl": ".", "de": ".", "fr": NBSP, "lv": NBSP}[language]
    decimal = "." if language == "en" else ","
    million = f"1{group}234{group}567"
    assert text == f"{TWELVE_MILLION[language]}|{million}|{million}{decimal}0|12{group}000{group}000"


def test_no_template_chains_floatformat_and_intcomma():
    """The chain that wrote "12,000,000,00": every template uses ``money``/``number`` instead."""
    root = settings.BASE_DIR / "digileap"
    offenders = [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.html"))
        if re.search(r"floatformat[^|}]*\|intcomma", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# -- pages -----------------------------------------------------------------------------------------


@pytest.fixture
def programme(world):
    programme = ProgrammeFactory(
        code="twelve-million", name={"en": "Twelve million"}, authority=world.authority, is_public=True
    )
    source = FundingSourceFactory(programme=programme, amount=D("12000000.00"), name={"en": "Recovery facility"})
    TargetFactory(programme=programme, due_date=datetime.date(2099, 12, 31))
    FundingTransactionFactory(programme=programme, source=source, amount=D("1234567.50"))
    return programme


def page(user, url: str, language: str) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def cells(html: str) -> list[str]:
    return re.findall(r'<td class="numeric">([^<]*)</td>', html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboard_kpi_cards_and_budget_table(role_users, programme, language):
    url = reverse("programmes:programme-dashboard", kwargs={"pk": programme.pk})
    html = page(role_users[Role.PROGRAMME_OWNER], url, language)
    assert f'<span class="key-figures__value">{TWELVE_MILLION[language]}</span>' in html
    assert f'<span class="key-figures__value">{PAID[language]}</span>' in html
    assert TWELVE_MILLION[language] in cells(html)
    assert PAID[language] in cells(html)
    assert "12,000,000,00" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_detail_budget_table(role_users, programme, language):
    url = reverse("programmes:programme-detail", kwargs={"pk": programme.pk})
    html = page(role_users[Role.PROGRAMME_OWNER], url, language)
    assert f"<dd>{TWELVE_MILLION[language]}</dd>" in html
    assert TWELVE_MILLION[language] in cells(html)
    assert PAID[language] in cells(html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_list_budget_column(role_users, programme, language):
    html = page(role_users[Role.PROGRAMME_OWNER], reverse("programmes:programme-list"), language)
    assert TWELVE_MILLION[language] in cells(html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages(programme, language):
    public = page(None, reverse("public:programme", kwargs={"code": programme.code}) + f"?lang={language}", language)
    assert f'<span class="key-figures__value">{TWELVE_MILLION[language]} EUR</span>' in public
    assert TWELVE_MILLION[language] in cells(public)
    assert PAID[language] in cells(public)
    index = page(None, reverse("public:index") + f"?lang={language}", language)
    assert TWELVE_MILLION[language] in cells(index)
