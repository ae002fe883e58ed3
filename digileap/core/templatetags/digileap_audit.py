"""Template filters that show audit events to people."""

import json
from dataclasses import dataclass
from typing import Any

from django import template

register = template.Library()

MAX_VALUE_LENGTH = 200


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str
    has_before: bool
    has_after: bool


def _show(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


@register.filter
def audit_changes(event) -> list[FieldChange]:
    """One line per field: its value before and after (only after for a creation, only before for a deletion)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    fields = list(after) + [key for key in before if key not in after]
    return [
        FieldChange(
            field=str(name),
            before=_show(before.get(name)),
            after=_show(after.get(name)),
            has_before=name in before,
            has_after=name in after,
        )
        for name in fields
    ]
