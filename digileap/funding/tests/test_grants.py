# ruff: noqa: F811 (the review fixtures are imported from review_fixtures and used as arguments)
"""The grant an approval creates: number, lines, ONE commitment that moves "committed" on the
programme's budget, the proof of use that is due, and the schools in the roll-out plan."""

import datetime
from decimal import Decimal

import pytest

from digileap.allocation.models import RolloutEntry, RolloutVersion
from digileap.allocation.services.plans import plan_version_build, version_adopt
from digileap.allocation.tests.factories_plans import make_plan
from digileap.core.permissions import SystemActor
from digileap.programmes.budget import source_budgets
from digileap.programmes.models import FundingTransaction
from digileap.programmes.selectors import budget_by_source
from digileap.schools.tests.factories import SchoolFactory

from ..models import ApplicationSchool, Grant, ProofOfUse
from ..services import review as review_services
from .factories import CostLineFactory
from .review_fixtures import in_review, lines_of  # noqa: F401

pytestmark = pytest.mark.django_db


def decide(user, application, **approved):
    review_services.conflict_declare(actor=user, application=application, has_conflict=False)
    return review_services.application_decide(
        actor=user, application=application, lines=lines_of(application, **approved), language="de"
    )


def test_an_approval_creates_the_grant_with_one_commitment(in_review, funding_admin, mv_call, world):
    before = source_budgets(mv_call.programme)[0]
    assert (before.budget, before.committed) == (Decimal("1000000.00"), Decimal("0.00"))
    decision = decide(funding_admin, in_review, p2=("3600.00", "Four are enough."))
    grant = Grant.objects.get()
    number = f"DP-2026-{world.operator.code}-1"
    assert (grant.number, grant.application, grant.operator, grant.decision, grant.approved_amount) == (
        number,
        in_review,
        world.operator,
        decision,
        Decimal("12600.00"),
    )
    assert list(grant.lines.order_by("position").values_list("position", "amount", "approved", "school")) == [
        (1, Decimal("10000.00"), Decimal("9000.00"), world.school.pk),
        (2, Decimal("5000.00"), Decimal("3600.00"), world.school.pk),
    ]
    commitment = FundingTransaction.objects.get()
    assert grant.commitment == commitment
    assert (commitment.kind, commitment.amount, commitment.reference, commitment.school) == (
        "committed",
        Decimal("12600.00"),
        number,
        world.school,
    )
    assert commitment.date == review_services.decided_on(decision)
    assert commitment.source == mv_call.funding_source
    # "Committed" moves on the programme's budget and dashboard.
    after = source_budgets(mv_call.programme)[0]
    assert (after.committed, after.paid) == (Decimal("12600.00"), Decimal("0.00"))
    assert [row["committed"] for row in budget_by_source(mv_call.programme)] == [Decimal("12600.00")]
    proof = ProofOfUse.objects.get()
    assert (proof.grant, proof.state, proof.due_on) == (grant, "due", datetime.date(2028, 6, 30))
    assert grant.events.get().to_state == "granted"


def test_lines_for_several_schools_commit_without_a_school(in_review, funding_admin, world, mv_call):
    ApplicationSchool.objects.create(application=in_review, school=world.second_school, pupils=600)
    CostLineFactory(
        application=in_review,
        position=3,
        category=mv_call.cost_categories.get(code="network"),
        school=world.second_school,
        amount=Decimal("2000.00"),
        funding=Decimal("1800.00"),
    )
    decide(funding_admin, in_review)
    commitment = FundingTransaction.objects.get()
    assert (commitment.amount, commitment.school) == (Decimal("15300.00"), None)


def test_a_rejection_commits_nothing(in_review, funding_admin, mv_call):
    review_services.conflict_declare(actor=funding_admin, application=in_review, has_conflict=False)
    review_services.application_decide(actor=funding_admin, application=in_review, reject=True, reason="No MBK.")
    assert (Grant.objects.count(), FundingTransaction.objects.count(), ProofOfUse.objects.count()) == (0, 0, 0)
    assert source_budgets(mv_call.programme)[0].committed == Decimal("0.00")


# The roll-out plan.


def plan_in_force(programme, periods):
    system = SystemActor()
    plan = make_plan(system, programme, periods)
    version = plan_version_build(actor=system, plan=plan)
    version_adopt(actor=system, version=version)
    return plan


def test_the_schools_go_into_the_roll_out_year(in_review, funding_admin, mv_call, world):
    plan = plan_in_force(mv_call.programme, [("2026", None), ("2027", "100000")])
    decide(funding_admin, in_review)
    in_force = RolloutVersion.objects.get(plan=plan, status="adopted")
    assert in_force.number == 2
    entry = RolloutEntry.objects.get(version=in_force, school=world.school)
    assert (entry.period.label, entry.is_pinned, entry.cost) == ("2027", True, Decimal("13500.00"))
    grant = Grant.objects.get()
    assert grant.rollout_note == "The schools were put into 2027 of the roll-out plan ROP (version 2 is in force)."


def test_over_the_cap_the_approval_stands_and_says_so(in_review, funding_admin, mv_call, world):
    plan = plan_in_force(mv_call.programme, [("2026", None), ("2027", "10000")])
    decision = decide(funding_admin, in_review)
    assert decision.outcome == "approved"
    grant = Grant.objects.get()
    assert grant.rollout_note == (
        "2027 would go over its budget cap in the roll-out plan ROP (EUR 13,500.00 planned against a cap of "
        "EUR 10,000.00): the schools were put into draft version 2, which was not adopted."
    )
    assert RolloutVersion.objects.get(plan=plan, status="adopted").number == 1
    draft = RolloutVersion.objects.get(plan=plan, number=2)
    assert draft.status == "draft"
    assert RolloutEntry.objects.get(version=draft, school=world.school).period.label == "2027"


def test_no_plan_or_no_such_year_is_said(in_review, funding_admin, mv_call):
    decide(funding_admin, in_review)
    assert (
        Grant.objects.get().rollout_note == "The programme has no roll-out plan: the schools were not planned for 2027."
    )


def test_a_plan_without_the_year_is_said(in_review, funding_admin, mv_call):
    plan_in_force(mv_call.programme, [("2026", None)])
    decide(funding_admin, in_review)
    assert Grant.objects.get().rollout_note == (
        "The programme's roll-out plan ROP has no year 2027: the schools were not planned."
    )


def test_a_school_new_to_the_plan_gets_an_entry(in_review, funding_admin, mv_call, world):
    plan = plan_in_force(mv_call.programme, [("2027", None)])
    newcomer = SchoolFactory(operator=world.operator, name="INSIDE new school", number="1009", status="planned")
    ApplicationSchool.objects.create(application=in_review, school=newcomer, pupils=0)
    decide(funding_admin, in_review)
    in_force = RolloutVersion.objects.get(plan=plan, status="adopted")
    entry = RolloutEntry.objects.get(version=in_force, school=newcomer)
    assert (entry.period.label, entry.cost, entry.is_pinned) == ("2027", Decimal("0.00"), True)
