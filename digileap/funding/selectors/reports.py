"""Reads of the funding reports: a call's overview, an operator's funding page and the rows of the
exports, restricted to what the acting user may see.

The money figures, everywhere the same:

- **requested**: the funding of the cost lines of applications that are not withdrawn;
- **approved**: ``Grant.approved_amount``;
- **claimed**: ``Claim.amount`` of claims submitted, approved or paid;
- **paid**: ``Claim.amount`` of paid claims, minus repayment claims that were repaid.

Every figure is an SQL aggregate: one query per group of figures, and the per-operator table is
one query per page (each figure a correlated subquery; sorted by an amount, only that figure is
computed for every operator before the page is cut). Nothing loops over operators in Python, so
the number of queries of a page is fixed whatever the call's size.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeAlias, TypedDict

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_stubs_ext import WithAnnotations

from digileap.core.permissions import Action, assignments_for, can
from digileap.core.types import Text
from digileap.schools.selectors import operators_for

from ..models import (
    Application,
    ApplicationState,
    Call,
    CallEligibility,
    Claim,
    ClaimState,
    CostLine,
    Entitlement,
    Grant,
    ProofState,
    RepaymentClaim,
)
from .applications import applications_for
from .calls import calls_for, entitlements_for
from .grants import claims_for, grants_for
from .proofs import proofs_for, repayment_claims_for

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
CLAIMED_STATES = (ClaimState.SUBMITTED, ClaimState.APPROVED, ClaimState.PAID)
OPERATORS_PER_PAGE = 50
# The per-operator table sorts by these (a leading "-" for the largest first).
SORTS = ("name", "entitlement", "requested", "approved", "claimed", "paid", "applications")


def _zero(expression):
    return Coalesce(expression, Value(ZERO), output_field=MONEY_FIELD)


def _sum_of(queryset: QuerySet, group: str, amount: str):
    """A correlated subquery: the sum of ``amount`` over the rows of ``queryset`` whose ``group``
    is the outer row's ``operator_id`` (0.00 when there are none)."""
    subquery = (
        queryset.filter(**{group: OuterRef("operator_id")})
        .order_by()
        .values(group)
        .annotate(total=Sum(amount))
        .values("total")
    )
    return _zero(Subquery(subquery, output_field=MONEY_FIELD))


# The querysets every figure comes from, restricted to the user.


def _covers(user, model, call: Call) -> bool:
    """Whether the user's scope on ``model`` holds every row of the call: a scope of all, or of the
    call's authority (every funding model reaches its authority through the call). Then the
    figures need no scope condition per row, which keeps the per-operator subqueries cheap."""
    authority_id = call.programme.authority_id
    return any(
        assignment.scope_kind == "all" or (assignment.scope_kind == "authority" and assignment.scope_id == authority_id)
        for assignment in assignments_for(user, Action.VIEW, model)
    )


class CallReader:
    """The call's rows the user may see, each figure's queryset. Where the user's scope holds the
    whole call the querysets are the call's rows without a scope condition; otherwise (operator
    staff, a reviewer not assigned to the call) they go through the restricted selectors."""

    def __init__(self, user, call: Call):
        self.user, self.call = user, call
        # Applications have rules beyond the scope (a reviewer sees the calls they are assigned
        # to): the whole call only if the user sees as many of its applications as it has.
        self.state_counts = dict(
            applications_for(user).filter(call=call).order_by().values_list("state").annotate(count=Count("pk"))
        )
        self.all_applications = _covers(user, Application, call) and (
            sum(self.state_counts.values()) == Application.objects.filter(call=call).count()
        )
        # Grants, claims and repayments follow the same reviewer rule (``selectors.grants``): the
        # whole call when the user sees all of its applications and their scope holds it.
        self.all_grants = self.all_applications and _covers(user, Grant, call)
        self.all_entitlements = _covers(user, Entitlement, call)

    def applications(self) -> QuerySet[Application]:
        if self.all_applications:
            return Application.objects.filter(call=self.call)
        return applications_for(self.user).filter(call=self.call)

    def counted_applications(self) -> QuerySet[Application]:
        return self.applications().exclude(state=ApplicationState.WITHDRAWN)

    def requested_lines(self) -> QuerySet[CostLine]:
        if self.all_applications:
            return CostLine.objects.filter(application__call=self.call).exclude(
                application__state=ApplicationState.WITHDRAWN
            )
        return CostLine.objects.filter(application__in=self.counted_applications().values("pk"))

    def grants(self) -> QuerySet[Grant]:
        if self.all_grants:
            return Grant.objects.filter(call=self.call)
        return grants_for(self.user).filter(call=self.call)

    def claims(self) -> QuerySet[Claim]:
        if self.all_grants:
            return Claim.objects.filter(grant__call=self.call)
        return claims_for(self.user).filter(grant__call=self.call)

    def repaid(self) -> QuerySet[RepaymentClaim]:
        repayments = RepaymentClaim.objects.all() if self.all_grants else repayment_claims_for(self.user)
        return repayments.filter(grant__call=self.call, state=RepaymentClaim.State.REPAID)

    def entitlements(self) -> QuerySet[Entitlement]:
        if not self.all_entitlements:
            return entitlements_for(self.user).filter(call=self.call)
        queryset = Entitlement.objects.filter(call=self.call)
        if not can(self.user, Action.CHANGE, Entitlement):
            queryset = queryset.filter(published_at__isnull=False)
        return queryset


