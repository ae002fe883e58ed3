import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent, ImportProfile
from digileap.core.permissions import SystemActor
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.schools import services
from digileap.schools.models import Enrolment, School, SchoolOperator, SocioEconomicIndex, StaffCount

from .import_files import (
    GENERIC_HEADERS,
    HAMBURG_HEADERS,
    HAMMER_KIRCHE,
    database_counts,
    generic_row,
    hamburg_row,
    hamburg_rows,
    mv_rows,
    write_csv,
)

pytestmark = pytest.mark.django_db

PROFILES = Path(__file__).resolve().parent.parent / "import_profiles"


@pytest.fixture
def admin(db):
    return user_with_role(Role.ADMINISTRATOR, username="admin")


def run(path, profile, actor, **options):
    return run_import(target="schools", source=path, profile=profile, actor=actor, **options)


def saved_profile(base: str, name: str, **changes) -> str:
    definition = json.loads((PROFILES / f"{base}.json").read_text(encoding="utf-8"))
    definition.update(name=name, **changes)
    ImportProfile.objects.create(name=name, target="schools", definition=definition)
    return name


def write_xlsx(path: Path, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([_number_or_text(cell) for cell in row])
    workbook.save(path)
    return path


def _number_or_text(cell):
    if isinstance(cell, str) and cell.startswith("="):
        return cell
    for kind in (int, float):
        try:
            return kind(cell)
        except (TypeError, ValueError):
            pass
    return cell


# -- the Hamburg and MV shapes ---------------------------------------------------------------------


def test_hamburg_file_creates_schools_operators_index_pupils_and_positions(tmp_path, admin):
    result = run(write_csv(tmp_path / "hamburg.csv", hamburg_rows()), "hamburg", admin)
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 1, "rejected": 0}
    assert (result.committed, result.rows, result.encoding, result.delimiter) == (True, 5, "UTF-8", ",")
    hammer = School.objects.select_related("authority", "operator", "ses_scale").get(number=HAMMER_KIRCHE["number"])
    assert (hammer.authority.code, hammer.authority.name) == ("DE-HH", "Freie und Hansestadt Hamburg")
    assert (hammer.operator.name, hammer.operator.kind, hammer.sector) == (
        "Katholischer Schulverband Hamburg",
        "private",
        "private",
    )
    assert (hammer.latitude, hammer.longitude) == (
        Decimal(HAMMER_KIRCHE["latitude"]),
        Decimal(HAMMER_KIRCHE["longitude"]),
    )
    assert (hammer.type_code, hammer.type_label, hammer.levels) == ("G", "Grundschule", [0, 1])
    assert (hammer.pupils_total, hammer.ses_value, hammer.ses_scale.code) == (314, Decimal("4"), "de-hh-sozialindex")
    assert list(Enrolment.objects.filter(school=hammer).values_list("school_year", "level", "grade", "pupils")) == [
        ("2015/16", 0, 0, 51),
        ("2015/16", 1, 0, 263),
    ]
    assert (hammer.street, hammer.postal_code, hammer.city) == ("Musterstraße 10", "20535", "Hamburg")
    main_site = hammer.sites.get()
    assert (main_site.is_main, main_site.latitude, main_site.longitude) == (True, hammer.latitude, hammer.longitude)
    unknown_index = School.objects.get(number="5100")
    assert (unknown_index.ses_value, unknown_index.pupils_total, unknown_index.operator.name) == (
        None,
        310,
        "Behörde für Schule und Berufsbildung Hamburg",
    )
    assert not SocioEconomicIndex.objects.filter(school=unknown_index).exists()
    assert School.objects.get(number="5050").levels == [2, 3]
    assert sorted(SchoolOperator.objects.values_list("name", flat=True)) == [
        "Behörde für Schule und Berufsbildung Hamburg",
        "Katholischer Schulverband Hamburg",
    ]
    assert sorted(AuditEvent.objects.values_list("action", "object_type")) == sorted(
        [("create", "schools.authority")]
        + [("create", "schools.schooloperator")] * 2
        + [("create", "schools.school")] * 4
        + [("import", "schools.import")]
    )
    summary_event = AuditEvent.objects.get(action="import")
    assert (summary_event.actor_label, summary_event.after) == (
        "admin",
        {"created": 4, "updated": 0, "unchanged": 1, "rejected": 0},
    )


