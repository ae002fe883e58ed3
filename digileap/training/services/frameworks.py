"""Competence frameworks: the ones Digileap ships and an authority's own variants (docs/training-frameworks.md).

- ``install_shipped_frameworks()`` installs the JSON files of ``digileap/training/frameworks/``
  (DigCompEdu 1.0) as frameworks without an authority. It is idempotent: a second run changes
  nothing, and a corrected text in the file updates the existing version in place.
- ``load_framework(*, actor, authority, file, filename)`` loads an authority's variant (say a German
  Land's adaptation of DigCompEdu) from a JSON file of the same shape as the shipped one, or from a
  flat CSV file with one row per competence and level. Everything is checked before anything is
  written; every error names the file, the line (CSV) or the place in the JSON, and the field. The
  same code and version twice for one authority is refused: a new version is a new framework.
- ``deactivate_framework(*, actor, framework)`` takes an authority's variant out of use (new
  self-assessment rounds and courses no longer offer it); the rows stay for what refers to them.

Programme owners of the authority and administrators load and deactivate variants (grants in
``permissions.py``); each write is audited.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, SystemActor, authorize
from digileap.core.tabular.errors import ImportFileError
from digileap.core.tabular.readers import open_table
from digileap.programmes.translation import language_codes

from ..models import Area, Competence, CompetenceLevel, Framework, FrameworkLevel

SHIPPED_DIRECTORY = Path(__file__).resolve().parent.parent / "frameworks"
SHIPPED_FILES = ("digcompedu-1.0.json",)
FORMAT_NAME = "digileap-competence-framework"

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# At most this many errors are listed; the rest are counted.
MAX_ERRORS = 50
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_LENGTHS = {"framework_code": 40, "version": 20, "level_code": 8, "area_code": 16, "competence_code": 16}
MAX_TEXT = {"name": 300, "description": 4000, "statement": 1000}
MAX_LEVELS = 20


def max_upload_bytes() -> int:
    return int(getattr(settings, "DIGILEAP_TRAINING_FRAMEWORK_MAX_BYTES", DEFAULT_MAX_BYTES))


# ---------------------------------------------------------------------------------------------
# The checked content of a framework file, before anything is written.


@dataclass
class LevelSpec:
    code: str
    rank: int | None  # None: not valid (an error says so)
    name: dict
    description: dict

    @property
    def checked_rank(self) -> int:
        """The rank of a level of a spec without errors (what is written)."""
        assert self.rank is not None, f"level {self.code} has no valid rank"
        return self.rank


@dataclass
class CompetenceSpec:
    code: str
    name: dict
    description: dict
    statements: dict[str, dict] = field(default_factory=dict)  # level code -> texts


@dataclass
class AreaSpec:
    code: str
    name: dict
    description: dict
    competences: list[CompetenceSpec] = field(default_factory=list)


@dataclass
class FrameworkSpec:
    """A framework file's content, checked: what ``load_framework`` writes."""

    filename: str
    code: str
    version: str
    name: dict
    description: dict
    source_url: str
    levels: list[LevelSpec]
    areas: list[AreaSpec]
    sha256: str = ""

    def counts(self) -> dict[str, int]:
        competences = sum(len(area.competences) for area in self.areas)
        return {
            "areas": len(self.areas),
            "competences": competences,
            "levels": len(self.levels),
            "statements": sum(len(c.statements) for area in self.areas for c in area.competences),
        }


class _Errors:
    """Collects the errors of one file, each as ``FILE, PLACE, field F: message``."""

    def __init__(self, filename: str):
        self.filename = filename
        self.messages: list[str] = []

    def add(self, where: str, field_name: str, message: str) -> None:
        parts = [self.filename or _("the file")]
        if where:
            parts.append(where)
        if field_name:
            parts.append(_("field %(field)s") % {"field": field_name})
        self.messages.append(f"{', '.join(parts)}: {message}")

    def raise_if_any(self) -> None:
        if not self.messages:
            return
        shown = self.messages[:MAX_ERRORS]
        if len(self.messages) > MAX_ERRORS:
            shown.append(
                _("… and %(count)s more errors; nothing was written.") % {"count": len(self.messages) - MAX_ERRORS}
            )
        raise ValidationError(shown)


# ---------------------------------------------------------------------------------------------
# Shared checks of one value.


