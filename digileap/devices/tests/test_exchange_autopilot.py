"""The Windows Autopilot export: the file's exact bytes, 500 devices a file (a ZIP above), devices
skipped with the reason, per school and per order, and who may export what."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices import lifecycle
from digileap.devices.exchange import (
    AutopilotDevice,
    autopilot_csv,
    autopilot_download,
    clean_group_tag,
    skipped_csv,
    split_for_autopilot,
)
from digileap.devices.models import DeviceStatus, DeviceType
from digileap.devices.services.exchange import autopilot_export
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories import DeviceFactory, DeviceModelFactory, OrderLineFactory, PurchaseOrderFactory

HEADER = b"Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User\r\n"
HASH_1 = "T0FBQUFBQUFBQUFB"
HASH_2 = "VGVzdCtIYXNoLz0="


def _device(serial, product_id="", hardware_hash="", **fields):
    return AutopilotDevice(serial=serial, product_id=product_id, hardware_hash=hardware_hash, **fields)


# -- the file ------------------------------------------------------------------------------------


def test_two_devices_give_these_exact_bytes():
    content = autopilot_csv(
        [_device("PF3ABC12", "3305720014123", HASH_1), _device("5CG1234XYZ", "", HASH_2)], group_tag="School-1001"
    )
    assert content == (
        HEADER + b"PF3ABC12,3305720014123,T0FBQUFBQUFBQUFB,School-1001,\r\n"
        b"5CG1234XYZ,,VGVzdCtIYXNoLz0=,School-1001,\r\n"
    )
    assert not content.startswith(b"\xef\xbb\xbf")


def test_up_to_500_devices_is_one_csv():
    devices = [_device(f"SN{n:04d}", "", HASH_1) for n in range(500)]
    download = autopilot_download(devices, group_tag="", basename="autopilot-school-1001")
    assert (download.filename, download.content_type, download.files) == ("autopilot-school-1001.csv", "text/csv", 1)
    assert download.content.count(b"\r\n") == 501


def test_more_than_500_devices_give_a_zip_of_numbered_files_of_500():
    devices = [_device(f"SN{n:04d}", "", HASH_1) for n in range(1201)]
    download = autopilot_download(devices, group_tag="G", basename="autopilot-order-po-7")
    assert (download.filename, download.content_type, download.files) == (
        "autopilot-order-po-7.zip",
        "application/zip",
        3,
    )
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert archive.namelist() == [
        "autopilot-order-po-7-001.csv",
        "autopilot-order-po-7-002.csv",
        "autopilot-order-po-7-003.csv",
    ]
    lines = [archive.read(name).decode("ascii").split("\r\n")[:-1] for name in archive.namelist()]
    assert [len(file_lines) for file_lines in lines] == [501, 501, 202]
    assert all(file_lines[0] == HEADER.decode().strip() for file_lines in lines)
    assert lines[1][1] == f"SN0500,,{HASH_1},G,"
    assert lines[2][-1] == f"SN1200,,{HASH_1},G,"
    # The same devices always give the same bytes (fixed times inside the ZIP).
    again = autopilot_download(devices, group_tag="G", basename="autopilot-order-po-7")
    assert again.content == download.content


def test_devices_without_a_valid_hash_are_skipped_with_the_reason():
    batch = split_for_autopilot(
        [
            (_device("A1", "", HASH_1), DeviceType.LAPTOP),
            (_device("A2", "", ""), DeviceType.LAPTOP),
            (_device("A3", "", "not base64!"), DeviceType.OTHER),
            (_device("A4", "", ""), DeviceType.CHROMEBOOK),
            (_device("A,5", "", HASH_1), DeviceType.LAPTOP),
            (_device("A6", "", HASH_2), DeviceType.CHROMEBOOK),
        ]
    )
    assert [device.serial for device in batch.exported] == ["A1", "A6"]
    assert [(device.serial, reason) for device, reason in batch.skipped] == [
        ("A2", "no hardware hash"),
        ("A3", "the hardware hash is not Base64 text"),
        ("A,5", "the serial number contains a comma, a quotation mark or a non-ASCII character"),
    ]


def test_the_skipped_list_is_safe_in_a_spreadsheet():
    content = skipped_csv([(_device("=HYPERLINK(1)", "", "", manufacturer="Dell", model="X", school="S"), "no hash")])
    assert content.decode() == "serial_number,manufacturer,model,school,reason\r\n'=HYPERLINK(1),Dell,X,S,no hash\r\n"


def test_serials_pass_the_formula_guard():
    content = autopilot_csv([_device("-SN1", "", HASH_1)], group_tag="")
    assert content.splitlines()[1] == f"'-SN1,,{HASH_1},,".encode()


@pytest.mark.parametrize(
    "tag, message",
    [
        ("a,b", "A group tag may not contain commas or quotation marks."),
        ('a"b', "A group tag may not contain commas or quotation marks."),
        ("=cmd", "A group tag may not begin with =, +, - or @."),
        ("Schüler", "A group tag may only contain letters A to Z, digits, spaces and punctuation (ASCII)."),
        ("x" * 129, "A group tag has at most 128 characters."),
    ],
)
def test_bad_group_tags_are_refused_with_the_reason(tag, message):
    with pytest.raises(ValueError) as error:
        clean_group_tag(tag)
    assert str(error.value) == message


# -- per school and per order --------------------------------------------------------------------


@pytest.fixture
def fleet(world):
    """At the INSIDE school: two laptops with hashes (one delivered by the OUTSIDE supplier), a
    laptop without one, a Chromebook, a retired laptop with a hash; all but the last two on an
    order of the INSIDE operator. At the OUTSIDE school: a laptop with a hash."""
    programme = ProgrammeFactory(authority=world.authority)
    laptop = DeviceModelFactory(authority=world.authority, manufacturer="Lenovo", name="ThinkPad L13")
    chromebook = DeviceModelFactory(
        authority=world.authority, manufacturer="Acer", name="Chromebook 311", device_type=DeviceType.CHROMEBOOK
    )
    order = PurchaseOrderFactory(programme=programme, supplier=world.supplier, operator=world.operator, number="PO-7")
    line = OrderLineFactory(order=order, device_model=laptop, school=world.school, quantity=5)

    def device(serial, model=laptop, **fields):
        return DeviceFactory(programme=programme, school=world.school, device_model=model, serial=serial, **fields)

    device("LAP-2", autopilot_hash=HASH_2, order_line=line, supplier=world.supplier)
    device("LAP-1", autopilot_hash=HASH_1, windows_product_id="3305720014123", order_line=line, supplier=world.supplier)
    device("LAP-3", autopilot_hash=HASH_1, order_line=line, supplier=world.other_supplier)
    device("LAP-NOHASH", order_line=line, supplier=world.supplier)
    device("CB-1", model=chromebook)
    retired = device("LAP-RETIRED", autopilot_hash=HASH_1)
    lifecycle.device_transition(device=retired, status=DeviceStatus.RETIRED, actor=None, check_permission=False)
    DeviceFactory(
        programme=ProgrammeFactory(authority=world.other_authority),
        school=world.other_school,
        serial="OUTSIDE-LAP",
        autopilot_hash=HASH_1,
    )
    return order


def _lines(response) -> list[str]:
    return response.content.decode("ascii").split("\r\n")[:-1]


def test_the_school_file_has_the_schools_devices_with_a_hash(client, world, role_users, fleet):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = client.get(reverse("devices:school-autopilot-csv", kwargs={"pk": world.school.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="autopilot-school-1001.csv"'
    assert _lines(response) == [
        HEADER.decode().strip(),
        f"LAP-1,3305720014123,{HASH_1},1001,",
        f"LAP-2,,{HASH_2},1001,",
        f"LAP-3,,{HASH_1},1001,",
    ]


def test_the_group_tag_comes_from_the_form(client, world, role_users, fleet):
    client.force_login(role_users[Role.OPERATOR_STAFF])
    url = reverse("devices:school-autopilot-csv", kwargs={"pk": world.school.pk})
    assert _lines(client.get(url, {"group_tag": "Pupils 2024"}))[1] == f"LAP-1,3305720014123,{HASH_1},Pupils 2024,"
    assert _lines(client.get(url, {"group_tag": ""}))[1] == f"LAP-1,3305720014123,{HASH_1},,"
    response = client.get(url, {"group_tag": "a,b"})
    assert response.status_code == 400
    assert "A group tag may not contain commas or quotation marks." in response.content.decode()


def test_the_page_counts_exported_and_skipped_devices(client, world, role_users, fleet):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = client.get(reverse("devices:school-autopilot", kwargs={"pk": world.school.pk}))
    assert response.status_code == 200
    assert (response.context["exported"], response.context["skipped_count"], response.context["files"]) == (3, 1, 1)
    assert response.context["form"]["group_tag"].value() == "1001"
    assert [(device.serial, reason) for device, reason in response.context["skipped"]] == [
        ("LAP-NOHASH", "no hardware hash")
    ]
    skipped = client.get(reverse("devices:school-autopilot-skipped", kwargs={"pk": world.school.pk}))
    assert skipped.content.decode() == (
        "serial_number,manufacturer,model,school,reason\r\nLAP-NOHASH,Lenovo,ThinkPad L13,INSIDE school,no hardware hash\r\n"
    )


def test_the_order_file_has_the_orders_devices(client, world, role_users, fleet):
    client.force_login(role_users[Role.OPERATOR_STAFF])
    response = client.get(reverse("devices:purchaseorder-autopilot-csv", kwargs={"pk": fleet.pk}))
    assert response["Content-Disposition"] == 'attachment; filename="autopilot-order-po-7.csv"'
    assert [line.split(",")[0] for line in _lines(response)[1:]] == ["LAP-1", "LAP-2", "LAP-3"]
    assert _lines(response)[1].endswith(",PO-7,")


def test_a_supplier_exports_only_its_own_devices_of_its_order(client, world, role_users, fleet):
    client.force_login(role_users[Role.SUPPLIER])
    response = client.get(reverse("devices:purchaseorder-autopilot-csv", kwargs={"pk": fleet.pk}))
    assert [line.split(",")[0] for line in _lines(response)[1:]] == ["LAP-1", "LAP-2"]
    assert client.get(reverse("devices:school-autopilot-csv", kwargs={"pk": world.school.pk})).status_code == 404


SCHOOL_STATUS = {
    Role.ADMINISTRATOR: 200,
    Role.PROGRAMME_OWNER: 200,
    Role.FUNDING_ADMINISTRATOR: 403,
    Role.OPERATOR_STAFF: 200,
    Role.SCHOOL_COORDINATOR: 200,
    Role.SUPPLIER: 404,
    Role.AUDITOR: 403,
    Role.TEACHER: 404,
    Role.DATA_PROTECTION_OFFICER: 404,
}
ORDER_STATUS = {**SCHOOL_STATUS, Role.SCHOOL_COORDINATOR: 404, Role.SUPPLIER: 200}


@pytest.mark.parametrize("role", list(Role))
def test_who_may_export_per_school_and_per_order(client, world, role_users, fleet, role):
    client.force_login(role_users[role])
    for name in ("school-autopilot", "school-autopilot-csv", "school-autopilot-skipped"):
        response = client.get(reverse(f"devices:{name}", kwargs={"pk": world.school.pk}))
        assert response.status_code == SCHOOL_STATUS[role], name
        other = client.get(reverse(f"devices:{name}", kwargs={"pk": world.other_school.pk}))
        assert other.status_code == (200 if role == Role.ADMINISTRATOR else 404), name
    for name in ("purchaseorder-autopilot", "purchaseorder-autopilot-csv", "purchaseorder-autopilot-skipped"):
        response = client.get(reverse(f"devices:{name}", kwargs={"pk": fleet.pk}))
        assert response.status_code == ORDER_STATUS[role], name


def test_an_export_is_audited(world, role_users, fleet):
    actor = role_users[Role.OPERATOR_STAFF]
    download, batch = autopilot_export(actor=actor, target=world.school, group_tag="1001")
    event = AuditEvent.objects.get(action="export", object_type="schools.school", object_id=str(world.school.pk))
    assert event.actor_id == actor.pk
    assert {key: event.after[key] for key in ("export", "group_tag", "devices", "files", "skipped", "filename")} == {
        "export": "autopilot",
        "group_tag": "1001",
        "devices": 3,
        "files": 1,
        "skipped": 1,
        "filename": "autopilot-school-1001.csv",
    }


def test_the_service_refuses_without_the_right_and_a_bad_tag(world, role_users, fleet):
    with pytest.raises(PermissionDenied):
        autopilot_export(actor=role_users[Role.AUDITOR], target=world.school, group_tag="")
    with pytest.raises(PermissionDenied):
        autopilot_export(actor=role_users[Role.OPERATOR_STAFF], target=world.other_school, group_tag="")
    with pytest.raises(ValidationError) as error:
        autopilot_export(actor=role_users[Role.OPERATOR_STAFF], target=world.school, group_tag="x,y")
    assert error.value.message_dict == {"group_tag": ["A group tag may not contain commas or quotation marks."]}
    assert not AuditEvent.objects.filter(action="export").exists()


def test_more_than_500_devices_of_a_school_download_as_a_zip(client, world, role_users):
    programme = ProgrammeFactory(authority=world.authority)
    model = DeviceModelFactory(authority=world.authority)
    for number in range(501):
        DeviceFactory(
            programme=programme, school=world.school, device_model=model, serial=f"Z{number:04d}", autopilot_hash=HASH_1
        )
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = client.get(reverse("devices:school-autopilot-csv", kwargs={"pk": world.school.pk}))
    assert (response["Content-Type"], response["Content-Disposition"]) == (
        "application/zip",
        'attachment; filename="autopilot-school-1001.zip"',
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["autopilot-school-1001-001.csv", "autopilot-school-1001-002.csv"]
    assert archive.read("autopilot-school-1001-002.csv").decode() == HEADER.decode() + f"Z0500,,{HASH_1},1001,\r\n"


def test_the_chooser_leads_to_a_school_or_an_order(client, world, role_users, fleet):
    client.force_login(role_users[Role.OPERATOR_STAFF])
    url = reverse("devices:school-autopilot-choose")
    form = client.get(url).context["form"]
    assert list(form.fields["school"].queryset) == [world.school]
    assert list(form.fields["order"].queryset) == [fleet]
    assert client.get(url, {"school": world.school.pk})["Location"] == reverse(
        "devices:school-autopilot", kwargs={"pk": world.school.pk}
    )
    assert client.get(url, {"order": fleet.pk})["Location"] == reverse(
        "devices:purchaseorder-autopilot", kwargs={"pk": fleet.pk}
    )
    assert client.get(url, {"school": world.other_school.pk}).status_code == 400
    client.force_login(role_users[Role.SUPPLIER])
    form = client.get(url).context["form"]
    assert (list(form.fields["school"].queryset), list(form.fields["order"].queryset)) == ([], [fleet])
    client.force_login(role_users[Role.FUNDING_ADMINISTRATOR])
    assert client.get(url).status_code == 403
