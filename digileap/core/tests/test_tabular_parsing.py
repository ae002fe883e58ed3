from decimal import Decimal

import pytest

from digileap.core.tabular.coordinates import to_wgs84
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.parsing import parse_rows
from digileap.core.tabular.profiles import ProfileError, profile_from_dict
from digileap.core.tabular.readers import open_table

PROFILE = {
    "name": "test",
    "target": "schools",
    "constants": {"country": "DE"},
    "columns": [
        {"field": "number", "source": "Nr", "required": True},
        {"field": "name", "source": "Name", "required": True},
        {"field": "pupils", "source": "SuS", "type": "count"},
        {"field": "index", "source": "SI", "type": "decimal", "blank_values": ["-1"]},
        {"field": "kind", "source": "Art", "type": "code", "codes": "kinds", "keep_code_as": "kind_code"},
        {"field": "street", "source": ["Str", "HNr"], "join": " "},
        {"field": "email", "source": "Mail", "type": "email", "optional_column": True},
        {"field": "x", "source": "X", "type": "decimal", "optional_column": True},
        {"field": "y", "source": "Y", "type": "decimal", "optional_column": True},
    ],
    "code_lists": {
        "kinds": {"KGS/GS/ FöL": {"type_label": "Gesamtschule", "levels": [1, 2, 3]}, "GS": {"levels": [1]}}
    },
    "coordinates": {"x": "x", "y": "y", "crs": "EPSG:25832"},
}
HEADER = "Nr,Name,SuS,SI,Art,Str,HNr"


def parse(tmp_path, text: str, profile: dict | None = None, **options) -> list:
    path = tmp_path / "file.csv"
    path.write_bytes(text.encode())
    spec = profile_from_dict(profile or PROFILE)
    table = open_table(path, delimiter=spec.delimiter, expected_headers=spec.expected_headers)
    try:
        return list(parse_rows(table, spec, **options))
    finally:
        table.close()


def test_values_are_typed_and_constants_and_code_lists_applied(tmp_path):
    (row,) = parse(tmp_path, HEADER + '\n12,Süd,250,"4,5","KGS/GS/\nFöL",Hauptstraße,5a\n')
    assert row.line == 2
    assert row.errors == []
    assert row.values == {
        "country": "DE",
        "number": "12",
        "name": "Süd",
        "pupils": 250,
        "index": Decimal("4.5"),
        "type_label": "Gesamtschule",
        "levels": [1, 2, 3],
        "kind_code": "KGS/GS/ FöL",
        "street": "Hauptstraße 5a",
        "email": None,
        "latitude": None,
        "longitude": None,
    }


def test_blank_values_and_defaults(tmp_path):
    (row,) = parse(tmp_path, HEADER + "\n12,Süd,,-1,GS,,\n")
    assert row.errors == []
    assert (row.values["pupils"], row.values["index"], row.values["street"]) == (None, None, None)


def test_text_in_a_numeric_column_and_negative_counts(tmp_path):
    (row,) = parse(tmp_path, HEADER + "\n12,Süd,viele,sechs,GS,,\n")
    assert row.errors == [
        RowError(2, "SuS", "'viele' is not a whole number", "viele"),
        RowError(2, "SI", "'sechs' is not a number", "sechs"),
    ]
    (row,) = parse(tmp_path, HEADER + "\n12,Süd,-5,3,GS,,\n")
    assert row.errors == [RowError(2, "SuS", "-5 is negative; a count must be zero or more", "-5")]


def test_required_values_unknown_codes_and_bad_email(tmp_path):
    text = "Nr,Name,SuS,SI,Art,Str,HNr,Mail\n,Süd,1,1,XYZ,,,not-an-address\n"
    (row,) = parse(tmp_path, text)
    assert row.errors == [
        RowError(2, "Nr", "a value is required", ""),
        RowError(2, "Art", "unknown code 'XYZ'; known codes: GS, KGS/GS/ FöL", "XYZ"),
        RowError(2, "Mail", "'not-an-address' is not an e-mail address", "not-an-address"),
    ]


def test_formula_cells_in_csv_are_rejected(tmp_path):
    (row,) = parse(tmp_path, HEADER + '\n12,"=HYPERLINK(""http://evil"")",1,1,GS,,\n')
    assert row.errors == [
        RowError(2, "Name", "formula cells are not accepted; paste the values instead", '=HYPERLINK("http://evil")')
    ]


def test_missing_headers_name_the_columns_and_show_what_the_file_has(tmp_path):
    with pytest.raises(ImportFileError) as error:
        parse(tmp_path, "Nr,Name,SuS\n1,a,2\n")
    assert error.value.describe() == (
        "file.csv, line 1: missing column(s) 'SI', 'Art', 'Str', 'HNr'. The file's columns are: 'Nr', 'Name', 'SuS'."
    )


