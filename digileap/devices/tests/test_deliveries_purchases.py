"""Self-bought purchases: the service, the form page and the API."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices.lifecycle import device_status_check
from digileap.devices.models import Device, DeviceEvent, SelfPurchase
from digileap.devices.services.purchases import self_purchase_report

from .factories import DeliveryFactory, DeviceFactory
from .factories_deliveries import delivery_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    return delivery_setup(world)


def report(setup, world, actor, **changes):
    data = {
        "programme": setup.programme,
        "school": world.school,
        "funding_source": setup.funding,
        "invoice_reference": "INV-1",
        "invoice_date": datetime.date(2024, 9, 1),
        "vendor": "Shop",
        "amount": Decimal("1200.00"),
        "devices": [{"device_model": setup.model, "serial": "p1"}, {"device_model": setup.tablet, "serial": "P2"}],
    }
    data.update(changes)
    return self_purchase_report(actor=actor, **data)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_purchase_creates_its_devices_and_events(world, setup, role_users):
    purchase = report(setup, world, role_users[Role.SCHOOL_COORDINATOR])
    devices = list(Device.objects.order_by("serial").values_list("serial", "manufacturer", "device_type", "status"))
    assert devices == [("P1", "Dell", "laptop", "delivered"), ("P2", "Apple", "tablet", "delivered")]
    device = Device.objects.get(serial="P1")
    assert (device.purchase, device.delivery, device.school, device.funding_source, device.delivered_on) == (
        purchase,
        None,
        world.school,
        setup.funding,
        datetime.date(2024, 9, 1),
    )
    assert list(DeviceEvent.objects.filter(device=device).values_list("status", "reason")) == [
        ("delivered", "Bought by the school: invoice INV-1")
    ]
    assert device_status_check() == []
    event = AuditEvent.objects.get(object_type="devices.selfpurchase")
    assert event.after["devices"] == [
        {"serial": "P1", "model": "lat3440", "asset_tag": ""},
        {"serial": "P2", "model": "ipad10", "asset_tag": ""},
    ]
    assert purchase.reported_by == role_users[Role.SCHOOL_COORDINATOR]


def test_serial_rules_name_the_earlier_device(world, setup, role_users):
    delivery = DeliveryFactory(programme=setup.programme, school=world.school, note_number="DN-9")
    DeviceFactory(
        programme=setup.programme, school=world.school, device_model=setup.model, serial="P1", delivery=delivery
    )
    with pytest.raises(ValidationError) as caught:
        report(
            setup,
            world,
            role_users[Role.OPERATOR_STAFF],
            devices=[
                {"device_model": setup.model, "serial": "P1"},
                {"device_model": setup.model, "serial": "P3"},
                {"device_model": setup.model, "serial": " p3"},
                {"device_model": setup.other_model, "serial": "P4"},
                {"device_model": setup.model, "serial": ""},
            ],
        )
    assert caught.value.message_dict == {
        "devices[0].serial": [
            "Serial P1 (Dell) was already delivered: delivery note DN-9 to INSIDE school (1001) on 2024-10-01."
        ],
        "devices[2].serial": ["Serial P3 (Dell) is given twice (devices 2 and 3)."],
        "devices[3].device_model": ["Choose a model of the programme's catalogue."],
        "devices[4].serial": ["A serial number is required."],
    }
    assert SelfPurchase.objects.count() == 0


def test_the_invoice_once_per_school_and_other_checks(world, setup, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    report(setup, world, actor)
    with pytest.raises(ValidationError) as caught:
        report(
            setup,
            world,
            actor,
            funding_source=setup.funding,
            vendor=" ",
            amount="-1",
            invoice_date=datetime.date(2999, 1, 1),
            devices=[{"device_model": setup.model, "serial": "P9"}],
        )
    messages = caught.value.message_dict
    assert messages["invoice_reference"][0].startswith("INSIDE school reported invoice INV-1 already, on ")
    assert messages["vendor"] == ["Say where the devices were bought."]
    assert messages["amount"] == ["The amount must be zero or more (and below 10,000,000,000)."]
    assert messages["invoice_date"] == ["The invoice date cannot be in the future."]
    with pytest.raises(ValidationError) as caught:
        report(setup, world, actor, invoice_reference="INV-2", programme=setup.other_programme, funding_source=None)
    assert caught.value.message_dict["programme"] == ["The school is not in the authority of this programme."]


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (Role.ADMINISTRATOR, True),
        (Role.PROGRAMME_OWNER, False),
        (Role.FUNDING_ADMINISTRATOR, False),
        (Role.OPERATOR_STAFF, True),
        (Role.SCHOOL_COORDINATOR, True),
        (Role.SUPPLIER, False),
        (Role.AUDITOR, False),
    ],
)
def test_who_reports(role, may, world, setup, role_users):
    if may:
        assert report(setup, world, role_users[role]).devices.count() == 2
    else:
        with pytest.raises(PermissionDenied):
            report(setup, world, role_users[role])
        assert Device.objects.count() == 0


def test_the_report_page(world, setup, role_users):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    url = reverse("devices:selfpurchase-create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "programme": setup.programme.pk,
            "school": world.school.pk,
            "invoice_reference": "INV-5",
            "invoice_date": "2024-09-01",
            "vendor": "Shop",
            "amount": "800",
            "device_model": setup.model.pk,
            "serials": "x1\nX2\n\n",
        },
    )
    purchase = SelfPurchase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("devices:selfpurchase-detail", kwargs={"pk": purchase.pk})
    assert sorted(purchase.devices.values_list("serial", flat=True)) == ["X1", "X2"]
    page = client.get(response["Location"])
    assert b"INV-5" in page.content and b"X1" in page.content
    listing = client.get(reverse("devices:selfpurchase-list"))
    assert b"INV-5" in listing.content
    again = client.post(
        url,
        {
            "programme": setup.programme.pk,
            "school": world.school.pk,
            "invoice_reference": "INV-6",
            "invoice_date": "2024-09-01",
            "vendor": "Shop",
            "amount": "800",
            "file": SimpleUploadedFile("devices.csv", b"serial;model\nX1;lat3440\nX3;nope\n"),
        },
    )
    assert again.status_code == 400
    assert "line 3: unknown model &#x27;nope&#x27;" in again.content.decode()
    assert SelfPurchase.objects.count() == 1


def test_the_page_shows_the_serial_errors(world, setup, role_users):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    data = {
        "programme": setup.programme.pk,
        "school": world.school.pk,
        "invoice_reference": "INV-7",
        "invoice_date": "2024-09-01",
        "vendor": "Shop",
        "amount": "800",
        "device_model": setup.model.pk,
        "serials": "Y1\nY1",
    }
    response = client.post(reverse("devices:selfpurchase-create"), data)
    assert response.status_code == 400
    assert "Serial Y1 (Dell) is given twice (devices 1 and 2)." in response.content.decode()


def test_the_api(world, setup, role_users):
    client = client_for(role_users[Role.OPERATOR_STAFF])
    body = {
        "programme": setup.programme.pk,
        "school": world.school.pk,
        "invoice_reference": "INV-API",
        "invoice_date": "2024-09-01",
        "vendor": "Shop",
        "amount": "10.00",
        "devices": [{"device_model": setup.model.pk, "serial": "a1"}],
    }
    response = client.post("/api/self-purchases/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["device_count"] == 1
    assert response.json()["invoice_reference"] == "INV-API"
    again = client.post(
        "/api/self-purchases/", {**body, "invoice_reference": "INV-API-2"}, content_type="application/json"
    )
    assert again.status_code == 400
    assert again.json() == {
        "devices[0].serial": ["Serial A1 (Dell) was already reported: self-bought purchase INV-API."]
    }
    outside = client.post(
        "/api/self-purchases/", {**body, "school": world.other_school.pk}, content_type="application/json"
    )
    assert outside.status_code == 400
    listing = client.get("/api/self-purchases/").json()
    assert [row["invoice_reference"] for row in listing["results"]] == ["INV-API"]
    supplier = client_for(role_users[Role.SUPPLIER])
    assert supplier.post("/api/self-purchases/", body, content_type="application/json").status_code == 403
