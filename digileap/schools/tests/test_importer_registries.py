"""Real registry shapes through profiles alone: rows per school and track (a German state), rows per
site with a building shared by two schools (Belgium's French-speaking community), and a Latvian
ministry workbook with its header on row 4. Each file is generated with the shape of the original."""

from decimal import Decimal

import openpyxl
import pytest

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.profiles import profile_from_dict
from digileap.schools.models import Enrolment, School, SharedSite, Site

from .import_files import write_csv

pytestmark = pytest.mark.django_db

NOTHING_CHANGED = {"created": 0, "updated": 0, "rejected": 0}


@pytest.fixture
def admin(db):
    return user_with_role(Role.ADMINISTRATOR, username="admin")


def run(path, definition: dict, actor, **options):
    profile = profile_from_dict(definition, is_builtin=False)
    return run_import(target="schools", source=path, profile=profile, actor=actor, **options)


def unchanged_again(path, definition, actor) -> dict:
    summary = run(path, definition, actor).summary()
    return {key: summary[key] for key in NOTHING_CHANGED}


# -- Saxony: one row per school and track, municipality number + school number ----------------------

SAXONY_HEADER = [
    "Gemeindekennziffer",
    "Schulnummer",
    "Schulname",
    "Schulart",
    "Bildungsgang",
    "Schüler Primarbereich",
    "Schüler Sekundarbereich I",
    "Schüler Sekundarbereich II",
    "Straße",
    "PLZ Ort",
]
SAXONY_ROWS = [
    ["14612000", "1001", "Oberschule Dresden-Mitte", "OS", "Hauptschulbildungsgang", "", "120", "", "Hauptstr. 1", "01067 Dresden"],
    ["14612000", "1001", "Oberschule Dresden-Mitte", "OS", "Realschulbildungsgang", "", "340", "", "Hauptstr. 1", "01067 Dresden"],
    ["14612000", "1002", "Gymnasium Bürgerwiese", "GY", "Sekundarstufe I", "", "610", "", "Parkstr. 4", "01069 Dresden"],
    ["14612000", "1002", "Gymnasium Bürgerwiese", "GY", "Sekundarstufe II", "", "", "245", "Parkstr. 4", "01069 Dresden"],
    ["14713000", "1001", "Grundschule Leipzig-Süd", "GS", "Grundschule", "212", "", "", "Südplatz 9", "04275 Leipzig"],
]  # fmt: skip
SAXONY = {
    "name": "sachsen",
    "target": "schools",
    "delimiter": ";",
    "encoding": "cp1252",
    "constants": {
        "authority_code": "DE-SN",
        "authority_name": "Freistaat Sachsen",
        "country": "DE",
        "operator_name": "Landesamt für Schule und Bildung",
        "school_year": "2024/25",
    },
    "columns": [
        {"field": "number", "source": ["Gemeindekennziffer", "Schulnummer"], "transforms": [{"template": "{0}-{1}"}]},
        {"field": "name", "source": "Schulname", "required": True},
        {
            "field": "type_code",
            "source": "Schulart",
            "type": "code",
            "codes": "schularten",
            "keep_code_as": "type_code",
        },
        {"field": "levels", "source": "Bildungsgang", "type": "code", "codes": "bildungsgaenge"},
        {"field": "pupils_isced_1", "source": "Schüler Primarbereich", "type": "count"},
        {"field": "pupils_isced_2", "source": "Schüler Sekundarbereich I", "type": "count"},
        {"field": "pupils_isced_3", "source": "Schüler Sekundarbereich II", "type": "count"},
        {"field": "street", "source": "Straße"},
        {"field": "postal_code", "source": "PLZ Ort", "transforms": [{"split": " ", "part": 0, "maxsplit": 1}]},
        {"field": "city", "source": "PLZ Ort", "transforms": [{"split": " ", "part": 1, "maxsplit": 1}]},
    ],
    "code_lists": {
        "schularten": {
            "GS": {"type_label": "Grundschule"},
            "OS": {"type_label": "Oberschule"},
            "GY": {"type_label": "Gymnasium"},
        },
        "bildungsgaenge": {
            "Grundschule": {"levels": [1]},
            "Hauptschulbildungsgang": {"levels": [2]},
            "Realschulbildungsgang": {"levels": [2]},
            "Sekundarstufe I": {"levels": [2]},
            "Sekundarstufe II": {"levels": [3]},
        },
    },
    "merge": {
        "key": ["number"],
        "rules": {"pupils_isced_1": "sum", "pupils_isced_2": "sum", "pupils_isced_3": "sum", "levels": "union"},
        "default": "same",
    },
}


