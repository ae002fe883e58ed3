"""Template filters that show audit events to people.

An event stores field names and stored codes (``status: "closed"``); people read the field's name
and the code's label in their language ("Status: Geschlossen"). The model is found from the
event's ``object_type`` (``schools.school``), so core needs to know no domain app.
"""

import json
from dataclasses import dataclass
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

register = template.Library()

ACTION_CONTEXT = "audit action"
# The actions services record most; any other is looked up in the catalogue as it is.
ACTION_LABELS = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "import": _("imported"),
    "approve": _("approved"),
    "publish": _("published"),
    "unpublish": _("unpublished"),
    "activate": _("activated"),
    "deactivate": _("deactivated"),
    "update_figures": _("figures changed"),
    "accept": _("accepted"),
    "withdraw": _("withdrawn"),
    "cancel": _("cancelled"),
    "close": _("closed"),
}
# Recorded keys that are not model fields.
KEY_LABELS = {
    "figures": _("figures per school year"),
    "created": _("created"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "rejected": _("rejected"),
}

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


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """``status`` → "Status" (the field's translated verbose name); keys that are not fields from
    ``KEY_LABELS``, else the key in words."""
    field = _field(model, name)
    if field is not None:
        return str(capfirst(field.verbose_name))
    if name in KEY_LABELS:
        return str(capfirst(KEY_LABELS[name]))
    return capfirst(str(name).replace("_", " "))


def _show_value(field: models.Field | None, value: Any) -> str:
    if field is not None and value not in (None, ""):
        if field.choices:
            labels = {str(code): label for code, label in field.flatchoices}
            if not isinstance(value, (dict, list)) and str(value) in labels:
                return str(labels[str(value)])
        if isinstance(field, models.BooleanField) and isinstance(value, bool):
            return str(_("yes") if value else _("no"))
    return _show(value)


@register.filter
def audit_action(event) -> str:
    """The action in words: ``update`` → "changed"."""
    action = getattr(event, "action", event)
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    return pgettext(ACTION_CONTEXT, str(action))


@register.filter
def audit_changes(event) -> list[FieldChange]:
    """One line per field: its value before and after (only after for a creation, only before for a deletion)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    fields = list(after) + [key for key in before if key not in after]
    model = _model(event.object_type)
    return [
        FieldChange(
            field=field_label(model, str(name)),
            before=_show_value(_field(model, str(name)), before.get(name)),
            after=_show_value(_field(model, str(name)), after.get(name)),
            has_before=name in before,
            has_after=name in after,
        )
        for name in fields
    ]
