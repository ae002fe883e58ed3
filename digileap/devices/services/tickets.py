"""Aftercare tickets: a school reports a problem with a device, the supplier works it against the
service levels of its framework contract, the school closes it.

Rules:
- Opening (school coordinators and operator staff of the device's school): the supplier is the
  device's supplier; the contract is the newest framework contract of that supplier with the
  school's authority that covers the day the ticket is opened; the response and repair deadlines
  are the opening time plus the contract's response and repair hours. Without a contract the
  ticket has no deadlines (the pages say so). One ticket per device is open at a time.
- Theft and loss: the device becomes ``lost_stolen`` when the ticket is opened. It stays so when
  the ticket is resolved (what happens to it next, found or written off, is a lifecycle step of
  its own on the device).
- The supplier acknowledges (``responded_at``), starts the repair (hardware defects and damage
  move the device to ``in_repair``) and resolves with a resolution text: a device in repair goes
  back to the status it had before the repair where the lifecycle allows it (delivered or
  deployed), otherwise to delivered. Starting a repair counts as the response when the ticket was
  not acknowledged yet.
- The school closes a resolved ticket. A ticket without a supplier is closed by the school itself,
  with a resolution text.
- Replacement (the school's side, while the ticket is not resolved): a device of the same school
  that is delivered or in stock moves to ``loaned_out``. When the ticket closes, the replacement
  moves back to ``delivered``: a loaned-out device cannot be handed out in the lifecycle, so a
  replacement the pupil keeps for good (``permanent_replacement``, typical after a theft or loss)
  also goes to delivered, from where the school hands it out as an ordinary assignment; the close
  event records which of the two it was.
- Who does what: the supplier's side (a supplier user of the ticket's supplier, or an
  administrator) acknowledges, starts and resolves; the school's side (scoped to the school, its
  operator or authority, or an administrator) opens, replaces and closes. Both sides need the
  grant to change tickets; the other side's action is refused with PermissionDenied.

Every step locks the ticket, authorises first, writes nothing when refused, and records an audit
event; device status changes go through ``lifecycle.device_transition`` as ``DeviceEvent`` rows.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, assignments_for, authorize

from .. import lifecycle
from ..models import Device, DeviceEvent, DeviceStatus, FrameworkContract, Ticket

S = DeviceStatus
T = Ticket.Status
C = Ticket.Category

OPEN_STATUSES = (T.OPEN, T.ACKNOWLEDGED, T.IN_REPAIR)
REPAIRED_CATEGORIES = (C.HARDWARE, C.DAMAGE)
GONE_CATEGORIES = (C.THEFT, C.LOSS)
# Devices that can have a ticket: at the school or with a pupil (or on loan as a replacement).
TICKETABLE = (S.IN_STOCK, S.DELIVERED, S.DEPLOYED, S.LOANED_OUT, S.IN_REPAIR)
REPLACEMENT_STATUSES = (S.DELIVERED, S.IN_STOCK)
SUPPLIER_SIDE = ("supplier",)
SCHOOL_SIDE = ("authority", "operator", "school")
TICKET_FIELDS = ["status", "responded_at", "resolved_at", "closed_at", "resolution", "replacement_device"]


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def acts_for(user, ticket: Ticket, side: tuple[str, ...]) -> bool:
    """Whether ``user`` may change ``ticket`` through a role scoped to ``side`` (or scope all)."""
    for assignment in assignments_for(user, Action.CHANGE, Ticket):
        if assignment.scope_kind == "all":
            return True
        if assignment.scope_kind in side:
            path = Ticket.scope_paths[assignment.scope_kind]
            if Ticket.objects.filter(pk=ticket.pk, **{path: assignment.scope_id}).exists():
                return True
    return False


def _authorize_side(actor, ticket: Ticket, side: tuple[str, ...]) -> None:
    authorize(actor, Action.CHANGE, ticket)
    if not acts_for(actor, ticket, side):
        who = _("the supplier") if side == SUPPLIER_SIDE else _("the school")
        raise PermissionDenied(_("Only %(who)s takes this step of a ticket.") % {"who": who})


def contract_for(*, supplier_id, authority_id, day: datetime.date) -> FrameworkContract | None:
    """The newest framework contract of the supplier with the authority that covers ``day``."""
    if supplier_id is None:
        return None
    return (
        FrameworkContract.objects.filter(
            supplier_id=supplier_id, authority_id=authority_id, starts_on__lte=day, ends_on__gte=day
        )
        .order_by("-starts_on", "-created_at", "-pk")
        .first()
    )


def _transition(*, device: Device, status: str, actor, at, ticket: Ticket, reason: str) -> None:
    try:
        lifecycle.device_transition(
            device=device,
            status=status,
            actor=actor,
            reason=reason,
            at=at,
            data={"ticket": ticket.pk},
            check_permission=False,
        )
    except ValidationError as error:
        raise ValidationError({"device": error.messages}) from None


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("device", "school", "supplier", "contract")
        .get(pk=ticket.pk)
    )


def _not_open(ticket: Ticket, step: str) -> ValidationError:
    return ValidationError(
        {
            "status": _("This ticket is %(status)s: it cannot be %(step)s.")
            % {"status": ticket.get_status_display(), "step": step}
        }
    )


@transaction.atomic
def ticket_open(
    *, device: Device, category: str, description: str, actor, at: datetime.datetime | None = None
) -> Ticket:
    """Open a ticket for ``device`` (the school's side); theft and loss mark the device lost or stolen."""
    device = Device.objects.select_for_update(of=("self",)).select_related("school").get(pk=device.pk)
    at = at or timezone.now()
    ticket = Ticket(device=device, school=device.school, supplier_id=device.supplier_id)
    authorize(actor, Action.ADD, ticket)
    errors = {}
    description = (description or "").strip()
    if category not in C.values:
        errors["category"] = _("Choose hardware defect, software, damage, theft or loss.")
    if not description:
        errors["description"] = _("Describe the problem.")
    if device.status not in TICKETABLE:
        errors["device"] = _("Device %(serial)s is %(status)s: it cannot get a ticket.") % {
            "serial": device.serial,
            "status": device.get_status_display(),
        }
    else:
        already = Ticket.objects.filter(device=device, status__in=OPEN_STATUSES + (T.RESOLVED,)).first()
        if already is not None:
            errors["device"] = _("Device %(serial)s already has a ticket that is not closed: #%(number)s.") % {
                "serial": device.serial,
                "number": already.pk,
            }
    if errors:
        raise ValidationError(errors)
    contract = contract_for(
        supplier_id=device.supplier_id, authority_id=device.school.authority_id, day=timezone.localdate(at)
    )
    ticket.contract = contract
    ticket.category = category
    ticket.description = description
    ticket.status = T.OPEN
    ticket.opened_at = at
    ticket.opened_by = _user_or_none(actor)
    if contract is not None:
        ticket.response_due = at + datetime.timedelta(hours=contract.response_hours)
        ticket.repair_due = at + datetime.timedelta(hours=contract.repair_hours)
    ticket.save()
    if category in GONE_CATEGORIES:
        _transition(
            device=device,
            status=S.LOST_STOLEN,
            actor=actor,
            at=at,
            ticket=ticket,
            reason=_("Ticket #%(number)s: %(category)s")
            % {"number": ticket.pk, "category": ticket.get_category_display()},
        )
    audit.record(actor=actor, action="create", instance=ticket, after=audit.snapshot(ticket))
    return ticket


@transaction.atomic
def ticket_acknowledge(*, ticket: Ticket, actor, at: datetime.datetime | None = None) -> Ticket:
    """The supplier answers the ticket: its response time stops."""
    ticket = _locked(ticket)
    _authorize_side(actor, ticket, SUPPLIER_SIDE)
    if ticket.status != T.OPEN:
        raise _not_open(ticket, _("acknowledged"))
    at = at or timezone.now()
    ticket.status = T.ACKNOWLEDGED
    ticket.responded_at = at
    ticket.save(update_fields=["status", "responded_at"])
    audit.record(
        actor=actor,
        action="acknowledge",
        instance=ticket,
        before={"status": T.OPEN, "responded_at": None},
        after={"status": ticket.status, "responded_at": audit.to_jsonable(at)},
    )
    return ticket


@transaction.atomic
def ticket_start_repair(*, ticket: Ticket, actor, at: datetime.datetime | None = None) -> Ticket:
    """The supplier starts the repair: a hardware defect or damage moves the device to in repair."""
    ticket = _locked(ticket)
    _authorize_side(actor, ticket, SUPPLIER_SIDE)
    if ticket.status not in (T.OPEN, T.ACKNOWLEDGED):
        raise _not_open(ticket, _("started"))
    if ticket.category in GONE_CATEGORIES:
        raise ValidationError(
            {
                "category": _(
                    "A theft or loss is not repaired: resolve the ticket (with a replacement where one is given)."
                )
            }
        )
    at = at or timezone.now()
    before = audit.snapshot(ticket, ["status", "responded_at"])
    ticket.status = T.IN_REPAIR
    if ticket.responded_at is None:
        ticket.responded_at = at
    ticket.save(update_fields=["status", "responded_at"])
    if ticket.category in REPAIRED_CATEGORIES and ticket.device.status != S.IN_REPAIR:
        _transition(
            device=ticket.device,
            status=S.IN_REPAIR,
            actor=actor,
            at=at,
            ticket=ticket,
            reason=_("Ticket #%(number)s: repair started") % {"number": ticket.pk},
        )
    audit.record(
        actor=actor,
        action="start",
        instance=ticket,
        before=before,
        after=audit.snapshot(ticket, ["status", "responded_at"]),
    )
    return ticket


def status_before_repair(device: Device) -> str:
    """The status a device in repair returns to: the one it had before, where the lifecycle allows
    that step, else delivered."""
    event = DeviceEvent.objects.filter(device=device, status=S.IN_REPAIR).order_by("-occurred_at", "-id").first()
    previous = event.previous_status if event else ""
    return previous if previous in lifecycle.TRANSITIONS[S.IN_REPAIR] else S.DELIVERED


def _return_from_repair(ticket: Ticket, actor, at) -> None:
    device = ticket.device
    device.refresh_from_db(fields=["status"])
    if device.status == S.IN_REPAIR:
        _transition(
            device=device,
            status=status_before_repair(device),
            actor=actor,
            at=at,
            ticket=ticket,
            reason=_("Ticket #%(number)s: repaired") % {"number": ticket.pk},
        )


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, resolution: str, actor, at: datetime.datetime | None = None) -> Ticket:
    """The supplier resolves the ticket with what was done; a repaired device returns to the school."""
    ticket = _locked(ticket)
    _authorize_side(actor, ticket, SUPPLIER_SIDE)
    if ticket.status not in OPEN_STATUSES:
        raise _not_open(ticket, _("resolved"))
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say what was done to resolve the problem.")})
    at = at or timezone.now()
    before = audit.snapshot(ticket, TICKET_FIELDS)
    ticket.status = T.RESOLVED
    ticket.resolution = resolution
    ticket.resolved_at = at
    if ticket.responded_at is None:
        ticket.responded_at = at
    ticket.save(update_fields=["status", "resolution", "resolved_at", "responded_at"])
    _return_from_repair(ticket, actor, at)
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(ticket, TICKET_FIELDS))
    audit.record(actor=actor, action="resolve", instance=ticket, before=changed_before, after=changed_after)
    return ticket


