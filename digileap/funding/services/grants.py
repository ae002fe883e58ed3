"""The grant an approval creates, and what an amendment changes in it.

``grant_create`` (called by ``services.review.application_decide``, inside its transaction):
- the ``Grant`` numbered ``<call code>-<operator code>-<application number>``, one ``GrantLine``
  per cost line with the funding the decision approved;
- ONE commitment in the programme's ledger (``programmes.services.funding_transaction_record``:
  kind committed, the approved total, the decision's day, the grant number as reference, the
  school when every line is for one school), linked as ``Grant.commitment``, so "committed" moves
  on the programme's dashboard and public page;
- the grant's ``ProofOfUse``, due on the call's proof-of-use deadline;
- the application's schools in the programme's roll-out plan for the application's roll-out year
  (``place_in_rollout``), through the allocation app's services. When the year would go over its
  budget cap, or the programme has no such plan or year, the approval still stands and
  ``Grant.rollout_note`` says what happened.

``grant_amend``: the grant's lines and amount follow decision n+1, and the difference is recorded
as a further commitment (negative when funding is released).
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.allocation.models import RolloutEntry, RolloutPeriod, RolloutPlan, RolloutVersion
from digileap.allocation.services import plans as plan_services
from digileap.core import audit
from digileap.core.formatting import format_money
from digileap.core.permissions import Action, authorize
from digileap.core.services import create_audited
from digileap.programmes.models import FundingTransaction
from digileap.programmes.services import funding_transaction_record

from ..models import Application, Decision, Grant, GrantEvent, GrantLine, ProofOfUse, ProofState


def grant_number(application: Application) -> str:
    return f"{application.call.code}-{application.operator.code}-{application.number}"


def _single_school(plans):
    schools = {plan.cost_line.school_id for plan in plans}
    if len(schools) == 1 and None not in schools:
        return plans[0].cost_line.school
    return None


def _event(*, grant: Grant, actor, from_state: str, to_state: str, reason: str = "") -> GrantEvent:
    from digileap.core.audit import _actor_fields

    actor_id, actor_label = _actor_fields(actor)
    return GrantEvent.objects.create(
        grant=grant,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor_id,
        actor_label=actor_label,
        occurred_at=timezone.now(),
        reason=reason,
    )


@transaction.atomic
def grant_create(*, actor, decision: Decision, plans) -> Grant:
    """The grant of an approved decision with its lines, commitment, proof of use and roll-out note."""
    application = decision.application
    call = application.call
    number = grant_number(application)
    grant = Grant(
        application=application,
        call=call,
        operator=application.operator,
        number=number,
        decision=decision,
        approved_amount=decision.approved_total,
        created_at=timezone.now(),
    )
    authorize(actor, Action.ADD, grant)
    if Grant.objects.filter(call=call, number=number).exists():
        raise ValidationError(_("The call has a grant numbered %(number)s already.") % {"number": number})
    grant.commitment = funding_transaction_record(
        actor=actor,
        programme=call.programme,
        source=call.funding_source,
        kind=FundingTransaction.Kind.COMMITTED,
        amount=decision.approved_total,
        date=timezone.localdate(decision.decided_at),
        school=_single_school(plans),
        reference=number,
    )
    grant.save()
    GrantLine.objects.bulk_create(
        GrantLine(
            grant=grant,
            cost_line=plan.cost_line,
            category_id=plan.cost_line.category_id,
            school_id=plan.cost_line.school_id,
            position=plan.cost_line.position,
            description=plan.cost_line.description,
            amount=plan.cost_line.amount,
            approved=plan.approved,
        )
        for plan in plans
    )
    proof = ProofOfUse.objects.create(grant=grant, state=ProofState.DUE, due_on=call.proof_of_use_deadline)
    _event(grant=grant, actor=actor, from_state="", to_state="granted", reason=decision.reason)
    grant.rollout_note = place_in_rollout(actor=actor, application=application, plans=plans)
    grant.save(update_fields=["rollout_note"])
    audit.record(actor=actor, action="create", instance=grant, after=audit.snapshot(grant))
    audit.record(actor=actor, action="create", instance=proof, after=audit.snapshot(proof))
    return grant


@transaction.atomic
def grant_amend(*, actor, grant: Grant, decision: Decision, plans) -> Grant:
    """Make the grant follow decision ``decision`` (an amendment): lines, amount, and the
    difference as a further commitment."""
    grant = Grant.objects.select_for_update().select_related("call__programme", "call__funding_source").get(pk=grant.pk)
    authorize(actor, Action.CHANGE, grant)
    before = {"approved_amount": str(grant.approved_amount), "decision": grant.decision_id}
    difference = decision.approved_total - grant.approved_amount
    lines = {line.cost_line_id: line for line in GrantLine.objects.select_for_update().filter(grant=grant)}
    for plan in plans:
        line = lines[plan.cost_line.pk]
        if line.approved != plan.approved:
            line.approved = plan.approved
            line.save(update_fields=["approved"])
    if difference:
        funding_transaction_record(
            actor=actor,
            programme=grant.call.programme,
            source=grant.call.funding_source,
            kind=FundingTransaction.Kind.COMMITTED,
            amount=difference,
            date=timezone.localdate(decision.decided_at),
            school=_single_school(plans),
            reference=f"{grant.number}/D{decision.number}",
        )
    grant.approved_amount = decision.approved_total
    grant.decision = decision
    grant.save(update_fields=["approved_amount", "decision"])
    _event(
        grant=grant,
        actor=actor,
        from_state=f"D{decision.number - 1}",
        to_state=f"D{decision.number}",
        reason=decision.reason,
    )
    audit.record(
        actor=actor,
        action="amend",
        instance=grant,
        before=before,
        after={"approved_amount": str(grant.approved_amount), "decision": decision.pk, "difference": str(difference)},
    )
    return grant


# The roll-out plan.


def _period_for(application: Application) -> tuple[RolloutPlan | None, RolloutPeriod | None, str]:
    """The programme's plan with a year labelled as the application's roll-out year, or why none."""
    year = application.rollout_year
    programme = application.call.programme
    if not year:
        return None, None, _("The application names no roll-out year: no roll-out plan was changed.")
    plans = list(RolloutPlan.objects.filter(programme=programme).order_by("code"))
    if not plans:
        return (
            None,
            None,
            _("The programme has no roll-out plan: the schools were not planned for %(year)s.") % {"year": year},
        )
    period = (
        RolloutPeriod.objects.filter(plan__in=plans, label=str(year))
        .select_related("plan")
        .order_by("plan__code")
        .first()
    )
    if period is None:
        return (
            None,
            None,
            _("The programme's roll-out plan %(plan)s has no year %(year)s: the schools were not planned.")
            % {
                "plan": plans[0].code,
                "year": year,
            },
        )
    return period.plan, period, ""


def place_in_rollout(*, actor, application: Application, plans) -> str:
    """Put the application's schools into its roll-out year of the programme's plan in force (a
    copy of the version in force with the schools pinned to that year, adopted when no year goes
    over its cap). Returns the note for the grant; never refuses the approval."""
    plan, period, note = _period_for(application)
    if plan is None or period is None:  # both or neither
        return note
    in_force = RolloutVersion.objects.filter(plan=plan, status=RolloutVersion.Status.ADOPTED).first()
    if in_force is None:
        return _("The roll-out plan %(plan)s has no version in force: the schools were not planned for %(year)s.") % {
            "plan": plan.code,
            "year": period.label,
        }
    school_ids = list(application.application_schools.values_list("school_id", flat=True))
    planned = set(
        RolloutEntry.objects.filter(version=in_force, school_id__in=school_ids, period=period).values_list(
            "school_id", flat=True
        )
    )
    if set(school_ids) <= planned:
        return _("The schools are planned for %(year)s in the roll-out plan %(plan)s already.") % {
            "year": period.label,
            "plan": plan.code,
        }
    approved_by_school: dict[int, Decimal] = {}
    for line_plan in plans:
        if line_plan.cost_line.school_id:
            school_id = line_plan.cost_line.school_id
            approved_by_school[school_id] = approved_by_school.get(school_id, Decimal("0.00")) + line_plan.approved
    label = _("Funding application %(number)s") % {"number": grant_number(application)}
    try:
        with transaction.atomic():
            draft = plan_services.version_copy(actor=actor, version=in_force, note=label)
            entries = {
                entry.school_id: entry for entry in RolloutEntry.objects.filter(version=draft, school_id__in=school_ids)
            }
            for school_id in school_ids:
                entry = entries.get(school_id)
                if entry is None:
                    create_audited(
                        actor=actor,
                        instance=RolloutEntry(
                            version=draft,
                            school_id=school_id,
                            period=period,
                            cost=approved_by_school.get(school_id, Decimal("0.00")),
                            is_pinned=True,
                        ),
                    )
                else:
                    if entry.period_id != period.pk or not entry.is_pinned:
                        entry = plan_services.entry_move(actor=actor, entry=entry, period=period, pin=True)
                    # The plan's estimate gives way to the funding granted for the school.
                    if school_id in approved_by_school and entry.cost != approved_by_school[school_id]:
                        plan_services.entry_update(
                            actor=actor, entry=entry, data={"cost": approved_by_school[school_id]}
                        )
            over = [
                (over_period, cost)
                for over_period, cost in plan_services.over_cap(draft)
                if over_period.pk == period.pk
            ]
            if over:
                cost = over[0][1]
                return _(
                    "%(year)s would go over its budget cap in the roll-out plan %(plan)s (EUR %(cost)s planned against "
                    "a cap of EUR %(cap)s): the schools were put into draft version %(version)s, which was not adopted."
                ) % {
                    "year": period.label,
                    "plan": plan.code,
                    "cost": format_money(cost),
                    "cap": format_money(period.budget_cap),
                    "version": draft.number,
                }
            plan_services.version_adopt(actor=actor, version=draft)
    except (ValidationError, PermissionDenied) as error:
        detail = " ".join(error.messages) if isinstance(error, ValidationError) else _("not allowed")
        return _("The schools could not be put into the roll-out plan %(plan)s: %(detail)s") % {
            "plan": plan.code,
            "detail": detail,
        }
    return _("The schools were put into %(year)s of the roll-out plan %(plan)s (version %(version)s is in force).") % {
        "year": period.label,
        "plan": plan.code,
        "version": draft.number,
    }
