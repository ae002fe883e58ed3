"""A profile's ``merge``: rows with the same key values become one row before the importer plans.

Registries often list one row per school and track, or per site. ``"merge": {"key": ["number"],
"rules": {"pupils_isced_1": "sum", "levels": "union"}, "default": "same"}`` merges them by field:

- ``sum``, ``max``, ``min``: of the non-empty numbers;
- ``union``: lists (levels) united and sorted; texts: the distinct ones joined by "; ";
- ``first``: the first non-empty value in file order;
- ``same`` (the default): the non-empty values must be equal, else every row of the key gets an
  error naming the column, the differing values and the other lines;
- ``join``: the distinct non-empty texts joined by ", ".

The merged row has the first row's line, the original rows as ``members`` (file order), and all
their errors and warnings. Rows without a key value are not merged.
"""

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .errors import RowError
from .parsing import _GRADE_FIELD, ParsedRow
from .profiles import Profile


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def _columns_of_fields(profile: Profile) -> dict[str, str]:
    """The file column that fills each field (a code list's fields: the code's column)."""
    columns: dict[str, str] = {}
    for column in profile.columns:
        columns.setdefault(column.field, column.sources[0])
        if column.type == "code":
            for entry in profile.code_lists.get(column.codes, {}).values():
                if isinstance(entry, dict):
                    for name in entry:
                        columns.setdefault(name, column.sources[0])
            if column.keep_code_as:
                columns.setdefault(column.keep_code_as, column.sources[0])
    return columns


def merge_rows(rows: Iterable[ParsedRow], profile: Profile) -> Iterator[ParsedRow]:
    """Merge ``rows`` by the profile's ``merge`` (reads every row first: merging needs the whole file)."""
    spec = profile.merge
    key_fields = list(spec["key"])
    rules = dict(spec.get("rules", {}))
    default = spec.get("default", "same")
    if profile.grades:
        # A rule may name a grade as the profile's columns do (pupils_grade_5): it applies to the
        # field the grade table renames it to (pupils_isced_2_grade_5).
        from .codelists import grade_table

        table = grade_table(profile.grades)
        for name, rule in list(rules.items()):
            match = _GRADE_FIELD.match(name)
            if match and match.group(1) in table:
                rules.setdefault(f"pupils_isced_{table[match.group(1)]}_grade_{match.group(1)}", rule)
    columns = _columns_of_fields(profile)
    groups: list[list[ParsedRow]] = []
    by_key: dict[tuple, list[ParsedRow]] = {}
    for row in rows:
        key = tuple(row.values.get(name) for name in key_fields)
        if any(_is_empty(part) for part in key):
            groups.append([row])
            continue
        key = tuple(_show(part) for part in key)
        group = by_key.get(key)
        if group is None:
            group = by_key[key] = [row]
            groups.append(group)
        else:
            group.append(row)
    for group in groups:
        if len(group) == 1:
            yield group[0]
        else:
            yield _merge(group, key_fields, rules, default, columns)


def _merge(
    members: list[ParsedRow], key_fields: list[str], rules: dict[str, str], default: str, columns: dict[str, str]
) -> ParsedRow:
    first = members[0]
    names = list(dict.fromkeys(name for member in members for name in member.values))
    errors = [error for member in members for error in member.errors]
    warnings = [warning for member in members for warning in member.warnings]
    key_text = ", ".join(f"{name} {_show(first.values.get(name))!r}" for name in key_fields)
    values: dict[str, Any] = {}
    for name in names:
        present = [(member.line, member.values[name]) for member in members if name in member.values]
        filled = [(line, value) for line, value in present if not _is_empty(value)]
        rule = "same" if name in key_fields else rules.get(name, default)
        if not filled:
            values[name] = present[0][1]
            continue
        try:
            values[name] = _apply(rule, [value for _line, value in filled])
        except _Conflict:
            values[name] = filled[0][1]
            column = columns.get(name, name)
            distinct = list(dict.fromkeys(_show(value) for _line, value in filled))
            described = ", ".join(
                _("%(value)r (line %(line)s)") % {"value": _show(value), "line": line} for line, value in filled
            )
            for member in members:
                others = ", ".join(str(other.line) for other in members if other is not member)
                errors.append(
                    RowError(
                        member.line,
                        column,
                        _(
                            "the rows with %(key)s differ in column %(column)r: %(values)s; "
                            "the other line(s) of this key: %(lines)s"
                        )
                        % {"key": key_text, "column": column, "values": described, "lines": others},
                        " | ".join(distinct)[:80],
                    )
                )
        except (TypeError, ValueError, ArithmeticError):
            values[name] = filled[0][1]
            column = columns.get(name, name)
            for member in members:
                if name in member.values and not _is_empty(member.values[name]):
                    errors.append(
                        RowError(
                            member.line,
                            column,
                            _("the values of column %(column)r cannot be merged by %(rule)r")
                            % {"column": column, "rule": rule},
                            _show(member.values[name])[:80],
                        )
                    )
    errors.sort(key=lambda error: (error.line, error.column))
    return ParsedRow(first.line, values, errors, warnings, members)


class _Conflict(Exception):
    pass


def _apply(rule: str, values: list[Any]) -> Any:
    if rule == "same":
        distinct = []
        for value in values:
            if value not in distinct:
                distinct.append(value)
        if len(distinct) > 1:
            raise _Conflict
        return distinct[0]
    if rule == "first":
        return values[0]
    if rule == "sum":
        if not all(isinstance(value, (int, Decimal)) and not isinstance(value, bool) for value in values):
            raise TypeError
        return sum(values[1:], values[0])
    if rule == "max":
        return max(values)
    if rule == "min":
        return min(values)
    if rule == "union":
        if all(isinstance(value, list) for value in values):
            items = list(dict.fromkeys(item for value in values for item in value))
            try:
                return sorted(items)
            except TypeError:
                return items
        return "; ".join(dict.fromkeys(_show(value) for value in values))
    # join
    return ", ".join(dict.fromkeys(_show(value) for value in values))
