"""Accepting a delivery: all at once, device by device, with discrepancies; once; by the school only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices.lifecycle import device_status_check
from digileap.devices.models import Delivery, DeliveryDiscrepancy, Device, DeviceEvent
from digileap.devices.services.deliveries import (
    delivery_accept,
    delivery_confirm_devices,
    parse_exceptions,
)

from .factories import DeliveryFactory, DeviceFactory
from .factories_deliveries import delivery_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(world):
    setup = delivery_setup(world)
    delivery = DeliveryFactory(
        programme=setup.programme, school=world.school, supplier=world.supplier, note_number="DN-1",
        delivered_on=datetime.date(2024, 10, 1),
    )  # fmt: skip
    for serial in ("S1", "S2", "S3", "S4"):
        DeviceFactory(
            programme=setup.programme, school=world.school, device_model=setup.model, serial=serial, delivery=delivery
        )
    return delivery


def state(delivery):
    return {
        device.serial: (device.accepted_at is not None, device.discrepancy, device.status)
        for device in Device.objects.filter(delivery=delivery)
    }


def test_accept_everything_at_once(delivery, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    accepted = delivery_accept(delivery=delivery, actor=coordinator, note="All fine")
    accepted.refresh_from_db()
    assert accepted.acceptance == Delivery.Acceptance.ACCEPTED
    assert accepted.accepted_by == coordinator
    assert accepted.accepted_at is not None
    assert accepted.acceptance_note == "All fine"
    assert state(delivery) == {serial: (True, "", "delivered") for serial in ("S1", "S2", "S3", "S4")}
    assert set(Device.objects.filter(delivery=delivery).values_list("accepted_at", flat=True)) == {accepted.accepted_at}
    event = AuditEvent.objects.filter(object_type="devices.delivery", action="accept").get()
    assert event.actor_label == "school_coordinator-user"
    assert event.before == {"acceptance": "pending"}
    assert event.after["acceptance"] == "accepted"
    assert event.after["accepted_now"] == 4
    assert event.after["discrepancies"] == []


def test_accept_per_device_then_the_rest_missing(delivery, role_users):
    operator = role_users[Role.OPERATOR_STAFF]
    assert delivery_confirm_devices(delivery=delivery, actor=operator, serials=["s1", " S2 "]) == 2
    assert delivery_confirm_devices(delivery=delivery, actor=operator, serials=["S2", "S3"]) == 1
    assert Delivery.objects.get(pk=delivery.pk).acceptance == Delivery.Acceptance.PENDING
    delivery_accept(delivery=delivery, actor=operator, remaining="missing")
    delivery.refresh_from_db()
    assert delivery.acceptance == Delivery.Acceptance.ACCEPTED_WITH_DISCREPANCIES
    assert state(delivery) == {
        "S1": (True, "", "delivered"),
        "S2": (True, "", "delivered"),
        "S3": (True, "", "delivered"),
        "S4": (False, "missing", "delivered"),
    }
    assert list(DeliveryDiscrepancy.objects.values_list("device__serial", "kind", "note")) == [
        ("S4", "missing", "Not confirmed on acceptance")
    ]
    confirm_event = AuditEvent.objects.filter(action="confirm_devices").order_by("id").first()
    assert confirm_event.after == {"confirmed": 2, "serials": ["S1", "S2"]}


def test_unknown_serials_are_refused_naming_them(delivery, role_users):
    with pytest.raises(ValidationError) as caught:
        delivery_confirm_devices(delivery=delivery, actor=role_users[Role.OPERATOR_STAFF], serials=["S1", "X9", "Y8"])
    assert caught.value.message_dict == {"serials": ["Not in this delivery: X9, Y8."]}
    assert state(delivery)["S1"] == (False, "", "delivered")


def test_discrepancies_per_device_and_without_device(delivery, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    delivery_accept(
        delivery=delivery,
        actor=coordinator,
        discrepancies=[
            {"serial": "s1", "kind": "missing"},
            {"serial": "S2", "kind": "damaged", "note": "cracked screen", "send_back": True},
            {"serial": "S3", "kind": "wrong_model", "note": "a tablet"},
            {"kind": "missing", "note": "3 chargers short"},
        ],
    )
    delivery.refresh_from_db()
    assert delivery.acceptance == Delivery.Acceptance.ACCEPTED_WITH_DISCREPANCIES
    assert state(delivery) == {
        "S1": (False, "missing", "delivered"),
        "S2": (True, "damaged", "returned"),
        "S3": (True, "wrong_model", "delivered"),
        "S4": (True, "", "delivered"),
    }
    assert list(DeliveryDiscrepancy.objects.order_by("id").values_list("device__serial", "kind", "note")) == [
        ("S1", "missing", ""),
        ("S2", "damaged", "cracked screen"),
        ("S3", "wrong_model", "a tablet"),
        (None, "missing", "3 chargers short"),
    ]
    returned = DeviceEvent.objects.filter(device__serial="S2").order_by("id").last()
    assert (returned.previous_status, returned.status, returned.actor_label) == (
        "delivered",
        "returned",
        "school_coordinator-user",
    )
    assert returned.reason == "Sent back on acceptance of delivery DN-1: Damaged"
    assert device_status_check() == []


def test_bad_discrepancies_are_refused_and_nothing_is_written(delivery, role_users):
    with pytest.raises(ValidationError) as caught:
        delivery_accept(
            delivery=delivery,
            actor=role_users[Role.SCHOOL_COORDINATOR],
            discrepancies=[
                {"serial": "NOPE", "kind": "damaged"},
                {"serial": "S1", "kind": "lost"},
                {"kind": "missing"},
                {"serial": "S2", "kind": "missing", "send_back": True},
                {"serial": "S3", "kind": "damaged"},
                {"serial": "s3", "kind": "damaged"},
            ],
        )
    assert caught.value.message_dict == {
        "discrepancies[0].serial": ["No device with serial NOPE in this delivery."],
        "discrepancies[1].kind": ["'lost' is not a kind of discrepancy; use missing, damaged, wrong_model."],
        "discrepancies[2].note": ["A discrepancy without a device needs a note saying what is wrong."],
        "discrepancies[3].send_back": ["Only a damaged device or one of the wrong model can be sent back."],
        "discrepancies[5].serial": ["Serial S3 is given twice (entries 5 and 6)."],
    }
    assert Delivery.objects.get(pk=delivery.pk).acceptance == Delivery.Acceptance.PENDING
    assert DeliveryDiscrepancy.objects.count() == 0
    assert not AuditEvent.objects.filter(action="accept").exists()


def test_accepting_twice_is_refused(delivery, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    accepted = delivery_accept(delivery=delivery, actor=coordinator)
    with pytest.raises(ValidationError) as caught:
        delivery_accept(delivery=delivery, actor=role_users[Role.OPERATOR_STAFF])
    when = accepted.accepted_at.astimezone(datetime.UTC)
    from django.utils import timezone

    assert caught.value.messages == [
        "This delivery was already accepted by school_coordinator-user on "
        f"{timezone.localtime(when).strftime('%Y-%m-%d %H:%M')}; an acceptance cannot be repeated."
    ]
    with pytest.raises(ValidationError):
        delivery_confirm_devices(delivery=delivery, actor=coordinator, serials=["S1"])
    assert AuditEvent.objects.filter(action="accept").count() == 1


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
def test_who_accepts(role, may, delivery, role_users):
    if may:
        assert delivery_accept(delivery=delivery, actor=role_users[role]).acceptance == "accepted"
    else:
        with pytest.raises(PermissionDenied):
            delivery_accept(delivery=delivery, actor=role_users[role])
        with pytest.raises(PermissionDenied):
            delivery_confirm_devices(delivery=delivery, actor=role_users[role], serials=["S1"])
        assert Delivery.objects.get(pk=delivery.pk).acceptance == "pending"


def test_outside_the_scope_is_refused(world, role_users):
    setup_outside = DeliveryFactory(school=world.other_school, programme__authority=world.other_authority)
    for role in (Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR):
        with pytest.raises(PermissionDenied):
            delivery_accept(delivery=setup_outside, actor=role_users[role])


def test_parse_exceptions():
    entries, errors = parse_exceptions("S1 damaged cracked screen\n\nS2 wrong model a tablet\nS3 missing\nS4 broken\n")
    assert entries == [
        {"serial": "S1", "kind": "damaged", "note": "cracked screen"},
        {"serial": "S2", "kind": "wrong_model", "note": "a tablet"},
        {"serial": "S3", "kind": "missing", "note": ""},
    ]
    assert errors == ["Line 5: 'S4 broken'; write the serial, then missing, damaged or wrong_model, then a note."]
