"""A device's lifecycle: which status may follow which, and the one way to move a device.

A device's ``status`` is derived from its ``DeviceEvent`` rows: ``device_transition`` locks the
device, checks the step is allowed, appends the event and sets ``status`` (and the dates that
lists and indicators read) in one transaction. Nothing else writes ``Device.status``; bulk
creation (``initial_event_rows``) writes the first event beside each new device.
``device_status_check`` (and ``manage.py check_device_status``) proves status and events agree.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core.audit import _actor_fields
from digileap.core.permissions import Action, authorize

from .models import Device, DeviceEvent, DeviceStatus

S = DeviceStatus

# Which statuses may follow each status. "delivered" means at the school, not handed out;
# "in_stock" at a store (the supplier's or the operator's); "returned" back to the supplier.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.ORDERED: frozenset({S.IN_STOCK, S.DELIVERED, S.RETURNED, S.RETIRED}),
    S.IN_STOCK: frozenset({S.DELIVERED, S.DEPLOYED, S.LOANED_OUT, S.IN_REPAIR, S.LOST_STOLEN, S.RETURNED, S.RETIRED}),
    S.DELIVERED: frozenset({S.IN_STOCK, S.DEPLOYED, S.LOANED_OUT, S.IN_REPAIR, S.LOST_STOLEN, S.RETURNED, S.RETIRED}),
    S.DEPLOYED: frozenset({S.DELIVERED, S.IN_STOCK, S.IN_REPAIR, S.LOST_STOLEN, S.RETIRED}),
    S.IN_REPAIR: frozenset({S.DELIVERED, S.DEPLOYED, S.IN_STOCK, S.RETURNED, S.RETIRED}),
    S.LOANED_OUT: frozenset({S.DELIVERED, S.IN_STOCK, S.IN_REPAIR, S.LOST_STOLEN}),
    S.LOST_STOLEN: frozenset({S.DELIVERED, S.RETIRED}),
    S.RETURNED: frozenset({S.IN_STOCK, S.DELIVERED, S.RETIRED}),
    S.RETIRED: frozenset(),
}
# The statuses a device may start in (a pre-registered serial, a store, or delivered to a school).
INITIAL = frozenset({S.ORDERED, S.IN_STOCK, S.DELIVERED})
# Statuses in which a device may be handed to a recipient.
ASSIGNABLE = frozenset({S.IN_STOCK, S.DELIVERED})


def allowed_next(status: str) -> list[str]:
    """The statuses a device in ``status`` may move to, in the order of ``DeviceStatus``."""
    following = TRANSITIONS.get(status, frozenset())
    return [value for value in DeviceStatus.values if value in following]


def check_transition(current: str, new: str) -> None:
    """Raise ``ValidationError`` naming both statuses unless ``current`` → ``new`` is allowed."""
    if new not in DeviceStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)r.") % {"status": new}})
    if new not in TRANSITIONS.get(current, frozenset()):
        raise ValidationError(
            {
                "status": _("A device that is %(current)s cannot become %(new)s.")
                % {"current": DeviceStatus(current).label, "new": DeviceStatus(new).label}
            }
        )


def _apply_dates(device: Device, new: str, at: datetime.datetime) -> list[str]:
    """The dates lists and indicators read without touching events; returns the fields changed."""
    changed = ["status", "status_changed_at"]
    day = timezone.localdate(at)
    if new == S.DELIVERED and device.delivered_on is None:
        device.delivered_on = day
        changed.append("delivered_on")
    if new == S.DEPLOYED and device.first_deployed_on is None:
        device.first_deployed_on = day
        changed.append("first_deployed_on")
    return changed


@transaction.atomic
def device_transition(
    *,
    device: Device,
    status: str,
    actor,
    reason: str = "",
    at: datetime.datetime | None = None,
    data: dict | None = None,
    check_permission: bool = True,
) -> DeviceEvent:
    """Move ``device`` to ``status``: lock it, validate the step, append the event, set the status.

    ``check_permission=False`` is for services that already authorised a wider action (handing a
    device out, opening a ticket) on behalf of the actor.
    """
    locked = Device.objects.select_for_update().get(pk=device.pk)
    if check_permission:
        authorize(actor, Action.CHANGE, locked)
    check_transition(locked.status, status)
    at = at or timezone.now()
    actor_id, actor_label = _actor_fields(actor)
    event = DeviceEvent.objects.create(
        device=locked,
        status=status,
        previous_status=locked.status,
        occurred_at=at,
        actor_id=actor_id,
        actor_label=actor_label,
        reason=reason[:500],
        data=data or {},
    )
    locked.status = status
    locked.status_changed_at = at
    locked.save(update_fields=_apply_dates(locked, status, at))
    # The caller's instance follows, so that it can go on using it.
    for field in ("status", "status_changed_at", "delivered_on", "first_deployed_on"):
        setattr(device, field, getattr(locked, field))
    return event


def device_transition_many(
    *, devices: Iterable[Device], status: str, actor, reason: str = "", at: datetime.datetime | None = None
) -> int:
    """Move several devices (e.g. a whole delivery) one after the other, in one transaction."""
    count = 0
    with transaction.atomic():
        for device in devices:
            device_transition(device=device, status=status, actor=actor, reason=reason, at=at)
            count += 1
    return count


def initial_event_fields() -> list[str]:
    """The columns of ``initial_event_rows``, for ``core.bulk.bulk_insert(DeviceEvent, ...)``."""
    return ["device_id", "status", "previous_status", "occurred_at", "actor_id", "actor_label", "reason", "data"]


def initial_event_rows(
    device_ids: Iterable[int], *, status: str, actor, at: datetime.datetime, reason: str = ""
) -> Iterable[tuple]:
    """The first event of each new device, for bulk creation (deliveries, self-bought devices)."""
    if status not in INITIAL:
        raise ValidationError({"status": _("A new device cannot start as %(status)s.") % {"status": status}})
    actor_id, actor_label = _actor_fields(actor)
    for device_id in device_ids:
        yield (device_id, status, "", at, actor_id, actor_label, reason, {})


def create_initial_event(*, device: Device, actor, reason: str = "", data: dict | None = None) -> DeviceEvent:
    """The first event of one new device created through the ORM (its status is its initial one)."""
    if device.status not in INITIAL:
        raise ValidationError(
            {"status": _("A new device cannot start as %(status)s.") % {"status": DeviceStatus(device.status).label}}
        )
    actor_id, actor_label = _actor_fields(actor)
    return DeviceEvent.objects.create(
        device=device,
        status=device.status,
        previous_status="",
        occurred_at=device.status_changed_at,
        actor_id=actor_id,
        actor_label=actor_label,
        reason=reason[:500],
        data=data or {},
    )


def device_status_check(devices=None) -> list[tuple[int, str, str | None]]:
    """Devices whose stored status differs from their newest event: ``(id, status, event status)``.

    An empty list means every status is what its events say.
    """
    devices = Device.objects.all() if devices is None else devices
    newest = DeviceEvent.objects.filter(device=OuterRef("pk")).order_by("-occurred_at", "-id").values("status")[:1]
    rows = devices.annotate(derived=Subquery(newest)).values_list("pk", "status", "derived")
    return [(pk, status, derived) for pk, status, derived in rows.iterator() if status != derived]
