"""A device recorded as damaged when its delivery was accepted is never proposed nor handed out in
the scan loop, and the refusal says why; once it came back from repair it may be handed out."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.devices import lifecycle
from digileap.devices.models import Assignment, DeviceStatus
from digileap.devices.selectors.assignments import handout_propose
from digileap.devices.services.assignments import device_assign
from digileap.devices.services.deliveries import delivery_accept

from .factories import DeliveryFactory, DeviceFactory, RecipientFactory
from .factories_deliveries import delivery_setup

pytestmark = pytest.mark.django_db

MESSAGE = "Device S2 was recorded as damaged when delivery DN-1 was accepted (cracked screen); have it repaired first."


@pytest.fixture
def accepted(world, role_users):
    """Delivery DN-1 of S1 and S2, accepted with S2 damaged (kept at the school, not sent back)."""
    setup = delivery_setup(world)
    delivery = DeliveryFactory(
        programme=setup.programme, school=world.school, supplier=world.supplier, note_number="DN-1",
        delivered_on=datetime.date(2024, 10, 1),
    )  # fmt: skip
    for serial in ("S1", "S2"):
        DeviceFactory(
            programme=setup.programme, school=world.school, device_model=setup.model, serial=serial, delivery=delivery
        )
    delivery_accept(
        delivery=delivery,
        actor=role_users[Role.SCHOOL_COORDINATOR],
        discrepancies=[{"serial": "S2", "kind": "damaged", "note": "cracked screen"}],
    )
    RecipientFactory(school=world.school, reference="P-01", group="5A")
    RecipientFactory(school=world.school, reference="P-02", group="5A")
    return delivery


def test_a_damaged_device_is_not_proposed(world, role_users, accepted):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    with pytest.raises(ValidationError) as refused:
        handout_propose(school=world.school, group="5A", serial="s2", user=coordinator)
    assert refused.value.message_dict == {"serial": [MESSAGE]}
    proposal = handout_propose(school=world.school, group="5A", serial="S1", user=coordinator)
    assert (proposal.device.serial, proposal.recipient.reference) == ("S1", "P-01")


def test_the_service_refuses_to_hand_out_a_damaged_device(world, role_users, accepted):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    device = accepted.devices.get(serial="S2")
    recipient = world.school.recipients.get(reference="P-01")
    with pytest.raises(ValidationError) as refused:
        device_assign(device=device, recipient=recipient, actor=coordinator)
    assert refused.value.message_dict == {"device": [MESSAGE]}
    device.refresh_from_db()
    assert (device.status, Assignment.objects.count()) == (DeviceStatus.DELIVERED, 0)


def test_the_loop_shows_the_reason_and_hands_nothing_out(world, role_users, accepted):
    client = Client()
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    scan = reverse("devices:assignment-handout-scan", kwargs={"school_pk": world.school.pk})
    confirm = reverse("devices:assignment-handout-confirm", kwargs={"school_pk": world.school.pk})
    response = client.post(
        scan, {"serial": "S2", "group": "5A", "kit": ["charger", "bag"]}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.context["error"] == MESSAGE
    assert "proposal" not in response.context
    # A confirm posted by hand (an old page, a crafted request) is refused by the service too.
    device = accepted.devices.get(serial="S2")
    recipient = world.school.recipients.get(reference="P-01")
    response = client.post(
        confirm,
        {"device": device.pk, "recipient": recipient.pk, "group": "5A", "kit": ["charger"]},
        headers={"HX-Request": "true"},
    )
    assert response.context["error"] == MESSAGE
    assert not Assignment.objects.exists()


def test_a_repaired_device_may_be_handed_out(world, role_users, accepted):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    device = accepted.devices.get(serial="S2")
    for status in (DeviceStatus.IN_REPAIR, DeviceStatus.DELIVERED):
        lifecycle.device_transition(device=device, status=status, actor=coordinator, reason="repair")
    proposal = handout_propose(school=world.school, group="5A", serial="S2", user=coordinator)
    assignment = device_assign(device=proposal.device, recipient=proposal.recipient, actor=coordinator)
    assert (assignment.device.serial, assignment.recipient.reference) == ("S2", "P-01")