def test_duplicated_headers(tmp_path):
    with pytest.raises(ImportFileError) as error:
        parse(tmp_path, HEADER + ",Name\n1,a,2,3,GS,,,b\n")
    assert error.value.describe() == (
        "file.csv, line 1: the header row repeats the column(s) 'Name'; each column name may appear once"
    )


def test_wrong_delimiter_gets_a_hint(tmp_path):
    with pytest.raises(ImportFileError) as error:
        parse(tmp_path, HEADER.replace(",", "#") + "\n1#a#2#3#GS##\n")
    assert error.value.message.endswith(
        "The header row has a single column: is the file separated by another character than ','?"
    )


def test_a_profile_that_pins_semicolons_on_a_comma_file(tmp_path):
    with pytest.raises(ImportFileError) as error:
        parse(tmp_path, HEADER + "\n1,a,2,3,GS,,\n", profile={**PROFILE, "delimiter": ";"})
    assert error.value.line == 1
    assert error.value.message.startswith("missing column(s) 'Nr', 'Name'")
    assert error.value.message.endswith("is the file separated by another character than ';'?")


def test_coordinates_from_epsg_25832_to_wgs84(tmp_path):
    text = HEADER + ",X,Y\n3201,Hammer Kirche,1,1,GS,,,569881.561,5934722.318\n"
    (row,) = parse(tmp_path, text)
    assert (row.values["latitude"], row.values["longitude"]) == (Decimal("53.556727"), Decimal("10.054930"))
    assert "x" not in row.values


def test_coordinates_that_are_not_on_earth(tmp_path):
    (row,) = parse(tmp_path, HEADER + ",X,Y\n1,a,1,1,GS,,,1e30,1e30\n")
    assert [(e.line, e.column) for e in row.errors] == [(2, "X")]


def test_to_wgs84_is_rounded_to_six_places():
    assert to_wgs84(Decimal("569881.561"), Decimal("5934722.318"), "EPSG:25832") == (
        Decimal("53.556727"),
        Decimal("10.054930"),
    )


def test_overrides_replace_file_values(tmp_path):
    (row,) = parse(tmp_path, HEADER + "\n12,Süd,1,1,GS,,\n", overrides={"name": "Anders", "school_year": "2024/25"})
    assert (row.values["name"], row.values["school_year"]) == ("Anders", "2024/25")


def test_progress_is_reported(tmp_path):
    seen = []
    rows = parse(
        tmp_path, HEADER + "\n" + "".join(f"{n},S,1,1,GS,,\n" for n in range(5)), progress=seen.append, progress_every=2
    )
    assert len(rows) == 5
    assert seen == [2, 4, 5]


def test_pattern_columns_add_fields_for_matching_headers(tmp_path):
    profile = {**PROFILE, "pattern_columns": [{"pattern": "^pupils_grade_[0-9]+$", "type": "count"}]}
    (row,) = parse(tmp_path, HEADER + ",pupils_grade_5,other\n1,a,2,3,GS,,,17,x\n", profile=profile)
    assert row.values["pupils_grade_5"] == 17
    assert "other" not in row.values


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": None}, "a profile needs 'name'"),
        ({"columns": [{"field": "a"}]}, "profile test, column 1: needs 'field' and 'source'"),
        ({"columns": [{"field": "a", "source": "A", "type": "money"}]}, "profile test, column 1: unknown type 'money'"),
        (
            {"columns": [{"field": "a", "source": "A", "type": "code", "codes": "nope"}]},
            "profile test, column 1: code list 'nope' is not defined",
        ),
        ({"duplicates": "keep"}, "profile test: duplicates must be 'reject' or 'merge_identical'"),
        (
            {"delimiter": "||"},
            "profile test: delimiter must be auto or one character (such as ',', ';', '|' or a tab)",
        ),
    ],
)
def test_malformed_profiles_are_named(change, message):
    data = {**PROFILE, **change}
    data = {key: value for key, value in data.items() if value is not None}
    with pytest.raises(ProfileError) as error:
        profile_from_dict(data)
    assert str(error.value) == message


def test_numeric_zero_and_numbers_from_xlsx_are_values_not_blanks(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nr", "Name", "SuS", "SI", "Art", "Str", "HNr"])
    sheet.append([4711, "Schule am See", 0, 2.5, "GS", "Seeweg", 3])
    path = tmp_path / "file.xlsx"
    workbook.save(path)
    spec = profile_from_dict(PROFILE)
    table = open_table(path, expected_headers=spec.expected_headers)
    try:
        [row] = list(parse_rows(table, spec))
    finally:
        table.close()
    assert row.errors == []
    assert row.values["number"] == "4711"
    assert row.values["pupils"] == 0
    assert row.values["index"] == Decimal("2.5")
    assert row.values["street"] == "Seeweg 3"
