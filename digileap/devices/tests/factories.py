"""Factories of the devices app. Areas add their own in ``factories_<area>.py`` beside this file."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from digileap.devices import lifecycle
from digileap.devices.models import (
    ContractItem,
    Delivery,
    Device,
    DeviceModel,
    DeviceStatus,
    DeviceType,
    FrameworkContract,
    OrderLine,
    PurchaseOrder,
    Recipient,
    Supplier,
)
from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory
from digileap.schools.tests.factories import AuthorityFactory, SchoolFactory


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")


class DeviceModelFactory(DjangoModelFactory):
    class Meta:
        model = DeviceModel

    authority = factory.SubFactory(AuthorityFactory)
    code = factory.Sequence(lambda n: f"model-{n}")
    manufacturer = "Lenovo"
    name = factory.Sequence(lambda n: f"ThinkPad {n}")
    device_type = DeviceType.LAPTOP
    unit_price = Decimal("450.00")
    warranty_months = 36


class FrameworkContractFactory(DjangoModelFactory):
    class Meta:
        model = FrameworkContract

    authority = factory.SubFactory(AuthorityFactory)
    supplier = factory.SubFactory(SupplierFactory)
    reference = factory.Sequence(lambda n: f"FC-{n:04d}")
    title = factory.Sequence(lambda n: f"Framework contract {n}")
    starts_on = datetime.date(2024, 1, 1)
    ends_on = datetime.date(2027, 12, 31)
    response_hours = 8
    repair_hours = 72


class ContractItemFactory(DjangoModelFactory):
    class Meta:
        model = ContractItem

    contract = factory.SubFactory(FrameworkContractFactory)
    device_model = factory.SubFactory(DeviceModelFactory, authority=factory.SelfAttribute("..contract.authority"))
    unit_price = Decimal("420.00")


class PurchaseOrderFactory(DjangoModelFactory):
    class Meta:
        model = PurchaseOrder

    programme = factory.SubFactory(ProgrammeFactory)
    funding_source = factory.SubFactory(FundingSourceFactory, programme=factory.SelfAttribute("..programme"))
    supplier = factory.SubFactory(SupplierFactory)
    number = factory.Sequence(lambda n: f"PO-{n:05d}")
    status = PurchaseOrder.Status.PLACED
    ordered_on = datetime.date(2024, 9, 1)


class OrderLineFactory(DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(PurchaseOrderFactory)
    device_model = factory.SubFactory(
        DeviceModelFactory, authority=factory.SelfAttribute("..order.programme.authority")
    )
    school = factory.SubFactory(SchoolFactory, authority=factory.SelfAttribute("..order.programme.authority"))
    quantity = 10
    unit_price = Decimal("420.00")


class DeliveryFactory(DjangoModelFactory):
    class Meta:
        model = Delivery

    supplier = factory.SubFactory(SupplierFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    school = factory.SubFactory(SchoolFactory, authority=factory.SelfAttribute("..programme.authority"))
    note_number = factory.Sequence(lambda n: f"DN-{n:06d}")
    delivered_on = datetime.date(2024, 10, 1)


class DeviceFactory(DjangoModelFactory):
    """A device with its first lifecycle event (status ``delivered`` unless told)."""

    class Meta:
        model = Device
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    school = factory.SubFactory(SchoolFactory, authority=factory.SelfAttribute("..programme.authority"))
    device_model = factory.SubFactory(DeviceModelFactory, authority=factory.SelfAttribute("..programme.authority"))
    serial = factory.Sequence(lambda n: f"SN{n:08d}")
    manufacturer = factory.SelfAttribute("device_model.manufacturer")
    device_type = factory.SelfAttribute("device_model.device_type")
    status = DeviceStatus.DELIVERED
    status_changed_at = factory.LazyFunction(timezone.now)
    created_at = factory.LazyFunction(timezone.now)
    delivered_on = factory.LazyAttribute(
        lambda o: timezone.localdate(o.status_changed_at) if o.status == DeviceStatus.DELIVERED else None
    )

    @factory.post_generation
    def initial_event(self, create, extracted, **kwargs):
        if create:
            lifecycle.create_initial_event(device=self, actor=None, reason="factory")


class RecipientFactory(DjangoModelFactory):
    class Meta:
        model = Recipient

    school = factory.SubFactory(SchoolFactory)
    reference = factory.Sequence(lambda n: f"P{n:05d}")
    kind = Recipient.Kind.PUPIL
    grade = 5
    group = "5A"