def _texts(errors: _Errors, value: Any, where: str, field_name: str, *, kind: str, required: bool) -> dict:
    """A five-language text: a mapping of language codes to texts (a plain text is English).
    ``required``: English must be given."""
    if value is None or value == "":
        value = {}
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        errors.add(where, field_name, _('give the text as an object of language codes and texts, e.g. {"en": …}'))
        return {}
    known = language_codes()
    result: dict[str, str] = {}
    for language, text in value.items():
        if language not in known:
            errors.add(
                where,
                field_name,
                _("unknown language code %(code)r; use %(known)s") % {"code": language, "known": ", ".join(known)},
            )
            continue
        if text is None:
            continue
        if not isinstance(text, str):
            errors.add(where, f"{field_name}.{language}", _("the text must be a string"))
            continue
        text = text.strip()
        if len(text) > MAX_TEXT[kind]:
            errors.add(
                where,
                f"{field_name}.{language}",
                _("the text has %(length)s characters; at most %(limit)s are allowed")
                % {"length": len(text), "limit": MAX_TEXT[kind]},
            )
            continue
        if text:
            result[language] = text
    if required and not result.get("en"):
        errors.add(where, field_name, _("the English text (en) is missing"))
    return result


def _code(errors: _Errors, value: Any, where: str, field_name: str, *, kind: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is not None and not isinstance(value, str):
        errors.add(where, field_name, _('give %(value)r as text in quotes, e.g. "1.0"') % {"value": value})
        return ""
    if not isinstance(value, str) or not value.strip():
        errors.add(where, field_name, _("the code is missing"))
        return ""
    value = value.strip()
    limit = MAX_LENGTHS[kind]
    if len(value) > limit:
        errors.add(
            where, field_name, _("%(value)r is longer than %(limit)s characters") % {"value": value, "limit": limit}
        )
        return ""
    if not CODE_PATTERN.match(value):
        errors.add(
            where,
            field_name,
            _("%(value)r may hold only letters, digits, dots, hyphens and underscores") % {"value": value},
        )
        return ""
    return value


def _rank(errors: _Errors, value: Any, where: str, field_name: str) -> int | None:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isdigit() else value
    if not isinstance(value, int) or value < 1:
        errors.add(where, field_name, _("the rank must be a whole number from 1, not %(value)r") % {"value": value})
        return None
    return value


def _check_whole(errors: _Errors, spec: FrameworkSpec, where_of: dict[str, str]) -> None:
    """Rules over the whole framework: levels ranked 1..n, at least one area and competence, and
    every competence with a statement for every level."""
    if not spec.levels:
        errors.add(where_of.get("levels", ""), "levels", _("the framework needs at least one level"))
    elif len(spec.levels) > MAX_LEVELS:
        errors.add(where_of.get("levels", ""), "levels", _("at most %(limit)s levels") % {"limit": MAX_LEVELS})
    ranks = sorted(level.rank for level in spec.levels if level.rank is not None)
    if spec.levels and ranks != list(range(1, len(spec.levels) + 1)):
        errors.add(
            where_of.get("levels", ""),
            "rank",
            _("the levels' ranks must run 1, 2, … %(count)s without gaps or repeats; the file has %(ranks)s")
            % {"count": len(spec.levels), "ranks": ", ".join(str(rank) for rank in ranks) or "—"},
        )
    if not spec.areas:
        errors.add(where_of.get("areas", ""), "areas", _("the framework needs at least one area"))
    level_codes = [level.code for level in sorted(spec.levels, key=lambda level: level.rank or 0)]
    for area in spec.areas:
        if not area.competences:
            errors.add(
                where_of.get(f"area:{area.code}", ""),
                "competences",
                _("area %(code)s has no competences") % {"code": area.code},
            )
        for competence in area.competences:
            missing = [code for code in level_codes if code and code not in competence.statements]
            if missing:
                errors.add(
                    where_of.get(f"competence:{competence.code}", ""),
                    "statements",
                    _("competence %(code)s has no statement for level %(levels)s")
                    % {"code": competence.code, "levels": ", ".join(missing)},
                )


# ---------------------------------------------------------------------------------------------
# JSON


def parse_json(content: bytes, filename: str) -> FrameworkSpec:
    """A framework from a JSON file of the shipped file's shape; a ValidationError listing every problem."""
    errors = _Errors(filename)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("%(file)s, line %(line)s: the file is not UTF-8 text; save it as UTF-8")
            % {"file": filename, "line": content.count(b"\n", 0, error.start) + 1}
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("%(file)s, line %(line)s, column %(column)s: not valid JSON: %(reason)s")
            % {"file": filename, "line": error.lineno, "column": error.colno, "reason": error.msg}
        ) from None
    if not isinstance(data, dict):
        raise ValidationError(_("%(file)s: the file must hold one JSON object, the framework") % {"file": filename})
    if data.get("format", FORMAT_NAME) != FORMAT_NAME:
        errors.add("", "format", _("expected %(expected)r") % {"expected": FORMAT_NAME})
    where_of: dict[str, str] = {"levels": "levels", "areas": "areas"}
    code = _code(errors, data.get("code"), "", "code", kind="framework_code")
    version = _code(errors, data.get("version"), "", "version", kind="version")
    name = _texts(errors, data.get("name"), "", "name", kind="name", required=True)
    description = _texts(errors, data.get("description"), "", "description", kind="description", required=False)
    source_url = data.get("source_url") or ""
    if not isinstance(source_url, str) or (source_url and not re.match(r"^https?://\S+$", source_url)):
        errors.add("", "source_url", _("give a web address starting with http:// or https://"))
        source_url = ""
    levels: list[LevelSpec] = []
    raw_levels = data.get("levels")
    if not isinstance(raw_levels, list):
        errors.add("", "levels", _("give the levels as a list"))
        raw_levels = []
    seen_levels: dict[str, str] = {}
    for index, raw in enumerate(raw_levels):
        where = f"levels[{index}]"
        if not isinstance(raw, dict):
            errors.add(where, "", _("a level must be an object"))
            continue
        level_code = _code(errors, raw.get("code"), where, "code", kind="level_code")
        if level_code in seen_levels:
            errors.add(
                where,
                "code",
                _("the level code %(code)s is already used at %(first)s")
                % {"code": level_code, "first": seen_levels[level_code]},
            )
        elif level_code:
            seen_levels[level_code] = where
        levels.append(
            LevelSpec(
                code=level_code,
                rank=_rank(errors, raw.get("rank"), where, "rank"),
                name=_texts(errors, raw.get("name"), where, "name", kind="name", required=True),
                description=_texts(
                    errors, raw.get("description"), where, "description", kind="description", required=False
                ),
            )
        )
    areas: list[AreaSpec] = []
    raw_areas = data.get("areas")
    if not isinstance(raw_areas, list):
        errors.add("", "areas", _("give the areas as a list"))
        raw_areas = []
    seen_areas: dict[str, str] = {}
    seen_competences: dict[str, str] = {}
    for index, raw in enumerate(raw_areas):
        where = f"areas[{index}]"
        if not isinstance(raw, dict):
            errors.add(where, "", _("an area must be an object"))
            continue
        area_code = _code(errors, raw.get("code"), where, "code", kind="area_code")
        if area_code in seen_areas:
            errors.add(
                where,
                "code",
                _("the area code %(code)s is already used at %(first)s")
                % {"code": area_code, "first": seen_areas[area_code]},
            )
        elif area_code:
            seen_areas[area_code] = where
            where_of[f"area:{area_code}"] = where
        area = AreaSpec(
            code=area_code,
            name=_texts(errors, raw.get("name"), where, "name", kind="name", required=True),
            description=_texts(
                errors, raw.get("description"), where, "description", kind="description", required=False
            ),
        )
        raw_competences = raw.get("competences")
        if not isinstance(raw_competences, list):
            errors.add(where, "competences", _("give the area's competences as a list"))
            raw_competences = []
        for position, raw_competence in enumerate(raw_competences):
            inner = f"{where}.competences[{position}]"
            if not isinstance(raw_competence, dict):
                errors.add(inner, "", _("a competence must be an object"))
                continue
            competence_code = _code(errors, raw_competence.get("code"), inner, "code", kind="competence_code")
            if competence_code in seen_competences:
                errors.add(
                    inner,
                    "code",
                    _("the competence code %(code)s is already used at %(first)s")
                    % {"code": competence_code, "first": seen_competences[competence_code]},
                )
            elif competence_code:
                seen_competences[competence_code] = inner
                where_of[f"competence:{competence_code}"] = inner
            competence = CompetenceSpec(
                code=competence_code,
                name=_texts(errors, raw_competence.get("name"), inner, "name", kind="name", required=True),
                description=_texts(
                    errors, raw_competence.get("description"), inner, "description", kind="description", required=False
                ),
            )
            statements = raw_competence.get("statements")
            if not isinstance(statements, dict):
                errors.add(inner, "statements", _("give the statements as an object of level codes and texts"))
                statements = {}
            for level_code, statement in statements.items():
                if level_code not in seen_levels:
                    errors.add(
                        inner, f"statements.{level_code}", _("there is no level %(code)s") % {"code": level_code}
                    )
                    continue
                competence.statements[level_code] = _texts(
                    errors, statement, inner, f"statements.{level_code}", kind="statement", required=True
                )
            area.competences.append(competence)
        areas.append(area)
    spec = FrameworkSpec(
        filename=filename,
        code=code,
        version=version,
        name=name,
        description=description,
        source_url=source_url,
        levels=levels,
        areas=areas,
    )
    _check_whole(errors, spec, where_of)
    errors.raise_if_any()
    return spec


