"""Writes to recipients: pupils and teachers known by a school-local pseudonymous reference.

Names are not stored unless the installation sets ``PUPIL_NAMES_ENABLED = True``: a
``display_name`` given otherwise is dropped before anything is validated or written. The audit
trail never keeps a name (it is append-only, so a name there could not be erased): it records
only whether a name is set.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.model_fields import max_length, model_field
from digileap.core.permissions import Action, authorize

from ..models import Assignment, Recipient

EDITABLE_FIELDS = ("reference", "kind", "grade", "group", "isced_level", "eligibility_group", "display_name")
MAX_GRADE = 13
MAX_ISCED_LEVEL = 4
AUDITED_FIELDS = ("school", "reference", "kind", "grade", "group", "isced_level", "eligibility_group", "source")


def store_names() -> bool:
    """Whether this installation keeps recipients' names (off unless switched on)."""
    return bool(getattr(settings, "PUPIL_NAMES_ENABLED", False))


def recipient_state(recipient: Recipient) -> dict[str, Any]:
    """What the audit trail keeps of a recipient: never the name, only whether one is set."""
    state = audit.snapshot(recipient, AUDITED_FIELDS)
    state["is_active"] = recipient.is_active
    state["has_name"] = bool(recipient.display_name)
    return state


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise the editable fields (strip text, drop the name unless names are stored) and
    raise ``ValidationError`` naming each wrong field."""
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(
            _("These fields cannot be set here: %(fields)s") % {"fields": ", ".join(unknown)}, code="unknown_fields"
        )
    cleaned = dict(data)
    if not store_names():
        cleaned.pop("display_name", None)
    errors: dict[str, list[str]] = {}
    for name in ("reference", "group", "eligibility_group", "display_name"):
        if name in cleaned:
            value = cleaned[name]
            if value is None:
                value = ""
            if not isinstance(value, str):
                errors[name] = [_("Give this as text.")]
                continue
            cleaned[name] = " ".join(value.split()) if name != "reference" else value.strip()
    if "reference" in cleaned and not errors.get("reference"):
        if not cleaned["reference"]:
            errors["reference"] = [_("Give the school's reference for this pupil or teacher.")]
    if "kind" in cleaned and cleaned["kind"] not in Recipient.Kind.values:
        errors["kind"] = [
            _("%(value)r is neither pupil nor teacher.") % {"value": cleaned["kind"]},
        ]
    for name, maximum in (("grade", MAX_GRADE), ("isced_level", MAX_ISCED_LEVEL)):
        if name in cleaned and cleaned[name] is not None:
            value = cleaned[name]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= maximum:
                label = str(model_field(Recipient, name).verbose_name)
                errors[name] = [
                    _("The %(field)s must be a whole number from 0 to %(maximum)s.")
                    % {"field": label, "maximum": maximum}
                ]
    for name in ("reference", "group", "eligibility_group", "display_name"):
        if name in cleaned and name not in errors:
            limit = max_length(Recipient, name)
            if len(cleaned[name]) > limit:
                errors[name] = [_("At most %(limit)s characters.") % {"limit": limit}]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _reference_taken(school, reference: str | None) -> ValidationError:
    return ValidationError(
        {
            "reference": [
                _("The reference %(reference)s is already used at %(school)s.")
                % {"reference": reference, "school": school.name}
            ]
        }
    )


@transaction.atomic
def recipient_create(
    *, actor, school, source: str = Recipient.Source.MANUAL, is_active: bool = True, **data: Any
) -> Recipient:
    """Register a pupil or teacher at ``school``. ``data``: reference (required), kind, grade,
    group, isced_level, eligibility_group, display_name (ignored unless names are stored)."""
    authorize(actor, Action.ADD, Recipient(school=school))
    data.setdefault("reference", "")
    cleaned = _clean(data)
    if Recipient.objects.filter(school=school, reference=cleaned["reference"]).exists():
        raise _reference_taken(school, cleaned["reference"])
    recipient = Recipient(school=school, source=source, is_active=is_active, **cleaned)
    try:
        with transaction.atomic():
            recipient.save()
    except IntegrityError:
        # Registered by someone else a moment ago.
        raise _reference_taken(school, cleaned["reference"]) from None
    audit.record(actor=actor, action="create", instance=recipient, after=recipient_state(recipient))
    return recipient


@transaction.atomic
def recipient_update(*, actor, recipient: Recipient, data: dict[str, Any]) -> Recipient:
    """Change a recipient's reference, kind, grade, group, level, eligibility group or name.
    The school cannot change: a pupil who moves school is a new recipient there."""
    locked = Recipient.objects.select_for_update().select_related("school").get(pk=recipient.pk)
    authorize(actor, Action.CHANGE, locked)
    cleaned = _clean(data)
    reference = cleaned.get("reference")
    if (
        reference is not None
        and reference != locked.reference
        and Recipient.objects.filter(school_id=locked.school_id, reference=reference).exists()
    ):
        raise _reference_taken(locked.school, reference)
    before = recipient_state(locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    try:
        with transaction.atomic():
            if cleaned:
                locked.save(update_fields=list(cleaned))
    except IntegrityError:
        raise _reference_taken(locked.school, reference) from None
    changed_before, changed_after = audit.changed_fields(before, recipient_state(locked))
    if changed_after:
        audit.record(actor=actor, action="update", instance=locked, before=changed_before, after=changed_after)
    return locked


def _set_active(*, actor, recipient: Recipient, is_active: bool) -> Recipient:
    locked = Recipient.objects.select_for_update().get(pk=recipient.pk)
    authorize(actor, Action.CHANGE, locked)
    if locked.is_active == is_active:
        return locked
    if not is_active:
        open_assignment = (
            Assignment.objects.filter(recipient=locked, returned_at__isnull=True).select_related("device").first()
        )
        if open_assignment is not None:
            raise ValidationError(
                {
                    "recipient": [
                        _("%(reference)s still has device %(serial)s. Record its return first.")
                        % {"reference": locked.reference, "serial": open_assignment.device.serial}
                    ]
                }
            )
    locked.is_active = is_active
    locked.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="update",
        instance=locked,
        before={"is_active": not is_active},
        after={"is_active": is_active},
    )
    return locked


@transaction.atomic
def recipient_deactivate(*, actor, recipient: Recipient) -> Recipient:
    """Mark a recipient as no longer at the school (kept for the history of its assignments).
    Refused while the recipient still holds a device."""
    return _set_active(actor=actor, recipient=recipient, is_active=False)


@transaction.atomic
def recipient_activate(*, actor, recipient: Recipient) -> Recipient:
    """Undo a deactivation."""
    return _set_active(actor=actor, recipient=recipient, is_active=True)
