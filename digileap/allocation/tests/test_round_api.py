"""/api/allocation-rounds/, /api/allocation-versions/ and /api/allocation-lines/ as each role, and
the compute, approve and publish actions."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from digileap.accounts.models import Role

from ..models import AllocationRound, AllocationVersion
from .factories_rounds import build_round_scenario


@pytest.fixture
def scenario(world, role_users):
    return build_round_scenario(world, owner=role_users[Role.PROGRAMME_OWNER])


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_owner_reads_rounds_versions_and_lines(role_users, scenario):
    client = api(role_users[Role.PROGRAMME_OWNER])
    rounds = client.get("/api/allocation-rounds/").json()
    assert rounds["count"] == 1
    item = rounds["results"][0]
    assert (item["code"], item["status"], item["programme_code"]) == ("DS-1", "computed", "DS")
    assert item["formula"] == {"per_pupil": [{"amount": "120"}]}
    assert item["definition"]["formula"] == ["EUR 120 per eligible pupil."]

    versions = client.get("/api/allocation-versions/", {"round": scenario.round.pk}).json()
    assert [(v["number"], v["status"], v["total"]) for v in versions["results"]] == [
        (2, "computed", "3600.00"),
        (1, "computed", "3000.00"),
    ]

    lines = client.get("/api/allocation-lines/", {"version": scenario.second.pk}).json()
    assert [(line["school_number"], line["amount"], line["bound"]) for line in lines["results"]] == [
        ("1001", "1200.00", ""),
        ("1002", "2400.00", ""),
    ]
    first = lines["results"][0]
    assert first["round"] == scenario.round.pk
    assert first["explanation"]["steps"] == [
        {"step": "per_pupil", "rate": "120", "pupils": 10, "levels": [], "grades": [], "value": "1200"}
    ]
    assert first["explanation_text"] == [
        "Primary, all grades: 10",
        "Eligible pupils: 10",
        "Socio-economic index: not recorded",
        "EUR 120 × 10 pupils = EUR 1,200.00.",
        "Formula value: EUR 1,200.0000.",
        "No total is split: the school gets its formula value within its limits, rounded to the cent.",
        "No limit bound it: the amount is the school's share by the formula.",
        "Amount: EUR 1,200.00.",
    ]

    by_school = client.get(
        "/api/allocation-lines/", {"version": scenario.first.pk, "school": scenario.second_school.pk}
    ).json()
    assert [line["amount"] for line in by_school["results"]] == ["2000.00"]


def test_owner_computes_approves_and_publishes_through_the_api(role_users, scenario):
    client = api(role_users[Role.PROGRAMME_OWNER])
    response = client.post(f"/api/allocation-rounds/{scenario.round.pk}/compute/", {"note": "api"}, format="json")
    assert response.status_code == 201
    third = response.json()
    assert (third["number"], third["status"], third["total"], third["note"]) == (3, "computed", "3600.00", "api")

    response = client.post(f"/api/allocation-versions/{scenario.second.pk}/approve/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only the latest version can be approved: version 3 is newer."]}

    response = client.post(f"/api/allocation-versions/{third['id']}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"

    response = client.post(f"/api/allocation-rounds/{scenario.round.pk}/compute/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The round is approved: it cannot be changed any more."]}
    assert scenario.round.versions.count() == 3

    response = client.post(f"/api/allocation-versions/{third['id']}/publish/")
    assert (response.status_code, response.json()["status"]) == (200, "published")
    assert AllocationRound.objects.get(pk=scenario.round.pk).status == AllocationRound.Status.PUBLISHED


def test_publishing_needs_an_approved_version(role_users, scenario):
    response = api(role_users[Role.PROGRAMME_OWNER]).post(f"/api/allocation-versions/{scenario.second.pk}/publish/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only the approved version can be published."]}


@pytest.mark.parametrize(
    "role", [Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR]
)
def test_others_may_not_compute_approve_or_publish(role, role_users, scenario):
    scenario.approve_and_publish()
    client = api(role_users[role])
    assert client.post(f"/api/allocation-rounds/{scenario.round.pk}/compute/", {}, format="json").status_code == 403
    assert client.post(f"/api/allocation-versions/{scenario.first.pk}/approve/").status_code in (403, 404)
    assert client.post(f"/api/allocation-versions/{scenario.second.pk}/publish/").status_code == 403
    assert AllocationVersion.objects.filter(round=scenario.round).count() == 2


def test_the_supplier_sees_nothing_and_writes_nothing(role_users, scenario):
    scenario.approve_and_publish()
    client = api(role_users[Role.SUPPLIER])
    assert client.get("/api/allocation-rounds/").status_code == 403
    assert client.get(f"/api/allocation-lines/?version={scenario.second.pk}").status_code == 403
    assert client.post(f"/api/allocation-rounds/{scenario.round.pk}/compute/").status_code == 403


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR])
def test_operator_and_coordinator_read_only_their_published_line(role, role_users, scenario):
    client = api(role_users[role])
    assert client.get("/api/allocation-rounds/").json()["count"] == 0
    assert client.get(f"/api/allocation-versions/{scenario.second.pk}/").status_code == 404
    own = scenario.second.lines.get(school=scenario.school)
    assert client.get(f"/api/allocation-lines/{own.pk}/").status_code == 404

    scenario.approve_and_publish()
    assert [r["code"] for r in client.get("/api/allocation-rounds/").json()["results"]] == ["DS-1"]
    versions = client.get("/api/allocation-versions/", {"round": scenario.round.pk}).json()
    assert [v["number"] for v in versions["results"]] == [2]
    lines = client.get("/api/allocation-lines/", {"version": scenario.second.pk}).json()
    assert [(line["school_number"], line["amount"]) for line in lines["results"]] == [("1001", "1200.00")]
    assert client.get(f"/api/allocation-lines/{own.pk}/").json()["amount"] == "1200.00"
    other = scenario.second.lines.get(school=scenario.second_school)
    assert client.get(f"/api/allocation-lines/{other.pk}/").status_code == 404
    assert client.get(f"/api/allocation-versions/{scenario.first.pk}/").status_code == 404
    assert client.get("/api/allocation-lines/", {"version": scenario.first.pk}).json()["count"] == 0


def test_compare_two_versions(role_users, scenario):
    client = api(role_users[Role.PROGRAMME_OWNER])
    response = client.get(f"/api/allocation-versions/{scenario.first.pk}/compare/", {"with": scenario.second.pk})
    assert response.status_code == 200
    assert response.json() == {
        "a": scenario.first.pk,
        "b": scenario.second.pk,
        "total_a": "3000.00",
        "total_b": "3600.00",
        "total_difference": "600.00",
        "schools": [
            {
                "school": scenario.school.pk,
                "school_number": "1001",
                "amount_a": "1000.00",
                "amount_b": "1200.00",
                "difference": "200.00",
            },
            {
                "school": scenario.second_school.pk,
                "school_number": "1002",
                "amount_a": "2000.00",
                "amount_b": "2400.00",
                "difference": "400.00",
            },
        ],
    }
    response = client.get(f"/api/allocation-versions/{scenario.first.pk}/compare/", {"with": "x"})
    assert response.status_code == 400
    unchanged = client.get(
        f"/api/allocation-versions/{scenario.first.pk}/compare/", {"with": scenario.first.pk, "changed": "1"}
    )
    assert unchanged.json()["schools"] == []


def test_compare_with_a_version_the_user_may_not_see_is_a_404(role_users, scenario):
    scenario.approve_and_publish()
    client = api(role_users[Role.OPERATOR_STAFF])
    response = client.get(f"/api/allocation-versions/{scenario.second.pk}/compare/", {"with": scenario.first.pk})
    assert response.status_code == 404


def test_lines_filter_by_school_and_bound(role_users, scenario):
    client = api(role_users[Role.AUDITOR])
    response = client.get("/api/allocation-lines/", {"school": scenario.school.pk})
    assert sorted(Decimal(line["amount"]) for line in response.json()["results"]) == [
        Decimal("1000.00"),
        Decimal("1200.00"),
    ]
    assert client.get("/api/allocation-lines/", {"bound": "cap_school"}).json()["count"] == 0