# ---------------------------------------------------------------------------------------------
# CSV: one row per competence and level.

CSV_REQUIRED = ("framework_code", "framework_version", "area_code", "competence_code", "level_code", "level_rank")
CSV_TEXT_PREFIXES = {
    "framework_name": ("framework", "name", True),
    "framework_description": ("framework", "description", False),
    "area_name": ("area", "name", True),
    "area_description": ("area", "description", False),
    "competence_name": ("competence", "name", True),
    "competence_description": ("competence", "description", False),
    "level_name": ("level", "name", True),
    "level_description": ("level", "description", False),
    "statement": ("statement", "statement", True),
}


def csv_columns() -> list[str]:
    """Every column the CSV format knows, in the documented order."""
    languages = language_codes()
    columns = ["framework_code", "framework_version"]
    columns += [f"framework_name_{code}" for code in languages] + [
        f"framework_description_{code}" for code in languages
    ]
    columns += ["source_url", "area_code"]
    columns += [f"area_name_{code}" for code in languages] + [f"area_description_{code}" for code in languages]
    columns += ["competence_code"]
    columns += [f"competence_name_{code}" for code in languages]
    columns += [f"competence_description_{code}" for code in languages]
    columns += ["level_code", "level_rank"]
    columns += [f"level_name_{code}" for code in languages] + [f"level_description_{code}" for code in languages]
    columns += [f"statement_{code}" for code in languages]
    return columns