def test_saxony_rows_per_school_and_track_merge_into_one_school_each(tmp_path, admin):
    path = write_csv(tmp_path / "sachsen.csv", [SAXONY_HEADER, *SAXONY_ROWS], delimiter=";", encoding="cp1252")
    result = run(path, SAXONY, admin)
    assert result.summary() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    schools = {
        s.number: s
        for s in School.objects.filter(authority__code="DE-SN").order_by("number").select_related("operator")
    }
    assert sorted(schools) == ["14612000-1001", "14612000-1002", "14713000-1001"]
    oberschule, gymnasium, grundschule = schools.values()
    assert (oberschule.name, oberschule.type_code, oberschule.type_label, oberschule.levels) == (
        "Oberschule Dresden-Mitte",
        "OS",
        "Oberschule",
        [2],
    )
    assert (oberschule.pupils_total, oberschule.postal_code, oberschule.city) == (460, "01067", "Dresden")
    assert (gymnasium.levels, gymnasium.pupils_total) == ([2, 3], 855)
    assert list(Enrolment.objects.filter(school=gymnasium).values_list("level", "grade", "pupils")) == [
        (2, 0, 610),
        (3, 0, 245),
    ]
    assert (grundschule.levels, grundschule.pupils_total, grundschule.city) == ([1], 212, "Leipzig")
    assert Site.objects.filter(school=oberschule).count() == 1  # the main building, as for any new school
    assert unchanged_again(path, SAXONY, admin) == NOTHING_CHANGED


def test_saxony_rows_of_one_school_with_different_names_name_the_column(tmp_path, admin):
    rows = [SAXONY_HEADER, SAXONY_ROWS[0], [*SAXONY_ROWS[1][:2], "Oberschule Mitte", *SAXONY_ROWS[1][3:]]]
    path = write_csv(tmp_path / "sachsen.csv", rows, delimiter=";", encoding="cp1252")
    with pytest.raises(ImportRejected) as refused:
        run(path, SAXONY, admin)
    errors = refused.value.result.errors
    assert {(error.line, error.column) for error in errors} == {(2, "Schulname"), (3, "Schulname")}
    assert not School.objects.exists()


# -- Belgium (FWB): one row per site (implantation), a building shared by two schools --------------

