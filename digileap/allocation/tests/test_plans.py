"""Roll-out plans end to end on the database: building versions from a cost round, priorities,
the optimiser as a background task (caps, reasons, pins, the operators' limit), hand moves,
adoption and its refusal over a cap, copies, and who sees and writes what."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.models import School, SocioEconomicScale
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory, SocioEconomicIndexFactory

from ..models import RolloutEntry, RolloutPlan, RolloutVersion
from ..selectors import plans as selectors
from ..services.plans import (
    entry_move,
    entry_update,
    plan_optimise,
    plan_update,
    plan_version_build,
    version_adopt,
    version_copy,
)
from .factories_plans import approved_cost_round, make_plan


@pytest.fixture
def owner(world):
    return user_with_role(Role.PROGRAMME_OWNER, world.authority, username="owner")


@pytest.fixture
def programme(world):
    return ProgrammeFactory(authority=world.authority, code="mv-digital")


@pytest.fixture
def optimise(django_capture_on_commit_callbacks):
    """Run ``plan_optimise`` and the task it enqueues (the test backend runs tasks at once)."""

    def run(actor, version):
        with django_capture_on_commit_callbacks(execute=True):
            plan_optimise(actor=actor, version=version)
        version.refresh_from_db()
        return version

    return run


def _placement(version) -> dict[str, tuple[str | None, str, bool]]:
    return {
        entry.school.name: (entry.period.label if entry.period_id else None, entry.reason, entry.is_pinned)
        for entry in version.entries.select_related("school", "period")
    }


@pytest.fixture
def four_schools(world):
    """A (600, index 1), B (500, 2), C (500, 3), D (600, 5) on Hamburg's scale (1 = most disadvantaged)."""
    schools = {}
    for name, value in (("A", 1), ("B", 2), ("C", 3), ("D", 5)):
        school = SchoolFactory(operator=world.operator, name=name, number=f"9{len(schools)}")
        SocioEconomicIndexFactory(school=school, school_year="2024/25", value=value)
        schools[name] = school
    return schools


@pytest.fixture
def capped_plan(owner, programme, four_schools):
    costs = {four_schools["A"]: "600", four_schools["B"]: "500", four_schools["C"]: "500", four_schools["D"]: "600"}
    cost_round = approved_cost_round(programme, costs)
    return make_plan(owner, programme, [("2025", "1000"), ("2026", "1000")], cost_round=cost_round)


def test_build_takes_costs_from_the_round_and_priorities_from_the_index(owner, programme, capped_plan, world):
    version = plan_version_build(actor=owner, plan=capped_plan, note="first")
    assert version.number == 1
    assert version.status == RolloutVersion.Status.DRAFT
    rows = sorted(version.entries.values_list("school__name", "cost", "priority", "period", "is_pinned"))
    # Hamburg 1..6, lower is more disadvantaged: 1 -> 100, 2 -> 80, 3 -> 60, 5 -> 20.
    assert rows == [
        ("A", Decimal("600.00"), Decimal("100.0000"), None, False),
        ("B", Decimal("500.00"), Decimal("80.0000"), None, False),
        ("C", Decimal("500.00"), Decimal("60.0000"), None, False),
        ("D", Decimal("600.00"), Decimal("20.0000"), None, False),
    ]
    # The INSIDE school has no line in the round: it is not in the plan.
    assert not version.entries.filter(school=world.school).exists()
    event = AuditEvent.objects.filter(action="build").get()
    assert event.after["entries"] == 4
    assert event.after["cost_round"] == "COSTS"


def test_build_without_a_round_takes_the_open_schools_at_the_default_cost(owner, programme, world):
    closed = SchoolFactory(operator=world.operator, name="Closed", status=School.Status.CLOSED)
    flemish = SchoolFactory(operator=world.operator, name="Flemish", number="77")
    flemish.ses_scale = SocioEconomicScale.objects.get(code="be-vl-disadvantaged-share")
    flemish.ses_value = Decimal("35")
    flemish.save()
    plan = make_plan(owner, programme, [("W1", None)], default_cost=Decimal("1250.50"))
    version = plan_version_build(actor=owner, plan=plan)
    rows = sorted(version.entries.values_list("school__name", "cost", "priority"))
    assert rows == [("Flemish", Decimal("1250.50"), Decimal("35.0000")), ("INSIDE school", Decimal("1250.50"), 0)]
    assert not version.entries.filter(school__in=[closed, world.other_school]).exists()


