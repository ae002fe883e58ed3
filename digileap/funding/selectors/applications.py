"""Reads of applications: the scoped list, what the registry prefills, and what an operator holds."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from digileap.core.permissions import Action, restrict
from digileap.schools.models import School

from ..models import Application, ApplicationState, Call, CostLine
from .calls import published_entitlement

# Applications that no longer hold any of the operator's entitlement.
RELEASED_STATES = (ApplicationState.WITHDRAWN, ApplicationState.REJECTED)


def applications_for(user, action: str = Action.VIEW) -> QuerySet[Application]:
    return restrict(Application.objects.select_related("call", "operator"), user, action)


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