# The call's overview.


@dataclass(frozen=True)
class CallFigures:
    """A call's money against its funding source's budget, and its applications per state."""

    budget: Decimal
    requested: Decimal
    approved: Decimal
    claimed: Decimal
    paid: Decimal
    states: list[tuple[str, Text, int]]  # (state, label, count) in the states' order
    applications: int

    def share(self, amount: Decimal) -> Decimal | None:
        """``amount`` as a percentage of the budget, to one decimal (None without a budget)."""
        if not self.budget:
            return None
        return (Decimal(100) * amount / self.budget).quantize(Decimal("0.1"))


def call_figures(user, call: Call, reader: CallReader | None = None) -> CallFigures:
    """The call's figures over what ``user`` may see (four queries, and two for the reader)."""
    reader = reader or CallReader(user, call)
    counts = reader.state_counts
    states: list[tuple[str, Text, int]] = [
        (value, label, counts.get(value, 0)) for value, label in ApplicationState.choices
    ]
    requested = reader.requested_lines().aggregate(total=Sum("funding"))["total"] or ZERO
    approved = reader.grants().aggregate(total=Sum("approved_amount"))["total"] or ZERO
    claims = reader.claims().aggregate(
        claimed=Sum("amount", filter=Q(state__in=CLAIMED_STATES)),
        paid=Sum("amount", filter=Q(state=ClaimState.PAID)),
    )
    repaid = reader.repaid().aggregate(total=Sum("amount"))["total"] or ZERO
    return CallFigures(
        budget=call.funding_source.amount,
        requested=requested,
        approved=approved,
        claimed=claims["claimed"] or ZERO,
        paid=(claims["paid"] or ZERO) - repaid,
        states=states,
        applications=sum(counts.values()),
    )


def _sort_expression(sort: str):
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        key, descending = "name", False
    if key == "name":
        fields = [F("operator__name").desc() if descending else F("operator__name").asc()]
    else:
        fields = [F(key).desc() if descending else F(key).asc(), F("operator__name").asc()]
    return [*fields, F("operator_id").asc()], ("-" if descending else "") + key


