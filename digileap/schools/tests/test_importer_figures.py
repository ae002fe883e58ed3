"""Figures from real registries: totals without levels (bug 2), decimals at the stored precision
(bug 3), summed columns, plausibility limits and replacing a school year's figures (bug 1)."""

from decimal import Decimal

import pytest

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.profiles import profile_from_dict
from digileap.schools.models import Enrolment, School, Site, SocioEconomicIndex, StaffCount

from .import_files import database_counts, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return user_with_role(Role.ADMINISTRATOR, username="admin")


def state_profile(columns: list[dict], **extra) -> dict:
    """A profile as a ministry user writes it for a German state's list (`;`, Windows-1252)."""
    return {
        "name": "state",
        "target": "schools",
        "delimiter": ";",
        "encoding": "cp1252",
        "constants": {
            "authority_code": "DE-NI",
            "authority_name": "Niedersachsen",
            "country": "DE",
            "operator_name": "Land Niedersachsen",
            "school_year": "2024/25",
            **extra.pop("constants", {}),
        },
        "columns": [
            {"field": "number", "source": "Schulnummer", "required": True},
            {"field": "name", "source": "Schulname", "required": True},
            *columns,
        ],
        **extra,
    }


def run(path, definition: dict, actor, **options):
    profile = profile_from_dict(definition, is_builtin=False)
    return run_import(target="schools", source=path, profile=profile, actor=actor, **options)


def enrolment(number: str) -> list[tuple]:
    return list(
        Enrolment.objects.filter(school__number=number)
        .order_by("school_year", "level", "grade")
        .values_list("school_year", "level", "grade", "pupils")
    )


# -- bug 2: a total without a breakdown by level ---------------------------------------------------

TOTAL = {"field": "pupils_total", "source": "Schüler insgesamt", "type": "count"}
PRIMARY = {"field": "pupils_isced_1", "source": "Primarbereich", "type": "count"}
LOWER = {"field": "pupils_isced_2", "source": "Sekundarbereich I", "type": "count"}


def test_a_total_without_levels_is_stored_as_the_total_of_all_levels(tmp_path, admin):
    rows = [
        ["Schulnummer", "Schulname", "Schüler insgesamt"],
        ["70001", "Grundschule Am Wall", "512"],
        ["70002", "Oberschule Süd", "0"],
    ]
    path = write_csv(tmp_path / "ni.csv", rows, delimiter=";", encoding="cp1252")
    result = run(path, state_profile([TOTAL]), admin)
    assert result.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert enrolment("70001") == [("2024/25", None, 0, 512)]
    assert enrolment("70002") == [("2024/25", None, 0, 0)]
    assert dict(School.objects.values_list("number", "pupils_total")) == {"70001": 512, "70002": 0}
    assert School.objects.get(number="70001").levels == []
    created = AuditEvent.objects.get(action="create", object_type="schools.school", after__number="70001")
    assert created.after["figures"] == {"2024/25": {"enrolment": {"total": 512}}}
    again = run(path, state_profile([TOTAL]), admin)
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}


def test_with_level_columns_mapped_empty_level_cells_store_the_total_alone(tmp_path, admin):
    rows = [
        ["Schulnummer", "Schulname", "Primarbereich", "Sekundarbereich I", "Schüler insgesamt"],
        ["70001", "Grundschule Am Wall", "", "", "512"],
        ["70002", "Kooperative Gesamtschule", "120", "380", "500"],
        ["70003", "Grundschule Nord", "200", "", "200"],
    ]
    path = write_csv(tmp_path / "ni.csv", rows, delimiter=";", encoding="cp1252")
    result = run(path, state_profile([PRIMARY, LOWER, TOTAL]), admin)
    assert result.summary() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert enrolment("70001") == [("2024/25", None, 0, 512)]
    assert enrolment("70002") == [("2024/25", 1, 0, 120), ("2024/25", 2, 0, 380)]
    assert enrolment("70003") == [("2024/25", 1, 0, 200)]
    assert dict(School.objects.values_list("number", "pupils_total")) == {"70001": 512, "70002": 500, "70003": 200}
    assert School.objects.get(number="70002").levels == [1, 2]


