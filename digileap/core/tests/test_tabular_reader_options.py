"""Reader options of issue 10: any one-character delimiter, the header row, the XLSX sheet, and
header names matched without regard to case and spacing."""

import openpyxl
import pytest

from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.parsing import parse_rows
from digileap.core.tabular.profiles import profile_from_dict
from digileap.core.tabular.readers import open_table, sheet_names

PROFILE = {
    "name": "options",
    "target": "schools",
    "columns": [
        {"field": "number", "source": "Skolas kods", "required": True},
        {"field": "name", "source": "Skolas nosaukums"},
        {"field": "pupils_total", "source": "Izglītojamo skaits", "type": "count"},
    ],
}


def read(path, profile: dict, **kwargs):
    spec = profile_from_dict(profile)
    table = open_table(
        path,
        delimiter=spec.delimiter,
        encoding=spec.encoding,
        expected_headers=spec.expected_headers,
        header_row=spec.header_row,
        sheet=spec.sheet,
    )
    try:
        return table, list(parse_rows(table, spec, **kwargs))
    finally:
        table.close()


def test_vertical_bar_is_detected_automatically(tmp_path):
    path = tmp_path / "skolas.csv"
    path.write_bytes("Skolas kods|Skolas nosaukums|Izglītojamo skaits\n0101|Rīgas 1. vidusskola|512\n".encode())
    table, rows = read(path, PROFILE)
    assert table.delimiter == "|"
    assert [(row.line, row.values) for row in rows] == [
        (2, {"number": "0101", "name": "Rīgas 1. vidusskola", "pupils_total": 512})
    ]


@pytest.mark.parametrize("delimiter", ["|", "#", "^", "\t"])
def test_any_one_character_delimiter_a_profile_names(tmp_path, delimiter):
    path = tmp_path / "skolas.csv"
    lines = [["Skolas kods", "Skolas nosaukums", "Izglītojamo skaits"], ["7", "Cēsu skola, filiāle; 2", "40"]]
    path.write_bytes("\r\n".join(delimiter.join(line) for line in lines).encode("cp1257") + b"\r\n")
    profile = {**PROFILE, "delimiter": delimiter, "encoding": "cp1257"}
    table, rows = read(path, profile)
    assert table.delimiter == delimiter
    assert rows[0].values == {"number": "7", "name": "Cēsu skola, filiāle; 2", "pupils_total": 40}


def test_csv_header_on_row_4_keeps_the_physical_line_numbers(tmp_path):
    path = tmp_path / "skolas.csv"
    text = (
        "Izglītības iestāžu saraksts;;\r\n"
        "Stāvoklis 2024. gada 1. septembrī;;\r\n"
        ";;\r\n"
        "Skolas kods;Skolas nosaukums;Izglītojamo skaits\r\n"
        "0101;Rīgas 1. vidusskola;512\r\n"
        ';"Skola ar\r\ndivām rindām";x\r\n'
        "0103;Liepājas skola;77\r\n"
    )
    path.write_bytes(text.encode("cp1257"))
    table, rows = read(path, {**PROFILE, "header_row": 4, "encoding": "cp1257"})
    assert table.headers == ["Skolas kods", "Skolas nosaukums", "Izglītojamo skaits"]
    assert table.estimated_rows == 4
    assert [(row.line, row.values.get("number"), row.errors) for row in rows] == [
        (5, "0101", []),
        (
            6,
            None,
            [
                RowError(6, "Skolas kods", "a value is required"),
                RowError(6, "Izglītojamo skaits", "'x' is not a whole number", "x"),
            ],
        ),
        (8, "0103", []),
    ]


def test_a_header_row_beyond_the_file_is_a_clear_error(tmp_path):
    path = tmp_path / "skolas.csv"
    path.write_bytes(b"a;b\n1;2\n")
    with pytest.raises(ImportFileError) as error:
        read(path, {**PROFILE, "header_row": 5})
    assert error.value.describe() == "skolas.csv, line 5: line 5, the profile's header row, is empty or missing"


def write_workbook(path):
    """Two sheets; the second has a title block and its headers on row 4, with a line break and odd case."""
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Piezīmes"
    notes.append(["Šī lapa ir tikai piezīmes"])
    sheet = workbook.create_sheet("Skolas 2024")
    sheet.append(["Vispārējās izglītības iestādes"])
    sheet.append(["Avots: IZM"])
    sheet.append([])
    sheet.append(["SKOLAS  KODS", "Skolas\nnosaukums", "Izglītojamo\u00a0skaits", "Piezīmes", "Piezīmes"])
    sheet.append(["0101", "Rīgas 1. vidusskola", 512, "", "x"])
    sheet.append([None, None, None])
    sheet.append(["0103", "Liepājas skola", 77.0])
    workbook.save(path)


@pytest.mark.parametrize("sheet", ["Skolas 2024", 2, "skolas  2024"])
def test_xlsx_sheet_and_header_row(tmp_path, sheet):
    path = tmp_path / "skolas.xlsx"
    write_workbook(path)
    table, rows = read(path, {**PROFILE, "sheet": sheet, "header_row": 4})
    assert table.headers == ["SKOLAS  KODS", "Skolas\nnosaukums", "Izglītojamo\u00a0skaits", "Piezīmes", "Piezīmes"]
    assert [(row.line, row.values, row.errors) for row in rows] == [
        (5, {"number": "0101", "name": "Rīgas 1. vidusskola", "pupils_total": 512}, []),
        (7, {"number": "0103", "name": "Liepājas skola", "pupils_total": 77}, []),
    ]


def test_an_unknown_sheet_lists_the_sheets(tmp_path):
    path = tmp_path / "skolas.xlsx"
    write_workbook(path)
    for sheet in ("Skolas", 3):
        with pytest.raises(ImportFileError) as error:
            read(path, {**PROFILE, "sheet": sheet, "header_row": 4})
        assert error.value.describe() == (
            f"skolas.xlsx: the workbook has no sheet {sheet!r}; its sheets are: 1: 'Piezīmes', 2: 'Skolas 2024'"
        )


def test_sheet_names(tmp_path):
    path = tmp_path / "skolas.xlsx"
    write_workbook(path)
    assert sheet_names(path, "skolas.xlsx") == ["Piezīmes", "Skolas 2024"]
    with open(path, "rb") as stream:
        assert sheet_names(stream, "skolas.xlsx") == ["Piezīmes", "Skolas 2024"]
        assert stream.tell() == 0
    csv_path = tmp_path / "skolas.csv"
    csv_path.write_bytes(b"a;b\n")
    assert sheet_names(csv_path, "skolas.csv") == []


def test_a_repeated_header_the_profile_uses_is_still_an_error(tmp_path):
    path = tmp_path / "skolas.csv"
    path.write_bytes("Skolas kods;Skolas nosaukums;Izglītojamo skaits;skolas KODS\n1;a;2;3\n".encode())
    with pytest.raises(ImportFileError) as error:
        read(path, PROFILE)
    assert error.value.describe() == (
        "skolas.csv, line 1: the header row repeats the column(s) 'skolas KODS'; each column name may appear once"
    )


def test_importer_headers_take_the_profiles_spelling(tmp_path):
    from digileap.core.tabular.parsing import profile_headers

    spec = profile_from_dict(PROFILE)
    assert profile_headers(["SKOLAS  KODS", "Skolas\nnosaukums", "Cits"], spec) == [
        "Skolas kods",
        "Skolas nosaukums",
        "Cits",
    ]
