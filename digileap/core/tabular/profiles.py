"""Import profiles: named mappings from a file's columns to an importer's fields.

A profile is JSON (see docs/imports.md). Built-in profiles ship as files in each app's
``import_profiles/`` folder; administrators can save their own as ``ImportProfile`` rows, which
take precedence over a built-in profile of the same name.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

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

    @property
    def expected_headers(self) -> set[str]:
        return {source for column in self.columns for source in column.sources}

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


def profile_from_dict(data: dict[str, Any], *, is_builtin: bool = True) -> Profile:
    """Build and check a profile. Raises ProfileError naming the part that is wrong."""
    try:
        name = data["name"]
        target = data["target"]
    except KeyError as missing:
        raise ProfileError(_("a profile needs %(key)s") % {"key": missing}) from None
    code_lists = data.get("code_lists", {})
    columns = []
    for index, raw in enumerate(data.get("columns", [])):
        where = _("profile %(name)s, column %(number)s") % {"name": name, "number": index + 1}
        if "field" not in raw or "source" not in raw:
            raise ProfileError(_("%(where)s: needs 'field' and 'source'") % {"where": where})
        column_type = raw.get("type", "text")
        if column_type not in COLUMN_TYPES:
            raise ProfileError(_("%(where)s: unknown type %(type)r") % {"where": where, "type": column_type})
        if column_type == "code" and raw.get("codes") not in code_lists:
            raise ProfileError(
                _("%(where)s: code list %(codes)r is not defined") % {"where": where, "codes": raw.get("codes")}
            )
        sources = raw["source"] if isinstance(raw["source"], list) else [raw["source"]]
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
                codes=raw.get("codes", ""),
                keep_code_as=raw.get("keep_code_as", ""),
                max_length=raw.get("max_length"),
                minimum=_decimal(raw.get("minimum"), where),
                maximum=_decimal(raw.get("maximum"), where),
            )
        )
    if data.get("duplicates", "reject") not in ("reject", "merge_identical"):
        raise ProfileError(_("profile %(name)s: duplicates must be 'reject' or 'merge_identical'") % {"name": name})
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
    )
    for pattern in profile.pattern_columns:
        if pattern.get("type", "text") not in COLUMN_TYPES or "pattern" not in pattern:
            raise ProfileError(
                _("profile %(name)s: a pattern column needs a pattern and a known type") % {"name": name}
            )
    if profile.delimiter not in ("auto", ",", ";", "\t"):
        raise ProfileError(_("profile %(name)s: delimiter must be auto, ',', ';' or a tab") % {"name": name})
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
