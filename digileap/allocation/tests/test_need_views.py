"""Pages of need declarations: list with totals and filters, detail, the declare and edit form,
and the export."""

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices.models import DeviceType
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import NeedDeclaration, NeedLine
from ..services.needs import need_declare

LIST_URL = reverse("allocation:needdeclaration-list")
CREATE_URL = reverse("allocation:needdeclaration-create")
EXPORT_URL = reverse("allocation:needdeclaration-export")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def line(device_type, under_3=0, three_to_5=0, over_5=0, needed=0) -> dict:
    return {
        "device_type": device_type,
        "owned_under_3_years": under_3,
        "owned_3_to_5_years": three_to_5,
        "owned_over_5_years": over_5,
        "needed": needed,
    }


def form_data(school=None, school_year=None, classrooms="", note="", rows=None) -> dict:
    """The declare form as a browser posts it: every device type's row, empty unless given."""
    data = {
        "classrooms_without_wifi": classrooms,
        "note": note,
        "lines-TOTAL_FORMS": str(len(DeviceType)),
        "lines-INITIAL_FORMS": str(len(DeviceType)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    if school is not None:
        data["school"] = str(school.pk)
    if school_year is not None:
        data["school_year"] = school_year
    rows = rows or {}
    for index, device_type in enumerate(DeviceType.values):
        values = rows.get(device_type, {})
        for name in ("owned_under_3_years", "owned_3_to_5_years", "owned_over_5_years", "needed"):
            data[f"lines-{index}-{name}"] = str(values.get(name, ""))
    return data


def lines_of(declaration) -> dict:
    return {
        item.device_type: (item.owned_under_3_years, item.owned_3_to_5_years, item.owned_over_5_years, item.needed)
        for item in NeedLine.objects.filter(declaration=declaration)
    }


@pytest.fixture
def declared(world, role_users):
    administrator = role_users[Role.ADMINISTRATOR]
    second_operator = OperatorFactory(authority=world.authority, name="Second operator")
    foreign = SchoolFactory(operator=second_operator, name="Second operator's school", number="1003")
    return {
        "inside": need_declare(
            actor=administrator,
            school=world.school,
            school_year="2024/25",
            classrooms_without_wifi=3,
            note="=SUM(A1)",
            lines=[line("laptop", 10, 5, 20, 30), line("tablet", 2, 0, 0, 8)],
        ),
        "inside-next-year": need_declare(
            actor=administrator, school=world.school, school_year="2025/26", lines=[line("laptop", needed=12)]
        ),
        "foreign": need_declare(
            actor=administrator,
            school=foreign,
            school_year="2024/25",
            classrooms_without_wifi=1,
            lines=[line("projector", 0, 0, 2, 1)],
        ),
        "outside": need_declare(
            actor=administrator, school=world.other_school, school_year="2024/25", lines=[line("laptop", needed=999)]
        ),
    }


# The list.


def test_the_list_shows_the_scope_with_totals_by_device_type(role_users, declared):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).get(LIST_URL)
    assert response.status_code == 200
    assert [d.pk for d in response.context["page"].object_list] == [
        declared["inside-next-year"].pk,
        declared["inside"].pk,
    ]
    summary = response.context["summary"]
    assert [(row["device_type"], row["owned"], row["needed"]) for row in summary["rows"]] == [
        ("laptop", 35, 42),
        ("tablet", 2, 8),
    ]
    assert summary["classrooms_without_wifi"] == 3
    assert response.context["can_declare"] is True
    content = response.content.decode()
    assert "INSIDE school" in content
    assert "OUTSIDE" not in content
    assert "Second operator" not in content


def test_the_list_filters_by_school_year_operator_and_search(world, role_users, declared):
    client = signed_in(role_users[Role.PROGRAMME_OWNER])

    def listed(**query):
        response = client.get(LIST_URL, query)
        assert response.status_code == 200
        return [d.school.number + " " + d.school_year for d in response.context["page"].object_list]

    assert listed() == ["1001 2025/26", "1001 2024/25", "1003 2024/25"]
    assert listed(school_year="2024/25") == ["1001 2024/25", "1003 2024/25"]
    assert listed(operator=world.operator.pk) == ["1001 2025/26", "1001 2024/25"]
    assert listed(q="second") == ["1003 2024/25"]
    assert listed(q="1001", school_year="2025/26") == ["1001 2025/26"]
    response = client.get(LIST_URL, {"school_year": "2024/25"})
    assert [(row["device_type"], row["needed"]) for row in response.context["summary"]["rows"]] == [
        ("laptop", 30),
        ("tablet", 8),
        ("projector", 1),
    ]
    assert response.context["summary"]["classrooms_without_wifi"] == 4
    assert response.context["can_declare"] is False


def test_an_operator_outside_the_scope_is_an_ignored_filter(world, role_users, declared):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).get(LIST_URL, {"operator": world.other_operator.pk})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2
    assert "Select a valid choice" in response.content.decode()
    assert "OUTSIDE" not in response.content.decode()


