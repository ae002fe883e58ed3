"""Writes to roll-out plans (ROP): define a plan and its years or waves, build versions, optimise
them in the background, adjust them by hand, adopt one as the plan in force, copy any of them.

Versions are never deleted: building, copying and change requests add a draft; adopting a draft
supersedes the version in force. Only a draft is edited (by hand or by the optimiser), and the
optimiser runs as a django-tasks task (``tasks.optimise_rollout``) that writes its progress on
the version as it goes.

Priorities (``RolloutPlan.priority_source``):

* ``index``: the school's disadvantage on its socio-economic scale, 0 (least) to 100 (most
  disadvantaged), whichever way the scale runs; the index of the cost round's school year when
  the plan takes its costs from a round, otherwise the school's newest index. No index: 0.
* ``readiness``: the entry's readiness, 0 to 100 (none: 0).
* ``operator_preference``: 2 for a school whose operator named a preferred year or wave, 1 for
  the others; and the school is not planned before its preferred period (the earliest year its
  operator is ready for), so the optimiser, which puts the higher priorities first, gives it its
  preferred period whenever the budget allows.
* ``equal``: 1 for every school.
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.bulk import bulk_insert
from digileap.core.permissions import Action, authorize
from digileap.core.services import create_audited, update_audited
from digileap.schools.models import School, SocioEconomicIndex

from ..models import (
    AllocationRound,
    AllocationVersion,
    ChangeRequest,
    RolloutEntry,
    RolloutPeriod,
    RolloutPlan,
    RolloutVersion,
)

PLAN_FIELDS = [
    "code",
    "name",
    "cost_round",
    "default_cost",
    "priority_source",
    "max_periods_per_operator",
    "relative_gap",
    "time_limit_seconds",
]
ENTRY_FIELDS = ["cost", "readiness", "preferred_period"]
MAX_TIME_LIMIT_SECONDS = 3600
CENT = Decimal("0.01")
PRIORITY_PLACES = Decimal("0.0001")
OPTIMISER_ACTOR = "optimiser"

Period = tuple[str, Decimal | None]


# --- helpers ----------------------------------------------------------------------------------


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def euros(value: Decimal | None) -> str:
    """An amount as the messages show it: two decimals with grouping (``1,234.50`` in English)."""
    if value is None:
        return "–"
    return formats.number_format(Decimal(value).quantize(CENT), 2, use_l10n=True, force_grouping=True)


def cents(value: Decimal) -> int:
    return int((Decimal(value) * 100).to_integral_value())


def from_cents(value: int | None) -> Decimal | None:
    return None if value is None else (Decimal(value) / 100).quantize(CENT)


def _require_draft(version: RolloutVersion) -> None:
    if version.status == RolloutVersion.Status.OPTIMISING:
        raise ValidationError(_("The optimiser is working on this version: wait until it has finished."))
    if version.status != RolloutVersion.Status.DRAFT:
        raise ValidationError(
            _("Version %(number)s is %(status)s: only a draft can be changed. Copy it to a new draft first.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )


def _next_number(plan: RolloutPlan) -> int:
    return (RolloutVersion.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1


# --- plans and periods --------------------------------------------------------------------------


def _check_plan(plan: RolloutPlan) -> None:
    errors: dict[str, str] = {}
    cost_round = plan.cost_round if plan.cost_round_id else None
    if cost_round is not None:
        if cost_round.programme_id != plan.programme_id:
            errors["cost_round"] = _("The allocation round belongs to another programme.")
        elif cost_round.resource != AllocationRound.Resource.MONEY:
            errors["cost_round"] = _("Costs come from a round of money (EUR), not of devices.")
    if plan.max_periods_per_operator is not None and plan.max_periods_per_operator < 1:
        errors["max_periods_per_operator"] = _("An operator needs at least one year or wave.")
    if plan.time_limit_seconds is not None and not 1 <= plan.time_limit_seconds <= MAX_TIME_LIMIT_SECONDS:
        errors["time_limit_seconds"] = _("The time limit is 1 to %(maximum)s seconds.") % {
            "maximum": MAX_TIME_LIMIT_SECONDS
        }
    if errors:
        raise ValidationError(errors)


def clean_periods(periods: Sequence[tuple[str, Any]]) -> list[Period]:
    """Labels stripped and distinct, caps non-negative amounts to the cent (or None); at least one."""
    cleaned: list[Period] = []
    seen: set[str] = set()
    for label, cap in periods:
        label = (label or "").strip()
        if not label:
            raise ValidationError({"periods": _("Every year or wave needs a label.")})
        if len(label) > 40:
            raise ValidationError({"periods": _("A label has at most 40 characters: %(label)s") % {"label": label}})
        if label in seen:
            raise ValidationError({"periods": _("Two years or waves are called %(label)s.") % {"label": label}})
        seen.add(label)
        if cap is not None and cap != "":
            try:
                cap = Decimal(cap)
            except (ArithmeticError, ValueError, TypeError):
                raise ValidationError(
                    {"periods": _("The cap of %(label)s is not an amount.") % {"label": label}}
                ) from None
            if not cap.is_finite() or cap < 0 or cap != cap.quantize(CENT) or cap >= Decimal("1e12"):
                raise ValidationError(
                    {"periods": _("The cap of %(label)s must be an amount in EUR to the cent.") % {"label": label}}
                )
            cap = cap.quantize(CENT)
        else:
            cap = None
        cleaned.append((label, cap))
    if not cleaned:
        raise ValidationError({"periods": _("A plan needs at least one year or wave.")})
    return cleaned


def _periods_set(*, actor, plan: RolloutPlan, periods: list[Period]) -> None:
    """Make the plan's periods read ``periods``, position by position. Caps apply to what is
    optimised or adopted from now on; a period a version uses cannot be removed."""
    existing = {period.position: period for period in RolloutPeriod.objects.select_for_update().filter(plan=plan)}
    wanted = {position: value for position, value in enumerate(periods, start=1)}
    for position in sorted(set(existing) - set(wanted)):
        removed = existing[position]
        if (
            RolloutEntry.objects.filter(period=removed).exists()
            or ChangeRequest.objects.filter(requested_period=removed).exists()
        ):
            raise ValidationError(
                {"periods": _("%(label)s is used by a version of the plan and cannot be removed.") % {"label": removed}}
            )
        authorize(actor, Action.DELETE, removed)
        audit.record(actor=actor, action="delete", instance=removed, before=audit.snapshot(removed))
        removed.delete()
    # Labels move between positions: park the changed ones first, so the unique label holds.
    changed = [p for position, p in existing.items() if position in wanted and p.label != wanted[position][0]]
    for parked in changed:
        RolloutPeriod.objects.filter(pk=parked.pk).update(label=f"~{parked.pk}~")
    for position, (label, cap) in wanted.items():
        period = existing.get(position)
        if period is None:
            period = RolloutPeriod(plan=plan, position=position, label=label, budget_cap=cap)
            authorize(actor, Action.ADD, period)
            period.full_clean()
            period.save()
            audit.record(actor=actor, action="create", instance=period, after=audit.snapshot(period))
            continue
        before = audit.snapshot(period, ["label", "budget_cap"])
        if period.label == label and period.budget_cap == cap:
            continue
        authorize(actor, Action.CHANGE, period)
        period.label, period.budget_cap = label, cap
        period.save(update_fields=["label", "budget_cap"])
        audit.record(actor=actor, action="update", instance=period, before=before, after=audit.snapshot(period, before))


@transaction.atomic
def plan_create(*, actor, programme, data: dict[str, Any], periods: Sequence[tuple[str, Any]]) -> RolloutPlan:
    """A new plan of ``programme`` with its years or waves (label, budget cap in EUR or None), in order."""
    cleaned = clean_periods(periods)
    instance = RolloutPlan(programme=programme, created_by=_user_or_none(actor))
    plan = create_audited(actor=actor, instance=instance, data=data, allowed=PLAN_FIELDS, check=_check_plan)
    _periods_set(actor=actor, plan=plan, periods=cleaned)
    return plan


@transaction.atomic
def plan_update(
    *, actor, plan: RolloutPlan, data: dict[str, Any], periods: Sequence[tuple[str, Any]] | None = None
) -> RolloutPlan:
    """Change the plan's settings and, when given, its years or waves. Versions keep their entries;
    new caps and settings count for what is optimised or adopted from now on."""
    cleaned = clean_periods(periods) if periods is not None else None
    plan = update_audited(actor=actor, instance=plan, data=data, allowed=PLAN_FIELDS, check=_check_plan)
    if cleaned is not None:
        _periods_set(actor=actor, plan=plan, periods=cleaned)
    return plan


# --- building a version -------------------------------------------------------------------------


def _disadvantage(school: School, indices: dict[int, list[SocioEconomicIndex]]) -> float | None:
    """0 (least) .. 1 (most disadvantaged): the school year's index when one is given, else the newest."""
    candidates = indices.get(school.pk)
    if candidates:
        preferred = [index for index in candidates if index.scale_id == school.ses_scale_id] or candidates
        index = preferred[0]
        return min(1.0, max(0.0, index.scale.disadvantage(index.value)))
    if school.ses_value is not None and school.ses_scale is not None:
        return min(1.0, max(0.0, school.ses_scale.disadvantage(school.ses_value)))
    return None


