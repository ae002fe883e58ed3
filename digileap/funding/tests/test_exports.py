"""The call's exports, read back from the files: CSV with ``csv``, XLSX with openpyxl. Exact rows per
role; formulas escaped; operator staff never get another operator's rows."""

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role

from .reports_data import funded_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(world):
    return funded_call(world)


def download(user, call, table: str, file_format: str = "csv"):
    client = Client()
    client.force_login(user)
    response = client.get(reverse(f"funding:call-export-{table}", kwargs={"pk": call.pk}), {"format": file_format})
    assert response.status_code == 200, response.status_code
    return response


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


APPLICATION_HEADERS = [
    "Call",
    "Operator code",
    "Operator",
    "Application",
    "Title",
    "State",
    "Roll-out year",
    "Schools",
    "Cost lines",
    "Cost (EUR)",
    "Funding requested (EUR)",
    "Grant",
    "Funding approved (EUR)",
]


def test_applications_csv_of_the_authority(funded, owner):
    response = download(owner, funded.call, "applications")
    assert response["Content-Disposition"] == 'attachment; filename="dp-26-applications.csv"'
    code = funded.inside.code
    assert csv_rows(response) == [
        APPLICATION_HEADERS,
        ["DP-26", "beta", "Beta operator", "1", "", "Draft", "", "0", "1", "5000.00", "4500.00", "", ""],
        ["DP-26", code, "INSIDE operator", "1", "", "Submitted", "", "0", "2", "1500.00", "1350.00", "", ""],
        ["DP-26", code, "INSIDE operator", "2", "", "Withdrawn", "", "0", "1", "1000.00", "900.00", "", ""],
        ["DP-26", code, "INSIDE operator", "3", "", "Approved", "", "0", "1", "1000.00", "900.00", "G-IN", "800.00"],
    ]


def test_operator_staff_get_their_own_applications_only(funded, staff):
    rows = csv_rows(download(staff, funded.call, "applications"))
    assert [row[2] for row in rows[1:]] == ["INSIDE operator"] * 3
    assert "Beta operator" not in str(rows)


def test_cost_lines_xlsx_escapes_formulas(funded, owner):
    rows = xlsx_rows(download(owner, funded.call, "lines", "xlsx"))
    assert rows[0] == [
        "Call",
        "Operator code",
        "Operator",
        "Application",
        "State",
        "Line",
        "Cost category",
        "School number",
        "School",
        "Description",
        "Quantity",
        "Unit price (EUR)",
        "Amount (EUR)",
        "Funding requested (EUR)",
        "Funding approved (EUR)",
    ]
    code = funded.inside.code
    assert rows[1:] == [
        [
            "DP-26",
            "beta",
            "Beta operator",
            1,
            "Draft",
            1,
            "network",
            "3003",
            "Beta school",
            "Switches",
            1,
            5000,
            5000,
            4500,
            None,
        ],
        [
            "DP-26",
            code,
            "INSIDE operator",
            1,
            "Submitted",
            1,
            "network",
            "1001",
            "INSIDE school",
            "Switches",
            1,
            1000,
            1000,
            900,
            None,
        ],
        [
            "DP-26",
            code,
            "INSIDE operator",
            1,
            "Submitted",
            2,
            "network",
            None,
            None,
            "'=HYPERLINK(1)",
            1,
            500,
            500,
            450,
            None,
        ],
        [
            "DP-26",
            code,
            "INSIDE operator",
            2,
            "Withdrawn",
            1,
            "network",
            None,
            None,
            "Switches",
            1,
            1000,
            1000,
            900,
            None,
        ],
        [
            "DP-26",
            code,
            "INSIDE operator",
            3,
            "Approved",
            1,
            "network",
            None,
            None,
            "Switches",
            1,
            1000,
            1000,
            900,
            800,
        ],
    ]


def test_operator_staff_get_their_own_lines_only(funded, staff):
    rows = xlsx_rows(download(staff, funded.call, "lines", "xlsx"))
    assert {row[2] for row in rows[1:]} == {"INSIDE operator"}
    assert len(rows) == 6 - 1  # header and four of the INSIDE operator's lines