def test_a_supplier_sees_an_empty_list(role_users, declared):
    response = signed_in(role_users[Role.SUPPLIER]).get(LIST_URL)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert response.context["summary"]["rows"] == []


# The detail.


def test_the_detail_shows_the_lines_and_the_history(role_users, declared):
    declaration = declared["inside"]
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).get(
        reverse("allocation:needdeclaration-detail", kwargs={"pk": declaration.pk})
    )
    assert response.status_code == 200
    assert [(item.device_type, item.owned, item.needed) for item in response.context["lines"]] == [
        ("laptop", 35, 30),
        ("tablet", 2, 8),
    ]
    assert [event.action for event in response.context["events"]] == ["create"]
    assert response.context["can_edit"] is True


def test_the_detail_for_a_reader_has_no_edit_link(role_users, declared):
    declaration = declared["inside"]
    response = signed_in(role_users[Role.AUDITOR]).get(
        reverse("allocation:needdeclaration-detail", kwargs={"pk": declaration.pk})
    )
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert reverse("allocation:needdeclaration-edit", kwargs={"pk": declaration.pk}) not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "key"),
    [
        (Role.OPERATOR_STAFF, "outside"),
        (Role.OPERATOR_STAFF, "foreign"),
        (Role.SCHOOL_COORDINATOR, "foreign"),
        (Role.PROGRAMME_OWNER, "outside"),
        (Role.AUDITOR, "outside"),
        (Role.SUPPLIER, "inside"),
    ],
)
def test_a_declaration_outside_the_scope_is_a_404(role_users, declared, role, key):
    client = signed_in(role_users[role])
    pk = declared[key].pk
    assert client.get(reverse("allocation:needdeclaration-detail", kwargs={"pk": pk})).status_code == 404
    assert client.get(reverse("allocation:needdeclaration-edit", kwargs={"pk": pk})).status_code == 404
    assert client.post(reverse("allocation:needdeclaration-edit", kwargs={"pk": pk}), form_data()).status_code == 404


# Declaring.


def test_declaring_through_the_form_ignores_empty_rows(world, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    response = signed_in(coordinator).post(
        CREATE_URL,
        form_data(
            school=world.school,
            school_year="2024/25",
            classrooms="4",
            note="Wi-Fi only in the hall",
            rows={
                "laptop": {"owned_under_3_years": 3, "needed": 25},
                "access_point": {"needed": 6},
                "tablet": {"owned_over_5_years": 0},
            },
        ),
    )
    declaration = NeedDeclaration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("allocation:needdeclaration-detail", kwargs={"pk": declaration.pk})
    assert (declaration.school, declaration.school_year) == (world.school, "2024/25")
    assert (declaration.classrooms_without_wifi, declaration.note) == (4, "Wi-Fi only in the hall")
    assert declaration.declared_by == coordinator
    # The tablet row has a 0 in it, so it is a line; the untouched rows are not.
    assert lines_of(declaration) == {"laptop": (3, 0, 0, 25), "access_point": (0, 0, 0, 6), "tablet": (0, 0, 0, 0)}


def test_the_form_offers_only_the_schools_the_user_may_declare_for(world, role_users, declared):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).get(CREATE_URL)
    assert response.status_code == 200
    assert [school.number for school in response.context["form"].fields["school"].queryset] == ["1001"]
    assert len(response.context["formset"].forms) == len(DeviceType)


