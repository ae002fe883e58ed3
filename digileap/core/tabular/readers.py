"""Open a CSV or XLSX file as a stream of (line number, cells) with clear errors for bad files.

Encodings: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), and
Windows-1252, which is what Excel writes for "CSV" in Western Europe. ``auto`` takes UTF-8 when the
whole file is valid UTF-8, else Windows-1252. Delimiters: any one character, or ``auto``, which
picks the one of comma, semicolon, tab and vertical bar that best splits the header row into the
columns the profile expects. ``header_row`` skips a title block above the header (line numbers
stay the file's physical lines); ``sheet`` chooses an XLSX sheet by name or number.
"""

import codecs
import contextlib
import csv
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFileError

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
MAX_CELL_CHARS = 100_000
_CHUNK = 1 << 20


@dataclass
class Table:
    """An opened file: its header and a way to stream its data rows."""

    filename: str
    headers: list[str]
    format: str
    encoding: str = ""
    delimiter: str = ""
    estimated_rows: int = 0
    _rows: Iterator[tuple[int, list]] | None = field(default=None, repr=False)
    _closers: list = field(default_factory=list, repr=False)

    def rows(self) -> Iterator[tuple[int, list]]:
        """(line number in the file, cell values) for each data row; empty rows are skipped."""
        assert self._rows is not None
        yield from self._rows

    def close(self) -> None:
        for close in self._closers:
            close()


def _binary(source) -> tuple[IO[bytes], bool]:
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb"), True
    if hasattr(source, "open") and hasattr(source, "name") and not hasattr(source, "read"):
        return source.open("rb"), True
    source.seek(0)
    return source, False


def _detect_encoding(stream: IO[bytes], filename: str, declared: str) -> str:
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    variant = _utf16_without_bom(stream)
    if variant:
        raise ImportFileError(
            _(
                "the file looks like %(variant)s text without a byte-order mark, which cannot be read "
                "reliably. Save it as CSV UTF-8."
            )
            % {"variant": variant},
            filename=filename,
            line=1,
        )
    if declared not in ("", "auto"):
        _check_decodes(stream, filename, declared)
        return declared
    try:
        _check_decodes(stream, filename, "utf-8")
        return "utf-8"
    except ImportFileError:
        pass
    _check_decodes(stream, filename, "cp1252")
    return "cp1252"


def _utf16_without_bom(stream: IO[bytes]) -> str:
    """'UTF-16LE' or 'UTF-16BE' when the start of the file is mostly NUL bytes in every other place."""
    stream.seek(0)
    sample = stream.read(4096)
    stream.seek(0)
    half = len(sample) // 2
    if half < 2:
        return ""
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= half * 0.3 and even <= half * 0.05:
        return "UTF-16LE"
    if even >= half * 0.3 and odd <= half * 0.05:
        return "UTF-16BE"
    return ""


