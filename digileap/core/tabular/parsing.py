"""Turn raw cells into typed field values by a profile, collecting every error with its place."""

import dataclasses
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .coordinates import to_wgs84
from .errors import ImportFileError, RowError
from .fields import FieldSpec, field_spec
from .profiles import NUMERIC_TYPES, ColumnSpec, Profile
from .readers import FormulaCell, Table, normalise_header

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


def check_headers(table: Table, profile: Profile, *, extra_sources: tuple[str, ...] = ()) -> dict[str, int]:
    """Positions of the file's headers and of the profile's sources; raises for missing or repeated ones.

    Headers match the profile's sources without regard to case and runs of whitespace (line breaks,
    NBSP). A header the file repeats is an error only when the profile reads it; a repeated header
    the profile does not use is ignored. The result maps each file header and each source (as the
    profile spells it) that the file has to its position.
    """
    by_key: dict[str, int] = {}
    repeated: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        key = normalise_header(header)
        if key in by_key:
            repeated.setdefault(key, header)
        else:
            by_key[key] = index
    sources = [source for column in profile.columns for source in column.sources]
    sources += list(extra_sources)
    used = {normalise_header(source) for source in sources}
    for header in table.headers:
        if header and _matches_pattern(profile, header):
            used.add(normalise_header(header))
    clashes = [header for key, header in repeated.items() if key in used]
    if clashes:
        raise ImportFileError(
            _("the header row repeats the column(s) %(columns)s; each column name may appear once")
            % {"columns": ", ".join(repr(c) for c in clashes)},
            filename=table.filename,
            line=profile.header_row,
        )
    positions = {header: by_key[normalise_header(header)] for header in table.headers if header}
    for source in sources:
        position = by_key.get(normalise_header(source))
        if position is not None:
            positions[source] = position
    required = [column for column in profile.columns if not column.optional_column]
    missing = [source for column in required for source in column.sources if source not in positions]
    missing += [source for source in extra_sources if source not in positions]
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
            line=profile.header_row,
        )
    return positions


def _matches_pattern(profile: Profile, header: str) -> bool:
    return any(re.match(pattern["pattern"], header) for pattern in profile.pattern_columns)


def profile_headers(headers: list[str], profile: Profile) -> list[str]:
    """The file's headers, each one the profile reads spelt as the profile spells it.

    Importers compare ``headers`` with their profile's sources (which optional columns the file
    has); headers match without regard to case and spacing, so they get the profile's spelling.
    """
    spelling: dict[str, str] = {}
    for column in profile.columns:
        for source in column.sources:
            spelling.setdefault(normalise_header(source), source)
    return [spelling.get(normalise_header(header), header) if header else header for header in headers]


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
    if kind in NUMERIC_TYPES:
        number = to_number(kind, text)
        _check_range(column, number if isinstance(number, Decimal) else Decimal(number))
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
        if column.max_length and len(text) > column.max_length:
            raise ValueError(_("longer than %(n)s characters") % {"n": column.max_length})
        return text
    raise ValueError(f"unknown type {kind}")


def to_number(kind: str, text: str) -> int | Decimal:
    """``text`` as an ``integer``, ``count`` or ``decimal`` without range checks; raises ValueError."""
    normalised = text.replace("\u00a0", "").replace(" ", "")
    if kind == "decimal":
        if _DECIMAL_COMMA.match(normalised):
            normalised = normalised.replace(",", ".")
        try:
            number = Decimal(normalised)
        except InvalidOperation:
            raise ValueError(_("%(value)r is not a number") % {"value": text}) from None
        if not number.is_finite():
            raise ValueError(_("%(value)r is not a number") % {"value": text})
        return number
    if normalised.endswith(".0"):
        normalised = normalised[:-2]
    if not _INTEGER.match(normalised):
        raise ValueError(_("%(value)r is not a whole number") % {"value": text})
    whole = int(normalised)
    if kind == "count" and whole < 0:
        raise ValueError(_("%(value)s is negative; a count must be zero or more") % {"value": whole})
    return whole


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