def test_a_round_of_devices_or_of_another_programme_cannot_give_costs(owner, programme, world):
    other = ProgrammeFactory(authority=world.authority, code="other")
    foreign = approved_cost_round(other, {world.school: "10"}, code="FOREIGN")
    with pytest.raises(ValidationError) as error:
        make_plan(owner, programme, [("2025", None)], cost_round=foreign)
    assert error.value.message_dict == {"cost_round": ["The allocation round belongs to another programme."]}
    with pytest.raises(ValidationError) as error:
        make_plan(owner, programme, [("2025", None), (" 2025 ", "5")])
    assert error.value.message_dict == {"periods": ["Two years or waves are called 2025."]}
    assert not RolloutPlan.objects.exists()


def test_the_optimiser_keeps_the_caps_and_says_why_a_school_is_left_out(owner, capped_plan, optimise):
    version = optimise(owner, plan_version_build(actor=owner, plan=capped_plan))
    assert version.status == RolloutVersion.Status.DRAFT
    assert version.error == ""
    assert version.progress == 100
    # B and C fill 2025 exactly; A goes to 2026; D (600) fits in neither year's remainder.
    assert _placement(version) == {
        "A": ("2026", "", False),
        "B": ("2025", "", False),
        "C": ("2025", "", False),
        "D": (None, "no_budget", False),
    }
    solver = version.solver
    assert solver["status"] == "optimal"
    assert solver["mip_gap"] == 0.0
    assert solver["planned"] == 3
    assert solver["left_out"] == {"no_budget": 1}
    assert solver["periods"] == [
        {"label": "2025", "schools": 2, "cost": "1000.00", "cap": "1000.00", "remaining": "0.00"},
        {"label": "2026", "schools": 1, "cost": "600.00", "cap": "1000.00", "remaining": "400.00"},
    ]
    assert AuditEvent.objects.filter(action="optimised", actor_label="optimiser").count() == 1
    summary = selectors.version_summary(owner, version)
    assert [(row.period.label, row.schools, row.cost, row.cap, row.remaining) for row in summary.periods] == [
        ("2025", 2, Decimal("1000.00"), Decimal("1000.00"), Decimal("0.00")),
        ("2026", 1, Decimal("600.00"), Decimal("1000.00"), Decimal("400.00")),
    ]
    assert (summary.left_out_schools, summary.left_out_cost) == (1, Decimal("600.00"))
    assert summary.left_out_by_reason == [("no_budget", "No budget left in any allowed year", 1)]
    assert summary.is_complete


def test_pins_stay_where_they_are(owner, capped_plan, optimise):
    version = plan_version_build(actor=owner, plan=capped_plan)
    d = version.entries.get(school__name="D")
    entry_move(actor=owner, entry=d, period=capped_plan.periods.get(label="2026"), pin=True)
    version = optimise(owner, version)
    assert _placement(version) == {
        "A": (None, "no_budget", False),
        "B": ("2025", "", False),
        "C": ("2025", "", False),
        "D": ("2026", "", True),
    }


def test_pins_over_a_cap_are_refused_before_optimising(owner, capped_plan, optimise):
    version = plan_version_build(actor=owner, plan=capped_plan)
    year = capped_plan.periods.get(label="2025")
    for name in ("A", "D"):
        entry_move(actor=owner, entry=version.entries.get(school__name=name), period=year, pin=True)
    with pytest.raises(ValidationError) as error:
        plan_optimise(actor=owner, version=version)
    assert error.value.messages == ["2025: the pinned schools cost EUR 1,200.00, more than its cap of EUR 1,000.00."]
    version.refresh_from_db()
    assert version.status == RolloutVersion.Status.DRAFT


def test_an_operator_is_served_in_at_most_the_allowed_waves(owner, programme, world, optimise):
    operator = OperatorFactory(authority=world.authority, name="Amt Crivitz")
    schools = [SchoolFactory(operator=operator, name=f"Crivitz {n}", number=f"C{n}") for n in (1, 2, 3)]
    cost_round = approved_cost_round(programme, dict.fromkeys(schools, "1000"))
    plan = make_plan(
        owner,
        programme,
        [("2025", "1000"), ("2026", "1000"), ("2027", "1000")],
        cost_round=cost_round,
        max_periods_per_operator=2,
        priority_source=RolloutPlan.PrioritySource.EQUAL,
    )
    version = optimise(owner, plan_version_build(actor=owner, plan=plan))
    placement = _placement(version)
    assert sorted(period for period, _reason, _pin in placement.values() if period) == ["2025", "2026"]
    assert [reason for period, reason, _pin in placement.values() if period is None] == ["constraint"]
    assert version.solver["left_out"] == {"constraint": 1}


