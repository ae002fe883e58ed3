"""Writes of the catalogue: device models, suppliers, framework contracts and their items.

Each service authorises first, validates (a ``ValidationError`` naming the field), writes and records
one audit event per change, in one transaction: a refusal writes nothing.

Suppliers are the exception to ``permits``: a supplier is reached from an authority only through
its contracts (``Supplier.scope_paths = {"authority": "contracts__authority", ...}``), a path that
crosses a to-many relation, so an unsaved supplier has no contracts and ``permits`` cannot say
whose it is. Creating one is therefore authorised by role: whoever holds a role that grants ``add``
on ``Supplier`` (programme owners, administrators) may create suppliers. Pages create a supplier
together with its first framework contract (``supplier_create_with_contract``), so that the
authority that created it sees it from the start.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, assignments_for, authorize
from digileap.core.services import apply_fields, update_audited

from ..models import ContractItem, Device, DeviceModel, FrameworkContract, PurchaseOrder, Supplier
from ..selectors.catalogue import COMMITTED_STATUSES, contract_committed

DEVICE_MODEL_FIELDS = [
    "code",
    "manufacturer",
    "name",
    "device_type",
    "specifications",
    "unit_price",
    "warranty_months",
    "is_active",
]
SUPPLIER_FIELDS = ["name", "vat_number", "email"]
CONTRACT_FIELDS = [
    "supplier",
    "reference",
    "title",
    "starts_on",
    "ends_on",
    "ceiling",
    "response_hours",
    "repair_hours",
]


def _strip(data: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {key: value.strip() if key in names and isinstance(value, str) else value for key, value in data.items()}


# --- device models ------------------------------------------------------------------------------


def _clean_specifications(value) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or any(not isinstance(key, str) or not key.strip() for key in value):
        raise ValidationError({"specifications": _("Give the specifications as pairs of a name and a value.")})
    cleaned = {}
    for key, item in value.items():
        if isinstance(item, (dict, list)):
            raise ValidationError(
                {"specifications": _("The value of %(name)s must be a text or a number.") % {"name": key.strip()}}
            )
        cleaned[key.strip()] = "" if item is None else str(item).strip()
    return cleaned


def _check_device_model(device_model: DeviceModel) -> None:
    errors: dict[str, str] = {}
    device_model.specifications = _clean_specifications(device_model.specifications)
    others = DeviceModel.objects.filter(authority_id=device_model.authority_id).exclude(pk=device_model.pk)
    authority = device_model.authority.name
    if device_model.code and others.filter(code=device_model.code).exists():
        errors["code"] = _("The catalogue of %(authority)s already has a model with the code %(code)s.") % {
            "authority": authority,
            "code": device_model.code,
        }
    if (
        device_model.manufacturer
        and device_model.name
        and others.filter(manufacturer=device_model.manufacturer, name=device_model.name).exists()
    ):
        errors["name"] = _("The catalogue of %(authority)s already has %(manufacturer)s %(name)s.") % {
            "authority": authority,
            "manufacturer": device_model.manufacturer,
            "name": device_model.name,
        }
    if device_model.unit_price is not None and device_model.unit_price < 0:
        errors["unit_price"] = _("The list price cannot be negative.")
    if device_model.pk is not None:
        # Devices repeat their model's manufacturer (serials are unique per manufacturer) and type.
        stored = DeviceModel.objects.get(pk=device_model.pk)
        has_devices = Device.objects.filter(device_model=device_model).exists()
        if has_devices and stored.manufacturer != device_model.manufacturer:
            errors["manufacturer"] = _(
                "Devices of this model are registered under %(manufacturer)s: the manufacturer cannot change."
            ) % {"manufacturer": stored.manufacturer}
        if has_devices and stored.device_type != device_model.device_type:
            errors["device_type"] = _("Devices of this model are registered: its type cannot change.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def device_model_create(*, actor, authority, **data) -> DeviceModel:
    """Add a model to ``authority``'s catalogue. ``data``: the fields of ``DEVICE_MODEL_FIELDS``."""
    device_model = DeviceModel(authority=authority)
    authorize(actor, Action.ADD, device_model)
    apply_fields(device_model, _strip(data, ["code", "manufacturer", "name"]), DEVICE_MODEL_FIELDS)
    _check_device_model(device_model)
    device_model.full_clean()
    device_model.save()
    audit.record(actor=actor, action="create", instance=device_model, after=audit.snapshot(device_model))
    return device_model


