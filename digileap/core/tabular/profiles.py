"""Import profiles: named mappings from a file's columns to an importer's fields.

A profile is JSON (see docs/imports.md). Built-in profiles ship as files in each app's
``import_profiles/`` folder; administrators can save their own as ``ImportProfile`` rows, which
take precedence over a built-in profile of the same name.
"""

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .transforms import Step

COLUMN_TYPES = {"text", "integer", "count", "decimal", "code", "levels", "boolean", "email"}


class ProfileError(ValueError):
    """A profile definition is malformed."""


@dataclass(frozen=True)
class ColumnSpec:
    """How one field is read: from which column(s), as what type, with which checks."""

    field: str
    sources: tuple[str, ...]
    type: str = "text"
    required: bool = False
    optional_column: bool = False
    default: Any = None
    join: str = " "
    blank_values: tuple[str, ...] = ()
    codes: str = ""
    keep_code_as: str = ""
    max_length: int | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    # How several sources become one value: "sum" (numbers), "join" (texts), "first"; "" = by type.
    combine: str = ""
    transforms: "tuple[Step, ...]" = ()  # compiled by ``check_transforms``
    when: dict[str, Any] | None = None
    on_invalid: str = "reject"  # "reject" (row error), "empty" (warning, value empty), "warn" (kept as given)


@dataclass(frozen=True)
class Profile:
    """A named mapping from a file format to an importer's fields."""

    name: str
    target: str
    label: str
    description: str = ""
    delimiter: str = "auto"
    encoding: str = "auto"
    duplicates: str = "reject"
    constants: dict[str, Any] = field(default_factory=dict)
    columns: tuple[ColumnSpec, ...] = ()
    code_lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    coordinates: dict[str, str] = field(default_factory=dict)
    pattern_columns: tuple[dict[str, str], ...] = ()
    is_builtin: bool = True
    header_row: int = 1
    sheet: str | int | None = None
    filters: tuple[dict[str, Any], ...] = ()
    merge: dict[str, Any] = field(default_factory=dict)
    grades: str = ""
    # Target-specific settings, passed through untouched (schools: "figures", "sites").
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def display_label(self) -> str:
        """The label in the active language. Built-in profiles' labels are English, marked for
        translation in ``profile_texts.py``; a saved profile's label shows as its author wrote it."""
        if self.is_builtin and self.label:
            return _(self.label)
        return self.label

    @property
    def expected_headers(self) -> set[str]:
        """Every header the profile reads: its columns' sources and the columns its conditions test."""
        headers = {source for column in self.columns for source in column.sources}
        conditions = [*self.filters, *(column.when for column in self.columns if column.when)]
        headers.update(condition["column"] for condition in conditions if "column" in condition)
        return headers

    def with_pattern_columns(self, headers: list[str]) -> "Profile":
        """This profile plus a column for each header that matches one of its patterns."""
        import dataclasses
        import re

        extra = []
        known = self.expected_headers
        for header in headers:
            if header in known:
                continue
            for pattern in self.pattern_columns:
                if re.match(pattern["pattern"], header):
                    extra.append(ColumnSpec(field=header, sources=(header,), type=pattern.get("type", "text")))
                    break
        return dataclasses.replace(self, columns=self.columns + tuple(extra)) if extra else self


