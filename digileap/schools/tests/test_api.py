from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import PASSWORD, user_with_role
from digileap.core.models import AuditEvent
from digileap.schools import services
from digileap.schools.models import Enrolment, School, Site
from digileap.schools.tests.factories import SchoolFactory, SiteFactory, hamburg_scale


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


# Reading


def test_list_shows_only_schools_in_scope_with_a_matching_count(role_users, world):
    response = client_for(role_users[Role.OPERATOR_STAFF]).get("/api/schools/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert names(response) == ["INSIDE school"]
    row = body["results"][0]
    assert row["operator"] == world.operator.pk
    assert row["operator_name"] == "INSIDE operator"
    assert row["authority_name"] == "INSIDE authority"
    assert row["levels"] == [1]


def test_administrator_lists_every_school(role_users, world):
    response = client_for(role_users[Role.ADMINISTRATOR]).get("/api/schools/")
    assert response.json()["count"] == 2
    assert names(response) == ["INSIDE school", "OUTSIDE school"]


def test_filter_by_official_number(role_users, world):
    client = client_for(role_users[Role.ADMINISTRATOR])
    assert names(client.get("/api/schools/", {"number": "2002"})) == ["OUTSIDE school"]
    assert names(client.get("/api/schools/", {"number": "999"})) == []


def test_a_number_outside_the_scope_finds_nothing(role_users, world):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).get("/api/schools/", {"number": "2002"})
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_filters_of_the_list_page(role_users, world):
    SchoolFactory(operator=world.operator, name="Closed one", number="1002", status=School.Status.CLOSED)
    SchoolFactory(operator=world.operator, name="Gymnasium", number="1003", isced_1=False, isced_2=True, isced_3=True)
    SchoolFactory(operator=world.operator, name="Big one", number="1004", pupils_total=800, ses_value=Decimal("2"))
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    assert names(client.get("/api/schools/", {"status": "closed"})) == ["Closed one"]
    assert names(client.get("/api/schools/", {"level": "3"})) == ["Gymnasium"]
    assert names(client.get("/api/schools/", {"pupils_min": "500"})) == ["Big one"]
    assert names(client.get("/api/schools/", {"ses_max": "2.5"})) == ["Big one"]
    assert names(client.get("/api/schools/", {"q": "gymn"})) == ["Gymnasium"]
    assert names(client.get("/api/schools/", {"search": "1004"})) == ["Big one"]
    assert names(client.get("/api/schools/", {"operator": world.operator.pk, "ordering": "-number"})) == [
        "Big one",
        "Gymnasium",
        "Closed one",
        "INSIDE school",
    ]


