"""Turn raw cells into typed field values by a profile, collecting every error with its place."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .coordinates import to_wgs84
from .errors import ImportFileError, RowError
from .fields import FieldSpec
from .profiles import ColumnSpec, Profile
from .readers import FormulaCell, Table

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
TRUE_WORDS = {"1", "true", "yes", "y", "ja", "oui", "jā", "x", "wahr"}
FALSE_WORDS = {"0", "false", "no", "n", "nein", "non", "nee", "nē", "falsch", ""}


@dataclass
class ParsedRow:
    """One data row: typed values by field name, and what was wrong with it.

    ``errors`` reject the row; ``warnings`` (an invalid value a column's ``on_invalid`` lets pass)
    never do. A row merged from several rows of the file (the profile's ``merge``) has the
    original rows as ``members``, in file order; any other row is its own only member.
    """

    line: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    merged: "list[ParsedRow] | None" = field(default=None, repr=False)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def members(self) -> "list[ParsedRow]":
        return self.merged if self.merged is not None else [self]


@dataclass
class ParseStats:
    """What ``parse_rows`` counted besides the rows it yields: rows left out by the profile's filter."""

    filtered: int = 0


def check_headers(table: Table, profile: Profile) -> dict[str, int]:
    """Positions of the profile's columns; raises for missing or repeated headers."""
    positions: dict[str, int] = {}
    repeated = []
    for index, header in enumerate(table.headers):
        if not header:
            continue
        if header in positions:
            repeated.append(header)
        else:
            positions[header] = index
    if repeated:
        raise ImportFileError(
            _("the header row repeats the column(s) %(columns)s; each column name may appear once")
            % {"columns": ", ".join(repr(c) for c in repeated)},
            filename=table.filename,
            line=1,
        )
    missing = [
        source
        for column in profile.columns
        if not column.optional_column
        for source in column.sources
        if source not in positions
    ]
    if missing:
        hint = ""
        if len(table.headers) == 1 and table.format == "csv":
            hint = " " + _(
                "The header row has a single column: is the file separated by another character than %(delimiter)r?"
            ) % {"delimiter": table.delimiter}
        raise ImportFileError(
            _("missing column(s) %(missing)s. The file's columns are: %(found)s.")
            % {
                "missing": ", ".join(repr(m) for m in dict.fromkeys(missing)),
                "found": ", ".join(repr(h) for h in table.headers[:40]) or "-",
            }
            + hint,
            filename=table.filename,
            line=1,
        )
    return positions


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def convert(column: ColumnSpec, text: str, profile: Profile) -> Any:
    """The typed value of ``text`` for ``column``; raises ValueError with a reason a person reads."""
    kind = column.type
    if kind == "text":
        if column.max_length and len(text) > column.max_length:
            raise ValueError(_("longer than %(n)s characters") % {"n": column.max_length})
        return text
    if kind in ("integer", "count"):
        normalised = text.replace("\u00a0", "").replace(" ", "")
        if normalised.endswith(".0"):
            normalised = normalised[:-2]
        if not _INTEGER.match(normalised):
            raise ValueError(_("%(value)r is not a whole number") % {"value": text})
        number = int(normalised)
        if kind == "count" and number < 0:
            raise ValueError(_("%(value)s is negative; a count must be zero or more") % {"value": number})
        _check_range(column, Decimal(number))
        return number
    if kind == "decimal":
        normalised = text.replace("\u00a0", "").replace(" ", "")
        if _DECIMAL_COMMA.match(normalised):
            normalised = normalised.replace(",", ".")
        try:
            number = Decimal(normalised)
        except InvalidOperation:
            raise ValueError(_("%(value)r is not a number") % {"value": text}) from None
        if not number.is_finite():
            raise ValueError(_("%(value)r is not a number") % {"value": text})
        _check_range(column, number)
        return number
    if kind == "code":
        codes = profile.code_lists[column.codes]
        key = " ".join(text.split())
        if key not in codes:
            known = ", ".join(sorted(codes)[:30])
            raise ValueError(_("unknown code %(value)r; known codes: %(known)s") % {"value": text, "known": known})
        return codes[key]
    if kind == "levels":
        levels = sorted({int(part) for part in re.split(r"[,;|/ ]+", text) if part.strip().isdigit()})
        if (
            not levels
            or any(level > 4 for level in levels)
            or len(levels) != len([p for p in re.split(r"[,;|/ ]+", text) if p])
        ):
            raise ValueError(_("%(value)r is not a list of ISCED levels 0 to 4, such as 1,2") % {"value": text})
        return levels
    if kind == "boolean":
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise ValueError(_("%(value)r is not yes or no") % {"value": text})
    if kind == "email":
        try:
            validate_email(text)
        except ValidationError:
            raise ValueError(_("%(value)r is not an e-mail address") % {"value": text}) from None
        return text
    raise ValueError(f"unknown type {kind}")


def _check_range(column: ColumnSpec, number: Decimal) -> None:
    if column.minimum is not None and number < column.minimum:
        raise ValueError(_("%(value)s is below the minimum %(minimum)s") % {"value": number, "minimum": column.minimum})
    if column.maximum is not None and number > column.maximum:
        raise ValueError(_("%(value)s is above the maximum %(maximum)s") % {"value": number, "maximum": column.maximum})


def _cell_text(cell: Any) -> str:
    """A cell as stripped text: CSV cells are text already; XLSX cells may be numbers or dates."""
    if type(cell) is str:
        return cell.strip()
    return _text(cell)


def _is_formula(cell: Any) -> bool:
    return isinstance(cell, FormulaCell) or (type(cell) is str and len(cell) > 1 and cell[0] == "=")


def parse_rows(
    table: Table,
    profile: Profile,
    *,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 500,
    overrides: dict[str, Any] | None = None,
    fields: tuple[FieldSpec, ...] = (),
    stats: ParseStats | None = None,
) -> Iterator[ParsedRow]:
    """Stream ``ParsedRow`` objects. File-level problems raise ImportFileError.

    ``overrides`` are field values that replace whatever the profile and the file say (for example
    the school year chosen on the upload form).
    """
    positions = check_headers(table, profile)
    profile = profile.with_pattern_columns(table.headers)
    # Resolve each column's cell positions once, not per row.
    plan = [(column, tuple(positions.get(source) for source in column.sources)) for column in profile.columns]
    formula_message = _("formula cells are not accepted; paste the values instead")
    required_message = _("a value is required")
    constants = dict(profile.constants)
    count = 0
    for line, cells in table.rows():
        values: dict[str, Any] = constants.copy()
        errors: list[RowError] = []
        width = len(cells)
        for column, indexes in plan:
            has_formula = False
            if len(indexes) == 1:
                index = indexes[0]
                cell = cells[index] if index is not None and index < width else None
                if cell is None or cell == "":
                    text = ""
                elif type(cell) is str and cell[0] != "=":  # the common case, inlined for speed
                    text = cell.strip()
                elif _is_formula(cell):
                    errors.append(RowError(line, column.sources[0], formula_message, str(cell)[:80]))
                    text, has_formula = "", True
                else:
                    text = _cell_text(cell)
            else:
                parts = []
                for source, index in zip(column.sources, indexes, strict=True):
                    cell = cells[index] if index is not None and index < width else None
                    if cell is not None and _is_formula(cell):
                        errors.append(RowError(line, source, formula_message, str(cell)[:80]))
                        has_formula = True
                        continue
                    part = _cell_text(cell) if cell is not None else ""
                    if part:
                        parts.append(part)
                text = column.join.join(parts)
            if text and text in column.blank_values:
                text = ""
            if not text:
                if column.required and not has_formula:
                    errors.append(RowError(line, column.sources[0], required_message))
                values[column.field] = column.default
                continue
            kind = column.type
            try:
                if kind == "text" and not column.max_length:
                    value = text
                elif kind == "count" and text.isdigit() and column.minimum is None and column.maximum is None:
                    value = int(text)
                else:
                    value = convert(column, text, profile)
            except ValueError as error:
                errors.append(RowError(line, column.sources[0], str(error), text[:80]))
                continue
            if column.type == "code" and isinstance(value, dict):
                values.update(value)
                if column.keep_code_as:
                    values[column.keep_code_as] = " ".join(text.split())
            else:
                values[column.field] = value
        if overrides:
            values.update(overrides)
        if profile.coordinates:
            _apply_coordinates(values, errors, profile, line)
        count += 1
        if progress is not None and count % progress_every == 0:
            progress(count)
        yield ParsedRow(line=line, values=values, errors=errors)
    if progress is not None:
        progress(count)


def _apply_coordinates(values: dict[str, Any], errors: list[RowError], profile: Profile, line: int) -> None:
    """Replace the profile's x/y fields by WGS84 ``latitude`` and ``longitude``."""
    spec = profile.coordinates
    x, y = values.pop(spec["x"], None), values.pop(spec["y"], None)
    if x is None or y is None:
        values.setdefault("latitude", None)
        values.setdefault("longitude", None)
        return
    try:
        values["latitude"], values["longitude"] = to_wgs84(x, y, spec.get("crs", "EPSG:4326"))
    except ValueError as error:
        column = next((c.sources[0] for c in profile.columns if c.field == spec["x"]), spec["x"])
        errors.append(RowError(line, column, str(error)))