def test_levels_that_do_not_add_up_to_the_total_reject_the_row_naming_the_column(tmp_path, admin):
    rows = [
        ["Schulnummer", "Schulname", "Primarbereich", "Sekundarbereich I", "Schüler insgesamt"],
        ["70001", "Grundschule Am Wall", "", "", "512"],
        ["70002", "Kooperative Gesamtschule", "120", "300", "500"],
    ]
    path = write_csv(tmp_path / "ni.csv", rows, delimiter=";", encoding="cp1252")
    counts = database_counts()
    with pytest.raises(ImportRejected) as refused:
        run(path, state_profile([PRIMARY, LOWER, TOTAL]), admin)
    assert refused.value.result.errors == [
        RowError(3, "Schüler insgesamt", "the total 500 differs from the sum of the levels 420", "500")
    ]
    assert database_counts() == counts


def test_the_school_total_follows_the_newest_year_whichever_way_it_is_given(tmp_path, admin):
    header = ["Schulnummer", "Schulname", "Schuljahr", "Primarbereich", "Schüler insgesamt"]
    columns = [{"field": "school_year", "source": "Schuljahr"}, PRIMARY, TOTAL]
    definition = state_profile(columns)
    del definition["constants"]["school_year"]
    run(
        write_csv(
            tmp_path / "a.csv", [header, ["70001", "GS", "2023/24", "300", "300"]], delimiter=";", encoding="cp1252"
        ),
        definition,
        admin,
    )
    run(
        write_csv(
            tmp_path / "b.csv", [header, ["70001", "GS", "2024/25", "", "340"]], delimiter=";", encoding="cp1252"
        ),
        definition,
        admin,
    )
    assert School.objects.get(number="70001").pupils_total == 340
    result = run(
        write_csv(
            tmp_path / "c.csv", [header, ["70001", "GS", "2023/24", "310", ""]], delimiter=";", encoding="cp1252"
        ),
        definition,
        admin,
    )
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert School.objects.get(number="70001").pupils_total == 340
    assert enrolment("70001") == [("2023/24", 1, 0, 310), ("2024/25", None, 0, 340)]
    # A breakdown given later for the same year replaces the total: never both for one year.
    run(
        write_csv(
            tmp_path / "d.csv", [header, ["70001", "GS", "2024/25", "345", ""]], delimiter=";", encoding="cp1252"
        ),
        definition,
        admin,
    )
    assert enrolment("70001") == [("2023/24", 1, 0, 310), ("2024/25", 1, 0, 345)]
    assert School.objects.get(number="70001").pupils_total == 345


def test_a_total_of_all_levels_counts_where_enrolment_is_summed_and_not_where_a_level_is_asked(tmp_path, admin):
    from digileap.allocation.formula import PerPupilRule, SchoolInput, _pupils_for

    rows = [["Schulnummer", "Schulname", "Schüler insgesamt"], ["70001", "GS", "512"]]
    run(write_csv(tmp_path / "ni.csv", rows, delimiter=";", encoding="cp1252"), state_profile([TOTAL]), admin)
    school = SchoolInput(school_id=1, number="70001", operator_id=1)
    for _school_id, level, grade, pupils in Enrolment.objects.values_list("school_id", "level", "grade", "pupils"):
        school.pupils[(level, grade)] = pupils
    everyone = PerPupilRule(amount=Decimal(1), levels=(), grades=())
    primary = PerPupilRule(amount=Decimal(1), levels=(1,), grades=())
    assert (_pupils_for(everyone, school), _pupils_for(primary, school)) == ((512, False), (0, False))
    assert Enrolment.objects.filter(level__in=[1, 2]).count() == 0


# -- bug 3: decimals compared at the precision the database keeps ----------------------------------


def test_coordinates_and_index_with_more_places_than_stored_re_import_unchanged(tmp_path, admin):
    rows = [
        ["Schulnummer", "Schulname", "Breite", "Länge", "Sozialindex"],
        ["70001", "GS Am Wall", "53,5567271", "10,0549305", "3,14159"],
        ["70002", "GS Nord", "53.55672749999", "9.99999951", "2"],
    ]
    columns = [
        {"field": "latitude", "source": "Breite", "type": "decimal"},
        {"field": "longitude", "source": "Länge", "type": "decimal"},
        {"field": "ses_value", "source": "Sozialindex", "type": "decimal"},
    ]
    definition = state_profile(columns, constants={"ses_scale": "de-hh-sozialindex"})
    path = write_csv(tmp_path / "ni.csv", rows, delimiter=";", encoding="cp1252")
    assert run(path, definition, admin).summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    school = School.objects.get(number="70001")
    assert (school.latitude, school.longitude, school.ses_value) == (
        Decimal("53.556727"),
        Decimal("10.054931"),
        Decimal("3.142"),
    )
    assert (school.sites.get().latitude, school.sites.get().longitude) == (Decimal("53.556727"), Decimal("10.054931"))
    assert SocioEconomicIndex.objects.get(school=school).value == Decimal("3.142")
    other = School.objects.get(number="70002")
    assert (other.latitude, other.longitude) == (Decimal("53.556727"), Decimal("10.000000"))
    events = AuditEvent.objects.count()
    assert run(path, definition, admin).summary() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert AuditEvent.objects.count() == events