class _Consistent:
    """Values that repeat on many rows (a competence's name on each of its levels' rows): given
    at least once, and the same wherever repeated."""

    def __init__(self, errors: _Errors):
        self.errors = errors
        self.values: dict[tuple, tuple[str, int]] = {}

    def put(self, key: tuple, column: str, value: str, line: int) -> None:
        if not value:
            return
        known = self.values.get((*key, column))
        if known is None:
            self.values[(*key, column)] = (value, line)
        elif known[0] != value:
            self.errors.add(
                _("line %(line)s") % {"line": line},
                column,
                _("%(value)r differs from %(first)r on line %(first_line)s")
                % {"value": value, "first": known[0], "first_line": known[1]},
            )

    def texts(self, key: tuple, field_prefix: str) -> dict:
        return {
            language: self.values[(*key, f"{field_prefix}_{language}")][0]
            for language in language_codes()
            if (*key, f"{field_prefix}_{language}") in self.values
        }

    def get(self, key: tuple, column: str) -> str:
        found = self.values.get((*key, column))
        return found[0] if found else ""


def parse_csv(content: bytes, filename: str) -> FrameworkSpec:
    """A framework from a flat CSV file (``;`` or ``,``; UTF-8 or Windows-1252/Latin-1): one row per
    competence and level. Values that belong to the framework, an area, a competence or a level
    may be left empty on rows after the first that gives them; where repeated they must agree."""
    errors = _Errors(filename)
    known = set(csv_columns())
    try:
        table = open_table(io.BytesIO(content), filename=filename, expected_headers=known)
    except ImportFileError as error:
        raise ValidationError(error.describe()) from None
    try:
        headers = [header.strip().lower() for header in table.headers]
        header_errors = []
        for position, header in enumerate(headers, start=1):
            if header and header not in known:
                header_errors.append(
                    _(
                        "%(file)s, line %(line)s: column %(position)s, %(header)r, is not a column of the format (see docs/training-frameworks.md)"
                    )
                    % {"file": filename, "line": 1, "position": position, "header": header}
                )
        duplicates = sorted({header for header in headers if header and headers.count(header) > 1})
        for header in duplicates:
            header_errors.append(
                _("%(file)s, line 1: the column %(header)r appears twice") % {"file": filename, "header": header}
            )
        for column in CSV_REQUIRED + (
            "framework_name_en",
            "area_name_en",
            "competence_name_en",
            "level_name_en",
            "statement_en",
        ):
            if column not in headers:
                header_errors.append(
                    _("%(file)s, line 1: the column %(column)r is missing") % {"file": filename, "column": column}
                )
        if header_errors:
            raise ValidationError(header_errors)
        spec = _csv_rows(table, headers, errors, filename)
    finally:
        table.close()
    errors.raise_if_any()
    return spec


