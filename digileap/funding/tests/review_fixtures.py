"""Shared set-up of the review tests: an application of the INSIDE operator in review on the MV
call, with two cost lines for the first school, moved into review by the programme owner; the
funding administrator is assigned to the call."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ..models import ApplicationEvent, ApplicationSchool, CallReviewer
from .factories import ApplicationFactory, CostLineFactory


def make_in_review(call, operator, school, *, mover=None, number=1, rollout_year=2027):
    application = ApplicationFactory(
        call=call, operator=operator, state="review", number=number, title="INSIDE laptops", rollout_year=rollout_year
    )
    ApplicationSchool.objects.create(application=application, school=school, pupils=200)
    categories = {category.code: category for category in call.cost_categories.all()}
    CostLineFactory(
        application=application,
        position=1,
        category=categories["network"],
        school=school,
        description="Wi-Fi in 12 classrooms",
        quantity=Decimal("1"),
        unit_price=Decimal("10000.00"),
        amount=Decimal("10000.00"),
        funding=Decimal("9000.00"),
    )
    CostLineFactory(
        application=application,
        position=2,
        category=categories["displays"],
        school=school,
        description="Interactive displays",
        quantity=Decimal("5"),
        unit_price=Decimal("1000.00"),
        amount=Decimal("5000.00"),
        funding=Decimal("4500.00"),
    )
    ApplicationEvent.objects.create(
        application=application,
        from_state="formal_check",
        to_state="review",
        actor=mover,
        actor_label=mover.get_username() if mover else "system",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
    )
    return application


@pytest.fixture
def in_review(mv_call, world, owner, funding_admin):
    mv_call.proof_of_use_deadline = datetime.date(2028, 6, 30)
    mv_call.claim_deadline = datetime.date(2028, 3, 31)
    mv_call.save()
    CallReviewer.objects.create(call=mv_call, user=funding_admin, assigned_at=timezone.now())
    return make_in_review(mv_call, world.operator, world.school, mover=owner)


def lines_of(application, **approved_by_position):
    """``{cost_line_id: {"approved": ..., "reason": ...}}``: full funding unless given by position
    (``p2=("4000.00", "two displays too many")``)."""
    entries = {}
    for line in application.cost_lines.order_by("position"):
        given = approved_by_position.get(f"p{line.position}")
        if given is None:
            entries[line.pk] = {"approved": str(line.funding), "reason": ""}
        else:
            entries[line.pk] = {"approved": given[0], "reason": given[1]}
    return entries
