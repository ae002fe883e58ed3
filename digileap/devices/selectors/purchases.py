"""Reads of self-bought purchases, restricted to the acting user's scope."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from digileap.core.permissions import Action, assignments_for, restrict
from digileap.schools.models import School

from ..models import Device, DeviceModel, SelfPurchase


def purchases_for(user, action: str = Action.VIEW) -> QuerySet[SelfPurchase]:
    return restrict(
        SelfPurchase.objects.select_related("school", "school__operator", "programme", "funding_source", "reported_by"),
        user,
        action,
    )


def purchase_get(user, pk: int, action: str = Action.VIEW) -> SelfPurchase:
    """The purchase, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(purchases_for(user, action), pk=pk)


def with_device_counts(purchases: QuerySet[SelfPurchase]) -> QuerySet[SelfPurchase]:
    return purchases.annotate(device_count=Count("devices"))


def purchase_devices(purchase: SelfPurchase) -> QuerySet[Device]:
    return Device.objects.filter(purchase=purchase).select_related("device_model").order_by("serial", "id")


def schools_reporting(user, action: str = Action.ADD) -> QuerySet[School]:
    """The schools the user may report purchases for."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, action, SelfPurchase):
        if assignment.scope_kind == "all":
            condition = Q()
            break
        if assignment.scope_kind == "authority":
            condition |= Q(authority_id=assignment.scope_id)
        elif assignment.scope_kind == "operator":
            condition |= Q(operator_id=assignment.scope_id)
        elif assignment.scope_kind == "school":
            condition |= Q(pk=assignment.scope_id)
    return School.objects.select_related("operator").filter(condition).order_by("name", "number", "pk")


def models_for_purchase(user) -> QuerySet[DeviceModel]:
    """Catalogue models of the authorities of the schools the user may report for."""
    authorities = schools_reporting(user).order_by().values("authority_id")
    return DeviceModel.objects.filter(authority_id__in=authorities).order_by("manufacturer", "name", "pk")
