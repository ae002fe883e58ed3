"""The home page's tiles (issue 11 acceptance walk): the devices tile, with the devices in the
user's scope counted and a link to the devices overview, for every role that may see devices."""

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.devices.tests.factories import DeviceFactory
from digileap.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def devices(world):
    inside = ProgrammeFactory(authority=world.authority, code="inside-prog")
    outside = ProgrammeFactory(authority=world.other_authority, code="outside-prog")
    for _ in range(3):
        DeviceFactory(programme=inside, school=world.school, supplier=world.supplier)
    DeviceFactory(programme=outside, school=world.other_school, supplier=world.other_supplier)


def _tiles(user) -> dict[str, tuple]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {tile["key"]: (tile["count"], tile["href"]) for tile in response.context["tiles"]}


@pytest.mark.parametrize(
    ("role", "count"),
    [
        (Role.ADMINISTRATOR, 4),
        (Role.PROGRAMME_OWNER, 3),
        (Role.FUNDING_ADMINISTRATOR, 3),
        (Role.OPERATOR_STAFF, 3),
        (Role.SCHOOL_COORDINATOR, 3),
        (Role.SUPPLIER, 3),
        (Role.AUDITOR, 3),
    ],
)
def test_the_devices_tile_counts_the_devices_in_scope(role_users, devices, role, count):
    tiles = _tiles(role_users[role])
    assert tiles["devices"] == (count, reverse("devices:device-overview"))


def test_the_coordinator_sees_the_devices_tile_before_the_api(role_users, devices):
    keys = list(_tiles(role_users[Role.SCHOOL_COORDINATOR]))
    assert keys == ["schools", "operators", "devices", "api"]
