"""``/api/need-declarations/``: read with nested lines, declare and replace through the service."""

from datetime import datetime

import pytest
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import NeedDeclaration, NeedLine
from ..services.needs import need_declare

LIST_URL = "/api/need-declarations/"


def detail_url(pk: int) -> str:
    return f"{LIST_URL}{pk}/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def line(device_type, under_3=0, three_to_5=0, over_5=0, needed=0) -> dict:
    return {
        "device_type": device_type,
        "owned_under_3_years": under_3,
        "owned_3_to_5_years": three_to_5,
        "owned_over_5_years": over_5,
        "needed": needed,
    }


def lines_of(declaration) -> dict:
    return {
        item.device_type: (item.owned_under_3_years, item.owned_3_to_5_years, item.owned_over_5_years, item.needed)
        for item in NeedLine.objects.filter(declaration=declaration)
    }


def rows_written() -> tuple[int, int, int]:
    return NeedDeclaration.objects.count(), NeedLine.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def sibling(world):
    return SchoolFactory(operator=world.operator, name="Sibling school", number="1002")


@pytest.fixture
def declared(world, role_users, sibling):
    administrator = role_users[Role.ADMINISTRATOR]
    foreign = SchoolFactory(operator=OperatorFactory(authority=world.authority), number="1003")
    return {
        "inside": need_declare(
            actor=administrator,
            school=world.school,
            school_year="2024/25",
            classrooms_without_wifi=3,
            note="Library",
            lines=[line("laptop", 10, 5, 20, 30), line("tablet", 2, 0, 0, 8)],
        ),
        "sibling": need_declare(
            actor=administrator, school=sibling, school_year="2025/26", lines=[line("projector", needed=2)]
        ),
        "foreign": need_declare(actor=administrator, school=foreign, school_year="2024/25", lines=[]),
        "outside": need_declare(
            actor=administrator, school=world.other_school, school_year="2024/25", lines=[line("laptop", needed=9)]
        ),
    }


# Reading.


def test_the_list_shows_the_scope_with_nested_lines(world, role_users, declared):
    response = api(role_users[Role.OPERATOR_STAFF]).get(LIST_URL)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [(item["school_number"], item["school_year"]) for item in data["results"]] == [
        ("1002", "2025/26"),
        ("1001", "2024/25"),
    ]
    inside = data["results"][1]
    declaration = declared["inside"]
    assert inside == {
        "id": declaration.pk,
        "school": world.school.pk,
        "school_name": "INSIDE school",
        "school_number": "1001",
        "operator": world.operator.pk,
        "operator_name": "INSIDE operator",
        "school_year": "2024/25",
        "classrooms_without_wifi": 3,
        "note": "Library",
        "lines": [
            {
                "device_type": "laptop",
                "device_type_label": "Laptop",
                "owned_under_3_years": 10,
                "owned_3_to_5_years": 5,
                "owned_over_5_years": 20,
                "needed": 30,
                "owned": 35,
            },
            {
                "device_type": "tablet",
                "device_type_label": "Tablet",
                "owned_under_3_years": 2,
                "owned_3_to_5_years": 0,
                "owned_over_5_years": 0,
                "needed": 8,
                "owned": 2,
            },
        ],
        "declared_by": "administrator-user",
        "declared_at": inside["declared_at"],
    }
    assert datetime.fromisoformat(inside["declared_at"]) == declaration.declared_at


def test_the_list_filters_by_school_and_school_year(world, role_users, declared, sibling):
    client = api(role_users[Role.PROGRAMME_OWNER])
    assert client.get(LIST_URL).json()["count"] == 3

    def numbers(**query):
        return [(item["school_number"], item["school_year"]) for item in client.get(LIST_URL, query).json()["results"]]

    assert numbers(school=sibling.pk) == [("1002", "2025/26")]
    assert numbers(school_year="2024/25") == [("1001", "2024/25"), ("1003", "2024/25")]
    assert numbers(school=world.school.pk, school_year="2025/26") == []
    # A school outside the scope simply finds nothing.
    assert numbers(school=world.other_school.pk) == []


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.SCHOOL_COORDINATOR, {"inside"}),
        (Role.OPERATOR_STAFF, {"inside", "sibling"}),
        (Role.AUDITOR, {"inside", "sibling", "foreign"}),
        (Role.FUNDING_ADMINISTRATOR, {"inside", "sibling", "foreign"}),
        (Role.SUPPLIER, set()),
    ],
)
def test_retrieve_within_the_scope_and_404_outside(role_users, declared, role, visible):
    client = api(role_users[role])
    for key, declaration in declared.items():
        expected = 200 if key in visible else (403 if role == Role.SUPPLIER else 404)
        assert (key, client.get(detail_url(declaration.pk)).status_code) == (key, expected)