def _csv_rows(table, headers: list[str], errors: _Errors, filename: str) -> FrameworkSpec:
    consistent = _Consistent(errors)
    area_order: list[str] = []
    competence_area: dict[str, tuple[str, int]] = {}
    level_rank: dict[str, tuple[int, int]] = {}
    rank_level: dict[int, tuple[str, int]] = {}
    statements: dict[tuple[str, str], tuple[dict, int]] = {}
    where_of: dict[str, str] = {}
    framework_key: tuple[str, str] | None = None
    rows = 0
    for line, cells in table.rows():
        rows += 1
        where = _("line %(line)s") % {"line": line}
        row = {
            header: ("" if index >= len(cells) or cells[index] is None else str(cells[index]).strip())
            for index, header in enumerate(headers)
        }
        if len(cells) > len(headers) and any(str(cell).strip() for cell in cells[len(headers) :]):
            errors.add(
                where,
                "",
                _("the row has %(cells)s cells but the header only %(columns)s columns")
                % {"cells": len(cells), "columns": len(headers)},
            )
            continue
        values = {}
        for column, kind in (
            ("framework_code", "framework_code"),
            ("framework_version", "version"),
            ("area_code", "area_code"),
            ("competence_code", "competence_code"),
            ("level_code", "level_code"),
        ):
            values[column] = _code(errors, row[column], where, column, kind=kind)
        rank = _rank(errors, row["level_rank"], where, "level_rank")
        if not all(values.values()) or rank is None:
            continue
        key = (values["framework_code"], values["framework_version"])
        if framework_key is None:
            framework_key = key
        elif key != framework_key:
            errors.add(
                where,
                "framework_code",
                _("a file holds one framework: %(code)s %(version)s differs from %(first_code)s %(first_version)s")
                % {
                    "code": key[0],
                    "version": key[1],
                    "first_code": framework_key[0],
                    "first_version": framework_key[1],
                },
            )
            continue
        area_code, competence_code, level_code = values["area_code"], values["competence_code"], values["level_code"]
        first = competence_area.get(competence_code)
        if first is not None and first[0] != area_code:
            errors.add(
                where,
                "competence_code",
                _("competence %(code)s is in area %(area)s on line %(first_line)s, not in %(other)s")
                % {"code": competence_code, "area": first[0], "first_line": first[1], "other": area_code},
            )
            continue
        if first is None:
            competence_area[competence_code] = (area_code, line)
            where_of[f"competence:{competence_code}"] = where
        if area_code not in area_order:
            area_order.append(area_code)
            where_of[f"area:{area_code}"] = where
        known_rank = level_rank.get(level_code)
        if known_rank is not None and known_rank[0] != rank:
            errors.add(
                where,
                "level_rank",
                _("level %(code)s has rank %(rank)s on line %(first_line)s, not %(other)s")
                % {"code": level_code, "rank": known_rank[0], "first_line": known_rank[1], "other": rank},
            )
            continue
        known_level = rank_level.get(rank)
        if known_level is not None and known_level[0] != level_code:
            errors.add(
                where,
                "level_rank",
                _("rank %(rank)s is level %(code)s on line %(first_line)s; two levels cannot share a rank")
                % {"rank": rank, "code": known_level[0], "first_line": known_level[1]},
            )
            continue
        level_rank.setdefault(level_code, (rank, line))
        rank_level.setdefault(rank, (level_code, line))
        if (competence_code, level_code) in statements:
            errors.add(
                where,
                "level_code",
                _("competence %(code)s has a second row for level %(level)s (the first is on line %(first_line)s)")
                % {
                    "code": competence_code,
                    "level": level_code,
                    "first_line": statements[(competence_code, level_code)][1],
                },
            )
            continue
        for column, value in row.items():
            prefix, _sep, language = column.rpartition("_")
            if prefix not in CSV_TEXT_PREFIXES:
                continue
            scope, _field, _required = CSV_TEXT_PREFIXES[prefix]
            if scope == "statement":
                continue
            if len(value) > MAX_TEXT[_field]:
                errors.add(
                    where,
                    column,
                    _("the text has %(length)s characters; at most %(limit)s are allowed")
                    % {"length": len(value), "limit": MAX_TEXT[_field]},
                )
                continue
            owner = {
                "framework": ("framework",),
                "area": ("area", area_code),
                "competence": ("competence", competence_code),
                "level": ("level", level_code),
            }[scope]
            consistent.put(owner, column, value, line)
        consistent.put(("framework",), "source_url", row.get("source_url", ""), line)
        statement = {}
        for language in language_codes():
            text = row.get(f"statement_{language}", "")
            if len(text) > MAX_TEXT["statement"]:
                errors.add(
                    where,
                    f"statement_{language}",
                    _("the text has %(length)s characters; at most %(limit)s are allowed")
                    % {"length": len(text), "limit": MAX_TEXT["statement"]},
                )
            elif text:
                statement[language] = text
        if not statement.get("en"):
            errors.add(where, "statement_en", _("the English statement is missing"))
        statements[(competence_code, level_code)] = (statement, line)
    if rows == 0:
        raise ValidationError(_("%(file)s: the file has a header but no rows") % {"file": filename})

    def required_texts(owner: tuple, prefix: str, where: str) -> dict:
        texts = consistent.texts(owner, prefix)
        if not texts.get("en"):
            errors.add(
                where,
                f"{prefix}_en",
                _("the English name is missing on every row of %(what)s") % {"what": " ".join(owner)},
            )
        return texts

    first_where = where_of.get(f"area:{area_order[0]}", "") if area_order else ""
    levels = [
        LevelSpec(
            code=code,
            rank=rank,
            name=required_texts(("level", code), "level_name", _("line %(line)s") % {"line": line}),
            description=consistent.texts(("level", code), "level_description"),
        )
        for code, (rank, line) in sorted(level_rank.items(), key=lambda item: item[1][0])
    ]
    areas = []
    for area_code in area_order:
        area = AreaSpec(
            code=area_code,
            name=required_texts(("area", area_code), "area_name", where_of.get(f"area:{area_code}", "")),
            description=consistent.texts(("area", area_code), "area_description"),
        )
        for competence_code, (owner_area, _line) in competence_area.items():
            if owner_area != area_code:
                continue
            competence = CompetenceSpec(
                code=competence_code,
                name=required_texts(
                    ("competence", competence_code),
                    "competence_name",
                    where_of.get(f"competence:{competence_code}", ""),
                ),
                description=consistent.texts(("competence", competence_code), "competence_description"),
                statements={
                    level: texts
                    for (code, level), (texts, _line) in sorted(statements.items(), key=lambda item: item[1][1])
                    if code == competence_code
                },
            )
            area.competences.append(competence)
        areas.append(area)
    source_url = consistent.get(("framework",), "source_url")
    if source_url and not re.match(r"^https?://\S+$", source_url):
        errors.add(first_where, "source_url", _("give a web address starting with http:// or https://"))
        source_url = ""
    spec = FrameworkSpec(
        filename=filename,
        code=framework_key[0] if framework_key else "",
        version=framework_key[1] if framework_key else "",
        name=required_texts(("framework",), "framework_name", first_where),
        description=consistent.texts(("framework",), "framework_description"),
        source_url=source_url,
        levels=levels,
        areas=areas,
    )
    _check_whole(errors, spec, {**where_of, "levels": first_where, "areas": first_where})
    return spec


