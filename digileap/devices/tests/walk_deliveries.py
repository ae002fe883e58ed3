"""INSIDE and OUTSIDE deliveries, discrepancies and self-bought purchases for the permission walk
(digileap/core/tests/test_permission_walk.py); merged by ``walk.py``."""

import datetime
from decimal import Decimal

from django.utils import timezone

from digileap.programmes.tests.factories import ProgrammeFactory

from ..models import DeliveryDiscrepancy, Device, SelfPurchase
from .factories import DeliveryFactory, DeviceFactory, DeviceModelFactory


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    for side, authority, school, supplier in (
        ("INSIDE", world.authority, world.school, world.supplier),
        ("OUTSIDE", world.other_authority, world.other_school, world.other_supplier),
    ):
        programme = ProgrammeFactory(
            code=f"{side}-deliveries-programme", name={"en": f"{side} deliveries programme"}, authority=authority
        )
        model = DeviceModelFactory(
            authority=authority,
            code=f"{side.lower()}-delivered-model",
            manufacturer=f"{side} maker",
            name=f"{side} book",
        )
        delivery = DeliveryFactory(
            programme=programme,
            school=school,
            supplier=supplier,
            note_number=f"{side}-DN-1",
            delivered_on=datetime.date(2024, 10, 1),
        )
        device = DeviceFactory(
            programme=programme,
            school=school,
            device_model=model,
            serial=f"{side}-DL-1",
            delivery=delivery,
            supplier=supplier,
        )
        discrepancy = DeliveryDiscrepancy.objects.create(
            delivery=delivery,
            device=device,
            kind=Device.Discrepancy.DAMAGED,
            note=f"{side} scratch",
            recorded_at=timezone.now(),
        )
        purchase = SelfPurchase.objects.create(
            programme=programme,
            school=school,
            invoice_reference=f"{side}-INV-1",
            invoice_date=datetime.date(2024, 9, 1),
            vendor=f"{side} shop",
            amount=Decimal("900.00"),
        )
        DeviceFactory(programme=programme, school=school, device_model=model, serial=f"{side}-SB-1", purchase=purchase)
        for label, obj in (
            ("devices.delivery", delivery),
            ("devices.deliverydiscrepancy", discrepancy),
            ("devices.selfpurchase", purchase),
        ):
            objects.setdefault(label, []).append(obj)
    return {label: tuple(pair) for label, pair in objects.items()}
