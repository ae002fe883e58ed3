"""INSIDE and OUTSIDE objects of this app's models for the permission walk
(digileap/core/tests/test_permission_walk.py). Versions are published so that operator staff and
school coordinators may read the INSIDE lines; everything OUTSIDE must stay hidden from them."""

from decimal import Decimal

from django.utils import timezone

from digileap.programmes.tests.factories import ProgrammeFactory

from ..models import AllocationLine, AllocationVersion, ChangeRequest, RolloutEntry, RolloutVersion
from .factories import (
    AllocationRoundFactory,
    NeedDeclarationFactory,
    NeedLineFactory,
    RolloutPeriodFactory,
    RolloutPlanFactory,
)


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    now = timezone.now()
    for side, authority, school in (
        ("INSIDE", world.authority, world.school),
        ("OUTSIDE", world.other_authority, world.other_school),
    ):
        programme = ProgrammeFactory(
            code=f"{side}-allocation-programme", name={"en": f"{side} allocation programme"}, authority=authority
        )
        allocation_round = AllocationRoundFactory(
            programme=programme, code=f"{side}-round", name=f"{side} round", status="published"
        )
        version = AllocationVersion.objects.create(
            round=allocation_round,
            number=1,
            status=AllocationVersion.Status.PUBLISHED,
            total=Decimal("100.00"),
            schools_count=1,
            computed_at=now,
            approved_at=now,
            published_at=now,
        )
        line = AllocationLine.objects.create(
            version=version,
            school=school,
            amount=Decimal("100.00"),
            claim=Decimal("100"),
            eligible_pupils=1,
            explanation={"steps": [], "claim": "100", "amount": "100.00", "note": f"{side} line"},
        )
        declaration = NeedDeclarationFactory(school=school, note=f"{side} need")
        need_line = NeedLineFactory(declaration=declaration)
        plan = RolloutPlanFactory(programme=programme, code=f"{side}-plan", name=f"{side} plan")
        period = RolloutPeriodFactory(plan=plan, position=1, label=f"{side} 2025", budget_cap=Decimal("1000"))
        RolloutPeriodFactory(plan=plan, position=2, label=f"{side} 2026", budget_cap=Decimal("1000"))
        rollout_version = RolloutVersion.objects.create(
            plan=plan, number=1, status=RolloutVersion.Status.ADOPTED, created_at=now, adopted_at=now
        )
        entry = RolloutEntry.objects.create(version=rollout_version, school=school, period=period, cost=Decimal("500"))
        change_request = ChangeRequest.objects.create(
            plan=plan,
            school=school,
            kind=ChangeRequest.Kind.AMOUNT,
            requested_cost=Decimal("600"),
            justification=f"{side} justification",
            requested_by=role_users["administrator"],
            requested_at=now,
        )
        made = {
            "allocation.allocationround": allocation_round,
            "allocation.allocationversion": version,
            "allocation.allocationline": line,
            "allocation.needdeclaration": declaration,
            "allocation.needline": need_line,
            "allocation.rolloutplan": plan,
            "allocation.rolloutperiod": period,
            "allocation.rolloutversion": rollout_version,
            "allocation.rolloutentry": entry,
            "allocation.changerequest": change_request,
        }
        for label, obj in made.items():
            objects.setdefault(label, []).append(obj)
    return {label: tuple(pair) for label, pair in objects.items()}
