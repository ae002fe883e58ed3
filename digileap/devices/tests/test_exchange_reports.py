"""Management reports: Intune and Google Admin exports imported and reconciled with the funded
devices (exact counts), bad files with clear errors and nothing written, the scope of each role,
the pages with their three lists and exports, and the API."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.tabular.engine import run_import
from digileap.core.tabular.errors import ImportFileError
from digileap.devices import lifecycle
from digileap.devices.models import DeviceStatus, DeviceType, ManagedDevice, ManagementReport
from digileap.devices.services.exchange import managementreport_import
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from .factories import DeviceFactory, DeviceModelFactory

pytestmark = pytest.mark.django_db

INTUNE_HEADER = [
    "Device ID",
    "Device name",
    "Managed by",
    "Ownership",
    "Compliance",
    "OS",
    "OS version",
    "Last check-in",
    "Primary user UPN",
    "Primary user email address",
    "Primary user display name",
    "Serial number",
    "Manufacturer",
    "Model",
]
GOOGLE_HEADER = [
    "Device ID",
    "Serial Number",
    "Status",
    "Last Sync",
    "Annotated User",
    "Annotated Location",
    "Annotated Asset ID",
    "Model",
    "Org Unit Path",
]


def intune_row(name, serial, manufacturer, check_in="2024-09-30 14:05:00.0000000", model="ThinkPad L13"):
    return [
        "6f1c",
        name,
        "Intune",
        "Corporate",
        "Compliant",
        "Windows",
        "10.0.22631",
        check_in,
        "anna.pupil@school.example",
        "anna.pupil@school.example",
        "Anna Pupil",
        serial,
        manufacturer,
        model,
    ]


def google_row(serial, status="ACTIVE", last_sync="2024-09-30T14:05:00.000Z", asset=""):
    return ["0a1b", serial, status, last_sync, "bert.pupil@school.example", "Room 4", asset, "Acer Chromebook 311", "/"]


def csv_bytes(header, rows, *, encoding="utf-8-sig", delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(content: bytes, name="export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def funded(world):
    """Devices funded for the INSIDE operator's school, one at a neighbour school of the same
    operator, and one at the OUTSIDE school."""
    programme = ProgrammeFactory(authority=world.authority)
    lenovo = DeviceModelFactory(authority=world.authority, manufacturer="Lenovo", name="ThinkPad L13")
    dell = DeviceModelFactory(authority=world.authority, manufacturer="Dell", name="Latitude 3440")
    acer = DeviceModelFactory(
        authority=world.authority, manufacturer="Acer", name="Chromebook 311", device_type=DeviceType.CHROMEBOOK
    )
    neighbour = SchoolFactory(
        operator=world.operator, authority=world.authority, name="Neighbour school", number="1002"
    )

    def device(serial, model, school=world.school, status=None):
        made = DeviceFactory(programme=programme, school=school, device_model=model, serial=serial)
        if status is not None:
            lifecycle.device_transition(device=made, status=status, actor=None, check_permission=False)
        return made

    devices = {
        "A1": device("SN-A1", lenovo),
        "A2": device("SN-A2", lenovo, status=DeviceStatus.DEPLOYED),
        "A3": device("SN-A3", dell),
        "A4": device("SN-A4", lenovo, status=DeviceStatus.IN_STOCK),
        "A6": device("SN-A6", dell, status=DeviceStatus.LOANED_OUT),
        "A7": device("SN-A7", lenovo, status=DeviceStatus.IN_REPAIR),
        "N1": device("SN-N1", lenovo, school=neighbour),
        "C1": device("CB-1", acer),
        "C2": device("CB-2", acer, status=DeviceStatus.DEPLOYED),
        "C3": device("CB-3", acer),
    }
    DeviceFactory(
        programme=ProgrammeFactory(authority=world.other_authority),
        school=world.other_school,
        serial="SN-OUT1",
        device_model=DeviceModelFactory(authority=world.other_authority, manufacturer="Lenovo"),
    )
    devices["neighbour"] = neighbour
    return devices


def intune_export() -> bytes:
    return csv_bytes(
        INTUNE_HEADER,
        [
            intune_row("PC-1", " sn-a1 ", "LENOVO", "2024-09-30 14:05:00.0000000"),
            intune_row("PC-1-OLD", "SN-A1", "Lenovo", "2024-01-02 08:00:00.0000000"),
            intune_row("PC-3", "SN-A3", "HP"),
            intune_row("PC-6", "SN-A6", "Dell Inc.", "9/30/2024 2:05:00 PM"),
            intune_row("PC-9", "", "LENOVO"),
            intune_row("PC-Z", "ZZ-UNKNOWN", "LENOVO", ""),
            intune_row("PC-O", "SN-OUT1", "LENOVO"),
            intune_row("PC-N", "SN-N1", "LENOVO"),
        ],
    )


def _import(actor, content, *, source="intune", operator, school=None, **options):
    return managementreport_import(
        actor=actor, source=source, operator=operator, school=school, file=upload(content), **options
    )


def _rows(report):
    return list(
        report.managed_devices.order_by("serial").values_list(
            "serial", "manufacturer", "model_name", "device_name", "device__serial"
        )
    )


def test_an_intune_export_of_the_operator_is_reconciled(world, role_users, funded):
    report, plan = _import(role_users[Role.OPERATOR_STAFF], intune_export(), operator=world.operator)
    assert (report.rows, report.matched, report.unknown, report.not_enrolled) == (6, 3, 3, 2)
    assert (plan.skipped_without_serial, plan.skipped_duplicates, plan.skipped_deprovisioned) == (1, 1, 0)
    assert _rows(report) == [
        ("SN-A1", "LENOVO", "ThinkPad L13", "PC-1", "SN-A1"),
        ("SN-A3", "HP", "ThinkPad L13", "PC-3", None),
        ("SN-A6", "Dell Inc.", "ThinkPad L13", "PC-6", "SN-A6"),
        ("SN-N1", "LENOVO", "ThinkPad L13", "PC-N", "SN-N1"),
        ("SN-OUT1", "LENOVO", "ThinkPad L13", "PC-O", None),
        ("ZZ-UNKNOWN", "LENOVO", "ThinkPad L13", "PC-Z", None),
    ]
    kept = report.managed_devices.get(serial="SN-A1")
    assert kept.last_sync_at.isoformat() == "2024-09-30T14:05:00+00:00"
    assert report.managed_devices.get(serial="SN-A6").last_sync_at.isoformat() == "2024-09-30T14:05:00+00:00"
    assert (report.source, report.operator, report.school, report.original_filename) == (
        "intune",
        world.operator,
        None,
        "export.csv",
    )
    assert len(report.sha256) == 64
    assert report.uploaded_by == role_users[Role.OPERATOR_STAFF]


def test_a_report_for_one_school_matches_only_that_schools_devices(world, role_users, funded):
    report, _plan = _import(
        role_users[Role.SCHOOL_COORDINATOR], intune_export(), operator=world.operator, school=world.school
    )
    # SN-N1 belongs to the neighbour school: unknown here.
    assert (report.rows, report.matched, report.unknown, report.not_enrolled) == (6, 2, 4, 2)
    assert report.managed_devices.get(serial="SN-N1").device is None


def test_no_user_name_is_stored(world, role_users, funded):
    report, _plan = _import(role_users[Role.OPERATOR_STAFF], intune_export(), operator=world.operator)
    stored = repr(list(report.managed_devices.values()))
    assert "anna" not in stored.lower()
    assert "Anna" not in repr(AuditEvent.objects.filter(object_type="devices.managementreport").values_list("after"))


def test_a_google_admin_export_is_reconciled(world, role_users, funded):
    content = csv_bytes(
        GOOGLE_HEADER,
        [
            google_row("cb-1", asset="INV-0001"),
            google_row("CB-3", status="DEPROVISIONED"),
            google_row("CB-9", last_sync="2024-09-30 16:05:00", asset="INV-0009"),
            google_row("SN-A1"),
        ],
        encoding="utf-8",
    )
    report, plan = _import(role_users[Role.OPERATOR_STAFF], content, source="google", operator=world.operator)
    # SN-A1 (a Lenovo laptop) matches by serial: a Google row names no manufacturer.
    assert (report.rows, report.matched, report.unknown, report.not_enrolled) == (3, 2, 1, 2)
    assert (plan.skipped_without_serial, plan.skipped_duplicates, plan.skipped_deprovisioned) == (0, 0, 1)
    assert _rows(report) == [
        ("CB-1", "", "Acer Chromebook 311", "INV-0001", "CB-1"),
        ("CB-9", "", "Acer Chromebook 311", "INV-0009", None),
        ("SN-A1", "", "Acer Chromebook 311", "", "SN-A1"),
    ]
    assert report.managed_devices.get(serial="CB-9").last_sync_at.isoformat() == "2024-09-30T16:05:00+00:00"


def test_a_semicolon_windows_1252_file_is_read(world, role_users, funded):
    content = csv_bytes(INTUNE_HEADER, [intune_row("Élève-PC", "SN-A1", "LENOVO")], encoding="cp1252", delimiter=";")
    report, _plan = _import(role_users[Role.OPERATOR_STAFF], content, operator=world.operator)
    assert _rows(report) == [("SN-A1", "LENOVO", "ThinkPad L13", "Élève-PC", "SN-A1")]


def test_the_import_is_audited(world, role_users, funded):
    report, _plan = _import(role_users[Role.OPERATOR_STAFF], intune_export(), operator=world.operator)
    event = AuditEvent.objects.get(object_type="devices.managementreport", object_id=str(report.pk))
    assert event.action == "import"
    assert {key: event.after[key] for key in ("rows", "matched", "unknown", "not_enrolled", "skipped_duplicates")} == {
        "rows": 6,
        "matched": 3,
        "unknown": 3,
        "not_enrolled": 2,
        "skipped_duplicates": 1,
    }


# -- bad files ------------------------------------------------------------------------------------


def _file_error(actor, content, **options) -> list[str]:
    with pytest.raises(ValidationError) as error:
        _import(actor, content, **options)
    assert ManagementReport.objects.count() == 0
    assert ManagedDevice.objects.count() == 0
    return error.value.message_dict["file"]


def test_a_file_of_the_other_tool_names_the_missing_columns(world, role_users, funded):
    content = csv_bytes(GOOGLE_HEADER, [google_row("CB-1")])
    messages = _file_error(role_users[Role.OPERATOR_STAFF], content, operator=world.operator)
    # Headers match without regard to case: Google's 'Serial Number' is Intune's 'Serial number'.
    assert messages == [
        "export.csv, line 1: missing column(s) 'Device name'. The file's columns are: "
        "'Device ID', 'Serial Number', 'Status', 'Last Sync', 'Annotated User', 'Annotated Location', "
        "'Annotated Asset ID', 'Model', 'Org Unit Path'."
    ]


def test_utf16_without_a_byte_order_mark_is_refused(world, role_users, funded):
    content = csv_bytes(INTUNE_HEADER, [intune_row("PC-1", "SN-A1", "LENOVO")], encoding="utf-16-le")
    messages = _file_error(role_users[Role.OPERATOR_STAFF], content, operator=world.operator)
    assert messages == [
        "export.csv, line 1: the file looks like UTF-16LE text without a byte-order mark, which cannot be read "
        "reliably. Save it as CSV UTF-8."
    ]


def test_an_empty_file_is_refused(world, role_users, funded):
    assert _file_error(role_users[Role.OPERATOR_STAFF], b"", operator=world.operator) == ["The file is empty."]


def test_a_bad_date_rejects_the_file_unless_rows_are_skipped(world, role_users, funded):
    content = csv_bytes(
        INTUNE_HEADER,
        [intune_row("PC-1", "SN-A1", "LENOVO"), intune_row("PC-3", "SN-A3", "Dell", check_in="yesterday")],
    )
    actor = role_users[Role.OPERATOR_STAFF]
    messages = _file_error(actor, content, operator=world.operator)
    assert messages == [
        "1 row(s) rejected; nothing was imported. Correct them, or choose to skip rejected rows.",
        "line 3, column 'Last check-in': 'yesterday' is not a date and time such as 2024-09-30 14:05:00, "
        "2024-09-30T14:05:00Z or 9/30/2024 2:05:00 PM",
    ]
    report, _plan = _import(actor, content, operator=world.operator, skip_invalid=True)
    assert (report.rows, report.matched, report.unknown) == (1, 1, 0)


def test_a_serial_longer_than_the_field_is_rejected_with_its_line(world, role_users, funded):
    content = csv_bytes(INTUNE_HEADER, [intune_row("PC-1", "X" * 65, "LENOVO")])
    messages = _file_error(role_users[Role.OPERATOR_STAFF], content, operator=world.operator)
    assert messages[1] == "line 2, column 'Serial number': longer than 64 characters"


def test_a_school_of_another_operator_is_refused(world, role_users, funded):
    with pytest.raises(ValidationError) as error:
        _import(role_users[Role.ADMINISTRATOR], intune_export(), operator=world.other_operator, school=world.school)
    assert error.value.message_dict == {"school": ["INSIDE school (1001) is not a school of OUTSIDE operator."]}


@pytest.mark.parametrize(
    "role, operator, school",
    [
        (Role.OPERATOR_STAFF, "other_operator", None),
        (Role.SCHOOL_COORDINATOR, "operator", None),
        (Role.SCHOOL_COORDINATOR, "other_operator", "other_school"),
        (Role.PROGRAMME_OWNER, "operator", None),
        (Role.FUNDING_ADMINISTRATOR, "operator", None),
        (Role.SUPPLIER, "operator", None),
        (Role.AUDITOR, "operator", None),
    ],
)
def test_an_import_outside_the_scope_is_refused(world, role_users, funded, role, operator, school):
    with pytest.raises(PermissionDenied):
        _import(
            role_users[role],
            intune_export(),
            operator=getattr(world, operator),
            school=getattr(world, school) if school else None,
        )
    assert ManagementReport.objects.count() == 0


def test_the_generic_import_flow_takes_the_operator_from_the_scope(world, role_users, funded):
    result = run_import(
        target="management_reports",
        source=io.BytesIO(intune_export()),
        profile="intune",
        actor=role_users[Role.OPERATOR_STAFF],
        filename="export.csv",
    )
    assert result.summary() == {"created": 6, "updated": 0, "unchanged": 2, "rejected": 0}
    report = ManagementReport.objects.get()
    assert (report.operator, report.school, report.matched, report.original_filename) == (
        world.operator,
        None,
        3,
        "Microsoft Intune: All devices export",
    )


def test_a_large_export_imports_with_a_bounded_number_of_queries(
    world, role_users, funded, django_assert_max_num_queries
):
    rows = [intune_row(f"PC-{n}", f"BULK-{n:06d}", "LENOVO") for n in range(12000)]
    content = csv_bytes(INTUNE_HEADER, rows)
    with django_assert_max_num_queries(40):
        report, _plan = _import(role_users[Role.OPERATOR_STAFF], content, operator=world.operator)
    assert (report.rows, report.unknown, ManagedDevice.objects.filter(report=report).count()) == (12000, 12000, 12000)


# -- re-imports -----------------------------------------------------------------------------------


def test_the_same_export_again_writes_nothing(world, role_users, funded):
    actor = role_users[Role.OPERATOR_STAFF]
    first = run_import(
        target="management_reports",
        source=io.BytesIO(intune_export()),
        profile="intune",
        actor=actor,
        filename="export.csv",
    )
    assert first.summary() == {"created": 6, "updated": 0, "unchanged": 2, "rejected": 0}
    report = ManagementReport.objects.get()
    events = AuditEvent.objects.count()
    again = run_import(
        target="management_reports",
        source=io.BytesIO(intune_export()),
        profile="intune",
        actor=actor,
        filename="export-again.csv",
    )
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 8, "rejected": 0}
    assert list(ManagementReport.objects.all()) == [report]
    assert ManagedDevice.objects.count() == 6
    assert AuditEvent.objects.count() == events
    # Through the page's service, the upload shows the report that already says it all.
    shown, plan = _import(actor, intune_export(), operator=world.operator)
    assert (shown, plan.matched, ManagementReport.objects.count()) == (report, 3, 1)


def test_the_same_export_after_a_change_in_the_register_is_a_new_report(world, role_users, funded):
    actor = role_users[Role.OPERATOR_STAFF]
    first, _plan = _import(actor, intune_export(), operator=world.operator)
    lifecycle.device_transition(device=funded["A4"], status=DeviceStatus.DELIVERED, actor=None, check_permission=False)
    second, _plan = _import(actor, intune_export(), operator=world.operator)
    assert second.pk != first.pk
    assert (first.not_enrolled, second.not_enrolled) == (2, 3)
    # The same rows for another school of the operator are another report too.
    third, _plan = _import(actor, intune_export(), operator=world.operator, school=world.school)
    assert ManagementReport.objects.count() == 3
    assert third.school == world.school


def test_an_intune_export_uploaded_as_google_admin_is_refused(world, role_users, funded):
    # Headers match without regard to case: only the tools' own columns tell the exports apart.
    messages = _file_error(role_users[Role.OPERATOR_STAFF], intune_export(), source="google", operator=world.operator)
    assert messages == [
        "export.csv, line 1: the file looks like an export of Microsoft Intune (columns 'Last check-in', "
        "'Managed by', 'Primary user UPN'), not of Google Admin: choose Microsoft Intune"
    ]
    with pytest.raises(ImportFileError) as error:
        run_import(
            target="management_reports",
            source=io.BytesIO(intune_export()),
            profile="google",
            actor=role_users[Role.OPERATOR_STAFF],
            filename="devices.csv",
        )
    assert error.value.describe().startswith("devices.csv, line 1: the file looks like an export of Microsoft Intune")
    assert ManagementReport.objects.count() == 0
