"""Reads of purchase orders and their lines, what a person placing an order may choose from, and the
comparison of what was ordered with what was allocated, per school.

Operator staff see the orders their operator buys; programme owners, funding administrators and the
auditor those of their authority's programmes; suppliers the orders made to them. School
coordinators see the order lines for their school (not whole orders).

What one may choose from when ordering follows the programme: its funding sources, the framework
contracts of its authority (operator staff read them here, although the contract's scope paths
reach authorities and suppliers only: an operator orders under its authority's contracts), the
suppliers of those contracts, and the schools the user may order for.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias, TypedDict

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django_stubs_ext import WithAnnotations

from digileap.allocation.models import AllocationLine, AllocationRound, AllocationVersion
from digileap.allocation.selectors.rounds import all_lines_for
from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, assignments_for, restrict
from digileap.programmes.models import PROGRAMME_SCOPE, FundingSource, Programme
from digileap.programmes.selectors import programmes_for
from digileap.schools.models import School, SchoolOperator

from ..models import Device, FrameworkContract, OrderLine, PurchaseOrder, Supplier
from .catalogue import COMMITTED_STATUSES, LINE_AMOUNT, suppliers_for

CENTS = Decimal("0.01")
APPROVED_VERSIONS = (AllocationVersion.Status.APPROVED, AllocationVersion.Status.PUBLISHED)
ORDER_AMOUNT = ExpressionWrapper(
    F("lines__quantity") * F("lines__unit_price"), output_field=DecimalField(max_digits=16, decimal_places=2)
)


def orders_for(user, action: str = Action.VIEW) -> QuerySet[PurchaseOrder]:
    return restrict(
        PurchaseOrder.objects.select_related(
            "programme", "programme__authority", "funding_source", "supplier", "contract", "operator", "created_by"
        ),
        user,
        action,
    )


def order_get(user, pk: int, action: str = Action.VIEW) -> PurchaseOrder:
    """The order, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(orders_for(user, action), pk=pk)


def with_totals(orders: QuerySet[PurchaseOrder]) -> QuerySet[PurchaseOrder]:
    """Orders with ``units`` and ``amount`` (EUR) of their lines."""
    return orders.annotate(units=Sum("lines__quantity"), amount=Sum(ORDER_AMOUNT))


def order_lines_for(user, action: str = Action.VIEW) -> QuerySet[OrderLine]:
    return restrict(
        OrderLine.objects.select_related(
            "order", "order__programme", "order__supplier", "device_model", "school", "school__operator"
        ),
        user,
        action,
    )


def order_line_get(user, pk: int, action: str = Action.VIEW) -> OrderLine:
    return get_object_or_404(order_lines_for(user, action), pk=pk)


