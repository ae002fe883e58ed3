import codecs
import io

import openpyxl
import pytest

from digileap.core.tabular.errors import ImportFileError
from digileap.core.tabular.readers import FormulaCell, open_table


def rows_of(table) -> list:
    try:
        return list(table.rows())
    finally:
        table.close()


def test_utf8_comma_separated(tmp_path):
    path = tmp_path / "schools.csv"
    path.write_bytes("number,name\r\n1,Schule Süd\r\n2,Nord\r\n".encode())
    table = open_table(path)
    assert (table.format, table.encoding, table.delimiter, table.headers) == ("csv", "UTF-8", ",", ["number", "name"])
    assert table.filename == "schools.csv"
    assert rows_of(table) == [(2, ["1", "Schule Süd"]), (3, ["2", "Nord"])]


def test_utf8_with_bom_loses_the_bom_from_the_first_header(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + "number;name\n1;Grundschule Übersee\n".encode())
    table = open_table(path, expected_headers={"number", "name"})
    assert (table.encoding, table.delimiter, table.headers) == ("UTF-8", ";", ["number", "name"])
    assert rows_of(table) == [(2, ["1", "Grundschule Übersee"])]


def test_excel_semicolon_csv_in_windows_1252_is_read_with_its_umlauts(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("Nummer;Name;Ort\r\n1;Schule am Schäferteich;Dömitz\r\n".encode("cp1252"))
    table = open_table(path, expected_headers={"Nummer", "Name", "Ort"})
    assert (table.encoding, table.delimiter) == ("Windows-1252", ";")
    assert rows_of(table) == [(2, ["1", "Schule am Schäferteich", "Dömitz"])]


def test_windows_1252_file_declared_utf8_names_the_line_and_byte(tmp_path):
    path = tmp_path / "declared.csv"
    path.write_bytes("number,name\n1,Nord\n2,Schäferteich\n".encode("cp1252"))
    with pytest.raises(ImportFileError) as error:
        open_table(path, encoding="utf-8")
    assert error.value.line == 3
    assert error.value.describe() == (
        "declared.csv, line 3: the file is not valid UTF-8 text (byte 0xe4). Save it as CSV UTF-8, "
        "or as CSV in Windows-1252 (Latin-1)."
    )


def test_tab_separated(tmp_path):
    path = tmp_path / "tabs.tsv"
    path.write_bytes(b"number\tname\n7\tWest\n")
    table = open_table(path, expected_headers={"number", "name"})
    assert table.delimiter == "\t"
    assert rows_of(table) == [(2, ["7", "West"])]


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("number\tname\n1\tÖstliche Schule\n".encode("utf-16"))
    table = open_table(path, expected_headers={"number", "name"})
    assert table.encoding == "utf-16"
    assert rows_of(table) == [(2, ["1", "Östliche Schule"])]


@pytest.mark.parametrize(("codec", "variant"), [("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")])
def test_utf16_without_bom_is_refused_with_a_clear_message(tmp_path, codec, variant):
    path = tmp_path / "nobom.csv"
    path.write_bytes("number,name\n1,Nord\n".encode(codec))
    with pytest.raises(ImportFileError) as error:
        open_table(path)
    assert error.value.describe() == (
        f"nobom.csv, line 1: the file looks like {variant} text without a byte-order mark, which cannot be read "
        "reliably. Save it as CSV UTF-8."
    )


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFileError) as error:
        open_table(path)
    assert error.value.describe() == "empty.csv: the file is empty"


def test_blank_first_line(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\r\nnumber\r\n")
    with pytest.raises(ImportFileError) as error:
        open_table(path)
    assert error.value.describe() == "blank.csv, line 1: the first line is empty: the file needs a header row"


def test_a_10_mb_cell_is_refused_with_its_line(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_bytes(b"number,name\n1,Nord\n2," + b"x" * (10 * 1024 * 1024) + b"\n")
    table = open_table(path)
    with pytest.raises(ImportFileError) as error:
        rows_of(table)
    assert error.value.describe() == "huge.csv, line 3: a cell is longer than 100,000 characters"


def test_a_10_mb_header_cell_is_refused(tmp_path):
    path = tmp_path / "huge-header.csv"
    path.write_bytes(b"number," + b"y" * (10 * 1024 * 1024) + b"\n1,2\n")
    with pytest.raises(ImportFileError) as error:
        open_table(path)
    assert error.value.describe() == "huge-header.csv, line 1: the header row is longer than 400,000 characters"


def test_nul_bytes_are_not_text(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"number,name\n1,\x00\x01\x02\x03\xff\xfe\n")
    with pytest.raises(ImportFileError) as error:
        open_table(path)
    assert error.value.line == 2
    assert "NUL bytes" in error.value.message


def test_line_numbers_count_multi_line_cells_and_skip_empty_rows(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_bytes('number,type\n1,"KGS/GS/\nFöL"\n\n,\n2,GS\n'.encode())
    assert rows_of(open_table(path)) == [(2, ["1", "KGS/GS/\nFöL"]), (6, ["2", "GS"])]


def test_xlsx_that_is_not_a_zip(tmp_path):
    path = tmp_path / "schools.xlsx"
    path.write_bytes(b"number,name\n1,Nord\n")
    with pytest.raises(ImportFileError) as error:
        open_table(path)
    assert error.value.describe() == (
        "schools.xlsx: the file is called .xlsx but is not an Excel workbook (it is not a ZIP archive)"
    )


def test_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportFileError) as error:
        open_table(path)
    assert error.value.message.startswith("the file is not a readable Excel workbook")


def test_old_xls_workbook(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(ImportFileError) as error:
        open_table(path)
    assert error.value.describe() == "old.xls: this is an old Excel .xls workbook; save it as .xlsx or as CSV"


def test_xlsx_rows_values_and_formula_cells(tmp_path):
    path = tmp_path / "schools.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["number", "name", "pupils"])
    sheet.append([1001, "Schule Süd", 250])
    sheet.append([])
    sheet.append([1002, "Nord", "=SUM(C2:C2)"])
    workbook.save(path)
    table = open_table(path)
    assert (table.format, table.headers) == ("xlsx", ["number", "name", "pupils"])
    rows = rows_of(table)
    assert rows[0] == (2, [1001, "Schule Süd", 250])
    line, cells = rows[1]
    assert line == 4
    assert cells[:2] == [1002, "Nord"]
    assert isinstance(cells[2], FormulaCell)
    assert cells[2] == "=SUM(C2:C2)"


def test_empty_workbook(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ImportFileError) as error:
        open_table(path)
    assert error.value.describe() == "empty.xlsx: the workbook's first sheet is empty"


def test_stream_source_keeps_the_stream_open(tmp_path):
    stream = io.BytesIO(b"number\n1\n")
    table = open_table(stream, filename="upload.csv")
    assert rows_of(table) == [(2, ["1"])]
    assert not stream.closed
