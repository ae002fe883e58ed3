"""Texts that stayed English (or raw codes) in every language (issue 11, defect 13): history field
names and codes, import profile names, eligibility group names, units, demo target titles and the
kit in a German agreement.

Words already in the catalogues are checked against the committed .po files (compiled into a
temporary folder, as test_i18n does). Words new with this fix reach the catalogues when the
translator runs ``make messages``; for them the test gives German its words itself
(``extra_translations``), which proves the text goes through gettext.
"""

import io
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from digileap.accounts.models import Role
from digileap.core import audit
from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.core.tabular import profiles as tabular_profiles
from digileap.core.tabular.profile_texts import BUILTIN_PROFILE_LABELS
from digileap.core.templatetags.digileap_audit import audit_action, audit_changes
from digileap.core.tests.translations import extra_translations
from digileap.programmes import demo as programme_demo
from digileap.programmes.translation import unit_label
from digileap.schools.models import EligibilityGroup, EligibleCount, School

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture(scope="module")
def compiled_german(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("locale-de")
    target = root / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po", target / "django.po")
    with override_settings(LOCALE_PATHS=[root]):
        call_command("compile_translations", stdout=io.StringIO())
    return root


@pytest.fixture
def german_catalogue(settings, compiled_german):
    settings.LOCALE_PATHS = [compiled_german]


def german_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    return client


# -- history: field names and codes ----------------------------------------------------------------


@pytest.fixture
def closed_school(world):
    school = world.school
    before = {"status": school.status, "isced_1": True}
    school.status = School.Status.CLOSED
    school.isced_1 = False
    school.save()
    audit.record(
        actor=SystemActor("test"),
        action="update",
        instance=school,
        before=before,
        after={"status": "closed", "isced_1": False, "figures": {"2024/25": {"teachers": 11}}},
    )
    return school


def test_history_shows_field_names_and_code_labels(closed_school):
    event = AuditEvent.objects.filter(object_type="schools.school").latest("id")
    with translation.override("en"):
        changes = [(change.field, change.before, change.after) for change in audit_changes(event)]
        assert sorted(changes) == [
            ("Figures per school year", "–", '{"2024/25": {"teachers": 11}}'),
            ("Primary", "yes", "no"),
            ("Status", "Open", "Closed"),
        ]
        assert audit_action(event) == "changed"
        assert audit_action("publish") == "published"


def test_school_history_in_german(german_catalogue, role_users, closed_school):
    with extra_translations("de", {"changed": "geändert", "figures per school year": "Zahlen je Schuljahr"}):
        client = german_client(role_users[Role.ADMINISTRATOR])
        html = client.get(reverse("schools:school-detail", kwargs={"pk": closed_school.pk})).content.decode()
    assert "<td>geändert</td>" in html
    assert "<li><strong>Status</strong>:" in html
    assert "<del>In Betrieb</del>" in html and "<ins>Geschlossen</ins>" in html
    assert "<strong>Primarbereich</strong>" in html
    assert "<del>ja</del>" in html and "<ins>nein</ins>" in html
    assert "<strong>Zahlen je Schuljahr</strong>" in html
    assert "<strong>status</strong>" not in html and "<ins>closed</ins>" not in html


# -- import profile names --------------------------------------------------------------------------


def test_every_builtin_profile_label_is_marked_for_translation():
    labels = set()
    for directories in tabular_profiles._BUILTIN_DIRS.values():
        for directory in directories:
            for path in directory.glob("*.json"):
                labels.add(json.loads(path.read_text(encoding="utf-8"))["label"])
    assert labels, "no built-in profiles found"
    assert sorted(labels - set(BUILTIN_PROFILE_LABELS)) == []


def test_profile_label_in_german(db):
    generic = tabular_profiles.builtin_profiles("schools")["generic"]
    assert generic.label == "Digileap generic school template"
    with extra_translations("de", {"Digileap generic school template": "Digileap-Schulvorlage"}):
        with translation.override("de"):
            assert generic.display_label == "Digileap-Schulvorlage"
    saved = tabular_profiles.profile_from_dict(
        {**_definition(generic), "label": "Digileap generic school template"}, is_builtin=False
    )
    with extra_translations("de", {"Digileap generic school template": "Digileap-Schulvorlage"}):
        with translation.override("de"):
            assert saved.display_label == "Digileap generic school template"  # people's own words stay


def _definition(profile) -> dict:
    directory = tabular_profiles._BUILTIN_DIRS["schools"][0]
    return json.loads((directory / "generic.json").read_text(encoding="utf-8"))


def test_import_page_lists_profiles_in_german(role_users):
    with extra_translations("de", {"Digileap generic school template": "Digileap-Schulvorlage"}):
        client = german_client(role_users[Role.ADMINISTRATOR])
        html = client.get(reverse("importjob-create")).content.decode()
    assert "Digileap-Schulvorlage (generic)" in html
    assert "Digileap generic school template (generic)" not in html


# -- eligibility group names -----------------------------------------------------------------------


def test_eligibility_group_names_are_marked_in_the_demo():
    from digileap.portal import demo as portal_demo

    names = [name for _code, name, _description in portal_demo.ELIGIBILITY_GROUPS]
    source = Path(portal_demo.__file__).read_text(encoding="utf-8")
    for name in names:
        assert f'gettext_noop("{name}")' in source


def test_eligibility_group_name_in_german(role_users, world):
    group = EligibilityGroup.objects.create(code="low-income", name="Pupils from low-income families")
    EligibleCount.objects.create(school=world.school, school_year="2024/25", group=group, pupils=20)
    _figures(world.school)
    words = {"Pupils from low-income families": "Schülerinnen und Schüler aus einkommensschwachen Familien"}
    with extra_translations("de", words):
        client = german_client(role_users[Role.ADMINISTRATOR])
        html = client.get(reverse("schools:school-detail", kwargs={"pk": world.school.pk})).content.decode()
    assert "Schülerinnen und Schüler aus einkommensschwachen Familien: 20" in html
    assert "Pupils from low-income families" not in html


def _figures(school):
    from digileap.schools.models import Enrolment

    Enrolment.objects.get_or_create(
        school=school, school_year="2024/25", defaults={"level": 1, "grade": 1, "pupils": 30}
    )


# -- units -----------------------------------------------------------------------------------------


def test_units_in_german():
    words = {("unit of a target", "schools"): "Schulen", ("unit of a target", "devices"): "Geräte"}
    with extra_translations("de", words):
        with translation.override("de"):
            assert unit_label("schools") == "Schulen"
            assert unit_label("devices") == "Geräte"
            assert unit_label("EUR") == "EUR"
            assert unit_label("bicycles") == "bicycles"  # a unit nobody listed shows as typed
            assert unit_label("") == ""


def test_programme_detail_shows_the_unit_in_german(role_users, world):
    from digileap.programmes.tests.factories import ProgrammeFactory, TargetFactory

    programme = ProgrammeFactory(authority=world.authority)
    TargetFactory(programme=programme, unit="schools")
    with extra_translations("de", {("unit of a target", "schools"): "Schulen"}):
        client = german_client(role_users[Role.PROGRAMME_OWNER])
        html = client.get(reverse("programmes:programme-detail", kwargs={"pk": programme.pk})).content.decode()
    assert "100 Schulen</td>" in html


# -- demo texts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("texts", [programme_demo.TARGET_TITLES, programme_demo.FUNDING_NAMES])
def test_demo_texts_have_every_language(texts):
    for key, by_language in texts.items():
        assert sorted(by_language) == sorted(LANGUAGES), key
        assert all(text.strip() for text in by_language.values()), key
        assert len(set(by_language.values())) >= 4, key  # not the English text copied


def test_demo_target_titles_in_german():
    assert programme_demo.TARGET_TITLES["D1"]["de"] == "Geförderte Schulen"
    assert programme_demo.TARGET_TITLES["D2"]["lv"] == "Skolu dibinātājiem izmaksātie līdzekļi"


# -- the kit in a German agreement -----------------------------------------------------------------


def test_german_agreement_lists_the_kit_in_german(german_catalogue, world):
    from digileap.devices import agreements_pdf
    from digileap.devices.tests.factories_agreements import AgreementTemplateFactory, agreement_for, hand_out
    from digileap.programmes.tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(authority=world.authority)
    assignment = hand_out(programme=programme, school=world.school, reference="P-1", group="5A", serial="KIT-1")
    template = AgreementTemplateFactory(
        programme=programme, language="de", title="Nutzungsvereinbarung", body="{recipient} erhält {device} mit {kit}."
    )
    agreement = agreement_for(assignment, template)
    with translation.override("en"):  # the reader's interface language does not decide
        values = agreements_pdf.placeholder_values(agreement)
        preview = agreements_pdf.sample_values(programme, "de")
    assert values["kit"] == "Ladegerät, Tasche"
    assert preview["kit"] == "Ladegerät, Tasche"
    with translation.override("en"):
        assert agreements_pdf.kit_text(["charger", "bag"]) == "charger, bag"


def test_history_shows_times_as_the_time_column_does(db):
    event = AuditEvent(
        object_type="accounts.userinvitation",
        action="invite",
        after={"expires_at": "2026-12-21T12:50:04.123456+00:00", "email": "a@example.org", "note": "2026-12-21T12:50"},
    )
    with translation.override("en"), override_settings(TIME_ZONE="Europe/Brussels"):
        changes = {change.field: change.after for change in audit_changes(event)}
    assert changes == {"Expires at": "2026-12-21 13:50", "E-mail address": "a@example.org", "Note": "2026-12-21T12:50"}
