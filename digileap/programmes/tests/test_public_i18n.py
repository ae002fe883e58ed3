"""The public pages in the five languages (issue 11, defects 4 and 9).

Defect 4: the language links had an empty ``href`` and English names ("Dutch"): ``base.html`` set a
``languages`` variable of its own over the page's. Each link now goes to the same page in its
language and names the language in that language.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from digileap.accounts.models import Role

from .factories import FundingSourceFactory, ProgrammeFactory, TargetFactory

D = Decimal
OWN_NAMES = {"en": "English", "nl": "Nederlands", "fr": "Français", "de": "Deutsch", "lv": "Latviešu"}


@pytest.fixture
def programme(world):
    programme = ProgrammeFactory(
        code="open-programme",
        name={"en": "Open programme", "nl": "Open programma"},
        authority=world.authority,
        is_public=True,
    )
    FundingSourceFactory(programme=programme, amount=D("1000.00"), name={"en": "Recovery facility"})
    TargetFactory(programme=programme, due_date=datetime.date(2099, 12, 31))
    return programme


def language_links(html: str) -> list[str]:
    nav = re.search(r'<ul class="language-links">(.*?)</ul>', html, re.S)
    assert nav, "no language links"
    return re.findall(r"<a [^>]*>[^<]*</a>", nav.group(1))


def expected_links(path: str, current: str) -> list[str]:
    links = []
    for code, name in OWN_NAMES.items():
        current_mark = ' aria-current="true"' if code == current else ""
        links.append(f'<a href="{path}?lang={code}" lang="{code}" hreflang="{code}"{current_mark}>{name}</a>')
    return links


def test_the_names_cover_every_language():
    assert list(OWN_NAMES) == [code for code, _label in settings.LANGUAGES]


@pytest.mark.parametrize("language", list(OWN_NAMES))
def test_programme_page_links_to_itself_in_each_language(client, programme, language):
    path = reverse("public:programme", kwargs={"code": programme.code})
    html = client.get(f"{path}?lang={language}").content.decode()
    assert language_links(html) == expected_links(path, language)


@pytest.mark.parametrize("language", list(OWN_NAMES))
def test_index_links_to_itself_in_each_language(client, programme, language):
    path = reverse("public:index")
    html = client.get(f"{path}?lang={language}").content.decode()
    assert language_links(html) == expected_links(path, language)


@pytest.mark.parametrize("language", list(OWN_NAMES))
def test_each_link_opens_the_page_in_its_language(client, programme, language):
    path = reverse("public:programme", kwargs={"code": programme.code})
    html = client.get(f"{path}?lang=en").content.decode()
    href = re.search(rf'<a href="([^"]+)" lang="{language}"', html).group(1)
    response = client.get(href)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in response.content.decode()


def test_the_header_switcher_names_languages_in_their_own_words(client, programme):
    html = client.get(reverse("public:programme", kwargs={"code": programme.code}) + "?lang=de").content.decode()
    options = re.findall(r'<option value="(\w+)" lang="(\w+)"[^>]*>([^<]+)</option>', html)
    assert options == [(code, code, name) for code, name in OWN_NAMES.items()]


def test_the_header_switcher_returns_to_the_page_without_its_lang(client, programme):
    """A ``?lang=`` left in the return address would win over the language just chosen."""
    path = reverse("public:programme", kwargs={"code": programme.code})
    html = client.get(f"{path}?lang=en").content.decode()
    assert f'<input type="hidden" name="next" value="{path}">' in html

    response = client.post("/i18n/setlang/", {"language": "nl", "next": path})
    assert response.status_code == 302
    assert response["Location"] == path
    page = client.get(path)
    assert page["Content-Language"] == "nl"
    assert "<h1>Open programma</h1>" in page.content.decode()


def test_the_header_switcher_keeps_other_parameters(client, role_users):
    client.force_login(role_users[Role.ADMINISTRATOR])
    path = reverse("schools:school-list")
    html = client.get(f"{path}?q=INSIDE&page=1").content.decode()
    assert f'<input type="hidden" name="next" value="{path}?q=INSIDE&amp;page=1">' in html