@transaction.atomic
def ticket_set_replacement(
    *, ticket: Ticket, replacement: Device, actor, at: datetime.datetime | None = None
) -> Ticket:
    """Lend ``replacement`` (delivered or in stock, of the same school) while the ticket is worked."""
    ticket = _locked(ticket)
    _authorize_side(actor, ticket, SCHOOL_SIDE)
    if ticket.status not in OPEN_STATUSES:
        raise _not_open(ticket, _("given a replacement"))
    replacement = Device.objects.select_for_update().get(pk=replacement.pk)
    if ticket.replacement_device is not None:
        message = _("This ticket already has a replacement: %(serial)s.") % {"serial": ticket.replacement_device.serial}
    elif replacement.pk == ticket.device_id:
        message = _("A device cannot replace itself.")
    elif replacement.school_id != ticket.school_id:
        message = _("The replacement must be a device of the same school.")
    elif replacement.status not in REPLACEMENT_STATUSES:
        message = _("Device %(serial)s is %(status)s: a replacement must be delivered or in stock.") % {
            "serial": replacement.serial,
            "status": replacement.get_status_display(),
        }
    else:
        message = None
    if message:
        raise ValidationError({"replacement_device": message})
    at = at or timezone.now()
    ticket.replacement_device = replacement
    ticket.save(update_fields=["replacement_device"])
    _transition(
        device=replacement,
        status=S.LOANED_OUT,
        actor=actor,
        at=at,
        ticket=ticket,
        reason=_("Replacement for %(serial)s (ticket #%(number)s)")
        % {"serial": ticket.device.serial, "number": ticket.pk},
    )
    audit.record(
        actor=actor,
        action="replace",
        instance=ticket,
        before={"replacement_device": None},
        after={"replacement_device": replacement.pk, "serial": replacement.serial},
    )
    return ticket


