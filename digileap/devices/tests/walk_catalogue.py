"""INSIDE and OUTSIDE objects of the catalogue and orders for the permission walk: per side a device
model, a framework contract of the side's authority with the side's supplier and one item, and a
placed order (bought by the side's operator) with one line for the side's school."""

import datetime
from decimal import Decimal

from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory

from ..models import PurchaseOrder
from .factories import (
    ContractItemFactory,
    DeviceModelFactory,
    FrameworkContractFactory,
    OrderLineFactory,
    PurchaseOrderFactory,
)


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    sides = (
        ("INSIDE", world.authority, world.operator, world.school, world.supplier),
        ("OUTSIDE", world.other_authority, world.other_operator, world.other_school, world.other_supplier),
    )
    for side, authority, operator, school, supplier in sides:
        device_model = DeviceModelFactory(
            authority=authority, code=f"{side.lower()}-model", manufacturer=f"{side} maker", name=f"{side} model"
        )
        contract = FrameworkContractFactory(
            authority=authority, supplier=supplier, reference=f"{side}-FC", title=f"{side} contract"
        )
        item = ContractItemFactory(contract=contract, device_model=device_model, unit_price=Decimal("400.00"))
        programme = ProgrammeFactory(
            code=f"{side}-orders-programme", name={"en": f"{side} orders programme"}, authority=authority
        )
        funding_source = FundingSourceFactory(programme=programme, name={"en": f"{side} funding"})
        order = PurchaseOrderFactory(
            programme=programme,
            funding_source=funding_source,
            supplier=supplier,
            contract=contract,
            operator=operator,
            number=f"{side}-PO-1",
            status=PurchaseOrder.Status.PLACED,
            ordered_on=datetime.date(2024, 9, 1),
            note=f"{side} order",
        )
        line = OrderLineFactory(
            order=order, device_model=device_model, school=school, quantity=5, unit_price=Decimal("400.00")
        )
        made = {
            "devices.devicemodel": device_model,
            "devices.supplier": supplier,
            "devices.frameworkcontract": contract,
            "devices.contractitem": item,
            "devices.purchaseorder": order,
            "devices.orderline": line,
        }
        for label, obj in made.items():
            objects.setdefault(label, []).append(obj)
    return {label: tuple(pair) for label, pair in objects.items()}
