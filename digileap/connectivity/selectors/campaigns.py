"""Reads of survey campaigns: the campaigns a user may see, the schools they cover with each
school's answer state, and the progress per operator and per region.

A school's answer state in a campaign: ``submitted`` when at least one of its answers (the school's
or one of its sites') is submitted, ``draft`` when it has answers but none submitted, ``none`` when
it has no answer. Everything is restricted to the user's scope: a school coordinator sees only their
school, operator staff their operator's schools.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django_stubs_ext import WithAnnotations

from digileap.core.contributions import reverse_or_none
from digileap.core.permissions import Action, assignments_for, restrict
from digileap.programmes.models import Programme

from ..models import Campaign, CampaignSchool, SurveyResponse

SUBMITTED = "submitted"
DRAFT = "draft"
NONE = "none"
ANSWER_STATES = (SUBMITTED, DRAFT, NONE)


def campaigns_for(user, action: str = Action.VIEW) -> QuerySet[Campaign]:
    return restrict(Campaign.objects.select_related("programme", "programme__authority"), user, action)


def programmes_for_campaigns(user) -> QuerySet[Programme]:
    """The programmes in which ``user`` may make campaigns (those of the authorities they run)."""
    authority_ids = set()
    for assignment in assignments_for(user, Action.ADD, Campaign):
        if assignment.scope_kind == "all":
            return Programme.objects.order_by("code")
        if assignment.scope_kind == "authority":
            authority_ids.add(assignment.scope_id)
    return Programme.objects.filter(authority_id__in=authority_ids).order_by("code")


class AnswerFlags(TypedDict):
    """What ``covered_schools`` annotates on a campaign's school."""

    has_submitted: bool
    has_answer: bool


CoveredSchool: TypeAlias = "WithAnnotations[CampaignSchool, AnswerFlags]"


def covered_schools(campaign: Campaign, user) -> QuerySet[CoveredSchool]:
    """The campaign's schools the user may see, each annotated with ``has_submitted`` and
    ``has_answer``."""
    responses = SurveyResponse.objects.filter(campaign_id=campaign.pk, school_id=OuterRef("school_id"))
    return restrict(CampaignSchool.objects.filter(campaign=campaign), user).annotate(
        has_submitted=Exists(responses.filter(state=SurveyResponse.State.SUBMITTED)),
        has_answer=Exists(responses),
    )


def answer_state_q(state: str) -> Q:
    """The condition on ``covered_schools`` rows for one answer state."""
    if state == SUBMITTED:
        return Q(has_submitted=True)
    if state == DRAFT:
        return Q(has_answer=True, has_submitted=False)
    return Q(has_answer=False)


def region_of(row: Mapping[str, Any]) -> str:
    return row["school__operator__region"] or row["school__authority__name"]


@dataclass
class ProgressRow:
    """Counts of one group of schools (an operator, a region, or all)."""

    key: str
    label: str
    operator_id: int | None = None
    total: int = 0
    submitted: int = 0
    draft: int = 0
    none: int = 0

    def add(self, state: str) -> None:
        self.total += 1
        setattr(self, state, getattr(self, state) + 1)

    def share(self, count: int) -> float:
        return round(100 * count / self.total, 1) if self.total else 0.0

    @property
    def submitted_percent(self) -> float:
        return self.share(self.submitted)

    @property
    def draft_percent(self) -> float:
        return self.share(self.draft)

    @property
    def none_percent(self) -> float:
        return self.share(self.none)


@dataclass
class Progress:
    total: ProgressRow
    operators: list[ProgressRow] = field(default_factory=list)
    regions: list[ProgressRow] = field(default_factory=list)


def state_of(has_submitted: bool, has_answer: bool) -> str:
    if has_submitted:
        return SUBMITTED
    return DRAFT if has_answer else NONE


def campaign_progress(campaign: Campaign, user) -> Progress:
    """The answer states counted over the schools the user may see: in all, per operator (by name)
    and per region (by name). One query."""
    rows = covered_schools(campaign, user).values(
        "has_submitted",
        "has_answer",
        "school__operator_id",
        "school__operator__name",
        "school__operator__region",
        "school__authority__name",
    )
    total = ProgressRow(key="all", label="")
    operators: dict[int, ProgressRow] = {}
    regions: dict[str, ProgressRow] = {}
    for row in rows:
        state = state_of(row["has_submitted"], row["has_answer"])
        total.add(state)
        operator_id = row["school__operator_id"]
        if operator_id not in operators:
            operators[operator_id] = ProgressRow(
                key=str(operator_id), label=row["school__operator__name"], operator_id=operator_id
            )
        operators[operator_id].add(state)
        region = region_of(row)
        regions.setdefault(region, ProgressRow(key=region, label=region)).add(state)
    return Progress(
        total=total,
        operators=sorted(operators.values(), key=lambda item: (item.label.lower(), item.operator_id)),
        regions=sorted(regions.values(), key=lambda item: item.label.lower()),
    )


def response_rates(campaigns: QuerySet[Campaign], user) -> dict[int, tuple[int, int]]:
    """Per campaign: (schools covered that the user may see, of which submitted). One query."""
    submitted = SurveyResponse.objects.filter(
        campaign_id=OuterRef("campaign_id"), school_id=OuterRef("school_id"), state=SurveyResponse.State.SUBMITTED
    )
    rows = (
        restrict(CampaignSchool.objects.filter(campaign__in=campaigns), user)
        .annotate(has_submitted=Exists(submitted))
        .order_by()
        .values("campaign_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(has_submitted=True)))
    )
    return {row["campaign_id"]: (row["total"], row["done"]) for row in rows}


# The survey page's route, as the survey part names it; tried in this order. Until it exists the
# links lead to the campaign page.
SURVEY_ROUTES = (
    "connectivity:surveyresponse-edit",
    "connectivity:surveyresponse-answer",
    "connectivity:surveyresponse-create",
    "connectivity:surveyresponse-form",
)


def survey_link(campaign_id: int, school_id: int) -> str | None:
    """The path of a school's survey page in a campaign, or None while the page does not exist."""
    return reverse_or_none(*SURVEY_ROUTES, kwargs={"campaign_pk": campaign_id, "school_pk": school_id})


def survey_path(campaign_id: int, school_id: int) -> str:
    """The survey page's path, else the campaign page's (for e-mails)."""
    return survey_link(campaign_id, school_id) or reverse("connectivity:campaign-detail", args=[campaign_id])
