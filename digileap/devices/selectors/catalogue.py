"""Reads of the catalogue: device models, suppliers, framework contracts and their items, restricted
to what the acting user may see.

An authority keeps its own catalogue and its contracts; its operators and schools read the
catalogue; a supplier reads itself, its contracts and the models they offer. Suppliers are reached
from an authority through its contracts (``Supplier.scope_paths``), so a supplier without any
contract is seen by administrators only: the supplier page creates a supplier together with its
first contract (see ``services.catalogue.supplier_create_with_contract``).
"""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, assignments_for, restrict
from digileap.schools.models import Authority

from ..models import ContractItem, DeviceModel, FrameworkContract, OrderLine, PurchaseOrder, Supplier

# Orders that commit money under a contract (a draft commits nothing, a cancelled order no longer).
COMMITTED_STATUSES = (
    PurchaseOrder.Status.PLACED,
    PurchaseOrder.Status.PARTLY_DELIVERED,
    PurchaseOrder.Status.DELIVERED,
)
LINE_AMOUNT = ExpressionWrapper(
    F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=16, decimal_places=2)
)


def device_models_for(user, action: str = Action.VIEW) -> QuerySet[DeviceModel]:
    return restrict(DeviceModel.objects.select_related("authority"), user, action)


def device_model_get(user, pk: int, action: str = Action.VIEW) -> DeviceModel:
    """The model, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(device_models_for(user, action), pk=pk)


def device_model_search(queryset: QuerySet[DeviceModel], text: str) -> QuerySet[DeviceModel]:
    """Models whose code, manufacturer or name contains every word of ``text``."""
    for word in text.split():
        queryset = queryset.filter(Q(code__icontains=word) | Q(manufacturer__icontains=word) | Q(name__icontains=word))
    return queryset


def manufacturers_of(device_models: QuerySet[DeviceModel]) -> list[str]:
    """The manufacturers among the models the user sees (the filter's choices)."""
    return list(device_models.order_by("manufacturer").values_list("manufacturer", flat=True).distinct())


def suppliers_for(user, action: str = Action.VIEW) -> QuerySet[Supplier]:
    return restrict(Supplier.objects.all(), user, action)


def supplier_get(user, pk: int, action: str = Action.VIEW) -> Supplier:
    return get_object_or_404(suppliers_for(user, action), pk=pk)


def contracts_for(user, action: str = Action.VIEW) -> QuerySet[FrameworkContract]:
    return restrict(FrameworkContract.objects.select_related("authority", "supplier"), user, action)


def contract_get(user, pk: int, action: str = Action.VIEW) -> FrameworkContract:
    return get_object_or_404(contracts_for(user, action), pk=pk)


def contract_items_for(user, action: str = Action.VIEW) -> QuerySet[ContractItem]:
    return restrict(ContractItem.objects.select_related("contract", "contract__supplier", "device_model"), user, action)


def contract_item_get(user, pk: int, action: str = Action.VIEW) -> ContractItem:
    return get_object_or_404(contract_items_for(user, action), pk=pk)


def authorities_where(user, action: str, model) -> QuerySet[Authority]:
    """Authorities in whose catalogue the user may take ``action`` on ``model`` (the forms' choices)."""
    ids: list[int] = []
    for assignment in assignments_for(user, action, model):
        if assignment.scope_kind == "all":
            return Authority.objects.order_by("name", "pk")
        if assignment.scope_kind == "authority":
            ids.append(assignment.scope_id)
    return Authority.objects.filter(pk__in=ids).order_by("name", "pk")


def contract_committed(contract: FrameworkContract, *, excluding: PurchaseOrder | None = None) -> Decimal:
    """EUR of the placed (and partly or fully delivered) orders under ``contract``."""
    lines = OrderLine.objects.filter(order__contract=contract, order__status__in=COMMITTED_STATUSES)
    if excluding is not None:
        lines = lines.exclude(order=excluding)
    total = lines.aggregate(total=Sum(LINE_AMOUNT))["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def contract_item_price(contract: FrameworkContract | None, device_model: DeviceModel) -> Decimal:
    """What a line of ``device_model`` costs by default: the contract's price, else the list price."""
    if contract is not None:
        price = ContractItem.objects.filter(contract=contract, device_model=device_model).values_list(
            "unit_price", flat=True
        )
        for value in price:
            return value
    return device_model.unit_price


def contract_history(contract: FrameworkContract) -> QuerySet[AuditEvent]:
    """Events about the contract and its items (also items removed since), newest first."""
    item_type = ContractItem._meta.label_lower
    # Items are known by the contract their creation named; later events name the item only.
    created = AuditEvent.objects.filter(object_type=item_type, action="create", after__contract=contract.pk)
    items = Q(object_type=item_type, object_id__in=created.values("object_id"))
    own = Q(object_type=FrameworkContract._meta.label_lower, object_id=str(contract.pk))
    return AuditEvent.objects.filter(own | items).order_by("-occurred_at", "-id")