def test_re_importing_the_same_file_changes_nothing_and_writes_no_audit_event(tmp_path, admin):
    path = write_csv(tmp_path / "hamburg.csv", hamburg_rows())
    run(path, "hamburg", admin)
    before = database_counts()
    updated_at = list(School.objects.order_by("id").values_list("updated_at", flat=True))
    result = run(path, "hamburg", admin)
    assert result.summary() == {"created": 0, "updated": 0, "unchanged": 5, "rejected": 0}
    assert database_counts() == before
    assert list(School.objects.order_by("id").values_list("updated_at", flat=True)) == updated_at


def test_hamburg_file_as_xlsx_gives_the_same_registry(tmp_path, admin):
    result = run(write_xlsx(tmp_path / "hamburg.xlsx", hamburg_rows()), "hamburg", admin)
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 1, "rejected": 0}
    assert result.file_format == "xlsx"
    hammer = School.objects.get(number="3201")
    assert (hammer.latitude, hammer.longitude, hammer.pupils_total) == (
        Decimal("53.556727"),
        Decimal("10.054930"),
        314,
    )
    csv_result = run(write_csv(tmp_path / "hamburg.csv", hamburg_rows()), "hamburg", admin)
    assert csv_result.summary() == {"created": 0, "updated": 0, "unchanged": 5, "rejected": 0}


def test_mv_file_with_its_multi_line_cell_and_districts_as_operators(tmp_path, admin):
    result = run(write_csv(tmp_path / "mv.csv", mv_rows()), "mv", admin)
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    centre = School.objects.select_related("operator", "authority").get(number="75335456")
    assert (centre.type_code, centre.levels) == ("KGS/GS/ FöL", [1, 2, 3])
    assert centre.type_label == "Kooperative Gesamtschule mit Grundschule und Förderschwerpunkt Lernen"
    assert (centre.operator.code, centre.operator.name) == ("LUP", "Landkreis Ludwigslust-Parchim")
    assert (centre.authority.code, centre.latitude, centre.pupils_total) == ("DE-MV", None, None)
    assert centre.name == 'Gymnasiales Schulzentrum "Fritz Reuter" Dömitz'
    assert centre.website == "www.schule75335456.example.org"
    assert School.objects.get(number="75435001").operator.code == "MSE"
    assert sorted(SchoolOperator.objects.values_list("code", flat=True)) == ["HRO", "LUP", "MSE"]


def test_mv_re_import_keeps_what_the_file_does_not_carry(tmp_path, admin):
    path = write_csv(tmp_path / "mv.csv", mv_rows())
    run(path, "mv", admin)
    school = School.objects.get(number="75130301")
    services.school_update(actor=admin, school=school, data={"latitude": Decimal("54.1"), "longitude": Decimal("12.1")})
    before = database_counts()
    result = run(path, "mv", admin)
    assert result.summary() == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    school.refresh_from_db()
    assert (school.latitude, school.longitude) == (Decimal("54.100000"), Decimal("12.100000"))
    assert database_counts() == before


# -- positive encodings and separators, through the generic profile --------------------------------


def test_windows_1252_hamburg_file_in_auto_mode_keeps_its_umlauts(tmp_path, admin):
    result = run(write_csv(tmp_path / "excel.csv", hamburg_rows(), encoding="cp1252"), "hamburg", admin)
    assert (result.encoding, result.summary()) == (
        "Windows-1252",
        {"created": 4, "updated": 0, "unchanged": 1, "rejected": 0},
    )
    school = School.objects.get(number="5050")
    assert (school.name, school.street) == ("Stadtteilschule Süd", "Musterstraße 10")


@pytest.mark.parametrize(
    ("delimiter", "encoding", "suffix"),
    [(";", "cp1252", ".csv"), (",", "utf-8-sig", ".csv"), ("\t", "utf-8", ".tsv")],
)
def test_generic_csv_variants(tmp_path, world, admin, delimiter, encoding, suffix):
    rows = [
        GENERIC_HEADERS,
        generic_row("3001", "Schule am Schäferteich", city="Dömitz", operator_code=world.operator.code),
    ]
    result = run(
        write_csv(tmp_path / f"schools{suffix}", rows, delimiter=delimiter, encoding=encoding), "generic", admin
    )
    assert result.summary() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    school = School.objects.get(number="3001")
    assert (school.name, school.city, school.operator, school.pupils_total) == (
        "Schule am Schäferteich",
        "Dömitz",
        world.operator,
        100,
    )
    assert StaffCount.objects.get(school=school).teachers == 8


