"""The demo devices (``digileap/devices/demo.py``) on a small demo registry: what they create, that
every device's status is its newest event's, that the seed programmes' device targets move, and
that a second run writes nothing."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from digileap.allocation.demo import seed_demo_allocation
from digileap.core import audit
from digileap.core.models import AuditEvent
from digileap.devices import lifecycle
from digileap.devices.demo import seed_demo_devices
from digileap.devices.models import (
    AccessPointInstallation,
    AgreementTemplate,
    Assignment,
    ChecklistItem,
    Delivery,
    DeliveryDiscrepancy,
    Device,
    DeviceEvent,
    OrderLine,
    PurchaseOrder,
    Recipient,
    SchoolRollout,
    SelfPurchase,
    Ticket,
    UserAgreement,
)
from digileap.devices.services.orders import delivery_status
from digileap.portal.demo import seed_demo
from digileap.programmes.demo import DEMO_CODE, seed_demo_programmes
from digileap.programmes.models import IndicatorSnapshot, Target
from digileap.programmes.selectors import target_progress

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)
MODELS = [
    PurchaseOrder,
    OrderLine,
    Delivery,
    DeliveryDiscrepancy,
    SelfPurchase,
    Device,
    DeviceEvent,
    Recipient,
    Assignment,
    AgreementTemplate,
    UserAgreement,
    SchoolRollout,
    ChecklistItem,
    Ticket,
    AccessPointInstallation,
    Target,
    AuditEvent,
]


@pytest.fixture
def seeded():
    seed_demo(schools=40)
    seed_demo_programmes(today=TODAY)
    seed_demo_allocation()
    return seed_demo_devices(today=TODAY)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def devices_by_programme() -> dict[str, int]:
    return dict(
        Device.objects.values_list("programme__code").annotate(n=Count("pk")).values_list("programme__code", "n")
    )


def test_the_demo_devices(seeded):
    # 40 schools: Brabant-Midden has two secondary schools (Brussels: 2 x 42 devices and 2 x 10
    # access points), Vidzeme four for Latvia (4 x 40 + 4 x 25), Ghent five schools of 36 laptops.
    assert devices_by_programme() == {
        "brussels-digitale-omkeer": 104,
        "flanders-digisprong": 60,  # 24 + 16 + 20 reported by the schools
        "ghent-digisprong": 180,
        "latvia-dators-ikvienam-bernam": 260,
        "mv-digitalpakt-schule": 40,  # 5 schools x (2 displays + 6 access points)
        DEMO_CODE: 194,  # 5 x 30 + 26 + 10 laptops at the coordinator's school, 8 access points
    }
    assert seeded["devices"] == Device.objects.count() == 838
    assert seeded["device events"] == DeviceEvent.objects.count() == 974
    assert Counter(Ticket.objects.values_list("category", "status")) == {
        ("hardware", "in_repair"): 1,
        ("software", "acknowledged"): 1,
    }
    assert Counter(UserAgreement.objects.values_list("template__language", "status")) == {
        ("de", "accepted"): 16,
        ("de", "pending"): 6,
        ("nl", "accepted"): 22,
        ("nl", "pending"): 2,
        ("lv", "accepted"): 13,
        ("lv", "pending"): 2,
    }
    assert Counter(Recipient.objects.values_list("kind", flat=True)) == {"pupil": 61, "teacher": 4}
    assert Assignment.objects.count() == 62  # 24 in Ghent, 15 in Latvia, 22 and a loan at the coordinator's
    assert SelfPurchase.objects.count() == 3
    assert Counter(DeliveryDiscrepancy.objects.values_list("kind", flat=True)) == {"missing": 2, "damaged": 2}
    assert Counter(Delivery.objects.values_list("acceptance", flat=True)) == {
        "accepted": 24,
        "accepted_with_discrepancies": 2,
        "pending": 4,
    }
    assert AccessPointInstallation.objects.filter(verified_at__isnull=False).count() == 54
    assert SchoolRollout.objects.count() == 6 and ChecklistItem.objects.count() == 54
    assert Ticket.objects.get(category="hardware").replacement_device.status == "loaned_out"


def test_every_device_has_its_events_and_the_status_they_give(seeded):
    assert lifecycle.device_status_check() == []
    assert not Device.objects.filter(events__isnull=True).exists()
    first = DeviceEvent.objects.filter(previous_status="").values("device").annotate(n=Count("pk"))
    assert {row["n"] for row in first} == {1}
    assert len(first) == Device.objects.count()
    # The dates the lists and indicators read are those the events give.
    for device in Device.objects.prefetch_related("events"):
        events = sorted(device.events.all(), key=lambda e: (e.occurred_at, e.pk))
        delivered = [e for e in events if e.status == "delivered"]
        deployed = [e for e in events if e.status == "deployed"]
        assert device.delivered_on == (timezone.localdate(delivered[0].occurred_at) if delivered else None)
        assert device.first_deployed_on == (timezone.localdate(deployed[0].occurred_at) if deployed else None)
        for before, after in zip(events, events[1:], strict=False):
            lifecycle.check_transition(before.status, after.status)
            assert after.previous_status == before.status
    # One open assignment per device, and a hand-out only of a deployed (or loaned) device.
    for assignment in Assignment.objects.filter(returned_at__isnull=True).select_related("device"):
        assert assignment.device.status in {"deployed", "loaned_out"}


def test_a_second_run_writes_nothing(seeded):
    before = counts()
    head = audit.chain_head_hash()
    assert seed_demo_devices(today=TODAY + datetime.timedelta(days=5)) == Counter()
    assert counts() == before
    assert audit.chain_head_hash() == head


def test_the_seed_programmes_targets_move(seeded):
    kinds = ["devices_delivered", "devices_deployed", "access_points_installed", "pupils_with_device"]
    targets = Target.objects.filter(indicator__kind__in=kinds).order_by("programme__code", "position")
    values = {
        (row["target"].programme.code, row["target"].number or str(row["target"].position)): row["value"]
        for row in target_progress(targets, TODAY)
    }
    assert values == {
        # Accepted only, neither missing nor damaged (103 delivered, one laptop of the first delivery missing).
        ("brussels-digitale-omkeer", "405"): Decimal("60"),
        ("brussels-digitale-omkeer", "2"): Decimal("18"),  # two access points not verified yet
        ("ghent-digisprong", "2"): Decimal("144"),  # accepted only: one school's 36 laptops wait for acceptance
        ("latvia-dators-ikvienam-bernam", "1"): Decimal("260"),
        ("latvia-dators-ikvienam-bernam", "2"): Decimal("260"),
        # Accepted only: 4 x 30 + 26 at the coordinator's school less the missing and the damaged laptop;
        # the coordinator's second delivery (10) and the last school's (30) wait for acceptance.
        (DEMO_CODE, "D3"): Decimal("144"),
        (DEMO_CODE, "D4"): Decimal("22"),  # 20 pupils and 2 teachers; the loan laptop is not deployed
        (DEMO_CODE, "D5"): Decimal("10.53"),  # 20 pupils of the coordinator's school's 190
        (DEMO_CODE, "D6"): Decimal("6"),
    }
    # On the seed programmes' own days: Latvia's 2022 target saw the 2022 deliveries only.
    latvia = Target.objects.get(programme__code="latvia-dators-ikvienam-bernam", position=1)
    assert target_progress(Target.objects.filter(pk=latvia.pk), latvia.due_date)[0]["value"] == Decimal("160")
    assert IndicatorSnapshot.objects.filter(target=latvia).count() == 4


def test_orders_follow_the_approved_allocation(seeded):
    lines = OrderLine.objects.filter(order__programme__code=DEMO_CODE, device_model__device_type="laptop")
    linked = lines.filter(allocation_line__isnull=False).select_related("allocation_line")
    assert linked.exists()
    for line in linked:
        assert line.allocation_line.school_id == line.school_id
        assert line.allocation_line.version.status in {"approved", "published"}
    assert not OrderLine.objects.filter(order__programme__code="ghent-digisprong").exists()


def test_order_statuses_follow_the_devices_delivered(seeded):
    """Issue 11, defect 11: the demo order showed "partly delivered" with 186 of 186 delivered."""
    orders = PurchaseOrder.objects.filter(programme__code=DEMO_CODE)
    units = dict(orders.values_list("number").annotate(n=Sum("lines__quantity")).values_list("number", "n"))
    devices = dict(orders.values_list("number").annotate(n=Count("lines__devices")).values_list("number", "n"))
    assert (units, devices) == ({"NH-PO-0001": 186, "NH-PO-0002": 8}, {"NH-PO-0001": 186, "NH-PO-0002": 8})
    assert dict(orders.values_list("number", "status")) == {"NH-PO-0001": "delivered", "NH-PO-0002": "delivered"}
    for order in PurchaseOrder.objects.all():
        assert order.status == delivery_status(order), order.number


def test_the_command_seeds_the_devices(capsys):
    call_command("seed_demo", "--schools", "20", "--seed", "3")
    first = counts()
    call_command("seed_demo", "--schools", "20", "--seed", "3")
    assert counts() == first
    assert Device.objects.count() > 0
    assert lifecycle.device_status_check() == []