def operator_rows(user, call: Call, reader: CallReader | None = None) -> QuerySet[CallEligibility]:
    """One row per operator of the call the user may see (their own only, for operator staff),
    annotated with ``entitlement`` (None when there is none the user may see), ``requested``,
    ``approved``, ``claimed``, ``paid`` and ``applications``."""
    reader = reader or CallReader(user, call)
    counted = reader.counted_applications()
    entitlement = reader.entitlements().filter(operator_id=OuterRef("operator_id")).order_by().values("amount")[:1]
    count = (
        counted.filter(operator_id=OuterRef("operator_id"))
        .order_by()
        .values("operator_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    claims = reader.claims()
    return (
        CallEligibility.objects.filter(call=call, operator__in=operators_for(user).values("pk"))
        .select_related("operator")
        .annotate(
            entitlement=Subquery(entitlement, output_field=MONEY_FIELD),
            requested=_sum_of(reader.requested_lines(), "application__operator_id", "funding"),
            approved=_sum_of(reader.grants(), "operator_id", "approved_amount"),
            claimed=_sum_of(claims.filter(state__in=CLAIMED_STATES), "grant__operator_id", "amount"),
            paid=_sum_of(claims.filter(state=ClaimState.PAID), "grant__operator_id", "amount")
            - _sum_of(reader.repaid(), "grant__operator_id", "amount"),
            applications=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        )
    )


def _values_by_operator(reader: CallReader, key: str) -> dict[int, Decimal | int]:
    """The figure ``key`` of every operator that has one, as one grouped query (two for paid)."""

    def grouped(queryset: QuerySet, group: str, value) -> dict:
        return dict(queryset.order_by().values(group).annotate(value=value).values_list(group, "value"))

    claims = reader.claims()
    if key == "entitlement":
        return dict(reader.entitlements().values_list("operator_id", "amount"))
    if key == "requested":
        return grouped(reader.requested_lines(), "application__operator_id", Sum("funding"))
    if key == "approved":
        return grouped(reader.grants(), "operator_id", Sum("approved_amount"))
    if key == "claimed":
        return grouped(claims.filter(state__in=CLAIMED_STATES), "grant__operator_id", Sum("amount"))
    if key == "applications":
        return grouped(reader.counted_applications(), "operator_id", Count("pk"))
    paid = grouped(claims.filter(state=ClaimState.PAID), "grant__operator_id", Sum("amount"))
    for operator_id, amount in grouped(reader.repaid(), "grant__operator_id", Sum("amount")).items():
        paid[operator_id] = paid.get(operator_id, ZERO) - amount
    return paid


def operator_page(
    user,
    call: Call,
    *,
    sort: str = "name",
    page: str | int | None = 1,
    per_page=OPERATORS_PER_PAGE,
    reader: CallReader | None = None,
):
    """A page of ``operator_rows`` sorted by ``sort`` (one of ``SORTS``, "-" for descending), and
    the sort actually used.

    By name, the database sorts and cuts the page, and computes the figures of the page's rows
    only. By an amount, one grouped query gives that figure for every operator (a hash aggregate,
    not a subquery per operator), the operators are sorted by it here (an operator without a
    visible entitlement last; then by name), and the figures are computed for the page's rows only."""
    reader = reader or CallReader(user, call)
    ordering, used = _sort_expression(sort)
    rows = operator_rows(user, call, reader)
    key = used.lstrip("-")
    if key == "name":
        return Paginator(rows.order_by(*ordering), per_page).get_page(page), used
    values = _values_by_operator(reader, key)
    operators = list(rows.order_by("operator__name", "operator_id").values_list("operator_id", flat=True))
    descending = used.startswith("-")
    if key != "entitlement":  # no lines, grants or claims: zero; no entitlement stays unknown
        values = {operator_id: values.get(operator_id) or 0 for operator_id in operators}
    present = [operator_id for operator_id in operators if values.get(operator_id) is not None]
    absent = [operator_id for operator_id in operators if values.get(operator_id) is None]
    # Stable sorts: the name order stays among equal figures.
    present.sort(key=lambda operator_id: values[operator_id], reverse=descending)
    # A page of operator ids, whose ids are then replaced by their rows.
    current: Page[Any] = Paginator(present + absent, per_page).get_page(page)
    by_operator = {row.operator_id: row for row in rows.filter(operator_id__in=list(current.object_list))}
    current.object_list = [by_operator[operator_id] for operator_id in current.object_list]
    return current, used


# An operator's funding page.


@dataclass
class DueItem:
    """Something the operator has to do, or that is coming: what, by when, and where."""

    kind: str
    text: str
    due_on: datetime.date | None = None
    url: str | None = None
    call_id: int | None = None
    call_code: str = ""


@dataclass
class OperatorCall:
    """One call of an operator's funding page, with the operator's figures in it."""

    call: Call
    entitlement: Decimal | None
    applied: Decimal
    approved: Decimal
    claimed: Decimal
    paid: Decimal
    applications: int
    due: list[DueItem] = field(default_factory=list)


class OperatorFigures(TypedDict):
    """What ``operator_calls`` annotates on a call: the operator's figures in it."""

    entitlement: Decimal | None
    applied: Decimal
    approved: Decimal
    claimed: Decimal
    paid: Decimal
    application_count: int


FiguredCall: TypeAlias = "WithAnnotations[Call, OperatorFigures]"


def operator_calls(user, operator) -> QuerySet[FiguredCall]:
    """The calls the operator may apply to (or applied to), that the user may see, each annotated
    with the operator's figures (one query)."""
    lines = CostLine.objects.filter(
        application__call=OuterRef("pk"),
        application__in=applications_for(user)
        .filter(operator=operator)
        .exclude(state=ApplicationState.WITHDRAWN)
        .values("pk"),
    )

    def total(queryset: QuerySet, group: str, amount: str):
        subquery = queryset.filter(**{group: OuterRef("pk")}).order_by().values(group).annotate(t=Sum(amount))
        return _zero(Subquery(subquery.values("t"), output_field=MONEY_FIELD))

    grants = grants_for(user).filter(operator=operator)
    claims = claims_for(user).filter(grant__operator=operator)
    repaid = repayment_claims_for(user).filter(grant__operator=operator, state=RepaymentClaim.State.REPAID)
    entitlement = entitlements_for(user).filter(call=OuterRef("pk"), operator=operator).order_by().values("amount")[:1]
    count = (
        applications_for(user)
        .filter(operator=operator, call=OuterRef("pk"))
        .exclude(state=ApplicationState.WITHDRAWN)
        .order_by()
        .values("call")
        .annotate(n=Count("pk"))
        .values("n")
    )
    requested = lines.order_by().values("application__call").annotate(t=Sum("funding")).values("t")
    listed = CallEligibility.objects.filter(operator=operator).values("call")
    applied_to = Application.objects.filter(operator=operator).values("call")
    return (
        calls_for(user)
        .filter(Q(pk__in=listed) | Q(pk__in=applied_to))
        .annotate(
            entitlement=Subquery(entitlement, output_field=MONEY_FIELD),
            applied=_zero(Subquery(requested, output_field=MONEY_FIELD)),
            approved=total(grants, "call", "approved_amount"),
            claimed=total(claims.filter(state__in=CLAIMED_STATES), "grant__call", "amount"),
            paid=total(claims.filter(state=ClaimState.PAID), "grant__call", "amount")
            - total(repaid, "grant__call", "amount"),
            application_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        )
        .order_by("-closes_at", "code")
    )


def operator_due(user, operator, *, limit: int = 50) -> dict[str, list]:
    """What is open at the operator beyond the calls' own deadlines: returned claims, proofs of
    use due or returned, open repayment claims (three queries, at most ``limit`` each)."""
    claims = (
        claims_for(user)
        .filter(grant__operator=operator, state=ClaimState.RETURNED)
        .order_by("grant__number", "number")[:limit]
    )
    proofs = (
        proofs_for(user)
        .filter(grant__operator=operator, state__in=(ProofState.DUE, ProofState.RETURNED))
        .order_by(F("due_on").asc(nulls_last=True), "grant__number")[:limit]
    )
    repayments = (
        repayment_claims_for(user)
        .filter(grant__operator=operator, state=RepaymentClaim.State.OPEN)
        .order_by(F("due_on").asc(nulls_last=True), "grant__number")[:limit]
    )
    return {"claims": list(claims), "proofs": list(proofs), "repayments": list(repayments)}


def may_see_funding(user) -> bool:
    """Whether the user has any part in funding calls (the menu entry, the pages)."""
    return can(user, Action.VIEW, Call)


def open_calls_without_application(user, *, now=None) -> QuerySet[Entitlement]:
    """Published entitlements in calls open now whose operator has no application in the call."""
    now = now or timezone.now()
    return (
        entitlements_for(user)
        .filter(published_at__isnull=False, call__opens_at__lte=now, call__closes_at__gt=now)
        .exclude(Exists(Application.objects.filter(call=OuterRef("call"), operator=OuterRef("operator"))))
    )
