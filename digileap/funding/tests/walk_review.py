"""INSIDE and OUTSIDE objects of the review part for the permission walk (see walk.py): a reviewer
of the call (the INSIDE funding administrator reviews the INSIDE call), a checklist question, a
scored criterion, a letter template, and a second application of the operator taken through a
decision by the installation, so that it has a declaration, an answer, a score, a decision with
its letter, a grant with its line and commitment, and a proof of use that is due."""

from decimal import Decimal

from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.permissions import SystemActor

from ..models import (
    ApplicationSchool,
    CallReviewer,
    ConflictDeclaration,
    CriterionScore,
    LetterTemplate,
    ReviewAnswer,
    ReviewItem,
    ScoringCriterion,
)
from ..services.review import application_decide
from .factories import ApplicationFactory, CostLineFactory


def extend(*, side, made, world, role_users) -> dict:
    system = SystemActor("walk")
    now = timezone.now()
    call = made["funding.call"]
    operator = made["funding.application"].operator
    school = world.school if side == "INSIDE" else world.other_school
    if side == "INSIDE":
        reviewer_user = role_users[Role.FUNDING_ADMINISTRATOR]
    else:
        reviewer_user = user_with_role(Role.FUNDING_ADMINISTRATOR, world.other_authority, username="OUTSIDE-reviewer")
    reviewer = CallReviewer.objects.create(call=call, user=reviewer_user, assigned_at=now)
    item = ReviewItem.objects.create(
        call=call, stage="application", code="plan", text={"en": f"{side} question: is the plan valid?"}
    )
    criterion = ScoringCriterion.objects.create(call=call, code="quality", name={"en": f"{side} quality"}, max_score=10)
    template = LetterTemplate.objects.create(
        call=call, language="en", body=f"{side} decision for {{operator}}: EUR {{approved_total}}.\n\n{{lines}}"
    )
    application = ApplicationFactory(
        call=call, operator=operator, state="review", number=2, title=f"{side} decided application", rollout_year=2027
    )
    ApplicationSchool.objects.create(application=application, school=school, pupils=100)
    CostLineFactory(
        application=application,
        position=1,
        category=made["funding.costcategory"],
        school=school,
        description=f"{side} decided line",
        quantity=Decimal("1"),
        unit_price=Decimal("100.00"),
        amount=Decimal("100.00"),
        funding=Decimal("90.00"),
    )
    declaration = ConflictDeclaration.objects.create(
        application=application, reviewer=reviewer_user, has_conflict=False, declared_at=now
    )
    answer = ReviewAnswer.objects.create(
        item=item, application=application, answer="yes", note=f"{side} note", answered_at=now
    )
    score = CriterionScore.objects.create(application=application, criterion=criterion, score=7, scored_at=now)
    line = application.cost_lines.get()
    decision = application_decide(
        actor=system,
        application=application,
        lines={line.pk: {"approved": "80.00", "reason": f"{side} reduction"}},
        language="en",
    )
    grant = application.grant
    return {
        "funding.callreviewer": reviewer,
        "funding.reviewitem": item,
        "funding.scoringcriterion": criterion,
        "funding.lettertemplate": template,
        "funding.conflictdeclaration": declaration,
        "funding.reviewanswer": answer,
        "funding.criterionscore": score,
        "funding.decision": decision,
        "funding.decisionline": decision.lines.get(),
        "funding.grant": grant,
        "funding.grantline": grant.lines.get(),
        "funding.proofofuse": grant.proof_of_use,
    }