def device_model_update(*, actor, device_model: DeviceModel, data: dict[str, Any]) -> DeviceModel:
    """Change a model; its authority stays. The manufacturer and type stay once devices exist."""
    return update_audited(
        actor=actor,
        instance=device_model,
        data=_strip(data, ["code", "manufacturer", "name"]),
        allowed=DEVICE_MODEL_FIELDS,
        check=_check_device_model,
    )


# --- suppliers ----------------------------------------------------------------------------------


def _check_supplier(supplier: Supplier) -> None:
    if not supplier.name:
        raise ValidationError({"name": _("Enter the supplier's name.")})
    if Supplier.objects.filter(name__iexact=supplier.name).exclude(pk=supplier.pk).exists():
        raise ValidationError({"name": _("A supplier named %(name)s already exists.") % {"name": supplier.name}})


def may_create_suppliers(actor) -> bool:
    """Whether ``actor`` holds a role that grants adding suppliers (see the module's docstring)."""
    return bool(assignments_for(actor, Action.ADD, Supplier))


@transaction.atomic
def supplier_create(*, actor, name: str, vat_number: str = "", email: str = "") -> Supplier:
    """Register a supplier, authorised by role (``permits`` cannot place an unsaved supplier)."""
    if not may_create_suppliers(actor):
        raise PermissionDenied("add on devices.supplier is outside the user's role")
    supplier = Supplier(name=(name or "").strip(), vat_number=(vat_number or "").strip(), email=(email or "").strip())
    _check_supplier(supplier)
    supplier.full_clean()
    supplier.save()
    audit.record(actor=actor, action="create", instance=supplier, after=audit.snapshot(supplier))
    return supplier


@transaction.atomic
def supplier_create_with_contract(*, actor, supplier: dict[str, Any], contract: dict[str, Any]) -> FrameworkContract:
    """A new supplier and its first framework contract with an authority, both or neither."""
    created = supplier_create(actor=actor, **supplier)
    return contract_create(actor=actor, supplier=created, **contract)


def supplier_update(*, actor, supplier: Supplier, data: dict[str, Any]) -> Supplier:
    return update_audited(
        actor=actor,
        instance=supplier,
        data=_strip(data, SUPPLIER_FIELDS),
        allowed=SUPPLIER_FIELDS,
        check=_check_supplier,
    )


# --- framework contracts ------------------------------------------------------------------------


def _check_contract(contract: FrameworkContract) -> None:
    errors: dict[str, str] = {}
    if not contract.reference:
        errors["reference"] = _("Enter the contract's reference.")
    elif (
        FrameworkContract.objects.filter(authority_id=contract.authority_id, reference=contract.reference)
        .exclude(pk=contract.pk)
        .exists()
    ):
        errors["reference"] = _("%(authority)s already has a contract %(reference)s.") % {
            "authority": contract.authority.name,
            "reference": contract.reference,
        }
    if contract.starts_on and contract.ends_on and contract.ends_on < contract.starts_on:
        errors["ends_on"] = _("The contract cannot end before it starts.")
    if contract.ceiling is not None and contract.ceiling < 0:
        errors["ceiling"] = _("The ceiling cannot be negative.")
    if contract.response_hours is not None and contract.response_hours < 1:
        errors["response_hours"] = _("Give the response time in whole hours, at least 1.")
    if (
        contract.repair_hours is not None
        and contract.response_hours
        and contract.repair_hours < contract.response_hours
    ):
        errors["repair_hours"] = _("The repair time cannot be shorter than the response time.")
    if contract.pk is not None:
        errors.update(_check_contract_orders(contract, errors))
    if errors:
        raise ValidationError(errors)


