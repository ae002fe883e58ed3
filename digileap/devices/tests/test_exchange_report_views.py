"""Management-report pages and API: upload, the report with its three lists (paged, htmx), the CSV
exports of each list, and who reads and uploads what."""

import pytest
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.devices.models import ManagedDevice, ManagementReport

from .test_exchange_reports import (  # noqa: F401  (the fixture is used by name)
    INTUNE_HEADER,
    csv_bytes,
    funded,
    intune_export,
    intune_row,
    upload,
)

pytestmark = pytest.mark.django_db


def _upload_form(client, world, content, **fields):
    data = {"source": "intune", "operator": world.operator.pk, "school": "", "file": upload(content), **fields}
    return client.post(reverse("devices:managementreport-create"), data)


@pytest.fixture
def report(client, world, role_users, funded):  # noqa: F811
    client.force_login(role_users[Role.OPERATOR_STAFF])
    response = _upload_form(client, world, intune_export())
    assert response.status_code == 302
    return ManagementReport.objects.get()


def test_an_upload_leads_to_the_report(client, world, role_users, report):
    assert list(client.get(reverse("devices:managementreport-list")).context["page"].object_list) == [report]
    response = client.get(reverse("devices:managementreport-detail", kwargs={"pk": report.pk}), follow=True)
    text = response.content.decode()
    assert "Funded and enrolled (3)" in text
    assert "Enrolled but unknown (3)" in text
    assert "Funded but not enrolled (2)" in text
    assert [row.serial for row in response.context["page"].object_list] == ["SN-A1", "SN-A6", "SN-N1"]


def test_the_upload_message_names_the_counts(client, world, role_users, funded):  # noqa: F811
    client.force_login(role_users[Role.OPERATOR_STAFF])
    response = _upload_form(client, world, intune_export())
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == [
        "6 devices imported: 3 funded and enrolled, 3 unknown; 2 funded devices are not enrolled.",
        "Rows left out: 1 without a serial number, 1 listed twice, 0 deprovisioned.",
    ]


@pytest.mark.parametrize(
    "name, serials",
    [
        ("matched", ["SN-A1", "SN-A6", "SN-N1"]),
        ("unknown", ["SN-A3", "SN-OUT1", "ZZ-UNKNOWN"]),
        ("not_enrolled", ["SN-A2", "SN-A3"]),
    ],
)
def test_each_list_is_shown_and_htmx_gets_the_list_alone(client, report, name, serials):
    url = reverse("devices:managementreport-detail", kwargs={"pk": report.pk})
    response = client.get(url, {"list": name})
    assert [row.serial for row in response.context["page"].object_list] == serials
    partial = client.get(url, {"list": name}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="report-list")
    assert [t.name for t in partial.templates][0] == "devices/_exchange_report_list.html"
    assert partial.content.decode().lstrip().startswith('<section id="report-list"')


def test_the_lists_export_as_csv(client, report):
    url = reverse("devices:managementreport-export", kwargs={"pk": report.pk})
    matched = b"".join(client.get(url, {"list": "matched"}).streaming_content).decode("utf-8-sig")
    assert matched.splitlines() == [
        "serial_number;manufacturer;model;device_name;last_check_in;school_number;school_name;device_status",
        "SN-A1;LENOVO;ThinkPad L13;PC-1;2024-09-30T14:05:00+00:00;1001;INSIDE school;delivered",
        "SN-A6;Dell Inc.;ThinkPad L13;PC-6;2024-09-30T14:05:00+00:00;1001;INSIDE school;loaned_out",
        "SN-N1;LENOVO;ThinkPad L13;PC-N;2024-09-30T14:05:00+00:00;1002;Neighbour school;delivered",
    ]
    unknown = b"".join(client.get(url, {"list": "unknown"}).streaming_content).decode("utf-8-sig")
    assert unknown.splitlines()[1:] == [
        "SN-A3;HP;ThinkPad L13;PC-3;2024-09-30T14:05:00+00:00",
        "SN-OUT1;LENOVO;ThinkPad L13;PC-O;2024-09-30T14:05:00+00:00",
        "ZZ-UNKNOWN;LENOVO;ThinkPad L13;PC-Z;",
    ]
    not_enrolled = b"".join(client.get(url, {"list": "not_enrolled"}).streaming_content).decode("utf-8-sig")
    today = timezone.localdate().isoformat()
    assert not_enrolled.splitlines()[1:] == [
        f"SN-A2;Lenovo;ThinkPad L13;laptop;deployed;1001;INSIDE school;{today}",
        f"SN-A3;Dell;Latitude 3440;laptop;delivered;1001;INSIDE school;{today}",
    ]


def test_exported_cells_are_safe_in_a_spreadsheet(client, world, role_users, funded):  # noqa: F811
    client.force_login(role_users[Role.OPERATOR_STAFF])
    _upload_form(client, world, csv_bytes(INTUNE_HEADER, [intune_row("@SUM(A1)", "SN-X", "+cmd")]))
    report = ManagementReport.objects.get()
    url = reverse("devices:managementreport-export", kwargs={"pk": report.pk})
    text = b"".join(client.get(url, {"list": "unknown"}).streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1] == "SN-X;'+cmd;ThinkPad L13;'@SUM(A1);2024-09-30T14:05:00+00:00"


def test_bad_files_are_shown_on_the_form(client, world, role_users, funded):  # noqa: F811
    client.force_login(role_users[Role.OPERATOR_STAFF])
    response = _upload_form(client, world, b"name;number\nx;1\n", source="google")
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "export.csv, line 1: missing column(s) 'Serial Number'. The file's columns are: 'name', 'number'."
    ]
    assert ManagementReport.objects.count() == 0