def test_a_coordinate_outside_the_globe_is_a_row_error(tmp_path, admin):
    rows = [["Schulnummer", "Schulname", "Breite"], ["70001", "GS Am Wall", "153,5"]]
    columns = [{"field": "latitude", "source": "Breite", "type": "decimal"}]
    with pytest.raises(ImportRejected) as refused:
        run(write_csv(tmp_path / "ni.csv", rows, delimiter=";", encoding="cp1252"), state_profile(columns), admin)
    assert refused.value.result.errors == [RowError(2, "Breite", "153.5 is above the maximum 90", "153,5")]
    assert not School.objects.exists() and not Site.objects.exists() and not StaffCount.objects.exists()


# -- bug 1: summed columns, plausibility limits, replacing a school year's figures ------------------


def test_two_columns_mapped_to_one_count_are_summed_not_joined(tmp_path, admin):
    rows = [
        ["Schulnummer", "Schulname", "Schüler männlich", "Schüler weiblich"],
        ["70001", "GS Am Wall", "121", "468"],
        ["70002", "GS Nord", "", "37"],
    ]
    columns = [{"field": "pupils_total", "source": ["Schüler männlich", "Schüler weiblich"], "type": "count"}]
    path = write_csv(tmp_path / "ni.csv", rows, delimiter=";", encoding="cp1252")
    assert run(path, state_profile(columns), admin).summary()["created"] == 2
    assert dict(School.objects.values_list("number", "pupils_total")) == {"70001": 589, "70002": 37}
    assert enrolment("70001") == [("2024/25", None, 0, 589)]


def test_a_count_above_its_plausibility_limit_is_a_clear_row_error(tmp_path, admin):
    rows = [
        ["Schulnummer", "Schulname", "Primarbereich", "Lehrkräfte"],
        ["70001", "GS Am Wall", "121468", "12"],
        ["70002", "GS Nord", "310", "2000"],
        ["70003", "GS Süd", "9999", "1500"],
    ]
    columns = [PRIMARY, {"field": "teachers", "source": "Lehrkräfte", "type": "count"}]
    path = write_csv(tmp_path / "ni.csv", rows, delimiter=";", encoding="cp1252")
    with pytest.raises(ImportRejected) as refused:
        run(path, state_profile(columns), admin)
    assert refused.value.result.errors == [
        RowError(2, "Primarbereich", "121468 is above the maximum 10000", "121468"),
        RowError(3, "Lehrkräfte", "2000 is above the maximum 1500", "2000"),
    ]
    assert not School.objects.exists()
    # A profile may allow more where its file needs it.
    wide = [{**PRIMARY, "maximum": 200000}, {"field": "teachers", "source": "Lehrkräfte", "type": "count"}]
    result = run(path, state_profile(wide), admin, skip_invalid=True)
    assert result.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert dict(School.objects.values_list("number", "pupils_total")) == {"70001": 121468, "70003": 9999}


FULL = ["Schulnummer", "Schulname", "Primarbereich", "Sekundarbereich I", "Lehrkräfte"]
FULL_COLUMNS = [PRIMARY, LOWER, {"field": "teachers", "source": "Lehrkräfte", "type": "count"}]


def test_by_default_a_re_import_adds_figures_and_keeps_those_the_row_does_not_give(tmp_path, admin):
    run(
        write_csv(tmp_path / "a.csv", [FULL, ["70001", "KGS", "121", "468", "40"]], delimiter=";", encoding="cp1252"),
        state_profile(FULL_COLUMNS),
        admin,
    )
    corrected = [["Schulnummer", "Schulname", "Schüler insgesamt"], ["70001", "KGS", "589"]]
    path = write_csv(tmp_path / "b.csv", corrected, delimiter=";", encoding="cp1252")
    assert run(path, state_profile([TOTAL]), admin).summary()["updated"] == 1
    assert enrolment("70001") == [("2024/25", None, 0, 589)]
    assert StaffCount.objects.get(school__number="70001").teachers == 40