def test_taken_out_by_hand_stays_out_and_moves_are_audited(owner, capped_plan, optimise):
    version = optimise(owner, plan_version_build(actor=owner, plan=capped_plan))
    b = version.entries.get(school__name="B")
    entry_move(actor=owner, entry=b, period=None)
    b.refresh_from_db()
    assert (b.period, b.is_pinned, b.reason) == (None, False, "by_hand")
    event = AuditEvent.objects.filter(action="move").get()
    assert event.before == {"period": capped_plan.periods.get(label="2025").pk, "reason": ""}
    assert event.after == {"period": None, "reason": "by_hand"}
    version = optimise(owner, version)
    # B stays out: A (the highest priority) takes 2025, C 2026; D fits in neither remainder.
    assert _placement(version) == {
        "A": ("2025", "", False),
        "B": (None, "by_hand", False),
        "C": ("2026", "", False),
        "D": (None, "no_budget", False),
    }
    with pytest.raises(ValidationError) as error:
        entry_move(actor=owner, entry=b, period=None, pin=True)
    assert error.value.message_dict == {"is_pinned": ["A school taken out of the plan cannot be pinned."]}


def test_entry_update_changes_cost_and_readiness_and_priority_follows(owner, programme, capped_plan):
    plan_update(actor=owner, plan=capped_plan, data={"priority_source": RolloutPlan.PrioritySource.READINESS})
    version = plan_version_build(actor=owner, plan=capped_plan)
    entry = version.entries.get(school__name="C")
    assert entry.priority == 0
    entry_update(actor=owner, entry=entry, data={"cost": Decimal("450.00"), "readiness": 70})
    entry.refresh_from_db()
    assert (entry.cost, entry.readiness, entry.priority) == (Decimal("450.00"), 70, Decimal("70.0000"))
    with pytest.raises(ValidationError) as error:
        entry_update(actor=owner, entry=entry, data={"readiness": 101})
    assert error.value.message_dict == {"readiness": ["Readiness runs from 0 to 100."]}


def test_adoption_is_refused_over_a_cap(owner, capped_plan, optimise):
    version = optimise(owner, plan_version_build(actor=owner, plan=capped_plan))
    d = version.entries.get(school__name="D")
    entry_move(actor=owner, entry=d, period=capped_plan.periods.get(label="2026"))
    with pytest.raises(ValidationError) as error:
        version_adopt(actor=owner, version=version)
    assert error.value.messages == ["2026: the planned schools cost EUR 1,200.00, more than its cap of EUR 1,000.00."]
    version.refresh_from_db()
    assert version.status == RolloutVersion.Status.DRAFT


