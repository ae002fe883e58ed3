"""What the devices app adds to the menu, the home page and the school page (see
``digileap.core.contributions``): the devices section and its pages, a coordinator's direct way
into the hand-out, and the pending work: deliveries to accept, tickets, overdue agreements."""

from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from digileap.core.contributions import (
    Action as HomeAction,
)
from digileap.core.contributions import (
    MenuEntry,
    Panel,
    Section,
    Tile,
    Todo,
    register_actions,
    register_menu,
    register_school_panel,
    register_section,
    register_tiles,
    register_todos,
    reverse_or_none,
)
from digileap.core.permissions import Action, can, has_role, permits

from .navigation import device_sections

# At most this many schools get a hand-out link each on the home page; more, and the recipient
# list (with its school filter) is the way in.
HANDOUT_LINKS_MAX = 5


def _filtered(route: str, **query) -> str | None:
    url = reverse_or_none(route)
    return f"{url}?{urlencode(query)}" if url and query else url


def handout_schools(user):
    """The schools where ``user`` may hand out devices, in name order."""
    from .models import Assignment
    from .selectors.recipients import schools_with_recipients

    return schools_with_recipients(user, Action.ADD, Assignment)


def handout_url(school) -> str | None:
    return reverse_or_none("devices:assignment-handout", kwargs={"school_pk": school.pk})


def _single_handout_school(user):
    """The one school ``user`` hands out at, or None (no school, or several)."""
    from .models import Assignment

    if not can(user, Action.ADD, Assignment):
        return None
    # Unordered: every page's menu asks, and an administrator's scope holds every school.
    schools = list(handout_schools(user).order_by()[:2])
    return schools[0] if len(schools) == 1 else None


def _menu(user) -> list[MenuEntry]:
    if user is None or not user.is_authenticated:
        return []
    entries = []
    school = _single_handout_school(user)
    url = handout_url(school) if school is not None else None
    if url:
        entries.append(MenuEntry("handout", _("Hand out devices"), url))
    overview = reverse_or_none("devices:device-overview")
    if overview and device_sections(user):
        entries.append(MenuEntry("devices", _("Devices"), overview))
    return entries


def _section_pages(user) -> list[MenuEntry]:
    return [MenuEntry(key, label, url) for key, label, url in device_sections(user)]


def _actions(user) -> list[HomeAction]:
    from .models import Assignment

    if not can(user, Action.ADD, Assignment):
        return []
    schools = list(handout_schools(user)[: HANDOUT_LINKS_MAX + 1])
    if len(schools) > HANDOUT_LINKS_MAX:
        url = reverse_or_none("devices:recipient-list")
        return [HomeAction("handout", _("Hand out devices"), url, _("Choose the school in the list."))] if url else []
    actions = []
    for school in schools:
        url = handout_url(school)
        if url:
            label = _("Hand out devices at %(school)s") % {"school": school.name}
            actions.append(HomeAction(f"handout-{school.pk}", label, url, _("Scan a serial, confirm, next.")))
    return actions


def _todos(user) -> list[Todo]:
    from .models import Delivery, Ticket, UserAgreement
    from .selectors import agreements as agreement_selectors
    from .selectors import tickets as ticket_selectors
    from .selectors.deliveries import deliveries_for
    from .services.deliveries import ACCEPTING_ROLES

    now = timezone.now()
    todos = []
    if can(user, Action.CHANGE, Delivery) and has_role(user, *ACCEPTING_ROLES):
        count = deliveries_for(user).filter(acceptance=Delivery.Acceptance.PENDING).count()
        url = _filtered("devices:delivery-list", acceptance=Delivery.Acceptance.PENDING)
        if url:
            todos.append(
                Todo(
                    "deliveries-to-accept",
                    ngettext("delivery to accept", "deliveries to accept", count),
                    count,
                    url,
                    _("Check the devices against the delivery note and accept them."),
                )
            )
    if can(user, Action.VIEW, Ticket):
        if can(user, Action.CHANGE, Ticket):
            count = ticket_selectors.ticket_list(user, now=now, status=Ticket.Status.OPEN).count()
            url = _filtered("devices:ticket-list", status=Ticket.Status.OPEN)
            if url:
                todos.append(
                    Todo(
                        "tickets-open",
                        ngettext("new ticket", "new tickets", count),
                        count,
                        url,
                        _("Opened and not yet acknowledged."),
                    )
                )
        count = ticket_selectors.overdue_tickets(user, now).count()
        url = _filtered("devices:ticket-list", overdue="on")
        if url:
            todos.append(
                Todo(
                    "tickets-overdue",
                    ngettext("overdue ticket", "overdue tickets", count),
                    count,
                    url,
                    _("Past their response or repair deadline."),
                )
            )
    if can(user, Action.CHANGE, UserAgreement):
        count = agreement_selectors.user_agreements_for(user).filter(agreement_selectors.overdue_q(now)).count()
        url = _filtered("devices:useragreement-list", overdue="on")
        if url:
            todos.append(
                Todo(
                    "agreements-overdue",
                    ngettext("overdue user agreement", "overdue user agreements", count),
                    count,
                    url,
                    _("Sent more than %(days)s days ago and not yet accepted.")
                    % {"days": agreement_selectors.OVERDUE_DAYS},
                )
            )
    return todos


def _tiles(user) -> list[Tile]:
    """The devices tile: how many devices the user's scope holds, and the devices overview."""
    from .models import Device
    from .selectors.devices import devices_for

    url = reverse_or_none("devices:device-overview")
    if not url or not can(user, Action.VIEW, Device) or not device_sections(user):
        return []
    text = _("Deliveries, hand-outs, user agreements, repairs and the device register.")
    return [Tile("devices", _("Devices"), devices_for(user).count(), text, url)]


def _school_panel(request, school) -> Panel | None:
    """The school page's devices part: the hand-out for those who hand out, and the deliveries
    awaiting acceptance at this school."""
    from .models import Assignment, Delivery, Recipient
    from .selectors.deliveries import deliveries_for

    user = request.user
    may_hand_out = permits(user, Action.ADD, Assignment(recipient=Recipient(school=school)))
    pending = None
    if can(user, Action.VIEW, Delivery):
        pending = deliveries_for(user).filter(school=school, acceptance=Delivery.Acceptance.PENDING).count()
    if not may_hand_out and not pending:
        return None
    deliveries_url = _filtered("devices:delivery-list", school=school.pk, acceptance=Delivery.Acceptance.PENDING)
    return Panel(
        "devices",
        "devices/_school_panel.html",
        {
            "school": school,
            "handout_url": handout_url(school) if may_hand_out else None,
            "pending_deliveries": pending or 0,
            "deliveries_url": deliveries_url,
        },
    )


def register() -> None:
    register_menu("devices", 300, _menu)
    register_section(Section("devices", lambda: reverse_or_none("devices:device-overview"), _section_pages))
    register_actions("devices.handout", 100, _actions)
    register_todos("devices", 300, _todos)
    register_tiles("devices", 300, _tiles)
    register_school_panel("devices", 300, _school_panel)
