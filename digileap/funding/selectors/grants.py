"""Reads of grants, claims and invoices, restricted to what the acting user may see, and the money
per grant line: approved, claimed, paid and remaining, summed in SQL.

Scope: operator staff see their operator's grants and claims, the authority's roles (programme
owner, auditor) those of the authority's calls. A funding administrator sees only the grants and
claims of the calls they are assigned to review (``CallReviewer``), as with applications.

"Claimed" counts the funding of the invoice lines of claims that are submitted, approved or paid
(``COUNTED_STATES``): a draft or a returned claim holds nothing, so the over-claim check and the
pages read the same figure. "Used" counts claims approved or paid (what the authority accepted),
and "not used" is approved − used (the proof of use reads it).
"""

from decimal import Decimal
from typing import TypeAlias, TypedDict

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django_stubs_ext import WithAnnotations

from digileap.accounts.models import Role
from digileap.core.permissions import Action, assignments_for
from digileap.devices.models import Device

from ..models import CallReviewer, Claim, ClaimState, Grant, GrantLine, Invoice, InvoiceLine

# The claims whose funding counts as claimed against the grant lines.
COUNTED_STATES = (ClaimState.SUBMITTED, ClaimState.APPROVED, ClaimState.PAID)
# The claims whose funding the authority accepted: used, in the proof of use's terms.
USED_STATES = (ClaimState.APPROVED, ClaimState.PAID)
# The claims the operator may still change.
EDITABLE_STATES = (ClaimState.DRAFT, ClaimState.RETURNED)
ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def _scope_condition(user, action: str, model, call_path: str) -> Q | None:
    """Like ``core.permissions.scope_q`` (and ``selectors.applications.application_scope_q``), but
    a funding administrator's assignment reaches only the calls they review. ``None``: every row."""
    paths: dict[str, str] = getattr(model, "scope_paths", {})
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, action, model):
        if assignment.scope_kind != "all" and assignment.scope_kind not in paths:
            continue
        reach = (
            Q()
            if assignment.scope_kind == "all"
            else Q(**{f"{paths[assignment.scope_kind]}__in": [assignment.scope_id]})
        )
        if assignment.role == Role.FUNDING_ADMINISTRATOR:
            reach &= Q(**{f"{call_path}__in": CallReviewer.objects.filter(user_id=user.pk).values("call_id")})
        elif assignment.scope_kind == "all":
            return None
        condition |= reach
    return condition


def _restrict(queryset: QuerySet, user, action: str, call_path: str) -> QuerySet:
    condition = _scope_condition(user, action, queryset.model, call_path)
    if condition is None:
        return queryset
    return queryset.filter(condition)


def grants_for(user, action: str = Action.VIEW) -> QuerySet[Grant]:
    return _restrict(Grant.objects.select_related("call", "operator", "application"), user, action, "call")


def grant_lines_for(user, action: str = Action.VIEW) -> QuerySet[GrantLine]:
    return _restrict(GrantLine.objects.select_related("grant", "category", "school"), user, action, "grant__call")


def claims_for(user, action: str = Action.VIEW) -> QuerySet[Claim]:
    return _restrict(
        Claim.objects.select_related("grant", "grant__call", "grant__operator"), user, action, "grant__call"
    )


def invoices_for(user, action: str = Action.VIEW) -> QuerySet[Invoice]:
    return _restrict(Invoice.objects.select_related("claim", "claim__grant"), user, action, "claim__grant__call")


def invoice_lines_for(user, action: str = Action.VIEW) -> QuerySet[InvoiceLine]:
    return _restrict(
        InvoiceLine.objects.select_related("invoice", "invoice__claim", "grant_line"),
        user,
        action,
        "invoice__claim__grant__call",
    )


class LineFigures(TypedDict):
    """What ``with_figures`` annotates on a grant line."""

    claimed: Decimal
    used: Decimal
    paid: Decimal
    remaining: Decimal


FiguredLine: TypeAlias = "WithAnnotations[GrantLine, LineFigures]"


def _sum(path: str, condition: Q) -> Coalesce:
    return Coalesce(Sum(path, filter=condition), Value(ZERO), output_field=MONEY_FIELD)


