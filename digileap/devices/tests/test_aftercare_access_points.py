"""Wi-Fi access point installations: recorded by the supplier or the operator (the access point
becomes deployed), verified by the school (never the supplier, never the recorder), listed per
school, and counted for hotspot targets once verified."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices.models import AccessPointInstallation, DeviceEvent, DeviceType
from digileap.devices.selectors import access_points as selectors
from digileap.devices.services import access_points as services
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SiteFactory

from .factories import DeviceFactory, DeviceModelFactory


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="BXL-WIFI", authority=world.authority)


@pytest.fixture
def ap_model(world):
    return DeviceModelFactory(authority=world.authority, name="AP 650", device_type=DeviceType.ACCESS_POINT)


@pytest.fixture
def access_point(programme, world, ap_model):
    return DeviceFactory(
        programme=programme, school=world.school, supplier=world.supplier, device_model=ap_model, serial="AP-0001"
    )


@pytest.fixture
def site(world):
    return SiteFactory(school=world.school, name="Main building")


def record(access_point, site, actor, **extra):
    fields = {"room": "B.104", "building": "Block B", "installed_on": datetime.date(2024, 10, 7)}
    fields.update(extra)
    return services.access_point_record(device=access_point, site=site, actor=actor, **fields)


def test_the_supplier_records_and_the_access_point_is_deployed(access_point, site, world, role_users):
    supplier = role_users[Role.SUPPLIER]
    installation = record(access_point, site, supplier, room=" B.104 ")
    assert (installation.school, installation.site, installation.building, installation.room) == (
        world.school,
        site,
        "Block B",
        "B.104",
    )
    assert (installation.installed_on, installation.recorded_by, installation.verified_at) == (
        datetime.date(2024, 10, 7),
        supplier,
        None,
    )
    access_point.refresh_from_db()
    assert access_point.status == "deployed"
    event = DeviceEvent.objects.filter(device=access_point).order_by("-id").first()
    assert (event.previous_status, event.status, event.reason, event.actor_label) == (
        "delivered",
        "deployed",
        "Installed: Block B B.104",
        "supplier-user",
    )
    assert event.data == {"access_point_installation": installation.pk}
    audit = AuditEvent.objects.get(object_type="devices.accesspointinstallation", object_id=str(installation.pk))
    assert (audit.action, audit.after["room"]) == ("create", "B.104")


def test_bad_installations_are_named(access_point, world, programme, role_users):
    staff = role_users[Role.OPERATOR_STAFF]
    other_site = SiteFactory(school=world.other_school, name="Far away")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        record(access_point, other_site, role_users[Role.ADMINISTRATOR], room=" ", installed_on=tomorrow)
    assert error.value.message_dict == {
        "site": ["The site Far away belongs to another school than the access point."],
        "room": ["Enter the room the access point was installed in."],
        "installed_on": ["The installation date cannot be in the future."],
    }
    laptop = DeviceFactory(programme=programme, school=world.school, serial="LAPTOP-9")
    with pytest.raises(ValidationError) as error:
        record(laptop, None, staff)
    assert error.value.message_dict == {"device": ["Device LAPTOP-9 is a Laptop, not a Wi-Fi access point."]}
    record(access_point, None, staff)
    with pytest.raises(ValidationError) as error:
        record(access_point, None, staff, room="C.1")
    assert error.value.message_dict == {
        "device": ["Access point AP-0001 was already recorded as installed on 2024-10-07 (Block B B.104)."]
    }
    assert AccessPointInstallation.objects.count() == 1


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR])
def test_reading_roles_record_nothing(role, access_point, site, role_users):
    with pytest.raises(PermissionDenied):
        record(access_point, site, role_users[role])
    access_point.refresh_from_db()
    assert access_point.status == "delivered"


def test_another_suppliers_access_point_is_refused(programme, world, ap_model, role_users):
    theirs = DeviceFactory(
        programme=programme, school=world.school, supplier=world.other_supplier, device_model=ap_model
    )
    with pytest.raises(PermissionDenied):
        record(theirs, None, role_users[Role.SUPPLIER])


def test_the_school_verifies_the_supplier_cannot(access_point, site, role_users):
    installation = record(access_point, site, role_users[Role.SUPPLIER])
    with pytest.raises(PermissionDenied) as error:
        services.access_point_verify(installation=installation, actor=role_users[Role.SUPPLIER])
    assert str(error.value) == "Only the school verifies an installation."
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    installation = services.access_point_verify(installation=installation, actor=coordinator)
    assert installation.verified_by == coordinator and installation.verified_at is not None
    with pytest.raises(ValidationError) as error:
        services.access_point_verify(installation=installation, actor=role_users[Role.OPERATOR_STAFF])
    assert error.value.messages == [
        "This installation was already verified by school_coordinator-user on "
        f"{timezone.localdate(installation.verified_at).isoformat()}."
    ]
    assert AuditEvent.objects.filter(object_type="devices.accesspointinstallation", action="verify").count() == 1


def test_the_recorder_does_not_verify_their_own_installation(access_point, site, role_users):
    staff = role_users[Role.OPERATOR_STAFF]
    installation = record(access_point, site, staff)
    with pytest.raises(ValidationError) as error:
        services.access_point_verify(installation=installation, actor=staff)
    assert error.value.messages == ["Someone other than the person who recorded the installation verifies it."]


def test_only_verified_installations_count(programme, world, ap_model, site, role_users):
    supplier, coordinator = role_users[Role.SUPPLIER], role_users[Role.SCHOOL_COORDINATOR]
    installations = []
    for number in range(3):
        device = DeviceFactory(
            programme=programme,
            school=world.school,
            supplier=world.supplier,
            device_model=ap_model,
            serial=f"AP-{number}",
        )
        installations.append(record(device, site, supplier, room=f"R{number}"))
    services.access_point_verify(installation=installations[0], actor=coordinator)
    services.access_point_verify(installation=installations[2], actor=coordinator)
    # What the hotspot indicator counts: verified installations of the programme.
    counted = AccessPointInstallation.objects.filter(device__programme=programme, verified_at__isnull=False)
    assert sorted(counted.values_list("room", flat=True)) == ["R0", "R2"]
    assert [i.room for i in selectors.installation_list(coordinator, verified="no")] == ["R1"]
    assert [i.room for i in selectors.installation_list(coordinator, verified="yes")] == ["R0", "R2"]


def test_the_pages_record_list_and_verify(access_point, site, world, role_users):
    supplier = Client()
    supplier.force_login(role_users[Role.SUPPLIER])
    url = reverse("devices:accesspointinstallation-create")
    response = supplier.post(url, {"serial": "ap-0001", "site": site.pk, "room": "", "installed_on": "2024-10-07"})
    assert "This field is required." in response.content.decode()
    response = supplier.post(
        url, {"serial": "ap-0001", "site": site.pk, "building": "A", "room": "12", "installed_on": "2024-10-07"}
    )
    installation = AccessPointInstallation.objects.get()
    assert response["Location"] == reverse("devices:accesspointinstallation-detail", kwargs={"pk": installation.pk})
    verify = reverse("devices:accesspointinstallation-verify", kwargs={"pk": installation.pk})
    assert supplier.post(verify).status_code == 403
    school = Client()
    school.force_login(role_users[Role.SCHOOL_COORDINATOR])
    detail = school.get(reverse("devices:accesspointinstallation-detail", kwargs={"pk": installation.pk}))
    assert "Verify the installation" in detail.content.decode()
    assert school.post(verify).status_code == 302
    installation.refresh_from_db()
    assert installation.verified_at is not None
    listing = school.get(reverse("devices:accesspointinstallation-list"), {"verified": "no"}).content.decode()
    assert "No installations match." in listing
    listing = school.get(reverse("devices:accesspointinstallation-list"), {"verified": "yes"}).content.decode()
    assert "AP-0001" in listing and "1 installation" in listing