def test_a_supplier_may_not_list(role_users, declared):
    assert api(role_users[Role.SUPPLIER]).get(LIST_URL).status_code == 403


# Declaring.


def test_create_declares_and_a_second_post_replaces(world, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    client = api(coordinator)
    payload = {
        "school": world.school.pk,
        "school_year": "2024/25",
        "classrooms_without_wifi": 2,
        "note": "First",
        "lines": [line("laptop", 1, 2, 3, 20), {"device_type": "tablet", "needed": 4}],
    }
    response = client.post(LIST_URL, payload, format="json")
    assert response.status_code == 201
    declaration = NeedDeclaration.objects.get()
    assert response.json()["id"] == declaration.pk
    assert response.json()["declared_by"] == coordinator.username
    assert lines_of(declaration) == {"laptop": (1, 2, 3, 20), "tablet": (0, 0, 0, 4)}

    payload.update(note="Second", classrooms_without_wifi=0, lines=[line("laptop", 1, 2, 3, 15)])
    response = client.post(LIST_URL, payload, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == declaration.pk
    assert [item["device_type"] for item in response.json()["lines"]] == ["laptop"]
    declaration.refresh_from_db()
    assert (declaration.note, declaration.classrooms_without_wifi) == ("Second", 0)
    assert lines_of(declaration) == {"laptop": (1, 2, 3, 15)}
    assert list(
        AuditEvent.objects.filter(object_type="allocation.needdeclaration").order_by("id").values_list("action")
    ) == [("create",), ("update",)]


def test_put_replaces_a_declaration(world, role_users, declared):
    declaration = declared["inside"]
    response = api(role_users[Role.OPERATOR_STAFF]).put(
        detail_url(declaration.pk),
        {
            "school": world.school.pk,
            "school_year": "2024/25",
            "classrooms_without_wifi": 5,
            "note": "",
            "lines": [line("access_point", needed=6)],
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["lines"] == [
        {
            "device_type": "access_point",
            "device_type_label": "Wi-Fi access point",
            "owned_under_3_years": 0,
            "owned_3_to_5_years": 0,
            "owned_over_5_years": 0,
            "needed": 6,
            "owned": 0,
        }
    ]
    declaration.refresh_from_db()
    assert (declaration.classrooms_without_wifi, declaration.note) == (5, "")
    assert lines_of(declaration) == {"access_point": (0, 0, 0, 6)}
    event = AuditEvent.objects.get(object_id=str(declaration.pk), action="update")
    assert sorted(event.before["lines"]) == ["laptop", "tablet"]
    assert event.after["lines"] == {
        "access_point": {"owned_under_3_years": 0, "owned_3_to_5_years": 0, "owned_over_5_years": 0, "needed": 6}
    }


def test_put_cannot_move_a_declaration_to_another_year(world, role_users, declared):
    declaration = declared["inside"]
    response = api(role_users[Role.OPERATOR_STAFF]).put(
        detail_url(declaration.pk),
        {"school": world.school.pk, "school_year": "2025/26", "lines": []},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"school_year": ["This cannot be changed; declare a new one."]}
    assert lines_of(declaration) == {"laptop": (10, 5, 20, 30), "tablet": (2, 0, 0, 8)}


def test_patch_and_delete_are_not_offered(role_users, declared):
    client = api(role_users[Role.ADMINISTRATOR])
    url = detail_url(declared["inside"].pk)
    assert client.patch(url, {"note": "x"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert NeedDeclaration.objects.filter(pk=declared["inside"].pk, note="Library").exists()


# Permissions on writes.


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.SUPPLIER])
def test_roles_that_may_not_declare_get_a_403(world, role_users, declared, role):
    client = api(role_users[role])
    before = rows_written()
    payload = {"school": world.school.pk, "school_year": "2026/27", "lines": [line("laptop", needed=1)]}
    assert client.post(LIST_URL, payload, format="json").status_code == 403
    payload["school_year"] = "2024/25"
    assert client.put(detail_url(declared["inside"].pk), payload, format="json").status_code == 403
    assert rows_written() == before


@pytest.mark.parametrize(
    ("role", "school_key"),
    [(Role.OPERATOR_STAFF, "outside"), (Role.SCHOOL_COORDINATOR, "outside"), (Role.SCHOOL_COORDINATOR, "sibling")],
)
def test_a_school_outside_the_scope_does_not_exist(world, role_users, sibling, role, school_key):
    school = {"outside": world.other_school, "sibling": sibling}[school_key]
    response = api(role_users[role]).post(
        LIST_URL, {"school": school.pk, "school_year": "2024/25", "lines": [line("laptop", needed=1)]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"school": [f'Invalid pk "{school.pk}" - object does not exist.']}
    assert rows_written() == (0, 0, 0)


def test_put_on_a_declaration_outside_the_scope_is_a_404(role_users, declared):
    for key in ("outside", "foreign"):
        response = api(role_users[Role.OPERATOR_STAFF]).put(detail_url(declared[key].pk), {"lines": []}, format="json")
        assert response.status_code == 404
    assert lines_of(declared["outside"]) == {"laptop": (0, 0, 0, 9)}


# Validation: 400 with field paths, nothing written.


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        (
            [line("laptop", needed=1), line("tablet", needed=-2)],
            {"lines": {"1": {"needed": ["Ensure this value is greater than or equal to 0."]}}},
        ),
        (
            [line("laptop", needed=1), line("laptop", needed=2)],
            {"lines": {"1": {"device_type": ["Laptop is given more than once (lines 1 and 2)."]}}},
        ),
        ([line("phone", needed=1)], {"lines": {"0": {"device_type": ['"phone" is not a valid choice.']}}}),
        ([{"needed": 3}], {"lines": {"0": {"device_type": ["This field is required."]}}}),
        ("laptop", {"lines": {"non_field_errors": ['Expected a list of items but got type "str".']}}),
    ],
)
def test_bad_lines_are_400_with_field_paths(world, role_users, lines, errors):
    payload = {"school": world.school.pk, "school_year": "2024/25", "lines": lines}
    response = api(role_users[Role.OPERATOR_STAFF]).post(LIST_URL, payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert rows_written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"school_year": "2024-25"}, {"school_year": ["Use the form 2024/25."]}),
        ({"school_year": "2024/26"}, {"school_year": ["The second year must follow the first, as in 2024/25."]}),
        (
            {"classrooms_without_wifi": -1},
            {"classrooms_without_wifi": ["Ensure this value is greater than or equal to 0."]},
        ),
        ({"lines": None}, {"lines": ["This field may not be null."]}),
    ],
)
def test_bad_fields_are_400_with_field_names(world, role_users, changes, errors):
    payload = {"school": world.school.pk, "school_year": "2024/25", "lines": [line("laptop", needed=1)], **changes}
    response = api(role_users[Role.SCHOOL_COORDINATOR]).post(LIST_URL, payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert rows_written() == (0, 0, 0)


def test_the_schema_describes_the_route(client, settings):
    settings.DIGILEAP_API_DOCS_PUBLIC = True  # the schema needs a sign-in otherwise (docs/security.md)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    assert set(paths["/api/need-declarations/"]) == {"get", "post"}
    assert set(paths["/api/need-declarations/{id}/"]) == {"get", "put"}
    parameters = {parameter["name"] for parameter in paths["/api/need-declarations/"]["get"]["parameters"]}
    assert {"school", "school_year", "search", "ordering", "page"} <= parameters