def test_an_operator_outside_the_scope_cannot_be_chosen(client, world, role_users, funded):  # noqa: F811
    client.force_login(role_users[Role.OPERATOR_STAFF])
    response = _upload_form(client, world, intune_export(), operator=world.other_operator.pk)
    assert response.status_code == 400
    assert response.context["form"].errors["operator"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert ManagementReport.objects.count() == 0


def test_a_coordinator_uploads_for_the_own_school_only(client, world, role_users, funded):  # noqa: F811
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    form = client.get(reverse("devices:managementreport-create")).context["form"]
    assert list(form.fields["operator"].queryset) == [world.operator]
    assert list(form.fields["school"].queryset) == [world.school]
    response = _upload_form(client, world, intune_export())
    assert response.context["form"].errors["school"] == ["This field is required."]
    assert _upload_form(client, world, intune_export(), school=world.school.pk).status_code == 302


UPLOAD_STATUS = {
    Role.ADMINISTRATOR: 200,
    Role.PROGRAMME_OWNER: 403,
    Role.FUNDING_ADMINISTRATOR: 403,
    Role.OPERATOR_STAFF: 200,
    Role.SCHOOL_COORDINATOR: 200,
    Role.SUPPLIER: 403,
    Role.AUDITOR: 403,
    Role.TEACHER: 403,
    Role.DATA_PROTECTION_OFFICER: 403,
}
READ_STATUS = {
    **{role: 200 for role in Role},
    Role.SUPPLIER: 404,
    Role.SCHOOL_COORDINATOR: 404,
    Role.TEACHER: 404,
    Role.DATA_PROTECTION_OFFICER: 404,
}


@pytest.mark.parametrize("role", list(Role))
def test_who_reads_and_uploads(client, role_users, report, role):
    client.force_login(role_users[role])
    assert client.get(reverse("devices:managementreport-create")).status_code == UPLOAD_STATUS[role]
    # The report covers the whole operator: the coordinator of one school does not read it.
    detail = client.get(reverse("devices:managementreport-detail", kwargs={"pk": report.pk}))
    assert detail.status_code == READ_STATUS[role]
    export = client.get(reverse("devices:managementreport-export", kwargs={"pk": report.pk}), {"list": "unknown"})
    assert export.status_code == READ_STATUS[role]
    listed = client.get(reverse("devices:managementreport-list")).context["page"].object_list
    assert list(listed) == ([report] if READ_STATUS[role] == 200 else [])


# -- API ------------------------------------------------------------------------------------------


def test_the_api_imports_by_multipart_upload(client, world, role_users, funded):  # noqa: F811
    client.force_login(role_users[Role.OPERATOR_STAFF])
    response = client.post(
        "/api/management-reports/",
        {"source": "intune", "operator": world.operator.pk, "file": upload(intune_export())},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {
        key: body[key] for key in ("source", "operator", "school", "rows", "matched", "unknown", "not_enrolled")
    } == {
        "source": "intune",
        "operator": world.operator.pk,
        "school": None,
        "rows": 6,
        "matched": 3,
        "unknown": 3,
        "not_enrolled": 2,
    }
    unknown = client.get("/api/managed-devices/", {"report": body["id"], "matched": "false"}).json()
    assert [row["serial"] for row in unknown["results"]] == ["SN-A3", "SN-OUT1", "ZZ-UNKNOWN"]
    matched = client.get("/api/managed-devices/", {"report": body["id"], "matched": "true"}).json()
    assert [(row["serial"], row["matched"]) for row in matched["results"]] == [
        ("SN-A1", True),
        ("SN-A6", True),
        ("SN-N1", True),
    ]


def test_the_api_names_bad_input(client, world, role_users, funded):  # noqa: F811
    client.force_login(role_users[Role.OPERATOR_STAFF])
    outside = client.post(
        "/api/management-reports/",
        {"source": "intune", "operator": world.other_operator.pk, "file": upload(intune_export())},
    )
    assert outside.status_code == 400
    assert outside.json() == {"operator": [f'Invalid pk "{world.other_operator.pk}" - object does not exist.']}
    bad = client.post(
        "/api/management-reports/",
        {"source": "google", "operator": world.operator.pk, "file": upload(intune_export())},
    )
    assert bad.status_code == 400
    assert bad.json()["file"][0].startswith("export.csv, line 1: the file looks like an export of Microsoft Intune")
    assert ManagementReport.objects.count() == 0
    client.force_login(role_users[Role.AUDITOR])
    assert (
        client.post(
            "/api/management-reports/",
            {"source": "intune", "operator": world.operator.pk, "file": upload(intune_export())},
        ).status_code
        == 403
    )


def test_the_api_reads_only_the_scope(client, role_users, report):
    rows = ManagedDevice.objects.filter(report=report).count()
    for role, count in ((Role.OPERATOR_STAFF, 1), (Role.SCHOOL_COORDINATOR, 0), (Role.AUDITOR, 1)):
        client.force_login(role_users[role])
        assert client.get("/api/management-reports/").json()["count"] == count
        assert client.get("/api/managed-devices/", {"report": report.pk}).json()["count"] == (rows if count else 0)
    # Suppliers hold no grant on management reports at all.
    client.force_login(role_users[Role.SUPPLIER])
    assert client.get("/api/management-reports/").status_code == 403
    assert client.get("/api/managed-devices/").status_code == 403
