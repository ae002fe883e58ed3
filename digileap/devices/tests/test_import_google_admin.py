"""Google Admin's ChromeOS device export as the console writes it today: lower-case headers and
12-hour times ("2024-10-07 09:08 AM"), read by the built-in ``google`` profile; the older
capitalised export keeps working."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from digileap.accounts.models import Role
from digileap.devices.exchange import parse_check_in
from digileap.devices.models import DeviceType, ManagedDevice, ManagementReport
from digileap.devices.services.exchange import managementreport_import
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories import DeviceFactory, DeviceModelFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC

TODAY_HEADER = [
    "device id",
    "serial number",
    "status",
    "last sync",
    "annotated user",
    "annotated location",
    "annotated asset id",
    "model",
    "org unit path",
    "os version",
]


def export(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def row(serial, last_sync, *, status="ACTIVE", asset=""):
    return ["0a1b", serial, status, last_sync, "bert.pupil@school.example", "Room 4", asset, "Acer Chromebook 311", "/",
            "129.0.6668.99"]  # fmt: skip


@pytest.fixture
def chromebooks(world):
    acer = DeviceModelFactory(
        authority=world.authority, manufacturer="Acer", name="Chromebook 311", device_type=DeviceType.CHROMEBOOK
    )
    programme = ProgrammeFactory(authority=world.authority)
    return [
        DeviceFactory(programme=programme, school=world.school, device_model=acer, serial=s) for s in ("CB-1", "CB-2")
    ]


def _import(actor, content, operator):
    return managementreport_import(
        actor=actor,
        source="google",
        operator=operator,
        file=SimpleUploadedFile("chrome-devices.csv", content, content_type="text/csv"),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-10-07 09:08 AM", datetime.datetime(2024, 10, 7, 9, 8, tzinfo=UTC)),
        ("2024-10-07 09:08 PM", datetime.datetime(2024, 10, 7, 21, 8, tzinfo=UTC)),
        ("2024-10-07 12:05 AM", datetime.datetime(2024, 10, 7, 0, 5, tzinfo=UTC)),
        ("2024-10-07 12:30 PM", datetime.datetime(2024, 10, 7, 12, 30, tzinfo=UTC)),
        ("2024-10-07 9:08:41 am", datetime.datetime(2024, 10, 7, 9, 8, 41, tzinfo=UTC)),
        ("2024-10-07 09:08 p.m.", datetime.datetime(2024, 10, 7, 21, 8, tzinfo=UTC)),
        ("9/30/2024 2:05:00 PM", datetime.datetime(2024, 9, 30, 14, 5, tzinfo=UTC)),
        ("9/30/2024 12:00 AM", datetime.datetime(2024, 9, 30, 0, 0, tzinfo=UTC)),
        ("2024-10-07 09:08 AM UTC", datetime.datetime(2024, 10, 7, 9, 8, tzinfo=UTC)),
    ],
)
def test_twelve_hour_times(text, expected):
    assert parse_check_in(text) == expected


@pytest.mark.parametrize("text", ["2024-10-07 13:08 PM", "2024-10-07 00:08 AM", "2024-13-07 09:08 AM"])
def test_impossible_twelve_hour_times_are_refused(text):
    with pytest.raises(ValueError) as error:
        parse_check_in(text)
    assert str(error.value).startswith(f"{text!r} is not a date and time such as")


def test_todays_export_with_lower_case_headers(world, role_users, chromebooks):
    content = export(
        TODAY_HEADER,
        [
            row("cb-1", "2024-10-07 09:08 AM", asset="INV-0001"),
            row("CB-2", "2024-10-07 12:30 PM", status="DEPROVISIONED"),
            row("CB-9", "2024-10-06 12:05 AM", asset="INV-0009"),
        ],
    )
    report, plan = _import(role_users[Role.OPERATOR_STAFF], content, world.operator)
    assert (report.rows, report.matched, report.unknown, report.not_enrolled) == (2, 1, 1, 1)
    assert plan.skipped_deprovisioned == 1
    assert list(
        ManagedDevice.objects.order_by("serial").values_list("serial", "model_name", "device_name", "last_sync_at")
    ) == [
        ("CB-1", "Acer Chromebook 311", "INV-0001", datetime.datetime(2024, 10, 7, 9, 8, tzinfo=UTC)),
        ("CB-9", "Acer Chromebook 311", "INV-0009", datetime.datetime(2024, 10, 6, 0, 5, tzinfo=UTC)),
    ]


def test_the_capitalised_export_keeps_working(world, role_users, chromebooks):
    header = ["Device ID", "Serial Number", "Status", "Last Sync", "Annotated User", "Annotated Location",
              "Annotated Asset ID", "Model", "Org Unit Path", "OS Version"]  # fmt: skip
    content = export(header, [row("CB-1", "2024-09-30T14:05:00.000Z", asset="INV-0001")])
    report, _plan = _import(role_users[Role.OPERATOR_STAFF], content, world.operator)
    assert list(ManagedDevice.objects.values_list("serial", "device_name", "last_sync_at", "device_id")) == [
        ("CB-1", "INV-0001", datetime.datetime(2024, 9, 30, 14, 5, tzinfo=UTC), chromebooks[0].pk)
    ]
    assert report.not_enrolled == 1


def test_a_bad_time_names_the_lower_case_column(world, role_users, chromebooks):
    content = export(TODAY_HEADER, [row("CB-1", "2024-10-07 09:08 AM"), row("CB-2", "yesterday 9 AM")])
    with pytest.raises(ValidationError) as error:
        _import(role_users[Role.OPERATOR_STAFF], content, world.operator)
    assert error.value.message_dict["file"][1] == (
        "line 3, column 'Last Sync': 'yesterday 9 AM' is not a date and time such as 2024-09-30 14:05:00, "
        "2024-09-30T14:05:00Z or 9/30/2024 2:05:00 PM"
    )
    assert ManagementReport.objects.count() == 0


def test_a_file_without_a_serial_column_is_refused(world, role_users, chromebooks):
    content = export(["device id", "model", "last sync"], [["0a1b", "Acer Chromebook 311", "2024-10-07 09:08 AM"]])
    with pytest.raises(ValidationError) as error:
        _import(role_users[Role.OPERATOR_STAFF], content, world.operator)
    [message] = error.value.message_dict["file"]
    assert message.startswith("chrome-devices.csv, line 1: missing column(s) 'Serial Number'. The file's columns are: ")
    assert ManagementReport.objects.count() == 0
