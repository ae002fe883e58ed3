"""Change requests to a roll-out plan: operator staff file one (move a school to another year or wave,
or change its amount), a funding administrator puts it on a committee's agenda and records the
committee's decision. An approval adopts a new plan version at once: a copy of the version in force
with the change applied; the old version is superseded.

Every step locks the request's row first, so two decisions cannot both land; every step writes an
audit event. Checks come before writes, and each service is one transaction: a refusal writes nothing.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize

from ..models import ChangeRequest, RolloutEntry, RolloutPeriod, RolloutPlan, RolloutVersion

OPEN_STATUSES = (ChangeRequest.Status.SUBMITTED, ChangeRequest.Status.ON_AGENDA)
DECIDED_STATUSES = (ChangeRequest.Status.APPROVED, ChangeRequest.Status.REJECTED)
SCHEDULE_FIELDS = ["status", "committee", "meeting_date", "scheduled_by"]
DECISION_FIELDS = ["status", "decided_on", "minutes_reference", "decision_note", "decided_by", "resulting_version"]
ENTRY_COPY_FIELDS = [
    "school_id",
    "period_id",
    "cost",
    "priority",
    "readiness",
    "preferred_period_id",
    "is_pinned",
    "reason",
]


def version_in_force(plan: RolloutPlan) -> RolloutVersion | None:
    return RolloutVersion.objects.filter(plan=plan, status=RolloutVersion.Status.ADOPTED).first()


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def change_request_file(
    *,
    actor,
    plan: RolloutPlan,
    school,
    kind: str,
    justification: str,
    requested_period: RolloutPeriod | None = None,
    requested_cost: Decimal | None = None,
) -> ChangeRequest:
    """File a request for a school of the plan in force: a move names another year or wave of the
    same plan, an amount change a new amount of at least zero."""
    change_request = ChangeRequest(plan=plan, school=school, kind=kind)
    authorize(actor, Action.ADD, change_request)
    if _user_or_none(actor) is None:
        raise ValidationError(_("A change request is filed by a person, not by the system."))
    version = version_in_force(plan)
    if version is None:
        raise ValidationError({"plan": _("This plan has no version in force yet: there is nothing to change.")})
    entry = RolloutEntry.objects.filter(version=version, school=school).select_related("period").first()
    if entry is None:
        raise ValidationError({"school": _("This school is not in the version of the plan in force.")})

    errors: dict[str, str] = {}
    justification = (justification or "").strip()
    if not justification:
        errors["justification"] = _("Explain why the change is needed.")
    if kind == ChangeRequest.Kind.MOVE:
        requested_cost = None
        if requested_period is None:
            errors["requested_period"] = _("Choose the year or wave the school should move to.")
        elif requested_period.plan_id != plan.pk:
            errors["requested_period"] = _("This year or wave belongs to another plan.")
        elif requested_period.pk == entry.period_id:
            errors["requested_period"] = _("The school is already planned in %(period)s.") % {
                "period": requested_period.label
            }
    elif kind == ChangeRequest.Kind.AMOUNT:
        requested_period = None
        if requested_cost is None:
            errors["requested_cost"] = _("Enter the amount the school should receive.")
        elif requested_cost < 0:
            errors["requested_cost"] = _("The amount cannot be negative.")
        elif requested_cost == entry.cost:
            errors["requested_cost"] = _("The school's amount is already EUR %(amount)s.") % {"amount": entry.cost}
    else:
        errors["kind"] = _("Choose whether the school moves or its amount changes.")
    if errors:
        raise ValidationError(errors)

    change_request.justification = justification
    change_request.requested_period = requested_period
    change_request.requested_cost = requested_cost
    change_request.requested_by = actor
    change_request.requested_at = timezone.now()
    change_request.full_clean()
    change_request.save()
    after = audit.snapshot(change_request)
    # What the school had when the request was filed: the decision is read against it.
    after.update(current_version=version.number, current_period=entry.period_id, current_cost=entry.cost)
    audit.record(actor=actor, action="create", instance=change_request, after=after)
    return change_request


def _locked(change_request: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update().get(pk=change_request.pk)


@transaction.atomic
def change_request_withdraw(*, actor, change_request: ChangeRequest) -> ChangeRequest:
    """The operator takes back a request that is not decided yet. Who may file a request for the
    school (the same operator's staff) may withdraw it."""
    change_request = _locked(change_request)
    authorize(actor, Action.ADD, change_request)
    if change_request.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Only a request that is not decided yet can be withdrawn; this one is: %(status)s.")
            % {"status": change_request.get_status_display()}
        )
    before = change_request.status
    change_request.status = ChangeRequest.Status.WITHDRAWN
    change_request.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="withdraw",
        instance=change_request,
        before={"status": before},
        after={"status": "withdrawn"},
    )
    return change_request


