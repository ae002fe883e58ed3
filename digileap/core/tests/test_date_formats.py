"""Dates in each language's own words (issue 11, defect 13: Latvian dates read "6. decembris",
Latvian writes "6. decembrī"). The Latvian month names in the locative are a catalogue of their
own (config/formats/locale), compiled here into a temporary folder as test_i18n does."""

import datetime
import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.test import override_settings
from django.utils import formats, translation

FORMATS_LOCALE = Path(settings.BASE_DIR) / "config" / "formats" / "locale"
DAY = datetime.date(2026, 12, 6)
LOCATIVE = {
    1: "janvārī",
    2: "februārī",
    3: "martā",
    4: "aprīlī",
    5: "maijā",
    6: "jūnijā",
    7: "jūlijā",
    8: "augustā",
    9: "septembrī",
    10: "oktobrī",
    11: "novembrī",
    12: "decembrī",
}


@pytest.fixture(scope="module")
def compiled_formats_locale(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("formats-locale")
    target = root / "lv" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(FORMATS_LOCALE / "lv" / "LC_MESSAGES" / "django.po", target / "django.po")
    with override_settings(LOCALE_PATHS=[root]):
        call_command("compile_translations", stdout=io.StringIO())
    return root


@pytest.fixture
def formats_locale(settings, compiled_formats_locale):
    settings.LOCALE_PATHS = [compiled_formats_locale]


def test_the_latvian_month_catalogue_is_installed():
    assert FORMATS_LOCALE in [Path(path) for path in settings.LOCALE_PATHS]
    assert "config.formats" in settings.FORMAT_MODULE_PATH


def test_latvian_date_has_the_month_in_the_locative(formats_locale):
    with translation.override("lv"):
        assert formats.date_format(DAY) == "2026. gada 6. decembrī"
        assert formats.date_format(DAY, "MONTH_DAY_FORMAT") == "6. decembrī"
        assert Template("{{ day }}|{{ day|date }}").render(Context({"day": DAY})) == (
            "2026. gada 6. decembrī|2026. gada 6. decembrī"
        )


@pytest.mark.parametrize("month", range(1, 13))
def test_every_latvian_month(formats_locale, month):
    with translation.override("lv"):
        assert formats.date_format(datetime.date(2021, month, 1)) == f"2021. gada 1. {LOCATIVE[month]}"


def test_latvian_date_and_time(formats_locale):
    moment = datetime.datetime(2021, 10, 1, 9, 30)
    with translation.override("lv"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "2021. gada 1. oktobrī, 09:30"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "6 December 2026"),
        ("nl", "6 december 2026"),
        ("fr", "6 décembre 2026"),
        ("de", "6. Dezember 2026"),
    ],
)
def test_other_languages_keep_their_dates(formats_locale, language, expected):
    with translation.override(language):
        assert formats.date_format(DAY) == expected
