"""Template filters that show audit events to people.

An event stores field names and stored codes (``status: "closed"``, ``decided_by: 3``); people read
the field's name, the code's label and the related object in their language ("Status: Geschlossen",
"Entschieden von: Anna Berg"). The model is found from the event's ``object_type``
(``schools.school``), so core needs to know no domain app. The action's label comes from
``AuditAction``. ``audit_entries`` prepares a whole list of events at once (one query per related
model), which is what ``core/partials/audit_history.html`` uses for every app's history.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from digileap.core.audit_actions import action_label
from digileap.core.bulk import chunked

register = template.Library()

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


# (model label, str(primary key)) -> what the related object shows as
RelatedLabels = dict[tuple[str, str], str]


def _is_reference(field: models.Field | None) -> bool:
    return field is not None and (field.many_to_one or field.one_to_one) is True and field.related_model is not None


def _show_value(field: models.Field | None, value: Any, related: RelatedLabels | None = None) -> str:
    if field is not None and value not in (None, ""):
        related_model = field.related_model
        if _is_reference(field) and isinstance(related_model, type) and not isinstance(value, (dict, list)):
            known = related if related is not None else _related_labels([(field, value)])
            label = known.get((related_model._meta.label_lower, str(value)))
            if label is not None:
                return _show(label)
            return _show(value)  # the object is gone: its id
        if field.choices:
            labels = {str(code): label for code, label in field.flatchoices}
            if not isinstance(value, (dict, list)) and str(value) in labels:
                return str(labels[str(value)])
        if isinstance(field, models.BooleanField) and isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            moment = parse_datetime(value)
            if moment is not None:  # stored as ISO 8601 in UTC: shown as the Time column is
                return date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "Y-m-d H:i")
    return _show(value)


def _related_labels(references: Iterable[tuple[models.Field, Any]]) -> RelatedLabels:
    """The str of every referenced object that still exists: one query per related model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for field, value in references:
        related_model = field.related_model
        if related_model is not None and not isinstance(related_model, str):
            try:
                wanted[related_model].add(related_model._meta.pk.to_python(value))
            except (TypeError, ValueError, ValidationError):
                continue
    labels: RelatedLabels = {}
    for related_model, ids in wanted.items():
        for chunk in chunked(sorted(ids, key=str)):
            for obj in related_model._base_manager.filter(pk__in=chunk):
                labels[(related_model._meta.label_lower, str(obj.pk))] = str(obj)
    return labels


def _references(event) -> list[tuple[models.Field, Any]]:
    model = _model(event.object_type)
    found: list[tuple[models.Field, Any]] = []
    for values in (event.before, event.after):
        if not isinstance(values, dict):
            continue
        for name, value in values.items():
            field = _field(model, str(name))
            if (
                field is not None
                and _is_reference(field)
                and value not in (None, "")
                and not isinstance(value, (dict, list))
            ):
                found.append((field, value))
    return found


@register.filter
def audit_action(event) -> str:
    """The action in words: ``update`` → "changed" (``AuditAction``'s label)."""
    return action_label(str(getattr(event, "action", event)))


@register.filter
def audit_object_type(event) -> str:
    """What kind of object: ``funding.decision`` → "Decision" (the model's verbose name)."""
    object_type = str(getattr(event, "object_type", event))
    model = _model(object_type)
    return str(capfirst(model._meta.verbose_name)) if model is not None else object_type


@register.filter
def audit_changes(event, related: RelatedLabels | None = None) -> list[FieldChange]:
    """One line per field: its label, its value before and after (only after for a creation, only
    before for a deletion); codes as their labels, references as the related object."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    fields = list(after) + [key for key in before if key not in after]
    model = _model(event.object_type)
    if related is None:
        related = _related_labels(_references(event))
    return [
        FieldChange(
            field=field_label(model, str(name)),
            before=_show_value(_field(model, str(name)), before.get(name), related),
            after=_show_value(_field(model, str(name)), after.get(name), related),
            has_before=name in before,
            has_after=name in after,
        )
        for name in fields
    ]


@dataclass(frozen=True)
class AuditEntry:
    event: Any
    action: str
    object_type: str
    changes: list[FieldChange]


@register.filter
def audit_entries(events: Iterable[Any]) -> list[AuditEntry]:
    """The events ready to show: action and object type in words, and their changes, with every
    referenced object looked up at once."""
    events = list(events)
    related = _related_labels(reference for event in events for reference in _references(event))
    return [
        AuditEntry(
            event=event,
            action=audit_action(event),
            object_type=audit_object_type(event),
            changes=audit_changes(event, related),
        )
        for event in events
    ]
