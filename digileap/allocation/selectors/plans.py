"""Reads of roll-out plans, restricted to what the acting user may see.

Programme owners, funding administrators, auditors and administrators see every version of the
plans in their scope, drafts included. Operator staff and school coordinators see the plans of
their authority's programmes, but only the versions that were in force (adopted or superseded),
and in them only their own schools' entries.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from digileap.accounts.models import Role
from digileap.core.permissions import Action, assignments_for, restrict

from ..models import RolloutEntry, RolloutPeriod, RolloutPlan, RolloutVersion

FULL_READER_ROLES = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR})
PUBLISHED_STATUSES = (RolloutVersion.Status.ADOPTED, RolloutVersion.Status.SUPERSEDED)


def _full_reader_q(user, model) -> Q | None:
    """The rows of ``model`` the user reaches through a role that also reads drafts; None: all.
    (None rather than ``Q()``, which an ``|`` would swallow.)"""
    paths = getattr(model, "scope_paths", {})
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, Action.VIEW, model):
        if assignment.role not in FULL_READER_ROLES:
            continue
        if assignment.scope_kind == "all":
            return None
        path = paths.get(assignment.scope_kind)
        if path:
            ids = model._default_manager.filter(**{path: assignment.scope_id}).values("pk")
            condition |= Q(pk__in=ids)
    return condition


def reads_whole_plan(user, version: RolloutVersion) -> bool:
    """Whether the user reads every entry and draft of the version's plan (not only their own schools)."""
    condition = _full_reader_q(user, RolloutVersion)
    return condition is None or RolloutVersion.objects.filter(condition, pk=version.pk).exists()


def plans_for(user, action: str = Action.VIEW) -> QuerySet[RolloutPlan]:
    return restrict(RolloutPlan.objects.select_related("programme__authority", "cost_round"), user, action)


def plan_get(user, pk: int, action: str = Action.VIEW) -> RolloutPlan:
    return get_object_or_404(plans_for(user, action), pk=pk)


def periods_for(user, action: str = Action.VIEW) -> QuerySet[RolloutPeriod]:
    return restrict(RolloutPeriod.objects.select_related("plan"), user, action)


def versions_for(user, action: str = Action.VIEW) -> QuerySet[RolloutVersion]:
    queryset = restrict(RolloutVersion.objects.select_related("plan__programme", "created_by"), user, action)
    condition = _full_reader_q(user, RolloutVersion)
    if action != Action.VIEW or condition is None:
        return queryset
    return queryset.filter(condition | Q(status__in=PUBLISHED_STATUSES))


def version_get(user, pk: int, action: str = Action.VIEW) -> RolloutVersion:
    return get_object_or_404(versions_for(user, action), pk=pk)


def entries_for(user, action: str = Action.VIEW) -> QuerySet[RolloutEntry]:
    queryset = restrict(
        RolloutEntry.objects.select_related("version__plan", "school__operator", "period", "preferred_period"),
        user,
        action,
    )
    condition = _full_reader_q(user, RolloutEntry)
    if action != Action.VIEW or condition is None:
        return queryset
    return queryset.filter(condition | Q(version__status__in=PUBLISHED_STATUSES))


def entry_get(user, pk: int, action: str = Action.VIEW) -> RolloutEntry:
    return get_object_or_404(entries_for(user, action), pk=pk)


def adopted_version(user, plan: RolloutPlan) -> RolloutVersion | None:
    """The plan in force, if the user may see it."""
    return versions_for(user).filter(plan=plan, status=RolloutVersion.Status.ADOPTED).first()


@dataclass(frozen=True)
class PeriodRow:
    period: RolloutPeriod
    schools: int
    cost: Decimal
    cap: Decimal | None
    remaining: Decimal | None

    @property
    def is_over_cap(self) -> bool:
        return self.remaining is not None and self.remaining < 0


@dataclass(frozen=True)
class VersionSummary:
    periods: list[PeriodRow]
    planned_schools: int
    planned_cost: Decimal
    left_out_schools: int
    left_out_cost: Decimal
    left_out_by_reason: list[tuple[str, str, int]]  # (reason, words, schools)
    cap_total: Decimal | None
    # Whether the user sees every entry of the version: only then do caps and remaining budgets
    # describe what the user sees (operators see their own schools only).
    is_complete: bool


def version_summary(user, version: RolloutVersion) -> VersionSummary:
    """Per year or wave: the schools, their cost, the cap and the budget left; and the schools
    left out by reason. Over the entries the user may see."""
    entries = entries_for(user).filter(version=version)
    visible = entries.count()
    is_complete = visible == RolloutEntry.objects.filter(version=version).count()
    # Per period (None: left out), its schools and their cost.
    by_period: dict[int | None, Mapping[str, Any]] = {
        row["period"]: row
        for row in entries.order_by().values("period").annotate(schools=Count("id"), cost=Sum("cost"))
    }
    rows = []
    for period in version.plan.periods.order_by("position"):
        found = by_period.get(period.pk, {"schools": 0, "cost": Decimal("0")})
        cost = found["cost"] or Decimal("0")
        cap = period.budget_cap
        rows.append(
            PeriodRow(
                period=period,
                schools=found["schools"],
                cost=cost,
                cap=cap,
                remaining=None if cap is None else cap - cost,
            )
        )
    left = by_period.get(None, {"schools": 0, "cost": Decimal("0")})
    reasons = dict(
        entries.filter(period__isnull=True)
        .order_by()
        .values("reason")
        .annotate(schools=Count("id"))
        .values_list("reason", "schools")
    )
    by_reason = [
        (value, str(label), reasons[value]) for value, label in RolloutEntry.Reason.choices if reasons.get(value)
    ]
    caps = [row.cap for row in rows if row.cap is not None]
    return VersionSummary(
        periods=rows,
        planned_schools=sum(row.schools for row in rows),
        planned_cost=sum((row.cost for row in rows), Decimal("0")),
        left_out_schools=left["schools"],
        left_out_cost=left["cost"] or Decimal("0"),
        left_out_by_reason=by_reason,
        cap_total=None if len(caps) < len(rows) or not caps else sum(caps, Decimal("0")),
        is_complete=is_complete,
    )