@transaction.atomic
def change_request_schedule(
    *, actor, change_request: ChangeRequest, committee: str, meeting_date: datetime.date | None
) -> ChangeRequest:
    """Put the request on a committee's agenda, or move it to another meeting while undecided."""
    change_request = _locked(change_request)
    authorize(actor, Action.CHANGE, change_request)
    if change_request.status not in OPEN_STATUSES:
        raise ValidationError(
            _("This request is no longer open (%(status)s): it cannot be put on an agenda.")
            % {"status": change_request.get_status_display()}
        )
    errors: dict[str, str] = {}
    committee = (committee or "").strip()
    if not committee:
        errors["committee"] = _("Name the committee that will decide.")
    if meeting_date is None:
        errors["meeting_date"] = _("Enter the date of the meeting.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(change_request, SCHEDULE_FIELDS)
    change_request.status = ChangeRequest.Status.ON_AGENDA
    change_request.committee = committee
    change_request.meeting_date = meeting_date
    change_request.scheduled_by = _user_or_none(actor)
    change_request.full_clean()
    change_request.save(update_fields=SCHEDULE_FIELDS)
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(change_request, SCHEDULE_FIELDS))
    audit.record(actor=actor, action="schedule", instance=change_request, before=changed_before, after=changed_after)
    return change_request


def _check_decision(change_request: ChangeRequest, decision: str, decided_on, minutes_reference: str) -> None:
    if change_request.status in DECIDED_STATUSES:
        # A decided request has its date (check constraint change_request_decision_recorded).
        assert change_request.decided_on is not None
        raise ValidationError(
            _("This request was already decided (%(status)s on %(date)s, minutes %(reference)s).")
            % {
                "status": change_request.get_status_display(),
                "date": change_request.decided_on.isoformat(),
                "reference": change_request.minutes_reference,
            }
        )
    if change_request.status == ChangeRequest.Status.WITHDRAWN:
        raise ValidationError(_("This request was withdrawn: there is nothing to decide."))
    if change_request.status != ChangeRequest.Status.ON_AGENDA:
        raise ValidationError(_("Put the request on a committee's agenda before recording the decision."))
    errors: dict[str, str] = {}
    if decision not in DECIDED_STATUSES:
        errors["decision"] = _("Choose whether the committee approved or rejected the request.")
    if decided_on is None:
        errors["decided_on"] = _("Enter the date of the decision.")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("The date of the decision cannot be in the future.")
    elif change_request.meeting_date is not None and decided_on < change_request.meeting_date:
        errors["decided_on"] = _(
            "The decision cannot be dated before the committee's meeting (%(date)s): the committee decides at or after it."
        ) % {"date": change_request.meeting_date.isoformat()}
    elif decided_on < timezone.localdate(change_request.requested_at):
        errors["decided_on"] = _("The decision cannot be dated before the request was filed (%(date)s).") % {
            "date": timezone.localdate(change_request.requested_at).isoformat()
        }
    if not minutes_reference:
        errors["minutes_reference"] = _("Enter the reference of the committee's minutes.")
    if errors:
        raise ValidationError(errors)


def over_cap_loads(change_request: ChangeRequest) -> list:
    """The years or waves an approval would put over their budget cap, or further over it: those
    whose planned cost grows with the change and ends above the cap (``PeriodLoad`` rows)."""
    from ..selectors.change_requests import change_request_effect, entry_in_force

    return [
        load
        for load in change_request_effect(change_request, entry_in_force(change_request))
        if load.period.budget_cap is not None and load.after > load.planned and load.after > load.period.budget_cap
    ]


def over_cap_message(loads) -> str:
    """The warning an approval over a cap needs confirmed, naming each year, its total and its cap."""
    years = "; ".join(
        _("%(period)s: EUR %(after)s against a cap of EUR %(cap)s")
        % {
            "period": load.period.label,
            "after": number_format(load.after, 2, force_grouping=True),
            "cap": number_format(load.period.budget_cap, 2, force_grouping=True),
        }
        for load in loads
    )
    return _(
        "Approving this request puts the plan over its budget cap (%(years)s). "
        "Confirm that the committee approved it over the cap."
    ) % {"years": years}


