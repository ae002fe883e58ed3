"""A programme ready for ordering, for the catalogue and orders tests: the INSIDE authority's
programme with two funding sources, a catalogue, a framework contract with a ceiling, schools of two
operators, and allocation rounds (units and money) with approved, published and draft versions."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from digileap.allocation.models import AllocationLine, AllocationRound, AllocationVersion
from digileap.allocation.tests.factories import AllocationRoundFactory
from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import DeviceType
from .factories import ContractItemFactory, DeviceModelFactory, FrameworkContractFactory


def allocation_version(allocation_round, number: int, status: str, amounts: dict) -> AllocationVersion:
    """A version of ``allocation_round`` with one line per school: ``{school: amount}``."""
    now = timezone.now()
    approved = status != AllocationVersion.Status.COMPUTED
    version = AllocationVersion.objects.create(
        round=allocation_round,
        number=number,
        status=status,
        total=sum((Decimal(amount) for amount in amounts.values()), Decimal(0)),
        schools_count=len(amounts),
        computed_at=now,
        approved_at=now if approved else None,
        published_at=now if status == AllocationVersion.Status.PUBLISHED else None,
    )
    for school, amount in amounts.items():
        AllocationLine.objects.create(
            version=version, school=school, amount=Decimal(amount), claim=Decimal(amount), explanation={}
        )
    return version


def ordering_setup(world) -> SimpleNamespace:
    s = SimpleNamespace(world=world)
    s.authority, s.operator, s.school = world.authority, world.operator, world.school
    s.supplier = world.supplier
    s.school_b = SchoolFactory(operator=world.operator, name="INSIDE school B", number="1002")
    s.operator_2 = OperatorFactory(authority=world.authority, name="INSIDE operator 2")
    s.school_c = SchoolFactory(operator=s.operator_2, name="INSIDE school C", number="1003")
    s.programme = ProgrammeFactory(code="DIGI", name={"en": "Digital schools"}, authority=world.authority)
    s.funding = FundingSourceFactory(programme=s.programme, name={"en": "RRF"}, position=1)
    s.funding_2 = FundingSourceFactory(programme=s.programme, name={"en": "Regional"}, position=2)
    s.other_programme = ProgrammeFactory(code="OTHER", name={"en": "Other programme"}, authority=world.authority)
    s.other_funding = FundingSourceFactory(programme=s.other_programme, name={"en": "Other money"}, position=1)
    s.laptop = DeviceModelFactory(
        authority=world.authority,
        code="lat-14",
        manufacturer="Dell",
        name="Latitude 14",
        device_type=DeviceType.LAPTOP,
        unit_price=Decimal("450.00"),
        specifications={"Memory": "8 GB"},
    )
    s.tablet = DeviceModelFactory(
        authority=world.authority,
        code="tab-10",
        manufacturer="Lenovo",
        name="Tab 10",
        device_type=DeviceType.TABLET,
        unit_price=Decimal("300.00"),
    )
    s.outside_model = DeviceModelFactory(authority=world.other_authority, code="out-1", name="OUTSIDE model")
    s.contract = FrameworkContractFactory(
        authority=world.authority,
        supplier=world.supplier,
        reference="FC-2024",
        title="Laptops",
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
        ceiling=Decimal("10000.00"),
    )
    s.item = ContractItemFactory(contract=s.contract, device_model=s.laptop, unit_price=Decimal("420.00"))
    s.other_contract = FrameworkContractFactory(
        authority=world.authority, reference="FC-OTHER", title="Other supplier", starts_on=datetime.date(2024, 1, 1)
    )
    s.units_round = AllocationRoundFactory(
        programme=s.programme,
        code="LAPTOPS",
        resource=AllocationRound.Resource.UNITS,
        device_type=DeviceType.LAPTOP,
        status=AllocationRound.Status.APPROVED,
    )
    s.units_version = allocation_version(
        s.units_round, 1, AllocationVersion.Status.APPROVED, {s.school: 10, s.school_b: 5}
    )
    s.tablet_round = AllocationRoundFactory(
        programme=s.programme,
        code="TABLETS",
        resource=AllocationRound.Resource.UNITS,
        device_type=DeviceType.TABLET,
        status=AllocationRound.Status.PUBLISHED,
    )
    s.tablet_version = allocation_version(s.tablet_round, 1, AllocationVersion.Status.PUBLISHED, {s.school: 3})
    s.money_round = AllocationRoundFactory(
        programme=s.programme, code="MONEY", resource=AllocationRound.Resource.MONEY, status="published"
    )
    s.money_version = allocation_version(
        s.money_round, 1, AllocationVersion.Status.PUBLISHED, {s.school: "5000.00", s.school_c: "2500.00"}
    )
    s.draft_round = AllocationRoundFactory(
        programme=s.programme,
        code="DRAFT",
        resource=AllocationRound.Resource.UNITS,
        device_type=DeviceType.LAPTOP,
        status=AllocationRound.Status.COMPUTED,
    )
    s.draft_version = allocation_version(s.draft_round, 1, AllocationVersion.Status.COMPUTED, {s.school: 99})
    s.other_round = AllocationRoundFactory(
        programme=s.other_programme,
        code="ELSEWHERE",
        resource=AllocationRound.Resource.UNITS,
        device_type=DeviceType.LAPTOP,
        status=AllocationRound.Status.APPROVED,
    )
    s.other_version = allocation_version(s.other_round, 1, AllocationVersion.Status.APPROVED, {s.school: 7})
    return s


def line_of(version: AllocationVersion, school) -> AllocationLine:
    return AllocationLine.objects.get(version=version, school=school)
