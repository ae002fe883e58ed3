"""Exports to CSV and XLSX, streamed, and safe against spreadsheet formula injection."""

import csv
import datetime
import decimal
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from digileap.core.types import Text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_RISKY_FIRST = frozenset(FORMULA_PREFIXES)


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows as text, never runs: risky text gets a leading apostrophe."""
    if value.__class__ is str:  # the common case first: exports of millions of cells
        return "'" + value if value[:1] in _RISKY_FIRST else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, decimal.Decimal)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_cell_sql(text: str, *, vendor: str) -> str:
    """The SQL expression of ``safe_cell`` for ``text``, an SQL expression of type text, on ``vendor``
    (``connection.vendor``): an apostrophe in front when the text starts with a formula character;
    NULL stays NULL. Exports of millions of rows (evidence packs) escape in their query this way, so
    that no value passes through Python; the CSV writer (PostgreSQL's COPY, or ``csv.writer``) then
    quotes as usual. The tests compare it with ``safe_cell`` on every character that matters."""
    first = {"postgresql": "ascii", "sqlite": "unicode"}.get(vendor)
    if first is None:
        raise NotImplementedError(f"formula escaping in SQL on {vendor}")
    codes = ", ".join(str(ord(prefix)) for prefix in FORMULA_PREFIXES)
    return f"CASE WHEN {first}({text}) IN ({codes}) THEN '''' || {text} ELSE {text} END"


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """A streamed CSV as European Excel opens it: UTF-8 with BOM, semicolon-separated."""
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow(headers)
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.csv"'
    return response


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet_title: Text = gettext_lazy("Export")
) -> HttpResponse:
    """An XLSX written in openpyxl's streaming mode; text cells are escaped like CSV cells."""
    import io

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:31])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.xlsx"'
    return response


def export_response(file_format: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]):
    if file_format == "xlsx":
        return xlsx_response(filename, headers, rows)
    return csv_response(filename, headers, rows)
