"""Reads of the review: the call's set-up, an application's review papers, decisions and the
figures a decision or an amendment needs. Every list is restricted to what the user may see; a
funding administrator sees the decisions of the calls they review only (through
``applications_for``)."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from digileap.core.permissions import Action, restrict

from ..models import (
    Application,
    Call,
    CallReviewer,
    CriterionScore,
    Decision,
    Grant,
    InvoiceLine,
    LetterTemplate,
    ReviewAnswer,
    ReviewItem,
    ReviewStage,
    ScoringCriterion,
)
from .applications import applications_for

# Claims whose funding counts as claimed (a draft or a returned claim holds nothing).
CLAIMED_STATES = ("submitted", "approved", "paid")


def decisions_for(user, action: str = Action.VIEW) -> QuerySet[Decision]:
    """Decisions the user may see: of applications they see (operator staff: their operator's;
    a funding administrator: of the calls they review)."""
    return restrict(
        Decision.objects.select_related("application__call__programme__authority", "application__operator"),
        user,
        action,
    ).filter(application__in=applications_for(user).values("pk"))


def grants_for(user, action: str = Action.VIEW) -> QuerySet[Grant]:
    """Grants the user may see, with the same reviewer rule as applications."""
    return restrict(Grant.objects.select_related("call", "operator", "decision"), user, action).filter(
        application__in=applications_for(user).values("pk")
    )


def call_reviewers(call: Call) -> QuerySet[CallReviewer]:
    return CallReviewer.objects.filter(call=call).select_related("user", "assigned_by").order_by("user__username")


def review_items(call: Call, stage: str | None = None) -> QuerySet[ReviewItem]:
    items = ReviewItem.objects.filter(call=call).order_by("stage", "position", "id")
    return items.filter(stage=stage) if stage else items


def checklist(application: Application) -> list[tuple[ReviewItem, ReviewAnswer | None]]:
    """The call's application checklist with this application's answers."""
    answers = {answer.item_id: answer for answer in ReviewAnswer.objects.filter(application=application)}
    return [(item, answers.get(item.pk)) for item in review_items(application.call, ReviewStage.APPLICATION)]


def scoring(application: Application) -> list[tuple[ScoringCriterion, CriterionScore | None]]:
    scores = {score.criterion_id: score for score in CriterionScore.objects.filter(application=application)}
    criteria = ScoringCriterion.objects.filter(call=application.call).order_by("position", "id")
    return [(criterion, scores.get(criterion.pk)) for criterion in criteria]


def weighted_score(application: Application) -> Decimal | None:
    """Σ score × weight over the scored criteria (None when nothing is scored)."""
    total = None
    for criterion, score in scoring(application):
        if score is not None:
            total = (total or Decimal("0")) + Decimal(score.score) * criterion.weight
    return total


def letter_templates(call: Call) -> QuerySet[LetterTemplate]:
    return LetterTemplate.objects.filter(call=call).order_by("language")


def claimed_by_line(grant: Grant) -> dict[int, Decimal]:
    """Funding claimed per cost line of the grant, by claims that are submitted, approved or paid."""
    rows = (
        InvoiceLine.objects.filter(grant_line__grant=grant, invoice__claim__state__in=CLAIMED_STATES)
        .values("grant_line__cost_line_id")
        .annotate(total=Sum("claimed"))
        .order_by()
    )
    return {row["grant_line__cost_line_id"]: row["total"] for row in rows}
