"""A call of the INSIDE authority (``world``) set up like MV's DigitalPakt call, for the service tests."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.permissions import SystemActor
from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..services.calls import call_configure, call_create, call_operators_set
from ..services.entitlements import entitlement_set, entitlements_publish

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "funding-examples" / "mv-digitalpakt.json"


def mv_example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def mv_call(world):
    """The INSIDE operator may apply; it has two schools (200 and 600 pupils) and a published
    entitlement of EUR 200,000; the call has MV's categories and documents."""
    world.school.pupils_total = 200
    world.school.save()
    world.second_school = SchoolFactory(
        operator=world.operator, name="INSIDE Gymnasium", number="1002", type_code="Gy", pupils_total=600
    )
    programme = ProgrammeFactory(code="MV-DP", authority=world.authority, name={"en": "DigitalPakt MV"})
    source = FundingSourceFactory(programme=programme, amount=Decimal("1000000"))
    system = SystemActor()
    now = timezone.now()
    call = call_create(
        actor=system,
        programme=programme,
        funding_source=source,
        data={
            "code": "DP-2026",
            "title": {"en": "DigitalPakt 2026", "de": "DigitalPakt 2026"},
            "opens_at": now - datetime.timedelta(days=1),
            "closes_at": now + datetime.timedelta(days=60),
        },
    )
    call = call_configure(actor=system, call=call, example=mv_example())
    call_operators_set(actor=system, call=call, operators=[world.operator])
    entitlement_set(actor=system, call=call, operator=world.operator, amount="200000.00")
    entitlements_publish(actor=system, call=call)
    return call


@pytest.fixture
def staff(role_users):
    return role_users[Role.OPERATOR_STAFF]


@pytest.fixture
def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


@pytest.fixture
def funding_admin(role_users):
    return role_users[Role.FUNDING_ADMINISTRATOR]