def test_filtering_by_an_operator_outside_the_scope_is_refused(role_users, world):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).get("/api/schools/", {"operator": world.other_operator.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["operator"]


def test_detail_outside_the_scope_is_404(role_users, world):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    assert client.get(f"/api/schools/{world.school.pk}/").status_code == 200
    assert client.get(f"/api/schools/{world.other_school.pk}/").status_code == 404


def test_list_is_fast_in_queries(role_users, world, django_assert_max_num_queries):
    for n in range(20):
        SchoolFactory(operator=world.operator, number=f"5{n:03}")
    client = client_for(role_users[Role.OPERATOR_STAFF])
    # Session/assignments, count, page: independent of the number of schools.
    with django_assert_max_num_queries(3):
        response = client.get("/api/schools/")
    assert response.json()["count"] == 21


def test_unauthenticated_requests_are_refused(world):
    response = APIClient().get("/api/schools/")
    assert response.status_code == 401


def test_a_role_without_registry_grants_is_refused(role_users, world):
    response = client_for(role_users[Role.SUPPLIER]).get("/api/schools/")
    assert response.status_code == 403


def test_sub_resources_are_filtered_by_school(role_users, world):
    site = SiteFactory(school=world.school, name="Gym hall")
    SiteFactory(school=world.other_school, name="OUTSIDE hall")
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    response = client.get("/api/sites/", {"school": world.school.pk})
    assert [row["id"] for row in response.json()["results"]] == [site.pk]
    assert client.get("/api/sites/", {"school": world.other_school.pk}).json()["count"] == 0


# Writing


def school_payload(world, **overrides):
    return {"operator": world.operator.pk, "number": "1099", "name": "New school", "isced_1": True, **overrides}


def test_programme_owner_creates_a_school(role_users, world):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).post("/api/schools/", school_payload(world), format="json")
    assert response.status_code == 201, response.json()
    school = School.objects.get(number="1099")
    assert response.json()["id"] == school.pk
    assert school.authority == world.authority
    assert school.sites.get().is_main is True
    event = AuditEvent.objects.filter(object_type="schools.school", object_id=str(school.pk)).get()
    assert event.action == "create"
    assert event.actor_id == role_users[Role.PROGRAMME_OWNER].pk


@pytest.mark.parametrize(
    "role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.AUDITOR, Role.FUNDING_ADMINISTRATOR]
)
def test_roles_without_the_add_grant_cannot_create(role_users, world, role):
    response = client_for(role_users[role]).post("/api/schools/", school_payload(world), format="json")
    assert response.status_code == 403
    assert not School.objects.filter(number="1099").exists()


def test_creating_under_an_operator_outside_the_scope_is_a_field_error(role_users, world):
    payload = school_payload(world, operator=world.other_operator.pk)
    response = client_for(role_users[Role.PROGRAMME_OWNER]).post("/api/schools/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"operator": [f'Invalid pk "{world.other_operator.pk}" - object does not exist.']}


def test_validation_errors_are_400_with_field_messages(role_users, world):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.post("/api/schools/", {"operator": world.operator.pk, "latitude": "91"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "number": ["This field is required."],
        "name": ["This field is required."],
        "latitude": ["Ensure this value is less than or equal to 90."],
    }


def test_a_duplicate_number_from_the_service_is_400(role_users, world):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).post(
        "/api/schools/", school_payload(world, number="1001"), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["School with this Authority and Official number already exists."]}


def test_operator_staff_edit_their_school(role_users, world):
    user = role_users[Role.OPERATOR_STAFF]
    response = client_for(user).patch(f"/api/schools/{world.school.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"
    world.school.refresh_from_db()
    assert world.school.name == "Renamed"
    event = AuditEvent.objects.get(object_type="schools.school", object_id=str(world.school.pk))
    assert (event.action, event.before["name"], event.after["name"]) == ("update", "INSIDE school", "Renamed")


def test_editing_outside_the_scope_is_404_and_changes_nothing(role_users, world):
    response = client_for(role_users[Role.OPERATOR_STAFF]).patch(
        f"/api/schools/{world.other_school.pk}/", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 404
    world.other_school.refresh_from_db()
    assert world.other_school.name == "OUTSIDE school"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SCHOOL_COORDINATOR])
def test_read_only_roles_get_403_on_their_own_school(role_users, world, role):
    response = client_for(role_users[role]).patch(f"/api/schools/{world.school.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert AuditEvent.objects.count() == 0


def test_moving_a_school_to_another_authority_is_refused(role_users, world):
    response = client_for(role_users[Role.ADMINISTRATOR]).patch(
        f"/api/schools/{world.school.pk}/", {"authority": world.other_authority.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"authority": ["This cannot be changed once set."]}


def test_moving_a_school_to_an_operator_of_another_authority_is_refused(role_users, world):
    response = client_for(role_users[Role.ADMINISTRATOR]).patch(
        f"/api/schools/{world.school.pk}/", {"operator": world.other_operator.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"operator": ["The operator belongs to another authority."]}


def test_figures_of_a_school_year(role_users, world):
    payload = {
        "school_year": "2024/25",
        "enrolment": [{"level": 1, "grade": 1, "pupils": 20}, {"level": 1, "grade": 2, "pupils": 22}],
        "teachers": 4,
        "ses_scale": hamburg_scale().code,
        "ses_value": "2",
    }
    response = client_for(role_users[Role.PROGRAMME_OWNER]).post(
        f"/api/schools/{world.school.pk}/figures/", payload, format="json"
    )
    assert response.status_code == 204
    world.school.refresh_from_db()
    assert (world.school.pupils_total, world.school.ses_value) == (42, Decimal("2.000"))
    assert sorted(Enrolment.objects.filter(school=world.school).values_list("grade", "pupils")) == [(1, 20), (2, 22)]


def test_operator_staff_set_pupils_but_not_the_index(role_users, world):
    client = client_for(role_users[Role.OPERATOR_STAFF])
    url = f"/api/schools/{world.school.pk}/figures/"
    payload = {"school_year": "2024/25", "enrolment": [{"level": 1, "pupils": 30}]}
    assert client.post(url, payload, format="json").status_code == 204
    payload.update(ses_scale=hamburg_scale().code, ses_value="2")
    assert client.post(url, payload, format="json").status_code == 403
    world.school.refresh_from_db()
    assert (world.school.pupils_total, world.school.ses_value) == (30, None)


def test_figures_outside_the_scale_are_400(role_users, world):
    payload = {"school_year": "2024/25", "enrolment": [], "ses_scale": hamburg_scale().code, "ses_value": "9"}
    response = client_for(role_users[Role.PROGRAMME_OWNER]).post(
        f"/api/schools/{world.school.pk}/figures/", payload, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The index is outside its scale."]}


def test_negative_pupils_are_a_field_error(role_users, world):
    payload = {"school_year": "2024/25", "enrolment": [{"level": 1, "pupils": -1}]}
    response = client_for(role_users[Role.OPERATOR_STAFF]).post(
        f"/api/schools/{world.school.pk}/figures/", payload, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"enrolment": {"0": {"pupils": ["Ensure this value is greater than or equal to 0."]}}}


def test_school_coordinator_cannot_set_figures(role_users, world):
    payload = {"school_year": "2024/25", "enrolment": [{"level": 1, "pupils": 10}]}
    response = client_for(role_users[Role.SCHOOL_COORDINATOR]).post(
        f"/api/schools/{world.school.pk}/figures/", payload, format="json"
    )
    assert response.status_code == 403
    assert not Enrolment.objects.exists()


def test_school_coordinator_manages_sites_of_their_school(role_users, world):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post("/api/sites/", {"school": world.school.pk, "name": "Annex"}, format="json")
    assert response.status_code == 201
    site = Site.objects.get(name="Annex")
    assert client.patch(f"/api/sites/{site.pk}/", {"city": "Rostock"}, format="json").json()["city"] == "Rostock"
    assert client.delete(f"/api/sites/{site.pk}/").status_code == 204
    assert not Site.objects.filter(pk=site.pk).exists()


def test_the_main_building_cannot_be_deleted(role_users, world):
    school = services.school_create(
        actor=role_users[Role.ADMINISTRATOR],
        authority=world.authority,
        data=school_payload(world, operator=world.operator),
    )
    main = school.sites.get()
    response = client_for(role_users[Role.SCHOOL_COORDINATOR]).delete(f"/api/sites/{main.pk}/")
    # The coordinator's scope is the INSIDE school only: another school's building is not found.
    assert response.status_code == 404
    response = client_for(role_users[Role.ADMINISTRATOR]).delete(f"/api/sites/{main.pk}/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The main building cannot be deleted."]}


def test_creating_a_site_for_a_school_outside_the_scope_is_a_field_error(role_users, world):
    response = client_for(role_users[Role.SCHOOL_COORDINATOR]).post(
        "/api/sites/", {"school": world.other_school.pk, "name": "Annex"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["school"]


def test_programme_owner_creates_an_operator_in_their_authority(role_users, world):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    payload = {"authority": world.authority.pk, "code": "NEW", "name": "New operator"}
    response = client.post("/api/operators/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["authority_name"] == "INSIDE authority"
    payload["authority"] = world.other_authority.pk
    assert client.post("/api/operators/", payload, format="json").status_code == 400


# Authentication


def test_token_authentication(role_users, world):
    cache.clear()
    user = role_users[Role.OPERATOR_STAFF]
    response = APIClient().post("/api/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=user).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert names(client.get("/api/schools/")) == ["INSIDE school"]


def test_a_wrong_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/schools/").status_code == 401


def test_session_authentication(role_users, world, client):
    client.force_login(role_users[Role.OPERATOR_STAFF])
    response = client.get("/api/schools/")
    assert response.status_code == 200
    assert response.json()["count"] == 1


# The audit trail


def test_audit_events_for_administrators_filtered_by_object(role_users, world):
    admin = role_users[Role.ADMINISTRATOR]
    services.school_update(actor=admin, school=world.school, data={"name": "A"})
    services.school_update(actor=admin, school=world.other_school, data={"name": "OUTSIDE B"})
    client = client_for(admin)
    assert client.get("/api/audit-events/").json()["count"] == 2
    response = client.get("/api/audit-events/", {"object_type": "schools.school", "object_id": world.school.pk})
    rows = response.json()["results"]
    assert [(row["action"], row["after"]["name"]) for row in rows] == [("update", "A")]


def test_a_scoped_auditor_reads_the_events_of_their_scope_only(role_users, world):
    admin = role_users[Role.ADMINISTRATOR]
    services.school_update(actor=admin, school=world.school, data={"name": "A"})
    services.school_update(actor=admin, school=world.other_school, data={"name": "OUTSIDE B"})
    response = client_for(role_users[Role.AUDITOR]).get("/api/audit-events/")
    assert [row["object_repr"] for row in response.json()["results"]] == ["A (1001)"]


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.OPERATOR_STAFF, Role.SUPPLIER])
def test_other_roles_cannot_read_the_audit_trail(role_users, world, role):
    assert client_for(role_users[role]).get("/api/audit-events/").status_code == 403


def test_the_audit_trail_is_read_only(role_users, world):
    response = client_for(role_users[Role.ADMINISTRATOR]).post("/api/audit-events/", {}, format="json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_ordering_breaks_ties_by_id():
    """Two schools with the same name come in id order, whatever the direction asked for."""
    from rest_framework.test import APIClient

    first = SchoolFactory(name="Twin")
    second = SchoolFactory(name="Twin", operator=first.operator)
    client = APIClient()
    client.force_authenticate(user_with_role(Role.ADMINISTRATOR))
    for ordering in ("name", "-name"):
        response = client.get(reverse("school-list"), {"ordering": ordering, "q": "Twin"})
        ids = [row["id"] for row in response.json()["results"] if row["name"] == "Twin"]
        assert ids == [first.pk, second.pk], ordering