CLAIM_HEADERS = [
    "Call",
    "Operator code",
    "Operator",
    "Grant",
    "Claim",
    "State",
    "Submitted",
    "Funding claimed (EUR)",
    "Paid on",
    "Payment reference",
    "Supplier",
    "Invoice number",
    "Invoice date",
    "Invoice total (EUR)",
    "Funding claimed on the invoice (EUR)",
]


def test_claims_with_invoices_csv(funded, owner):
    rows = csv_rows(download(owner, funded.call, "claims"))
    assert rows[0] == CLAIM_HEADERS
    without_time = [row[:6] + row[7:] for row in rows[1:]]
    code = funded.inside.code
    # The draft is the operator's: the authority does not get it.
    assert without_time == [
        ["DP-26", code, "INSIDE operator", "G-IN", "1", "Submitted", "300.00", "", "", "", "", "", "", ""],
        [
            "DP-26",
            code,
            "INSIDE operator",
            "G-IN",
            "2",
            "Paid",
            "200.00",
            "2026-11-02",
            "PAY-2",
            "ACME GmbH",
            "R-1",
            "2026-10-01",
            "250.00",
            "200.00",
        ],
        ["DP-26", code, "INSIDE operator", "G-IN", "3", "Returned", "100.00", "", "", "", "", "", "", ""],
    ]
    assert all(row[6] for row in rows[1:])  # submitted at, in local time


def test_operator_staff_get_their_draft_claims_too(funded, staff):
    rows = xlsx_rows(download(staff, funded.call, "claims", "xlsx"))
    assert rows[0] == CLAIM_HEADERS
    assert [(row[4], row[5]) for row in rows[1:]] == [(1, "Submitted"), (2, "Paid"), (3, "Returned"), (4, "Draft")]


def test_payments_are_paid_claims_and_repayments(funded, owner):
    rows = csv_rows(download(owner, funded.call, "payments"))
    code = funded.inside.code
    assert rows == [
        ["Date", "Kind", "Call", "Operator code", "Operator", "Grant", "Claim", "Reference", "Amount (EUR)"],
        ["2026-11-02", "Payment", "DP-26", code, "INSIDE operator", "G-IN", "2", "PAY-2", "200.00"],
        ["2026-11-20", "Repayment", "DP-26", code, "INSIDE operator", "G-IN", "", "Unused", "-20.00"],
    ]


def test_payments_xlsx_keeps_numbers(funded, staff):
    rows = xlsx_rows(download(staff, funded.call, "payments", "xlsx"))
    assert [row[8] for row in rows[1:]] == [200, -20]


@pytest.mark.parametrize("table", ["applications", "lines", "claims", "payments"])
def test_exports_of_another_authoritys_call_are_404(funded, world, table):
    outsider = user_with_role(Role.PROGRAMME_OWNER, world.other_authority, username="other-owner")
    client = Client()
    client.force_login(outsider)
    response = client.get(reverse(f"funding:call-export-{table}", kwargs={"pk": funded.call.pk}))
    assert response.status_code == 404


@pytest.mark.parametrize("table", ["applications", "lines", "claims", "payments"])
def test_exports_refuse_roles_without_funding(funded, role_users, table):
    client = Client()
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = client.get(reverse(f"funding:call-export-{table}", kwargs={"pk": funded.call.pk}))
    assert response.status_code == 403


def test_staff_of_another_operator_get_nothing_of_this_one(funded, world):
    other_staff = user_with_role(Role.OPERATOR_STAFF, funded.beta, username="beta-staff")
    for table in ("applications", "lines", "claims", "payments"):
        rows = csv_rows(download(other_staff, funded.call, table))
        assert "INSIDE operator" not in str(rows), table
    assert len(csv_rows(download(other_staff, funded.call, "applications"))) == 2  # header and Beta's draft


def test_a_funding_administrator_gets_the_claims_of_calls_they_review_only(funded, funding_admin):
    from django.utils import timezone

    from ..models import CallReviewer

    assert len(csv_rows(download(funding_admin, funded.call, "claims"))) == 1  # the header
    assert len(csv_rows(download(funding_admin, funded.call, "applications"))) == 1
    CallReviewer.objects.create(call=funded.call, user=funding_admin, assigned_at=timezone.now())
    assert len(csv_rows(download(funding_admin, funded.call, "claims"))) == 4
    assert len(csv_rows(download(funding_admin, funded.call, "applications"))) == 5