# -- updates ---------------------------------------------------------------------------------------


def test_an_update_changes_only_what_differs_and_audits_before_and_after(tmp_path, world, admin):
    code = world.operator.code
    rows = [
        GENERIC_HEADERS,
        generic_row("3001", "Nord", operator_code=code),
        generic_row("3002", "Süd", operator_code=code),
    ]
    run(write_csv(tmp_path / "first.csv", rows), "generic", admin)
    nord, sued = School.objects.get(number="3001"), School.objects.get(number="3002")
    sued_updated_at = sued.updated_at
    events_before = AuditEvent.objects.count()
    rows[1] = generic_row("3001", "Nord-West", operator_code=code, pupils="120")
    result = run(write_csv(tmp_path / "second.csv", rows), "generic", admin)
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    nord.refresh_from_db()
    sued.refresh_from_db()
    assert (nord.name, nord.pupils_total, nord.city) == ("Nord-West", 120, "Schwerin")
    assert sued.updated_at == sued_updated_at
    assert list(Enrolment.objects.filter(school=nord).values_list("school_year", "level", "grade", "pupils")) == [
        ("2024/25", 1, 0, 120)
    ]
    new_events = list(AuditEvent.objects.filter(id__gt=0).order_by("id")[events_before:])
    assert [(e.action, e.object_type) for e in new_events] == [
        ("update", "schools.school"),
        ("import", "schools.import"),
    ]
    update = new_events[0]
    assert update.object_id == str(nord.pk)
    assert update.before == {
        "name": "Nord",
        "pupils_total": 100,
        "figures": {"2024/25": {"enrolment": {"1/0": 100}, "teachers": 8}},
    }
    assert update.after == {
        "name": "Nord-West",
        "pupils_total": 120,
        "figures": {"2024/25": {"enrolment": {"1/0": 120}, "teachers": 8}},
    }


def test_an_update_to_a_new_operator_creates_it(tmp_path, world, admin):
    rows = [GENERIC_HEADERS, generic_row("3001", "Nord", operator_code=world.operator.code)]
    run(write_csv(tmp_path / "first.csv", rows), "generic", admin)
    rows[1] = generic_row("3001", "Nord", operator_code="new-board", operator_name="New school board")
    result = run(write_csv(tmp_path / "second.csv", rows), "generic", admin)
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    school = School.objects.select_related("operator").get(number="3001")
    assert (school.operator.code, school.operator.name, school.operator.authority) == (
        "new-board",
        "New school board",
        world.authority,
    )
    update = AuditEvent.objects.get(action="update", object_type="schools.school")
    assert update.before == {"operator_id": world.operator.pk}
    assert update.after == {"operator_id": school.operator.pk}


def test_school_year_override(tmp_path, world, admin):
    rows = [GENERIC_HEADERS, generic_row("3001", "Nord", operator_code=world.operator.code)]
    run(write_csv(tmp_path / "a.csv", rows), "generic", admin, overrides={"school_year": "2025/26"})
    assert list(Enrolment.objects.filter(school__number="3001").values_list("school_year", flat=True)) == ["2025/26"]


# -- rejected rows and skipping them ---------------------------------------------------------------


def test_rejected_rows_refuse_the_whole_import_unless_skipped(tmp_path, world, admin):
    code = world.operator.code
    rows = [
        GENERIC_HEADERS,
        generic_row("3001", "Nord", operator_code=code),
        generic_row("3002", "Süd", operator_code=code, pupils="viele"),
        generic_row("3003", "Ost", operator_code=code, teachers="-2"),
        generic_row("3004", "West", operator_code=code),
    ]
    path = write_csv(tmp_path / "mixed.csv", rows)
    before = database_counts()
    with pytest.raises(ImportRejected) as rejected:
        run(path, "generic", admin)
    assert str(rejected.value) == (
        "2 row(s) rejected; nothing was imported. Correct them, or choose to skip rejected rows."
    )
    assert rejected.value.result.errors == [
        RowError(3, "pupils_isced_1", "'viele' is not a whole number", "viele"),
        RowError(4, "teachers", "-2 is negative; a count must be zero or more", "-2"),
    ]
    assert database_counts() == before
    result = run(path, "generic", admin, skip_invalid=True)
    assert result.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert sorted(School.objects.filter(authority=world.authority).values_list("number", flat=True)) == [
        "1001",
        "3001",
        "3004",
    ]