FWB_HEADER = [
    "N° FASE établissement",
    "Nom de l'établissement",
    "N° FASE implantation",
    "Adresse de l'implantation",
    "Code postal",
    "Commune",
    "Latitude",
    "Longitude",
    "Élèves",
]
FWB_ROWS = [
    ["1234", "Athénée Royal Uccle 1", "5001", "Rue du Doyenné 1", "1180", "Uccle", "50,8012345", "4,3381234", "300"],
    ["1234", "Athénée Royal Uccle 1", "5002", "Avenue Brugmann 2", "1190", "Forest", "50,8123456", "4,3456789", "150"],
    ["2345", "École fondamentale Les Tilleuls", "5003", "Rue des Tilleuls 3", "1180", "Uccle", "", "", "200"],
    ["2345", "École fondamentale Les Tilleuls", "5002", "Avenue Brugmann 2", "1190", "Forest", "50,8123456", "4,3456789", "80"],
]  # fmt: skip
FWB = {
    "name": "fwb",
    "target": "schools",
    "delimiter": ";",
    "encoding": "cp1252",
    "constants": {
        "authority_code": "BE-FWB",
        "authority_name": "Fédération Wallonie-Bruxelles",
        "country": "BE",
        "operator_name": "Wallonie-Bruxelles Enseignement",
        "school_year": "2024/25",
        "language": "fr",
    },
    "columns": [
        {"field": "number", "source": "N° FASE établissement", "required": True},
        {"field": "name", "source": "Nom de l'établissement", "required": True},
        {"field": "site_code", "source": "N° FASE implantation", "required": True},
        {"field": "site_street", "source": "Adresse de l'implantation"},
        {"field": "site_postal_code", "source": "Code postal"},
        {"field": "site_city", "source": "Commune"},
        {"field": "site_latitude", "source": "Latitude", "type": "decimal"},
        {"field": "site_longitude", "source": "Longitude", "type": "decimal"},
        {"field": "pupils_total", "source": "Élèves", "type": "count"},
    ],
    "merge": {
        "key": ["number"],
        "rules": {
            "pupils_total": "sum",
            "site_code": "first",
            "site_street": "first",
            "site_postal_code": "first",
            "site_city": "first",
            "site_latitude": "first",
            "site_longitude": "first",
        },
        "default": "same",
    },
    "options": {
        "sites": {
            "code": "site_code",
            "street": "site_street",
            "postal_code": "site_postal_code",
            "city": "site_city",
            "latitude": "site_latitude",
            "longitude": "site_longitude",
        }
    },
}


def sites_of_school(number: str) -> list[tuple]:
    return list(
        Site.objects.filter(school__number=number)
        .order_by("code")
        .values_list("code", "name", "is_main", "street", "postal_code", "city", "latitude")
    )


def test_fwb_rows_per_site_give_each_school_its_buildings_and_share_one(tmp_path, admin):
    path = write_csv(tmp_path / "fwb.csv", [FWB_HEADER, *FWB_ROWS], delimiter=";", encoding="cp1252")
    result = run(path, FWB, admin)
    assert result.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert dict(School.objects.values_list("number", "pupils_total")) == {"1234": 450, "2345": 280}
    assert sites_of_school("1234") == [
        ("5001", "Rue du Doyenné 1", True, "Rue du Doyenné 1", "1180", "Uccle", Decimal("50.801235")),
        ("5002", "Avenue Brugmann 2", False, "Avenue Brugmann 2", "1190", "Forest", Decimal("50.812346")),
    ]
    assert sites_of_school("2345") == [
        ("5003", "Rue des Tilleuls 3", True, "Rue des Tilleuls 3", "1180", "Uccle", None)
    ]
    shared = SharedSite.objects.select_related("site__school", "school").get()
    assert (shared.site.code, shared.site.school.number, shared.school.number) == ("5002", "1234", "2345")
    assert set(Site.objects.values_list("authority__code", flat=True)) == {"BE-FWB"}
    created = AuditEvent.objects.get(action="create", object_type="schools.school", after__number="2345")
    assert created.after["shared_sites"] == ["5002"]
    assert created.after["sites"]["5003"]["city"] == "Uccle"
    assert unchanged_again(path, FWB, admin) == NOTHING_CHANGED
    assert (Site.objects.count(), SharedSite.objects.count()) == (3, 1)


def test_fwb_re_import_updates_a_moved_building_once_and_keeps_the_others(tmp_path, admin):
    run(write_csv(tmp_path / "a.csv", [FWB_HEADER, *FWB_ROWS], delimiter=";", encoding="cp1252"), FWB, admin)
    moved = [[*row[:3], "Avenue Brugmann 20", *row[4:]] if row[2] == "5002" else row for row in FWB_ROWS]
    path = write_csv(tmp_path / "b.csv", [FWB_HEADER, *moved], delimiter=";", encoding="cp1252")
    result = run(path, FWB, admin)
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    site = Site.objects.get(code="5002")
    assert (site.street, site.name, site.school.number) == ("Avenue Brugmann 20", "Avenue Brugmann 20", "1234")
    update = AuditEvent.objects.get(action="update", object_type="schools.school")
    assert (update.before, update.after) == (
        {"sites": {"5002": {"name": "Avenue Brugmann 2", "street": "Avenue Brugmann 2"}}},
        {"sites": {"5002": {"name": "Avenue Brugmann 20", "street": "Avenue Brugmann 20"}}},
    )
    assert unchanged_again(path, FWB, admin) == NOTHING_CHANGED