def with_figures(lines: QuerySet[GrantLine]) -> QuerySet[FiguredLine]:
    """Grant lines annotated with ``claimed`` (claims submitted, approved or paid), ``used``
    (approved or paid), ``paid`` and
    ``remaining`` (approved − claimed), in one query."""
    counted = Q(invoice_lines__invoice__claim__state__in=COUNTED_STATES)
    used = Q(invoice_lines__invoice__claim__state__in=USED_STATES)
    paid = Q(invoice_lines__invoice__claim__state=ClaimState.PAID)
    return lines.annotate(
        claimed=_sum("invoice_lines__claimed", counted),
        used=_sum("invoice_lines__claimed", used),
        paid=_sum("invoice_lines__claimed", paid),
    ).annotate(remaining=F("approved") - F("claimed"))


def grant_lines_with_figures(grant: Grant) -> list[FiguredLine]:
    """The grant's lines in order, each with approved, claimed, paid and remaining (quantised:
    SQLite sums decimals as floating point)."""
    lines = list(with_figures(grant.lines.select_related("category", "school").order_by("position")))
    for line in lines:
        line.claimed = Decimal(line.claimed).quantize(Decimal("0.01"))
        line.used = Decimal(line.used).quantize(Decimal("0.01"))
        line.paid = Decimal(line.paid).quantize(Decimal("0.01"))
        line.remaining = (line.approved - line.claimed).quantize(Decimal("0.01"))
    return lines


def grant_totals(grant: Grant) -> dict[str, Decimal]:
    """Approved, claimed, used, paid, remaining (approved − claimed) and not used (approved − used)
    of the whole grant."""
    sums = InvoiceLine.objects.filter(invoice__claim__grant=grant).aggregate(
        claimed_total=_sum("claimed", Q(invoice__claim__state__in=COUNTED_STATES)),
        used_total=_sum("claimed", Q(invoice__claim__state__in=USED_STATES)),
        paid_total=_sum("claimed", Q(invoice__claim__state=ClaimState.PAID)),
    )
    approved = grant.lines.aggregate(total=Coalesce(Sum("approved"), Value(ZERO), output_field=MONEY_FIELD))["total"]
    approved, claimed, used, paid_total = (
        Decimal(value).quantize(Decimal("0.01"))
        for value in (approved, sums["claimed_total"], sums["used_total"], sums["paid_total"])
    )
    return {
        "approved": approved,
        "claimed": claimed,
        "used": used,
        "paid": paid_total,
        "remaining": approved - claimed,
        "not_used": approved - used,
    }


def grants_with_totals(grants: QuerySet[Grant]) -> QuerySet[Grant]:
    """Grants annotated with the claimed and paid funding of their lines (for the list)."""
    counted = Q(claims__state__in=COUNTED_STATES)
    paid = Q(claims__state=ClaimState.PAID)
    return grants.annotate(claimed=_sum("claims__amount", counted), paid=_sum("claims__amount", paid))


def claimed_elsewhere(grant: Grant, *, exclude_claim: int | None = None) -> dict[int, Decimal]:
    """Per grant line id, the funding claimed by the grant's counted claims other than ``exclude_claim``."""
    lines = InvoiceLine.objects.filter(invoice__claim__grant=grant, invoice__claim__state__in=COUNTED_STATES)
    if exclude_claim is not None:
        lines = lines.exclude(invoice__claim_id=exclude_claim)
    return {
        row["grant_line_id"]: Decimal(row["total"]).quantize(Decimal("0.01"))
        for row in lines.order_by().values("grant_line_id").annotate(total=Sum("claimed"))
    }


def claimed_in_claim(claim: Claim) -> dict[int, Decimal]:
    """Per grant line id, the funding this claim's invoice lines claim."""
    return {
        row["grant_line_id"]: Decimal(row["total"]).quantize(Decimal("0.01"))
        for row in InvoiceLine.objects.filter(invoice__claim=claim)
        .order_by()
        .values("grant_line_id")
        .annotate(total=Sum("claimed"))
    }


def claim_devices(grant: Grant) -> QuerySet[Device]:
    """The devices Digileap knows at the grant operator's schools, with their model and delivery."""
    return (
        Device.objects.filter(school__operator_id=grant.operator_id)
        .select_related("device_model", "delivery", "school")
        .order_by("serial", "id")
    )
