"""The delivery-file importer: every bad input of the issue gives its exact message and writes
nothing; a good file creates deliveries, devices and their first events; re-importing is idempotent."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError, RowError
from digileap.devices.importers.deliveries import normalise_mac, parse_date
from digileap.devices.lifecycle import device_status_check
from digileap.devices.models import Delivery, Device, DeviceEvent, DeviceStatus, PurchaseOrder, SelfPurchase

from .factories import DeliveryFactory, DeviceFactory
from .factories_deliveries import HEADER, csv_bytes, delivery_setup, device_row

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("system (test)")


def run(data: bytes, actor=SYSTEM, filename="delivery.csv", **options):
    return run_import(
        target="deliveries", source=io.BytesIO(data), profile="generic", actor=actor, filename=filename, **options
    )


def rejected(data: bytes, actor=SYSTEM, **options) -> list[RowError]:
    with pytest.raises(ImportRejected) as caught:
        run(data, actor, **options)
    return caught.value.result.errors


def table_state():
    return (
        list(Delivery.objects.order_by("id").values_list("id", "note_number")),
        list(Device.objects.order_by("id").values_list("id", "serial")),
        DeviceEvent.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def setup(world):
    return delivery_setup(world)


def test_a_good_file_creates_deliveries_devices_and_events(world, setup):
    data = csv_bytes(
        [
            device_row(" ab1 ", asset="A-1", mac="aa-bb-cc-dd-ee-01"),
            device_row("ab2", asset="A-2", mac="AABB.CCDD.EE02"),
            device_row("ab3", note="DN-2", on="02.10.2024"),
        ]
    )
    result = run(data)
    assert result.summary() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    first, second = Delivery.objects.order_by("note_number")
    assert (first.note_number, first.school, first.delivered_on) == ("DN-1", world.school, datetime.date(2024, 10, 1))
    assert (first.programme, first.order, first.supplier) == (setup.programme, setup.order, world.supplier)
    assert first.acceptance == Delivery.Acceptance.PENDING
    assert second.delivered_on == datetime.date(2024, 10, 2)
    device = Device.objects.get(serial="AB1")
    assert device.manufacturer == "Dell"
    assert device.device_model == setup.model
    assert device.device_type == "laptop"
    assert device.asset_tag == "A-1"
    assert device.mac_address == "AA:BB:CC:DD:EE:01"
    assert Device.objects.get(serial="AB2").mac_address == "AA:BB:CC:DD:EE:02"
    assert device.status == DeviceStatus.DELIVERED
    assert device.delivered_on == datetime.date(2024, 10, 1)
    assert timezone.localtime(device.status_changed_at).replace(tzinfo=None) == datetime.datetime(2024, 10, 1, 12)
    assert (device.delivery, device.order_line, device.funding_source) == (first, setup.line, setup.funding)
    assert (device.programme, device.school, device.supplier, device.condition) == (
        setup.programme,
        world.school,
        world.supplier,
        "new",
    )
    events = list(DeviceEvent.objects.filter(device=device).values_list("status", "previous_status", "reason"))
    assert events == [("delivered", "", "Delivered: DN-1")]
    assert DeviceEvent.objects.count() == 3
    assert device_status_check() == []
    audit_rows = list(AuditEvent.objects.order_by("id").values_list("action", "object_type", "object_id"))
    assert audit_rows[:2] == [
        ("create", "devices.delivery", str(first.pk)),
        ("create", "devices.delivery", str(second.pk)),
    ]
    assert audit_rows[2] == ("import", "devices.import", "generic")
    assert (
        AuditEvent.objects.filter(object_type="devices.delivery", object_id=str(first.pk)).get().after["devices_added"]
        == 2
    )


def test_reimporting_the_same_file_changes_nothing(setup):
    data = csv_bytes([device_row("AB1", asset="A-1"), device_row("AB2")])
    run(data)
    before = table_state()
    result = run(data)
    assert result.summary() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert table_state() == before


def test_a_longer_file_adds_only_the_new_rows_to_the_delivery(setup):
    run(csv_bytes([device_row("AB1")]))
    result = run(csv_bytes([device_row("AB1"), device_row("AB2")]))
    assert result.summary() == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 0}
    assert Delivery.objects.count() == 1
    assert Delivery.objects.get().devices.count() == 2
    update = AuditEvent.objects.filter(action="update", object_type="devices.delivery").get()
    assert update.after == {"devices_added": 1, "devices_unchanged": 1}


def test_a_device_with_other_data_in_the_same_delivery_is_refused(setup):
    run(csv_bytes([device_row("AB1", asset="A-1")]))
    errors = rejected(csv_bytes([device_row("AB1", asset="A-9")]))
    assert [(e.line, e.column, e.message, e.value) for e in errors] == [
        (
            2,
            "serial",
            "serial AB1 is already in this delivery with another asset tag; a delivery file does not change devices",
            "AB1",
        )
    ]


def test_dry_run_writes_nothing(setup):
    before = table_state()
    result = run(csv_bytes([device_row("AB1"), device_row("AB2")]), dry_run=True)
    assert result.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert result.committed is False
    assert table_state() == before


def test_a_serial_twice_in_the_file_rejects_both_lines_naming_each_other(setup):
    before = table_state()
    errors = rejected(csv_bytes([device_row("AB1"), device_row("ab1 "), device_row("AB2"), device_row("AB1")]))
    assert [(e.line, e.column, e.message, e.value) for e in errors] == [
        (2, "serial", "serial AB1 (Dell) appears again on line(s) 3, 5", "AB1"),
        (3, "serial", "serial AB1 (Dell) appears again on line(s) 2, 5", "AB1"),
        (5, "serial", "serial AB1 (Dell) appears again on line(s) 2, 3", "AB1"),
    ]
    assert table_state() == before


def test_the_same_serial_of_another_manufacturer_is_another_device(setup):
    result = run(
        csv_bytes([device_row("AB1"), device_row("AB1", model="ipad10", order="", note="DN-2")]), **programme_override()
    )
    assert result.created == 2


def programme_override() -> dict:
    return {"overrides": {"programme": "digi-in"}}


def test_a_serial_delivered_before_is_rejected_naming_the_earlier_delivery(world, setup):
    run(csv_bytes([device_row("AB1", note="DN-OLD", on="2024-09-15")]))
    before = table_state()
    errors = rejected(csv_bytes([device_row("AB1", note="DN-NEW", on="2024-10-01")]))
    assert [(e.line, e.column, e.message) for e in errors] == [
        (
            2,
            "serial",
            "serial AB1 (Dell) was already delivered: delivery note DN-OLD to INSIDE school (1001) on 2024-09-15",
        )
    ]
    assert table_state() == before


def test_a_serial_reported_as_self_bought_is_rejected_naming_the_purchase(world, setup):
    purchase = SelfPurchase.objects.create(
        programme=setup.programme,
        school=world.school,
        invoice_reference="INV-7",
        invoice_date=datetime.date(2024, 9, 1),
        vendor="Shop",
        amount=100,
    )
    DeviceFactory(
        programme=setup.programme, school=world.school, device_model=setup.model, serial="AB1", purchase=purchase
    )
    errors = rejected(csv_bytes([device_row("AB1")]))
    assert [e.message for e in errors] == ["serial AB1 (Dell) was already reported: self-bought purchase INV-7"]


def test_an_earlier_delivery_outside_the_scope_is_named_without_its_school(world, setup, role_users):
    outside = DeliveryFactory(programme=setup.other_programme, school=world.other_school, note_number="DN-X")
    DeviceFactory(
        programme=setup.other_programme,
        school=world.other_school,
        device_model=setup.other_model,
        serial="AB1",
        delivery=outside,
    )
    errors = rejected(csv_bytes([device_row("AB1")]), role_users[Role.OPERATOR_STAFF])
    assert [e.message for e in errors] == [
        "serial AB1 (Dell) was already delivered: delivery note DN-X to a school outside your scope on 2024-10-01"
    ]


def test_unknown_model_and_unknown_school(setup):
    before = table_state()
    errors = rejected(csv_bytes([device_row("AB1", model="nokia-3310"), device_row("AB2", school="9999")]))
    assert [(e.line, e.column, e.message, e.value) for e in errors] == [
        (
            2,
            "model",
            "unknown device model 'nokia-3310' in the catalogue of INSIDE authority; give its code or "
            "'manufacturer model'",
            "nokia-3310",
        ),
        (
            3,
            "school",
            "no school with the official number 9999 in INSIDE authority (the authority of programme digi-in)",
            "9999",
        ),
    ]
    assert table_state() == before


def test_a_model_can_be_named_by_manufacturer_and_name(setup):
    result = run(csv_bytes([device_row("AB1", model="dell  LATITUDE 3440")]))
    assert result.created == 1
    assert Device.objects.get().device_model == setup.model


def test_a_school_of_another_authority_is_outside_the_programme(world, setup):
    errors = rejected(csv_bytes([device_row("AB1", school="2002", order="")]), **programme_override())
    assert [(e.column, e.message) for e in errors] == [
        ("school", "no school with the official number 2002 in INSIDE authority (the authority of programme digi-in)")
    ]


def test_a_school_outside_the_users_scope(world, setup, role_users):
    before = table_state()
    errors = rejected(
        csv_bytes([device_row("AB1", school="1003", order="")]), role_users[Role.OPERATOR_STAFF], **programme_override()
    )
    assert [(e.line, e.column, e.message, e.value) for e in errors] == [
        (
            2,
            "school",
            "school Neighbour school (1003) is outside your scope: your role may not record deliveries to it",
            "1003",
        )
    ]
    assert table_state() == before


def test_an_order_without_a_line_for_the_school_and_model(setup):
    errors = rejected(csv_bytes([device_row("AB1", model="ipad10")]))
    assert [(e.column, e.message) for e in errors] == [
        ("order", "order PO-1 has no line for ipad10 at school INSIDE school (1001)")
    ]


def test_unknown_draft_and_cancelled_orders(setup):
    PurchaseOrder.objects.filter(pk=setup.order.pk).update(status=PurchaseOrder.Status.CANCELLED)
    errors = rejected(csv_bytes([device_row("AB1"), device_row("AB2", order="PO-404")]))
    assert [(e.line, e.message) for e in errors] == [
        (2, "order PO-1 is cancelled; devices are delivered against placed orders only"),
        (3, "unknown purchase order PO-404"),
    ]


def test_bad_date_mac_condition_and_future_date(setup):
    header = [*HEADER, "condition"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    data = csv_bytes(
        [
            [*device_row("AB1", on="31.02.2024"), "new"],
            [*device_row("AB2", mac="AA:BB:CC"), "new"],
            [*device_row("AB3"), "broken"],
            [*device_row("AB4", on=tomorrow), "refurbished"],
        ],
        header=header,
    )
    errors = rejected(data)
    assert [(e.line, e.column, e.message, e.value) for e in errors] == [
        (2, "delivered_on", "'31.02.2024' is not a date (use 2024-10-01 or 01.10.2024)", "31.02.2024"),
        (
            3,
            "mac_address",
            "'AA:BB:CC' is not a MAC address (12 hexadecimal digits, such as AA:BB:CC:DD:EE:FF)",
            "AA:BB:CC",
        ),
        (4, "condition", "unknown condition 'broken'; use new or refurbished", "broken"),
        (5, "delivered_on", f"{tomorrow} is in the future", tomorrow),
    ]


def test_refurbished_and_today_by_default(setup):
    header = [*HEADER, "condition"]
    row = device_row("AB1", on="")
    run(csv_bytes([[*row, "Refurbished"]], header=header))
    device = Device.objects.get()
    assert (device.condition, device.delivered_on) == ("refurbished", timezone.localdate())


def test_one_note_one_date(setup):
    errors = rejected(csv_bytes([device_row("AB1"), device_row("AB2", on="2024-10-02")]))
    assert [(e.line, e.message) for e in errors] == [
        (3, "delivery note DN-1 to INSIDE school (1001) is dated 2024-10-01 on line 2; one note, one date")
    ]


def test_skip_invalid_imports_the_valid_rows(setup):
    result = run(csv_bytes([device_row("AB1"), device_row("AB2", model="nope")]), skip_invalid=True)
    assert result.summary() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert list(Device.objects.values_list("serial", flat=True)) == ["AB1"]


def test_without_an_order_the_programme_is_needed(world, setup):
    errors = rejected(csv_bytes([device_row("AB1", order="")]))
    assert [(e.column, e.message) for e in errors] == [
        (
            "programme",
            "no programme: give a purchase order number, a programme column, or the programme to import into",
        )
    ]
    result = run(
        csv_bytes([device_row("AB1", order="")]), overrides={"programme": "digi-in", "supplier": "inside SUPPLIER"}
    )
    assert result.created == 1
    device = Device.objects.get()
    assert (device.programme, device.supplier, device.order_line, device.funding_source) == (
        setup.programme,
        world.supplier,
        None,
        None,
    )


def test_a_programme_column_serves_the_web_flow(setup):
    data = csv_bytes([[*device_row("AB1", order=""), "digi-in"]], header=[*HEADER, "programme"])
    assert run(data).created == 1
    errors = rejected(csv_bytes([[*device_row("AB2", order=""), "digi-x"]], header=[*HEADER, "programme"]))
    assert [(e.column, e.message) for e in errors] == [("programme", "unknown programme 'digi-x'")]


def test_a_supplier_user_delivers_as_its_supplier(world, setup, role_users):
    supplier_user = role_users[Role.SUPPLIER]
    result = run(csv_bytes([device_row("AB1")]), supplier_user)
    assert result.created == 1
    delivery = Delivery.objects.get()
    assert (delivery.supplier, delivery.created_by) == (world.supplier, supplier_user)
    other = PurchaseOrder.objects.create(
        programme=setup.programme,
        funding_source=setup.funding,
        supplier=world.other_supplier,
        number="PO-2",
        status="placed",
        ordered_on=datetime.date(2024, 9, 1),
    )
    errors = rejected(csv_bytes([device_row("AB2", order=other.number)]), supplier_user)
    assert [e.message for e in errors] == ["order PO-2 is placed with another supplier"]


def test_roles_that_may_not_import_deliveries(role_users, setup):
    for role in (Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR):
        with pytest.raises(PermissionDenied, match="Your role may not import deliveries."):
            run(csv_bytes([device_row("AB1")]), role_users[role])
    assert Device.objects.count() == 0


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER])
def test_roles_that_may_import_deliveries(role, role_users, setup):
    assert run(csv_bytes([device_row("AB1")]), role_users[role]).created == 1


def test_utf16_without_bom_is_a_file_error(setup):
    data = csv_bytes([device_row("AB1")]).decode().encode("utf-16-le")
    with pytest.raises(ImportFileError) as caught:
        run(data)
    assert caught.value.describe() == (
        "delivery.csv, line 1: the file looks like UTF-16LE text without a byte-order mark, which cannot be read "
        "reliably. Save it as CSV UTF-8."
    )
    assert Device.objects.count() == 0


def test_a_binary_file_is_a_file_error(setup):
    with pytest.raises(ImportFileError) as caught:
        run(b"serial;model\n\x00\x01\x02\xff\xfe binary")
    assert caught.value.describe() == (
        "delivery.csv, line 2: the file contains NUL bytes: it is not a text file (a spreadsheet saved in another "
        "format?)"
    )
    assert Device.objects.count() == 0


def test_windows_1252_is_read(world, setup):
    data = csv_bytes([device_row("AB1", asset="Bâtiment")]).decode().encode("cp1252")
    assert run(data).created == 1
    assert Device.objects.get().asset_tag == "Bâtiment"


def test_missing_columns_are_a_file_error(setup):
    with pytest.raises(ImportFileError) as caught:
        run(b"serial;model\nAB1;lat3440\n")
    assert caught.value.describe().startswith("delivery.csv, line 1: missing column(s) 'school', 'delivery_note'.")


def test_importing_into_an_accepted_delivery_is_refused(world, setup):
    run(csv_bytes([device_row("AB1")]))
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        acceptance="accepted", accepted_at=timezone.make_aware(datetime.datetime(2024, 10, 3, 9))
    )
    errors = rejected(csv_bytes([device_row("AB1"), device_row("AB2")]))
    assert [(e.line, e.message) for e in errors] == [
        (
            3,
            "delivery note DN-1 to INSIDE school (1001) was accepted on 2024-10-03; deliver further devices under a "
            "new delivery note",
        )
    ]


def test_a_stored_note_with_another_date_rejects_its_rows(setup):
    run(csv_bytes([device_row("AB1")]))
    errors = rejected(csv_bytes([device_row("AB2", on="2024-09-30")]))
    assert [e.message for e in errors] == [
        "delivery note DN-1 to INSIDE school (1001) is already recorded as delivered on 2024-10-01"
    ]


def test_a_site_of_the_school(world, setup):
    data = csv_bytes([[*device_row("AB1"), "annex"], [*device_row("AB2"), "Attic"]], header=[*HEADER, "site"])
    errors = rejected(data)
    assert [e.message for e in errors] == ["school INSIDE school (1001) has no site named 'Attic'"]
    run(csv_bytes([[*device_row("AB1"), "annex"]], header=[*HEADER, "site"]))
    assert (Device.objects.get().site, Delivery.objects.get().site) == (setup.site, setup.site)


def test_orders_follow_their_deliveries(setup):
    run(csv_bytes([device_row(f"AB{n}") for n in range(10)]))
    setup.order.refresh_from_db()
    assert setup.order.status == PurchaseOrder.Status.DELIVERED


def test_normalise_mac_and_parse_date():
    assert normalise_mac("aabbccddeeff") == "AA:BB:CC:DD:EE:FF"
    assert normalise_mac("aa:bb:cc:dd:ee:ff") == "AA:BB:CC:DD:EE:FF"
    with pytest.raises(ValueError):
        normalise_mac("GG:BB:CC:DD:EE:FF")
    assert parse_date("2024-10-01 00:00:00") == datetime.date(2024, 10, 1)
    assert parse_date("01/10/2024") == datetime.date(2024, 10, 1)
