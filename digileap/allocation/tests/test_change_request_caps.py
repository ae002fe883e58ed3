"""Issue 11, defect 10: an approval that puts a year over its budget cap needs an explicit
confirmation (service, page and API), and a decision is never dated before the committee's meeting.

The plan of ``plan_in_force``: 2025 (cap 1,000) holds 700 (INSIDE school 500, neighbour 200),
2026 (cap 1,000) holds 300 (school B), 2027 has no cap.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent

from ..models import ChangeRequest, RolloutVersion
from ..services import change_requests as services
from .factories_change_requests import entries_of, file_move, plan_in_force, schedule

pytestmark = pytest.mark.django_db

OVER_2026 = (
    "Approving this request puts the plan over its budget cap (2026: EUR 1,200.00 against a cap of EUR 1,000.00). "
    "Confirm that the committee approved it over the cap."
)


@pytest.fixture
def setup(world):
    return plan_in_force(world)


@pytest.fixture
def staff(role_users):
    return role_users[Role.OPERATOR_STAFF]


@pytest.fixture
def funding(role_users):
    return role_users[Role.FUNDING_ADMINISTRATOR]


def amount_change(setup, staff, funding, cost="1200.00"):
    """School B's amount in 2026 from 300 to ``cost``, on the agenda of 10 March 2025."""
    change_request = services.change_request_file(
        actor=staff,
        plan=setup.plan,
        school=setup.school_b,
        kind=ChangeRequest.Kind.AMOUNT,
        requested_cost=Decimal(cost),
        justification="More pupils",
    )
    return schedule(change_request, funding)


def decide(change_request, actor, **overrides):
    arguments = {
        "decision": "approved",
        "decided_on": timezone.localdate(),
        "minutes_reference": "SC-2025-03 §4",
        **overrides,
    }
    return services.change_request_decide(actor=actor, change_request=change_request, **arguments)


def versions(setup):
    return list(RolloutVersion.objects.filter(plan=setup.plan).order_by("number").values_list("number", "status"))


def test_an_approval_over_a_cap_is_refused_until_confirmed(setup, staff, funding):
    change_request = amount_change(setup, staff, funding)
    assert [(load.period.label, load.after) for load in services.over_cap_loads(change_request)] == [
        ("2026", Decimal("1200.00"))
    ]
    with pytest.raises(ValidationError) as refused:
        decide(change_request, funding)
    assert refused.value.message_dict == {"accept_over_cap": [OVER_2026]}
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequest.Status.ON_AGENDA
    assert versions(setup) == [(1, "superseded"), (2, "adopted"), (3, "draft")]

    decided = decide(change_request, funding, accept_over_cap=True)
    assert (decided.status, decided.resulting_version.number) == ("approved", 4)
    assert entries_of(decided.resulting_version)[1] == ("1002", "2026", Decimal("1200.00"), False, "")
    event = AuditEvent.objects.get(action="approve", object_id=str(change_request.pk))
    assert event.after["over_cap"] == {"2026": {"after": "1200.00", "cap": "1000.00"}}


def test_within_the_caps_no_confirmation_is_needed(setup, staff, funding):
    # 300 + 700 = 1,000 in 2026: at the cap, not over it.
    change_request = amount_change(setup, staff, funding, cost="1000.00")
    assert services.over_cap_loads(change_request) == []
    assert decide(change_request, funding).status == "approved"


def test_a_move_within_the_cap_needs_no_confirmation(setup, staff, funding):
    # A move into 2026: 300 + 500 = 800.
    moved = decide(schedule(file_move(setup, staff, period=setup.y2026), funding), funding)
    assert moved.status == "approved"
    event = AuditEvent.objects.get(action="approve", object_id=str(moved.pk))
    assert "over_cap" not in event.after


def test_a_rejection_needs_no_confirmation(setup, staff, funding):
    change_request = amount_change(setup, staff, funding)
    assert decide(change_request, funding, decision="rejected").status == "rejected"


def test_a_decision_before_the_meeting_is_refused(setup, staff, funding):
    today = timezone.localdate()
    change_request = schedule(file_move(setup, staff), funding, meeting_date=today)
    with pytest.raises(ValidationError) as refused:
        decide(change_request, funding, decided_on=today - datetime.timedelta(days=1))
    assert refused.value.message_dict == {
        "decided_on": [
            f"The decision cannot be dated before the committee's meeting ({today.isoformat()}): "
            "the committee decides at or after it."
        ]
    }
    change_request.refresh_from_db()
    assert (change_request.status, change_request.decided_on) == ("on_agenda", None)
    assert decide(change_request, funding, decided_on=today).decided_on == today


def test_the_page_warns_and_asks_for_the_confirmation(setup, staff, funding):
    change_request = amount_change(setup, staff, funding)
    client = Client()
    client.force_login(funding)
    url = reverse("allocation:changerequest-decide", kwargs={"pk": change_request.pk})
    page = client.get(url)
    assert page.context["over_cap_warning"] == OVER_2026
    content = page.content.decode()
    assert 'id="over-cap-warning"' in content and 'name="accept_over_cap"' in content
    data = {"decision": "approved", "decided_on": timezone.localdate().isoformat(), "minutes_reference": "SC-1"}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"accept_over_cap": [OVER_2026]}
    assert client.post(url, {**data, "accept_over_cap": "on"}).status_code == 302
    change_request.refresh_from_db()
    assert change_request.status == "approved"


def test_the_page_shows_no_confirmation_within_the_caps(setup, staff, funding):
    change_request = schedule(file_move(setup, staff), funding)
    client = Client()
    client.force_login(funding)
    page = client.get(reverse("allocation:changerequest-decide", kwargs={"pk": change_request.pk}))
    assert page.context["over_cap_warning"] == ""
    assert 'name="accept_over_cap"' not in page.content.decode()


def test_the_page_shows_a_decision_date_before_the_meeting_on_its_field(setup, staff, funding):
    today = timezone.localdate()
    change_request = schedule(file_move(setup, staff), funding, meeting_date=today)
    client = Client()
    client.force_login(funding)
    response = client.post(
        reverse("allocation:changerequest-decide", kwargs={"pk": change_request.pk}),
        {
            "decision": "approved",
            "decided_on": (today - datetime.timedelta(days=1)).isoformat(),
            "minutes_reference": "SC-1",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["decided_on"]


def test_the_api_refuses_until_confirmed(setup, staff, funding):
    change_request = amount_change(setup, staff, funding)
    client = Client(HTTP_ACCEPT="application/json")
    client.force_login(funding)
    url = f"/api/change-requests/{change_request.pk}/decide/"
    data = {"decision": "approved", "decided_on": timezone.localdate().isoformat(), "minutes_reference": "SC-1"}
    refused = client.post(url, json.dumps(data), content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["accept_over_cap"] == [OVER_2026]
    accepted = client.post(url, json.dumps({**data, "accept_over_cap": True}), content_type="application/json")
    assert (accepted.status_code, accepted.json()["status"]) == (200, "approved")