# ---------------------------------------------------------------------------------------------
# Reading an upload or a path.


def read_framework_file(file, filename: str) -> FrameworkSpec:
    """Parse ``file`` (an upload, a binary stream or a path) as JSON or CSV by its name's
    extension, within the size limit. A ValidationError on any problem; nothing is written."""
    filename = Path(filename or getattr(file, "name", "") or "").name or "framework"
    extension = Path(filename).suffix.lower()
    if extension not in {".json", ".csv", ".txt"}:
        raise ValidationError(
            _("%(file)s: give a JSON (.json) or CSV (.csv) file") % {"file": filename}, code="extension"
        )
    limit = max_upload_bytes()
    if isinstance(file, (str, Path)):
        path = Path(file)
        size = path.stat().st_size
        if size > limit:
            raise _too_large(filename, size, limit)
        content = path.read_bytes()
    else:
        file_size: int | None = getattr(file, "size", None)
        if file_size is not None and file_size > limit:
            raise _too_large(filename, file_size, limit)
        if hasattr(file, "seek"):
            file.seek(0)
        content = file.read(limit + 1)
        if len(content) > limit:
            raise _too_large(filename, file_size or len(content), limit)
    if not content.strip():
        raise ValidationError(_("%(file)s: the file is empty") % {"file": filename}, code="empty")
    spec = parse_json(content, filename) if extension == ".json" else parse_csv(content, filename)
    spec.sha256 = hashlib.sha256(content).hexdigest()
    return spec


