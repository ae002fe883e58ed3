"""Reads of aftercare tickets, restricted to what the acting user may see: schools see their
schools' tickets, suppliers their own. Each ticket carries ``is_overdue`` and ``next_due`` (the
response deadline until the supplier responds, then the repair deadline), computed in the query
against a given ``now`` so that lists can be filtered and sorted by them."""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, F, OrderBy, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from digileap.core.audit import history_for
from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, restrict
from digileap.schools.models import School

from ..models import Device, DeviceEvent, Supplier, Ticket
from ..services.tickets import OPEN_STATUSES, REPLACEMENT_STATUSES

T = Ticket.Status


def overdue_q(now: datetime.datetime) -> Q:
    """Tickets not responded to by their response deadline or not resolved by their repair deadline."""
    return ~Q(status=T.CLOSED) & (
        Q(responded_at__isnull=True, response_due__lt=now) | Q(resolved_at__isnull=True, repair_due__lt=now)
    )


def with_deadlines(tickets: QuerySet[Ticket], now: datetime.datetime | None = None) -> QuerySet[Ticket]:
    now = now or timezone.now()
    return tickets.annotate(
        is_overdue=Case(When(overdue_q(now), then=Value(True)), default=Value(False), output_field=BooleanField()),
        next_due=Case(
            When(status__in=(T.RESOLVED, T.CLOSED), then=Value(None)),
            When(responded_at__isnull=True, then=F("response_due")),
            default=F("repair_due"),
        ),
    )


def tickets_for(user, action: str = Action.VIEW, now: datetime.datetime | None = None) -> QuerySet[Ticket]:
    return with_deadlines(
        restrict(
            Ticket.objects.select_related(
                "device", "school", "school__operator", "supplier", "contract", "replacement_device", "opened_by"
            ),
            user,
            action,
        ),
        now,
    )


def ticket_get(user, pk: int, action: str = Action.VIEW) -> Ticket:
    """The ticket, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(tickets_for(user, action), pk=pk)


def overdue_tickets(user, now: datetime.datetime) -> QuerySet[Ticket]:
    return tickets_for(user, now=now).filter(overdue_q(now))


SORTS: dict[str, list[str | OrderBy]] = {
    "due": [F("next_due").asc(nulls_last=True), "-opened_at", "-id"],
    "opened": ["-opened_at", "-id"],
}


def ticket_list(
    user,
    *,
    now: datetime.datetime | None = None,
    school=None,
    status: str = "",
    category: str = "",
    supplier=None,
    overdue_only: bool = False,
    sort: str = "due",
) -> QuerySet[Ticket]:
    """The list page's tickets: filtered, overdue ones only when asked, sorted by the next deadline
    (tickets without one last) or newest first."""
    now = now or timezone.now()
    tickets = tickets_for(user, now=now)
    if school is not None:
        tickets = tickets.filter(school=school)
    if status:
        tickets = tickets.filter(status=status)
    if category:
        tickets = tickets.filter(category=category)
    if supplier is not None:
        tickets = tickets.filter(supplier=supplier)
    if overdue_only:
        tickets = tickets.filter(overdue_q(now))
    return tickets.order_by(*SORTS.get(sort, SORTS["due"]))


def ticket_suppliers(user) -> QuerySet[Supplier]:
    """Suppliers of the tickets the user sees (for the filter)."""
    return Supplier.objects.filter(pk__in=restrict(Ticket.objects.all(), user).values("supplier")).order_by("name")


def ticket_schools(user) -> QuerySet[School]:
    """Schools of the tickets the user sees (for the filter)."""
    return School.objects.filter(pk__in=restrict(Ticket.objects.all(), user).values("school")).order_by("name", "pk")


def devices_for_tickets(user) -> QuerySet[Device]:
    """Devices the user sees (the service checks the user may open a ticket for the one chosen)."""
    return restrict(Device.objects.select_related("school", "supplier"), user, Action.VIEW)


def replacement_candidates(user, ticket: Ticket) -> QuerySet[Device]:
    """Devices of the ticket's school, delivered or in stock, that may be lent as its replacement."""
    return (
        restrict(Device.objects.all(), user, Action.VIEW)
        .filter(school_id=ticket.school_id, status__in=REPLACEMENT_STATUSES)
        .exclude(pk=ticket.device_id)
        .select_related("device_model")
        .order_by("serial", "pk")
    )


@dataclass(frozen=True)
class Step:
    """One step of a ticket's way: what, when, by whom, and whether it was late."""

    key: str
    is_done: bool
    when: datetime.datetime | None = None
    who: str = ""
    due: datetime.datetime | None = None

    @property
    def is_late(self) -> bool:
        if self.due is None:
            return False
        if self.when is None:
            return timezone.now() > self.due
        return self.when > self.due


def ticket_timeline(ticket: Ticket) -> list[Step]:
    """Opened, responded to, repair started, resolved, closed: when, by whom, against which deadline."""
    actors = {event.action: event.actor_label for event in history_for(ticket).order_by("occurred_at", "id")}
    started = history_for(ticket).filter(action="start").order_by("occurred_at").first()
    is_open = ticket.status != T.CLOSED
    return [
        Step("opened", True, ticket.opened_at, actors.get("create", "")),
        Step(
            "responded",
            ticket.responded_at is not None,
            ticket.responded_at,
            actors.get("acknowledge") or actors.get("start") or actors.get("resolve", ""),
            ticket.response_due if is_open or ticket.responded_at else None,
        ),
        Step("started", started is not None, started.occurred_at if started else None, actors.get("start", "")),
        Step(
            "resolved",
            ticket.resolved_at is not None,
            ticket.resolved_at,
            actors.get("resolve") or actors.get("close", ""),
            ticket.repair_due if is_open or ticket.resolved_at else None,
        ),
        Step("closed", ticket.closed_at is not None, ticket.closed_at, actors.get("close", "")),
    ]


def ticket_history(ticket: Ticket) -> QuerySet[AuditEvent]:
    return history_for(ticket)


def ticket_device_events(ticket: Ticket) -> QuerySet[DeviceEvent]:
    """The device events the ticket caused (of the device and of its replacement)."""
    devices = [pk for pk in (ticket.device_id, ticket.replacement_device_id) if pk]
    return (
        DeviceEvent.objects.filter(device_id__in=devices, data__ticket=ticket.pk)
        .select_related("device")
        .order_by("occurred_at", "id")
    )


def is_open(ticket: Ticket) -> bool:
    return ticket.status in OPEN_STATUSES