def priority_for(
    plan: RolloutPlan, *, disadvantage: float | None = None, readiness: int | None = None, has_preference: bool = False
) -> Decimal:
    """A school's priority under the plan's priority source (see the module docstring)."""
    source = plan.priority_source
    if source == RolloutPlan.PrioritySource.INDEX:
        if disadvantage is None:
            return Decimal(0)
        return (Decimal(str(disadvantage)) * 100).quantize(PRIORITY_PLACES)
    if source == RolloutPlan.PrioritySource.READINESS:
        return Decimal(readiness or 0)
    if source == RolloutPlan.PrioritySource.OPERATOR_PREFERENCE:
        return Decimal(2 if has_preference else 1)
    return Decimal(1)


def _plan_costs(plan: RolloutPlan) -> list[tuple[School, Decimal]]:
    """The schools of the plan and their cost: the cost round's approved lines, or the open
    schools of the programme's authority at the plan's default cost."""
    if plan.cost_round_id:
        version = (
            AllocationVersion.objects.filter(
                round_id=plan.cost_round_id,
                status__in=[AllocationVersion.Status.APPROVED, AllocationVersion.Status.PUBLISHED],
            )
            .order_by("-number")
            .first()
        )
        if version is None:
            raise ValidationError(
                _("The allocation round %(round)s has no approved version yet.") % {"round": plan.cost_round}
            )
        lines = (
            version.lines.filter(amount__gt=0)
            .select_related("school__ses_scale")
            .order_by("school__number", "school_id")
        )
        return [(line.school, line.amount) for line in lines]
    schools = School.objects.filter(authority_id=plan.programme.authority_id, status=School.Status.OPEN)
    return [(school, plan.default_cost) for school in schools.select_related("ses_scale").order_by("number", "pk")]


