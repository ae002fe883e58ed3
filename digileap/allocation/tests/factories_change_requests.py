"""A roll-out plan in force for change-request tests, built on ``conftest.world``.

Plan MV-ROP (INSIDE authority) with three years: 2025 (cap 1,000), 2026 (cap 1,000), 2027 (no cap).
Versions: v1 superseded, v2 in force, v3 a draft. v2 has:
  - INSIDE school (INSIDE operator): 2025, EUR 500
  - INSIDE school B (INSIDE operator): 2026, EUR 300
  - INSIDE neighbour school (another operator of the INSIDE authority): 2025, EUR 200
  - INSIDE school C (INSIDE operator): not planned (no budget), EUR 700
INSIDE school D (INSIDE operator) is in no version. Plan OTHER-ROP of the same programme has a
year "2025" too and no version in force.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import ChangeRequest, RolloutEntry, RolloutPeriod, RolloutPlan, RolloutVersion
from ..services import change_requests as services
from .factories import RolloutPeriodFactory, RolloutPlanFactory


@dataclass
class PlanSetup:
    plan: RolloutPlan
    other_plan: RolloutPlan
    y2025: RolloutPeriod
    y2026: RolloutPeriod
    y2027: RolloutPeriod
    other_2025: RolloutPeriod
    v1: RolloutVersion
    v2: RolloutVersion
    v3: RolloutVersion
    school: object
    school_b: object
    school_c: object
    school_d: object
    neighbour: object
    neighbour_staff: object


def plan_in_force(world) -> PlanSetup:
    now = timezone.now()
    programme = ProgrammeFactory(code="MV-ICT", name={"en": "INSIDE ICT"}, authority=world.authority)
    plan = RolloutPlanFactory(programme=programme, code="MV-ROP", name="INSIDE roll-out")
    other_plan = RolloutPlanFactory(programme=programme, code="OTHER-ROP", name="INSIDE other plan")
    y2025 = RolloutPeriodFactory(plan=plan, position=1, label="2025", budget_cap=Decimal("1000.00"))
    y2026 = RolloutPeriodFactory(plan=plan, position=2, label="2026", budget_cap=Decimal("1000.00"))
    y2027 = RolloutPeriodFactory(plan=plan, position=3, label="2027", budget_cap=None)
    other_2025 = RolloutPeriodFactory(plan=other_plan, position=1, label="2025", budget_cap=None)
    neighbour_operator = OperatorFactory(authority=world.authority, name="INSIDE neighbour operator")
    school_b = SchoolFactory(operator=world.operator, name="INSIDE school B", number="1002")
    school_c = SchoolFactory(operator=world.operator, name="INSIDE school C", number="1003")
    school_d = SchoolFactory(operator=world.operator, name="INSIDE school D", number="1004")
    neighbour = SchoolFactory(operator=neighbour_operator, name="INSIDE neighbour school", number="1005")
    v1 = RolloutVersion.objects.create(
        plan=plan, number=1, status=RolloutVersion.Status.SUPERSEDED, created_at=now, adopted_at=now
    )
    v2 = RolloutVersion.objects.create(
        plan=plan, number=2, status=RolloutVersion.Status.ADOPTED, created_at=now, adopted_at=now, note="optimised"
    )
    v3 = RolloutVersion.objects.create(plan=plan, number=3, status=RolloutVersion.Status.DRAFT, created_at=now)
    for version in (v1, v2, v3):
        RolloutEntry.objects.create(
            version=version, school=world.school, period=y2025, cost=Decimal("500.00"), priority=Decimal("3")
        )
        RolloutEntry.objects.create(
            version=version,
            school=school_b,
            period=y2026,
            cost=Decimal("300.00"),
            priority=Decimal("2"),
            readiness=80,
            preferred_period=y2026,
        )
        RolloutEntry.objects.create(
            version=version, school=neighbour, period=y2025, cost=Decimal("200.00"), is_pinned=True
        )
        RolloutEntry.objects.create(
            version=version, school=school_c, period=None, cost=Decimal("700.00"), reason=RolloutEntry.Reason.NO_BUDGET
        )
    neighbour_staff = user_with_role(Role.OPERATOR_STAFF, neighbour_operator, username="neighbour-staff")
    return PlanSetup(
        plan=plan,
        other_plan=other_plan,
        y2025=y2025,
        y2026=y2026,
        y2027=y2027,
        other_2025=other_2025,
        v1=v1,
        v2=v2,
        v3=v3,
        school=world.school,
        school_b=school_b,
        school_c=school_c,
        school_d=school_d,
        neighbour=neighbour,
        neighbour_staff=neighbour_staff,
    )


def file_move(
    setup: PlanSetup, actor, *, school=None, period=None, justification="Building works in 2025"
) -> ChangeRequest:
    return services.change_request_file(
        actor=actor,
        plan=setup.plan,
        school=school or setup.school,
        kind=ChangeRequest.Kind.MOVE,
        requested_period=period or setup.y2026,
        justification=justification,
    )


def schedule(change_request: ChangeRequest, actor, *, meeting_date=datetime.date(2025, 3, 10)) -> ChangeRequest:
    return services.change_request_schedule(
        actor=actor, change_request=change_request, committee="Steering committee", meeting_date=meeting_date
    )


def entries_of(version: RolloutVersion) -> list[tuple]:
    """(school number, period label or None, cost, pinned, reason) per entry, by school number."""
    return [
        (entry.school.number, entry.period.label if entry.period else None, entry.cost, entry.is_pinned, entry.reason)
        for entry in version.entries.select_related("school", "period").order_by("school__number")
    ]
