"""Reads of change requests, restricted to what the acting user may see, and what a person filing
or deciding one needs: the plans and schools they may file for, and the school's place in the plan."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from digileap.core.audit import history_for
from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, assignments_for, restrict
from digileap.schools.models import School

from ..models import ChangeRequest, RolloutEntry, RolloutPeriod, RolloutPlan, RolloutVersion


def change_requests_for(user, action: str = Action.VIEW) -> QuerySet[ChangeRequest]:
    return restrict(
        ChangeRequest.objects.select_related(
            "plan",
            "school",
            "school__operator",
            "requested_period",
            "requested_by",
            "scheduled_by",
            "decided_by",
            "resulting_version",
        ),
        user,
        action,
    )


def change_request_get(user, pk: int, action: str = Action.VIEW) -> ChangeRequest:
    """The request, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(change_requests_for(user, action), pk=pk)


def plans_for(user, action: str = Action.VIEW) -> QuerySet[RolloutPlan]:
    return restrict(RolloutPlan.objects.select_related("programme"), user, action)


def periods_for(user, action: str = Action.VIEW) -> QuerySet[RolloutPeriod]:
    return restrict(RolloutPeriod.objects.select_related("plan"), user, action)


def _filing_schools_q(user) -> Q | None:
    """The schools the user may file requests for, as a condition on School (None: every school).

    Built from the grants on ChangeRequest (reached from a school through ``school__...``)."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, Action.ADD, ChangeRequest):
        if assignment.scope_kind == "all":
            return None
        path = ChangeRequest.scope_paths.get(assignment.scope_kind)
        if path is None:
            continue
        school_path = "pk" if path == "school" else path.removeprefix("school__")
        condition |= Q(**{f"{school_path}__in": [assignment.scope_id]})
    return condition


def fileable_entries(user, plan: RolloutPlan | None = None) -> QuerySet[RolloutEntry]:
    """Entries of plans in force (of ``plan`` when given) for schools the user may file requests for."""
    entries = RolloutEntry.objects.filter(
        version__status=RolloutVersion.Status.ADOPTED, version__plan__in=plans_for(user)
    ).select_related("school", "period", "version")
    condition = _filing_schools_q(user)
    if condition is not None:
        entries = entries.filter(school__in=School.objects.filter(condition))
    if plan is not None:
        entries = entries.filter(version__plan=plan)
    return entries.order_by("school__name", "school__number", "pk")


def fileable_plans(user) -> QuerySet[RolloutPlan]:
    """Plans in force that have at least one school the user may file a request for."""
    return plans_for(user).filter(pk__in=fileable_entries(user).values("version__plan")).order_by("code", "pk")


def entry_in_force(change_request: ChangeRequest) -> RolloutEntry | None:
    """The school's entry in the version of the plan in force now (None: not in it)."""
    return (
        RolloutEntry.objects.filter(
            version__plan_id=change_request.plan_id,
            version__status=RolloutVersion.Status.ADOPTED,
            school_id=change_request.school_id,
        )
        .select_related("period", "version")
        .first()
    )


@dataclass(frozen=True)
class PeriodLoad:
    """A year or wave of the plan in force: its cap, what is planned in it, and what a move changes."""

    period: RolloutPeriod
    planned: Decimal
    after: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.period.budget_cap is None else self.period.budget_cap - self.planned

    @property
    def remaining_after(self) -> Decimal | None:
        return None if self.period.budget_cap is None else self.period.budget_cap - self.after


def change_request_effect(change_request: ChangeRequest, entry: RolloutEntry | None) -> list[PeriodLoad]:
    """Per year or wave of the plan, the cost planned in the version in force and after the change
    (what the committee weighs against the budget caps)."""
    if entry is None:
        return []
    planned = dict(
        RolloutEntry.objects.filter(version_id=entry.version_id, period__isnull=False)
        .values_list("period")
        .annotate(total=Sum("cost"))
        .order_by()
    )
    new_period = entry.period_id
    new_cost = entry.cost
    if change_request.kind == ChangeRequest.Kind.MOVE:
        new_period = change_request.requested_period_id
    elif change_request.requested_cost is not None:
        new_cost = change_request.requested_cost
    loads = []
    for period in RolloutPeriod.objects.filter(plan_id=change_request.plan_id).order_by("position"):
        now = planned.get(period.pk) or Decimal("0")
        after = now
        if period.pk == entry.period_id:
            after -= entry.cost
        if period.pk == new_period:
            after += new_cost
        loads.append(PeriodLoad(period=period, planned=now, after=after))
    return loads


def change_request_history(change_request: ChangeRequest) -> QuerySet[AuditEvent]:
    """Events about the request, newest first. The caller has checked the user may see it."""
    return history_for(change_request)


@dataclass(frozen=True)
class Step:
    """One step of a request's way through the committee."""

    key: str
    is_done: bool
    when: object = None
    who: str = ""


def change_request_timeline(change_request: ChangeRequest) -> list[Step]:
    """Submitted, on the agenda, decided (or withdrawn): what happened, when and by whom."""
    status = change_request.status
    steps = [
        Step(
            "submitted",
            True,
            change_request.requested_at,
            change_request.requested_by.get_username() if change_request.requested_by else "",
        )
    ]
    scheduled = change_request.meeting_date is not None
    steps.append(
        Step(
            "on_agenda",
            scheduled,
            change_request.meeting_date,
            change_request.scheduled_by.get_username() if change_request.scheduled_by else "",
        )
    )
    if status == ChangeRequest.Status.WITHDRAWN:
        event = history_for(change_request).filter(action="withdraw").first()
        steps.append(Step("withdrawn", True, event.occurred_at if event else None, event.actor_label if event else ""))
    else:
        steps.append(
            Step(
                "decided",
                status in (ChangeRequest.Status.APPROVED, ChangeRequest.Status.REJECTED),
                change_request.decided_on,
                change_request.decided_by.get_username() if change_request.decided_by else "",
            )
        )
    return steps
