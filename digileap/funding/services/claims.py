"""Writes to claims (Mittelabruf): invoices with their scans, invoice lines, devices, and the claim's
states up to its payment.

Who: operator staff of the grant's operator start a claim, add invoices and lines and submit it
(they need ``add`` on claims, which only the operator side holds). The authority (programme owners,
and funding administrators assigned to review the call) answers the claim checklist, returns,
approves and marks paid (they need ``change`` on the **grant**, which operator staff do not hold).

States: draft → submitted → approved → paid; submitted → returned → submitted. The operator
changes a claim only as a draft or returned. Every change of state appends a ``GrantEvent`` and an
audit event; a transition not allowed is refused with a ``ValidationError`` and writes nothing.

Over-claim: per grant line, the funding claimed by the grant's submitted, approved and paid claims
plus this claim's lines never exceeds the line's approved funding. It is checked on entry (without
locks, for a quick answer) and again at submission with the grant's lines locked
(``select_for_update``, in id order), so two claims for the last euro cannot both pass.

An invoice number is claimed once per supplier and operator: the supplier's name and the number are
normalised (case folded, spaces collapsed) into ``supplier_key`` and ``number_key``; a pre-check
answers clearly, and the database's unique constraint is the last guard.
"""

import datetime
import hashlib
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.audit import _actor_fields
from digileap.core.permissions import Action, authorize, permits
from digileap.core.uploads import check_upload
from digileap.devices.models import Device
from digileap.programmes.models import FundingTransaction
from digileap.programmes.services import funding_transaction_record

from ..models import (
    Claim,
    ClaimState,
    Grant,
    GrantEvent,
    GrantLine,
    Invoice,
    InvoiceLine,
    ReviewAnswer,
    ReviewItem,
    ReviewStage,
)
from ..rules import CENT, HUNDRED, euros, parse_money
from ..selectors.grants import EDITABLE_STATES, claimed_elsewhere, claimed_in_claim, claims_for

C = ClaimState

TRANSITIONS: dict[str, frozenset[str]] = {
    C.DRAFT: frozenset({C.SUBMITTED}),
    C.SUBMITTED: frozenset({C.RETURNED, C.APPROVED}),
    C.RETURNED: frozenset({C.SUBMITTED}),
    C.APPROVED: frozenset({C.PAID}),
    C.PAID: frozenset(),
}


def normalise_key(text: str) -> str:
    """A supplier's name or an invoice number as compared: case folded, runs of spaces made one."""
    return " ".join(str(text or "").split()).casefold()


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _lock_claim(claim: Claim) -> Claim:
    # Only the claim's row: the grant's lines are locked where the sums matter (``claim_submit``).
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("grant", "grant__call", "grant__operator")
        .get(pk=claim.pk)
    )


def _in_scope(actor, action: str, claim: Claim) -> bool:
    return claims_for(actor, action).filter(pk=claim.pk).exists()


def authorize_operator_side(actor, claim: Claim) -> None:
    """Operator staff of the grant's operator (or the administrator) change the claim's content."""
    if not permits(actor, Action.ADD, Claim(grant=claim.grant)) or not _in_scope(actor, Action.CHANGE, claim):
        raise PermissionDenied("the operator's steps of a claim need add on claims of the grant")


def authorize_authority_side(actor, claim: Claim) -> None:
    """The call's authority checks, returns, approves and pays (a funding administrator only on
    calls they review)."""
    if not permits(actor, Action.CHANGE, claim.grant) or not _in_scope(actor, Action.CHANGE, claim):
        raise PermissionDenied("the authority's steps of a claim need change on its grant")


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, frozenset()):
        raise ValidationError(
            {
                "state": [
                    _("A claim that is %(current)s cannot become %(new)s.")
                    % {"current": C(current).label.lower(), "new": C(new).label.lower()}
                ]
            }
        )