def _decimal(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except Exception as error:  # noqa: BLE001
        raise ProfileError(_("%(where)s: %(value)r is not a number") % {"where": where, "value": value}) from error


NUMERIC_TYPES = frozenset({"integer", "count", "decimal"})
COMBINE_RULES = ("sum", "join", "first")
ON_INVALID = ("reject", "empty", "warn")
MERGE_RULES = ("sum", "max", "min", "union", "first", "same", "join")
CONDITION_TESTS = ("equals", "in", "not_in", "matches", "not_matches")


def _check_condition(condition: Any, where: str) -> dict[str, Any]:
    """A ``when`` or ``filter`` condition: one of column/field, and one test."""
    if not isinstance(condition, dict):
        raise ProfileError(_("%(where)s: a condition must be an object") % {"where": where})
    subjects = [key for key in ("column", "field") if key in condition]
    tests = [key for key in CONDITION_TESTS if key in condition]
    if len(subjects) != 1 or len(tests) != 1:
        raise ProfileError(
            _("%(where)s: a condition names one 'column' or 'field' and one of %(tests)s")
            % {"where": where, "tests": ", ".join(CONDITION_TESTS)}
        )
    test = tests[0]
    if test in ("in", "not_in") and not isinstance(condition[test], list):
        raise ProfileError(_("%(where)s: %(test)r needs a list") % {"where": where, "test": test})
    if test in ("matches", "not_matches"):
        try:
            re.compile(condition[test])
        except (re.error, TypeError) as error:
            raise ProfileError(
                _("%(where)s: %(pattern)r is not a regular expression (%(error)s)")
                % {"where": where, "pattern": condition[test], "error": error}
            ) from None
    return dict(condition)


_NATIONAL_GRADE = re.compile(r"^pupils_grade_\w+$")


def profile_from_dict(data: dict[str, Any], *, is_builtin: bool = True) -> Profile:
    """Build and check a profile. Raises ProfileError naming the part that is wrong.

    The definition is checked against the JSON Schema (``profile.schema.json``) as well; a
    mistake the checks here do not name in their own words is named by its JSON path.
    """
    if not isinstance(data, dict):
        raise ProfileError(_("a profile must be a JSON object"))
    try:
        profile = _build_profile(data, is_builtin=is_builtin)
    except ProfileError:
        raise
    except (TypeError, AttributeError, KeyError, ValueError) as error:
        validate_profile_dict(data)
        raise ProfileError(_("profile %(name)s: %(error)s") % {"name": data.get("name", "?"), "error": error}) from None
    validate_profile_dict(data)
    return profile


def _build_profile(data: dict[str, Any], *, is_builtin: bool) -> Profile:
    from .codelists import CodeListError, grade_table, resolve_code_list, shared_code_list
    from .transforms import check_transforms

    try:
        name = data["name"]
        target = data["target"]
    except KeyError as missing:
        raise ProfileError(_("a profile needs %(key)s") % {"key": missing}) from None
    code_lists: dict[str, Any] = {}
    for list_name, spec in data.get("code_lists", {}).items():
        where = _("profile %(name)s, code list %(list)s") % {"name": name, "list": list_name}
        try:
            code_lists[list_name] = resolve_code_list(spec, where=where)
        except CodeListError as error:
            raise ProfileError(f"{where}: {error}") from None
    columns = []
    for index, raw in enumerate(data.get("columns", [])):
        where = _("profile %(name)s, column %(number)s") % {"name": name, "number": index + 1}
        if "field" not in raw or "source" not in raw:
            raise ProfileError(_("%(where)s: needs 'field' and 'source'") % {"where": where})
        column_type = raw.get("type", "text")
        if column_type not in COLUMN_TYPES:
            raise ProfileError(_("%(where)s: unknown type %(type)r") % {"where": where, "type": column_type})
        codes = raw.get("codes", "")
        if isinstance(codes, str) and codes.startswith("shared:"):
            try:
                code_lists.setdefault(codes, shared_code_list(codes[len("shared:") :]))
            except CodeListError as error:
                raise ProfileError(f"{where}: {error}") from None
        if column_type == "code" and codes not in code_lists:
            raise ProfileError(_("%(where)s: code list %(codes)r is not defined") % {"where": where, "codes": codes})
        sources = raw["source"] if isinstance(raw["source"], list) else [raw["source"]]
        combine = raw.get("combine", "")
        if combine and combine not in COMBINE_RULES:
            raise ProfileError(
                _("%(where)s: combine must be one of %(rules)s") % {"where": where, "rules": ", ".join(COMBINE_RULES)}
            )
        if combine == "sum" and column_type not in NUMERIC_TYPES:
            raise ProfileError(_("%(where)s: only numbers can be summed") % {"where": where})
        on_invalid = raw.get("on_invalid", "reject")
        if on_invalid not in ON_INVALID:
            raise ProfileError(
                _("%(where)s: on_invalid must be one of %(rules)s") % {"where": where, "rules": ", ".join(ON_INVALID)}
            )
        if on_invalid == "warn" and column_type not in ("text", "email"):
            raise ProfileError(
                _("%(where)s: on_invalid 'warn' keeps the text as given, so it is only for text and email columns")
                % {"where": where}
            )
        try:
            transforms = check_transforms(raw.get("transforms", []), sources=len(sources))
        except ValueError as error:
            raise ProfileError(f"{where}: {error}") from None
        when = raw.get("when")
        columns.append(
            ColumnSpec(
                field=raw["field"],
                sources=tuple(sources),
                type=column_type,
                required=bool(raw.get("required", False)),
                optional_column=bool(raw.get("optional_column", False)),
                default=raw.get("default"),
                join=raw.get("join", " "),
                blank_values=tuple(str(v) for v in raw.get("blank_values", [])),
                codes=codes,
                keep_code_as=raw.get("keep_code_as", ""),
                max_length=raw.get("max_length"),
                minimum=_decimal(raw.get("minimum"), where),
                maximum=_decimal(raw.get("maximum"), where),
                combine=combine,
                transforms=transforms,
                when=_check_condition(when, where + ", when") if when is not None else None,
                on_invalid=on_invalid,
            )
        )
    if data.get("duplicates", "reject") not in ("reject", "merge_identical"):
        raise ProfileError(_("profile %(name)s: duplicates must be 'reject' or 'merge_identical'") % {"name": name})
    filters = tuple(
        _check_condition(condition, _("profile %(name)s, filter %(number)s") % {"name": name, "number": number})
        for number, condition in enumerate(data.get("filter", []), start=1)
    )
    merge = dict(data.get("merge") or {})
    if merge:
        where = _("profile %(name)s, merge") % {"name": name}
        if not merge.get("key") or not all(isinstance(key, str) for key in merge["key"]):
            raise ProfileError(_("%(where)s: 'key' must list one or more fields") % {"where": where})
        rules = {**merge.get("rules", {}), "": merge.get("default", "same")}
        unknown = sorted({rule for rule in rules.values() if rule not in MERGE_RULES})
        if unknown:
            raise ProfileError(
                _("%(where)s: unknown rule(s) %(unknown)s; known: %(rules)s")
                % {"where": where, "unknown": ", ".join(unknown), "rules": ", ".join(MERGE_RULES)}
            )
    grades = data.get("grades", "")
    if grades:
        try:
            grade_table(grades)
        except CodeListError as error:
            raise ProfileError(f"profile {name}: {error}") from None
    coordinates = data.get("coordinates") or {}
    if coordinates and not (isinstance(coordinates, dict) and coordinates.get("x") and coordinates.get("y")):
        raise ProfileError(_("profile %(name)s: coordinates need the fields 'x' and 'y'") % {"name": name})
    header_row = data.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        raise ProfileError(_("profile %(name)s: header_row must be a row number from 1") % {"name": name})
    sheet = data.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, int)) or sheet == 0):
        raise ProfileError(_("profile %(name)s: sheet must be a sheet's name or its number from 1") % {"name": name})
    profile = Profile(
        name=name,
        target=target,
        label=data.get("label", name),
        description=data.get("description", ""),
        delimiter=data.get("delimiter", "auto"),
        encoding=data.get("encoding", "auto"),
        duplicates=data.get("duplicates", "reject"),
        constants=data.get("constants", {}),
        columns=tuple(columns),
        code_lists=code_lists,
        coordinates=data.get("coordinates", {}),
        pattern_columns=tuple(data.get("pattern_columns", [])),
        is_builtin=is_builtin,
        header_row=header_row,
        sheet=sheet,
        filters=filters,
        merge=merge,
        grades=grades,
        options=dict(data.get("options") or {}),
    )
    for pattern in profile.pattern_columns:
        if pattern.get("type", "text") not in COLUMN_TYPES or "pattern" not in pattern:
            raise ProfileError(
                _("profile %(name)s: a pattern column needs a pattern and a known type") % {"name": name}
            )
    _check_field_references(profile)
    if not profile.grades:
        national = [column.field for column in profile.columns if _NATIONAL_GRADE.match(column.field)]
        if national:
            # Without a table the value would reach no ISCED level and be dropped: refuse instead.
            raise ProfileError(
                _(
                    'profile %(name)s: the field %(field)s is a national grade; choose the grade table ("grades") that gives its ISCED level'
                )
                % {"name": name, "field": national[0]}
            )
    delimiter = profile.delimiter
    if not (delimiter == "auto" or (isinstance(delimiter, str) and len(delimiter) == 1 and delimiter not in '"\r\n')):
        raise ProfileError(
            _("profile %(name)s: delimiter must be auto or one character (such as ',', ';', '|' or a tab)")
            % {"name": name}
        )
    return profile


