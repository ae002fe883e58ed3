"""Writes to proofs of use (Verwendungsnachweis) and repayment claims.

States of a proof of use: ``due → submitted`` (the operator), ``submitted → returned`` (the
authority, with reasons), ``returned → submitted`` (the operator again), ``submitted → accepted``
(the authority). ``accepted`` is final.

Who: the operator side (saving the narrative, submitting) needs ``change`` on the proof of use,
which operator staff of the grant's operator hold (and the authority's roles). The authority side
(checklist, return, accept, repayment claims) needs ``change`` on the grant's **call**, which only
programme owners and funding administrators of the call's authority hold.

Submitting freezes the content prefilled from the grant (``selectors.proofs.proof_content``) with
the narrative as canonical JSON (sorted keys, no spaces, UTF-8) and keeps its SHA-256. Accepting
states the funding found ineligible (with a reason); then not used = approved − used (claims
approved or paid), and if not used + ineligible > 0 a ``RepaymentClaim`` is raised. Accepting
closes the grant. A repayment claim is marked repaid (recorded in the programme's ledger as a
payment with a **negative** amount, reference "<grant> repayment", so "paid" goes down) or waived
(with a reason).

Every change of state appends a ``GrantEvent`` (with ``proof_of_use``) and an audit event. A
transition not allowed, or any bad input, raises ``ValidationError`` and writes nothing.
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.audit import _actor_fields
from digileap.core.formatting import format_money
from digileap.core.permissions import Action, authorize, permits
from digileap.programmes.models import FundingTransaction
from digileap.programmes.services import funding_transaction_record

from ..models import (
    Grant,
    GrantEvent,
    ProofOfUse,
    ProofState,
    RepaymentClaim,
    ReviewAnswer,
    ReviewItem,
    ReviewStage,
)
from ..selectors.grants import grant_totals
from ..selectors.proofs import proof_content
from .applications import content_sha256

P = ProofState
TRANSITIONS: dict[str, frozenset[str]] = {
    P.DUE: frozenset({P.SUBMITTED}),
    P.SUBMITTED: frozenset({P.RETURNED, P.ACCEPTED}),
    P.RETURNED: frozenset({P.SUBMITTED}),
    P.ACCEPTED: frozenset(),
}
# The operator writes and submits in these states.
EDITABLE_STATES = frozenset({P.DUE, P.RETURNED})
# GrantEvent states of a repayment claim (GrantEvent keeps the proof's states and these).
REPAYMENT_EVENT: dict[str, str] = {
    RepaymentClaim.State.OPEN: "repayment_open",
    RepaymentClaim.State.REPAID: "repayment_repaid",
    RepaymentClaim.State.WAIVED: "repayment_waived",
}
# A repayment claim is due this many days after the acceptance, unless the authority says otherwise.
REPAYMENT_DAYS = 30
CENT = Decimal("0.01")


def allowed_next(state: str) -> list[str]:
    following = TRANSITIONS.get(state, frozenset())
    return [value for value in P.values if value in following]


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, frozenset()):
        raise ValidationError(
            {
                "state": [
                    _("A proof of use that is %(current)s cannot become %(new)s.")
                    % {"current": P(current).label.lower(), "new": P(new).label.lower()}
                ]
            }
        )


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _lock(proof: ProofOfUse) -> ProofOfUse:
    return (
        ProofOfUse.objects.select_for_update(of=("self",))
        .select_related("grant__call__programme", "grant__call__funding_source", "grant__operator")
        .get(pk=proof.pk)
    )


def _authorize_operator_side(actor, proof: ProofOfUse) -> None:
    authorize(actor, Action.CHANGE, proof)


def _authorize_authority_side(actor, grant: Grant) -> None:
    if not permits(actor, Action.CHANGE, grant.call):
        raise PermissionDenied("the authority's steps of a proof of use need change on the grant's call")


def _event(*, proof: ProofOfUse, from_state: str, to_state: str, actor, reason: str = "") -> GrantEvent:
    actor_id, actor_label = _actor_fields(actor)
    return GrantEvent.objects.create(
        grant_id=proof.grant_id,
        proof_of_use=proof,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor_id,
        actor_label=actor_label,
        occurred_at=timezone.now(),
        reason=reason,
    )


def _move(*, proof: ProofOfUse, new: str, actor, reason: str = "", fields: dict[str, Any] | None = None) -> GrantEvent:
    """Validate, append the event, set the state and ``fields``, audit. ``proof`` is locked."""
    check_transition(proof.state, new)
    fields = fields or {}
    # The frozen content itself is on the row; the audit keeps its hash.
    audited = [name for name in fields if name != "content"]
    before = {"state": proof.state, **{name: getattr(proof, name) for name in audited}}
    event = _event(proof=proof, from_state=proof.state, to_state=new, actor=actor, reason=reason)
    proof.state = new
    for name, value in fields.items():
        setattr(proof, name, value)
    proof.save(update_fields=["state", *fields])
    after = {"state": new, **{name: fields[name] for name in audited}}
    audit.record(
        actor=actor,
        action="update",
        instance=proof,
        before={key: audit.to_jsonable(value) for key, value in before.items()},
        after={key: audit.to_jsonable(value) for key, value in after.items()},
    )
    return event


def _require_open_grant(proof: ProofOfUse) -> None:
    if proof.grant.closed_at is not None:
        raise ValidationError(_("The grant %(grant)s is closed.") % {"grant": proof.grant.number})


def money_value(value, *, field: str, label: str) -> Decimal:
    """``value`` as an amount in EUR: a number, not negative, at most two decimals."""
    if value is None or value == "":
        return Decimal("0.00")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: [_("%(label)s: %(value)s is not a number.") % {"label": label, "value": value}]}
        ) from None
    if not amount.is_finite():
        raise ValidationError({field: [_("%(label)s: %(value)s is not a number.") % {"label": label, "value": value}]})
    if amount < 0:
        raise ValidationError({field: [_("%(label)s cannot be negative.") % {"label": label}]})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: [_("%(label)s: at most two decimals.") % {"label": label}]})
    return amount.quantize(CENT)


# Opening.


@transaction.atomic
def proof_of_use_open(*, actor, grant: Grant) -> ProofOfUse:
    """The grant's proof of use, created in state due (due on the call's proof-of-use deadline) when
    the grant has none yet, as for grants made before proofs of use existed. Idempotent."""
    grant = Grant.objects.select_for_update().select_related("call").get(pk=grant.pk)
    existing = ProofOfUse.objects.filter(grant=grant).first()
    if existing is not None:
        authorize(actor, Action.VIEW, existing)
        return existing
    proof = ProofOfUse(grant=grant, state=P.DUE, due_on=grant.call.proof_of_use_deadline)
    authorize(actor, Action.ADD, proof)
    try:
        with transaction.atomic():
            proof.save()
    except IntegrityError:
        # Opened at the same moment by someone else: theirs is the one.
        return ProofOfUse.objects.get(grant=grant)
    _event(proof=proof, from_state="", to_state=P.DUE, actor=actor)
    audit.record(actor=actor, action="create", instance=proof, after=audit.snapshot(proof))
    return proof


# The operator's side.


@transaction.atomic
def proof_of_use_save(*, actor, proof: ProofOfUse, narrative: str) -> ProofOfUse:
    """Keep the narrative of a proof of use that is due or returned (no change of state)."""
    proof = _lock(proof)
    _authorize_operator_side(actor, proof)
    if proof.state not in EDITABLE_STATES:
        raise ValidationError(
            _("The proof of use is %(state)s: it can only be changed while due or returned.")
            % {"state": P(proof.state).label.lower()}
        )
    _require_open_grant(proof)
    narrative = (narrative or "").strip()
    if narrative != proof.narrative:
        before = proof.narrative
        proof.narrative = narrative
        proof.save(update_fields=["narrative"])
        audit.record(
            actor=actor, action="update", instance=proof, before={"narrative": before}, after={"narrative": narrative}
        )
    return proof


def frozen_content(proof: ProofOfUse, narrative: str, submitted_at: datetime.datetime) -> dict:
    content = proof_content(proof.grant)
    content["narrative"] = narrative
    content["submission"] = proof.events.filter(to_state=P.SUBMITTED).count() + 1
    content["submitted_at"] = submitted_at.isoformat()
    content["due_on"] = proof.due_on.isoformat() if proof.due_on else None
    return content


@transaction.atomic
def proof_of_use_submit(*, actor, proof: ProofOfUse, narrative: str | None = None) -> ProofOfUse:
    """Freeze the prefilled content with the narrative and submit (due or returned → submitted)."""
    proof = _lock(proof)
    _authorize_operator_side(actor, proof)
    check_transition(proof.state, P.SUBMITTED)
    _require_open_grant(proof)
    narrative = (proof.narrative if narrative is None else narrative or "").strip()
    if not narrative:
        raise ValidationError({"narrative": [_("Write the narrative: what was bought and how it is used.")]})
    now = timezone.now()
    content = frozen_content(proof, narrative, now)
    totals = content["totals"]
    _move(
        proof=proof,
        new=P.SUBMITTED,
        actor=actor,
        fields={
            "narrative": narrative,
            "content": content,
            "sha256": content_sha256(content),
            "spent": Decimal(totals["used"]),
            "unused": Decimal(totals["not_used"]),
            "submitted_at": now,
        },
    )
    return proof


# The authority's side.


def checklist(proof: ProofOfUse) -> list[tuple[ReviewItem, ReviewAnswer | None]]:
    """The call's proof-of-use checklist with this proof's answers."""
    answers = {answer.item_id: answer for answer in proof.review_answers.all()}
    items = ReviewItem.objects.filter(call_id=proof.grant.call_id, stage=ReviewStage.PROOF_OF_USE)
    return [(item, answers.get(item.pk)) for item in items.order_by("position", "id")]


@transaction.atomic
def proof_of_use_answer(*, actor, proof: ProofOfUse, answers: list[dict[str, Any]]) -> list[ReviewAnswer]:
    """Answer items of the call's proof-of-use checklist: ``[{"item": ReviewItem, "answer": "yes",
    "note": ""}, ...]`` (yes, no or not applicable; a note is required for "no"). Only while submitted."""
    proof = _lock(proof)
    _authorize_authority_side(actor, proof.grant)
    if proof.state != P.SUBMITTED:
        raise ValidationError(
            _("The checklist is answered while the proof of use is submitted; it is %(state)s.")
            % {"state": P(proof.state).label.lower()}
        )
    errors: dict[str, list[str]] = {}
    checked = []
    for entry in answers:
        item = entry["item"]
        answer = entry.get("answer") or ""
        note = (entry.get("note") or "").strip()
        key = f"item_{item.pk}"
        if item.call_id != proof.grant.call_id or item.stage != ReviewStage.PROOF_OF_USE:
            errors.setdefault(key, []).append(
                _("%(item)s is not on this call's proof-of-use checklist.") % {"item": item.code}
            )
        elif answer not in ReviewAnswer.Answer.values:
            errors.setdefault(key, []).append(
                _("%(item)s: answer yes, no or not applicable.") % {"item": item.display_text}
            )
        elif answer == ReviewAnswer.Answer.NO and not note:
            errors.setdefault(key, []).append(_("%(item)s: say why in a note.") % {"item": item.display_text})
        else:
            checked.append((item, answer, note))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    saved = []
    for item, answer, note in checked:
        existing = ReviewAnswer.objects.filter(item=item, proof_of_use=proof).first()
        if existing is not None:
            if (existing.answer, existing.note) == (answer, note):
                saved.append(existing)
                continue
            before = {"answer": existing.answer, "note": existing.note}
            existing.answer, existing.note = answer, note
            existing.answered_by, existing.answered_at = _user_or_none(actor), now
            existing.save(update_fields=["answer", "note", "answered_by", "answered_at"])
            audit.record(
                actor=actor, action="update", instance=existing, before=before, after={"answer": answer, "note": note}
            )
            saved.append(existing)
        else:
            created = ReviewAnswer.objects.create(
                item=item,
                proof_of_use=proof,
                answer=answer,
                note=note,
                answered_by=_user_or_none(actor),
                answered_at=now,
            )
            audit.record(actor=actor, action="create", instance=created, after=audit.snapshot(created))
            saved.append(created)
    return saved


@transaction.atomic
def proof_of_use_return(*, actor, proof: ProofOfUse, reason: str) -> ProofOfUse:
    """Return a submitted proof of use to the operator with the reasons (submitted → returned)."""
    proof = _lock(proof)
    _authorize_authority_side(actor, proof.grant)
    check_transition(proof.state, P.RETURNED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say what the operator must change.")]})
    _move(proof=proof, new=P.RETURNED, actor=actor, reason=reason, fields={"decided_at": timezone.now()})
    return proof


@transaction.atomic
def proof_of_use_accept(
    *,
    actor,
    proof: ProofOfUse,
    ineligible: Decimal | str | None = None,
    ineligible_reason: str = "",
    repayment_due_on: datetime.date | None = None,
    reason: str = "",
) -> ProofOfUse:
    """Accept a submitted proof of use, stating any funding found ineligible (with a reason). Not
    used = approved − used; if not used + ineligible > 0 a repayment claim is raised. The grant is
    closed."""
    proof = _lock(proof)
    grant = Grant.objects.select_for_update().select_related("call__programme").get(pk=proof.grant_id)
    _authorize_authority_side(actor, grant)
    check_transition(proof.state, P.ACCEPTED)
    _require_open_grant(proof)
    ineligible_amount = money_value(ineligible, field="ineligible", label=_("Funding found ineligible"))
    ineligible_reason = (ineligible_reason or "").strip()
    missing = [item.display_text for item, answer in checklist(proof) if answer is None]
    if missing:
        raise ValidationError(
            {"__all__": [_("Answer the checklist first: %(items)s.") % {"items": "; ".join(missing)}]}
        )
    totals = grant_totals(grant)
    approved, used, not_used = totals["approved"], totals["used"], totals["not_used"]
    if ineligible_amount > used:
        raise ValidationError(
            {
                "ineligible": [
                    _(
                        "Funding found ineligible, EUR %(ineligible)s, is more than the funding used, EUR %(used)s "
                        "(approved EUR %(approved)s, not used EUR %(not_used)s)."
                    )
                    % {
                        "ineligible": format_money(ineligible_amount),
                        "used": format_money(used),
                        "approved": format_money(approved),
                        "not_used": format_money(not_used),
                    }
                ]
            }
        )
    if ineligible_amount > 0 and not ineligible_reason:
        raise ValidationError({"ineligible_reason": [_("Say why the funding is ineligible.")]})
    today = timezone.localdate()
    if repayment_due_on is not None and repayment_due_on < today:
        raise ValidationError({"repayment_due_on": [_("The repayment cannot be due before today.")]})
    now = timezone.now()
    _move(
        proof=proof,
        new=P.ACCEPTED,
        actor=actor,
        reason=(reason or "").strip() or ineligible_reason,
        fields={"spent": used, "unused": not_used, "ineligible": ineligible_amount, "decided_at": now},
    )
    repayment = not_used + ineligible_amount
    if repayment > 0:
        parts = []
        if not_used > 0:
            parts.append(_("Not used: EUR %(amount)s.") % {"amount": format_money(not_used)})
        if ineligible_amount > 0:
            parts.append(
                _("Ineligible: EUR %(amount)s (%(reason)s).")
                % {"amount": format_money(ineligible_amount), "reason": ineligible_reason}
            )
        claim = RepaymentClaim(
            grant=grant,
            proof_of_use=proof,
            amount=repayment,
            reason=" ".join(parts),
            due_on=repayment_due_on or today + datetime.timedelta(days=REPAYMENT_DAYS),
            created_by=_user_or_none(actor),
            created_at=now,
        )
        authorize(actor, Action.ADD, claim)
        claim.full_clean()
        claim.save()
        audit.record(actor=actor, action="create", instance=claim, after=audit.snapshot(claim))
        _event(
            proof=proof,
            from_state="",
            to_state=REPAYMENT_EVENT[RepaymentClaim.State.OPEN],
            actor=actor,
            reason=claim.reason,
        )
    grant.closed_at = now
    grant.save(update_fields=["closed_at"])
    audit.record(actor=actor, action="update", instance=grant, before={"closed_at": None}, after={"closed_at": now})
    return proof


# Repayment claims.


def _lock_repayment(claim: RepaymentClaim) -> RepaymentClaim:
    return (
        RepaymentClaim.objects.select_for_update(of=("self",))
        .select_related("grant__call__programme", "grant__call__funding_source")
        .get(pk=claim.pk)
    )


def _settle(*, actor, claim: RepaymentClaim, new: str, settled_on: datetime.date, reason: str, transaction_entry=None):
    before = {"state": claim.state, "settled_on": None}
    claim.state = new
    claim.settled_on = settled_on
    fields = ["state", "settled_on"]
    if transaction_entry is not None:
        claim.transaction = transaction_entry
        fields.append("transaction")
    claim.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="update",
        instance=claim,
        before=before,
        after={"state": new, "settled_on": settled_on.isoformat(), "reason": reason},
    )
    actor_id, actor_label = _actor_fields(actor)
    GrantEvent.objects.create(
        grant_id=claim.grant_id,
        proof_of_use_id=claim.proof_of_use_id,
        from_state=REPAYMENT_EVENT[RepaymentClaim.State.OPEN],
        to_state=REPAYMENT_EVENT[new],
        actor_id=actor_id,
        actor_label=actor_label,
        occurred_at=timezone.now(),
        reason=reason,
    )
    return claim


def _require_open_claim(claim: RepaymentClaim) -> None:
    if claim.state != RepaymentClaim.State.OPEN:
        raise ValidationError(
            {
                "state": [
                    _("The repayment claim is %(state)s already.")
                    % {"state": RepaymentClaim.State(claim.state).label.lower()}
                ]
            }
        )


@transaction.atomic
def repayment_claim_repaid(*, actor, claim: RepaymentClaim, settled_on: datetime.date) -> RepaymentClaim:
    """Mark an open repayment claim repaid on ``settled_on``: the money comes back to the funding
    source, recorded as a payment with a negative amount (reference "<grant> repayment")."""
    claim = _lock_repayment(claim)
    authorize(actor, Action.CHANGE, claim)
    _authorize_authority_side(actor, claim.grant)
    _require_open_claim(claim)
    if settled_on is None:
        raise ValidationError({"settled_on": [_("Give the day the money came back.")]})
    if settled_on > timezone.localdate():
        raise ValidationError({"settled_on": [_("The day the money came back cannot be in the future.")]})
    call = claim.grant.call
    entry = funding_transaction_record(
        actor=actor,
        programme=call.programme,
        source=call.funding_source,
        kind=FundingTransaction.Kind.PAID,
        amount=-claim.amount,
        date=settled_on,
        reference=f"{claim.grant.number} repayment",
    )
    return _settle(
        actor=actor,
        claim=claim,
        new=RepaymentClaim.State.REPAID,
        settled_on=settled_on,
        reason="",
        transaction_entry=entry,
    )


@transaction.atomic
def repayment_claim_waive(*, actor, claim: RepaymentClaim, reason: str) -> RepaymentClaim:
    """Waive an open repayment claim, with the reason."""
    claim = _lock_repayment(claim)
    authorize(actor, Action.CHANGE, claim)
    _authorize_authority_side(actor, claim.grant)
    _require_open_claim(claim)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the repayment is waived.")]})
    return _settle(
        actor=actor,
        claim=claim,
        new=RepaymentClaim.State.WAIVED,
        settled_on=timezone.localdate(),
        reason=reason,
    )
