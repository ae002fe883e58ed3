"""Limits on import files: ZIP bombs in an XLSX workbook are refused before anything is unpacked,
and the command line applies the web upload's file size limit."""

import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from digileap.core.tabular import readers
from digileap.core.tabular.errors import ImportFileError
from digileap.core.tabular.readers import open_table, sheet_names

MIB = 1024 * 1024


def workbook_bytes(rows: int = 3) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["number", "name"])
    for index in range(rows):
        sheet.append([str(1000 + index), f"School {index}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bomb_bytes(unpacked: int, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A valid-looking workbook whose first sheet is ``unpacked`` bytes of zeros, deflated."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == member:
                with target.open(member, "w", force_zip64=True) as stream:
                    zeros = bytes(MIB)
                    for _ in range(unpacked // MIB):
                        stream.write(zeros)
            else:
                target.writestr(info, source.read(info.filename))
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_by_its_ratio_with_the_file_and_the_part_named():
    bomb = bomb_bytes(64 * MIB)
    assert len(bomb) < 100_000
    with pytest.raises(ImportFileError) as caught:
        open_table(io.BytesIO(bomb), filename="schulen.xlsx")
    error = caught.value
    sheet = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/worksheets/sheet1.xml")
    ratio = f"{sheet.file_size / sheet.compress_size:,.0f}"  # about 1,030: deflate's best on zeros
    assert error.filename == "schulen.xlsx"
    assert error.message == (
        f"the workbook's part xl/worksheets/sheet1.xml unpacks to 64.0 MB from 0.1 MB, {ratio} times its packed "
        "size; at most 200 times is accepted (a ZIP bomb?)"
    )


def test_the_bomb_is_refused_without_unpacking_it():
    bomb = bomb_bytes(64 * MIB)
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError):
            open_table(io.BytesIO(bomb), filename="bomb.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Unpacking the sheet would allocate 64 MB; reading the ZIP directory allocates a few kB.
    assert peak < 2 * MIB


def test_sheet_names_refuse_the_bomb_too():
    with pytest.raises(ImportFileError, match="xl/worksheets/sheet1.xml unpacks to 64.0 MB"):
        sheet_names(io.BytesIO(bomb_bytes(64 * MIB)), filename="bomb.xlsx")


def test_a_part_over_the_member_limit_is_refused_whatever_its_ratio(settings):
    settings.DIGILEAP_XLSX_MAX_MEMBER_BYTES = 2 * MIB
    settings.DIGILEAP_XLSX_MAX_RATIO = 10_000
    with pytest.raises(ImportFileError) as caught:
        open_table(io.BytesIO(bomb_bytes(3 * MIB)), filename="big.xlsx")
    assert caught.value.message == (
        "the workbook's part xl/worksheets/sheet1.xml unpacks to 3.0 MB; the limit for one part is 2.0 MB"
    )


def test_the_total_of_all_parts_is_limited(settings):
    settings.DIGILEAP_XLSX_MAX_TOTAL_BYTES = 4 * MIB
    settings.DIGILEAP_XLSX_MAX_RATIO = 10_000
    source = zipfile.ZipFile(io.BytesIO(bomb_bytes(3 * MIB)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/media/padding.bin", bytes(2 * MIB))
    with pytest.raises(ImportFileError) as caught:
        open_table(io.BytesIO(buffer.getvalue()), filename="two.xlsx")
    assert caught.value.message == "the workbook unpacks to 5.0 MB in all; the limit is 4.0 MB"


def test_an_ordinary_workbook_still_opens():
    table = open_table(io.BytesIO(workbook_bytes(50)), filename="ok.xlsx")
    try:
        assert table.headers == ["number", "name"]
        assert sum(1 for _ in table.rows()) == 50
    finally:
        table.close()


def test_small_regular_parts_do_not_trip_the_ratio():
    # 900 kB of zeros deflates about a thousand times, but is under the 1 MB floor of the ratio check.
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/media/blank.bin", bytes(900 * 1024))
    table = open_table(io.BytesIO(buffer.getvalue()), filename="ok.xlsx")
    table.close()
    assert readers.XLSX_RATIO_FLOOR_BYTES == MIB


def test_a_bomb_is_refused_in_well_under_a_second_of_work():
    # Not a wall-clock assert: the refusal reads only the directory, so the sheet's stream is never
    # opened. Prove it by counting ZipFile.open calls.
    bomb = bomb_bytes(16 * MIB)
    opened = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return original(self, name, *args, **kwargs)

    zipfile.ZipFile.open = spy
    try:
        with pytest.raises(ImportFileError):
            open_table(io.BytesIO(bomb), filename="bomb.xlsx")
    finally:
        zipfile.ZipFile.open = original
    assert opened == []


# The command line.


def run(*args) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*[str(a) for a in args], stdout=stdout, stderr=stderr)
    except SystemExit as exit:
        code = exit.code
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["import_schools", "import_deliveries", "import_recipients"])
def test_the_command_line_refuses_a_file_over_the_upload_limit(command, tmp_path: Path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1000
    path = tmp_path / "gross.csv"
    path.write_bytes(b"number;name\r\n" + b"1001;x\r\n" * 300)
    code, stdout, stderr = run(command, path, "--profile", "generic")
    assert code == 1
    assert json.loads(stdout.strip().splitlines()[-1]) == {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    assert stderr.strip() == (
        f"{path}: the file is 2,413 bytes (0.0 MB); the largest file this installation imports is 1,000 bytes "
        "(0.0 MB). Nothing was imported (IMPORT_MAX_FILE_BYTES, or --max-bytes for one run)."
    )


@pytest.mark.django_db
def test_max_bytes_overrides_the_setting_for_one_run(tmp_path: Path, settings, world):
    settings.IMPORT_MAX_FILE_BYTES = 10
    path = tmp_path / "schulen.csv"
    path.write_bytes(b"number;name;operator_name;authority_code\r\n3001;Schule;INSIDE operator;IN\r\n")
    code, stdout, stderr = run("import_schools", path, "--profile", "generic", "--max-bytes", 100, "--dry-run")
    assert "largest file" not in stderr
    code, stdout, stderr = run("import_schools", path, "--profile", "generic", "--max-bytes", 20)
    assert code == 1
    assert "the largest file this installation imports is 20 bytes" in stderr