def _indices(plan: RolloutPlan, school_ids: list[int]) -> dict[int, list[SocioEconomicIndex]]:
    if plan.priority_source != RolloutPlan.PrioritySource.INDEX or not plan.cost_round_id:
        return {}
    assert plan.cost_round is not None  # it has an id
    found: dict[int, list[SocioEconomicIndex]] = defaultdict(list)
    rows = SocioEconomicIndex.objects.filter(
        school_id__in=school_ids, school_year=plan.cost_round.school_year
    ).select_related("scale")
    for index in rows.order_by("school_id", "scale_id"):
        found[index.school_id].append(index)
    return found


def _adopted(plan: RolloutPlan) -> RolloutVersion | None:
    return plan.versions.filter(status=RolloutVersion.Status.ADOPTED).first()


@transaction.atomic
def plan_version_build(*, actor, plan: RolloutPlan, note: str = "") -> RolloutVersion:
    """A new draft with one entry per school of the plan (see ``_plan_costs``), its cost and
    priority, carrying over pins, readiness and preferred periods from the version in force."""
    plan = RolloutPlan.objects.select_for_update(of=("self",)).select_related("programme", "cost_round").get(pk=plan.pk)
    version = RolloutVersion(
        plan=plan,
        number=_next_number(plan),
        status=RolloutVersion.Status.DRAFT,
        note=note,
        created_by=_user_or_none(actor),
        created_at=timezone.now(),
    )
    authorize(actor, Action.ADD, version)
    costs = _plan_costs(plan)
    indices = _indices(plan, [school.pk for school, _cost in costs])
    adopted = _adopted(plan)
    carried = {entry.school_id: entry for entry in adopted.entries.all()} if adopted else {}
    version.save()
    rows = []
    pinned = 0
    for school, cost in costs:
        previous = carried.get(school.pk)
        readiness = previous.readiness if previous else None
        preferred_id = previous.preferred_period_id if previous else None
        is_pinned = bool(previous and previous.is_pinned and previous.period_id)
        pinned += is_pinned
        priority = priority_for(
            plan,
            disadvantage=_disadvantage(school, indices),
            readiness=readiness,
            has_preference=preferred_id is not None,
        )
        rows.append(
            (
                version.pk,
                school.pk,
                previous.period_id if previous is not None and is_pinned else None,
                cost,
                priority,
                readiness,
                preferred_id,
                is_pinned,
                "",
            )
        )
    bulk_insert(
        RolloutEntry,
        ["version", "school", "period", "cost", "priority", "readiness", "preferred_period", "is_pinned", "reason"],
        rows,
    )
    audit.record(
        actor=actor,
        action="build",
        instance=version,
        after={
            "plan": plan.code,
            "number": version.number,
            "entries": len(rows),
            "pinned": pinned,
            "cost_round": plan.cost_round.code if plan.cost_round is not None else None,
            "carried_from": adopted.number if adopted else None,
            "entries_sha256": _entries_digest(version),
        },
    )
    return version