def test_fwb_a_shared_building_given_differently_by_two_schools_is_a_row_error(tmp_path, admin):
    rows = [FWB_HEADER, *FWB_ROWS[:3], [*FWB_ROWS[3][:5], "Saint-Gilles", *FWB_ROWS[3][6:]]]
    path = write_csv(tmp_path / "fwb.csv", rows, delimiter=";", encoding="cp1252")
    with pytest.raises(ImportRejected) as refused:
        run(path, FWB, admin)
    [error] = refused.value.result.errors
    assert (error.line, error.column, error.value) == (4, "N° FASE implantation", "5002")
    assert error.message == "site 5002 is given with another city ('Forest') on line 3"
    assert not Site.objects.exists()


# -- Latvia: the ministry's workbook, header on row 4 ------------------------------------------------

LATVIA = {
    "name": "izm",
    "target": "schools",
    "header_row": 4,
    "constants": {
        "authority_code": "LV",
        "authority_name": "Izglītības un zinātnes ministrija",
        "country": "LV",
        "school_year": "2024/25",
        "language": "lv",
    },
    "columns": [
        {"field": "number", "source": "Reģistrācijas numurs", "required": True},
        {"field": "name", "source": "Izglītības iestādes nosaukums", "required": True},
        {"field": "operator_name", "source": "Dibinātājs", "required": True},
        {"field": "city", "source": "Novads"},
        {"field": "pupils_total", "source": "Izglītojamo skaits", "type": "count"},
    ],
}


def write_latvian_workbook(path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Skolas"
    sheet.append(["Vispārējās izglītības iestādes 2024./2025. mācību gadā"])
    sheet.append(["Avots: Valsts izglītības informācijas sistēma"])
    sheet.append([])
    sheet.append(
        ["Reģistrācijas numurs", "Izglītības iestādes nosaukums", "Dibinātājs", "Novads", "Izglītojamo skaits"]
    )
    sheet.append([4313900123, "Rīgas Valsts 1. ģimnāzija", "Rīgas valstspilsētas pašvaldība", "Rīga", 1012])
    sheet.append(["4312900456", "Ādažu vidusskola", "Ādažu novada pašvaldība", "Ādažu novads", 1530])
    workbook.save(path)
    return path


def test_latvian_workbook_with_its_header_on_row_4(tmp_path, admin):
    path = write_latvian_workbook(tmp_path / "izm.xlsx")
    result = run(path, LATVIA, admin)
    assert result.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert list(School.objects.order_by("number").values_list("number", "name", "operator__name", "pupils_total")) == [
        ("4312900456", "Ādažu vidusskola", "Ādažu novada pašvaldība", 1530),
        ("4313900123", "Rīgas Valsts 1. ģimnāzija", "Rīgas valstspilsētas pašvaldība", 1012),
    ]
    assert list(Enrolment.objects.order_by("pupils").values_list("level", "pupils")) == [(None, 1012), (None, 1530)]
    assert unchanged_again(path, LATVIA, admin) == NOTHING_CHANGED


def test_fwb_two_buildings_of_a_school_in_the_same_street_keep_distinct_names(tmp_path, admin):
    rows = [FWB_HEADER, FWB_ROWS[0], [*FWB_ROWS[0][:2], "5009", *FWB_ROWS[0][3:]]]
    path = write_csv(tmp_path / "fwb.csv", rows, delimiter=";", encoding="cp1252")
    assert run(path, FWB, admin).summary()["created"] == 1
    assert list(Site.objects.order_by("code").values_list("code", "name", "is_main")) == [
        ("5001", "Rue du Doyenné 1 (5001)", True),
        ("5009", "Rue du Doyenné 1 (5009)", False),
    ]
    assert unchanged_again(path, FWB, admin) == NOTHING_CHANGED