def _require_editable(claim: Claim) -> None:
    if claim.state not in EDITABLE_STATES:
        raise ValidationError(
            _("The claim is %(state)s: it can only be changed as a draft or when it was returned.")
            % {"state": C(claim.state).label.lower()}
        )


def _event(*, claim: Claim, from_state: str, to_state: str, actor, reason: str = "") -> GrantEvent:
    actor_id, actor_label = _actor_fields(actor)
    return GrantEvent.objects.create(
        grant_id=claim.grant_id,
        claim=claim,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor_id,
        actor_label=actor_label,
        occurred_at=timezone.now(),
        reason=reason,
    )


def _move(*, claim: Claim, new: str, actor, reason: str = "", fields: dict[str, Any] | None = None) -> GrantEvent:
    """Validate the transition, append the event, set the state (and ``fields``), audit. ``claim`` is locked."""
    check_transition(claim.state, new)
    before = {"state": claim.state, **audit.snapshot(claim, list(fields or {}))}
    event = _event(claim=claim, from_state=claim.state, to_state=new, actor=actor, reason=reason)
    claim.state = new
    for name, value in (fields or {}).items():
        setattr(claim, name, value)
    claim.full_clean()
    claim.save()
    after = {"state": new, **audit.snapshot(claim, list(fields or {}))}
    audit.record(actor=actor, action="update", instance=claim, before=before, after=after)
    return event


def _refresh_amount(claim: Claim) -> None:
    total = InvoiceLine.objects.filter(invoice__claim=claim).aggregate(total=Sum("claimed"))["total"]
    claim.amount = Decimal(total or 0).quantize(CENT)
    claim.save(update_fields=["amount"])


def _money(value: Any, *, field: str, name: str) -> Decimal:
    number, error = parse_money(value, name=name)
    if error:
        raise ValidationError({field: [error]})
    assert number is not None  # parse_money gives a number or an error
    return number


# Starting a claim.


@transaction.atomic
def claim_start(*, actor, grant: Grant) -> Claim:
    """A new draft claim on ``grant``, numbered after the grant's last claim."""
    # Locking the grant numbers its claims one after the other.
    grant = Grant.objects.select_for_update().select_related("call", "operator").get(pk=grant.pk)
    claim = Claim(grant=grant, created_by=_user_or_none(actor), created_at=timezone.now())
    authorize(actor, Action.ADD, claim)
    if grant.closed_at is not None:
        raise ValidationError(_("The grant is closed: no further claims can be made."))
    claim.number = (grant.claims.aggregate(last=Max("number"))["last"] or 0) + 1
    claim.full_clean()
    claim.save()
    _event(claim=claim, from_state="", to_state=C.DRAFT, actor=actor)
    audit.record(actor=actor, action="create", instance=claim, after=audit.snapshot(claim))
    return claim


# Invoices.


