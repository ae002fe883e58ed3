"""Pages of change requests: list and filters, filing, the committee's agenda and decision,
withdrawal, who sees and does what, and errors shown on the page with nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent

from ..models import ChangeRequest, RolloutVersion
from ..services import change_requests as services
from .factories_change_requests import entries_of, file_move, plan_in_force, schedule

pytestmark = pytest.mark.django_db

LIST_URL = reverse("allocation:changerequest-list")
CREATE_URL = reverse("allocation:changerequest-create")


def _url(name: str, change_request) -> str:
    return reverse(f"allocation:changerequest-{name}", kwargs={"pk": change_request.pk})


@pytest.fixture
def setup(world):
    return plan_in_force(world)


@pytest.fixture
def staff(role_users):
    return role_users[Role.OPERATOR_STAFF]


@pytest.fixture
def funding(role_users):
    return role_users[Role.FUNDING_ADMINISTRATOR]


def _as(client, user):
    client.force_login(user)
    return client


def _listed(response) -> list[tuple[int, str]]:
    return [(r.pk, r.status) for r in response.context["page"].object_list]


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _snapshot(setup):
    return (
        list(ChangeRequest.objects.order_by("pk").values_list("status", "committee", "decided_on")),
        list(RolloutVersion.objects.filter(plan=setup.plan).order_by("number").values_list("number", "status")),
        AuditEvent.objects.count(),
    )


class TestList:
    def test_the_operator_sees_its_own_requests_and_their_status(self, client, setup, staff, funding):
        mine = file_move(setup, staff)
        schedule(mine, funding)
        file_move(setup, setup.neighbour_staff, school=setup.neighbour, period=setup.y2027)
        response = _as(client, staff).get(LIST_URL)
        assert response.status_code == 200
        assert _listed(response) == [(mine.pk, "on_agenda")]
        assert response.context["can_file"] is True
        text = response.content.decode()
        assert "On the committee&#x27;s agenda" in text
        assert "Steering committee, 2025-03-10" in text
        assert "INSIDE neighbour school" not in text

    def test_the_funding_administrator_sees_all_in_scope_and_filters(self, client, setup, staff, funding):
        first = file_move(setup, staff)
        second = file_move(setup, setup.neighbour_staff, school=setup.neighbour, period=setup.y2027)
        schedule(second, funding)
        client = _as(client, funding)
        response = client.get(LIST_URL)
        assert _listed(response) == [(second.pk, "on_agenda"), (first.pk, "submitted")]
        assert response.context["can_file"] is False
        assert "File a change request" not in response.content.decode()
        assert _listed(client.get(LIST_URL, {"status": "submitted"})) == [(first.pk, "submitted")]
        assert _listed(client.get(LIST_URL, {"plan": setup.plan.pk, "status": "on_agenda"})) == [
            (second.pk, "on_agenda")
        ]
        assert _listed(client.get(LIST_URL, {"plan": setup.other_plan.pk})) == []
        # An unknown filter value shows the error and the whole list, not a server error.
        response = client.get(LIST_URL, {"status": "lost"})
        assert response.status_code == 200
        assert response.context["filter_form"].errors == {
            "status": ["Select a valid choice. lost is not one of the available choices."]
        }

    def test_the_supplier_may_not_open_it(self, client, setup, role_users):
        assert _as(client, role_users[Role.SUPPLIER]).get(LIST_URL).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(LIST_URL)
        assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={LIST_URL}")


class TestFiling:
    def test_operator_staff_file_a_move(self, client, setup, staff):
        client = _as(client, staff)
        page = client.get(CREATE_URL)
        assert page.status_code == 200
        # One plan in force with the operator's schools: the form opens on it.
        assert page.context["plan"] == setup.plan
        form = page.context["form"]
        assert [str(label) for _value, label in form.fields["school"].choices][1:] == [
            "INSIDE school (1001): now 2025, EUR 500.00",
            "INSIDE school B (1002): now 2026, EUR 300.00",
            "INSIDE school C (1003): now not planned, EUR 700.00",
        ]
        assert list(form.fields["requested_period"].queryset) == [setup.y2025, setup.y2026, setup.y2027]
        response = client.post(
            CREATE_URL,
            {
                "plan": setup.plan.pk,
                "school": setup.school.pk,
                "kind": "move",
                "requested_period": setup.y2026.pk,
                "justification": "Building works in 2025",
            },
        )
        change_request = ChangeRequest.objects.get()
        assert response.status_code == 302
        assert response["Location"] == _url("detail", change_request)
        assert (change_request.kind, change_request.requested_period, change_request.requested_by) == (
            "move",
            setup.y2026,
            staff,
        )
        detail = client.get(response["Location"])
        assert _messages(detail) == [f"Your change request #{change_request.pk} was filed."]
        assert detail.context["can_withdraw"] is True
        assert (detail.context["can_schedule"], detail.context["can_decide"]) == (False, False)

    def test_operator_staff_file_an_amount(self, client, setup, staff):
        response = _as(client, staff).post(
            CREATE_URL,
            {
                "plan": setup.plan.pk,
                "school": setup.school_b.pk,
                "kind": "amount",
                "requested_cost": "450.50",
                "justification": "Two more classrooms",
            },
        )
        assert response.status_code == 302
        assert ChangeRequest.objects.values_list("kind", "requested_cost", "requested_period").get() == (
            "amount",
            Decimal("450.50"),
            None,
        )

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"kind": "move", "requested_period": "other_2025"}, "requested_period", "Select a valid choice. That choice is not one of the available choices."),
            ({"kind": "move", "requested_period": "y2025"}, "requested_period", "The school is already planned in 2025."),
            ({"kind": "move", "requested_period": ""}, "requested_period", "Choose the year or wave the school should move to."),
            ({"kind": "amount", "requested_cost": "-5"}, "requested_cost", "The amount cannot be negative."),
            ({"kind": "amount", "requested_cost": ""}, "requested_cost", "Enter the amount the school should receive."),
            ({"kind": "move", "requested_period": "y2026", "school": "school_d"}, "school", "Select a valid choice. That choice is not one of the available choices."),
            ({"kind": "move", "requested_period": "y2026", "school": "neighbour"}, "school", "Select a valid choice. That choice is not one of the available choices."),
            ({"kind": "move", "requested_period": "y2026", "justification": ""}, "justification", "This field is required."),
        ],
    )  # fmt: skip
    def test_invalid_requests_show_errors_and_write_nothing(self, client, setup, staff, data, field, message):
        values = {"plan": setup.plan.pk, "school": setup.school.pk, "justification": "Reasons"}
        for key, value in data.items():
            values[key] = getattr(setup, value).pk if value and hasattr(setup, value) else value
        before = _snapshot(setup)
        response = _as(client, staff).post(CREATE_URL, values)
        assert response.status_code == 200
        assert response.context["form"].errors == {field: [message]}
        assert _snapshot(setup) == before

    def test_a_plan_outside_the_filer_s_plans_is_refused(self, client, setup, staff, world):
        before = _snapshot(setup)
        response = _as(client, staff).post(
            CREATE_URL, {"plan": setup.other_plan.pk, "school": setup.school.pk, "kind": "move", "justification": "x"}
        )
        assert response.status_code == 200
        assert response.context["plan_form"].errors == {
            "plan": ["Select a valid choice. That choice is not one of the available choices."]
        }
        assert _snapshot(setup) == before

    def test_with_several_plans_the_plan_is_chosen_first(self, client, setup, staff, world):
        second = RolloutVersion.objects.create(
            plan=setup.other_plan, number=1, status=RolloutVersion.Status.ADOPTED, created_at=timezone.now()
        )
        second.entries.create(school=setup.school, period=setup.other_2025, cost=Decimal("100"))
        client = _as(client, staff)
        page = client.get(CREATE_URL)
        assert "plan" not in page.context
        assert list(page.context["plan_form"].fields["plan"].queryset) == [setup.plan, setup.other_plan]
        chosen = client.get(CREATE_URL, {"plan": setup.other_plan.pk})
        assert chosen.context["plan"] == setup.other_plan
        assert list(chosen.context["form"].fields["requested_period"].queryset) == [setup.other_2025]

    @pytest.mark.parametrize(
        "role",
        [Role.FUNDING_ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR],
    )
    def test_other_roles_may_not_file(self, client, setup, role_users, role):
        client = _as(client, role_users[role])
        assert client.get(CREATE_URL).status_code == 403
        response = client.post(
            CREATE_URL,
            {
                "plan": setup.plan.pk,
                "school": setup.school.pk,
                "kind": "move",
                "requested_period": setup.y2026.pk,
                "justification": "x",
            },
        )
        assert response.status_code == 403
        assert ChangeRequest.objects.count() == 0

    def test_operator_staff_without_a_plan_in_force_are_told(self, client, world):
        staff = user_with_role(Role.OPERATOR_STAFF, world.other_operator, username="lonely-staff")
        response = _as(client, staff).get(CREATE_URL)
        assert response.status_code == 200
        assert "No roll-out plan in force has a school you may file a request for." in response.content.decode()


class TestCommittee:
    def test_schedule_then_approve(self, client, setup, staff, funding):
        change_request = file_move(setup, staff)
        client = _as(client, funding)
        detail = client.get(_url("detail", change_request))
        assert (detail.context["can_schedule"], detail.context["can_decide"], detail.context["can_withdraw"]) == (
            True,
            False,
            False,
        )
        assert client.get(_url("schedule", change_request)).status_code == 200
        response = client.post(
            _url("schedule", change_request), {"committee": "Steering committee", "meeting_date": "2025-03-10"}
        )
        assert response.status_code == 302
        change_request.refresh_from_db()
        assert (change_request.status, change_request.committee, change_request.meeting_date) == (
            "on_agenda",
            "Steering committee",
            datetime.date(2025, 3, 10),
        )
        decide_page = client.get(_url("decide", change_request))
        assert [(load.period.label, load.planned, load.after) for load in decide_page.context["effect"]] == [
            ("2025", Decimal("700.00"), Decimal("200.00")),
            ("2026", Decimal("300.00"), Decimal("800.00")),
            ("2027", Decimal("0"), Decimal("0")),
        ]
        today = timezone.localdate().isoformat()
        response = client.post(
            _url("decide", change_request),
            {"decision": "approved", "decided_on": today, "minutes_reference": "SC-2025-03 §4", "decision_note": ""},
        )
        assert response.status_code == 302
        change_request.refresh_from_db()
        assert (change_request.status, change_request.resulting_version.number) == ("approved", 4)
        assert entries_of(change_request.resulting_version)[0] == ("1001", "2026", Decimal("500.00"), True, "")
        detail = client.get(response["Location"])
        assert _messages(detail) == ["The request was approved: version 4 of the plan is now in force."]
        text = detail.content.decode()
        assert "SC-2025-03 §4" in text
        assert (
            f'href="{reverse("allocation:rolloutversion-detail", kwargs={"pk": change_request.resulting_version_id})}"'
            in text
        )
        assert [(step.key, step.is_done) for step in detail.context["timeline"]] == [
            ("submitted", True),
            ("on_agenda", True),
            ("decided", True),
        ]
        assert [event.action for event in detail.context["events"]] == ["approve", "schedule", "create"]

    def test_reject(self, client, setup, staff, funding):
        change_request = schedule(file_move(setup, staff), funding)
        response = _as(client, funding).post(
            _url("decide", change_request),
            {"decision": "rejected", "decided_on": timezone.localdate().isoformat(), "minutes_reference": "SC-7"},
        )
        assert response.status_code == 302
        assert _messages(client.get(response["Location"])) == ["The request was rejected; the plan stays as it is."]
        assert list(
            RolloutVersion.objects.filter(plan=setup.plan).order_by("number").values_list("number", "status")
        ) == [(1, "superseded"), (2, "adopted"), (3, "draft")]

    def test_a_missing_minutes_reference_is_shown_and_nothing_written(self, client, setup, staff, funding):
        change_request = schedule(file_move(setup, staff), funding)
        before = _snapshot(setup)
        response = _as(client, funding).post(
            _url("decide", change_request),
            {"decision": "approved", "decided_on": timezone.localdate().isoformat(), "minutes_reference": ""},
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {"minutes_reference": ["This field is required."]}
        assert _snapshot(setup) == before

    def test_deciding_twice_shows_the_first_decision(self, client, setup, staff, funding):
        change_request = schedule(file_move(setup, staff), funding)
        services.change_request_decide(
            actor=funding,
            change_request=change_request,
            decision="rejected",
            decided_on=timezone.localdate(),
            minutes_reference="SC-7",
        )
        before = _snapshot(setup)
        response = _as(client, funding).post(
            _url("decide", change_request),
            {"decision": "approved", "decided_on": timezone.localdate().isoformat(), "minutes_reference": "SC-8"},
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            f"This request was already decided (Rejected on {timezone.localdate().isoformat()}, minutes SC-7)."
        ]
        assert _snapshot(setup) == before

    def test_deciding_before_the_agenda_is_refused_on_the_page(self, client, setup, staff, funding):
        change_request = file_move(setup, staff)
        response = _as(client, funding).post(
            _url("decide", change_request),
            {"decision": "approved", "decided_on": timezone.localdate().isoformat(), "minutes_reference": "SC-8"},
        )
        assert response.context["form"].non_field_errors() == [
            "Put the request on a committee's agenda before recording the decision."
        ]

    @pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.PROGRAMME_OWNER, Role.SCHOOL_COORDINATOR, Role.AUDITOR])
    def test_roles_that_see_but_may_not_decide_get_403(self, client, setup, staff, funding, role_users, role):
        change_request = schedule(file_move(setup, staff), funding)
        client = _as(client, role_users[role])
        assert client.get(_url("detail", change_request)).status_code == 200
        for name in ("schedule", "decide"):
            assert client.get(_url(name, change_request)).status_code == 403
        response = client.post(
            _url("decide", change_request),
            {"decision": "approved", "decided_on": timezone.localdate().isoformat(), "minutes_reference": "X"},
        )
        assert response.status_code == 403
        change_request.refresh_from_db()
        assert change_request.status == "on_agenda"


class TestOutsideTheScope:
    def test_another_operator_s_request_is_not_found(self, client, setup, staff):
        theirs = file_move(setup, setup.neighbour_staff, school=setup.neighbour, period=setup.y2027)
        client = _as(client, staff)
        for name in ("detail", "schedule", "decide", "withdraw"):
            assert client.get(_url(name, theirs)).status_code == 404
        assert client.post(_url("withdraw", theirs)).status_code == 404
        theirs.refresh_from_db()
        assert theirs.status == "submitted"

    def test_another_authority_s_funding_administrator_finds_nothing(self, client, setup, staff, world):
        change_request = file_move(setup, staff)
        outside = user_with_role(Role.FUNDING_ADMINISTRATOR, world.other_authority, username="outside-funding")
        client = _as(client, outside)
        assert _listed(client.get(LIST_URL)) == []
        for name in ("detail", "schedule", "decide"):
            assert client.get(_url(name, change_request)).status_code == 404
        response = client.post(_url("schedule", change_request), {"committee": "X", "meeting_date": "2025-03-10"})
        assert response.status_code == 404
        change_request.refresh_from_db()
        assert change_request.status == "submitted"

    def test_the_supplier_finds_nothing(self, client, setup, staff, role_users):
        change_request = file_move(setup, staff)
        assert _as(client, role_users[Role.SUPPLIER]).get(_url("detail", change_request)).status_code == 404


class TestWithdrawal:
    def test_the_operator_withdraws_its_request(self, client, setup, staff):
        change_request = file_move(setup, staff)
        client = _as(client, staff)
        assert client.get(_url("withdraw", change_request)).status_code == 200
        response = client.post(_url("withdraw", change_request))
        assert response.status_code == 302
        detail = client.get(response["Location"])
        assert _messages(detail) == ["The request was withdrawn."]
        assert detail.context["change_request"].status == "withdrawn"
        assert detail.context["can_withdraw"] is False
        assert [(step.key, step.is_done) for step in detail.context["timeline"]] == [
            ("submitted", True),
            ("on_agenda", False),
            ("withdrawn", True),
        ]

    def test_a_decided_request_cannot_be_withdrawn(self, client, setup, staff, funding):
        change_request = schedule(file_move(setup, staff), funding)
        services.change_request_decide(
            actor=funding,
            change_request=change_request,
            decision="approved",
            decided_on=timezone.localdate(),
            minutes_reference="SC-1",
        )
        response = _as(client, staff).post(_url("withdraw", change_request))
        assert response.status_code == 200
        assert response.context["errors"] == [
            "Only a request that is not decided yet can be withdrawn; this one is: Approved."
        ]

    def test_the_funding_administrator_may_not_withdraw(self, client, setup, staff, funding):
        change_request = file_move(setup, staff)
        assert _as(client, funding).post(_url("withdraw", change_request)).status_code == 403
        change_request.refresh_from_db()
        assert change_request.status == "submitted"
