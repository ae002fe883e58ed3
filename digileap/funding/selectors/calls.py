"""Reads of calls and entitlements."""

from django.db.models import QuerySet

from digileap.core.permissions import Action, can, restrict

from ..models import Call, Entitlement


def calls_for(user, action: str = Action.VIEW) -> QuerySet[Call]:
    """The calls the user may act on: of their authority, or that their operator may apply to."""
    return restrict(Call.objects.select_related("programme", "funding_source"), user, action)


def entitlements_for(user, action: str = Action.VIEW) -> QuerySet[Entitlement]:
    """Entitlements in the user's scope. Those who cannot change entitlements (operator staff, the
    auditor) see only published ones: an entitlement being prepared is not yet the operator's."""
    queryset = restrict(Entitlement.objects.select_related("call", "operator"), user, action)
    if not can(user, Action.CHANGE, Entitlement):
        queryset = queryset.filter(published_at__isnull=False)
    return queryset


def published_entitlement(call: Call, operator_id: int) -> Entitlement | None:
    return Entitlement.objects.filter(call=call, operator_id=operator_id, published_at__isnull=False).first()