def _entries_digest(version: RolloutVersion) -> str:
    digest = hashlib.sha256()
    for school_id, period_id, cost, is_pinned in (
        RolloutEntry.objects.filter(version=version)
        .order_by("school_id")
        .values_list("school_id", "period_id", "cost", "is_pinned")
    ):
        digest.update(f"{school_id}:{period_id}:{cost}:{int(is_pinned)}\n".encode())
    return digest.hexdigest()


# --- optimising -----------------------------------------------------------------------------------


def _check_pins(version: RolloutVersion, periods: list[RolloutPeriod]) -> None:
    """The pins alone must respect every cap and the operators' limit (else no plan exists)."""
    plan = version.plan
    pinned = RolloutEntry.objects.filter(version=version, is_pinned=True)
    problems = []
    costs = dict(pinned.values_list("period").annotate(total=Sum("cost")).values_list("period", "total"))
    for period in periods:
        cost = costs.get(period.pk)
        if period.budget_cap is not None and cost is not None and cost > period.budget_cap:
            problems.append(
                _("%(period)s: the pinned schools cost EUR %(cost)s, more than its cap of EUR %(cap)s.")
                % {"period": period.label, "cost": euros(cost), "cap": euros(period.budget_cap)}
            )
    limit = plan.max_periods_per_operator
    if limit:
        used: dict[str, set[int]] = defaultdict(set)
        for operator, period_id in pinned.values_list("school__operator__name", "period_id"):
            used[operator].add(period_id)
        for operator in sorted(used):
            if len(used[operator]) > limit:
                problems.append(
                    _("%(operator)s has schools pinned to %(count)s years or waves, more than the limit of %(limit)s.")
                    % {"operator": operator, "count": len(used[operator]), "limit": limit}
                )
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def plan_optimise(*, actor, version: RolloutVersion) -> RolloutVersion:
    """Hand a draft to the optimiser: it turns OPTIMISING, and the background task places the
    unpinned schools and goes back to DRAFT (with the solver's report, or an error)."""
    from ..tasks import optimise_rollout

    version = RolloutVersion.objects.select_for_update(of=("self",)).select_related("plan").get(pk=version.pk)
    authorize(actor, Action.CHANGE, version)
    _require_draft(version)
    periods = list(version.plan.periods.order_by("position"))
    if not periods:
        raise ValidationError(_("The plan has no years or waves."))
    _check_pins(version, periods)
    version.status = RolloutVersion.Status.OPTIMISING
    version.progress = 0
    version.error = ""
    version.save(update_fields=["status", "progress", "error"])
    audit.record(
        actor=actor,
        action="optimise",
        instance=version,
        before={"status": RolloutVersion.Status.DRAFT},
        after={
            "status": version.status,
            "relative_gap": str(version.plan.relative_gap),
            "time_limit_seconds": version.plan.time_limit_seconds,
            "max_periods_per_operator": version.plan.max_periods_per_operator,
        },
    )
    version_id = version.pk
    transaction.on_commit(lambda: optimise_rollout.enqueue(version_id))
    return version