def test_versions_are_kept_adopted_and_superseded(owner, capped_plan, optimise):
    first = optimise(owner, plan_version_build(actor=owner, plan=capped_plan))
    version_adopt(actor=owner, version=first)
    first.refresh_from_db()
    assert first.status == RolloutVersion.Status.ADOPTED
    assert first.adopted_at is not None
    with pytest.raises(ValidationError) as error:
        entry_move(actor=owner, entry=first.entries.get(school__name="A"), period=None)
    assert error.value.messages == ["Version 1 is in force: only a draft can be changed. Copy it to a new draft first."]

    second = version_copy(actor=owner, version=first, note="by hand")
    assert (second.number, second.status, second.note) == (2, RolloutVersion.Status.DRAFT, "by hand")
    assert _placement(second) == _placement(first)
    c = second.entries.get(school__name="C")
    entry_update(
        actor=owner, entry=c, data={"readiness": 40, "preferred_period": capped_plan.periods.get(label="2026")}
    )
    entry_move(actor=owner, entry=c, period=capped_plan.periods.get(label="2026"), pin=False)
    entry_move(
        actor=owner, entry=second.entries.get(school__name="A"), period=capped_plan.periods.get(label="2025"), pin=True
    )
    entry_move(actor=owner, entry=second.entries.get(school__name="B"), period=None)
    version_adopt(actor=owner, version=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (RolloutVersion.Status.SUPERSEDED, RolloutVersion.Status.ADOPTED)

    third = plan_version_build(actor=owner, plan=capped_plan)
    assert third.number == 3
    carried = {
        entry.school.name: (
            entry.period.label if entry.period else None,
            entry.is_pinned,
            entry.readiness,
            entry.preferred_period.label if entry.preferred_period else None,
        )
        for entry in third.entries.select_related("school", "period", "preferred_period")
    }
    assert carried == {
        "A": ("2025", True, None, None),
        "B": (None, False, None, None),
        "C": (None, False, 40, "2026"),
        "D": (None, False, None, None),
    }
    assert list(capped_plan.versions.order_by("number").values_list("number", "status")) == [
        (1, "superseded"),
        (2, "adopted"),
        (3, "draft"),
    ]
    assert list(
        AuditEvent.objects.filter(action__in=["adopt", "supersede", "copy"])
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["adopt", "copy", "supersede", "adopt"]


def test_operator_preference_plans_no_school_before_its_preferred_year(owner, capped_plan, optimise):
    plan_update(actor=owner, plan=capped_plan, data={"priority_source": RolloutPlan.PrioritySource.OPERATOR_PREFERENCE})
    version = plan_version_build(actor=owner, plan=capped_plan)
    earlier, later = capped_plan.periods.order_by("position")
    for name, period in (("B", later), ("C", later), ("D", earlier)):
        entry_update(actor=owner, entry=version.entries.get(school__name=name), data={"preferred_period": period})
    assert sorted(version.entries.values_list("school__name", "priority")) == [
        ("A", Decimal("1.0000")),
        ("B", Decimal("2.0000")),
        ("C", Decimal("2.0000")),
        ("D", Decimal("2.0000")),
    ]
    version = optimise(owner, version)
    # B and C may not go before 2026 and fill it; D (preferring 2025) comes before A.
    assert _placement(version) == {
        "A": (None, "no_budget", False),
        "B": ("2026", "", False),
        "C": ("2026", "", False),
        "D": ("2025", "", False),
    }


def test_a_version_left_optimising_can_still_be_copied(owner, capped_plan):
    """Should the worker die, the version stays OPTIMISING: a copy is the way on."""
    version = plan_version_build(actor=owner, plan=capped_plan)
    RolloutVersion.objects.filter(pk=version.pk).update(status=RolloutVersion.Status.OPTIMISING)
    with pytest.raises(ValidationError) as error:
        entry_move(actor=owner, entry=version.entries.first(), period=None)
    assert error.value.messages == ["The optimiser is working on this version: wait until it has finished."]
    copy = version_copy(actor=owner, version=version)
    assert (copy.number, copy.status, copy.entries.count()) == (2, RolloutVersion.Status.DRAFT, 4)


def test_a_failing_optimisation_is_reported_on_the_version(owner, capped_plan, optimise, monkeypatch):
    import digileap.allocation.optimizer as optimizer

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(optimizer, "plan_rollout", broken)
    version = optimise(owner, plan_version_build(actor=owner, plan=capped_plan))
    assert version.status == RolloutVersion.Status.DRAFT
    assert version.error == "The optimiser failed: solver exploded"
    assert version.progress == 0
    assert version.entries.filter(period__isnull=False).count() == 0


def test_mv_style_four_year_plan_with_two_waves_per_operator(owner, programme, world, optimise):
    """Five Ämter with four schools each at EUR 10,000, one large school at EUR 30,000; four
    yearly caps of EUR 50,000; every operator in at most two years."""
    costs = {}
    index = 0
    for operator_number in range(1, 6):
        operator = OperatorFactory(authority=world.authority, name=f"Amt {operator_number}")
        for school_number in range(1, 5):
            index += 1
            school = SchoolFactory(
                operator=operator, name=f"Amt {operator_number} school {school_number}", number=f"MV{index:02d}"
            )
            SocioEconomicIndexFactory(school=school, school_year="2024/25", value=1 + index % 5)
            costs[school] = "10000"
    large = SchoolFactory(operator=operator, name="Large school", number="MV99")
    SocioEconomicIndexFactory(school=large, school_year="2024/25", value=6)
    costs[large] = "30000"
    cost_round = approved_cost_round(programme, costs)
    plan = make_plan(
        owner,
        programme,
        [("2025", "50000"), ("2026", "50000"), ("2027", "50000"), ("2028", "50000")],
        cost_round=cost_round,
        max_periods_per_operator=2,
    )
    version = optimise(owner, plan_version_build(actor=owner, plan=plan))
    assert version.error == ""
    assert version.solver["status"] == "optimal"
    assert version.solver["planned"] == 20
    assert version.solver["left_out"] == {"no_budget": 1}
    assert version.entries.get(school=large).reason == "no_budget"
    summary = selectors.version_summary(owner, version)
    assert [(row.period.label, row.schools, row.cost, row.remaining) for row in summary.periods] == [
        ("2025", 5, Decimal("50000.00"), Decimal("0.00")),
        ("2026", 5, Decimal("50000.00"), Decimal("0.00")),
        ("2027", 5, Decimal("50000.00"), Decimal("0.00")),
        ("2028", 5, Decimal("50000.00"), Decimal("0.00")),
    ]
    periods_per_operator = {}
    for operator_id, period_id in version.entries.filter(period__isnull=False).values_list(
        "school__operator", "period"
    ):
        periods_per_operator.setdefault(operator_id, set()).add(period_id)
    assert len(periods_per_operator) == 5
    assert max(len(periods) for periods in periods_per_operator.values()) <= 2
    version_adopt(actor=owner, version=version)
    assert version.plan.versions.get(status=RolloutVersion.Status.ADOPTED) == version


@pytest.fixture
def adopted_and_draft(owner, capped_plan, world, optimise):
    """Version 1 (adopted) and version 2 (draft) of a plan with A..D and the INSIDE school."""
    inside = world.school
    adopted = optimise(owner, plan_version_build(actor=owner, plan=capped_plan))
    RolloutEntry.objects.create(version=adopted, school=inside, cost=Decimal("1"), reason="no_budget")
    version_adopt(actor=owner, version=adopted)
    draft = version_copy(actor=owner, version=adopted)
    return adopted, draft


def test_operator_staff_and_coordinators_see_their_own_entries_of_adopted_versions(
    role_users, adopted_and_draft, world
):
    adopted, draft = adopted_and_draft
    for role, expected in (
        (Role.OPERATOR_STAFF, {"A", "B", "C", "D", "INSIDE school"}),
        (Role.SCHOOL_COORDINATOR, {"INSIDE school"}),
    ):
        user = role_users[role]
        assert list(selectors.versions_for(user)) == [adopted]
        assert set(selectors.entries_for(user).values_list("school__name", flat=True)) == expected
        assert not selectors.reads_whole_plan(user, adopted)
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    assert selectors.version_summary(coordinator, adopted).is_complete is False
    for role in (Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.ADMINISTRATOR):
        user = role_users[role]
        assert set(selectors.versions_for(user)) == {adopted, draft}
        assert selectors.entries_for(user).count() == 10
    assert list(selectors.versions_for(role_users[Role.SUPPLIER])) == []


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.AUDITOR, Role.SUPPLIER])
def test_only_owners_and_funding_administrators_write(role, role_users, adopted_and_draft, capped_plan):
    adopted, draft = adopted_and_draft
    user = role_users[role]
    entry = draft.entries.get(school__name="A")
    attempts = [
        lambda: plan_version_build(actor=user, plan=capped_plan),
        lambda: plan_optimise(actor=user, version=draft),
        lambda: entry_move(actor=user, entry=entry, period=None),
        lambda: entry_update(actor=user, entry=entry, data={"readiness": 5}),
        lambda: version_adopt(actor=user, version=draft),
        lambda: version_copy(actor=user, version=adopted),
        lambda: plan_update(actor=user, plan=capped_plan, data={"name": "changed"}),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert capped_plan.versions.count() == 2


def test_the_funding_administrator_adjusts_and_adopts(role_users, adopted_and_draft, capped_plan):
    adopted, draft = adopted_and_draft
    funding = role_users[Role.FUNDING_ADMINISTRATOR]
    entry_move(actor=funding, entry=draft.entries.get(school__name="A"), period=None)
    version_adopt(actor=funding, version=draft)
    assert list(capped_plan.versions.order_by("number").values_list("status", flat=True)) == ["superseded", "adopted"]