@transaction.atomic
def invoice_add(
    *,
    actor,
    claim: Claim,
    supplier_name: str,
    number: str,
    issued_on: datetime.date,
    total: Any,
    file,
) -> Invoice:
    """Add an invoice with its scan (PDF, image or office file, judged by its content) to a draft or
    returned claim. An invoice number already claimed for the same supplier by the operator is refused."""
    claim = _lock_claim(claim)
    authorize_operator_side(actor, claim)
    _require_editable(claim)
    errors: dict[str, list[str]] = {}
    supplier_name = " ".join(str(supplier_name or "").split())
    number = " ".join(str(number or "").split())
    if not supplier_name:
        errors["supplier_name"] = [_("Give the supplier's name.")]
    elif len(supplier_name) > 200:
        errors["supplier_name"] = [_("The supplier's name is too long (at most 200 characters).")]
    if not number:
        errors["number"] = [_("Give the invoice number.")]
    elif len(number) > 80:
        errors["number"] = [_("The invoice number is too long (at most 80 characters).")]
    if not isinstance(issued_on, datetime.date):
        errors["issued_on"] = [_("Give the invoice date.")]
    elif issued_on > timezone.localdate():
        errors["issued_on"] = [_("The invoice date cannot be in the future.")]
    amount, error = parse_money(total, name=_("The invoice total"))
    if error:
        errors["total"] = [error]
    elif amount == 0:
        errors["total"] = [_("The invoice total must be more than zero.")]
    if file is None:
        errors["file"] = [_("Upload the scan of the invoice.")]
    if errors:
        raise ValidationError(errors)
    assert amount is not None  # else errors["total"]
    invoice = Invoice(
        claim=claim,
        operator_id=claim.grant.operator_id,
        supplier_name=supplier_name,
        supplier_key=normalise_key(supplier_name),
        number=number,
        number_key=normalise_key(number),
        issued_on=issued_on,
        total=amount,
        uploaded_by=_user_or_none(actor),
        uploaded_at=timezone.now(),
    )
    authorize(actor, Action.ADD, invoice)
    _refuse_duplicate(invoice)
    kind = check_upload(file, field="file")
    file.seek(0)
    content = file.read()
    file.seek(0)
    digest = hashlib.sha256(content).hexdigest()
    name = (getattr(file, "name", "") or "invoice").rsplit("/", 1)[-1][:255]
    invoice.original_filename, invoice.content_type = name, kind.content_type
    invoice.size_bytes, invoice.sha256 = len(content), digest
    invoice.full_clean(validate_constraints=False)
    invoice.file.save(f"{digest[:16]}-{name}", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        # Another request claimed the same invoice a moment ago: the constraint is the last guard.
        invoice.file.delete(save=False)
        _refuse_duplicate(invoice)
        raise ValidationError(
            {
                "number": [
                    _("Invoice %(number)s of %(supplier)s is already claimed: an invoice can be claimed only once.")
                    % {"number": invoice.number, "supplier": invoice.supplier_name}
                ]
            }
        ) from None
    audit.record(actor=actor, action="create", instance=invoice, after=audit.snapshot(invoice))
    return invoice


def _refuse_duplicate(invoice: Invoice) -> None:
    earlier = (
        Invoice.objects.filter(
            operator_id=invoice.operator_id, supplier_key=invoice.supplier_key, number_key=invoice.number_key
        )
        .select_related("claim", "claim__grant")
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            {
                "number": [
                    _(
                        "Invoice %(number)s of %(supplier)s is already claimed in claim %(claim)s: an invoice "
                        "can be claimed only once."
                    )
                    % {"number": earlier.number, "supplier": earlier.supplier_name, "claim": str(earlier.claim)}
                ]
            }
        )


@transaction.atomic
def invoice_delete(*, actor, invoice: Invoice) -> None:
    """Take an invoice (with its lines) out of a draft or returned claim."""
    claim = _lock_claim(invoice.claim)
    authorize_operator_side(actor, claim)
    _require_editable(claim)
    row = Invoice.objects.select_for_update().get(pk=invoice.pk)
    authorize(actor, Action.DELETE, row)
    before = audit.snapshot(row)
    stored = row.file.name
    row.delete()
    if stored:
        transaction.on_commit(lambda: row.file.storage.delete(stored))
    _refresh_amount(claim)
    audit.record(actor=actor, action="delete", instance=invoice, before=before)


# Invoice lines.


def default_claimed(amount: Decimal, grant_line: GrantLine) -> Decimal:
    """The funding an invoice line claims unless typed lower: its cost × the category's rate,
    rounded down to the cent."""
    return (amount * grant_line.category.funding_rate / HUNDRED).quantize(CENT, rounding=ROUND_DOWN)


def _over_claim_errors(grant_line: GrantLine, *, drawn: Decimal, available: Decimal) -> list[str]:
    """The refusal when the claims would ``draw`` more than the line's approved funding; ``available``
    is what the entry (or the claim) could still take."""
    if drawn <= grant_line.approved:
        return []
    return [
        _(
            "Line %(position)s (%(description)s): the claims would draw %(claimed)s, more than the %(approved)s "
            "approved; %(remaining)s remain to be claimed on this line."
        )
        % {
            "position": grant_line.position,
            "description": grant_line.description,
            "claimed": euros(drawn),
            "approved": euros(grant_line.approved),
            "remaining": euros(max(available, Decimal("0.00"))),
        }
    ]


def _devices(claim: Claim, devices, *, exclude_line: int | None = None) -> list[Device]:
    devices = list(devices or [])
    foreign = [device.serial for device in devices if device.school.operator_id != claim.grant.operator_id]
    if foreign:
        raise ValidationError(
            {
                "devices": [
                    _("These devices are not at the operator's schools: %(serials)s")
                    % {"serials": ", ".join(sorted(foreign))}
                ]
            }
        )
    linked = InvoiceLine.devices.through.objects.filter(device__in=devices)
    if exclude_line is not None:
        linked = linked.exclude(invoiceline_id=exclude_line)
    taken = sorted(set(linked.values_list("device__serial", flat=True)))
    if taken:
        raise ValidationError(
            {
                "devices": [
                    _("These devices are already linked to an invoice line: %(serials)s")
                    % {"serials": ", ".join(taken)}
                ]
            }
        )
    return devices


@transaction.atomic
def invoice_line_add(
    *,
    actor,
    invoice: Invoice,
    grant_line: GrantLine,
    amount: Any,
    claimed: Any = None,
    description: str = "",
    devices=(),
) -> InvoiceLine:
    """Draw part of an invoice on a grant line: the cost, the funding claimed (by default the cost ×
    the category's rate, rounded down; it may be typed lower, never above the cost) and the devices
    it paid for. Refused, with nothing written, when it would take the claims on the line over the
    funding approved, or the invoice's lines over its total."""
    claim = _lock_claim(invoice.claim)
    authorize_operator_side(actor, claim)
    _require_editable(claim)
    invoice = Invoice.objects.get(pk=invoice.pk, claim=claim)
    if grant_line is None or grant_line.grant_id != claim.grant_id:
        raise ValidationError({"grant_line": [_("Choose a line of this claim's grant.")]})
    grant_line = GrantLine.objects.select_related("category").get(pk=grant_line.pk)
    cost = _money(amount, field="amount", name=_("The cost"))
    if cost == 0:
        raise ValidationError({"amount": [_("The cost must be more than zero.")]})
    if claimed in (None, ""):
        funding = default_claimed(cost, grant_line)
    else:
        funding = _money(claimed, field="claimed", name=_("The funding claimed"))
        if funding > cost:
            raise ValidationError(
                {
                    "claimed": [
                        _("The funding claimed (%(claimed)s) cannot be more than the cost (%(cost)s).")
                        % {"claimed": euros(funding), "cost": euros(cost)}
                    ]
                }
            )
    on_invoice = invoice.lines.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if Decimal(on_invoice) + cost > invoice.total:
        raise ValidationError(
            {
                "amount": [
                    _("The lines of invoice %(number)s would come to %(lines)s, more than its total of %(total)s.")
                    % {
                        "number": invoice.number,
                        "lines": euros(Decimal(on_invoice) + cost),
                        "total": euros(invoice.total),
                    }
                ]
            }
        )
    elsewhere = claimed_elsewhere(claim.grant, exclude_claim=claim.pk).get(grant_line.pk, Decimal("0.00"))
    in_claim = claimed_in_claim(claim).get(grant_line.pk, Decimal("0.00"))
    problems = _over_claim_errors(
        grant_line, drawn=elsewhere + in_claim + funding, available=grant_line.approved - elsewhere - in_claim
    )
    if problems:
        raise ValidationError({"claimed" if claimed not in (None, "") else "amount": problems})
    linked = _devices(claim, devices)
    line = InvoiceLine(
        invoice=invoice,
        grant_line=grant_line,
        description=" ".join(str(description or "").split())[:300],
        amount=cost,
        claimed=funding,
    )
    authorize(actor, Action.ADD, line)
    line.full_clean()
    line.save()
    if linked:
        line.devices.set(linked)
    _refresh_amount(claim)
    audit.record(
        actor=actor,
        action="create",
        instance=line,
        after={**audit.snapshot(line), "devices": sorted(device.pk for device in linked)},
    )
    return line


@transaction.atomic
def invoice_line_delete(*, actor, line: InvoiceLine) -> None:
    claim = _lock_claim(line.invoice.claim)
    authorize_operator_side(actor, claim)
    _require_editable(claim)
    row = InvoiceLine.objects.select_for_update().get(pk=line.pk)
    authorize(actor, Action.DELETE, row)
    before = {**audit.snapshot(row), "devices": sorted(row.devices.values_list("pk", flat=True))}
    row.devices.clear()
    row.delete()
    _refresh_amount(claim)
    audit.record(actor=actor, action="delete", instance=line, before=before)


# The claim's states.


@transaction.atomic
def claim_submit(*, actor, claim: Claim) -> GrantEvent:
    """Submit a draft or returned claim. The grant's lines are locked (in id order) and the claim
    is refused if, with the claims submitted, approved or paid meanwhile, any line would go over
    its approved funding."""
    claim = _lock_claim(claim)
    authorize_operator_side(actor, claim)
    check_transition(claim.state, C.SUBMITTED)
    invoices = list(claim.invoices.all())
    if not invoices:
        raise ValidationError(_("Add at least one invoice to the claim."))
    empty = [invoice.number for invoice in invoices if not invoice.lines.exists()]
    if empty:
        raise ValidationError(
            _("Say which grant lines these invoices draw on: %(numbers)s") % {"numbers": ", ".join(empty)}
        )
    # The lock serialises every submission on this grant: the sums below cannot change under us.
    lines = list(GrantLine.objects.select_for_update().filter(grant_id=claim.grant_id).order_by("id"))
    elsewhere = claimed_elsewhere(claim.grant, exclude_claim=claim.pk)
    mine = claimed_in_claim(claim)
    problems: list[str] = []
    for line in lines:
        if line.pk in mine:
            other = elsewhere.get(line.pk, Decimal("0.00"))
            problems += _over_claim_errors(line, drawn=other + mine[line.pk], available=line.approved - other)
    if problems:
        raise ValidationError({"__all__": problems})
    _refresh_amount(claim)
    if claim.amount <= 0:
        raise ValidationError(_("The claim asks for no funding: claim at least one cent."))
    return _move(claim=claim, new=C.SUBMITTED, actor=actor, fields={"submitted_at": timezone.now()})


def claim_checklist(claim: Claim) -> list[tuple[ReviewItem, ReviewAnswer | None]]:
    """The call's claim checklist with this claim's answers."""
    items = list(ReviewItem.objects.filter(call_id=claim.grant.call_id, stage=ReviewStage.CLAIM).order_by("position"))
    answers = {answer.item_id: answer for answer in ReviewAnswer.objects.filter(claim=claim, item__in=items)}
    return [(item, answers.get(item.pk)) for item in items]


@transaction.atomic
def claim_answer(*, actor, claim: Claim, item: ReviewItem, answer: str, note: str = "") -> ReviewAnswer:
    """Answer one question of the call's claim checklist for a submitted claim."""
    claim = _lock_claim(claim)
    authorize_authority_side(actor, claim)
    if claim.state != C.SUBMITTED:
        raise ValidationError(_("Only a submitted claim is checked."))
    if item.call_id != claim.grant.call_id or item.stage != ReviewStage.CLAIM:
        raise ValidationError({"item": [_("Choose a question of this call's claim checklist.")]})
    if answer not in ReviewAnswer.Answer.values:
        raise ValidationError({"answer": [_("Answer yes, no or not applicable.")]})
    existing = ReviewAnswer.objects.select_for_update().filter(item=item, claim=claim).first()
    now = timezone.now()
    if existing is None:
        row = ReviewAnswer(
            item=item, claim=claim, answer=answer, note=note.strip(), answered_by=_user_or_none(actor), answered_at=now
        )
        row.full_clean()
        row.save()
        audit.record(actor=actor, action="create", instance=row, after=audit.snapshot(row))
        return row
    before = audit.snapshot(existing, ["answer", "note"])
    existing.answer, existing.note = answer, note.strip()
    existing.answered_by, existing.answered_at = _user_or_none(actor), now
    existing.save()
    audit.record(
        actor=actor,
        action="update",
        instance=existing,
        before=before,
        after=audit.snapshot(existing, ["answer", "note"]),
    )
    return existing


@transaction.atomic
def claim_return(*, actor, claim: Claim, reason: str) -> GrantEvent:
    """Send a submitted claim back to the operator with the reasons; they edit and resubmit it."""
    claim = _lock_claim(claim)
    authorize_authority_side(actor, claim)
    check_transition(claim.state, C.RETURNED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reasons for returning the claim.")]})
    return _move(claim=claim, new=C.RETURNED, actor=actor, reason=reason)


@transaction.atomic
def claim_approve(*, actor, claim: Claim, reason: str = "") -> GrantEvent:
    """Approve a submitted claim once every question of the claim checklist is answered and none
    with "no"."""
    claim = _lock_claim(claim)
    authorize_authority_side(actor, claim)
    check_transition(claim.state, C.APPROVED)
    checklist = claim_checklist(claim)
    open_items = [item.display_text for item, answer in checklist if answer is None]
    if open_items:
        raise ValidationError(
            _("Answer every question of the checklist first: %(items)s") % {"items": "; ".join(open_items)}
        )
    refused = [
        item.display_text
        for item, answer in checklist
        if answer is not None and answer.answer == ReviewAnswer.Answer.NO
    ]
    if refused:
        raise ValidationError(
            _("The checklist answers no to: %(items)s. Return the claim instead.") % {"items": "; ".join(refused)}
        )
    return _move(claim=claim, new=C.APPROVED, actor=actor, reason=(reason or "").strip())


def _single_school(claim: Claim):
    schools = {
        line.grant_line.school
        for line in InvoiceLine.objects.filter(invoice__claim=claim).select_related("grant_line__school")
    }
    return schools.pop() if len(schools) == 1 else None


@transaction.atomic
def claim_pay(*, actor, claim: Claim, paid_on: datetime.date, reference: str) -> GrantEvent:
    """Mark an approved claim paid on ``paid_on`` with the bank's ``reference``. It records the
    payment on the call's funding source (kind paid), so "paid" moves on the programme's pages."""
    claim = _lock_claim(claim)
    authorize_authority_side(actor, claim)
    check_transition(claim.state, C.PAID)
    errors: dict[str, list[str]] = {}
    if not isinstance(paid_on, datetime.date):
        errors["paid_on"] = [_("Give the date of the payment.")]
    elif paid_on > timezone.localdate():
        errors["paid_on"] = [_("The date of the payment cannot be in the future.")]
    reference = " ".join(str(reference or "").split())
    if not reference:
        errors["payment_reference"] = [_("Give the payment reference.")]
    elif len(reference) > 120:
        errors["payment_reference"] = [_("The payment reference is too long (at most 120 characters).")]
    if errors:
        raise ValidationError(errors)
    call = claim.grant.call
    payment = funding_transaction_record(
        actor=actor,
        programme=call.programme,
        source=call.funding_source,
        kind=FundingTransaction.Kind.PAID,
        amount=claim.amount,
        date=paid_on,
        school=_single_school(claim),
        reference=f"{claim.grant.number}/C{claim.number} {reference}"[:120],
    )
    return _move(
        claim=claim,
        new=C.PAID,
        actor=actor,
        fields={"paid_on": paid_on, "payment_reference": reference, "payment": payment},
    )