def _optimiser_inputs(version: RolloutVersion, periods: list[RolloutPeriod]):
    from ..optimizer import Period, School

    position = {period.pk: index for index, period in enumerate(periods)}
    by_preference = version.plan.priority_source == RolloutPlan.PrioritySource.OPERATOR_PREFERENCE
    entries = (
        RolloutEntry.objects.filter(version=version)
        .exclude(reason=RolloutEntry.Reason.BY_HAND, period__isnull=True)
        .values_list("pk", "cost", "priority", "school__operator_id", "is_pinned", "period_id", "preferred_period_id")
        .order_by("pk")
    )
    schools = []
    for pk, cost, priority, operator_id, is_pinned, period_id, preferred_id in entries:
        pinned = position[period_id] if is_pinned else None
        allowed = None
        if by_preference and pinned is None and preferred_id in position:
            allowed = range(position[preferred_id], len(periods))
        schools.append(
            School(key=pk, cost=cents(cost), priority=priority, group=operator_id, pinned=pinned, allowed=allowed)
        )
    optimiser_periods = [
        Period(cap=None if period.budget_cap is None else cents(period.budget_cap), label=period.label)
        for period in periods
    ]
    return optimiser_periods, schools


def _set_progress(version_id: int, percent: int) -> None:
    RolloutVersion.objects.filter(pk=version_id, status=RolloutVersion.Status.OPTIMISING).update(
        progress=max(0, min(100, percent))
    )


def _fail(version_id: int, message: str) -> RolloutVersion:
    with transaction.atomic():
        version = RolloutVersion.objects.select_for_update().get(pk=version_id)
        if version.status == RolloutVersion.Status.OPTIMISING:
            version.status = RolloutVersion.Status.DRAFT
            version.progress = 0
            version.error = message[:2000]
            version.save(update_fields=["status", "progress", "error"])
            audit.record(
                actor=OPTIMISER_ACTOR,
                action="optimise_failed",
                instance=version,
                before={"status": RolloutVersion.Status.OPTIMISING},
                after={"status": version.status, "error": version.error},
            )
    return version


def version_optimise_run(*, version_id: int) -> RolloutVersion:
    """Run the optimiser on a version handed over by ``plan_optimise`` (the task calls this).
    Progress is written outside any long transaction, so the page that polls it sees it move;
    the result is written in one transaction."""
    from ..optimizer import plan_rollout

    version = RolloutVersion.objects.select_related("plan").get(pk=version_id)
    if version.status != RolloutVersion.Status.OPTIMISING:
        return version
    plan = version.plan
    _set_progress(version_id, 2)
    periods = list(plan.periods.order_by("position"))

    def progress(stage: str, fraction: float) -> None:
        _set_progress(version_id, 5 + int(fraction * 90))

    try:
        if not periods:
            raise ValidationError(_("The plan has no years or waves."))
        _check_pins(version, periods)
        optimiser_periods, schools = _optimiser_inputs(version, periods)
        result = plan_rollout(
            optimiser_periods,
            schools,
            max_periods_per_group=plan.max_periods_per_operator,
            relative_gap=float(plan.relative_gap),
            time_limit=float(plan.time_limit_seconds),
            progress=progress,
        )
    except ValidationError as error:
        return _fail(version_id, " ".join(error.messages))
    except Exception as error:  # noqa: BLE001 - any failure is shown on the version's page
        return _fail(version_id, _("The optimiser failed: %(error)s") % {"error": error})
    if result.status in ("infeasible", "unbounded", "error"):
        return _fail(
            version_id,
            _("The optimiser found no plan (%(status)s): %(message)s")
            % {
                "status": result.status,
                "message": result.message,
            },
        )
    return _store_result(version_id, periods, result)


