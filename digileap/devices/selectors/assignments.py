"""Reads of assignments, and the scan loop's proposal: which device was scanned, and who is next.

A scan costs two indexed queries: the device by school and serial (``device_school_serial_idx``)
with its open assignment (the partial unique index of ``one_open_assignment_per_device``), and the
next recipients of the class list without a device (``recipient_school_group_idx``,
``assignment_recipient_idx``). The progress count is a third.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from digileap.core.permissions import Action, restrict
from digileap.schools.models import School

from .. import lifecycle
from ..models import Assignment, Device, DeviceStatus, Recipient
from ..services.assignments import already_handed_out_message, damaged_message, pending_delivery_message
from .recipients import open_assignment_exists

# How many further recipients the confirm step offers besides the proposed one.
CANDIDATES = 40


def assignments_for(user, action: str = Action.VIEW) -> QuerySet[Assignment]:
    return restrict(
        Assignment.objects.select_related("device", "recipient", "recipient__school", "assigned_by", "returned_by"),
        user,
        action,
    )


def assignment_get(user, pk: int, action: str = Action.VIEW) -> Assignment:
    """The assignment, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(assignments_for(user, action), pk=pk)


def normalise_serial(serial: str) -> str:
    """Serials are stored upper-case without surrounding spaces: a scan is matched the same way."""
    return "".join((serial or "").split()).upper()


@dataclass
class HandoutProposal:
    """A scanned device and the recipient proposed for it (the first of ``candidates``)."""

    device: Device
    recipient: Recipient
    candidates: list[Recipient] = field(default_factory=list)


def handout_candidates(*, school: School, group: str) -> QuerySet[Recipient]:
    """Active recipients of the class or group (every group when empty) without a device, in list order."""
    recipients = Recipient.objects.filter(school=school, is_active=True)
    if group:
        recipients = recipients.filter(group=group)
    return recipients.filter(~open_assignment_exists()).order_by("group", "reference", "pk")


def handout_propose(*, school: School, group: str, serial: str, user) -> HandoutProposal:
    """Find the scanned device at ``school`` and propose the next recipient of ``group``.

    Raises ``ValidationError`` with a ``serial`` message for an unknown serial, a device at another
    school, a device already handed out or not in a status to hand out, a device from a delivery not
    accepted yet (``services.assignments.pending_delivery_message``), a device recorded as damaged
    at the acceptance of its delivery (``services.assignments.damaged_message``), and when everybody
    of the group has a device.
    """
    wanted = normalise_serial(serial)
    # As typed, too: a serial stored before the upper-case rule still matches exactly.
    typed = "".join((serial or "").split())
    if not wanted:
        raise ValidationError({"serial": [_("Scan or type a serial number.")]})
    open_assignments = Assignment.objects.filter(device=OuterRef("pk"), returned_at__isnull=True)
    devices = list(
        restrict(
            Device.objects.filter(school=school, serial__in={wanted, typed}).select_related("delivery"),
            user,
            Action.CHANGE,
        ).annotate(
            open_reference=Subquery(open_assignments.values("recipient__reference")[:1]),
            open_since=Subquery(open_assignments.values("assigned_at")[:1]),
        )[:2]
    )
    if not devices:
        raise ValidationError({"serial": [_unknown_serial_message(school=school, serial=wanted, user=user)]})
    if len(devices) > 1:
        # Serials are unique per manufacturer only; two makers' devices may share one at a school.
        devices.sort(key=lambda device: device.open_reference is not None)
    device = devices[0]
    if device.open_reference is not None:
        raise ValidationError(
            {"serial": [already_handed_out_message(device.serial, device.open_reference, device.open_since)]}
        )
    if device.status not in lifecycle.ASSIGNABLE:
        raise ValidationError(
            {
                "serial": [
                    _("Device %(serial)s is %(status)s; only devices in stock or delivered can be handed out.")
                    % {"serial": device.serial, "status": DeviceStatus(device.status).label.lower()}
                ]
            }
        )
    pending = pending_delivery_message(device)
    if pending:
        raise ValidationError({"serial": [pending]})
    damaged = damaged_message(device)
    if damaged:
        raise ValidationError({"serial": [damaged]})
    candidates = list(handout_candidates(school=school, group=group)[: CANDIDATES + 1])
    if not candidates:
        message = (
            _("Everybody in %(group)s has a device.") % {"group": group}
            if group
            else _("Everybody at %(school)s has a device.") % {"school": school.name}
        )
        raise ValidationError({"serial": [message]})
    return HandoutProposal(device=device, recipient=candidates[0], candidates=candidates)


def _unknown_serial_message(*, school: School, serial: str, user) -> str:
    """Only on the error path: is the device elsewhere in the user's scope, or unknown?"""
    elsewhere = restrict(Device.objects.filter(serial=serial), user, Action.VIEW).select_related("school").first()
    if elsewhere is not None:
        return _("Device %(serial)s is at %(other)s, not at %(school)s.") % {
            "serial": serial,
            "other": elsewhere.school.name,
            "school": school.name,
        }
    return _("No device with serial number %(serial)s is known at %(school)s.") % {
        "serial": serial,
        "school": school.name,
    }


def handout_progress(*, school: School, group: str) -> tuple[int, int]:
    """(recipients with a device, active recipients) of the group, or the whole school."""
    recipients = Recipient.objects.filter(school=school, is_active=True)
    if group:
        recipients = recipients.filter(group=group)
    counts = recipients.aggregate(total=Count("pk"), handed_out=Count("pk", filter=Q(open_assignment_exists())))
    return counts["handed_out"], counts["total"]


def handout_recent(*, school: School, group: str, limit: int = 8) -> list[Assignment]:
    """The latest hand-outs of the group (or the school), newest first."""
    assignments = Assignment.objects.filter(recipient__school=school, returned_at__isnull=True)
    if group:
        assignments = assignments.filter(recipient__group=group)
    return list(assignments.select_related("device", "recipient").order_by("-assigned_at", "-id")[:limit])