def order_total(order: PurchaseOrder) -> Decimal:
    """EUR of the order's lines."""
    total = order.lines.aggregate(total=Sum(LINE_AMOUNT))["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


class LineDelivered(TypedDict):
    """What ``lines_of`` annotates on a line."""

    delivered: int


DeliveredLine: TypeAlias = "WithAnnotations[OrderLine, LineDelivered]"


def lines_of(order: PurchaseOrder) -> QuerySet[DeliveredLine]:
    """The order's lines with the devices delivered against each (``delivered``), in order of entry."""
    return (
        order.lines.select_related(
            "device_model", "school", "school__operator", "allocation_line", "allocation_line__version__round"
        )
        .annotate(delivered=Count("devices"))
        .order_by("pk")
    )


def order_history(order: PurchaseOrder) -> QuerySet[AuditEvent]:
    """Events about the order and its lines (also lines removed since), newest first."""
    lines = Q(object_type=OrderLine._meta.label_lower) & (Q(after__order=order.pk) | Q(before__order=order.pk))
    return AuditEvent.objects.filter(
        Q(object_type=PurchaseOrder._meta.label_lower, object_id=str(order.pk)) | lines
    ).order_by("-occurred_at", "-id")


# --- what one may choose from when ordering -----------------------------------------------------


def orderable_programmes(user) -> QuerySet[Programme]:
    """Programmes the user may place orders for: an owner's authority's, an operator's authority's."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, Action.ADD, PurchaseOrder):
        if assignment.scope_kind == "all":
            condition = Q()
            break
        path = PROGRAMME_SCOPE.get(assignment.scope_kind)
        if path is not None:
            condition |= Q(pk__in=Programme.objects.filter(**{path: assignment.scope_id}).values("pk"))
    return programmes_for(user).filter(condition).order_by("code", "pk")


def funding_sources_of(programme: Programme) -> QuerySet[FundingSource]:
    return FundingSource.objects.filter(programme=programme).order_by("position", "pk")


def buying_operators(user, programme: Programme) -> tuple[QuerySet[SchoolOperator], bool]:
    """The operators the user may order as in ``programme``, and whether an order without a buying
    operator (the authority buys centrally) is allowed too."""
    operators = SchoolOperator.objects.filter(authority=programme.authority_id)
    ids: list[int] = []
    central = False
    for assignment in assignments_for(user, Action.ADD, PurchaseOrder):
        if assignment.scope_kind == "all" or (
            assignment.scope_kind == "authority" and assignment.scope_id == programme.authority_id
        ):
            return operators.order_by("name", "pk"), True
        if assignment.scope_kind == "operator":
            ids.append(assignment.scope_id)
    return operators.filter(pk__in=ids).order_by("name", "pk"), central


def ordering_contracts(programme: Programme) -> QuerySet[FrameworkContract]:
    """Framework contracts of the programme's authority (the caller checked the programme)."""
    return FrameworkContract.objects.filter(authority=programme.authority_id).select_related("supplier")


def ordering_suppliers(user, programme: Programme) -> QuerySet[Supplier]:
    """Suppliers the user sees and those under contract with the programme's authority."""
    under_contract = Q(pk__in=ordering_contracts(programme).values("supplier"))
    visible = Q(pk__in=suppliers_for(user).values("pk"))
    return Supplier.objects.filter(under_contract | visible).order_by("name", "pk")


def _ordering_schools_q(user) -> Q | None:
    """Schools the user may order for, as a condition on School (None: every school), from the
    grants on OrderLine (reached from a school through ``school__...``)."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, Action.ADD, OrderLine):
        if assignment.scope_kind == "all":
            return None
        path = OrderLine.scope_paths.get(assignment.scope_kind, "")
        if not path.startswith("school"):
            continue
        school_path = "pk" if path == "school" else path.removeprefix("school__")
        condition |= Q(**{f"{school_path}__in": [assignment.scope_id]})
    return condition


def orderable_schools(user, order: PurchaseOrder) -> QuerySet[School]:
    """Schools of the order's programme's authority (of its buying operator, when set) the user may
    order for."""
    schools = School.objects.filter(authority=order.programme.authority_id).select_related("operator")
    if order.operator_id:
        schools = schools.filter(operator=order.operator_id)
    condition = _ordering_schools_q(user)
    if condition is not None:
        schools = schools.filter(condition)
    return schools.order_by("name", "number", "pk")


def allocation_lines_for_ordering(user, order: PurchaseOrder, school: School | None = None) -> QuerySet[AllocationLine]:
    """Lines of approved (or published) round versions of the order's programme that the user sees,
    for ``school`` when given."""
    lines = all_lines_for(user).filter(
        version__round__programme=order.programme_id, version__status__in=APPROVED_VERSIONS
    )
    if school is not None:
        lines = lines.filter(school=school)
    return lines.select_related("version__round").order_by("version__round__code", "school__name", "pk")


# --- ordered versus allocated -------------------------------------------------------------------


@dataclass
class SchoolComparison:
    """One school of a programme: what it was allocated, ordered and delivered."""

    school_id: int
    number: str = ""
    name: str = ""
    operator: str = ""
    allocated_units: Decimal = Decimal(0)
    allocated_eur: Decimal = Decimal("0.00")
    ordered_units: int = 0
    ordered_eur: Decimal = Decimal("0.00")
    delivered_units: int = 0

    @property
    def units_left(self) -> Decimal:
        """Units allocated but not (yet) ordered; negative: more ordered than allocated."""
        return self.allocated_units - self.ordered_units

    @property
    def eur_left(self) -> Decimal:
        """EUR allocated by money rounds but not (yet) ordered; negative: ordered beyond it."""
        return self.allocated_eur - self.ordered_eur

    @property
    def undelivered_units(self) -> int:
        return self.ordered_units - self.delivered_units


@dataclass
class Comparison:
    programme: Programme
    device_type: str
    rows: list[SchoolComparison] = field(default_factory=list)

    @property
    def totals(self) -> SchoolComparison:
        total = SchoolComparison(school_id=0)
        for name in ("allocated_units", "allocated_eur", "ordered_units", "ordered_eur", "delivered_units"):
            setattr(total, name, sum((getattr(row, name) for row in self.rows), getattr(total, name)))
        return total


def ordered_versus_allocated(user, programme: Programme, device_type: str = "") -> Comparison:
    """Per school of ``programme``: units allocated by approved units rounds (of ``device_type`` when
    given), EUR allocated by approved money rounds, units and EUR of the placed (or partly or fully
    delivered) orders (lines of models of ``device_type``), and the devices delivered against those
    lines. Only what the user may see counts. Four grouped queries and one for the schools' names;
    ordered by school number."""
    rows: dict[int, SchoolComparison] = {}

    def row(school_id: int) -> SchoolComparison:
        if school_id not in rows:
            rows[school_id] = SchoolComparison(school_id=school_id)
        return rows[school_id]

    allocation = all_lines_for(user).filter(version__round__programme=programme, version__status__in=APPROVED_VERSIONS)
    units = allocation.filter(version__round__resource=AllocationRound.Resource.UNITS)
    if device_type:
        units = units.filter(version__round__device_type=device_type)
    for school_id, amount in units.values_list("school").annotate(total=Sum("amount")).order_by():
        # Units rounds split whole devices; the figures read the same on every database.
        row(school_id).allocated_units = Decimal(amount or 0).quantize(Decimal(1))
    money = allocation.filter(version__round__resource=AllocationRound.Resource.MONEY)
    for school_id, amount in money.values_list("school").annotate(total=Sum("amount")).order_by():
        row(school_id).allocated_eur = Decimal(amount or 0).quantize(CENTS)

    ordered = order_lines_for(user).filter(order__programme=programme, order__status__in=COMMITTED_STATUSES)
    if device_type:
        ordered = ordered.filter(device_model__device_type=device_type)
    for school_id, quantity, amount in (
        ordered.values_list("school").annotate(units=Sum("quantity"), eur=Sum(LINE_AMOUNT)).order_by()
    ):
        entry = row(school_id)
        entry.ordered_units = quantity or 0
        entry.ordered_eur = Decimal(amount or 0).quantize(CENTS)
    delivered = (
        Device.objects.filter(order_line__in=ordered.values("pk"))
        .values_list("order_line__school")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for school_id, count in delivered:
        row(school_id).delivered_units = count

    schools = School.objects.filter(pk__in=list(rows)).values_list("pk", "number", "name", "operator__name")
    for pk, number, name, operator in schools:
        entry = rows[pk]
        entry.number, entry.name, entry.operator = number, name, operator
    ordered_rows = sorted(rows.values(), key=lambda entry: (entry.number, entry.school_id))
    return Comparison(programme=programme, device_type=device_type, rows=ordered_rows)