def _check_decodes(stream: IO[bytes], filename: str, encoding: str) -> None:
    """Decode the whole file in chunks; on failure name the line of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    stream.seek(0)
    lines_before = 0
    while True:
        chunk = stream.read(_CHUNK)
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            line = lines_before + chunk[: error.start].count(b"\n") + 1
            bad = chunk[error.start : error.start + 1].hex()
            stream.seek(0)
            raise ImportFileError(
                _(
                    "the file is not valid %(encoding)s text (byte 0x%(byte)s). Save it as CSV UTF-8, "
                    "or as CSV in Windows-1252 (Latin-1)."
                )
                % {"encoding": _encoding_label(encoding), "byte": bad},
                filename=filename,
                line=line,
            ) from None
        if b"\x00" in chunk and encoding not in ("utf-16",):
            line = lines_before + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
            stream.seek(0)
            raise ImportFileError(
                _("the file contains NUL bytes: it is not a text file (a spreadsheet saved in another format?)"),
                filename=filename,
                line=line,
            )
        if not chunk:
            break
        lines_before += chunk.count(b"\n")
    stream.seek(0)


def _encoding_label(encoding: str) -> str:
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1"}.get(
        encoding, encoding
    )


def _count_lines(stream: IO[bytes]) -> int:
    stream.seek(0)
    count = 0
    while chunk := stream.read(_CHUNK):
        count += chunk.count(b"\n")
    stream.seek(0)
    return count


def _split_header(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return [line]


def normalise_header(header: str) -> str:
    """A header as profiles match it: case folded, runs of whitespace (line breaks, NBSP) one space."""
    return " ".join(header.split()).casefold()


def _choose_delimiter(header_line: str, expected: set[str], declared: str, filename: str) -> str:
    if declared not in ("", "auto"):
        return declared
    expected = {normalise_header(header) for header in expected}
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        cells = [normalise_header(c) for c in _split_header(header_line, delimiter)]
        score = (len(expected.intersection(cells)), len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def open_table(
    source,
    *,
    filename: str = "",
    delimiter: str = "auto",
    encoding: str = "auto",
    expected_headers: set[str] | None = None,
    max_cell_chars: int = MAX_CELL_CHARS,
    header_row: int = 1,
    sheet: str | int | None = None,
) -> Table:
    """Open ``source`` (a path, an uploaded file or a binary stream) as a :class:`Table`.

    ``header_row`` is the physical row of the header (rows above it are ignored, line numbers stay
    the file's); ``sheet`` chooses an XLSX sheet by name or by its number from 1 (default: the first).
    """
    stream, owned = _binary(source)
    filename = filename or os.path.basename(getattr(stream, "name", "") or str(source))
    try:
        stream.seek(0, io.SEEK_END)
        size = stream.tell()
        stream.seek(0)
        if size == 0:
            raise ImportFileError(_("the file is empty"), filename=filename)
        magic = stream.read(4)
        stream.seek(0)
        if magic == b"PK\x03\x04":
            table = _open_xlsx(stream, filename, max_cell_chars, header_row, sheet)
        elif filename.lower().endswith((".xlsx", ".xlsm")):
            raise ImportFileError(
                _("the file is called .xlsx but is not an Excel workbook (it is not a ZIP archive)"), filename=filename
            )
        elif magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFileError(
                _("this is an old Excel .xls workbook; save it as .xlsx or as CSV"), filename=filename
            )
        else:
            table = _open_csv(
                stream, filename, delimiter, encoding, expected_headers or set(), max_cell_chars, header_row
            )
    except BaseException:
        if owned:
            stream.close()
        raise
    if owned:
        table._closers.append(stream.close)
    return table


def _open_csv(stream, filename, delimiter, encoding, expected, max_cell_chars, header_row=1) -> Table:
    encoding = _detect_encoding(stream, filename, encoding)
    estimated = max(_count_lines(stream) - header_row, 0) if encoding != "utf-16" else 0
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    for skipped in range(1, header_row):
        if len(text.readline(max_cell_chars * 4 + 1)) > max_cell_chars * 4:
            text.detach()
            raise ImportFileError(
                _("the line is longer than %(limit)s characters") % {"limit": f"{max_cell_chars * 4:,}"},
                filename=filename,
                line=skipped,
            )
    header_line = text.readline(max_cell_chars * 4 + 1)
    if len(header_line) > max_cell_chars * 4:
        text.detach()
        raise ImportFileError(
            _("the header row is longer than %(limit)s characters") % {"limit": f"{max_cell_chars * 4:,}"},
            filename=filename,
            line=header_row,
        )
    if not header_line.strip().strip("\ufeff"):
        text.detach()
        if header_row > 1:
            raise ImportFileError(
                _("line %(line)s, the profile's header row, is empty or missing") % {"line": header_row},
                filename=filename,
                line=header_row,
            )
        raise ImportFileError(_("the first line is empty: the file needs a header row"), filename=filename, line=1)
    csv.field_size_limit(max_cell_chars)
    chosen = _choose_delimiter(header_line.rstrip("\r\n"), expected, delimiter, filename)
    headers = [h.strip().strip("\ufeff") for h in _split_header(header_line.rstrip("\r\n"), chosen)]
    too_long = [h for h in headers if len(h) > max_cell_chars]
    if too_long:
        text.detach()
        raise ImportFileError(
            _("a cell is longer than %(limit)s characters") % {"limit": f"{max_cell_chars:,}"},
            filename=filename,
            line=header_row,
        )

    def rows() -> Iterator[tuple[int, list]]:
        reader = csv.reader(text, delimiter=chosen, strict=False)
        line = first = header_row + 1
        try:
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    if "field larger than field limit" in str(error):
                        raise ImportFileError(
                            _("a cell is longer than %(limit)s characters") % {"limit": f"{max_cell_chars:,}"},
                            filename=filename,
                            line=line,
                        ) from None
                    raise ImportFileError(str(error), filename=filename, line=line) from None
                start, line = line, reader.line_num + first
                if cells and any(cell.strip() for cell in cells):
                    yield start, cells
        finally:
            # Leave the binary stream open for its owner; an abandoned generator may be finalised
            # after the owner closed it, and then there is nothing left to detach.
            with contextlib.suppress(ValueError):
                text.detach()

    return Table(filename, headers, "csv", _encoding_label(encoding), chosen, estimated, rows())


# What one member of an XLSX workbook (a sheet's XML, the shared strings) may unpack to, what all of
# them may unpack to together, and how much larger than its compressed size a member may be. A real
# sheet deflates 5 to 30 times; a ZIP bomb a thousand times and more. The ratio is checked only on
# members larger than XLSX_RATIO_FLOOR_BYTES, so a small, very regular part never trips it.
XLSX_MAX_MEMBER_BYTES = 1024 * 1024 * 1024
XLSX_MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
XLSX_MAX_RATIO = 200
XLSX_RATIO_FLOOR_BYTES = 1024 * 1024
XLSX_MAX_MEMBERS = 10_000


def xlsx_limits() -> tuple[int, int, int]:
    """(bytes per member, bytes in all, compression ratio) from the settings, or the defaults."""
    return (
        int(getattr(settings, "DIGILEAP_XLSX_MAX_MEMBER_BYTES", XLSX_MAX_MEMBER_BYTES)),
        int(getattr(settings, "DIGILEAP_XLSX_MAX_TOTAL_BYTES", XLSX_MAX_TOTAL_BYTES)),
        int(getattr(settings, "DIGILEAP_XLSX_MAX_RATIO", XLSX_MAX_RATIO)),
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def check_zip_members(archive: zipfile.ZipFile, filename: str) -> None:
    """Refuse a workbook whose ZIP directory declares more than the limits, before anything is
    unpacked: the sizes come from the directory, and ``zipfile`` never unpacks a member beyond its
    declared size (it stops there and fails the CRC check), so a directory that lies does not help."""
    max_member, max_total, max_ratio = xlsx_limits()
    members = archive.infolist()
    if len(members) > XLSX_MAX_MEMBERS:
        raise ImportFileError(
            _("the workbook holds %(count)s parts; at most %(limit)s are accepted")
            % {"count": f"{len(members):,}", "limit": f"{XLSX_MAX_MEMBERS:,}"},
            filename=filename,
        )
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > max_member:
            raise ImportFileError(
                _("the workbook's part %(member)s unpacks to %(size)s; the limit for one part is %(limit)s")
                % {"member": member.filename, "size": _mb(member.file_size), "limit": _mb(max_member)},
                filename=filename,
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > XLSX_RATIO_FLOOR_BYTES and ratio > max_ratio:
            raise ImportFileError(
                _(
                    "the workbook's part %(member)s unpacks to %(size)s from %(packed)s, %(ratio)s times its "
                    "packed size; at most %(limit)s times is accepted (a ZIP bomb?)"
                )
                % {
                    "member": member.filename,
                    "size": _mb(member.file_size),
                    "packed": _mb(member.compress_size),
                    "ratio": f"{ratio:,.0f}",
                    "limit": f"{max_ratio:,}",
                },
                filename=filename,
            )
    if total > max_total:
        raise ImportFileError(
            _("the workbook unpacks to %(size)s in all; the limit is %(limit)s")
            % {"size": _mb(total), "limit": _mb(max_total)},
            filename=filename,
        )


def _check_workbook_zip(stream, filename: str) -> None:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            check_zip_members(archive, filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ImportFileError(
            _("the file is not a readable Excel workbook (%(reason)s)") % {"reason": error}, filename=filename
        ) from None
    finally:
        stream.seek(0)


def _load_workbook(stream, filename):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_workbook_zip(stream, filename)
    try:
        return openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise ImportFileError(
            _("the file is not a readable Excel workbook (%(reason)s)") % {"reason": error}, filename=filename
        ) from None


def sheet_names(source, filename: str = "") -> list[str]:
    """The names of an XLSX workbook's sheets, in order ([] for a CSV file)."""
    stream, owned = _binary(source)
    try:
        stream.seek(0)
        if stream.read(4) != b"PK\x03\x04":
            return []
        stream.seek(0)
        workbook = _load_workbook(stream, filename)
        try:
            return list(workbook.sheetnames)
        finally:
            workbook.close()
    finally:
        if owned:
            stream.close()
        else:
            stream.seek(0)


def _choose_sheet(workbook, chosen: str | int | None, filename: str):
    names = workbook.sheetnames
    if chosen is None or chosen == "":
        return workbook.worksheets[0]
    if isinstance(chosen, int) and 1 <= chosen <= len(names):
        return workbook.worksheets[chosen - 1]
    if isinstance(chosen, str):
        if chosen in names:
            return workbook[chosen]
        wanted = normalise_header(chosen)
        for name in names:
            if normalise_header(name) == wanted:
                return workbook[name]
    workbook.close()
    raise ImportFileError(
        _("the workbook has no sheet %(sheet)r; its sheets are: %(sheets)s")
        % {
            "sheet": chosen,
            "sheets": ", ".join(f"{number}: {name!r}" for number, name in enumerate(names, start=1)),
        },
        filename=filename,
    )


def _open_xlsx(stream, filename, max_cell_chars, header_row=1, chosen_sheet=None) -> Table:
    workbook = _load_workbook(stream, filename)
    sheet = _choose_sheet(workbook, chosen_sheet, filename)
    iterator = sheet.iter_rows(min_row=header_row)
    try:
        header_cells = next(iterator)
    except StopIteration:
        workbook.close()
        if header_row > 1:
            raise ImportFileError(
                _("the sheet %(sheet)r has no row %(line)s, the profile's header row")
                % {"sheet": sheet.title, "line": header_row},
                filename=filename,
                line=header_row,
            ) from None
        raise ImportFileError(_("the workbook's first sheet is empty"), filename=filename) from None
    headers = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
    while headers and headers[-1] == "":
        headers.pop()
    if not headers:
        workbook.close()
        if header_row > 1 or chosen_sheet:
            raise ImportFileError(
                _("row %(line)s of the sheet %(sheet)r, the profile's header row, is empty")
                % {"line": header_row, "sheet": sheet.title},
                filename=filename,
                line=header_row,
            )
        raise ImportFileError(_("the first row is empty: the sheet needs a header row"), filename=filename, line=1)
    estimated = max((sheet.max_row or 1) - header_row, 0)

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for line, row in enumerate(iterator, start=header_row + 1):
                cells = []
                for cell in row[: len(headers)]:
                    value = cell.value
                    if cell.data_type == "f" or (
                        isinstance(value, str) and value.startswith("=") and cell.data_type == "f"
                    ):
                        value = FormulaCell(str(value))
                    elif isinstance(value, str) and len(value) > max_cell_chars:
                        raise ImportFileError(
                            _("a cell is longer than %(limit)s characters") % {"limit": f"{max_cell_chars:,}"},
                            filename=filename,
                            line=line,
                        )
                    cells.append(value)
                if any(v is not None and str(v).strip() for v in cells):
                    yield line, cells
        finally:
            workbook.close()

    return Table(filename, headers, "xlsx", "", "", estimated, rows())


class FormulaCell(str):
    """A spreadsheet cell holding a formula instead of a value; the parser rejects it."""
