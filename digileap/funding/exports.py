"""The funding exports of a call, CSV or XLSX through ``digileap.core.exports`` (cells that could run
as formulas are escaped): applications, cost lines, claims with their invoices, and payments.

Each export is restricted to the user like the pages: operator staff get their own operator's rows
only, an authority's roles the rows of their authority's operators. Rows stream from the database
(``iterator``); the headers follow the page's language.
"""

import datetime
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core.permissions import Action, can

from .models import ApplicationState, Call, Claim, ClaimState, CostLine, GrantLine, Invoice, RepaymentClaim
from .selectors.applications import applications_for
from .selectors.grants import claims_for
from .selectors.proofs import repayment_claims_for
from .selectors.reports import MONEY_FIELD, ZERO

CHUNK = 2000
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Table:
    """An export: its file name (without extension), headers and rows."""

    filename: str
    headers: list[str]
    rows: Iterable[list]


def _cents(amount):
    """A sum as money: two decimals on every database (SQLite's sums drop trailing zeros)."""
    return amount.quantize(CENT) if amount is not None else None


def _local(moment):
    return timezone.localtime(moment).replace(microsecond=0) if moment else None


def _count_of(queryset, group: str):
    counted = queryset.filter(**{group: OuterRef("pk")}).order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def applications_table(user, call: Call) -> Table:
    """One row per application of the call the user may see."""
    from .models import ApplicationSchool

    lines = CostLine.objects.all()
    applications = (
        applications_for(user)
        .filter(call=call)
        .annotate(
            school_count=_count_of(ApplicationSchool.objects.all(), "application"),
            line_count=_count_of(lines, "application"),
            cost=Coalesce(
                Subquery(
                    lines.filter(application=OuterRef("pk"))
                    .order_by()
                    .values("application")
                    .annotate(t=Sum("amount"))
                    .values("t"),
                    output_field=MONEY_FIELD,
                ),
                ZERO,
                output_field=MONEY_FIELD,
            ),
            requested=Coalesce(
                Subquery(
                    lines.filter(application=OuterRef("pk"))
                    .order_by()
                    .values("application")
                    .annotate(t=Sum("funding"))
                    .values("t"),
                    output_field=MONEY_FIELD,
                ),
                ZERO,
                output_field=MONEY_FIELD,
            ),
        )
        .order_by("operator__name", "operator__code", "number")
        .values_list(
            "call__code",
            "operator__code",
            "operator__name",
            "number",
            "title",
            "state",
            "rollout_year",
            "school_count",
            "line_count",
            "cost",
            "requested",
            "grant__number",
            "grant__approved_amount",
        )
    )
    labels = dict(ApplicationState.choices)

    def rows() -> Iterator[list]:
        for values in applications.iterator(chunk_size=CHUNK):
            row = list(values)
            row[5] = str(labels.get(row[5], row[5]))
            row[9], row[10] = _cents(row[9]), _cents(row[10])
            yield row

    headers = [
        _("Call"),
        _("Operator code"),
        _("Operator"),
        _("Application"),
        _("Title"),
        _("State"),
        _("Roll-out year"),
        _("Schools"),
        _("Cost lines"),
        _("Cost (EUR)"),
        _("Funding requested (EUR)"),
        _("Grant"),
        _("Funding approved (EUR)"),
    ]
    return Table(f"{call.code}-applications", headers, rows())


def lines_table(user, call: Call) -> Table:
    """One row per cost line of the applications of the call the user may see."""
    approved = GrantLine.objects.filter(cost_line=OuterRef("pk")).order_by().values("approved")[:1]
    lines = (
        CostLine.objects.filter(application__in=applications_for(user).filter(call=call).values("pk"))
        .annotate(approved=Subquery(approved, output_field=MONEY_FIELD))
        .order_by("application__operator__name", "application__operator__code", "application__number", "position")
        .values_list(
            "application__call__code",
            "application__operator__code",
            "application__operator__name",
            "application__number",
            "application__state",
            "position",
            "category__code",
            "school__number",
            "school__name",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "funding",
            "approved",
        )
    )
    labels = dict(ApplicationState.choices)

    def rows() -> Iterator[list]:
        for values in lines.iterator(chunk_size=CHUNK):
            row = list(values)
            row[4] = str(labels.get(row[4], row[4]))
            yield row

    headers = [
        _("Call"),
        _("Operator code"),
        _("Operator"),
        _("Application"),
        _("State"),
        _("Line"),
        _("Cost category"),
        _("School number"),
        _("School"),
        _("Description"),
        _("Quantity"),
        _("Unit price (EUR)"),
        _("Amount (EUR)"),
        _("Funding requested (EUR)"),
        _("Funding approved (EUR)"),
    ]
    return Table(f"{call.code}-cost-lines", headers, rows())


