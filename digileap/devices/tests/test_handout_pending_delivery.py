"""A device from a delivery the school has not accepted yet is never proposed nor handed out in the
scan loop, and the refusal names the delivery; once the delivery is accepted it may be handed out."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.devices.models import Assignment, DeviceStatus
from digileap.devices.selectors.assignments import handout_propose
from digileap.devices.services.assignments import device_assign
from digileap.devices.services.deliveries import delivery_accept

from .factories import DeliveryFactory, DeviceFactory, RecipientFactory
from .factories_deliveries import delivery_setup

pytestmark = pytest.mark.django_db

MESSAGE = "Device S1 belongs to delivery DN-7 which has not been accepted yet; accept the delivery first."


@pytest.fixture
def pending(world, role_users):
    """Delivery DN-7 of S1 and S2 at the school, awaiting acceptance; two pupils of 5A."""
    setup = delivery_setup(world)
    delivery = DeliveryFactory(
        programme=setup.programme, school=world.school, supplier=world.supplier, note_number="DN-7",
        delivered_on=datetime.date(2024, 10, 1),
    )  # fmt: skip
    for serial in ("S1", "S2"):
        DeviceFactory(
            programme=setup.programme, school=world.school, device_model=setup.model, serial=serial,
            delivery=delivery, status=DeviceStatus.DELIVERED,
        )  # fmt: skip
    RecipientFactory(school=world.school, reference="P-01", group="5A")
    return delivery


def test_a_device_of_a_pending_delivery_is_not_proposed(world, role_users, pending):
    assert pending.acceptance == "pending"
    with pytest.raises(ValidationError) as refused:
        handout_propose(school=world.school, group="5A", serial="s1", user=role_users[Role.SCHOOL_COORDINATOR])
    assert refused.value.message_dict == {"serial": [MESSAGE]}


def test_the_service_refuses_a_device_of_a_pending_delivery(world, role_users, pending):
    device = pending.devices.get(serial="S1")
    recipient = world.school.recipients.get(reference="P-01")
    with pytest.raises(ValidationError) as refused:
        device_assign(device=device, recipient=recipient, actor=role_users[Role.SCHOOL_COORDINATOR])
    assert refused.value.message_dict == {"device": [MESSAGE]}
    device.refresh_from_db()
    assert (device.status, Assignment.objects.count()) == (DeviceStatus.DELIVERED, 0)


def test_the_loop_shows_the_reason_and_hands_nothing_out(world, role_users, pending):
    client = Client()
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    scan = reverse("devices:assignment-handout-scan", kwargs={"school_pk": world.school.pk})
    confirm = reverse("devices:assignment-handout-confirm", kwargs={"school_pk": world.school.pk})
    response = client.post(scan, {"serial": "S1", "group": "5A", "kit": ["charger"]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.context["error"] == MESSAGE
    assert "proposal" not in response.context
    device = pending.devices.get(serial="S1")
    recipient = world.school.recipients.get(reference="P-01")
    response = client.post(
        confirm,
        {"device": device.pk, "recipient": recipient.pk, "group": "5A", "kit": ["charger"]},
        headers={"HX-Request": "true"},
    )
    assert response.context["error"] == MESSAGE
    assert not Assignment.objects.exists()


def test_after_acceptance_the_device_may_be_handed_out(world, role_users, pending):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    delivery_accept(delivery=pending, actor=coordinator, discrepancies=[])
    proposal = handout_propose(school=world.school, group="5A", serial="S1", user=coordinator)
    assignment = device_assign(device=proposal.device, recipient=proposal.recipient, actor=coordinator)
    assert (assignment.device.serial, assignment.recipient.reference) == ("S1", "P-01")
