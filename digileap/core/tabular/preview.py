"""A sample of a file read by a profile, for the profile editor: no importer, no database.

``sample`` opens the file as an import would (delimiter, encoding, sheet, header row), keeps the
first ``limit`` data rows as they are in the file, and parses them by the profile with the
target's field limits. A profile that does not fit the file's headers (yet) is not an exception
here: the sample keeps the headers and raw rows and says what is wrong in ``error``.
"""

import itertools
from dataclasses import dataclass, field
from typing import Any

from .errors import ImportFileError, RowError
from .parsing import ParsedRow, ParseStats, parse_rows
from .profiles import Profile
from .readers import Table, open_table

SAMPLE_ROWS = 20


@dataclass
class Sample:
    """The first rows of a file: raw cells with their line numbers, and the same rows parsed."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    parsed: list[ParsedRow] = field(default_factory=list)
    # A file-level problem of the profile with this file (missing columns, ...); empty when it fits.
    error: str = ""
    filtered: int = 0
    file_format: str = ""
    encoding: str = ""
    delimiter: str = ""

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.parsed for error in row.errors]

    @property
    def warnings(self) -> list[RowError]:
        return [warning for row in self.parsed for warning in row.warnings]


def _importer(target: str):
    from .engine import import_targets

    return import_targets().get(target)


def sample(*, source, filename: str, profile: Profile, limit: int = SAMPLE_ROWS) -> Sample:
    """The headers, the first ``limit`` data rows and their parsed values. Raises ImportFileError
    only when the file itself cannot be read (encoding, an unknown sheet, an empty file, ...)."""
    importer = _importer(profile.target)
    original = source
    if importer is not None:
        # A bundle (a OneRoster ZIP) is previewed by the member the engine would read.
        source, filename, _context = importer.unpack(source, filename=filename)
    try:
        table = open_table(
            source,
            filename=filename,
            delimiter=profile.delimiter,
            encoding=profile.encoding,
            expected_headers=profile.expected_headers,
            header_row=profile.header_row,
            sheet=profile.sheet,
        )
        try:
            rows = list(itertools.islice(table.rows(), limit))
        finally:
            table.close()
    finally:
        if source is not original and hasattr(source, "close"):
            source.close()
    result = Sample(
        headers=list(table.headers),
        rows=rows,
        file_format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
    )
    buffered = Table(
        table.filename,
        list(table.headers),
        table.format,
        table.encoding,
        table.delimiter,
        len(rows),
        iter(rows),
    )
    stats = ParseStats()
    try:
        result.parsed = list(
            parse_rows(buffered, profile, fields=importer.fields if importer is not None else (), stats=stats)
        )
    except ImportFileError as error:
        result.error = error.describe()
    result.filtered = stats.filtered
    return result