def _check_contract_orders(contract: FrameworkContract, errors: dict) -> dict[str, str]:
    """An edit must keep the orders already made under the contract valid."""
    found: dict[str, str] = {}
    stored = FrameworkContract.objects.get(pk=contract.pk)
    if stored.supplier_id != contract.supplier_id and PurchaseOrder.objects.filter(contract=contract).exists():
        found["supplier"] = _("Orders were made under this contract: its supplier cannot change.")
    committed_orders = PurchaseOrder.objects.filter(contract=contract, status__in=COMMITTED_STATUSES)
    if contract.ceiling is not None and "ceiling" not in errors:
        committed = contract_committed(contract)
        if committed > contract.ceiling:
            found["ceiling"] = _(
                "Orders of EUR %(committed)s are already placed under this contract: the ceiling cannot be lower."
            ) % {"committed": committed}
    span = committed_orders.aggregate(first=Min("ordered_on"), last=Max("ordered_on"))
    if contract.starts_on and span["first"] and span["first"] < contract.starts_on:
        first = committed_orders.filter(ordered_on=span["first"]).order_by("number").first()
        assert first is not None and first.ordered_on is not None  # the earliest order date is its date
        found["starts_on"] = _("The order %(number)s was placed on %(date)s: the term must include that day.") % {
            "number": first.number,
            "date": first.ordered_on.isoformat(),
        }
    if contract.ends_on and span["last"] and span["last"] > contract.ends_on and "ends_on" not in errors:
        last = committed_orders.filter(ordered_on=span["last"]).order_by("number").first()
        assert last is not None and last.ordered_on is not None  # the latest order date is its date
        found["ends_on"] = _("The order %(number)s was placed on %(date)s: the term must include that day.") % {
            "number": last.number,
            "date": last.ordered_on.isoformat(),
        }
    return found


@transaction.atomic
def contract_create(
    *,
    actor,
    authority,
    supplier: Supplier,
    reference: str,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    ceiling: Decimal | None = None,
    response_hours: int = 8,
    repair_hours: int = 72,
) -> FrameworkContract:
    """A framework contract of ``authority`` with ``supplier``: its term, ceiling and service levels."""
    contract = FrameworkContract(
        authority=authority,
        supplier=supplier,
        reference=(reference or "").strip(),
        title=(title or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        ceiling=ceiling,
        response_hours=response_hours,
        repair_hours=repair_hours,
    )
    authorize(actor, Action.ADD, contract)
    _check_contract(contract)
    contract.full_clean()
    contract.save()
    audit.record(actor=actor, action="create", instance=contract, after=audit.snapshot(contract))
    return contract


def contract_update(*, actor, contract: FrameworkContract, data: dict[str, Any]) -> FrameworkContract:
    """Change a contract; its authority stays, and the orders under it stay valid."""
    return update_audited(
        actor=actor,
        instance=contract,
        data=_strip(data, ["reference", "title"]),
        allowed=CONTRACT_FIELDS,
        check=_check_contract,
    )


def _check_item_price(unit_price) -> None:
    if unit_price is None:
        raise ValidationError({"unit_price": _("Enter the contract's unit price.")})
    if unit_price < 0:
        raise ValidationError({"unit_price": _("The unit price cannot be negative.")})


@transaction.atomic
def contract_item_add(
    *, actor, contract: FrameworkContract, device_model: DeviceModel, unit_price: Decimal
) -> ContractItem:
    """The contract offers ``device_model`` at ``unit_price``."""
    item = ContractItem(contract=contract, device_model=device_model, unit_price=unit_price)
    authorize(actor, Action.ADD, item)
    if device_model.authority_id != contract.authority_id:
        raise ValidationError(
            {"device_model": _("This device model is in another authority's catalogue than the contract.")}
        )
    if ContractItem.objects.filter(contract=contract, device_model=device_model).exists():
        raise ValidationError(
            {"device_model": _("The contract already offers %(model)s.") % {"model": str(device_model)}}
        )
    _check_item_price(unit_price)
    item.full_clean()
    item.save()
    audit.record(actor=actor, action="create", instance=item, after=audit.snapshot(item))
    return item


@transaction.atomic
def contract_item_update(*, actor, item: ContractItem, unit_price: Decimal) -> ContractItem:
    """A new contract price; lines already ordered keep the price they were ordered at."""
    item = ContractItem.objects.select_for_update().get(pk=item.pk)
    authorize(actor, Action.CHANGE, item)
    _check_item_price(unit_price)
    before = audit.snapshot(item, ["unit_price"])
    item.unit_price = unit_price
    item.full_clean()
    item.save(update_fields=["unit_price"])
    after = audit.snapshot(item, ["unit_price"])
    if before != after:
        audit.record(actor=actor, action="update", instance=item, before=before, after=after)
    return item


@transaction.atomic
def contract_item_remove(*, actor, item: ContractItem) -> None:
    """The contract no longer offers the model; lines already ordered keep their price."""
    item = ContractItem.objects.select_for_update().get(pk=item.pk)
    authorize(actor, Action.DELETE, item)
    before = audit.snapshot(item)
    audit.record(actor=actor, action="delete", instance=item, before=before)
    item.delete()
