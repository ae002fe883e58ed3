"""Reads of applications: the scoped list, what the registry prefills, and what an operator holds."""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from digileap.accounts.models import Role
from digileap.core.permissions import Action, _condition, assignments_for
from digileap.schools.models import School

from ..models import Application, ApplicationState, Call, CallReviewer, CostLine
from .calls import published_entitlement

# Applications that no longer hold any of the operator's entitlement.
RELEASED_STATES = (ApplicationState.WITHDRAWN, ApplicationState.REJECTED)


def application_scope_q(user, action: str = Action.VIEW) -> Q | None:
    """The applications ``user`` may take ``action`` on: as ``core.permissions.scope_q``, except that
    a **funding administrator** reaches only the applications of calls they are assigned to review
    (``CallReviewer``), within their scope. Programme owners, operator staff and auditors reach
    everything in their scope. ``None`` means every application."""
    paths = Application.scope_paths
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, action, Application):
        if assignment.scope_kind != "all" and assignment.scope_kind not in paths:
            continue
        reach = (
            Q()
            if assignment.scope_kind == "all"
            else _condition(Application, paths[assignment.scope_kind], [assignment.scope_id])
        )
        if assignment.role == Role.FUNDING_ADMINISTRATOR:
            reach &= Q(call_id__in=CallReviewer.objects.filter(user_id=user.pk).values("call_id"))
        elif assignment.scope_kind == "all":
            return None
        condition |= reach
    return condition


def applications_for(user, action: str = Action.VIEW) -> QuerySet[Application]:
    """Every read of applications (pages, API, exports) goes through here: a reviewer (funding
    administrator) never sees applications of calls they are not assigned to."""
    queryset = Application.objects.select_related("call", "operator")
    condition = application_scope_q(user, action)
    if condition is None:
        return queryset
    if condition == Q(pk__in=[]):
        return queryset.none()
    return queryset.filter(condition)


def applied_elsewhere(call: Call, operator_id: int, *, exclude: int | None = None) -> Decimal:
    """The funding the operator asks for in its other applications of the call that still count."""
    lines = CostLine.objects.filter(application__call=call, application__operator_id=operator_id).exclude(
        application__state__in=RELEASED_STATES
    )
    if exclude is not None:
        lines = lines.exclude(application_id=exclude)
    return lines.aggregate(total=Sum("funding"))["total"] or Decimal("0.00")


def application_prefill(call: Call, operator) -> dict:
    """What the registry knows for a new application: the operator's open schools with pupils, its
    published entitlement and what it has already applied for in the call."""
    schools = list(
        School.objects.filter(operator=operator, status=School.Status.OPEN)
        .order_by("name", "id")
        .values("id", "number", "name", "type_code", "pupils_total")
    )
    entitlement = published_entitlement(call, operator.pk)
    applied = applied_elsewhere(call, operator.pk)
    return {
        "schools": schools,
        "pupils": sum(school["pupils_total"] or 0 for school in schools),
        "entitlement": entitlement.amount if entitlement else None,
        "applied": applied,
        "available": (entitlement.amount - applied) if entitlement else None,
    }