def _too_large(filename: str, size: int, limit: int) -> ValidationError:
    return ValidationError(
        _("%(file)s: the file is %(size)s; a framework file may be at most %(limit)s")
        % {"file": filename, "size": filesizeformat(size), "limit": filesizeformat(limit)},
        code="too_large",
    )


# ---------------------------------------------------------------------------------------------
# Writing.


def _duplicate_message(authority, code: str, version: str) -> str:
    return _(
        "%(authority)s already has the framework %(code)s in version %(version)s. A new version is a new "
        "framework: give the file another version."
    ) % {"authority": authority.name, "code": code, "version": version}


def check_framework_file(*, actor, authority, file, filename: str) -> FrameworkSpec:
    """Everything ``load_framework`` checks, without writing: the actor may load for the
    authority, the file is valid, and the authority has no framework of that code and version."""
    if authority is None:
        raise ValidationError({"authority": [_("Choose the authority whose framework this is.")]})
    authorize(actor, Action.ADD, Framework(authority=authority))
    spec = read_framework_file(file, filename)
    if Framework.objects.filter(authority=authority, code=spec.code, version=spec.version).exists():
        raise ValidationError(_duplicate_message(authority, spec.code, spec.version), code="duplicate")
    return spec


def _create_parts(framework: Framework, spec: FrameworkSpec) -> None:
    levels = FrameworkLevel.objects.bulk_create(
        [
            FrameworkLevel(
                framework=framework,
                code=level.code,
                rank=level.checked_rank,
                name=level.name,
                description=level.description,
            )
            for level in spec.levels
        ]
    )
    level_by_code = {level.code: level for level in levels}
    areas = Area.objects.bulk_create(
        [
            Area(framework=framework, code=area.code, order=order, name=area.name, description=area.description)
            for order, area in enumerate(spec.areas, start=1)
        ]
    )
    competences: list[tuple[Competence, CompetenceSpec]] = []
    for area, area_spec in zip(areas, spec.areas, strict=True):
        competences += [
            (
                Competence(
                    framework=framework,
                    area=area,
                    code=competence.code,
                    order=order,
                    name=competence.name,
                    description=competence.description,
                ),
                competence,
            )
            for order, competence in enumerate(area_spec.competences, start=len(competences) + 1)
        ]
    Competence.objects.bulk_create([competence for competence, _spec in competences])
    CompetenceLevel.objects.bulk_create(
        [
            CompetenceLevel(competence=competence, level=level_by_code[level_code], statement=texts)
            for competence, competence_spec in competences
            for level_code, texts in competence_spec.statements.items()
        ]
    )


@transaction.atomic
def load_framework(*, actor, authority, file, filename: str) -> Framework:
    """Load ``authority``'s own framework from a JSON or CSV file; all or nothing."""
    spec = check_framework_file(actor=actor, authority=authority, file=file, filename=filename)
    framework = Framework(
        authority=authority,
        code=spec.code,
        version=spec.version,
        name=spec.name,
        description=spec.description,
        source_url=spec.source_url,
    )
    try:
        with transaction.atomic():
            framework.save()
    except IntegrityError:
        # Another request loaded the same code and version a moment ago.
        raise ValidationError(_duplicate_message(authority, spec.code, spec.version), code="duplicate") from None
    _create_parts(framework, spec)
    audit.record(
        actor=actor,
        action="create",
        instance=framework,
        after={
            **audit.snapshot(framework),
            **spec.counts(),
            "file": spec.filename,
            "sha256": spec.sha256,
        },
    )
    return framework