def test_dry_run_writes_nothing(tmp_path, admin):
    before = database_counts()
    result = run(write_csv(tmp_path / "hamburg.csv", hamburg_rows()), "hamburg", admin, dry_run=True)
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 1, "rejected": 0}
    assert result.committed is False
    assert database_counts() == before


# -- roles and scopes ------------------------------------------------------------------------------


def test_operator_staff_cannot_touch_schools_outside_their_operator(tmp_path, world):
    staff = user_with_role(Role.OPERATOR_STAFF, world.operator)
    rows = [
        GENERIC_HEADERS,
        generic_row("1001", "INSIDE school renamed", operator_code=world.operator.code),
        generic_row("2002", "OUTSIDE school", authority="OUT", operator_code=world.other_operator.code),
        generic_row("1777", "New school", operator_code=world.operator.code),
    ]
    path = write_csv(tmp_path / "scope.csv", rows)
    before = database_counts()
    with pytest.raises(ImportRejected) as rejected:
        run(path, "generic", staff)
    assert rejected.value.result.errors == [
        RowError(3, "number", "school 2002 is outside your scope: your role may not change it", "2002"),
        RowError(4, "number", "school 1777 is outside your scope: your role may not add it", "1777"),
    ]
    assert database_counts() == before
    result = run(path, "generic", staff, skip_invalid=True)
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 2}
    assert School.objects.get(pk=world.school.pk).name == "INSIDE school renamed"
    assert School.objects.get(pk=world.other_school.pk).name == "OUTSIDE school"


def test_operator_staff_may_not_change_the_socio_economic_index(tmp_path, world):
    staff = user_with_role(Role.OPERATOR_STAFF, world.operator)
    rows = [
        [*GENERIC_HEADERS, "ses_value", "ses_scale"],
        [*generic_row("1001", "INSIDE school", operator_code=world.operator.code), "3", "de-hh-sozialindex"],
    ]
    with pytest.raises(ImportRejected) as rejected:
        run(write_csv(tmp_path / "ses.csv", rows), "generic", staff)
    assert rejected.value.result.errors == [
        RowError(2, "ses_value", "your role may not change the socio-economic indices of school 1001", "")
    ]


def test_programme_owner_cannot_create_an_authority(tmp_path, world):
    owner = user_with_role(Role.PROGRAMME_OWNER, world.authority)
    with pytest.raises(ImportRejected) as rejected:
        run(write_csv(tmp_path / "hamburg.csv", hamburg_rows()), "hamburg", owner)
    assert {(e.line, e.message) for e in rejected.value.result.errors} == {
        (line, "authority 'DE-HH' does not exist and your role may not create it") for line in (2, 3, 5, 6)
    }


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SCHOOL_COORDINATOR, Role.FUNDING_ADMINISTRATOR, Role.SUPPLIER])
def test_roles_without_write_rights_cannot_import(tmp_path, world, role):
    scope = {Role.SCHOOL_COORDINATOR: world.school, Role.SUPPLIER: world.supplier}.get(role, world.authority)
    user = user_with_role(role, scope)
    before = database_counts()
    with pytest.raises(PermissionDenied) as denied:
        run(write_csv(tmp_path / "hamburg.csv", hamburg_rows()), "hamburg", user)
    assert str(denied.value) == "Your role may not import schools."
    assert database_counts() == before


def test_system_actor_imports_with_full_rights(tmp_path):
    result = run(write_csv(tmp_path / "mv.csv", mv_rows()), "mv", SystemActor("system (test)"))
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    event = AuditEvent.objects.get(action="import")
    assert (event.actor_id, event.actor_label) == (None, "system (test)")


# -- the corpus of broken files: a clear message, and the database untouched -----------------------


def _hamburg(rows_change=None, headers=None) -> list[list[str]]:
    rows = hamburg_rows()
    if headers is not None:
        rows[0] = headers
    if rows_change:
        rows_change(rows)
    return rows


