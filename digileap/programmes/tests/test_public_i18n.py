"""The public pages in the five languages (issue 11, defects 4 and 9).

Defect 4: the language links had an empty ``href`` and English names ("Dutch"): ``base.html`` set a
``languages`` variable of its own over the page's. Each link now goes to the same page in its
language and names the language in that language.
"""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.tests.translations import extra_translations
from digileap.programmes import public
from digileap.programmes.models import Target

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


# -- defect 9: computed and reported status, English words on English pages, the period, the authority


@pytest.fixture
def milestone(world):
    """Milestone 405 of the Brussels seed: due in the past, far from its value, reported completed."""
    programme = ProgrammeFactory(
        code="brussels-like",
        name={"en": "Digital shift", "nl": "Digitale omkeer"},
        description={"en": "Devices and Wi-Fi for schools."},
        authority=world.authority,
        region=world.authority.name,
        period_start=None,
        period_end=datetime.date(2024, 12, 31),
        tags=["Society", "Education 2.0", "EU funded"],
        is_public=True,
    )
    TargetFactory(
        programme=programme,
        number="405",
        title={"en": "Equip schools", "nl": "Scholen uitrusten"},
        target_value=D("2200"),
        unit="devices",
        due_date=datetime.date(2021, 10, 31),
        due_label="oktober 2021",
        reported_status=Target.ReportedStatus.COMPLETED,
    )
    return programme


def public_page(client, programme, language: str) -> str:
    response = client.get(reverse("public:programme", kwargs={"code": programme.code}) + f"?lang={language}")
    assert response.status_code == 200
    return response.content.decode()


def milestone_html(html: str) -> str:
    return re.search(r'<li class="timeline__item--[^"]*">(.*?)</li>', html, re.S).group(1)


def test_computed_and_reported_status_are_both_shown_and_named(client, milestone):
    item = milestone_html(public_page(client, milestone, "en"))
    assert re.search(
        r"<dt>Computed from the data</dt>\s*<dd>\s*<div class=\"progress-line\">\s*"
        r'<span class="badge badge--late">Late</span>',
        item,
    )
    assert "<span>0 / 2,200 devices (0.0 %)</span>" in item
    assert re.search(r"<dt>Reported by the programme</dt>\s*<dd>Completed</dd>", item)
    assert "The two can differ: the computed status counts only what is recorded in Digileap up to" in item
    assert "reported status:" not in item


def test_no_explanation_when_the_statuses_agree(client, milestone):
    milestone.targets.update(reported_status=Target.ReportedStatus.IN_PROGRESS)
    item = milestone_html(public_page(client, milestone, "en"))
    assert re.search(r"<dt>Reported by the programme</dt>\s*<dd>In progress</dd>", item)
    assert "The two can differ" not in item


@pytest.mark.parametrize(
    ("status", "reported", "differ"),
    [
        ("late", "completed", True),
        ("achieved", "completed", False),
        ("achieved", "in_progress", True),
        ("achieved", "to_do", True),
        ("on_track", "in_progress", False),
        ("at_risk", "to_do", False),
        (None, "completed", False),
    ],
)
def test_statuses_differ(status, reported, differ):
    assert public.statuses_differ(status, reported) is differ


@pytest.mark.parametrize(
    ("language", "when"),
    [
        ("en", "31 October 2021"),
        ("nl", "31 oktober 2021"),
        ("fr", "31 octobre 2021"),
        ("de", "31. Oktober 2021"),
    ],
)
def test_due_date_in_the_page_language_not_the_plan_words(client, milestone, language, when):
    html = public_page(client, milestone, language)
    assert f'<span class="timeline__when">{when}</span>' in milestone_html(html)
    assert "oktober 2021</span>" not in html or language == "nl"


def test_period_without_a_start(client, milestone):
    html = public_page(client, milestone, "en")
    assert '<span class="key-figures__value">until 31 December 2024</span>' in html
    assert "– –" not in html


def test_period_with_both_ends_and_with_none(client, milestone):
    milestone.period_start = datetime.date(2021, 1, 1)
    milestone.save()
    html = public_page(client, milestone, "en")
    assert '<span class="key-figures__value">1 January 2021 – 31 December 2024</span>' in html
    milestone.period_start = milestone.period_end = None
    milestone.save()
    html = public_page(client, milestone, "en")
    assert re.search(r'<span class="key-figures__value">not stated</span><span class="key-figures__label">Period', html)


def test_the_authority_appears_once(client, milestone):
    html = public_page(client, milestone, "en")
    main = html[html.index("<main") :]
    assert main.count(milestone.authority.name) == 1
    assert '<p class="page-header__lead">In progress</p>' in html


def test_region_other_than_the_authority_is_shown(client, milestone):
    milestone.region = "Brussels"
    milestone.save()
    html = public_page(client, milestone, "en")
    assert '<p class="page-header__lead">In progress · Brussels</p>' in html


def test_tags_and_units_in_the_page_language(client, milestone):
    german = {
        "Society": "Gesellschaft",
        "Education 2.0": "Bildung 2.0",
        "EU funded": "EU-finanziert",
        ("unit of a target", "devices"): "Geräte",
    }
    with extra_translations("de", german):
        html = public_page(client, milestone, "de")
    assert (
        '<li class="badge">Gesellschaft</li><li class="badge">Bildung 2.0</li><li class="badge">EU-finanziert</li>'
        in html
    )
    assert "<span>0 / 2.200 Geräte (0,0 %)</span>" in html
    data = client.get(reverse("public:programme-json", kwargs={"code": milestone.code}) + "?lang=en").json()
    assert data["tags"] == ["Society", "Education 2.0", "EU funded"]
    assert data["milestones"][0]["unit"] == "devices"
    assert data["milestones"][0]["due_label"] == "oktober 2021"  # the open data keeps the plan's words


def test_seed_tags_are_stored_in_english_and_marked_for_translation():
    from digileap.programmes.seed_data import PROGRAMMES

    tags = {code["code"]: code["tags"] for code in PROGRAMMES}
    assert tags["brussels-digitale-omkeer"] == ["Society", "Education 2.0", "EU funded"]
    assert tags["flanders-digisprong"] == ["Society", "Education 2.0", "EU funded"]
    assert tags["latvia-dators-ikvienam-bernam"] == ["Digital transformation", "2.3. Digital skills", "2.3.2.3.i."]
    source = (Path(settings.BASE_DIR) / "digileap" / "programmes" / "seed_data.py").read_text(encoding="utf-8")
    for tag in ("Society", "Education 2.0", "EU funded", "Digital transformation", "2.3. Digital skills"):
        assert f'gettext_noop("{tag}")' in source