@transaction.atomic
def deactivate_framework(*, actor, framework: Framework) -> Framework:
    """Take an authority's own framework out of use. The frameworks Digileap ships stay in use."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    authorize(actor, Action.CHANGE, framework)
    if framework.authority_id is None:
        raise ValidationError(_("The frameworks Digileap ships cannot be taken out of use."), code="shipped")
    if not framework.is_active:
        raise ValidationError(_("The framework is already out of use."), code="inactive")
    framework.is_active = False
    framework.save(update_fields=["is_active"])
    audit.record(
        actor=actor, action="update", instance=framework, before={"is_active": True}, after={"is_active": False}
    )
    return framework


# ---------------------------------------------------------------------------------------------
# The shipped frameworks.


def shipped_specs() -> list[FrameworkSpec]:
    return [read_framework_file(SHIPPED_DIRECTORY / name, name) for name in SHIPPED_FILES]


def _update_texts(instance, values: dict[str, Any], changes: list[str], label: str) -> bool:
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed:
        instance.save(update_fields=changed)
        changes.append(label)
    return bool(changed)


@transaction.atomic
def install_framework_spec(spec: FrameworkSpec, *, actor=None) -> Framework:
    """Install a shipped framework or bring an installed one's texts up to date, in place. Parts
    the file no longer has are kept (answers and courses may refer to them)."""
    actor = actor or SystemActor("shipped frameworks")
    framework = (
        Framework.objects.select_for_update().filter(authority=None, code=spec.code, version=spec.version).first()
    )
    if framework is None:
        framework = Framework.objects.create(
            authority=None,
            code=spec.code,
            version=spec.version,
            name=spec.name,
            description=spec.description,
            source_url=spec.source_url,
        )
        _create_parts(framework, spec)
        audit.record(
            actor=actor, action="create", instance=framework, after={**audit.snapshot(framework), **spec.counts()}
        )
        return framework
    changes: list[str] = []
    _update_texts(
        framework,
        {"name": spec.name, "description": spec.description, "source_url": spec.source_url},
        changes,
        "framework",
    )
    levels = {level.code: level for level in framework.levels.all()}
    for level in spec.levels:
        if level.code in levels:
            _update_texts(
                levels[level.code],
                {"name": level.name, "description": level.description},
                changes,
                f"level {level.code}",
            )
        else:
            levels[level.code] = FrameworkLevel.objects.create(
                framework=framework,
                code=level.code,
                rank=level.checked_rank,
                name=level.name,
                description=level.description,
            )
            changes.append(f"level {level.code}")
    areas = {area.code: area for area in framework.areas.all()}
    competences = {competence.code: competence for competence in framework.competences.all()}
    statements = {
        (row.competence_id, row.level_id): row
        for row in CompetenceLevel.objects.filter(competence__framework=framework)
    }
    position = 0
    for order, area_spec in enumerate(spec.areas, start=1):
        area = areas.get(area_spec.code)
        values = {"name": area_spec.name, "description": area_spec.description, "order": order}
        if area is None:
            area = areas[area_spec.code] = Area.objects.create(framework=framework, code=area_spec.code, **values)
            changes.append(f"area {area.code}")
        else:
            _update_texts(area, values, changes, f"area {area.code}")
        for competence_spec in area_spec.competences:
            position += 1
            competence = competences.get(competence_spec.code)
            values = {
                "name": competence_spec.name,
                "description": competence_spec.description,
                "order": position,
                "area": area,
            }
            if competence is None:
                competence = Competence.objects.create(framework=framework, code=competence_spec.code, **values)
                changes.append(f"competence {competence.code}")
            else:
                _update_texts(competence, values, changes, f"competence {competence.code}")
            for level_code, texts in competence_spec.statements.items():
                framework_level = levels[level_code]
                row = statements.get((competence.pk, framework_level.pk))
                if row is None:
                    CompetenceLevel.objects.create(competence=competence, level=framework_level, statement=texts)
                    changes.append(f"statement {competence.code} {level_code}")
                else:
                    _update_texts(row, {"statement": texts}, changes, f"statement {competence.code} {level_code}")
    if changes:
        audit.record(
            actor=actor,
            action="update",
            instance=framework,
            after={"updated": changes[:200], "count": len(changes)},
        )
    return framework


def install_shipped_frameworks() -> list[Framework]:
    """Install (or update in place) every framework Digileap ships; idempotent."""
    return [install_framework_spec(spec) for spec in shipped_specs()]


def framework_counts(framework: Framework) -> dict[str, int]:
    return {
        "areas": framework.areas.count(),
        "competences": framework.competences.count(),
        "levels": framework.levels.count(),
        "statements": CompetenceLevel.objects.filter(competence__framework=framework).count(),
    }


def iter_errors(error: ValidationError) -> Iterable[str]:
    """The messages of a ValidationError, field-keyed or not, each once."""
    if hasattr(error, "error_dict"):
        for messages in error.message_dict.values():
            yield from messages
    else:
        yield from error.messages
