"""The devices section's first page: what there is to do, for the user's role and scope.

Only cheap counts (deliveries awaiting acceptance, open and overdue tickets, pending agreements):
the device register itself may hold millions of rows, and its list page answers for those.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from digileap.core.permissions import Action, can, restrict

from ..models import Delivery, Ticket, UserAgreement
from ..navigation import device_sections


def _counts(user) -> dict[str, int | None]:
    now = timezone.now()
    counts: dict[str, int | None] = {"pending_deliveries": None, "open_tickets": None, "overdue_tickets": None}
    if can(user, Action.VIEW, Delivery):
        counts["pending_deliveries"] = restrict(Delivery.objects.filter(acceptance="pending"), user).count()
    if can(user, Action.VIEW, Ticket):
        open_tickets = restrict(Ticket.objects.exclude(status__in=["resolved", "closed"]), user)
        counts["open_tickets"] = open_tickets.count()
        counts["overdue_tickets"] = open_tickets.filter(repair_due__lt=now).count()
    if can(user, Action.VIEW, UserAgreement):
        counts["pending_agreements"] = restrict(UserAgreement.objects.filter(status="pending"), user).count()
    return counts


@login_required
@require_GET
def device_overview(request):
    context = {"sections": device_sections(request.user), **_counts(request.user)}
    return render(request, "devices/overview.html", context)