# How a column is read, decided once per file: the common case (one source, no transforms, no
# condition, invalid values rejected) stays inline in the row loop; anything else goes through
# ``_read_column``.
_SIMPLE, _COMPLEX = 0, 1

# A compiled ``when``/``filter`` condition: ``holds(cells, width, values)``.
_Condition = Callable[[list, int, dict[str, Any]], bool]
# One column's reading plan: (column, mode, index, indexes, when, field, type, limit, blank values,
# shared texts). The common case reads the cell at ``index``; ``_read_column`` reads the cells at
# ``indexes``.
_PlanEntry = tuple[
    ColumnSpec,
    int,
    int,
    tuple[int | None, ...],
    _Condition | None,
    str,
    str,
    int,
    frozenset[str],
    dict[str, str] | None,
]
# Texts of a column that repeats its values (a city, a type, a year) are shared: each row holds the
# first row's string, not one of its own. Every ``_SHARE_REVIEW`` rows a column stops sharing when
# the table of its values would cost more than it saves: when nearly every row so far had a value
# of its own (a name, a number), or, from ``_SHARE_SETTLED`` rows on, more than half of them did.
_SHARE_REVIEW = 1024
_SHARE_SETTLED = 8 * _SHARE_REVIEW


def with_field_limits(profile: Profile, fields: tuple[FieldSpec, ...]) -> Profile:
    """``profile`` with each column's missing limits taken from its field's declaration.

    A count's plausibility limit (``maximum``) and a text's length (``max_length``) apply when the
    column sets none of its own: a count that cannot be true is a clear row error, not a number stored.
    """
    if not fields:
        return profile
    columns = []
    changed = False
    for column in profile.columns:
        spec = field_spec(fields, column.field)
        if spec is None:
            columns.append(column)
            continue
        updates: dict[str, Any] = {}
        if column.type in NUMERIC_TYPES:
            if column.minimum is None and spec.minimum is not None:
                updates["minimum"] = Decimal(spec.minimum)
            if column.maximum is None and spec.maximum is not None:
                updates["maximum"] = Decimal(spec.maximum)
        elif column.type in ("text", "email") and column.max_length is None and spec.max_length:
            updates["max_length"] = spec.max_length
        if updates:
            column = dataclasses.replace(column, **updates)
            changed = True
        columns.append(column)
    return dataclasses.replace(profile, columns=tuple(columns)) if changed else profile


def _condition(condition: dict[str, Any], positions: dict[str, int]) -> _Condition:
    """A compiled ``when``/``filter`` condition: ``holds(cells, width, values)``."""
    ignore_case = bool(condition.get("ignore_case"))

    def normal(value: Any) -> str:
        if value is None:
            text = ""
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            text = ",".join(str(item) for item in value)
        elif type(value) is str:
            text = value
        else:
            text = _text(value)
        text = " ".join(text.split())
        return text.casefold() if ignore_case else text

    if "equals" in condition:
        wanted = normal(condition["equals"])

        def test(text: str) -> bool:
            return text == wanted
    elif "in" in condition or "not_in" in condition:
        inside = "in" in condition
        choices = {normal(choice) for choice in condition["in" if inside else "not_in"]}

        def test(text: str) -> bool:
            return (text in choices) is inside
    else:
        matching = "matches" in condition
        pattern = re.compile(condition["matches" if matching else "not_matches"], re.IGNORECASE if ignore_case else 0)

        def test(text: str) -> bool:
            return (pattern.match(text) is not None) is matching

    if "column" in condition:
        index = positions[condition["column"]]

        def holds(cells: list, width: int, values: dict) -> bool:
            cell = cells[index] if index < width else None
            return test(normal(cell))
    else:
        name = condition["field"]

        def holds(cells: list, width: int, values: dict) -> bool:
            return test(normal(values.get(name)))

    return holds