def _adopt_change(*, actor, change_request: ChangeRequest) -> RolloutVersion:
    """Copy the version in force with the change applied into the next version number, adopt it and
    supersede the old one. The plan's versions are locked, so the numbering and the one version in
    force hold against concurrent adoptions."""
    versions = list(RolloutVersion.objects.select_for_update().filter(plan_id=change_request.plan_id).order_by("pk"))
    in_force = next((version for version in versions if version.status == RolloutVersion.Status.ADOPTED), None)
    if in_force is None:
        raise ValidationError(_("The plan has no version in force any more: the change cannot be applied."))
    entries = list(RolloutEntry.objects.filter(version=in_force).order_by("pk"))
    changed = next((entry for entry in entries if entry.school_id == change_request.school_id), None)
    if changed is None:
        raise ValidationError(
            _("The school is no longer in the version of the plan in force (version %(number)s): reject the request.")
            % {"number": in_force.number}
        )
    before_entry = {"period": changed.period_id, "cost": changed.cost, "is_pinned": changed.is_pinned}
    if change_request.kind == ChangeRequest.Kind.MOVE:
        # The committee's year is pinned, so a later optimisation keeps it.
        changed.period_id = change_request.requested_period_id
        changed.is_pinned = True
        changed.reason = RolloutEntry.Reason.NONE
    else:
        # A change of the amount names the amount (check constraint change_request_kind_has_value).
        assert change_request.requested_cost is not None
        changed.cost = change_request.requested_cost
    after_entry = {"period": changed.period_id, "cost": changed.cost, "is_pinned": changed.is_pinned}

    now = timezone.now()
    note = _("Change request #%(number)s") % {"number": change_request.pk}
    try:
        with transaction.atomic():
            in_force.status = RolloutVersion.Status.SUPERSEDED
            in_force.save(update_fields=["status"])
            adopted = RolloutVersion.objects.create(
                plan_id=change_request.plan_id,
                number=max(version.number for version in versions) + 1,
                status=RolloutVersion.Status.ADOPTED,
                note=note,
                created_by=_user_or_none(actor),
                created_at=now,
                adopted_at=now,
            )
            RolloutEntry.objects.bulk_create(
                RolloutEntry(version=adopted, **{name: getattr(entry, name) for name in ENTRY_COPY_FIELDS})
                for entry in entries
            )
    except IntegrityError:
        # Another version was adopted or numbered at the same moment.
        raise ValidationError(_("The plan changed at the same moment; record the decision again.")) from None
    audit.record_many(
        actor=actor,
        changes=[
            audit.change_for(
                "supersede",
                in_force,
                before={"status": RolloutVersion.Status.ADOPTED},
                after={"status": RolloutVersion.Status.SUPERSEDED, "superseded_by": adopted.number},
            ),
            audit.change_for(
                "adopt",
                adopted,
                after={
                    "number": adopted.number,
                    "status": adopted.status,
                    "note": note,
                    "copied_from": in_force.number,
                    "entries": len(entries),
                    "change_request": change_request.pk,
                    "school": change_request.school_id,
                    "before": before_entry,
                    "after": after_entry,
                },
            ),
        ],
    )
    return adopted


@transaction.atomic
def change_request_decide(
    *,
    actor,
    change_request: ChangeRequest,
    decision: str,
    decided_on: datetime.date | None,
    minutes_reference: str,
    decision_note: str = "",
    accept_over_cap: bool = False,
) -> ChangeRequest:
    """Record the committee's decision (``approved`` or ``rejected``) with its date and the reference
    of the minutes. An approval adopts a new plan version with the change, linked as ``resulting_version``.

    The decision is dated neither before the committee's meeting nor in the future. An approval
    that puts a year or wave over its budget cap (or further over it) is refused with the warning
    (key ``accept_over_cap``) unless ``accept_over_cap`` confirms it; the audit event then records
    the years over their cap."""
    change_request = _locked(change_request)
    authorize(actor, Action.CHANGE, change_request)
    minutes_reference = (minutes_reference or "").strip()
    _check_decision(change_request, decision, decided_on, minutes_reference)
    before = audit.snapshot(change_request, DECISION_FIELDS)
    over_cap = []
    if decision == ChangeRequest.Status.APPROVED:
        # Lock the plan's versions before reading the loads: two approvals of one plan then check
        # the caps one after the other, each against the version the other adopted.
        list(RolloutVersion.objects.select_for_update().filter(plan_id=change_request.plan_id).values_list("pk"))
        over_cap = over_cap_loads(change_request)
        if over_cap and not accept_over_cap:
            raise ValidationError({"accept_over_cap": over_cap_message(over_cap)}, code="over_cap")
        change_request.resulting_version = _adopt_change(actor=actor, change_request=change_request)
    change_request.status = decision
    change_request.decided_on = decided_on
    change_request.minutes_reference = minutes_reference
    change_request.decision_note = (decision_note or "").strip()
    change_request.decided_by = _user_or_none(actor)
    change_request.full_clean()
    change_request.save(update_fields=DECISION_FIELDS)
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(change_request, DECISION_FIELDS))
    if over_cap:
        changed_after["over_cap"] = {
            load.period.label: {"after": str(load.after), "cap": str(load.period.budget_cap)} for load in over_cap
        }
    action = "approve" if decision == ChangeRequest.Status.APPROVED else "reject"
    audit.record(actor=actor, action=action, instance=change_request, before=changed_before, after=changed_after)
    return change_request
