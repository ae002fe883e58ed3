"""Pages of aftercare tickets: the list (overdue tickets stand out; filter, overdue only, sort by
the next deadline), opening a ticket, one ticket with its timeline and deadlines, and the actions of
each side: the supplier acknowledges, starts the repair and resolves; the school lends a
replacement and closes.

A ticket outside the user's scope is a 404; the other side's action on a visible ticket is a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.permissions import Action, can, permits

from ..forms.tickets import CloseForm, ReplacementForm, ResolveForm, TicketFilterForm, TicketOpenForm
from ..models import Ticket
from ..selectors import tickets as selectors
from ..services import tickets as services

PER_PAGE = 50


@login_required
@require_GET
def ticket_list(request):
    user = request.user
    if not can(user, Action.VIEW, Ticket):
        raise PermissionDenied
    now = timezone.now()
    filter_form = TicketFilterForm(
        request.GET or None, schools=selectors.ticket_schools(user), suppliers=selectors.ticket_suppliers(user)
    )
    tickets = selectors.ticket_list(user, now=now, **filter_form.values())
    page = Paginator(tickets, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "page": page,
        "overdue_count": selectors.overdue_tickets(user, now).count(),
        "can_open": can(user, Action.ADD, Ticket),
    }
    if request.htmx and request.htmx.target == "ticket-rows":
        return render(request, "devices/_ticket_rows.html", context)
    return render(request, "devices/ticket_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ticket_create(request):
    """Open a ticket for a device (the school's side), named by serial number."""
    user = request.user
    if not can(user, Action.ADD, Ticket):
        raise PermissionDenied
    form = TicketOpenForm(
        request.POST if request.method == "POST" else None,
        devices=selectors.devices_for_tickets(user),
        initial={"serial": request.GET.get("serial", "")[:64]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(actor=user, **form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        except PermissionDenied:
            form.add_error("serial", _("You may not open tickets for this device's school."))
        else:
            messages.success(request, _("Ticket #%(number)s was opened.") % {"number": ticket.pk})
            return redirect("devices:ticket-detail", pk=ticket.pk)
    return render(request, "devices/ticket_form.html", {"form": form})


@login_required
@require_GET
def ticket_detail(request, pk: int):
    user = request.user
    ticket = selectors.ticket_get(user, pk)
    can_change = permits(user, Action.CHANGE, ticket)
    supplier_side = can_change and services.acts_for(user, ticket, services.SUPPLIER_SIDE)
    school_side = can_change and services.acts_for(user, ticket, services.SCHOOL_SIDE)
    status = ticket.status
    T = Ticket.Status
    context = {
        "ticket": ticket,
        "timeline": selectors.ticket_timeline(ticket),
        "device_events": selectors.ticket_device_events(ticket),
        "events": selectors.ticket_history(ticket)[:50],
        "can_acknowledge": supplier_side and status == T.OPEN,
        "can_start": supplier_side
        and status in (T.OPEN, T.ACKNOWLEDGED)
        and ticket.category not in services.GONE_CATEGORIES,
        "can_resolve": supplier_side and status in services.OPEN_STATUSES,
        "can_replace": school_side and status in services.OPEN_STATUSES and ticket.replacement_device_id is None,
        "can_close": school_side and (status == T.RESOLVED or (status != T.CLOSED and ticket.supplier_id is None)),
    }
    return render(request, "devices/ticket_detail.html", context)


def _for_change(request, pk: int) -> Ticket:
    ticket = selectors.ticket_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, ticket):
        raise PermissionDenied
    return ticket


def _step(request, pk: int, service, done_message: str):
    ticket = _for_change(request, pk)
    try:
        service(ticket=ticket, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message)
    return redirect("devices:ticket-detail", pk=ticket.pk)


@login_required
@require_POST
def ticket_acknowledge(request, pk: int):
    return _step(request, pk, services.ticket_acknowledge, _("The ticket was acknowledged."))


@login_required
@require_POST
def ticket_start(request, pk: int):
    return _step(request, pk, services.ticket_start_repair, _("The repair was started."))


@login_required
@require_http_methods(["GET", "POST"])
def ticket_resolve(request, pk: int):
    ticket = _for_change(request, pk)
    if not services.acts_for(request.user, ticket, services.SUPPLIER_SIDE):
        raise PermissionDenied
    form = ResolveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_resolve(ticket=ticket, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The ticket was resolved."))
            return redirect("devices:ticket-detail", pk=ticket.pk)
    return render(request, "devices/ticket_resolve.html", {"ticket": ticket, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def ticket_close(request, pk: int):
    ticket = _for_change(request, pk)
    if not services.acts_for(request.user, ticket, services.SCHOOL_SIDE):
        raise PermissionDenied
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_close(ticket=ticket, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The ticket was closed."))
            return redirect("devices:ticket-detail", pk=ticket.pk)
    return render(request, "devices/ticket_close.html", {"ticket": ticket, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def ticket_replacement(request, pk: int):
    """Lend a device of the same school while the ticket is worked."""
    ticket = _for_change(request, pk)
    if not services.acts_for(request.user, ticket, services.SCHOOL_SIDE):
        raise PermissionDenied
    form = ReplacementForm(
        request.POST if request.method == "POST" else None,
        candidates=selectors.replacement_candidates(request.user, ticket),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_set_replacement(
                ticket=ticket, actor=request.user, replacement=form.cleaned_data["replacement_device"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The replacement device is on loan."))
            return redirect("devices:ticket-detail", pk=ticket.pk)
    return render(request, "devices/ticket_replacement.html", {"ticket": ticket, "form": form})