def test_replace_year_removes_the_figures_a_corrected_row_does_not_give(tmp_path, admin):
    scale = {"constants": {"ses_scale": "de-hh-sozialindex"}}
    ses = {"field": "ses_value", "source": "Sozialindex", "type": "decimal"}
    first = [[*FULL, "Sozialindex"], ["70001", "KGS", "121", "468", "40", "3"], ["70002", "GS", "200", "", "12", "2"]]
    run(
        write_csv(tmp_path / "a.csv", first, delimiter=";", encoding="cp1252"),
        state_profile([*FULL_COLUMNS, ses], **scale),
        admin,
    )
    assert School.objects.get(number="70001").ses_value == Decimal("3")
    corrected = [FULL, ["70001", "KGS", "121", "468", ""], ["70002", "GS", "200", "", "12"]]
    definition = state_profile(FULL_COLUMNS, options={"figures": "replace_year"}, **scale)
    path = write_csv(tmp_path / "b.csv", corrected, delimiter=";", encoding="cp1252")
    events = AuditEvent.objects.count()
    result = run(path, definition, admin)
    assert result.summary() == {"created": 0, "updated": 2, "unchanged": 0, "rejected": 0}
    assert enrolment("70001") == [("2024/25", 1, 0, 121), ("2024/25", 2, 0, 468)]
    assert not StaffCount.objects.filter(school__number="70001").exists()
    assert StaffCount.objects.get(school__number="70002").teachers == 12
    assert not SocioEconomicIndex.objects.exists()
    assert dict(School.objects.values_list("number", "ses_value")) == {"70001": None, "70002": None}
    assert dict(School.objects.values_list("number", "pupils_total")) == {"70001": 589, "70002": 200}
    update = AuditEvent.objects.get(action="update", object_id=str(School.objects.get(number="70001").pk))
    scale_id = update.before["figures"]["2024/25"]["ses"]["scale"]
    assert update.before["figures"] == {
        "2024/25": {
            "enrolment": {"1/0": 121, "2/0": 468},
            "teachers": 40,
            "ses": {"scale": scale_id, "value": "3.000"},
            "eligible": {},
        }
    }
    assert update.after["figures"] == {
        "2024/25": {"enrolment": {"1/0": 121, "2/0": 468}, "teachers": None, "ses": None, "eligible": {}}
    }
    assert AuditEvent.objects.count() == events + 3
    # The same corrected file again changes nothing.
    assert run(path, definition, admin).summary() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert AuditEvent.objects.count() == events + 3


def test_an_unknown_figures_option_is_refused(tmp_path, admin):
    path = write_csv(tmp_path / "a.csv", [FULL, ["70001", "KGS", "1", "2", "3"]], delimiter=";", encoding="cp1252")
    with pytest.raises(ImportFileError, match="the option figures must be 'add' or 'replace_year', not 'merge'"):
        run(path, state_profile(FULL_COLUMNS, options={"figures": "merge"}), admin)


def test_an_operator_name_without_latin_letters_still_gets_a_stable_code(tmp_path, admin):
    rows = [["Schulnummer", "Schulname", "Träger"], ["70001", "GS", "/"], ["70002", "Школа", "Управление образования"]]
    columns = [{"field": "operator_name", "source": "Träger"}]
    path = write_csv(tmp_path / "ni.csv", rows, delimiter=";", encoding="utf-8")
    definition = {**state_profile(columns), "encoding": "utf-8"}
    assert run(path, definition, admin).summary()["created"] == 2
    codes = dict(School.objects.values_list("number", "operator__code"))
    assert codes["70002"] == "управление-образования"
    assert codes["70001"].startswith("operator-") and len(codes["70001"]) == len("operator-") + 16
    assert run(path, definition, admin).summary() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}


def test_the_database_keeps_one_total_of_all_levels_a_year_and_never_splits_it_by_grade(world):
    from django.db import IntegrityError, transaction

    Enrolment.objects.create(school=world.school, school_year="2024/25", level=None, pupils=300)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(school=world.school, school_year="2024/25", level=None, pupils=310)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(school=world.school, school_year="2023/24", level=None, grade=3, pupils=10)
    assert str(Enrolment.objects.get()) == "2024/25 all levels: 300"
