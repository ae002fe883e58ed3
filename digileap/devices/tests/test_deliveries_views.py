"""Delivery pages and API: list filters, detail, the acceptance form (htmx confirm), and the API's accept."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.devices.models import Delivery, Device

from .factories import DeliveryFactory, DeviceFactory
from .factories_deliveries import delivery_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(world):
    setup = delivery_setup(world)
    delivery = DeliveryFactory(
        programme=setup.programme,
        school=world.school,
        supplier=world.supplier,
        note_number="DN-1",
        delivered_on=datetime.date(2024, 10, 1),
    )
    for serial in ("S1", "S2", "S3"):
        DeviceFactory(
            programme=setup.programme, school=world.school, device_model=setup.model, serial=serial, delivery=delivery
        )
    DeliveryFactory(
        programme=setup.programme, school=world.school, supplier=world.other_supplier, note_number="DN-OTHER",
        delivered_on=datetime.date(2024, 11, 5),
    )  # fmt: skip
    return delivery


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_and_its_filters(delivery, role_users):
    client = client_for(role_users[Role.OPERATOR_STAFF])
    url = reverse("devices:delivery-list")
    page = client.get(url).content.decode()
    assert "DN-1" in page and "DN-OTHER" in page
    assert "2 deliveries" in page
    only = client.get(url, {"q": "other"}).content.decode()
    assert "DN-OTHER" in only and ">DN-1<" not in only
    dated = client.get(url, {"delivered_from": "2024-11-01"}).content.decode()
    assert "DN-OTHER" in dated and ">DN-1<" not in dated
    pending = client.get(url, {"acceptance": "accepted"}).content.decode()
    assert "No deliveries in your scope match these filters." in pending
    bad = client.get(url, {"delivered_from": "yesterday"})
    assert bad.status_code == 200
    assert "Some filters were not understood and are ignored:" in bad.content.decode()
    supplier_page = client_for(role_users[Role.SUPPLIER]).get(url).content.decode()
    assert "DN-1" in supplier_page and "DN-OTHER" not in supplier_page


def test_the_detail_page(delivery, role_users):
    page = client_for(role_users[Role.AUDITOR]).get(reverse("devices:delivery-detail", kwargs={"pk": delivery.pk}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "S1" in text and "3 devices" in text
    assert "Accept this delivery" not in text
    coordinator_page = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(
        reverse("devices:delivery-detail", kwargs={"pk": delivery.pk})
    )
    assert "Accept this delivery" in coordinator_page.content.decode()


def test_confirm_with_htmx_then_accept_with_exceptions(delivery, role_users):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    confirm = client.post(
        reverse("devices:delivery-confirm", kwargs={"pk": delivery.pk}), {"serials": "s1\nS9"}, HTTP_HX_REQUEST="true"
    )
    assert confirm.status_code == 400
    assert "Not in this delivery: S9." in confirm.content.decode()
    confirm = client.post(
        reverse("devices:delivery-confirm", kwargs={"pk": delivery.pk}), {"serials": "s1"}, HTTP_HX_REQUEST="true"
    )
    assert confirm.status_code == 200
    assert "1 device confirmed." in confirm.content.decode()
    url = reverse("devices:delivery-accept", kwargs={"pk": delivery.pk})
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"remaining": "accept", "exceptions": "S2 exploded"})
    assert wrong.status_code == 400
    assert "Line 1: &#x27;S2 exploded&#x27;" in wrong.content.decode()
    done = client.post(
        url,
        {"remaining": "missing", "exceptions": "S2 damaged dent", "send_back": "on", "note": "ok"},
    )
    assert done.status_code == 302
    delivery.refresh_from_db()
    assert delivery.acceptance == "accepted_with_discrepancies"
    assert dict(Device.objects.values_list("serial", "discrepancy")) == {"S1": "", "S2": "damaged", "S3": "missing"}
    assert Device.objects.get(serial="S2").status == "returned"
    again = client.get(url)
    assert again.status_code == 302


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.SUPPLIER, Role.AUDITOR])
def test_others_may_not_accept_on_the_page(role, delivery, role_users):
    client = client_for(role_users[role])
    url = reverse("devices:delivery-accept", kwargs={"pk": delivery.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"remaining": "accept"}).status_code == 403
    assert Delivery.objects.get(pk=delivery.pk).acceptance == "pending"


def test_the_api(delivery, role_users):
    client = client_for(role_users[Role.OPERATOR_STAFF])
    listing = client.get("/api/deliveries/", {"acceptance": "pending", "search": "DN-1"}).json()
    assert [row["note_number"] for row in listing["results"]] == ["DN-1"]
    assert client.get("/api/deliveries/", {"delivered_from": "2024-11-01"}).json()["count"] == 1
    url = f"/api/deliveries/{delivery.pk}/accept/"
    bad = client.post(url, {"discrepancies": [{"kind": "damaged", "serial": "NOPE"}]}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json() == {"discrepancies[0].serial": ["No device with serial NOPE in this delivery."]}
    assert client.post(
        f"/api/deliveries/{delivery.pk}/confirm/", {"serials": ["S1"]}, content_type="application/json"
    ).json() == {"confirmed": 1}
    accepted = client.post(
        url, {"remaining": "accept", "note": "fine", "discrepancies": [{"kind": "missing", "note": "no bag"}]},
        content_type="application/json",
    )  # fmt: skip
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["acceptance"] == "accepted_with_discrepancies"
    assert body["accepted_by"] == "operator_staff-user"
    assert [(d["kind"], d["serial"], d["note"]) for d in body["discrepancies"]] == [("missing", None, "no bag")]
    twice = client.post(url, {}, content_type="application/json")
    assert twice.status_code == 400
    supplier = client_for(role_users[Role.SUPPLIER])
    other = DeliveryFactory(programme=delivery.programme, school=delivery.school, supplier=delivery.supplier)
    assert supplier.post(f"/api/deliveries/{other.pk}/accept/", {}, content_type="application/json").status_code == 403
