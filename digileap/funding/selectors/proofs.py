"""Reads of proofs of use and repayment claims, and the content a proof of use is prefilled with.

``proof_content(grant)`` gathers what Digileap knows about a grant: per grant line the funding
approved, claimed, paid and not used (sums in SQL), the claims with their invoices, invoice lines
and linked devices (serial, model, delivery and acceptance), the deliveries of those devices and
the payments. Amounts are strings with two decimals, dates ISO 8601, so that the content can be
frozen as canonical JSON (``services.proofs``).

Which claims count (the figures come from ``selectors.grants``):
- **claimed**: claims submitted, approved or paid (drafts are not claimed yet; returned claims
  no longer are);
- **used**: claims approved or paid (what the authority accepted or paid out);
- **paid**: paid claims;
- **not used** = approved − used.
"""

from decimal import Decimal

from django.db.models import QuerySet

from digileap.core.permissions import Action, restrict

from ..models import Claim, ClaimState, Grant, ProofOfUse, ProofState, RepaymentClaim
from .grants import grant_lines_with_figures, grant_totals

# The operator may still write a proof of use in these states.
OPEN_STATES = (ProofState.DUE, ProofState.RETURNED)
ZERO = Decimal("0.00")


def proofs_for(user, action: str = Action.VIEW) -> QuerySet[ProofOfUse]:
    return restrict(
        ProofOfUse.objects.select_related("grant__call__programme", "grant__operator", "grant__application"),
        user,
        action,
    )


def repayment_claims_for(user, action: str = Action.VIEW) -> QuerySet[RepaymentClaim]:
    return restrict(
        RepaymentClaim.objects.select_related("grant__call", "grant__operator", "proof_of_use"), user, action
    )


def _money(value) -> str:
    return str((value or ZERO).quantize(Decimal("0.01")))


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _device(device) -> dict:
    delivery = device.delivery
    return {
        "serial": device.serial,
        "manufacturer": device.manufacturer,
        "model": device.device_model.name,
        "status": device.status,
        "school": device.school.number,
        "delivered_on": _day(device.delivered_on),
        "accepted_at": _day(device.accepted_at),
        "delivery": delivery.note_number if delivery else None,
    }


def proof_content(grant: Grant) -> dict:
    """Everything the grant's claims, invoices, devices, deliveries and payments say (see the module)."""
    lines = grant_lines_with_figures(grant)
    totals = grant_totals(grant)
    claims = list(
        Claim.objects.filter(grant=grant)
        .exclude(state=ClaimState.DRAFT)
        .prefetch_related(
            "invoices__lines__grant_line",
            "invoices__lines__devices__device_model",
            "invoices__lines__devices__delivery__supplier",
            "invoices__lines__devices__school",
        )
        .order_by("number")
    )
    deliveries: dict[int, dict] = {}
    claim_rows = []
    for claim in claims:
        invoices = []
        for invoice in sorted(claim.invoices.all(), key=lambda row: (row.issued_on, row.pk)):
            invoice_lines = []
            for line in sorted(invoice.lines.all(), key=lambda row: row.pk):
                devices = sorted(line.devices.all(), key=lambda device: (device.serial, device.pk))
                for device in devices:
                    delivery = device.delivery
                    if delivery is not None and delivery.pk not in deliveries:
                        deliveries[delivery.pk] = {
                            "note": delivery.note_number,
                            "supplier": delivery.supplier.name if delivery.supplier is not None else "",
                            "delivered_on": _day(delivery.delivered_on),
                            "acceptance": delivery.acceptance,
                            "accepted_at": _day(delivery.accepted_at),
                        }
                invoice_lines.append(
                    {
                        "grant_line": line.grant_line.position,
                        "description": line.description,
                        "amount": _money(line.amount),
                        "claimed": _money(line.claimed),
                        "devices": [_device(device) for device in devices],
                    }
                )
            invoices.append(
                {
                    "supplier": invoice.supplier_name,
                    "number": invoice.number,
                    "issued_on": _day(invoice.issued_on),
                    "total": _money(invoice.total),
                    "file": invoice.original_filename,
                    "sha256": invoice.sha256,
                    "lines": invoice_lines,
                }
            )
        claim_rows.append(
            {
                "number": claim.number,
                "state": claim.state,
                "amount": _money(claim.amount),
                "submitted_at": claim.submitted_at.isoformat() if claim.submitted_at else None,
                "paid_on": _day(claim.paid_on),
                "payment_reference": claim.payment_reference,
                "invoices": invoices,
            }
        )
    return {
        "grant": {
            "number": grant.number,
            "call": grant.call.code,
            "operator": {"id": grant.operator_id, "code": grant.operator.code, "name": grant.operator.name},
            "application": grant.application.number,
            "approved": _money(grant.approved_amount),
            "granted_on": _day(grant.created_at.date()),
        },
        "lines": [
            {
                "position": line.position,
                "category": line.category.code,
                "school": line.school.number if line.school is not None else None,
                "description": line.description,
                "amount": _money(line.amount),
                "approved": _money(line.approved),
                "claimed": _money(line.claimed),
                "used": _money(line.used),
                "paid": _money(line.paid),
                "not_used": _money(line.approved - line.used),
            }
            for line in lines
        ],
        "claims": claim_rows,
        "deliveries": sorted(deliveries.values(), key=lambda row: (row["delivered_on"] or "", row["note"])),
        "payments": [
            {
                "claim": row["number"],
                "paid_on": row["paid_on"],
                "reference": row["payment_reference"],
                "amount": row["amount"],
            }
            for row in claim_rows
            if row["state"] == ClaimState.PAID
        ],
        "totals": {key: _money(totals[key]) for key in ("approved", "claimed", "used", "paid", "not_used")},
    }
