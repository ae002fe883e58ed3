"""The API of the roll-out board, tickets and access point installations: reads are scoped, actions
go through the services, refusals are 400 with the fields they name or 403."""

import datetime

import pytest
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.devices.models import AccessPointInstallation, ChecklistItem, DeviceType, Ticket
from digileap.devices.services import board, tickets
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from .factories import DeviceFactory, DeviceModelFactory, FrameworkContractFactory


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="GENT-API", authority=world.authority)


@pytest.fixture
def rollouts(programme, world, role_users):
    sibling = SchoolFactory(operator=OperatorFactory(authority=world.authority), name="Sibling school")
    board.rollout_start_many(programme=programme, actor=role_users[Role.ADMINISTRATOR])
    return sibling


def test_rollouts_are_scoped_and_carry_figures_and_labels(rollouts, role_users):
    data = api(role_users[Role.OPERATOR_STAFF]).get("/api/school-rollouts/").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert (row["school_name"], row["phase"], row["status"], row["steps_total"], row["steps_done"]) == (
        "INSIDE school",
        "preparation",
        "not_started",
        9,
        0,
    )
    assert row["checklist"][0] == {
        "id": row["checklist"][0]["id"],
        "phase": "preparation",
        "code": "counts_confirmed",
        "label": "Counts confirmed",
        "position": 1,
        "is_done": False,
        "done_by": None,
        "done_at": None,
    }
    assert api(role_users[Role.PROGRAMME_OWNER]).get("/api/school-rollouts/").json()["count"] == 2
    assert api(role_users[Role.SUPPLIER]).get("/api/school-rollouts/").status_code == 403


def test_tick_and_phase_actions(rollouts, world, role_users):
    client = api(role_users[Role.SCHOOL_COORDINATOR])
    rollout = client.get("/api/school-rollouts/").json()["results"][0]
    item = rollout["checklist"][0]["id"]
    response = client.post(f"/api/school-rollouts/{rollout['id']}/tick/", {"item": item, "done": True}, format="json")
    assert response.status_code == 200 and response.json()["steps_done"] == 1
    response = client.post(f"/api/school-rollouts/{rollout['id']}/tick/", {"item": item}, format="json")
    assert (response.status_code, response.json()) == (400, {"is_done": ["This step is already done."]})
    foreign = ChecklistItem.objects.exclude(rollout_id=rollout["id"]).first().pk
    response = client.post(f"/api/school-rollouts/{rollout['id']}/tick/", {"item": foreign}, format="json")
    assert (response.status_code, response.json()) == (400, {"item": ["This school's checklist has no such step."]})
    response = client.post(f"/api/school-rollouts/{rollout['id']}/phase/", {"phase": "delivery"}, format="json")
    assert response.status_code == 400
    assert response.json()["phase"][0].startswith("3 step(s) of Preparation are still open:")
    response = client.post(
        f"/api/school-rollouts/{rollout['id']}/phase/",
        {"phase": "delivery", "force": True, "note": "Later"},
        format="json",
    )
    assert (response.status_code, response.json()["phase"]) == (200, "delivery")
    response = api(role_users[Role.AUDITOR]).post(
        f"/api/school-rollouts/{rollout['id']}/status/", {"status": "blocked"}, format="json"
    )
    assert response.status_code == 403