def fields_read(profile: Profile) -> set[str]:
    """The fields a row of this profile may have: columns, constants, code lists' fields, positions."""
    names = set(profile.constants)
    for column in profile.columns:
        names.add(column.field)
        if column.keep_code_as:
            names.add(column.keep_code_as)
        if column.type == "code":
            for entry in profile.code_lists.get(column.codes, {}).values():
                if isinstance(entry, dict):
                    names.update(entry)
    if profile.coordinates:
        names |= {"latitude", "longitude"}
    if profile.grades:
        from .codelists import grade_table

        table = grade_table(profile.grades)
        for name in list(names):
            match = re.match(r"^pupils_grade_(\w+)$", name)
            if match and match.group(1) in table:
                names.add(f"pupils_isced_{table[match.group(1)]}_grade_{match.group(1)}")
    return names


def _check_field_references(profile: Profile) -> None:
    """Merge keys and conditions on fields must name fields the profile reads (else they never hold)."""
    names = fields_read(profile)
    patterns = [pattern["pattern"] for pattern in profile.pattern_columns]

    def known(name: str) -> bool:
        return name in names or any(re.match(pattern, name) for pattern in patterns)

    references = [(_("merge key"), name) for name in profile.merge.get("key", [])]
    references += [(_("filter"), condition["field"]) for condition in profile.filters if "field" in condition]
    references += [
        (_("condition of column %(field)s") % {"field": column.field}, column.when["field"])
        for column in profile.columns
        if column.when and "field" in column.when
    ]
    for where, name in references:
        if not known(name):
            raise ProfileError(
                _("profile %(name)s, %(where)s: %(field)r is not a field the profile reads")
                % {"name": profile.name, "where": where, "field": name}
            )