def _set(row: int, column: str, value: str):
    def change(rows):
        rows[row][HAMBURG_HEADERS.index(column)] = value

    return change


def _file_errors():
    cp1252_rows = _hamburg()
    return {
        "utf16-without-bom": (
            lambda p: p.write_bytes(_csv(_hamburg()).encode("utf-16-le")),
            "hamburg",
            "file.csv, line 1: the file looks like UTF-16LE text without a byte-order mark, which cannot be read "
            "reliably. Save it as CSV UTF-8.",
        ),
        "windows-1252-declared-utf8": (
            lambda p: write_csv(p, cp1252_rows, encoding="cp1252"),
            "hamburg-utf8",
            "file.csv, line 2: the file is not valid UTF-8 text (byte 0xdf). Save it as CSV UTF-8, "
            "or as CSV in Windows-1252 (Latin-1).",
        ),
        "pipe-delimiter": (
            lambda p: write_csv(p, _hamburg(), delimiter="|"),
            "hamburg-comma",
            "The header row has a single column: is the file separated by another character than ','?",
        ),
        "profile-pins-semicolon": (
            lambda p: write_csv(p, _hamburg()),
            "hamburg-semicolon",
            "The header row has a single column: is the file separated by another character than ';'?",
        ),
        "missing-header": (
            lambda p: write_csv(
                p, [[c if c != "C_S_Name" else "Name" for c in r] if i == 0 else r for i, r in enumerate(_hamburg())]
            ),
            "hamburg",
            "file.csv, line 1: missing column(s) 'C_S_Name'.",
        ),
        "duplicated-header": (
            lambda p: write_csv(p, _hamburg(headers=HAMBURG_HEADERS[:-1] + ["C_S_Name"])),
            "hamburg",
            "file.csv, line 1: the header row repeats the column(s) 'C_S_Name'; each column name may appear once",
        ),
        "empty-file": (lambda p: p.write_bytes(b""), "hamburg", "file.csv: the file is empty"),
        "header-only": (
            lambda p: write_csv(p, [HAMBURG_HEADERS]),
            "hamburg",
            "file.csv, line 2: the file has a header row but no data rows",
        ),
        "10-mb-cell": (
            lambda p: write_csv(p, _hamburg(_set(3, "C_S_Name", "x" * (10 * 1024 * 1024)))),
            "hamburg",
            "file.csv, line 4: a cell is longer than 100,000 characters",
        ),
        "xlsx-not-a-zip": (
            lambda p: write_csv(p.with_name("file.xlsx"), _hamburg()),
            "hamburg",
            "file.xlsx: the file is called .xlsx but is not an Excel workbook (it is not a ZIP archive)",
        ),
    }


def _csv(rows) -> str:
    from .import_files import csv_text

    return csv_text(rows)


@pytest.mark.parametrize("case", list(_file_errors()))
def test_broken_files_are_refused_with_a_clear_message_and_change_nothing(tmp_path, world, admin, case):
    run(write_csv(tmp_path / "existing.csv", mv_rows()), "mv", admin)
    saved_profile("hamburg", "hamburg-utf8", encoding="utf-8")
    saved_profile("hamburg", "hamburg-semicolon", delimiter=";")
    saved_profile("hamburg", "hamburg-comma", delimiter=",")
    write, profile, message = _file_errors()[case]
    path = tmp_path / "file.csv"
    write(path)
    if case == "xlsx-not-a-zip":
        path = path.with_name("file.xlsx")
    before = database_counts()
    with pytest.raises(ImportFileError) as error:
        run(path, profile, admin)
    assert message in error.value.describe()
    assert database_counts() == before


