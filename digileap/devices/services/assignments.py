"""Handing devices to pupils and teachers, and taking them back.

One open assignment per device is a database constraint (``one_open_assignment_per_device``).
``device_assign`` locks the device first, so concurrent hand-outs of one device queue up behind
each other; whoever comes second finds the open assignment and gets a message naming it. The
constraint stays the last guard: an insert it refuses becomes the same message.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.model_fields import max_length
from digileap.core.permissions import Action, authorize

from .. import lifecycle
from ..models import Assignment, DeliveryDiscrepancy, Device, DeviceEvent, DeviceStatus, Recipient

KIT_ITEMS = {"charger": gettext_lazy("Charger"), "bag": gettext_lazy("Bag")}
DEFAULT_KIT = ("charger", "bag")


class ReturnCondition:
    GOOD = "good"
    DAMAGED = "damaged"
    choices = [(GOOD, gettext_lazy("In working order")), (DAMAGED, gettext_lazy("Damaged: goes to repair"))]
    values = (GOOD, DAMAGED)


AUDITED_FIELDS = ("device", "recipient", "kit", "assigned_at", "assigned_by", "returned_at", "returned_by",
                  "kit_returned", "return_note")  # fmt: skip


def _day(moment: datetime.datetime) -> str:
    return timezone.localdate(moment).isoformat()


def already_handed_out_message(serial: str, reference: str, since: datetime.datetime) -> str:
    return _("Device %(serial)s is already handed out to %(reference)s (since %(date)s).") % {
        "serial": serial,
        "reference": reference,
        "date": _day(since),
    }


def _clean_kit(kit: Iterable[str] | None, field: str) -> list[str]:
    if kit is None:
        return []
    if isinstance(kit, str):
        kit = [kit]
    items = []
    for item in kit:
        if item not in KIT_ITEMS:
            raise ValidationError(
                {
                    field: [
                        _("%(item)r is not a kit item; use %(items)s.") % {"item": item, "items": ", ".join(KIT_ITEMS)}
                    ]
                }
            )
        if item not in items:
            items.append(item)
    # Always in the same order, so that equal kits compare equal.
    return [item for item in KIT_ITEMS if item in items]


def damaged_message(device: Device) -> str:
    """Why ``device`` may not be handed out because it was recorded as damaged when its delivery was
    accepted, or "" when it was not (or has been repaired since: it came back from ``in_repair``)."""
    if device.discrepancy != Device.Discrepancy.DAMAGED:
        return ""
    repaired = DeviceEvent.objects.filter(device=device, previous_status=DeviceStatus.IN_REPAIR)
    if device.accepted_at is not None:
        repaired = repaired.filter(occurred_at__gte=device.accepted_at)
    if repaired.exists():
        return ""
    recorded = (
        DeliveryDiscrepancy.objects.filter(device=device, kind=Device.Discrepancy.DAMAGED)
        .select_related("delivery")
        .order_by("-recorded_at", "-pk")
        .first()
    )
    values = {"serial": device.serial}
    if recorded is None:
        return (
            _("Device %(serial)s was recorded as damaged when its delivery was accepted; have it repaired first.")
            % values
        )
    values["note"] = recorded.delivery.note_number
    if recorded.note:
        values["reason"] = recorded.note
        return (
            _(
                "Device %(serial)s was recorded as damaged when delivery %(note)s was accepted (%(reason)s); "
                "have it repaired first."
            )
            % values
        )
    return (
        _("Device %(serial)s was recorded as damaged when delivery %(note)s was accepted; have it repaired first.")
        % values
    )


def pending_delivery_message(device: Device) -> str:
    """Why ``device`` may not be handed out because its delivery has not been accepted yet, or ""
    when it has (or the device came without a delivery note)."""
    delivery = device.delivery
    if delivery is None:
        return ""
    if delivery.acceptance != delivery.Acceptance.PENDING:
        return ""
    return _(
        "Device %(serial)s belongs to delivery %(note)s which has not been accepted yet; accept the delivery first."
    ) % {"serial": device.serial, "note": delivery.note_number}


def _raise_if_pending_delivery(device: Device, field: str) -> None:
    message = pending_delivery_message(device)
    if message:
        raise ValidationError({field: [message]})


def _raise_if_damaged(device: Device, field: str) -> None:
    message = damaged_message(device)
    if message:
        raise ValidationError({field: [message]})


def _raise_if_open(device: Device) -> None:
    open_assignment = (
        Assignment.objects.filter(device=device, returned_at__isnull=True).select_related("recipient").first()
    )
    if open_assignment is not None:
        raise ValidationError(
            {
                "device": [
                    already_handed_out_message(
                        device.serial, open_assignment.recipient.reference, open_assignment.assigned_at
                    )
                ]
            }
        )


@transaction.atomic
def device_assign(
    *, device: Device, recipient: Recipient, actor, kit: Iterable[str] | None = DEFAULT_KIT, at=None
) -> Assignment:
    """Hand ``device`` to ``recipient`` with ``kit`` (charger, bag): the assignment, the device
    ``deployed``, the audit event, and the user agreement (when that service exists), all at once.

    Raises ``PermissionDenied`` unless the actor may change the device and hand out devices at the
    recipient's school; ``ValidationError`` (keys ``device``, ``recipient``, ``kit``) when the device
    is already handed out, not in a status that can be handed out, from a delivery not accepted yet,
    recorded as damaged when its
    delivery was accepted (and not repaired since), at another school, or the recipient is inactive
    or already holds a device of that type.
    """
    authorize(actor, Action.CHANGE, device)
    authorize(actor, Action.ADD, Assignment(device=device, recipient=recipient))
    items = _clean_kit(kit, "kit")
    locked = Device.objects.select_for_update().get(pk=device.pk)
    _raise_if_open(locked)
    if locked.status not in lifecycle.ASSIGNABLE:
        raise ValidationError(
            {
                "device": [
                    _("Device %(serial)s is %(status)s; only devices in stock or delivered can be handed out.")
                    % {"serial": locked.serial, "status": DeviceStatus(locked.status).label.lower()}
                ]
            }
        )
    _raise_if_pending_delivery(locked, "device")
    _raise_if_damaged(locked, "device")
    recipient = Recipient.objects.select_for_update().get(pk=recipient.pk)
    if locked.school_id != recipient.school_id:
        raise ValidationError(
            {
                "device": [
                    _("Device %(serial)s is at %(device_school)s, not at %(school)s.")
                    % {"serial": locked.serial, "device_school": locked.school.name, "school": recipient.school.name}
                ]
            }
        )
    if not recipient.is_active:
        raise ValidationError(
            {"recipient": [_("%(reference)s is no longer active.") % {"reference": recipient.reference}]}
        )
    held = (
        Assignment.objects.filter(recipient=recipient, returned_at__isnull=True, device__device_type=locked.device_type)
        .select_related("device")
        .first()
    )
    if held is not None:
        raise ValidationError(
            {
                "recipient": [
                    _("%(reference)s already has device %(serial)s (since %(date)s).")
                    % {"reference": recipient.reference, "serial": held.device.serial, "date": _day(held.assigned_at)}
                ]
            }
        )
    at = at or timezone.now()
    assignment = Assignment(
        device=locked,
        recipient=recipient,
        kit=items,
        assigned_at=at,
        assigned_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        # Another hand-out of this device got in without the lock: the constraint refused ours.
        _raise_if_open(locked)
        raise
    lifecycle.device_transition(
        device=locked,
        status=DeviceStatus.DEPLOYED,
        actor=actor,
        reason=_("Handed out"),
        at=at,
        data={"assignment": assignment.pk},
        check_permission=False,
    )
    for field in ("status", "status_changed_at", "delivered_on", "first_deployed_on"):
        setattr(device, field, getattr(locked, field))
    audit.record(actor=actor, action="create", instance=assignment, after=audit.snapshot(assignment, AUDITED_FIELDS))
    _issue_agreement(assignment, actor)
    return assignment


def _issue_agreement(assignment: Assignment, actor) -> None:
    try:
        from digileap.devices.services.agreements import agreement_issue
    except ImportError:
        return
    agreement_issue(assignment=assignment, actor=actor)


@transaction.atomic
def device_return(
    *,
    assignment: Assignment,
    actor,
    kit_returned: Iterable[str] | None = (),
    note: str = "",
    condition: str = ReturnCondition.GOOD,
    at=None,
) -> Assignment:
    """Record that the device of ``assignment`` came back, with which kit, in which condition.

    The device goes back to ``delivered`` (at the school, ready to hand out again), or to
    ``in_repair`` when it came back damaged. Raises ``ValidationError`` (keys ``assignment``,
    ``kit_returned``, ``condition``, ``note``, ``returned_at``) and ``PermissionDenied``.
    """
    locked = (
        Assignment.objects.select_for_update(of=("self",)).select_related("device", "recipient").get(pk=assignment.pk)
    )
    authorize(actor, Action.CHANGE, locked)
    authorize(actor, Action.CHANGE, locked.device)
    if locked.returned_at is not None:
        raise ValidationError(
            {
                "assignment": [
                    _("Device %(serial)s was already returned on %(date)s.")
                    % {"serial": locked.device.serial, "date": _day(locked.returned_at)}
                ]
            }
        )
    items = _clean_kit(kit_returned, "kit_returned")
    if condition not in ReturnCondition.values:
        raise ValidationError({"condition": [_("Choose whether the device is in working order or damaged.")]})
    note = (note or "").strip()
    limit = max_length(Assignment, "return_note")
    if len(note) > limit:
        raise ValidationError({"note": [_("At most %(limit)s characters.") % {"limit": limit}]})
    at = at or timezone.now()
    if at < locked.assigned_at:
        raise ValidationError(
            {
                "returned_at": [
                    _("The return cannot be before the hand-out (%(date)s).") % {"date": _day(locked.assigned_at)}
                ]
            }
        )
    before = audit.snapshot(locked, AUDITED_FIELDS)
    locked.returned_at = at
    locked.returned_by = actor if getattr(actor, "pk", None) else None
    locked.kit_returned = items
    locked.return_note = note
    locked.save(update_fields=["returned_at", "returned_by", "kit_returned", "return_note"])
    target = DeviceStatus.IN_REPAIR if condition == ReturnCondition.DAMAGED else DeviceStatus.DELIVERED
    device = locked.device
    if device.status != target:
        lifecycle.device_transition(
            device=device,
            status=target,
            actor=actor,
            reason=_("Returned damaged") if condition == ReturnCondition.DAMAGED else _("Returned"),
            at=at,
            data={"assignment": locked.pk},
            check_permission=False,
        )
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(locked, AUDITED_FIELDS))
    audit.record(actor=actor, action="update", instance=locked, before=changed_before, after=changed_after)
    assignment.returned_at, assignment.returned_by = locked.returned_at, locked.returned_by
    assignment.kit_returned, assignment.return_note = locked.kit_returned, locked.return_note
    return locked
