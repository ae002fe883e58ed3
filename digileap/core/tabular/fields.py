"""What a target's importer reads: each field's type, limits, whether it is stored, and its aliases.

Every importer declares its fields once, as ``Importer.fields``. The declaration serves three
readers:

- the parser, which applies a field's limits (a count's plausibility limit, a text's length) when
  the profile's column sets none of its own, so a count that cannot be true is a clear row error;
- the profile editor, which proposes a mapping by matching a file's headers against a field's name,
  label and aliases (in English, Dutch, French, German and Latvian);
- docs/imports.md, whose per-target tables list the same facts.

``pattern`` marks an open-ended family of fields (``pupils_isced_1_grade_3``): ``name`` is then a
readable template such as ``pupils_isced_L_grade_G`` and ``pattern`` the regular expression that
field names of the family match.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# How a field is kept: written to the database, or only read to check or find something.
STORED = "stored"
CHECKED = "checked"


@dataclass(frozen=True)
class FieldSpec:
    """One field a profile may fill for an importer."""

    name: str
    label: Any  # a lazy translation: what a person reads
    type: str = "text"  # one of profiles.COLUMN_TYPES
    kept: str = STORED  # STORED or CHECKED
    required: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_length: int | None = None
    aliases: tuple[str, ...] = ()  # header names seen in real files, in any of the five languages
    pattern: str = ""  # a regular expression for a family of fields; ``name`` is then a template
    help: Any = ""  # a lazy translation: one sentence on what the field means

    def matches(self, field_name: str) -> bool:
        if self.pattern:
            return re.fullmatch(self.pattern, field_name) is not None
        return field_name == self.name


def field_spec(fields: tuple[FieldSpec, ...], field_name: str) -> FieldSpec | None:
    """The declaration of ``field_name`` among ``fields`` (exact names first, then families)."""
    for spec in fields:
        if not spec.pattern and spec.name == field_name:
            return spec
    for spec in fields:
        if spec.pattern and spec.matches(field_name):
            return spec
    return None
