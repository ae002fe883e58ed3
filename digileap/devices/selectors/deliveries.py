"""Reads of deliveries and their acceptance, restricted to the acting user's scope."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from digileap.core.audit import history_for
from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, restrict

from ..models import Delivery, DeliveryDiscrepancy, Device, Supplier


def deliveries_for(user, action: str = Action.VIEW) -> QuerySet[Delivery]:
    return restrict(
        Delivery.objects.select_related("school", "school__operator", "supplier", "programme", "order", "accepted_by"),
        user,
        action,
    )


def delivery_get(user, pk: int, action: str = Action.VIEW) -> Delivery:
    """The delivery, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(deliveries_for(user, action), pk=pk)


def deliveries_filtered(
    deliveries: QuerySet[Delivery],
    *,
    school=None,
    supplier=None,
    programme=None,
    acceptance: str = "",
    delivered_from=None,
    delivered_to=None,
    q: str = "",
) -> QuerySet[Delivery]:
    """The list's filters, shared by the pages and the API."""
    if school is not None:
        deliveries = deliveries.filter(school=school)
    if supplier is not None:
        deliveries = deliveries.filter(supplier=supplier)
    if programme is not None:
        deliveries = deliveries.filter(programme=programme)
    if acceptance:
        deliveries = deliveries.filter(acceptance=acceptance)
    if delivered_from:
        deliveries = deliveries.filter(delivered_on__gte=delivered_from)
    if delivered_to:
        deliveries = deliveries.filter(delivered_on__lte=delivered_to)
    q = (q or "").strip()
    if q:
        deliveries = deliveries.filter(Q(note_number__icontains=q) | Q(order__number__iexact=q))
    return deliveries


def with_device_counts(deliveries: QuerySet[Delivery]) -> QuerySet[Delivery]:
    """Each delivery with ``device_count``, ``accepted_count`` and ``discrepancy_count`` (for one page)."""
    return deliveries.annotate(
        device_count=Count("devices", distinct=True),
        accepted_count=Count("devices", filter=Q(devices__accepted_at__isnull=False), distinct=True),
        discrepancy_count=Count("discrepancies", distinct=True),
    )


def delivery_devices(delivery: Delivery) -> QuerySet[Device]:
    """The devices of a delivery the user already may see (the delivery's scope covers them)."""
    return (
        Device.objects.filter(delivery=delivery)
        .select_related("device_model", "site")
        .only(
            "id",
            "serial",
            "asset_tag",
            "mac_address",
            "status",
            "accepted_at",
            "discrepancy",
            "condition",
            "device_model__manufacturer",
            "device_model__name",
            "device_model__code",
            "site__name",
        )
        .order_by("serial", "id")
    )


def delivery_counts(delivery: Delivery) -> dict[str, int]:
    counts = Device.objects.filter(delivery=delivery).aggregate(
        devices=Count("id"),
        accepted=Count("id", filter=Q(accepted_at__isnull=False)),
        missing=Count("id", filter=Q(discrepancy=Device.Discrepancy.MISSING)),
        damaged=Count("id", filter=Q(discrepancy=Device.Discrepancy.DAMAGED)),
        wrong_model=Count("id", filter=Q(discrepancy=Device.Discrepancy.WRONG_MODEL)),
    )
    counts["unconfirmed"] = counts["devices"] - counts["accepted"] - counts["missing"]
    return counts


def delivery_discrepancies(delivery: Delivery) -> QuerySet[DeliveryDiscrepancy]:
    return delivery.discrepancies.select_related("device", "recorded_by").order_by("id")


def delivery_history(delivery: Delivery) -> QuerySet[AuditEvent]:
    return history_for(delivery).order_by("-occurred_at", "-id")


def discrepancies_for(user, action: str = Action.VIEW) -> QuerySet[DeliveryDiscrepancy]:
    return restrict(
        DeliveryDiscrepancy.objects.select_related("delivery", "delivery__school", "device", "recorded_by"),
        user,
        action,
    )


def suppliers_of_deliveries(user) -> QuerySet[Supplier]:
    """The suppliers of the deliveries the user may see (the list's filter)."""
    return Supplier.objects.filter(pk__in=deliveries_for(user).order_by().values("supplier_id")).order_by("name")
