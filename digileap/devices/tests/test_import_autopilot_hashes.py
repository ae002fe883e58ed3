"""Windows Autopilot hash files (as Get-WindowsAutopilotInfo writes them: UTF-16 LE with a BOM,
CRLF) attach hardware hashes to devices already delivered: exact counts, audit, re-import without
changes, and row errors for unknown serials, devices outside the scope and bad hashes."""

import base64

import pytest
from django.core.exceptions import PermissionDenied

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.tabular.engine import ImportRejected, may_import, run_import
from digileap.core.tabular.profiles import available_profiles
from digileap.devices.models import Device, DeviceType
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories import DeviceFactory, DeviceModelFactory

pytestmark = pytest.mark.django_db

HEADER = "Device Serial Number,Windows Product ID,Hardware Hash"


def hardware_hash(seed: str) -> str:
    return base64.b64encode(f"hardware hash of {seed} ".encode() * 20).decode()


def hash_file(tmp_path, lines, name="AutopilotHWID.csv"):
    """A file as Windows PowerShell's Out-File writes it: UTF-16 LE with a byte-order mark, CRLF."""
    path = tmp_path / name
    text = "\r\n".join([HEADER, *lines]) + "\r\n"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    return path


def _import(path, actor, **options):
    return run_import(target="autopilot_hashes", source=path, profile="autopilot-hashes", actor=actor, **options)


@pytest.fixture
def laptops(world):
    programme = ProgrammeFactory(authority=world.authority)
    lenovo = DeviceModelFactory(authority=world.authority, manufacturer="Lenovo", device_type=DeviceType.LAPTOP)
    outside = DeviceModelFactory(authority=world.other_authority, manufacturer="Lenovo", device_type=DeviceType.LAPTOP)
    return {
        "A1": DeviceFactory(programme=programme, school=world.school, device_model=lenovo, serial="PF-A1"),
        "A2": DeviceFactory(
            programme=programme, school=world.school, device_model=lenovo, serial="PF-A2", windows_product_id="00330-1"
        ),
        "OUT": DeviceFactory(
            programme=ProgrammeFactory(authority=world.other_authority),
            school=world.other_school,
            device_model=outside,
            serial="PF-OUT",
        ),
    }


def stored():
    return list(Device.objects.order_by("serial").values_list("serial", "autopilot_hash", "windows_product_id"))


def test_the_target_and_its_profile_are_offered():
    assert sorted(available_profiles("autopilot_hashes")) == ["autopilot-hashes"]


def test_a_hash_file_attaches_hashes_and_a_re_import_changes_nothing(world, role_users, laptops, tmp_path):
    path = hash_file(tmp_path, [f"pf-a1,,{hardware_hash('A1')}", f"PF-A2,00330-2,{hardware_hash('A2')}"])
    actor = role_users[Role.SCHOOL_COORDINATOR]
    result = _import(path, actor)
    assert result.summary() == {"created": 0, "updated": 2, "unchanged": 0, "rejected": 0}
    assert (result.encoding.lower(), result.delimiter) == ("utf-16", ",")
    assert stored() == [
        ("PF-A1", hardware_hash("A1"), ""),
        ("PF-A2", hardware_hash("A2"), "00330-2"),
        ("PF-OUT", "", ""),
    ]
    events = AuditEvent.objects.filter(object_type="devices.device", action="update").order_by("object_id")
    assert [(event.object_id, event.before, event.after) for event in events] == [
        (str(laptops["A1"].pk), {"autopilot_hash": ""}, {"autopilot_hash": hardware_hash("A1")}),
        (
            str(laptops["A2"].pk),
            {"autopilot_hash": "", "windows_product_id": "00330-1"},
            {"autopilot_hash": hardware_hash("A2"), "windows_product_id": "00330-2"},
        ),
    ]
    summary = AuditEvent.objects.get(action="import")
    assert (summary.object_type, summary.after) == (
        "devices.autopilot-hash-import",
        {"updated": 2, "unchanged": 0, "rejected": 0},
    )
    count = AuditEvent.objects.count()
    again = _import(path, actor)
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert AuditEvent.objects.count() == count


def test_a_changed_hash_is_updated_and_an_empty_product_id_keeps_the_stored_one(world, role_users, laptops, tmp_path):
    Device.objects.filter(pk=laptops["A2"].pk).update(autopilot_hash=hardware_hash("old board"))
    path = hash_file(tmp_path, [f"PF-A2,,{hardware_hash('new board')}"])
    result = _import(path, role_users[Role.OPERATOR_STAFF])
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert stored()[1] == ("PF-A2", hardware_hash("new board"), "00330-1")
    event = AuditEvent.objects.get(object_type="devices.device", action="update")
    assert (event.before, event.after) == (
        {"autopilot_hash": hardware_hash("old board")},
        {"autopilot_hash": hardware_hash("new board")},
    )


