"""Seed 000 at small scale, end to end: registry, needs, allocation by index, order, deliveries
and acceptance, access points, history; milestone 405 met on time; a second run changes nothing."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from digileap.allocation.models import AllocationLine, AllocationRound, NeedDeclaration
from digileap.core.audit import verify_chain
from digileap.core.models import AuditEvent
from digileap.devices.models import AccessPointInstallation, Delivery, Device, PurchaseOrder
from digileap.portal.scenarios.base import history_days
from digileap.programmes.models import IndicatorSnapshot, Programme
from digileap.programmes.services import target_value
from digileap.programmes.status import Status, assess
from digileap.schools.models import School

pytestmark = pytest.mark.django_db


def load() -> dict:
    out = StringIO()
    call_command("load_seed_scenario", "brussels", "--scale", "small", stdout=out)
    lines = out.getvalue().strip().splitlines()
    return json.loads(lines[-1])


def counts() -> tuple:
    return (
        School.objects.count(),
        Device.objects.count(),
        Delivery.objects.count(),
        AccessPointInstallation.objects.count(),
        AuditEvent.objects.count(),
        IndicatorSnapshot.objects.count(),
        NeedDeclaration.objects.count(),
    )


def test_brussels_small_end_to_end():
    summary = load()
    programme = Programme.objects.get(code="brussels-digitale-omkeer")
    due_dates = list(programme.targets.values_list("due_date", flat=True))
    days = history_days(
        datetime.date(2021, 5, 3), timezone.localdate(), extra=due_dates, weekly_until=datetime.date(2023, 12, 31)
    )
    assert summary["created"] == {
        "access points installed": 200,
        "allocation rounds": 1,
        "deliveries": 33,
        "device models": 2,
        "devices": 550,
        "need declarations": 24,
        "orders": 2,
        "schools": 24,
        "snapshots": 2 * len(days),
        "suppliers": 1,
        "targets scaled": 2,
    }
    assert summary["schools"] == 24
    assert summary["devices"] == 550
    assert summary["laptops"] == 350
    assert summary["accepted_by_october_2021"] == 220
    assert summary["access_points_verified"] == 200
    assert summary["milestones"] == {"405": "met", "#2": "late"}

    # The registry: 24 schools, French- and Dutch-speaking, each with its index.
    schools = School.objects.filter(authority__code="BE-BRU")
    assert schools.count() == 24
    assert set(schools.values_list("language", flat=True)) == {"fr", "nl"}
    assert not schools.filter(ses_value__isnull=True).exists()

    # Allocation: 350 laptops, the lowest index first: no school without laptops has a lower index
    # than one that got some.
    allocation_round = AllocationRound.objects.get(programme=programme, code="BXL-OMKEER-2021")
    assert allocation_round.status == AllocationRound.Status.PUBLISHED
    lines = AllocationLine.objects.filter(version__round=allocation_round)
    served = [line.school.ses_value for line in lines if line.amount > 0]
    unserved = [line.school.ses_value for line in lines if line.amount == 0]
    assert sum(line.amount for line in lines) == Decimal(350)
    assert unserved and max(served) <= min(unserved)
    order = PurchaseOrder.objects.get(programme=programme, number="BXL-OMK-2021-001")
    assert order.ordered_on == datetime.date(2021, 6, 21)

    # Milestone 405 (220 at this scale): exactly 220 delivered and accepted by the end of October
    # 2021, assessed by the programmes' own status rule on its due date.
    target = programme.targets.get(number="405")
    assert target.target_value == Decimal(220)
    assert target_value(target, datetime.date(2021, 10, 31)) == Decimal(220)
    assert target_value(target, datetime.date(2021, 8, 31)) == Decimal(0)
    on_due = assess(
        value=target_value(target, target.due_date),
        baseline=target.baseline,
        target_value=target.target_value,
        due_date=target.due_date,
        as_of=target.due_date,
    )
    assert on_due.status == Status.ACHIEVED
    laptops = Device.objects.filter(programme=programme, device_type="laptop")
    assert laptops.filter(delivered_on__lte=datetime.date(2021, 10, 31), accepted_at__isnull=False).count() == 220
    assert not laptops.filter(accepted_at__isnull=True).exists()
    first = laptops.order_by("accepted_at").first()
    assert timezone.localdate(first.accepted_at) == datetime.date(2021, 9, 3)  # delivered 1 Sept, +2 working days

    # The burn-up's course: snapshots rise from 0 through September to 220 on the due date.
    snapshots = dict(target.snapshots.values_list("date", "value"))
    assert snapshots[datetime.date(2021, 8, 30)] == 0
    assert 0 < snapshots[datetime.date(2021, 9, 27)] < 220
    assert snapshots[datetime.date(2021, 10, 31)] == 220
    assert target.snapshots.get(date=datetime.date(2021, 10, 31)).status == Status.ACHIEVED

    # Access points: 200 installed and verified in 2022-2023, toward 350 (the 3,500 hotspots).
    hotspots = programme.targets.get(position=2)
    assert hotspots.target_value == Decimal(350)
    assert target_value(hotspots, datetime.date(2023, 12, 31)) == Decimal(200)
    installations = AccessPointInstallation.objects.filter(device__programme=programme)
    assert installations.filter(verified_at__isnull=True).count() == 0
    assert min(installations.values_list("installed_on", flat=True)) >= datetime.date(2022, 2, 7)
    assert max(installations.values_list("installed_on", flat=True)) <= datetime.date(2023, 12, 31)

    assert verify_chain().is_intact

    # Idempotent: a second run creates nothing and changes no count.
    before = counts()
    again = load()
    assert again["created"] == {}
    assert again["milestones"] == {"405": "met", "#2": "late"}
    assert counts() == before
