"""run_import's additions of issue 10: warnings, the filtered count, Importer.unpack and context,
and profiles from a file."""

import json

import pytest

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.tabular.engine import ImportResult, importer_for, run_import
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.profiles import ProfileError, load_profile_file, profile_from_dict

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "engine-test",
    "target": "schools",
    "constants": {"authority_code": "DE-TEST", "authority_name": "Testland", "country": "DE"},
    "columns": [
        {"field": "operator_name", "source": "Träger", "required": True},
        {"field": "number", "source": "Schulnummer", "required": True},
        {"field": "name", "source": "Schulname", "required": True},
        {"field": "email", "source": "E-Mail", "type": "email", "on_invalid": "empty"},
    ],
    "filter": [{"column": "Schulart", "not_in": ["Hochschule"]}],
}
LINES = [
    "Träger;Schulnummer;Schulname;E-Mail;Schulart",
    "Stadt Kiel;100;Schule am See;see(at)kiel.de;Grundschule",
    "Land;900;Universität;uni@kiel.de;Hochschule",
    "Stadt Kiel;101;Nordschule;nord@kiel.de;Gymnasium",
]


@pytest.fixture
def admin(db):
    return user_with_role(Role.ADMINISTRATOR, username="admin")


def write(tmp_path, lines=LINES):
    path = tmp_path / "schulen.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def test_warnings_and_filtered_rows_are_reported(tmp_path, admin):
    result = run_import(
        target="schools", source=write(tmp_path), profile=profile_from_dict(PROFILE), actor=admin, dry_run=True
    )
    assert result.warnings == [
        RowError(2, "E-Mail", "'see(at)kiel.de' is not an e-mail address; left empty", "see(at)kiel.de")
    ]
    assert result.filtered == 1
    assert result.rows == 2
    assert result.summary() == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "filtered": 1,
        "warnings": 1,
    }


def test_the_summary_is_unchanged_without_filter_and_warnings():
    result = ImportResult(created=1, updated=2, unchanged=3, rejected=0, committed=True, errors=[])
    assert result.summary() == {"created": 1, "updated": 2, "unchanged": 3, "rejected": 0}


def test_a_filter_that_leaves_out_every_row_says_so(tmp_path, admin):
    profile = profile_from_dict({**PROFILE, "filter": [{"column": "Schulart", "equals": "Förderschule"}]})
    with pytest.raises(ImportFileError) as error:
        run_import(target="schools", source=write(tmp_path), profile=profile, actor=admin, dry_run=True)
    assert error.value.describe() == "schulen.csv: the profile's filter left out every row (3); nothing to import"


def test_unpack_chooses_the_table_and_the_context_reaches_plan(tmp_path, admin, monkeypatch):
    importer_class = importer_for("schools")
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(b"not read by the engine")
    table = write(tmp_path)
    seen = {}

    def unpack(cls, source, *, filename):
        seen["unpacked"] = (source, filename)
        return table, "schulen.csv", {"orgs": ["o1"]}

    original_plan = importer_class.plan

    def plan(self, rows):
        seen["context"] = self.context
        return original_plan(self, rows)

    monkeypatch.setattr(importer_class, "unpack", classmethod(unpack))
    monkeypatch.setattr(importer_class, "plan", plan)
    result = run_import(
        target="schools",
        source=bundle,
        filename="bundle.zip",
        profile=profile_from_dict(PROFILE),
        actor=admin,
        dry_run=True,
    )
    assert seen == {"unpacked": (bundle, "bundle.zip"), "context": {"orgs": ["o1"]}}
    assert result.created == 2


def test_the_default_unpack_is_the_identity():
    assert importer_for("schools").unpack("file.csv", filename="a.csv") == ("file.csv", "a.csv", {})


def test_load_profile_file(tmp_path):
    path = tmp_path / "kiel.json"
    path.write_text(json.dumps({**PROFILE, "name": "kiel"}), encoding="utf-8")
    profile = load_profile_file(path, target="schools")
    assert (profile.name, profile.target, profile.is_builtin, profile.filters) == (
        "kiel",
        "schools",
        False,
        ({"column": "Schulart", "not_in": ["Hochschule"]},),
    )
    with pytest.raises(ProfileError) as error:
        load_profile_file(path, target="deliveries")
    assert str(error.value) == f"{path}: the profile is for schools, not deliveries"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ProfileError) as error:
        load_profile_file(path, target="schools")
    assert str(error.value).startswith(f"{path}: not valid JSON (Expecting property name")


def test_an_importers_own_warnings_join_the_parsers(tmp_path, admin, monkeypatch):
    importer_class = importer_for("schools")
    original_plan = importer_class.plan

    def plan(self, rows):
        result = original_plan(self, rows)
        result.warnings.append(RowError(1, "", "a warning of the importer"))
        return result

    monkeypatch.setattr(importer_class, "plan", plan)
    result = run_import(
        target="schools", source=write(tmp_path), profile=profile_from_dict(PROFILE), actor=admin, dry_run=True
    )
    assert result.warnings == [
        RowError(1, "", "a warning of the importer"),
        RowError(2, "E-Mail", "'see(at)kiel.de' is not an e-mail address; left empty", "see(at)kiel.de"),
    ]


def test_an_xlsx_with_its_header_on_row_4_of_the_second_sheet(tmp_path, admin):
    import openpyxl

    path = tmp_path / "skolas.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Info"
    sheet = book.create_sheet("Skolas")
    sheet.append(["Izglītības iestādes"])
    sheet.append([])
    sheet.append([])
    sheet.append(["Dibinātājs", "Reģ. Nr.", "Nosaukums", "E-pasts", "Veids"])
    sheet.append(["Rīgas valstspilsēta", "4313900001", "Rīgas 1. vidusskola", "r1@riga.lv", "vidusskola"])
    sheet.append(["Rīgas valstspilsēta", "4313900002", "Rīgas 2. vidusskola", "r2@riga", "vidusskola"])
    book.save(path)
    profile = profile_from_dict(
        {
            **PROFILE,
            "sheet": 2,
            "header_row": 4,
            "filter": [],
            "columns": [
                {"field": "operator_name", "source": "Dibinātājs", "required": True},
                {"field": "number", "source": "Reģ. Nr.", "required": True},
                {"field": "name", "source": "Nosaukums", "required": True},
                {"field": "email", "source": "E-pasts", "type": "email", "on_invalid": "empty"},
            ],
        }
    )
    result = run_import(target="schools", source=path, profile=profile, actor=admin, dry_run=True)
    assert (result.created, result.rows, result.file_format) == (2, 2, "xlsx")
    assert result.warnings == [RowError(6, "E-pasts", "'r2@riga' is not an e-mail address; left empty", "r2@riga")]