def test_a_school_outside_the_scope_is_refused_by_the_form(world, role_users):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).post(
        CREATE_URL, form_data(school=world.other_school, school_year="2024/25", rows={"laptop": {"needed": 5}})
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "school": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert NeedDeclaration.objects.count() == 0


def test_row_errors_name_the_device_type_and_the_field_and_nothing_is_written(world, role_users):
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).post(
        CREATE_URL,
        form_data(
            school=world.school,
            school_year="2024/25",
            classrooms="-1",
            rows={"laptop": {"needed": 5}, "tablet": {"needed": -3, "owned_under_3_years": "many"}},
        ),
    )
    assert response.status_code == 200
    assert response.context["errors"] == [
        "Classrooms without Wi-Fi: Ensure this value is greater than or equal to 0.",
        "Tablet: Owned, under 3 years old: Enter a whole number.",
        "Tablet: Needed in addition: Ensure this value is greater than or equal to 0.",
    ]
    content = response.content.decode()
    assert "Tablet: Needed in addition: Ensure this value is greater than or equal to 0." in content
    assert (NeedDeclaration.objects.count(), NeedLine.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)


def test_a_service_error_shows_on_the_form_not_as_a_server_error(world, role_users):
    # The form accepts the pattern; the service knows 2025 does not follow 2024 in "2024/26".
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).post(
        CREATE_URL, form_data(school=world.school, school_year="2024/26", rows={"laptop": {"needed": 5}})
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"school_year": ["The second year must follow the first, as in 2024/25."]}
    assert response.context["errors"] == ["School year: The second year must follow the first, as in 2024/25."]
    assert NeedDeclaration.objects.count() == 0


def test_a_service_error_about_a_line_shows_on_its_row(world, role_users, monkeypatch):
    from django.core.exceptions import ValidationError

    from ..views import needs as views

    def refuse(**kwargs):
        raise ValidationError({"lines[1].needed": ["Too many."], "lines": ["Something about every line."]})

    monkeypatch.setattr(views, "need_declare", refuse)
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).post(
        CREATE_URL,
        form_data(
            school=world.school, school_year="2024/25", rows={"laptop": {"needed": 5}, "projector": {"needed": 9}}
        ),
    )
    assert response.status_code == 200
    # lines[1] is the second filled row: the projector.
    assert response.context["errors"] == ["Something about every line.", "Projector: Needed in addition: Too many."]


def test_a_missing_management_form_is_an_error_not_a_crash(world, role_users):
    data = {"school": world.school.pk, "school_year": "2024/25", "lines-0-needed": "4"}
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).post(CREATE_URL, data)
    assert response.status_code == 200
    assert NeedDeclaration.objects.count() == 0
    assert response.context["formset"].non_form_errors()


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.SUPPLIER])
def test_roles_that_may_not_declare_get_a_403(world, role_users, role):
    client = signed_in(role_users[role])
    assert client.get(CREATE_URL).status_code == 403
    data = form_data(school=world.school, school_year="2024/25", rows={"laptop": {"needed": 5}})
    assert client.post(CREATE_URL, data).status_code == 403
    assert NeedDeclaration.objects.count() == 0


def test_the_form_for_a_school_and_year_already_declared_opens_the_declaration(world, role_users, declared):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).get(
        CREATE_URL, {"school": world.school.pk, "school_year": "2024/25"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("allocation:needdeclaration-edit", kwargs={"pk": declared["inside"].pk})


def test_the_form_prefills_a_new_school_and_year(world, role_users, declared):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).get(
        CREATE_URL, {"school": world.school.pk, "school_year": "2026/27"}
    )
    assert response.status_code == 200
    assert response.context["form"].initial == {"school": world.school.pk, "school_year": "2026/27"}


def test_the_form_ignores_a_school_outside_the_scope(world, role_users, declared):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).get(
        CREATE_URL, {"school": world.other_school.pk, "school_year": "2024/25"}
    )
    assert response.status_code == 200
    assert response.context["form"].initial == {"school_year": "2024/25"}
    assert "OUTSIDE" not in response.content.decode()


# Editing.