def test_start_one_school_through_the_api(programme, world, role_users):
    client = api(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post(
        "/api/school-rollouts/", {"programme": programme.pk, "school": world.school.pk}, format="json"
    )
    assert response.status_code == 201 and response.json()["steps_total"] == 9
    response = client.post(
        "/api/school-rollouts/", {"programme": programme.pk, "school": world.school.pk}, format="json"
    )
    assert (response.status_code, response.json()) == (
        400,
        {"school": ["INSIDE school is already on the board of this programme."]},
    )


@pytest.fixture
def laptop(programme, world):
    FrameworkContractFactory(authority=world.authority, supplier=world.supplier, response_hours=4, repair_hours=48)
    return DeviceFactory(programme=programme, school=world.school, supplier=world.supplier, serial="API-LAPTOP")


def test_the_ticket_flow_through_the_api(laptop, role_users):
    school, supplier = api(role_users[Role.SCHOOL_COORDINATOR]), api(role_users[Role.SUPPLIER])
    response = school.post(
        "/api/tickets/", {"device": laptop.pk, "category": "hardware", "description": "Hinge"}, format="json"
    )
    assert response.status_code == 201
    ticket = response.json()
    assert (ticket["status"], ticket["supplier_name"], ticket["is_overdue"], ticket["next_due"]) == (
        "open",
        "INSIDE supplier",
        False,
        ticket["response_due"],
    )
    number = ticket["id"]
    assert (
        supplier.post("/api/tickets/", {"device": laptop.pk, "category": "hardware", "description": "x"}).status_code
        == 403
    )
    assert school.post(f"/api/tickets/{number}/acknowledge/").status_code == 403
    assert supplier.post(f"/api/tickets/{number}/acknowledge/").json()["status"] == "acknowledged"
    assert supplier.post(f"/api/tickets/{number}/start/").json()["status"] == "in_repair"
    laptop.refresh_from_db()
    assert laptop.status == "in_repair"
    response = school.post(f"/api/tickets/{number}/resolve/", {"resolution": "x"}, format="json")
    assert response.status_code == 403
    response = supplier.post(f"/api/tickets/{number}/resolve/", {"resolution": "New hinge"}, format="json")
    assert response.json()["status"] == "resolved"
    assert supplier.post(f"/api/tickets/{number}/close/", {}, format="json").status_code == 403
    response = school.post(f"/api/tickets/{number}/close/", {}, format="json")
    assert response.json()["status"] == "closed"
    laptop.refresh_from_db()
    assert laptop.status == "delivered"


def test_the_overdue_filter(laptop, role_users, world):
    opened = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)
    ticket = tickets.ticket_open(
        device=laptop, category="software", description="Old", actor=role_users[Role.ADMINISTRATOR], at=opened
    )
    client = api(role_users[Role.SCHOOL_COORDINATOR])
    overdue = client.get("/api/tickets/", {"overdue": "true"}).json()
    assert [row["id"] for row in overdue["results"]] == [ticket.pk]
    assert overdue["results"][0]["is_overdue"] is True
    assert client.get("/api/tickets/", {"overdue": "false"}).json()["count"] == 0
    assert api(role_users[Role.SUPPLIER]).get("/api/tickets/").json()["count"] == 1
    other = api(role_users[Role.OPERATOR_STAFF])
    assert other.get("/api/tickets/", {"supplier": world.other_supplier.pk}).json()["count"] == 0
    assert Ticket.objects.count() == 1


def test_access_points_through_the_api(programme, world, role_users):
    model = DeviceModelFactory(authority=world.authority, device_type=DeviceType.ACCESS_POINT)
    device = DeviceFactory(programme=programme, school=world.school, supplier=world.supplier, device_model=model)
    supplier = api(role_users[Role.SUPPLIER])
    response = supplier.post(
        "/api/access-point-installations/",
        {"device": device.pk, "room": "", "installed_on": "2024-10-07"},
        format="json",
    )
    assert response.status_code == 400 and "room" in response.json()
    response = supplier.post(
        "/api/access-point-installations/",
        {"device": device.pk, "building": "A", "room": "12", "installed_on": "2024-10-07"},
        format="json",
    )
    assert response.status_code == 201
    installation = response.json()
    assert (installation["room"], installation["recorded_by"], installation["verified_at"]) == (
        "12",
        "supplier-user",
        None,
    )
    assert supplier.post(f"/api/access-point-installations/{installation['id']}/verify/").status_code == 403
    school = api(role_users[Role.SCHOOL_COORDINATOR])
    assert school.get("/api/access-point-installations/", {"verified": "false"}).json()["count"] == 1
    response = school.post(f"/api/access-point-installations/{installation['id']}/verify/")
    assert response.status_code == 200 and response.json()["verified_by"] == "school_coordinator-user"
    assert school.get("/api/access-point-installations/", {"verified": "true"}).json()["count"] == 1
    assert AccessPointInstallation.objects.get().verified_at is not None