def claims_for_export(user, call: Call):
    """The claims of the call the user may see. Drafts are the operator's working papers: only
    those who write claims (operator staff) see them."""
    claims = claims_for(user).filter(grant__call=call)
    if not can(user, Action.ADD, Claim):
        claims = claims.exclude(state=ClaimState.DRAFT)
    return claims


def claims_table(user, call: Call) -> Table:
    """One row per invoice of the call's claims the user may see; a claim without invoices is one
    row with the invoice's columns empty."""
    invoices = Invoice.objects.annotate(claimed=Sum("lines__claimed")).order_by("issued_on", "id")
    claims = (
        claims_for_export(user, call)
        .select_related("grant", "grant__operator", "grant__call")
        .prefetch_related(Prefetch("invoices", queryset=invoices))
        .order_by("grant__operator__name", "grant__number", "number")
    )
    labels = dict(ClaimState.choices)

    def rows() -> Iterator[list]:
        for claim in claims.iterator(chunk_size=CHUNK):
            head = [
                claim.grant.call.code,
                claim.grant.operator.code,
                claim.grant.operator.name,
                claim.grant.number,
                claim.number,
                str(labels.get(claim.state, claim.state)),
                _local(claim.submitted_at),
                claim.amount,
                claim.paid_on,
                claim.payment_reference,
            ]
            invoices_of = list(claim.invoices.all())
            if not invoices_of:
                yield head + [None] * 5
            for invoice in invoices_of:
                yield head + [
                    invoice.supplier_name,
                    invoice.number,
                    invoice.issued_on,
                    invoice.total,
                    _cents(invoice.claimed if invoice.claimed is not None else ZERO),
                ]

    headers = [
        _("Call"),
        _("Operator code"),
        _("Operator"),
        _("Grant"),
        _("Claim"),
        _("State"),
        _("Submitted"),
        _("Funding claimed (EUR)"),
        _("Paid on"),
        _("Payment reference"),
        _("Supplier"),
        _("Invoice number"),
        _("Invoice date"),
        _("Invoice total (EUR)"),
        _("Funding claimed on the invoice (EUR)"),
    ]
    return Table(f"{call.code}-claims", headers, rows())


def payments_table(user, call: Call) -> Table:
    """Money that moved, by date: paid claims (positive) and repayment claims repaid (negative)."""
    paid = (
        claims_for_export(user, call)
        .filter(state=ClaimState.PAID)
        .order_by("paid_on", "grant__number", "number")
        .values_list(
            "paid_on",
            "grant__operator__code",
            "grant__operator__name",
            "grant__number",
            "number",
            "payment_reference",
            "amount",
        )
    )
    repaid = (
        repayment_claims_for(user)
        .filter(grant__call=call, state=RepaymentClaim.State.REPAID)
        .order_by("settled_on", "grant__number", "id")
        .values_list(
            "settled_on", "grant__operator__code", "grant__operator__name", "grant__number", "reason", "amount"
        )
    )
    payment, repayment = _("Payment"), _("Repayment")

    def payments() -> Iterator[list]:
        for day, code, name, grant, number, reference, amount in paid.iterator(chunk_size=CHUNK):
            yield [day, payment, call.code, code, name, grant, number, reference, amount]

    def repayments() -> Iterator[list]:
        for day, code, name, grant, reason, amount in repaid.iterator(chunk_size=CHUNK):
            yield [day, repayment, call.code, code, name, grant, None, reason, -amount]

    headers = [
        _("Date"),
        _("Kind"),
        _("Call"),
        _("Operator code"),
        _("Operator"),
        _("Grant"),
        _("Claim"),
        _("Reference"),
        _("Amount (EUR)"),
    ]
    rows = heapq.merge(payments(), repayments(), key=lambda row: row[0] or datetime.date.max)
    return Table(f"{call.code}-payments", headers, rows)


TABLES = {
    "applications": applications_table,
    "lines": lines_table,
    "claims": claims_table,
    "payments": payments_table,
}