def test_editing_shows_the_lines_and_replaces_them(world, role_users, declared):
    declaration = declared["inside"]
    url = reverse("allocation:needdeclaration-edit", kwargs={"pk": declaration.pk})
    client = signed_in(role_users[Role.OPERATOR_STAFF])
    page = client.get(url)
    assert page.status_code == 200
    rows = {form.device_type.value: form.initial for form in page.context["formset"].forms if form.initial}
    assert rows == {
        "laptop": {"owned_under_3_years": 10, "owned_3_to_5_years": 5, "owned_over_5_years": 20, "needed": 30},
        "tablet": {"owned_under_3_years": 2, "owned_3_to_5_years": 0, "owned_over_5_years": 0, "needed": 8},
    }
    assert "school" not in page.context["form"].fields

    response = client.post(
        url, form_data(classrooms="0", note="", rows={"laptop": {"owned_under_3_years": 10, "needed": 20}})
    )
    assert response.status_code == 302
    declaration = NeedDeclaration.objects.get(pk=declaration.pk)
    assert (declaration.school_year, declaration.classrooms_without_wifi, declaration.note) == ("2024/25", 0, "")
    assert lines_of(declaration) == {"laptop": (10, 0, 0, 20)}
    event = AuditEvent.objects.filter(object_id=str(declaration.pk), action="update").get()
    assert sorted(event.before["lines"]) == ["laptop", "tablet"]
    assert sorted(event.after["lines"]) == ["laptop"]


def test_a_posted_school_cannot_move_an_edited_declaration(world, role_users, declared):
    declaration = declared["inside"]
    url = reverse("allocation:needdeclaration-edit", kwargs={"pk": declaration.pk})
    data = form_data(school=world.other_school, school_year="2030/31", rows={"laptop": {"needed": 1}})
    assert signed_in(role_users[Role.ADMINISTRATOR]).post(url, data).status_code == 302
    declaration = NeedDeclaration.objects.get(pk=declaration.pk)
    assert (declaration.school, declaration.school_year) == (world.school, "2024/25")
    assert NeedDeclaration.objects.filter(school=world.other_school).count() == 1


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR])
def test_readers_cannot_edit(role_users, declared, role):
    url = reverse("allocation:needdeclaration-edit", kwargs={"pk": declared["inside"].pk})
    client = signed_in(role_users[role])
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(rows={"laptop": {"needed": 1}})).status_code == 403
    assert lines_of(declared["inside"]) == {"laptop": (10, 5, 20, 30), "tablet": (2, 0, 0, 8)}


# The export.

EXPORT_HEADER = [
    "school_number",
    "school_name",
    "operator_name",
    "school_year",
    "classrooms_without_wifi",
    "device_type",
    "owned_under_3_years",
    "owned_3_to_5_years",
    "owned_over_5_years",
    "needed",
    "declared_at",
    "declared_by",
    "note",
]


def test_the_csv_export_is_the_filtered_list_one_row_per_device_type(world, role_users, declared):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).get(EXPORT_URL, {"school_year": "2024/25"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="need-declarations.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    declared_at = declared["inside"].declared_at.isoformat()
    assert rows == [
        EXPORT_HEADER,
        ["1001", "INSIDE school", "INSIDE operator", "2024/25", "3", "laptop", "10", "5", "20", "30", declared_at,
         "administrator-user", "'=SUM(A1)"],
        ["1001", "INSIDE school", "INSIDE operator", "2024/25", "3", "tablet", "2", "0", "0", "8", declared_at,
         "administrator-user", "'=SUM(A1)"],
    ]  # fmt: skip


def test_the_xlsx_export_and_a_declaration_without_lines(world, role_users, declared):
    need_declare(
        actor=role_users[Role.SCHOOL_COORDINATOR],
        school=world.school,
        school_year="2023/24",
        classrooms_without_wifi=6,
        lines=[],
    )
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).get(EXPORT_URL, {"format": "xlsx", "q": "INSIDE"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="need-declarations.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == EXPORT_HEADER
    assert [(row[3], row[5], row[9]) for row in rows[1:]] == [
        ("2025/26", "laptop", 12),
        ("2024/25", "laptop", 30),
        ("2024/25", "tablet", 8),
        ("2023/24", None, None),
    ]
    assert rows[4][4] == 6
    assert rows[4][11] == "school_coordinator-user"
