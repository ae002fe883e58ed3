"""Change requests through the services: filing, the committee's agenda, decisions, the plan version
an approval adopts, withdrawal; who may do what; refusals that write nothing; the audit trail."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.audit import history_for, verify_chain
from digileap.core.models import AuditEvent

from ..models import ChangeRequest, RolloutEntry, RolloutVersion
from ..selectors import change_requests as selectors
from ..services import change_requests as services
from .factories_change_requests import entries_of, file_move, plan_in_force, schedule

pytestmark = pytest.mark.django_db

ORIGINAL_ENTRIES = [
    ("1001", "2025", Decimal("500.00"), False, ""),
    ("1002", "2026", Decimal("300.00"), False, ""),
    ("1003", None, Decimal("700.00"), False, "no_budget"),
    ("1005", "2025", Decimal("200.00"), True, ""),
]


@pytest.fixture
def setup(world):
    return plan_in_force(world)


@pytest.fixture
def staff(role_users):
    return role_users[Role.OPERATOR_STAFF]


@pytest.fixture
def funding(role_users):
    return role_users[Role.FUNDING_ADMINISTRATOR]


def _decide(change_request, actor, decision="approved", **overrides):
    arguments = {
        "decided_on": timezone.localdate(),
        "minutes_reference": "SC-2025-03 §4",
        "decision_note": "",
        **overrides,
    }
    return services.change_request_decide(actor=actor, change_request=change_request, decision=decision, **arguments)


def _statuses(plan) -> list[tuple[int, str]]:
    return list(RolloutVersion.objects.filter(plan=plan).order_by("number").values_list("number", "status"))


def _error(excinfo) -> dict | list:
    error = excinfo.value
    return error.message_dict if hasattr(error, "error_dict") else error.messages


class TestTheWholeFlow:
    def test_an_approved_move_adopts_a_new_version_with_the_school_moved(self, setup, staff, funding):
        change_request = file_move(setup, staff)
        assert (
            change_request.status,
            change_request.kind,
            change_request.requested_period,
            change_request.requested_cost,
        ) == (
            "submitted",
            "move",
            setup.y2026,
            None,
        )
        assert (change_request.requested_by, change_request.justification) == (staff, "Building works in 2025")

        scheduled = schedule(change_request, funding)
        assert (scheduled.status, scheduled.committee, scheduled.meeting_date, scheduled.scheduled_by) == (
            "on_agenda",
            "Steering committee",
            datetime.date(2025, 3, 10),
            funding,
        )

        decided = _decide(scheduled, funding, decision_note="Agreed unanimously")
        decided.refresh_from_db()
        new_version = decided.resulting_version
        assert (decided.status, decided.decided_on, decided.minutes_reference, decided.decision_note) == (
            "approved",
            timezone.localdate(),
            "SC-2025-03 §4",
            "Agreed unanimously",
        )
        assert decided.decided_by == funding
        assert (new_version.number, new_version.status, new_version.note, new_version.created_by) == (
            4,
            "adopted",
            f"Change request #{change_request.pk}",
            funding,
        )
        assert new_version.adopted_at is not None
        assert new_version.adopted_at == new_version.created_at
        assert _statuses(setup.plan) == [(1, "superseded"), (2, "superseded"), (3, "draft"), (4, "adopted")]
        assert entries_of(new_version) == [
            ("1001", "2026", Decimal("500.00"), True, ""),
            ("1002", "2026", Decimal("300.00"), False, ""),
            ("1003", None, Decimal("700.00"), False, "no_budget"),
            ("1005", "2025", Decimal("200.00"), True, ""),
        ]
        # The old versions keep their entries; the copy keeps priorities, readiness and preferences.
        assert entries_of(setup.v2) == ORIGINAL_ENTRIES
        assert entries_of(setup.v3) == ORIGINAL_ENTRIES
        copied = RolloutEntry.objects.get(version=new_version, school=setup.school_b)
        assert (copied.priority, copied.readiness, copied.preferred_period) == (Decimal("2.0000"), 80, setup.y2026)

    def test_an_approved_amount_change_sets_the_new_cost(self, setup, staff, funding):
        change_request = services.change_request_file(
            actor=staff,
            plan=setup.plan,
            school=setup.school_b,
            kind=ChangeRequest.Kind.AMOUNT,
            requested_cost=Decimal("450.5"),
            justification="Two more classrooms",
        )
        assert (change_request.requested_cost, change_request.requested_period) == (Decimal("450.5"), None)
        decided = _decide(schedule(change_request, funding), funding)
        assert decided.resulting_version.number == 4
        assert entries_of(decided.resulting_version) == [
            ("1001", "2025", Decimal("500.00"), False, ""),
            ("1002", "2026", Decimal("450.50"), False, ""),
            ("1003", None, Decimal("700.00"), False, "no_budget"),
            ("1005", "2025", Decimal("200.00"), True, ""),
        ]
        assert _statuses(setup.plan) == [(1, "superseded"), (2, "superseded"), (3, "draft"), (4, "adopted")]

    def test_an_amount_of_zero_is_a_valid_request(self, setup, staff, funding):
        change_request = services.change_request_file(
            actor=staff,
            plan=setup.plan,
            school=setup.school_c,
            kind=ChangeRequest.Kind.AMOUNT,
            requested_cost=Decimal("0"),
            justification="Already equipped by the operator",
        )
        decided = _decide(schedule(change_request, funding), funding)
        assert entries_of(decided.resulting_version)[2] == ("1003", None, Decimal("0.00"), False, "no_budget")

    def test_a_move_of_an_unplanned_school_plans_and_pins_it(self, setup, staff, funding):
        change_request = file_move(setup, staff, school=setup.school_c, period=setup.y2027)
        decided = _decide(schedule(change_request, funding), funding)
        assert entries_of(decided.resulting_version)[2] == ("1003", "2027", Decimal("700.00"), True, "")

    def test_a_second_approval_builds_on_the_version_the_first_adopted(self, setup, staff, funding):
        first = file_move(setup, staff)
        second = services.change_request_file(
            actor=staff,
            plan=setup.plan,
            school=setup.school_b,
            kind=ChangeRequest.Kind.AMOUNT,
            requested_cost=Decimal("10"),
            justification="Shared equipment",
        )
        _decide(schedule(first, funding), funding)
        decided = _decide(schedule(second, funding), funding)
        assert decided.resulting_version.number == 5
        assert entries_of(decided.resulting_version)[:2] == [
            ("1001", "2026", Decimal("500.00"), True, ""),
            ("1002", "2026", Decimal("10.00"), False, ""),
        ]
        assert _statuses(setup.plan) == [
            (1, "superseded"),
            (2, "superseded"),
            (3, "draft"),
            (4, "superseded"),
            (5, "adopted"),
        ]

    def test_a_rejection_leaves_the_plan_alone(self, setup, staff, funding):
        change_request = file_move(setup, staff)
        decided = _decide(schedule(change_request, funding), funding, decision="rejected", decision_note="No budget")
        decided.refresh_from_db()
        assert (decided.status, decided.resulting_version, decided.decision_note, decided.minutes_reference) == (
            "rejected",
            None,
            "No budget",
            "SC-2025-03 §4",
        )
        assert _statuses(setup.plan) == [(1, "superseded"), (2, "adopted"), (3, "draft")]
        assert entries_of(setup.v2) == ORIGINAL_ENTRIES

    def test_a_request_can_be_moved_to_another_meeting_before_the_decision(self, setup, staff, funding):
        change_request = schedule(file_move(setup, staff), funding)
        moved = services.change_request_schedule(
            actor=funding, change_request=change_request, committee="Board", meeting_date=datetime.date(2025, 4, 7)
        )
        assert (moved.status, moved.committee, moved.meeting_date) == ("on_agenda", "Board", datetime.date(2025, 4, 7))


class TestTheOperatorSeesItsRequests:
    def test_status_as_the_operator_sees_it(self, setup, staff, funding):
        change_request = file_move(setup, staff)
        mine = selectors.change_requests_for(staff)
        assert [(r.pk, r.status) for r in mine] == [(change_request.pk, "submitted")]
        schedule(change_request, funding)
        assert [(r.pk, r.status, r.committee) for r in selectors.change_requests_for(staff)] == [
            (change_request.pk, "on_agenda", "Steering committee")
        ]
        _decide(change_request, funding)
        seen = selectors.change_request_get(staff, change_request.pk)
        assert (seen.status, seen.resulting_version.number) == ("approved", 4)

    def test_each_role_sees_the_requests_of_its_scope(self, setup, staff, funding, role_users, world):
        own = file_move(setup, staff)
        other = file_move(setup, setup.neighbour_staff, school=setup.neighbour, period=setup.y2027)
        visible = {role: sorted(r.pk for r in selectors.change_requests_for(user)) for role, user in role_users.items()}
        assert visible == {
            Role.ADMINISTRATOR: sorted([own.pk, other.pk]),
            Role.PROGRAMME_OWNER: sorted([own.pk, other.pk]),
            Role.FUNDING_ADMINISTRATOR: sorted([own.pk, other.pk]),
            Role.OPERATOR_STAFF: [own.pk],
            Role.SCHOOL_COORDINATOR: [own.pk],
            Role.SUPPLIER: [],
            Role.AUDITOR: sorted([own.pk, other.pk]),
            Role.TEACHER: [],
            Role.DATA_PROTECTION_OFFICER: [],
        }
        assert [r.pk for r in selectors.change_requests_for(setup.neighbour_staff)] == [other.pk]
        outside_funding = user_with_role(Role.FUNDING_ADMINISTRATOR, world.other_authority)
        assert list(selectors.change_requests_for(outside_funding)) == []

    def test_the_timeline_follows_the_request(self, setup, staff, funding):
        change_request = file_move(setup, staff)
        steps = selectors.change_request_timeline(change_request)
        assert [(s.key, s.is_done, s.who) for s in steps] == [
            ("submitted", True, staff.username),
            ("on_agenda", False, ""),
            ("decided", False, ""),
        ]
        change_request = _decide(schedule(change_request, funding), funding)
        steps = selectors.change_request_timeline(change_request)
        assert [(s.key, s.is_done, s.when, s.who) for s in steps][1:] == [
            ("on_agenda", True, datetime.date(2025, 3, 10), funding.username),
            ("decided", True, timezone.localdate(), funding.username),
        ]

    def test_the_timeline_of_a_withdrawn_request(self, setup, staff):
        change_request = services.change_request_withdraw(actor=staff, change_request=file_move(setup, staff))
        steps = selectors.change_request_timeline(change_request)
        assert [(s.key, s.is_done, s.who) for s in steps] == [
            ("submitted", True, staff.username),
            ("on_agenda", False, ""),
            ("withdrawn", True, staff.username),
        ]


class TestWithdrawal:
    def test_the_operator_withdraws_an_open_request(self, setup, staff, funding):
        submitted = services.change_request_withdraw(actor=staff, change_request=file_move(setup, staff))
        assert submitted.status == "withdrawn"
        on_agenda = schedule(file_move(setup, staff), funding)
        # Another member of the same operator's staff may withdraw it too.
        colleague = user_with_role(Role.OPERATOR_STAFF, setup.school.operator, username="colleague")
        assert services.change_request_withdraw(actor=colleague, change_request=on_agenda).status == "withdrawn"
        assert _statuses(setup.plan) == [(1, "superseded"), (2, "adopted"), (3, "draft")]

    def test_a_decided_or_withdrawn_request_cannot_be_withdrawn(self, setup, staff, funding):
        decided = _decide(schedule(file_move(setup, staff), funding), funding)
        with pytest.raises(ValidationError) as excinfo:
            services.change_request_withdraw(actor=staff, change_request=decided)
        assert _error(excinfo) == ["Only a request that is not decided yet can be withdrawn; this one is: Approved."]
        withdrawn = services.change_request_withdraw(
            actor=staff, change_request=file_move(setup, staff, period=setup.y2027)
        )
        with pytest.raises(ValidationError) as excinfo:
            services.change_request_withdraw(actor=staff, change_request=withdrawn)
        assert _error(excinfo) == ["Only a request that is not decided yet can be withdrawn; this one is: Withdrawn."]

    def test_a_withdrawn_request_is_neither_scheduled_nor_decided(self, setup, staff, funding):
        withdrawn = services.change_request_withdraw(actor=staff, change_request=file_move(setup, staff))
        with pytest.raises(ValidationError) as excinfo:
            schedule(withdrawn, funding)
        assert _error(excinfo) == ["This request is no longer open (Withdrawn): it cannot be put on an agenda."]
        with pytest.raises(ValidationError) as excinfo:
            _decide(withdrawn, funding)
        assert _error(excinfo) == ["This request was withdrawn: there is nothing to decide."]

    @pytest.mark.parametrize(
        "role", [Role.FUNDING_ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.SCHOOL_COORDINATOR, Role.AUDITOR]
    )
    def test_only_the_operator_withdraws(self, setup, staff, role_users, role):
        change_request = file_move(setup, staff)
        with pytest.raises(PermissionDenied):
            services.change_request_withdraw(actor=role_users[role], change_request=change_request)
        with pytest.raises(PermissionDenied):
            services.change_request_withdraw(actor=setup.neighbour_staff, change_request=change_request)
        change_request.refresh_from_db()
        assert change_request.status == "submitted"


class TestPermissions:
    @pytest.mark.parametrize(
        "role",
        [Role.FUNDING_ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR],
    )
    def test_only_operator_staff_and_administrators_file(self, setup, role_users, role):
        with pytest.raises(PermissionDenied):
            file_move(setup, role_users[role])
        assert ChangeRequest.objects.count() == 0

    def test_the_administrator_files_too(self, setup, role_users):
        assert file_move(setup, role_users[Role.ADMINISTRATOR]).status == "submitted"

    def test_operator_staff_file_only_for_their_own_schools(self, setup, staff, world):
        with pytest.raises(PermissionDenied):
            file_move(setup, staff, school=setup.neighbour, period=setup.y2026)
        with pytest.raises(PermissionDenied):
            file_move(setup, staff, school=world.other_school)
        assert ChangeRequest.objects.count() == 0

    @pytest.mark.parametrize(
        "role", [Role.OPERATOR_STAFF, Role.PROGRAMME_OWNER, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR]
    )
    def test_only_funding_administrators_schedule_and_decide(self, setup, staff, funding, role_users, role):
        change_request = file_move(setup, staff)
        with pytest.raises(PermissionDenied):
            schedule(change_request, role_users[role])
        schedule(change_request, funding)
        with pytest.raises(PermissionDenied):
            _decide(change_request, role_users[role])
        change_request.refresh_from_db()
        assert (change_request.status, change_request.decided_on) == ("on_agenda", None)
        assert _statuses(setup.plan) == [(1, "superseded"), (2, "adopted"), (3, "draft")]

    def test_a_funding_administrator_of_another_authority_cannot_decide(self, setup, staff, funding, world):
        change_request = schedule(file_move(setup, staff), funding)
        outside = user_with_role(Role.FUNDING_ADMINISTRATOR, world.other_authority, username="outside-funding")
        with pytest.raises(PermissionDenied):
            schedule(change_request, outside)
        with pytest.raises(PermissionDenied):
            _decide(change_request, outside)
        assert _statuses(setup.plan) == [(1, "superseded"), (2, "adopted"), (3, "draft")]


class TestRefusalsWriteNothing:
    @pytest.fixture
    def counts(self, setup):
        def take():
            return (
                ChangeRequest.objects.count(),
                list(ChangeRequest.objects.order_by("pk").values_list("status", "decided_on", "resulting_version")),
                _statuses(setup.plan),
                RolloutEntry.objects.count(),
                AuditEvent.objects.count(),
            )

        return take

    def _file(self, setup, staff, **kwargs):
        arguments = {
            "actor": staff,
            "plan": setup.plan,
            "school": setup.school,
            "kind": ChangeRequest.Kind.MOVE,
            "justification": "Reasons",
            **kwargs,
        }
        return services.change_request_file(**arguments)

    @pytest.mark.parametrize(
        ("arguments", "expected"),
        [
            (
                {"requested_period": "other_2025"},
                {"requested_period": ["This year or wave belongs to another plan."]},
            ),
            ({"requested_period": None}, {"requested_period": ["Choose the year or wave the school should move to."]}),
            ({"requested_period": "y2025"}, {"requested_period": ["The school is already planned in 2025."]}),
            (
                {"school": "school_d", "requested_period": "y2026"},
                {"school": ["This school is not in the version of the plan in force."]},
            ),
            (
                {"kind": "amount", "requested_cost": Decimal("-1")},
                {"requested_cost": ["The amount cannot be negative."]},
            ),
            (
                {"kind": "amount", "requested_cost": None},
                {"requested_cost": ["Enter the amount the school should receive."]},
            ),
            (
                {"kind": "amount", "requested_cost": Decimal("500")},
                {"requested_cost": ["The school's amount is already EUR 500.00."]},
            ),
            (
                {"requested_period": "y2026", "justification": "  "},
                {"justification": ["Explain why the change is needed."]},
            ),
            (
                {"kind": "swap", "requested_period": "y2026"},
                {"kind": ["Choose whether the school moves or its amount changes."]},
            ),
            (
                {"plan": "other_plan", "requested_period": "other_2025"},
                {"plan": ["This plan has no version in force yet: there is nothing to change."]},
            ),
        ],
    )
    def test_invalid_requests(self, setup, staff, counts, arguments, expected):
        resolved = {key: getattr(setup, value) if isinstance(value, str) and hasattr(setup, value) else value
                    for key, value in arguments.items()}  # fmt: skip
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            self._file(setup, staff, **resolved)
        assert _error(excinfo) == expected
        assert counts() == before

    def test_a_decision_needs_the_minutes_reference_and_a_date(self, setup, staff, funding, counts):
        change_request = schedule(file_move(setup, staff), funding)
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            _decide(change_request, funding, minutes_reference="  ", decided_on=None)
        assert _error(excinfo) == {
            "decided_on": ["Enter the date of the decision."],
            "minutes_reference": ["Enter the reference of the committee's minutes."],
        }
        with pytest.raises(ValidationError) as excinfo:
            _decide(change_request, funding, decision="maybe")
        assert _error(excinfo) == {"decision": ["Choose whether the committee approved or rejected the request."]}
        assert counts() == before

    def test_a_decision_is_dated_between_the_request_and_today(self, setup, staff, funding, counts):
        change_request = schedule(file_move(setup, staff), funding)
        today = timezone.localdate()
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            _decide(change_request, funding, decided_on=today + datetime.timedelta(days=1))
        assert _error(excinfo) == {"decided_on": ["The date of the decision cannot be in the future."]}
        with pytest.raises(ValidationError) as excinfo:
            _decide(change_request, funding, decided_on=today - datetime.timedelta(days=1))
        assert _error(excinfo) == {
            "decided_on": [f"The decision cannot be dated before the request was filed ({today.isoformat()})."]
        }
        assert counts() == before

    def test_a_request_is_on_the_agenda_before_it_is_decided(self, setup, staff, funding, counts):
        change_request = file_move(setup, staff)
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            _decide(change_request, funding)
        assert _error(excinfo) == ["Put the request on a committee's agenda before recording the decision."]
        assert counts() == before

    def test_deciding_twice_is_refused(self, setup, staff, funding, counts):
        change_request = schedule(file_move(setup, staff), funding)
        _decide(change_request, funding)
        before = counts()
        for decision in ("approved", "rejected"):
            with pytest.raises(ValidationError) as excinfo:
                # The stale object still says "on agenda": the service reads the locked row.
                _decide(change_request, funding, decision=decision, minutes_reference="SC-2025-04")
            assert _error(excinfo) == [
                f"This request was already decided (Approved on {timezone.localdate().isoformat()}, "
                "minutes SC-2025-03 §4)."
            ]
        assert counts() == before
        assert _statuses(setup.plan) == [(1, "superseded"), (2, "superseded"), (3, "draft"), (4, "adopted")]

    def test_a_decided_request_is_not_put_on_an_agenda_again(self, setup, staff, funding, counts):
        change_request = _decide(schedule(file_move(setup, staff), funding), funding, decision="rejected")
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            schedule(change_request, funding)
        assert _error(excinfo) == ["This request is no longer open (Rejected): it cannot be put on an agenda."]
        assert counts() == before

    def test_scheduling_needs_a_committee_and_a_date(self, setup, staff, funding, counts):
        change_request = file_move(setup, staff)
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            services.change_request_schedule(
                actor=funding, change_request=change_request, committee=" ", meeting_date=None
            )
        assert _error(excinfo) == {
            "committee": ["Name the committee that will decide."],
            "meeting_date": ["Enter the date of the meeting."],
        }
        assert counts() == before

    def test_an_approval_fails_cleanly_when_the_school_left_the_plan(self, setup, staff, funding, counts):
        change_request = schedule(file_move(setup, staff), funding)
        RolloutEntry.objects.filter(version=setup.v2, school=setup.school).delete()
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            _decide(change_request, funding)
        assert _error(excinfo) == [
            "The school is no longer in the version of the plan in force (version 2): reject the request."
        ]
        assert counts() == before
        # Rejecting it still works.
        assert _decide(change_request, funding, decision="rejected").status == "rejected"

    def test_an_approval_fails_cleanly_without_a_version_in_force(self, setup, staff, funding, counts):
        change_request = schedule(file_move(setup, staff), funding)
        RolloutVersion.objects.filter(pk=setup.v2.pk).update(status=RolloutVersion.Status.SUPERSEDED)
        before = counts()
        with pytest.raises(ValidationError) as excinfo:
            _decide(change_request, funding)
        assert _error(excinfo) == ["The plan has no version in force any more: the change cannot be applied."]
        assert counts() == before


class TestAudit:
    def test_every_step_is_recorded(self, setup, staff, funding):
        change_request = file_move(setup, staff)
        schedule(change_request, funding)
        _decide(change_request, funding, decision_note="Agreed")
        change_request.refresh_from_db()
        new_version = change_request.resulting_version
        events = list(history_for(change_request).order_by("id"))
        assert [(e.action, e.actor_id) for e in events] == [
            ("create", staff.pk),
            ("schedule", funding.pk),
            ("approve", funding.pk),
        ]
        assert events[0].after == {
            "id": change_request.pk,
            "plan": setup.plan.pk,
            "school": setup.school.pk,
            "kind": "move",
            "requested_period": setup.y2026.pk,
            "requested_cost": None,
            "justification": "Building works in 2025",
            "status": "submitted",
            "requested_by": staff.pk,
            "requested_at": change_request.requested_at.isoformat(),
            "committee": "",
            "meeting_date": None,
            "scheduled_by": None,
            "decided_on": None,
            "minutes_reference": "",
            "decision_note": "",
            "decided_by": None,
            "resulting_version": None,
            "current_version": 2,
            "current_period": setup.y2025.pk,
            "current_cost": "500.00",
        }
        assert (events[1].before, events[1].after) == (
            {"status": "submitted", "committee": "", "meeting_date": None, "scheduled_by": None},
            {
                "status": "on_agenda",
                "committee": "Steering committee",
                "meeting_date": "2025-03-10",
                "scheduled_by": funding.pk,
            },
        )
        assert (events[2].before, events[2].after) == (
            {
                "status": "on_agenda",
                "decided_on": None,
                "minutes_reference": "",
                "decision_note": "",
                "decided_by": None,
                "resulting_version": None,
            },
            {
                "status": "approved",
                "decided_on": timezone.localdate().isoformat(),
                "minutes_reference": "SC-2025-03 §4",
                "decision_note": "Agreed",
                "decided_by": funding.pk,
                "resulting_version": new_version.pk,
            },
        )
        superseded = history_for(setup.v2).get()
        assert (superseded.action, superseded.before, superseded.after) == (
            "supersede",
            {"status": "adopted"},
            {"status": "superseded", "superseded_by": 4},
        )
        adopted = history_for(new_version).get()
        assert (adopted.action, adopted.actor_id, adopted.after) == (
            "adopt",
            funding.pk,
            {
                "number": 4,
                "status": "adopted",
                "note": f"Change request #{change_request.pk}",
                "copied_from": 2,
                "entries": 4,
                "change_request": change_request.pk,
                "school": setup.school.pk,
                "before": {"period": setup.y2025.pk, "cost": "500.00", "is_pinned": False},
                "after": {"period": setup.y2026.pk, "cost": "500.00", "is_pinned": True},
            },
        )
        assert verify_chain().is_intact

    def test_rejection_and_withdrawal_are_recorded(self, setup, staff, funding):
        rejected = _decide(schedule(file_move(setup, staff), funding), funding, decision="rejected")
        withdrawn = services.change_request_withdraw(actor=staff, change_request=file_move(setup, staff))
        assert [e.action for e in history_for(rejected).order_by("id")] == ["create", "schedule", "reject"]
        withdraw = history_for(withdrawn).first()
        assert (withdraw.action, withdraw.actor_id, withdraw.before, withdraw.after) == (
            "withdraw",
            staff.pk,
            {"status": "submitted"},
            {"status": "withdrawn"},
        )
        assert AuditEvent.objects.filter(object_type="allocation.rolloutversion").count() == 0


class TestSelectors:
    def test_fileable_plans_and_entries(self, setup, staff, funding, role_users):
        assert list(selectors.fileable_plans(staff)) == [setup.plan]
        assert [e.school.number for e in selectors.fileable_entries(staff, setup.plan)] == ["1001", "1002", "1003"]
        assert [e.school.number for e in selectors.fileable_entries(setup.neighbour_staff)] == ["1005"]
        assert list(selectors.fileable_plans(funding)) == []
        assert list(selectors.fileable_plans(role_users[Role.SCHOOL_COORDINATOR])) == []
        # By school name: "INSIDE neighbour school" comes first.
        assert [e.school.number for e in selectors.fileable_entries(role_users[Role.ADMINISTRATOR])] == [
            "1005",
            "1001",
            "1002",
            "1003",
        ]

    def test_the_effect_on_each_year(self, setup, staff):
        change_request = file_move(setup, staff)
        entry = selectors.entry_in_force(change_request)
        assert (entry.version, entry.period, entry.cost) == (setup.v2, setup.y2025, Decimal("500.00"))
        effect = selectors.change_request_effect(change_request, entry)
        assert [(load.period.label, load.planned, load.after, load.remaining_after) for load in effect] == [
            ("2025", Decimal("700.00"), Decimal("200.00"), Decimal("800.00")),
            ("2026", Decimal("300.00"), Decimal("800.00"), Decimal("200.00")),
            ("2027", Decimal("0"), Decimal("0"), None),
        ]
        raise_b = services.change_request_file(
            actor=staff,
            plan=setup.plan,
            school=setup.school_b,
            kind=ChangeRequest.Kind.AMOUNT,
            requested_cost=Decimal("900"),
            justification="More devices",
        )
        effect = selectors.change_request_effect(raise_b, selectors.entry_in_force(raise_b))
        assert [(load.period.label, load.after, load.remaining_after) for load in effect][1] == (
            "2026",
            Decimal("900.00"),
            Decimal("100.00"),
        )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_the_same_moment_land_once(world, role_users):
    """The request's row lock makes the second decision wait and then see the first."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; row locks need PostgreSQL")
    setup = plan_in_force(world)
    staff, funding = role_users[Role.OPERATOR_STAFF], role_users[Role.FUNDING_ADMINISTRATOR]
    change_request = schedule(file_move(setup, staff), funding)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(decision: str) -> None:
        try:
            barrier.wait()
            decided = _decide(ChangeRequest.objects.get(pk=change_request.pk), funding, decision=decision)
            outcomes.append(("decided", decided.status))
        except ValidationError as error:
            outcomes.append(("refused", error.messages[0]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(decision,)) for decision in ("approved", "rejected")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    change_request.refresh_from_db()
    winner = change_request.get_status_display()
    assert sorted(kind for kind, _detail in outcomes) == ["decided", "refused"]
    assert dict(outcomes)["refused"] == (
        f"This request was already decided ({winner} on {timezone.localdate().isoformat()}, minutes SC-2025-03 §4)."
    )
    expected = [(1, "superseded"), (2, "adopted"), (3, "draft")]
    if change_request.status == "approved":
        expected = [(1, "superseded"), (2, "superseded"), (3, "draft"), (4, "adopted")]
    assert _statuses(setup.plan) == expected
    assert [e.action for e in history_for(change_request).order_by("id")] == [
        "create",
        "schedule",
        "approve" if change_request.status == "approved" else "reject",
    ]