def _row_errors():
    conflicting = _hamburg()
    conflicting[3] = list(conflicting[3])
    conflicting[3][HAMBURG_HEADERS.index("C_S_Name")] = "Stadtteilschule Süd (Oberstufe)"
    return {
        "conflicting-duplicate-numbers": (
            conflicting,
            "hamburg",
            [
                RowError(3, "C_S_Nr", "school number 5050 appears again with other values on line(s) 4", "5050"),
                RowError(4, "C_S_Nr", "school number 5050 appears again with other values on line(s) 3", "5050"),
            ],
        ),
        "identical-duplicates-under-reject": (
            _hamburg(),
            "hamburg-strict",
            [
                RowError(
                    3, "C_S_Nr", "school number 5050 appears again on line(s) 4; each school may appear once", "5050"
                ),
                RowError(
                    4, "C_S_Nr", "school number 5050 appears again on line(s) 3; each school may appear once", "5050"
                ),
            ],
        ),
        "text-in-numeric-column": (
            _hamburg(_set(5, "C_S_SuS", "viele")),
            "hamburg",
            [RowError(6, "C_S_SuS", "'viele' is not a whole number", "viele")],
        ),
        "negative-count": (
            _hamburg(_set(4, "C_S_SuS_PS", "-5")),
            "hamburg",
            [RowError(5, "C_S_SuS_PS", "-5 is negative; a count must be zero or more", "-5")],
        ),
        "formula-in-csv": (
            _hamburg(_set(1, "C_S_SuS", "=SUM(1;2)")),
            "hamburg",
            [RowError(2, "C_S_SuS", "formula cells are not accepted; paste the values instead", "=SUM(1;2)")],
        ),
        "social-index-off-scale": (
            _hamburg(_set(5, "C_S_SI", "9")),
            "hamburg",
            [RowError(6, "C_S_SI", "9 is outside the scale 1.000 to 6.000", "9")],
        ),
        "unknown-school-type": (
            _hamburg(_set(5, "C_S_SF", "XYZ")),
            "hamburg",
            [RowError(6, "C_S_SF", "unknown code 'XYZ'; known codes: ErwBi, G, GY, SO, STS", "XYZ")],
        ),
        "total-differs-from-levels": (
            _hamburg(_set(5, "C_S_SuS", "999")),
            "hamburg",
            [RowError(6, "C_S_SuS", "the total 999 differs from the sum of the levels 1000", "999")],
        ),
    }


@pytest.mark.parametrize("case", list(_row_errors()))
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_rejected_rows_are_named_and_change_nothing(tmp_path, world, admin, case, file_format):
    run(write_csv(tmp_path / "existing.csv", mv_rows()), "mv", admin)
    saved_profile("hamburg", "hamburg-strict", duplicates="reject")
    rows, profile, errors = _row_errors()[case]
    path = write_csv(tmp_path / "file.csv", rows) if file_format == "csv" else write_xlsx(tmp_path / "file.xlsx", rows)
    before = database_counts()
    with pytest.raises(ImportRejected) as rejected:
        run(path, profile, admin)
    assert rejected.value.result.errors == errors
    assert database_counts() == before


def test_formula_cells_written_by_excel_are_rejected(tmp_path, admin):
    rows = hamburg_rows()
    path = write_xlsx(tmp_path / "formulas.xlsx", rows)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    column = HAMBURG_HEADERS.index("C_S_SuS") + 1
    sheet.cell(row=2, column=column).value = "=Y2+Z2"
    workbook.save(path)
    before = database_counts()
    with pytest.raises(ImportRejected) as rejected:
        run(path, "hamburg", admin)
    assert rejected.value.result.errors == [
        RowError(2, "C_S_SuS", "formula cells are not accepted; paste the values instead", "=Y2+Z2")
    ]
    assert database_counts() == before


def test_a_school_row_of_another_authority_in_the_hamburg_file_is_merged_only_when_identical(tmp_path, admin):
    rows = [HAMBURG_HEADERS, hamburg_row("7000", "Schule A"), hamburg_row("7000", "Schule A")]
    result = run(write_csv(tmp_path / "dups.csv", rows), "hamburg", admin)
    assert result.summary() == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 0}


def test_a_new_operator_takes_its_region_from_the_file(tmp_path, world, admin):
    headers = [*GENERIC_HEADERS, "operator_region"]
    rows = [
        headers,
        [*generic_row("3001", "Nord", operator_code="vidzeme-1", operator_name="Valmieras novads"), "Vidzeme"],
    ]
    run(write_csv(tmp_path / "regions.csv", rows), "generic", admin)
    operator = SchoolOperator.objects.get(code="vidzeme-1")
    assert (operator.name, operator.region) == ("Valmieras novads", "Vidzeme")
    created = AuditEvent.objects.get(action="create", object_type="schools.schooloperator", object_id=str(operator.pk))
    assert created.after["region"] == "Vidzeme"