def _condition_columns(profile: Profile) -> tuple[str, ...]:
    conditions = list(profile.filters) + [column.when for column in profile.columns if column.when]
    return tuple(dict.fromkeys(condition["column"] for condition in conditions if "column" in condition))


def grade_renames(profile: Profile, field_names: list[str]) -> dict[str, str | None]:
    """For a profile with ``grades``: pupils_grade_N → pupils_isced_L_grade_N (None: N not in the table).

    Where a parsed row keeps the value of a column mapped to ``pupils_grade_N`` (the editor's preview).
    """
    if not profile.grades:
        return {}
    from .codelists import grade_table

    table = grade_table(profile.grades)
    renames: dict[str, str | None] = {}
    for name in field_names:
        match = _GRADE_FIELD.match(name)
        if match:
            level = table.get(match.group(1))
            renames[name] = None if level is None else f"pupils_isced_{level}_grade_{match.group(1)}"
    return renames


_GRADE_FIELD = re.compile(r"^pupils_grade_(\w+)$")


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
    the school year chosen on the upload form). ``fields`` are the target's field declarations
    (``Importer.fields``): their limits apply where the profile's column sets none. Rows the
    profile's ``filter`` leaves out are counted in ``stats.filtered``; with a ``merge`` the rows of
    one key come out as one row, in the order of their first line.
    """
    rows = _parse_rows(table, profile, progress, progress_every, overrides, fields, stats or ParseStats())
    if profile.merge:
        from .merging import merge_rows

        return merge_rows(rows, profile)
    return rows


def _parse_rows(
    table: Table,
    profile: Profile,
    progress: Callable[[int], None] | None,
    progress_every: int,
    overrides: dict[str, Any] | None,
    fields: tuple[FieldSpec, ...],
    stats: ParseStats,
) -> Iterator[ParsedRow]:
    condition_columns = _condition_columns(profile)
    positions = check_headers(table, profile, extra_sources=condition_columns)
    profile = with_field_limits(profile.with_pattern_columns(profile_headers(table.headers, profile)), fields)
    # Resolve each column's cell positions and way of reading once, not per row. Columns whose
    # condition reads another field come last, when the fields they read are known.
    plan: list[_PlanEntry] = []
    late: list[_PlanEntry] = []
    for column in profile.columns:
        indexes = tuple(positions.get(source) for source in column.sources)
        is_simple = (
            len(indexes) == 1 and not column.transforms and column.when is None and column.on_invalid == "reject"
        )
        if is_simple:
            limit = -1
            if column.type == "text":
                limit = column.max_length or sys.maxsize
            elif column.type == "count" and column.minimum is None:
                limit = sys.maxsize if column.maximum is None else int(column.maximum)
            index = indexes[0] if indexes[0] is not None else sys.maxsize
            shared: dict[str, str] | None = {} if column.type == "text" else None
            plan.append(
                (
                    column,
                    _SIMPLE,
                    index,
                    (),
                    None,
                    column.field,
                    column.type,
                    limit,
                    frozenset(column.blank_values),
                    shared,
                )
            )
            continue
        when = _condition(column.when, positions) if column.when else None
        entry: _PlanEntry = (column, _COMPLEX, -1, indexes, when, column.field, column.type, -1, frozenset(), None)
        (late if column.when and "field" in column.when else plan).append(entry)
    plan += late
    row_filters = [_condition(condition, positions) for condition in profile.filters if "column" in condition]
    field_filters = [
        (condition["field"], _condition(condition, positions)) for condition in profile.filters if "field" in condition
    ]
    renames = grade_renames(profile, [column.field for column in profile.columns])
    formula_message = _("formula cells are not accepted; paste the values instead")
    required_message = _("a value is required")
    constants = dict(profile.constants)
    no_values: dict[str, Any] = {}  # what a row filter is given: it reads cells, not field values
    count = 0
    filtered = 0
    for line, cells in table.rows():
        width = len(cells)
        if row_filters and not all(holds(cells, width, no_values) for holds in row_filters):
            filtered += 1
            stats.filtered = filtered
            continue
        values: dict[str, Any] = constants.copy()
        errors: list[RowError] = []
        warnings: list[RowError] = []
        for column, mode, index, indexes, when, name, kind, limit, blanks, shared in plan:
            if mode:
                _read_column(column, indexes, when, cells, width, line, values, errors, warnings, profile)
                continue
            cell = cells[index] if index < width else None
            if cell is None or cell == "":
                text = ""
            elif type(cell) is str and cell[0] != "=":  # the common case, inlined for speed
                text = cell.strip()
            elif _is_formula(cell):
                errors.append(RowError(line, column.sources[0], formula_message, str(cell)[:80]))
                values[name] = column.default
                continue
            else:
                text = _cell_text(cell)
            if not text or (blanks and text in blanks):
                if column.required:
                    errors.append(RowError(line, column.sources[0], required_message))
                values[name] = column.default
                continue
            # ``limit``: for text the longest accepted length, for a count the largest number the
            # fast path may take (-1: none); everything else goes through ``convert``.
            if kind == "text" and len(text) <= limit:
                values[name] = text if shared is None else shared.setdefault(text, text)
                continue
            if kind == "count" and text.isdigit() and int(text) <= limit:
                values[name] = int(text)
                continue
            try:
                value = convert(column, text, profile)
            except ValueError as error:
                errors.append(RowError(line, column.sources[0], str(error), text[:80]))
                continue
            if kind == "code" and isinstance(value, dict):
                values.update(value)
                if column.keep_code_as:
                    values[column.keep_code_as] = " ".join(text.split())
            else:
                values[name] = value
        if overrides:
            values.update(overrides)
        if profile.coordinates:
            _apply_coordinates(values, errors, profile, line)
        if renames:
            _apply_grades(values, errors, renames, profile, line)
        if field_filters and not all(
            holds(cells, width, values) for name, holds in field_filters if name in values or not errors
        ):
            filtered += 1
            stats.filtered = filtered
            continue
        count += 1
        if progress is not None and count % progress_every == 0:
            progress(count)
        if count % _SHARE_REVIEW == 0:
            _review_shared(plan, count)
        yield ParsedRow(line, values, errors, warnings)
    if progress is not None:
        progress(count)


def _review_shared(plan: list[_PlanEntry], rows: int) -> None:
    """Stop sharing the texts of each column with too many distinct values after ``rows`` rows."""
    most = rows // 2 if rows >= _SHARE_SETTLED else rows * 9 // 10
    for position, entry in enumerate(plan):
        shared = entry[9]
        if shared is not None and len(shared) > most:
            plan[position] = (*entry[:9], None)


def _read_column(
    column: ColumnSpec,
    indexes: tuple[int | None, ...],
    when: _Condition | None,
    cells: list,
    width: int,
    line: int,
    values: dict[str, Any],
    errors: list[RowError],
    warnings: list[RowError],
    profile: Profile,
) -> None:
    """Read one column that is not the common case: several sources, transforms, a condition, ``on_invalid``."""
    if when is not None and not when(cells, width, values):
        values[column.field] = column.default
        return
    parts: list[str] = []
    has_formula = False
    for source, index in zip(column.sources, indexes, strict=True):
        cell = cells[index] if index is not None and index < width else None
        if cell is not None and _is_formula(cell):
            errors.append(
                RowError(line, source, _("formula cells are not accepted; paste the values instead"), str(cell)[:80])
            )
            has_formula = True
            parts.append("")
            continue
        part = _cell_text(cell) if cell is not None else ""
        if part and part in column.blank_values:
            part = ""
        parts.append(part)
    raw = column.join.join(part for part in parts if part)
    source = column.sources[0]
    # Transforms: steps before a template apply to each part, the template joins the parts, steps
    # after it apply to the joined text.
    steps = column.transforms
    try:
        template_at = next((number for number, step in enumerate(steps) if step.combines), None)
        before = steps if template_at is None else steps[:template_at]
        if before:
            for number, part in enumerate(parts):
                if part:
                    source = column.sources[number]
                    for step in before:
                        part = step.apply(part)
                    parts[number] = part
            source = column.sources[0]
        if template_at is not None:
            parts = [steps[template_at].apply(parts)]
            for step in steps[template_at + 1 :]:
                if parts[0]:
                    parts[0] = step.apply(parts[0])
    except ValueError as error:
        _invalid(column, source, raw, str(error), line, values, errors, warnings)
        return
    combine = column.combine or ("sum" if column.type in NUMERIC_TYPES else "join")
    present = [(number, part) for number, part in enumerate(parts) if part]
    if not present:
        if column.required and not has_formula:
            errors.append(RowError(line, source, _("a value is required")))
        values[column.field] = column.default
        return
    if combine == "sum" and len(parts) > 1 and column.type in NUMERIC_TYPES:
        total: Any = 0
        for number, part in present:
            try:
                total += to_number(column.type, part)
            except ValueError as error:
                _invalid(column, column.sources[number], part, str(error), line, values, errors, warnings)
                return
        try:
            _check_range(column, total if isinstance(total, Decimal) else Decimal(total))
        except ValueError as error:
            shown = " + ".join(part for _number, part in present)
            _invalid(column, source, shown, str(error), line, values, errors, warnings)
            return
        values[column.field] = total
        return
    if combine == "first":
        text = present[0][1]
    else:
        text = column.join.join(part for _number, part in present)
    if text in column.blank_values:
        values[column.field] = column.default
        return
    try:
        value = convert(column, text, profile)
    except ValueError as error:
        _invalid(column, source, text, str(error), line, values, errors, warnings)
        return
    if column.type == "code" and isinstance(value, dict):
        values.update(value)
        if column.keep_code_as:
            values[column.keep_code_as] = " ".join(text.split())
    else:
        values[column.field] = value


def _invalid(
    column: ColumnSpec,
    source: str,
    text: str,
    reason: str,
    line: int,
    values: dict[str, Any],
    errors: list[RowError],
    warnings: list[RowError],
) -> None:
    """An invalid value, by the column's ``on_invalid``: a row error, or a warning and an empty or raw value."""
    if column.on_invalid == "reject":
        errors.append(RowError(line, source, reason, text[:80]))
    elif column.on_invalid == "empty":
        warnings.append(RowError(line, source, _("%(reason)s; left empty") % {"reason": reason}, text[:80]))
        values[column.field] = column.default
    elif column.max_length and len(text) > column.max_length:
        # Kept as given it would not fit where it is stored.
        errors.append(RowError(line, source, reason, text[:80]))
    else:
        warnings.append(RowError(line, source, _("%(reason)s; kept as given") % {"reason": reason}, text[:80]))
        values[column.field] = text


def _apply_grades(
    values: dict[str, Any], errors: list[RowError], renames: dict[str, str | None], profile: Profile, line: int
) -> None:
    """Rename pupils_grade_N to pupils_isced_L_grade_N by the profile's grade table."""
    for name, renamed in renames.items():
        if name not in values:
            continue
        value = values.pop(name)
        if renamed is not None:
            values[renamed] = value
        elif value is not None:
            column = next((c.sources[0] for c in profile.columns if c.field == name), name)
            errors.append(
                RowError(
                    line,
                    column,
                    _("grade %(grade)s is not in the grade table %(table)s")
                    % {"grade": name[len("pupils_grade_") :], "table": profile.grades},
                    str(value)[:80],
                )
            )


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
