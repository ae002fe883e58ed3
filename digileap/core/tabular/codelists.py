"""Shared code lists and grade tables that profiles reference by name.

A shared code list is a JSON file ``code_lists/<name>.json``::

    {"name": "de-laender", "label": "German Länder", "source": "where the codes come from",
     "codes": {"01": {"name": "Schleswig-Holstein", "iso": "DE-SH"}, ...}}

An entry is an object of attributes or a plain string. A grade table is a JSON file
``code_lists/grades/<NAME>.json``::

    {"name": "DE", "label": "...", "source": "...", "grades": {"1": 1, ..., "13": 3}}

mapping a national grade to its ISCED level. Profiles use them with ``"codes": "shared:NAME"``,
with ``{"shared": "NAME", "fields": {...}, "value": "..."}`` in ``code_lists``, and with
``"grades": "NAME"``. The files are read once per process.
"""

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

CODE_LISTS_DIR = Path(__file__).resolve().parent / "code_lists"
GRADES_DIR = CODE_LISTS_DIR / "grades"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class CodeListError(ValueError):
    """A shared code list or grade table is unknown or malformed."""


def _read(path: Path, kind: str, name: str) -> dict[str, Any]:
    if not _NAME.match(name) or not path.is_file():
        raise CodeListError(_("unknown shared %(kind)s %(name)r") % {"kind": kind, "name": name})
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CodeListError(
            _("the shared %(kind)s %(name)r cannot be read: %(error)s") % {"kind": kind, "name": name, "error": error}
        ) from None
    if not isinstance(data, dict):
        raise CodeListError(_("the shared %(kind)s %(name)r is not a JSON object") % {"kind": kind, "name": name})
    return data


@lru_cache(maxsize=128)
def _code_list_file(name: str) -> dict[str, Any]:
    data = _read(CODE_LISTS_DIR / f"{name}.json", _("code list"), name)
    codes = data.get("codes")
    if not isinstance(codes, dict) or not all(isinstance(value, (dict, str)) for value in codes.values()):
        raise CodeListError(
            _("the shared code list %(name)r needs 'codes': an object of codes to objects or texts") % {"name": name}
        )
    return data


def shared_code_list(name: str) -> dict[str, Any]:
    """The codes of the shared list ``name``: code → entry (an object of attributes, or a text).

    Raises CodeListError for an unknown or malformed list. The result is a copy: change it freely.
    """
    codes = _code_list_file(name)["codes"]
    return {code: dict(entry) if isinstance(entry, dict) else entry for code, entry in codes.items()}


def shared_code_list_info(name: str) -> dict[str, str]:
    """``name``, ``label`` and ``source`` of the shared list ``name``."""
    data = _code_list_file(name)
    return {"name": name, "label": str(data.get("label", name)), "source": str(data.get("source", ""))}


def shared_code_lists() -> dict[str, str]:
    """Every shared code list: name → label, sorted by name."""
    lists = {}
    for path in sorted(CODE_LISTS_DIR.glob("*.json")):
        try:
            lists[path.stem] = shared_code_list_info(path.stem)["label"]
        except CodeListError:
            continue
    return lists


@lru_cache(maxsize=32)
def _grade_file(name: str) -> dict[str, Any]:
    data = _read(GRADES_DIR / f"{name}.json", _("grade table"), name)
    grades = data.get("grades")
    if (
        not isinstance(grades, dict)
        or not grades
        or not all(isinstance(level, int) and 0 <= level <= 8 for level in grades.values())
    ):
        raise CodeListError(
            _("the grade table %(name)r needs 'grades': an object of grades to ISCED levels (0 to 8)") % {"name": name}
        )
    return data


def grade_table(name: str) -> dict[str, int]:
    """The grade table ``name``: national grade (text) → ISCED level. Raises CodeListError."""
    return {str(grade): level for grade, level in _grade_file(name)["grades"].items()}


def grade_tables() -> dict[str, str]:
    """Every grade table: name → label, sorted by name."""
    tables = {}
    for path in sorted(GRADES_DIR.glob("*.json")):
        try:
            tables[path.stem] = str(_grade_file(path.stem).get("label", path.stem))
        except CodeListError:
            continue
    return tables


def resolve_code_list(spec: Any, *, where: str) -> dict[str, Any]:
    """A profile's ``code_lists`` entry as a plain code → value mapping.

    ``spec`` is either the mapping itself, or ``{"shared": NAME, "fields": {attribute: field},
    "value": attribute}``: ``fields`` keeps the listed attributes of each entry under new names,
    ``value`` takes one attribute as the plain value; without either, entries are used as they are.
    """
    if not (isinstance(spec, dict) and "shared" in spec and isinstance(spec.get("shared"), str)):
        return spec
    codes = shared_code_list(spec["shared"])
    renames = spec.get("fields")
    attribute = spec.get("value")
    if renames and attribute:
        raise CodeListError(
            _("%(where)s: a shared code list takes either 'fields' or 'value', not both") % {"where": where}
        )
    resolved: dict[str, Any] = {}
    for code, entry in codes.items():
        attributes = entry if isinstance(entry, dict) else {"value": entry}
        if attribute:
            if attribute not in attributes:
                raise CodeListError(
                    _("%(where)s: entry %(code)r of the shared list %(name)r has no attribute %(attribute)r")
                    % {"where": where, "code": code, "name": spec["shared"], "attribute": attribute}
                )
            resolved[code] = attributes[attribute]
        elif renames:
            resolved[code] = {field: attributes.get(name) for name, field in renames.items()}
        else:
            resolved[code] = entry
    return resolved


def clear_cache() -> None:
    """Forget the lists read so far (tests that point ``CODE_LISTS_DIR`` elsewhere)."""
    _code_list_file.cache_clear()
    _grade_file.cache_clear()
