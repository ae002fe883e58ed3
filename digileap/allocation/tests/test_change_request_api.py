"""The change-request API: filing as operator staff, scheduling and deciding as a funding
administrator, withdrawing; scopes, refusals with clear messages, and nothing written on refusal."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent

from ..models import ChangeRequest, RolloutVersion
from .factories_change_requests import entries_of, file_move, plan_in_force, schedule

pytestmark = pytest.mark.django_db

URL = "/api/change-requests/"


@pytest.fixture
def setup(world):
    return plan_in_force(world)


def api_as(user) -> Client:
    client = Client(HTTP_ACCEPT="application/json")
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def _snapshot(setup):
    return (
        list(ChangeRequest.objects.order_by("pk").values_list("status", "committee", "decided_on")),
        list(RolloutVersion.objects.filter(plan=setup.plan).order_by("number").values_list("number", "status")),
        AuditEvent.objects.count(),
    )


def _move_payload(setup, **overrides) -> dict:
    return {
        "plan": setup.plan.pk,
        "school": setup.school.pk,
        "kind": "move",
        "requested_period": setup.y2026.pk,
        "justification": "Building works in 2025",
        **overrides,
    }


def test_the_whole_flow(setup, role_users):
    staff, funding = role_users[Role.OPERATOR_STAFF], role_users[Role.FUNDING_ADMINISTRATOR]
    operator_api, funding_api = api_as(staff), api_as(funding)

    created = post(operator_api, URL, _move_payload(setup))
    assert created.status_code == 201
    data = created.json()
    pk = data["id"]
    assert {key: data[key] for key in ("plan", "plan_code", "school", "school_name", "kind", "status")} == {
        "plan": setup.plan.pk,
        "plan_code": "MV-ROP",
        "school": setup.school.pk,
        "school_name": "INSIDE school",
        "kind": "move",
        "status": "submitted",
    }
    assert (data["requested_period"], data["requested_period_label"], data["requested_cost"]) == (
        setup.y2026.pk,
        "2026",
        None,
    )
    assert (data["requested_by"], data["resulting_version"], data["resulting_version_number"]) == (
        "operator_staff-user",
        None,
        None,
    )

    scheduled = post(
        funding_api, f"{URL}{pk}/schedule/", {"committee": "Steering committee", "meeting_date": "2025-03-10"}
    )
    assert scheduled.status_code == 200
    assert {key: scheduled.json()[key] for key in ("status", "committee", "meeting_date", "scheduled_by")} == {
        "status": "on_agenda",
        "committee": "Steering committee",
        "meeting_date": "2025-03-10",
        "scheduled_by": "funding_administrator-user",
    }

    today = timezone.localdate().isoformat()
    decided = post(
        funding_api,
        f"{URL}{pk}/decide/",
        {"decision": "approved", "decided_on": today, "minutes_reference": "SC-2025-03 §4", "decision_note": "Agreed"},
    )
    assert decided.status_code == 200
    version = RolloutVersion.objects.get(plan=setup.plan, number=4)
    assert {
        key: decided.json()[key]
        for key in ("status", "decided_on", "minutes_reference", "decision_note", "decided_by", "resulting_version")
    } == {
        "status": "approved",
        "decided_on": today,
        "minutes_reference": "SC-2025-03 §4",
        "decision_note": "Agreed",
        "decided_by": "funding_administrator-user",
        "resulting_version": version.pk,
    }
    assert decided.json()["resulting_version_number"] == 4
    assert version.status == "adopted"
    assert entries_of(version)[0] == ("1001", "2026", Decimal("500.00"), True, "")
    assert RolloutVersion.objects.get(plan=setup.plan, number=2).status == "superseded"

    # The operator sees the status of its requests.
    listed = operator_api.get(URL).json()
    assert [(r["id"], r["status"], r["resulting_version_number"]) for r in listed["results"]] == [(pk, "approved", 4)]
    assert operator_api.get(f"{URL}{pk}/").json()["minutes_reference"] == "SC-2025-03 §4"


def test_an_amount_request_and_a_rejection(setup, role_users):
    funding_api = api_as(role_users[Role.FUNDING_ADMINISTRATOR])
    created = post(
        api_as(role_users[Role.OPERATOR_STAFF]),
        URL,
        {
            "plan": setup.plan.pk,
            "school": setup.school_b.pk,
            "kind": "amount",
            "requested_cost": "450.50",
            "justification": "Two more classrooms",
        },
    )
    assert created.status_code == 201
    assert (created.json()["requested_cost"], created.json()["requested_period"]) == ("450.50", None)
    pk = created.json()["id"]
    post(funding_api, f"{URL}{pk}/schedule/", {"committee": "Board", "meeting_date": "2025-03-10"})
    rejected = post(
        funding_api,
        f"{URL}{pk}/decide/",
        {"decision": "rejected", "decided_on": timezone.localdate().isoformat(), "minutes_reference": "B-9"},
    )
    assert (rejected.status_code, rejected.json()["status"], rejected.json()["resulting_version"]) == (
        200,
        "rejected",
        None,
    )
    assert list(RolloutVersion.objects.filter(plan=setup.plan).order_by("number").values_list("number", "status")) == [
        (1, "superseded"),
        (2, "adopted"),
        (3, "draft"),
    ]


def test_filters_by_status_and_plan(setup, role_users):
    staff, funding = role_users[Role.OPERATOR_STAFF], role_users[Role.FUNDING_ADMINISTRATOR]
    first = file_move(setup, staff)
    second = schedule(file_move(setup, staff, school=setup.school_b, period=setup.y2027), funding)
    api = api_as(funding)
    assert [r["id"] for r in api.get(URL, {"status": "on_agenda"}).json()["results"]] == [second.pk]
    assert [r["id"] for r in api.get(URL, {"status": "submitted", "plan": setup.plan.pk}).json()["results"]] == [
        first.pk
    ]
    assert api.get(URL, {"plan": setup.other_plan.pk}).json()["count"] == 0


def test_the_withdraw_action(setup, role_users):
    staff = role_users[Role.OPERATOR_STAFF]
    change_request = file_move(setup, staff)
    assert (
        post(api_as(role_users[Role.FUNDING_ADMINISTRATOR]), f"{URL}{change_request.pk}/withdraw/").status_code == 403
    )
    response = post(api_as(staff), f"{URL}{change_request.pk}/withdraw/")
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")
    again = post(api_as(staff), f"{URL}{change_request.pk}/withdraw/")
    assert (again.status_code, again.json()) == (
        400,
        {"non_field_errors": ["Only a request that is not decided yet can be withdrawn; this one is: Withdrawn."]},
    )


@pytest.mark.parametrize(
    "role", [Role.FUNDING_ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR]
)
def test_only_operator_staff_file(setup, role_users, role):
    response = post(api_as(role_users[role]), URL, _move_payload(setup))
    assert response.status_code == 403
    assert ChangeRequest.objects.count() == 0


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.PROGRAMME_OWNER, Role.SCHOOL_COORDINATOR, Role.AUDITOR])
def test_only_funding_administrators_schedule_and_decide(setup, role_users, role):
    change_request = schedule(file_move(setup, role_users[Role.OPERATOR_STAFF]), role_users[Role.FUNDING_ADMINISTRATOR])
    before = _snapshot(setup)
    api = api_as(role_users[role])
    assert api.get(f"{URL}{change_request.pk}/").status_code == 200
    assert (
        post(api, f"{URL}{change_request.pk}/schedule/", {"committee": "X", "meeting_date": "2025-03-10"}).status_code
        == 403
    )
    response = post(
        api,
        f"{URL}{change_request.pk}/decide/",
        {"decision": "approved", "decided_on": timezone.localdate().isoformat(), "minutes_reference": "X"},
    )
    assert response.status_code == 403
    assert _snapshot(setup) == before


def test_outside_the_scope_is_not_found(setup, role_users, world):
    staff = role_users[Role.OPERATOR_STAFF]
    theirs = file_move(setup, setup.neighbour_staff, school=setup.neighbour, period=setup.y2027)
    mine = file_move(setup, staff)
    operator_api = api_as(staff)
    assert [r["id"] for r in operator_api.get(URL).json()["results"]] == [mine.pk]
    assert operator_api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert post(operator_api, f"{URL}{theirs.pk}/withdraw/").status_code == 404
    outside_funding = api_as(user_with_role(Role.FUNDING_ADMINISTRATOR, world.other_authority, username="out-funding"))
    assert outside_funding.get(URL).json()["count"] == 0
    before = _snapshot(setup)
    response = post(outside_funding, f"{URL}{mine.pk}/schedule/", {"committee": "X", "meeting_date": "2025-03-10"})
    assert response.status_code == 404
    assert _snapshot(setup) == before
    # A school of another operator is not one the operator's staff can name.
    response = post(operator_api, URL, _move_payload(setup, school=setup.neighbour.pk))
    assert (response.status_code, response.json()) == (
        400,
        {"school": [f'Invalid pk "{setup.neighbour.pk}" - object does not exist.']},
    )
    assert _snapshot(setup) == before


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"requested_period": "other_2025"}, {"requested_period": ["This year or wave belongs to another plan."]}),
        ({"school": "school_d"}, {"school": ["This school is not in the version of the plan in force."]}),
        ({"kind": "amount", "requested_cost": "-1.00"}, {"requested_cost": ["The amount cannot be negative."]}),
        ({"kind": "amount"}, {"requested_cost": ["Enter the amount the school should receive."]}),
        ({"justification": ""}, {"justification": ["This field may not be blank."]}),
        ({"kind": "swap"}, {"kind": ['"swap" is not a valid choice.']}),
    ],
)
def test_invalid_requests_are_refused_with_clear_messages(setup, role_users, overrides, expected):
    resolved = {
        key: getattr(setup, value).pk if isinstance(value, str) and hasattr(setup, value) else value
        for key, value in overrides.items()
    }
    before = _snapshot(setup)
    response = post(api_as(role_users[Role.OPERATOR_STAFF]), URL, _move_payload(setup, **resolved))
    assert (response.status_code, response.json()) == (400, expected)
    assert _snapshot(setup) == before


def test_decision_errors(setup, role_users):
    staff, funding = role_users[Role.OPERATOR_STAFF], role_users[Role.FUNDING_ADMINISTRATOR]
    change_request = file_move(setup, staff)
    api = api_as(funding)
    today = timezone.localdate().isoformat()
    url = f"{URL}{change_request.pk}/decide/"
    before = _snapshot(setup)
    not_on_agenda = post(api, url, {"decision": "approved", "decided_on": today, "minutes_reference": "SC-1"})
    assert (not_on_agenda.status_code, not_on_agenda.json()) == (
        400,
        {"non_field_errors": ["Put the request on a committee's agenda before recording the decision."]},
    )
    schedule(change_request, funding)
    before = _snapshot(setup)
    missing = post(api, url, {"decision": "approved", "decided_on": today})
    assert (missing.status_code, missing.json()) == (400, {"minutes_reference": ["This field is required."]})
    blank = post(api, url, {"decision": "approved", "decided_on": today, "minutes_reference": ""})
    assert (blank.status_code, blank.json()) == (400, {"minutes_reference": ["This field may not be blank."]})
    assert _snapshot(setup) == before

    assert post(api, url, {"decision": "approved", "decided_on": today, "minutes_reference": "SC-1"}).status_code == 200
    after_first = _snapshot(setup)
    twice = post(api, url, {"decision": "rejected", "decided_on": today, "minutes_reference": "SC-2"})
    assert (twice.status_code, twice.json()) == (
        400,
        {"non_field_errors": [f"This request was already decided (Approved on {today}, minutes SC-1)."]},
    )
    assert _snapshot(setup) == after_first


def test_updates_and_deletes_are_not_offered(setup, role_users):
    change_request = file_move(setup, role_users[Role.OPERATOR_STAFF])
    api = api_as(role_users[Role.ADMINISTRATOR])
    assert api.patch(f"{URL}{change_request.pk}/", "{}", content_type="application/json").status_code == 405
    assert api.delete(f"{URL}{change_request.pk}/").status_code == 405