def _store_result(version_id: int, periods: list[RolloutPeriod], result) -> RolloutVersion:
    with transaction.atomic():
        version = RolloutVersion.objects.select_for_update(of=("self",)).select_related("plan").get(pk=version_id)
        if version.status != RolloutVersion.Status.OPTIMISING:
            return version
        groups: dict[tuple[int | None, str], list[int]] = defaultdict(list)
        for key, index in result.assignment.items():
            period_id = periods[index].pk if index is not None else None
            groups[(period_id, "" if index is not None else result.reasons.get(key, ""))].append(key)
        for (period_id, reason), keys in groups.items():
            for start in range(0, len(keys), 2000):
                RolloutEntry.objects.filter(pk__in=keys[start : start + 2000]).update(
                    period_id=period_id, reason=reason
                )
        left_out: dict[str, int] = defaultdict(int)
        for reason in result.reasons.values():
            left_out[reason] += 1
        version.solver = {
            "status": result.status,
            "mip_gap": result.mip_gap,
            "objective": result.objective,
            "dual_bound": result.dual_bound,
            "seconds": round(result.seconds, 3),
            "build_seconds": round(result.build_seconds, 3),
            "solve_seconds": round(result.solve_seconds, 3),
            "method": result.method,
            "message": result.message,
            "relative_gap": str(version.plan.relative_gap),
            "time_limit_seconds": version.plan.time_limit_seconds,
            "max_periods_per_operator": version.plan.max_periods_per_operator,
            "schools": len(result.assignment),
            "planned": sum(1 for index in result.assignment.values() if index is not None),
            "left_out": dict(sorted(left_out.items())),
            "periods": [
                {
                    "label": summary.label,
                    "schools": summary.schools,
                    "cost": str(from_cents(summary.cost)),
                    "cap": None if summary.cap is None else str(from_cents(summary.cap)),
                    "remaining": None if summary.remaining is None else str(from_cents(summary.remaining)),
                }
                for summary in result.periods
            ],
            "finished_at": timezone.now().isoformat(),
        }
        version.status = RolloutVersion.Status.DRAFT
        version.progress = 100
        version.error = ""
        version.save(update_fields=["solver", "status", "progress", "error"])
        audit.record(
            actor=OPTIMISER_ACTOR,
            action="optimised",
            instance=version,
            before={"status": RolloutVersion.Status.OPTIMISING},
            after={
                "status": version.status,
                "solver_status": result.status,
                "mip_gap": result.mip_gap,
                "planned": version.solver["planned"],
                "left_out": version.solver["left_out"],
                "entries_sha256": _entries_digest(version),
            },
        )
    return version


# --- adjusting by hand ----------------------------------------------------------------------------


def _locked_draft_entry(entry: RolloutEntry) -> RolloutEntry:
    version = RolloutVersion.objects.select_for_update(of=("self",)).select_related("plan").get(pk=entry.version_id)
    entry = RolloutEntry.objects.select_for_update().get(pk=entry.pk)
    entry.version = version
    return entry


@transaction.atomic
def entry_move(*, actor, entry: RolloutEntry, period: RolloutPeriod | None, pin: bool = False) -> RolloutEntry:
    """Put a school of a draft into ``period`` (pinned there when ``pin``: the optimiser keeps it),
    or take it out of the plan (``period`` None: the optimiser leaves it out too)."""
    entry = _locked_draft_entry(entry)
    authorize(actor, Action.CHANGE, entry)
    _require_draft(entry.version)
    if period is not None and period.plan_id != entry.version.plan_id:
        raise ValidationError({"period": _("That year or wave belongs to another plan.")})
    if period is None and pin:
        raise ValidationError({"is_pinned": _("A school taken out of the plan cannot be pinned.")})
    fields = ["period", "is_pinned", "reason"]
    before = audit.snapshot(entry, fields)
    entry.period = period
    entry.is_pinned = bool(pin and period is not None)
    entry.reason = "" if period is not None else RolloutEntry.Reason.BY_HAND
    entry.save(update_fields=fields)
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(entry, fields))
    if changed_after:
        audit.record(actor=actor, action="move", instance=entry, before=changed_before, after=changed_after)
    return entry


@transaction.atomic
def entry_update(*, actor, entry: RolloutEntry, data: dict[str, Any]) -> RolloutEntry:
    """Change a draft entry's cost, readiness or preferred period; the priority follows when the
    plan's priority comes from readiness or the operator's preference."""
    entry = _locked_draft_entry(entry)
    authorize(actor, Action.CHANGE, entry)
    _require_draft(entry.version)
    plan = entry.version.plan

    def check(instance: RolloutEntry) -> None:
        errors = {}
        if instance.cost is None or instance.cost < 0:
            errors["cost"] = _("The cost is an amount of at least 0.")
        if instance.readiness is not None and not 0 <= instance.readiness <= 100:
            errors["readiness"] = _("Readiness runs from 0 to 100.")
        if instance.preferred_period is not None and instance.preferred_period.plan_id != plan.pk:
            errors["preferred_period"] = _("That year or wave belongs to another plan.")
        if errors:
            raise ValidationError(errors)
        if plan.priority_source in (
            RolloutPlan.PrioritySource.READINESS,
            RolloutPlan.PrioritySource.OPERATOR_PREFERENCE,
        ):
            instance.priority = priority_for(
                plan, readiness=instance.readiness, has_preference=instance.preferred_period_id is not None
            )

    return update_audited(actor=actor, instance=entry, data=data, allowed=ENTRY_FIELDS, check=check)


