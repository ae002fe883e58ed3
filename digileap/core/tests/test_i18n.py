"""The five languages: pages render translated, the switcher works, every catalogue is complete.

The catalogues are read from the .po files (compiled here into a temporary folder), so these tests
check what is committed, not a stale .mo file. When GNU gettext is installed, makemessages runs on a
copy of the code: a string marked for translation but missing from the catalogues fails the suite.
"""

import io
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role

TRANSLATED = ["nl", "fr", "de", "lv"]
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PLURAL_FORMS = {
    "nl": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "lv": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);",
}
# The same command as docs/translations.md and `make messages`.
MAKEMESSAGES_IGNORE = [".venv", "var", "bench", "node_modules"]

# Exact texts a person reads, per language.
EXPECTED = {
    "nl": {"schools": "Scholen", "sign_in": "Aanmelden", "lead": "Wat u met uw rollen kunt bereiken:"},
    "fr": {"schools": "Écoles", "sign_in": "Se connecter", "lead": "Ce à quoi vos rôles vous donnent accès :"},
    "de": {"schools": "Schulen", "sign_in": "Anmelden", "lead": "Worauf Sie mit Ihren Rollen zugreifen können:"},
    "lv": {"schools": "Skolas", "sign_in": "Pieteikties", "lead": "Kam varat piekļūt ar savām lomām:"},
}


def po_file(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory) -> Path:
    """The committed .po files compiled by compile_translations into a folder of their own."""
    root = tmp_path_factory.mktemp("locale")
    for language in TRANSLATED:
        target = root / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(LOCALE_DIR / language / "LC_MESSAGES" / "django.po", target / "django.po")
    with override_settings(LOCALE_PATHS=[root]):
        call_command("compile_translations", stdout=io.StringIO())
    return root


@pytest.fixture
def locale_paths(settings, compiled_locale):
    # Changing LOCALE_PATHS empties Django's translation caches (and again when the test ends).
    settings.LOCALE_PATHS = [compiled_locale]


def with_language(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# -- pages -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_sign_in_page_renders_in_the_language(client, locale_paths, language):
    html = with_language(client, language).get(reverse("login")).content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{EXPECTED[language]['sign_in']}</h1>" in html
    assert "<h1>Sign in</h1>" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_signed_in_pages_render_in_the_language(client, locale_paths, language):
    client.force_login(user_with_role(Role.ADMINISTRATOR, username=f"admin-{language}"))
    with_language(client, language)
    expected = EXPECTED[language]

    home = client.get(reverse("home")).content.decode()
    assert f'<html lang="{language}">' in home
    assert f'<p class="page-header__lead">{expected["lead"]}</p>' in home
    assert f'<a href="{reverse("schools:school-list")}">{expected["schools"]}</a>' in home

    schools = client.get(reverse("schools:school-list")).content.decode()
    assert f"<h1>{expected['schools']}</h1>" in schools
    assert "<h1>Schools</h1>" not in schools


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_the_language_switcher_sets_the_language(client, locale_paths, language):
    client.force_login(user_with_role(Role.ADMINISTRATOR, username=f"switcher-{language}"))
    response = client.post("/i18n/setlang/", {"language": language, "next": reverse("schools:school-list")})
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:school-list")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    page = client.get(response["Location"]).content.decode()
    assert f"<h1>{EXPECTED[language]['schools']}</h1>" in page

    back = client.post("/i18n/setlang/", {"language": "en", "next": reverse("schools:school-list")})
    assert back.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "<h1>Schools</h1>" in client.get(reverse("schools:school-list")).content.decode()


def test_the_switcher_offers_exactly_the_five_languages():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "nl", "fr", "de", "lv"]


# -- catalogues ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete(language):
    po = po_file(language)
    assert len(po) > 0
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == language
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS[language]
    assert [e.msgid for e in po if not e.translated()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    nplurals = 3 if language == "lv" else 2
    for entry in po:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == list(range(nplurals)), entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid


PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdifr]|\{\w*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_markup(language):
    problems = []
    for entry in po_file(language):
        if entry.msgid_plural:
            plural = placeholders(entry.msgid_plural)
            allowed = set(placeholders(entry.msgid)) | set(plural)
            for index, text in sorted(entry.msgstr_plural.items()):
                found = placeholders(text)
                # Latvian's first form also serves 21, 31, ...: it must show the number too.
                must_match = index > 0 or language == "lv"
                if (must_match and found != plural) or not set(found) <= allowed:
                    problems.append((entry.msgid, index, text))
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            problems.append((entry.msgid, entry.msgstr))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text and sorted(TAG.findall(text)) != sorted(TAG.findall(entry.msgid)):
                problems.append((entry.msgid, "markup", text))
    assert problems == []


def test_every_language_has_the_same_messages():
    msgids = {language: {(e.msgctxt, e.msgid) for e in po_file(language)} for language in TRANSLATED}
    assert msgids["nl"] == msgids["fr"] == msgids["de"] == msgids["lv"]


GETTEXT_TOOLS = all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib"))


@pytest.mark.skipif(not GETTEXT_TOOLS, reason="GNU gettext is not installed")
def test_every_marked_string_in_the_code_is_translated(tmp_path, monkeypatch):
    """makemessages on a copy of the code (it writes scratch files beside the sources it reads)."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "code"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "static")
    for folder in ("config", "digileap"):
        shutil.copytree(base / folder, copy / folder, ignore=ignore)
    shutil.copytree(LOCALE_DIR, copy / "locale", ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command(
            "makemessages",
            locale=TRANSLATED,
            ignore_patterns=MAKEMESSAGES_IGNORE,
            no_obsolete=True,
            verbosity=0,
        )
    for language in TRANSLATED:
        fresh = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        committed = {(e.msgctxt, e.msgid) for e in po_file(language)}
        missing = [e.msgid for e in fresh if (e.msgctxt, e.msgid) not in committed]
        assert missing == [], f"{language}: run makemessages and translate (docs/translations.md)"
        assert [e.msgid for e in fresh if not e.translated()] == [], language