SCHEMA_PATH = Path(__file__).resolve().parent / "profile.schema.json"


@lru_cache(maxsize=1)
def profile_json_schema() -> dict[str, Any]:
    """The published JSON Schema of a profile (``profile.schema.json``, draft 2020-12)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = profile_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _json_path(path) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def validate_profile_dict(data: dict[str, Any]) -> None:
    """Check ``data`` against the JSON Schema; raises ProfileError naming the JSON path of the first error."""
    errors = sorted(_validator().iter_errors(data), key=lambda error: (len(error.path), list(map(str, error.path))))
    if errors:
        error = errors[0]
        name = data.get("name", "?") if isinstance(data, dict) else "?"
        raise ProfileError(
            _("profile %(name)s, %(path)s: %(message)s")
            % {"name": name, "path": _json_path(error.absolute_path), "message": error.message}
        )


def load_profile_file(path: str | Path, *, target: str) -> Profile:
    """A profile from a JSON file (``--profile-file``): checked, for ``target``, not built-in."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise ProfileError(_("%(path)s: cannot be read (%(error)s)") % {"path": path, "error": error}) from None
    except ValueError as error:
        raise ProfileError(_("%(path)s: not valid JSON (%(error)s)") % {"path": path, "error": error}) from None
    if not isinstance(data, dict):
        raise ProfileError(_("%(path)s: a profile must be a JSON object") % {"path": path})
    data = {**data}
    data.setdefault("target", target)
    if not data.get("name"):
        data["name"] = path.stem
    profile = profile_from_dict(data, is_builtin=False)
    if profile.target != target:
        raise ProfileError(
            _("%(path)s: the profile is for %(other)s, not %(target)s")
            % {"path": path, "other": profile.target, "target": target}
        )
    return profile


_BUILTIN_DIRS: dict[str, list[Path]] = {}


def register_profile_dir(target: str, directory: Path) -> None:
    """Ship the JSON profiles in ``directory`` as built-in profiles for ``target``."""
    dirs = _BUILTIN_DIRS.setdefault(target, [])
    if directory not in dirs:
        dirs.append(directory)


def builtin_profiles(target: str) -> dict[str, Profile]:
    profiles = {}
    for directory in _BUILTIN_DIRS.get(target, []):
        for path in sorted(directory.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            profiles[data["name"]] = profile_from_dict(data)
    return profiles


def available_profiles(target: str) -> dict[str, Profile]:
    """Built-in and saved profiles for ``target``, by name; saved ones win."""
    from digileap.core.models import ImportProfile

    profiles = builtin_profiles(target)
    for saved in ImportProfile.objects.filter(target=target):
        profiles[saved.name] = profile_from_dict(saved.definition, is_builtin=False)
    return profiles


def get_profile(target: str, name: str) -> Profile:
    profiles = available_profiles(target)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "-"
        raise ProfileError(
            _("unknown profile %(name)r for %(target)s; known: %(known)s")
            % {"name": name, "target": target, "known": known}
        )
    return profiles[name]
