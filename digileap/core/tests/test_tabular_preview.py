"""preview.sample: the profile editor's view of a file's first rows, raw and parsed."""

import openpyxl
import pytest

from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.core.tabular.preview import sample
from digileap.core.tabular.profiles import profile_from_dict

PROFILE = {
    "name": "lv",
    "target": "schools",
    "sheet": "Skolas",
    "header_row": 4,
    "columns": [
        {"field": "number", "source": "Kods", "required": True},
        {"field": "pupils_total", "source": "Skaits", "type": "count"},
    ],
}


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "skolas.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Info"
    sheet = book.create_sheet("Skolas")
    sheet.append(["Saraksts"])
    sheet.append([])
    sheet.append([])
    sheet.append(["Kods", "Skaits", "Piezīme"])
    for number in range(1, 31):
        sheet.append([f"{number:04d}", "x" if number == 2 else number * 10, None])
    book.save(path)
    return path


def test_the_first_rows_raw_and_parsed(workbook):
    result = sample(source=workbook, filename="skolas.xlsx", profile=profile_from_dict(PROFILE), limit=3)
    assert result.headers == ["Kods", "Skaits", "Piezīme"]
    assert result.rows == [(5, ["0001", 10, None]), (6, ["0002", "x", None]), (7, ["0003", 30, None])]
    assert [(row.line, row.values) for row in result.parsed] == [
        (5, {"number": "0001", "pupils_total": 10}),
        (6, {"number": "0002"}),
        (7, {"number": "0003", "pupils_total": 30}),
    ]
    assert result.errors == [RowError(6, "Skaits", "'x' is not a whole number", "x")]
    assert (result.error, result.file_format) == ("", "xlsx")


def test_twenty_rows_by_default(workbook):
    result = sample(source=workbook, filename="skolas.xlsx", profile=profile_from_dict(PROFILE))
    assert [line for line, _cells in result.rows] == list(range(5, 25))
    assert len(result.parsed) == 20


def test_a_profile_that_does_not_fit_yet_keeps_headers_and_rows(workbook):
    profile = profile_from_dict({**PROFILE, "columns": [{"field": "number", "source": "Skolas kods"}]})
    result = sample(source=workbook, filename="skolas.xlsx", profile=profile, limit=1)
    assert result.headers == ["Kods", "Skaits", "Piezīme"]
    assert result.rows == [(5, ["0001", 10, None])]
    assert result.parsed == []
    assert result.error == (
        "skolas.xlsx, line 4: missing column(s) 'Skolas kods'. The file's columns are: 'Kods', 'Skaits', 'Piezīme'."
    )


def test_an_unreadable_file_raises(workbook):
    with pytest.raises(ImportFileError) as error:
        sample(source=workbook, filename="skolas.xlsx", profile=profile_from_dict({**PROFILE, "sheet": "Nav"}))
    assert (
        error.value.describe() == "skolas.xlsx: the workbook has no sheet 'Nav'; its sheets are: 1: 'Info', 2: 'Skolas'"
    )
