"""Helpers for roll-out plan tests: an approved cost round with given amounts, and a plan made
through the service."""

from decimal import Decimal

from django.utils import timezone

from ..models import AllocationLine, AllocationRound, AllocationVersion
from ..services.plans import plan_create
from .factories import AllocationRoundFactory


def approved_cost_round(
    programme, costs: dict, *, school_year: str = "2024/25", code: str = "COSTS"
) -> AllocationRound:
    """A money round of ``programme`` whose approved version gives each school (key) its amount."""
    allocation_round = AllocationRoundFactory(
        programme=programme, code=code, name=f"{code} round", school_year=school_year, status="approved"
    )
    now = timezone.now()
    version = AllocationVersion.objects.create(
        round=allocation_round,
        number=1,
        status=AllocationVersion.Status.APPROVED,
        total=sum((Decimal(amount) for amount in costs.values()), Decimal("0")),
        schools_count=len(costs),
        computed_at=now,
        approved_at=now,
    )
    AllocationLine.objects.bulk_create(
        AllocationLine(
            version=version,
            school=school,
            amount=Decimal(amount),
            claim=Decimal(amount),
            explanation={"steps": []},
        )
        for school, amount in costs.items()
    )
    return allocation_round


def make_plan(actor, programme, periods, **data):
    """A plan through ``plan_create``; ``periods`` as (label, cap) pairs, caps as strings or None."""
    defaults = {"code": "ROP", "name": "Roll-out plan", "relative_gap": Decimal("0")}
    return plan_create(actor=actor, programme=programme, data={**defaults, **data}, periods=periods)
