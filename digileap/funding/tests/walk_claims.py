"""INSIDE and OUTSIDE grants, grant lines, claims, invoices (with a scan) and invoice lines for the
permission walk of the claim pages. A grant is made on the side's application only where no part
before this one made it; the claim is a draft with one invoice drawn on the grant's line."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from ..models import ApplicationState, Claim, Decision, Grant, GrantLine, Invoice, InvoiceLine

SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _grant(side: str, made: dict) -> Grant:
    application = made["funding.application"]
    line = made["funding.costline"]
    now = timezone.now()
    decision = made.get("funding.decision") or application.decisions.order_by("-number").first()
    if decision is None:
        decision = Decision.objects.create(
            application=application,
            number=1,
            outcome=ApplicationState.APPROVED,
            requested_total=line.funding,
            approved_total=line.funding,
            language="en",
            decided_at=now,
        )
    return Grant.objects.create(
        application=application,
        call=application.call,
        operator=application.operator,
        number=f"{side}-G-1",
        decision=decision,
        approved_amount=line.funding,
        created_at=now,
    )


def extend(*, side, made, world, role_users) -> dict:
    grant = made.get("funding.grant") or _grant(side, made)
    grant_line = made.get("funding.grantline") or grant.lines.order_by("position").first()
    if grant_line is None:
        cost_line = made["funding.costline"]
        grant_line = GrantLine.objects.create(
            grant=grant,
            cost_line=cost_line,
            category=cost_line.category,
            school=cost_line.school,
            position=cost_line.position,
            description=f"{side} grant line",
            amount=cost_line.amount,
            approved=cost_line.funding,
        )
    now = timezone.now()
    number = (grant.claims.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    claim = Claim.objects.create(grant=grant, number=number, created_at=now)
    invoice = Invoice(
        claim=claim,
        operator=grant.operator,
        supplier_name=f"{side} supplier",
        supplier_key=f"{side.lower()} supplier",
        number=f"{side}-R-1",
        number_key=f"{side.lower()}-r-1",
        issued_on=datetime.date(2026, 3, 1),
        total=Decimal("100.00"),
        original_filename=f"{side}-invoice.pdf",
        content_type="application/pdf",
        size_bytes=len(SCAN),
        uploaded_at=now,
    )
    invoice.file.save(f"{side}-invoice.pdf", ContentFile(SCAN), save=False)
    invoice.save()
    invoice_line = InvoiceLine.objects.create(
        invoice=invoice,
        grant_line=grant_line,
        description=f"{side} invoice line",
        amount=Decimal("10.00"),
        claimed=min(Decimal("9.00"), grant_line.approved),
    )
    claim.amount = invoice_line.claimed
    claim.save(update_fields=["amount"])
    return {
        "funding.grant": grant,
        "funding.grantline": grant_line,
        "funding.claim": claim,
        "funding.invoice": invoice,
        "funding.invoiceline": invoice_line,
    }
