"""Writes to need declarations: a school, or its operator, declares what it has and needs in a school year.

One declaration per school and year. Declaring again replaces it: the fields are updated, the line
of each device type given is written, and the lines of types no longer given are deleted. The audit
event carries the whole declaration before and after, its lines as a dict by device type.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.model_fields import model_field
from digileap.core.permissions import Action, authorize
from digileap.devices.models import DeviceType

from ..models import NeedDeclaration, NeedLine

COUNT_FIELDS = ("owned_under_3_years", "owned_3_to_5_years", "owned_over_5_years", "needed")
LINE_FIELDS = ("device_type", *COUNT_FIELDS)
# A count above this is a typing error, not a school's equipment (and fits every database's integer).
MAX_COUNT = 1_000_000
SCHOOL_YEAR_PATTERN = re.compile(r"^(\d{4})/(\d{2})$")


def _field_label(name: str) -> str:
    return str(model_field(NeedLine, name).verbose_name)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _count_message(label: str) -> str:
    return _("%(field)s must be a whole number from 0 to %(maximum)s.") % {
        "field": capfirst(label),
        "maximum": MAX_COUNT,
    }


def _check_school_year(school_year: Any, errors: dict[str, list[str]]) -> None:
    match = SCHOOL_YEAR_PATTERN.match(school_year) if isinstance(school_year, str) else None
    if match is None:
        errors["school_year"] = [_("Use the form 2024/25.")]
    elif (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        errors["school_year"] = [_("The second year must follow the first, as in 2024/25.")]


def _clean_lines(lines: Any, errors: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """The lines by device type, in the order given; problems go to ``errors`` under
    ``lines[<index>].<field>`` (index from 0, as given)."""
    if not isinstance(lines, (list, tuple)):
        errors["lines"] = [_("Give the lines as a list.")]
        return {}
    known = set(DeviceType.values)
    cleaned: dict[str, dict[str, int]] = {}
    first_row: dict[str, int] = {}
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        if not isinstance(line, dict):
            errors[path] = [_("Give each line as an object.")]
            continue
        unknown = sorted(set(line) - set(LINE_FIELDS))
        if unknown:
            errors[f"{path}.{unknown[0]}"] = [_("Unknown field.")]
        device_type = line.get("device_type")
        if device_type not in known:
            errors[f"{path}.device_type"] = [
                _("%(value)s is not a known device type. Use one of: %(types)s.")
                % {"value": repr(device_type), "types": ", ".join(DeviceType.values)}
            ]
            device_type = None
        elif device_type in first_row:
            errors[f"{path}.device_type"] = [
                _("%(type)s is given more than once (lines %(first)s and %(again)s).")
                % {"type": DeviceType(device_type).label, "first": first_row[device_type] + 1, "again": index + 1}
            ]
            device_type = None
        else:
            first_row[device_type] = index
        counts = {}
        for name in COUNT_FIELDS:
            value = line.get(name, 0)
            if not _is_count(value):
                errors[f"{path}.{name}"] = [_count_message(_field_label(name))]
            else:
                counts[name] = value
        if device_type is not None and len(counts) == len(COUNT_FIELDS):
            cleaned[device_type] = counts
    return cleaned


def declaration_state(declaration: NeedDeclaration | None) -> dict[str, Any] | None:
    """What the audit trail keeps of a declaration: its fields and its lines by device type."""
    if declaration is None:
        return None
    return {
        "school": declaration.school_id,
        "school_year": declaration.school_year,
        "classrooms_without_wifi": declaration.classrooms_without_wifi,
        "note": declaration.note,
        "declared_by": declaration.declared_by_id,
        "declared_at": audit.to_jsonable(declaration.declared_at),
        "lines": {
            line.device_type: {name: getattr(line, name) for name in COUNT_FIELDS}
            for line in declaration.lines.order_by("device_type")
        },
    }


def _locked_declaration(school, school_year: str) -> NeedDeclaration | None:
    return NeedDeclaration.objects.select_for_update().filter(school=school, school_year=school_year).first()


@transaction.atomic
def need_declare(
    *,
    actor,
    school,
    school_year: str,
    classrooms_without_wifi: int = 0,
    note: str = "",
    lines: list[dict[str, Any]],
) -> NeedDeclaration:
    """Create or replace the declaration of ``school`` for ``school_year``.

    ``lines``: one dict per device type with ``device_type``, ``owned_under_3_years``,
    ``owned_3_to_5_years``, ``owned_over_5_years`` and ``needed`` (missing counts are 0).
    Raises ``PermissionDenied`` when the actor may not declare for the school, and
    ``ValidationError`` (keys ``school_year``, ``classrooms_without_wifi``, ``note``, ``lines`` and
    ``lines[<index>].<field>``) when the input is wrong; nothing is written then.
    """
    # Who may declare is checked before what is declared: an outsider learns nothing from the errors.
    existing = _locked_declaration(school, school_year) if isinstance(school_year, str) else None
    if existing is not None:
        authorize(actor, Action.CHANGE, existing)
    else:
        authorize(actor, Action.ADD, NeedDeclaration(school=school, school_year=str(school_year)))

    errors: dict[str, list[str]] = {}
    _check_school_year(school_year, errors)
    if not _is_count(classrooms_without_wifi):
        label = str(NeedDeclaration._meta.get_field("classrooms_without_wifi").verbose_name)
        errors["classrooms_without_wifi"] = [_count_message(label)]
    if not isinstance(note, str):
        errors["note"] = [_("Give the note as text.")]
    cleaned = _clean_lines(lines, errors)
    if errors:
        raise ValidationError(errors)

    before = declaration_state(existing)
    now = timezone.now()
    declared_by = actor if getattr(actor, "pk", None) else None
    fields = {
        "classrooms_without_wifi": classrooms_without_wifi,
        "note": note,
        "declared_by": declared_by,
        "declared_at": now,
    }
    if existing is None:
        try:
            with transaction.atomic():
                declaration = NeedDeclaration.objects.create(school=school, school_year=school_year, **fields)
        except IntegrityError:
            # Declared by someone else a moment ago: replace theirs (the audit keeps both).
            existing = _locked_declaration(school, school_year)
            if existing is None:
                raise
            authorize(actor, Action.CHANGE, existing)
            before = declaration_state(existing)
    if existing is not None:
        declaration = existing
        for name, value in fields.items():
            setattr(declaration, name, value)
        declaration.save(update_fields=list(fields))

    declaration.lines.exclude(device_type__in=list(cleaned)).delete()
    for device_type, counts in cleaned.items():
        NeedLine.objects.update_or_create(declaration=declaration, device_type=device_type, defaults=counts)

    audit.record(
        actor=actor,
        action="create" if before is None else "update",
        instance=declaration,
        before=before,
        after=declaration_state(declaration),
    )
    return declaration