# --- adopting and copying -------------------------------------------------------------------------


def over_cap(version: RolloutVersion) -> list[tuple[RolloutPeriod, Decimal]]:
    """The periods whose planned schools cost more than the cap, with that cost."""
    costs = dict(
        RolloutEntry.objects.filter(version=version, period__isnull=False)
        .values("period")
        .annotate(total=Sum("cost"))
        .values_list("period", "total")
    )
    return [
        (period, costs[period.pk])
        for period in version.plan.periods.order_by("position")
        if period.budget_cap is not None and costs.get(period.pk, 0) > period.budget_cap
    ]


@transaction.atomic
def version_adopt(*, actor, version: RolloutVersion) -> RolloutVersion:
    """Make a draft the plan in force; the version in force until now is superseded. Refused when
    a year's or wave's planned cost exceeds its cap."""
    plan = RolloutPlan.objects.select_for_update().get(pk=version.plan_id)
    version = RolloutVersion.objects.select_for_update(of=("self",)).select_related("plan").get(pk=version.pk)
    authorize(actor, Action.CHANGE, version)
    _require_draft(version)
    problems = [
        _("%(period)s: the planned schools cost EUR %(cost)s, more than its cap of EUR %(cap)s.")
        % {"period": period.label, "cost": euros(cost), "cap": euros(period.budget_cap)}
        for period, cost in over_cap(version)
    ]
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    for previous in RolloutVersion.objects.select_for_update().filter(plan=plan, status=RolloutVersion.Status.ADOPTED):
        authorize(actor, Action.CHANGE, previous)
        previous.status = RolloutVersion.Status.SUPERSEDED
        previous.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="supersede",
            instance=previous,
            before={"status": RolloutVersion.Status.ADOPTED},
            after={"status": previous.status, "superseded_by": version.number},
        )
    version.status = RolloutVersion.Status.ADOPTED
    version.adopted_at = now
    version.save(update_fields=["status", "adopted_at"])
    audit.record(
        actor=actor,
        action="adopt",
        instance=version,
        before={"status": RolloutVersion.Status.DRAFT},
        after={"status": version.status, "adopted_at": now.isoformat(), "entries_sha256": _entries_digest(version)},
    )
    return version


@transaction.atomic
def version_copy(*, actor, version: RolloutVersion, note: str = "") -> RolloutVersion:
    """A new draft with the same entries as ``version``, whatever its status: adjusting the plan
    in force by hand, or a change request, starts from such a copy. (The optimiser writes its
    result in one transaction, so a version it works on copies as it was before; should a worker
    die, a copy is the way on.)"""
    plan = RolloutPlan.objects.select_for_update().get(pk=version.plan_id)
    source = RolloutVersion.objects.get(pk=version.pk)
    authorize(actor, Action.VIEW, source)
    copy = RolloutVersion(
        plan=plan,
        number=_next_number(plan),
        status=RolloutVersion.Status.DRAFT,
        note=note or _("Copy of version %(number)s") % {"number": source.number},
        created_by=_user_or_none(actor),
        created_at=timezone.now(),
    )
    authorize(actor, Action.ADD, copy)
    copy.save()
    fields = ["school", "period", "cost", "priority", "readiness", "preferred_period", "is_pinned", "reason"]
    rows = (
        (copy.pk, *values)
        for values in RolloutEntry.objects.filter(version=source)
        .order_by("pk")
        .values_list(
            "school_id", "period_id", "cost", "priority", "readiness", "preferred_period_id", "is_pinned", "reason"
        )
    )
    count = bulk_insert(RolloutEntry, ["version", *fields], rows)
    audit.record(
        actor=actor,
        action="copy",
        instance=copy,
        after={
            "plan": plan.code,
            "number": copy.number,
            "copied_from": source.number,
            "entries": count,
            "entries_sha256": _entries_digest(copy),
        },
    )
    return copy


__all__ = [
    "entry_move",
    "entry_update",
    "over_cap",
    "plan_create",
    "plan_optimise",
    "plan_update",
    "plan_version_build",
    "priority_for",
    "version_adopt",
    "version_copy",
    "version_optimise_run",
]