@transaction.atomic
def ticket_close(
    *,
    ticket: Ticket,
    actor,
    resolution: str = "",
    permanent_replacement: bool = False,
    at: datetime.datetime | None = None,
) -> Ticket:
    """The school closes a resolved ticket (or one without a supplier, with a resolution text); a
    replacement on loan moves back to delivered."""
    ticket = _locked(ticket)
    _authorize_side(actor, ticket, SCHOOL_SIDE)
    resolution = (resolution or "").strip()
    if ticket.status == T.CLOSED:
        raise _not_open(ticket, _("closed"))
    if ticket.status != T.RESOLVED:
        if ticket.supplier_id is not None:
            raise ValidationError(
                {"status": _("The supplier resolves the ticket first; the school closes it after that.")}
            )
        if not resolution:
            raise ValidationError({"resolution": _("Say how the problem was solved: the ticket has no supplier.")})
    at = at or timezone.now()
    before = audit.snapshot(ticket, TICKET_FIELDS)
    if ticket.status != T.RESOLVED:
        ticket.resolution = resolution
        ticket.resolved_at = at
    ticket.status = T.CLOSED
    ticket.closed_at = at
    ticket.save(update_fields=["status", "closed_at", "resolution", "resolved_at"])
    _return_from_repair(ticket, actor, at)
    after_extra = {}
    if ticket.replacement_device is not None:
        replacement = ticket.replacement_device
        replacement.refresh_from_db(fields=["status"])
        after_extra["permanent_replacement"] = bool(permanent_replacement)
        if replacement.status == S.LOANED_OUT:
            reason = (
                _("Kept for good as the replacement of %(serial)s (ticket #%(number)s)")
                if permanent_replacement
                else _("Back from loan (ticket #%(number)s, %(serial)s)")
            ) % {"serial": ticket.device.serial, "number": ticket.pk}
            _transition(device=replacement, status=S.DELIVERED, actor=actor, at=at, ticket=ticket, reason=reason)
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(ticket, TICKET_FIELDS))
    audit.record(
        actor=actor, action="close", instance=ticket, before=changed_before, after={**changed_after, **after_extra}
    )
    return ticket
