"""API of roll-out plans: read-only lists filtered by plan, version and school, restricted per
role, and the optimise action."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..models import RolloutVersion
from ..services.plans import plan_optimise, plan_version_build, version_adopt
from .factories_plans import approved_cost_round, make_plan


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


@pytest.fixture
def plan(owner, world):
    programme = ProgrammeFactory(authority=world.authority, code="mv")
    north = SchoolFactory(operator=world.operator, name="North", number="81")
    south = SchoolFactory(operator=world.operator, name="South", number="82")
    cost_round = approved_cost_round(programme, {north: "700", south: "700", world.school: "300"})
    return make_plan(
        owner,
        programme,
        [("2025", "1000"), ("2026", "500")],
        cost_round=cost_round,
        code="MV-API",
        priority_source="equal",
    )


@pytest.fixture
def versions(owner, plan, django_capture_on_commit_callbacks):
    """Version 1 optimised and adopted, version 2 a fresh draft."""
    adopted = plan_version_build(actor=owner, plan=plan)
    with django_capture_on_commit_callbacks(execute=True):
        plan_optimise(actor=owner, version=adopted)
    version_adopt(actor=owner, version=adopted)
    draft = plan_version_build(actor=owner, plan=plan)
    adopted.refresh_from_db()
    return adopted, draft


def test_plans_with_their_periods(owner, plan, versions):
    response = api(owner).get("/api/rollout-plans/")
    assert response.status_code == 200
    assert response.data["count"] == 1
    row = response.data["results"][0]
    assert (row["code"], row["priority_source"], row["relative_gap"]) == ("MV-API", "equal", "0.00000")
    assert [(p["position"], p["label"], p["budget_cap"]) for p in row["periods"]] == [
        (1, "2025", "1000.00"),
        (2, "2026", "500.00"),
    ]


def test_versions_and_entries_filtered(owner, plan, versions, world):
    adopted, draft = versions
    response = api(owner).get("/api/rollout-versions/", {"plan": plan.pk})
    assert [(row["number"], row["status"]) for row in response.data["results"]] == [(2, "draft"), (1, "adopted")]
    report = response.data["results"][1]["solver"]
    assert (report["status"], report["planned"], report["left_out"]) == ("optimal", 2, {"no_budget": 1})

    response = api(owner).get("/api/rollout-entries/", {"version": adopted.pk})
    rows = sorted(
        (row["school_name"], row["period_label"], row["cost"], row["reason"]) for row in response.data["results"]
    )
    # Equal priorities: 2025 takes the INSIDE school and one of North and South (700 + 300); the
    # other does not fit in 2026 (500). Which of the two is the solver's choice.
    assert response.data["count"] == 3
    assert [row[0] for row in rows] == ["INSIDE school", "North", "South"]
    assert rows[0][1:] == ("2025", "300.00", "")
    assert sorted((row[1] or "-", row[3]) for row in rows[1:]) == [("-", "no_budget"), ("2025", "")]
    response = api(owner).get("/api/rollout-entries/", {"version": adopted.pk, "school": world.school.pk})
    assert [row["school_number"] for row in response.data["results"]] == ["1001"]
    assert response.data["results"][0]["cost"] == "300.00"


def test_operator_staff_read_their_schools_of_the_plan_in_force(role_users, versions, world):
    adopted, draft = versions
    coordinator = api(role_users[Role.SCHOOL_COORDINATOR])
    response = coordinator.get("/api/rollout-versions/")
    assert [(row["number"], row["solver"]) for row in response.data["results"]] == [(1, {})]
    response = coordinator.get("/api/rollout-entries/")
    assert [(row["version"], row["school_name"]) for row in response.data["results"]] == [(adopted.pk, "INSIDE school")]
    assert coordinator.get(f"/api/rollout-versions/{draft.pk}/").status_code == 404
    staff = api(role_users[Role.OPERATOR_STAFF])
    assert staff.get("/api/rollout-entries/", {"version": draft.pk}).data["count"] == 0
    assert staff.get("/api/rollout-entries/", {"version": adopted.pk}).data["count"] == 3


def test_optimise_through_the_api(owner, role_users, versions, django_capture_on_commit_callbacks):
    adopted, draft = versions
    with django_capture_on_commit_callbacks(execute=True):
        response = api(owner).post(f"/api/rollout-versions/{draft.pk}/optimise/")
    assert response.status_code == 202
    assert response.data["status"] == "optimising"
    draft.refresh_from_db()
    assert (draft.status, draft.progress, draft.solver["planned"]) == (RolloutVersion.Status.DRAFT, 100, 2)

    response = api(owner).post(f"/api/rollout-versions/{adopted.pk}/optimise/")
    assert response.status_code == 400
    assert response.data == {
        "non_field_errors": ["Version 1 is in force: only a draft can be changed. Copy it to a new draft first."]
    }
    for role in (Role.OPERATOR_STAFF, Role.AUDITOR):
        response = api(role_users[role]).post(f"/api/rollout-versions/{draft.pk}/optimise/")
        assert response.status_code in (403, 404)
    funding = api(role_users[Role.FUNDING_ADMINISTRATOR])
    with django_capture_on_commit_callbacks(execute=True):
        assert funding.post(f"/api/rollout-versions/{draft.pk}/optimise/").status_code == 202


def test_the_api_is_read_only(owner, plan, versions):
    adopted, _draft = versions
    assert api(owner).post("/api/rollout-plans/", {"code": "X"}).status_code == 405
    assert api(owner).patch(f"/api/rollout-versions/{adopted.pk}/", {"note": "x"}).status_code == 405
    assert api(owner).delete(f"/api/rollout-versions/{adopted.pk}/").status_code == 405
    assert api(owner).put(f"/api/rollout-entries/{adopted.entries.first().pk}/", {"cost": "1"}).status_code == 405
    assert sorted(adopted.entries.values_list("cost", flat=True)) == [
        Decimal("300.00"),
        Decimal("700.00"),
        Decimal("700.00"),
    ]
