"""The devices overview page and the section navigation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.devices.models import Ticket
from digileap.devices.navigation import device_sections

from .factories import DeliveryFactory, DeviceFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _tickets(world):
    now = timezone.now()
    programme = ProgrammeFactory(authority=world.authority)
    device = DeviceFactory(programme=programme, school=world.school)
    Ticket.objects.create(
        device=device,
        school=world.school,
        category="hardware",
        description="Screen broken",
        opened_at=now - datetime.timedelta(days=5),
        repair_due=now - datetime.timedelta(days=2),
    )
    Ticket.objects.create(
        device=device,
        school=world.school,
        category="software",
        description="Will not boot",
        opened_at=now,
        repair_due=now + datetime.timedelta(days=3),
    )
    other = DeviceFactory(programme=ProgrammeFactory(authority=world.other_authority), school=world.other_school)
    Ticket.objects.create(
        device=other, school=world.other_school, category="loss", description="OUTSIDE", opened_at=now
    )
    DeliveryFactory(programme=programme, school=world.school)
    DeliveryFactory(programme=other.programme, school=world.other_school, note_number="OUTSIDE-1")


def test_counts_are_those_of_the_users_scope(client, world, role_users):
    _tickets(world)
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = client.get(reverse("devices:device-overview"))
    assert response.status_code == 200
    assert (
        response.context["pending_deliveries"],
        response.context["open_tickets"],
        response.context["overdue_tickets"],
    ) == (1, 2, 1)
    client.force_login(role_users[Role.ADMINISTRATOR])
    response = client.get(reverse("devices:device-overview"))
    assert (response.context["pending_deliveries"], response.context["open_tickets"]) == (2, 3)


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get(reverse("devices:device-overview"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_sections_follow_the_role(world, role_users):
    owner = [key for key, _label, _url in device_sections(role_users[Role.PROGRAMME_OWNER])]
    supplier = [key for key, _label, _url in device_sections(role_users[Role.SUPPLIER])]
    # Suppliers keep no recipients, agreements or roll-out board.
    assert not {"recipients", "agreements", "board"} & set(supplier)
    assert set(supplier) <= set(owner)
    assert device_sections(None) == []