def test_unknown_serials_and_devices_outside_the_scope_are_row_errors(world, role_users, laptops, tmp_path):
    path = hash_file(
        tmp_path,
        [
            f"PF-A1,,{hardware_hash('A1')}",
            f"PF-NOPE,,{hardware_hash('nope')}",
            f"PF-OUT,,{hardware_hash('out')}",
            "PF-A2,,not base64!",
        ],
    )
    actor = role_users[Role.SCHOOL_COORDINATOR]
    with pytest.raises(ImportRejected) as rejected:
        _import(path, actor)
    assert [(e.line, e.column, e.message, e.value) for e in rejected.value.result.errors] == [
        (3, "Device Serial Number", "no device with the serial number PF-NOPE", "PF-NOPE"),
        (4, "Device Serial Number", "the device PF-OUT is outside your scope: your role may not change it", "PF-OUT"),
        (
            5,
            "Hardware Hash",
            "the hardware hash is not Base64 text as Get-WindowsAutopilotInfo writes it",
            "not base64!",
        ),
    ]
    assert [hash_ for _serial, hash_, _product in stored()] == ["", "", ""]
    assert not AuditEvent.objects.exists()
    result = _import(path, actor, skip_invalid=True)
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 3}
    assert stored()[0] == ("PF-A1", hardware_hash("A1"), "")


def test_a_repeated_line_counts_once_and_a_differing_one_is_rejected(world, role_users, laptops, tmp_path):
    path = hash_file(
        tmp_path,
        [
            f"PF-A1,,{hardware_hash('A1')}",
            f"PF-A1,,{hardware_hash('A1')}",
            f"PF-A2,,{hardware_hash('A2')}",
            f"PF-A2,,{hardware_hash('A2 again')}",
        ],
    )
    result = _import(path, role_users[Role.SCHOOL_COORDINATOR], dry_run=True)
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 2}
    assert [(e.line, e.message) for e in result.errors] == [
        (4, "serial PF-A2 appears again with another hash on line(s) 5"),
        (5, "serial PF-A2 appears again with another hash on line(s) 4"),
    ]


def test_a_serial_of_two_manufacturers_goes_to_the_windows_device(world, role_users, laptops, tmp_path):
    chromebook = DeviceModelFactory(authority=world.authority, manufacturer="Acer", device_type=DeviceType.CHROMEBOOK)
    DeviceFactory(programme=laptops["A1"].programme, school=world.school, device_model=chromebook, serial="PF-A1")
    path = hash_file(tmp_path, [f"PF-A1,,{hardware_hash('A1')}"])
    result = _import(path, role_users[Role.SCHOOL_COORDINATOR])
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert Device.objects.get(pk=laptops["A1"].pk).autopilot_hash == hardware_hash("A1")
    assert Device.objects.get(manufacturer="Acer").autopilot_hash == ""


def test_a_programme_owner_and_a_supplier_within_their_scope(world, role_users, laptops, tmp_path):
    Device.objects.filter(pk=laptops["A2"].pk).update(supplier=world.supplier)
    path = hash_file(tmp_path, [f"PF-A2,,{hardware_hash('A2')}"])
    assert _import(path, role_users[Role.SUPPLIER]).summary()["updated"] == 1
    other = hash_file(tmp_path, [f"PF-A1,,{hardware_hash('A1')}"], name="other.csv")
    supplier_result = _import(other, role_users[Role.SUPPLIER], dry_run=True)
    assert [e.message for e in supplier_result.errors] == [
        "the device PF-A1 is outside your scope: your role may not change it"
    ]
    assert _import(other, role_users[Role.PROGRAMME_OWNER]).summary()["updated"] == 1


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FUNDING_ADMINISTRATOR])
def test_roles_that_may_not_change_devices_may_not_import(role, world, role_users, laptops, tmp_path):
    actor = role_users[role]
    assert may_import(actor, "autopilot_hashes") is False
    with pytest.raises(PermissionDenied):
        _import(hash_file(tmp_path, [f"PF-A1,,{hardware_hash('A1')}"]), actor)
    assert stored()[0] == ("PF-A1", "", "")


def test_a_utf8_file_with_group_tag_and_assigned_user_columns(world, role_users, laptops, tmp_path):
    path = tmp_path / "hashes.csv"
    path.write_bytes(
        (
            "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User\n"
            f"PF-A1,,{hardware_hash('A1')},Pupils,\n"
        ).encode()
    )
    result = _import(path, role_users[Role.SCHOOL_COORDINATOR])
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
