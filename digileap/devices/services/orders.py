"""Writes of purchase orders: a draft with its lines, placing it, cancelling it, and the delivery
status the deliveries area refreshes after it links devices to order lines.

An order is paid from one funding source of one programme and goes to one supplier, under a
framework contract of the programme's authority with that supplier where there is one. Operator
staff order as their operator (``operator`` set to it) for their operator's schools; programme
owners for any school of their authority (``PurchaseOrder``/``OrderLine.scope_paths`` say so and
``authorize`` checks it). Every service locks the order first, authorises, validates, writes, and
records an audit event, in one transaction: a refusal writes nothing.
"""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.allocation.models import AllocationLine, AllocationRound, AllocationVersion
from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.programmes.models import Programme

from ..models import Device, DeviceModel, FrameworkContract, OrderLine, PurchaseOrder
from ..selectors.catalogue import contract_committed, contract_item_price
from ..selectors.orders import order_total

Status = PurchaseOrder.Status
APPROVED_VERSIONS = (AllocationVersion.Status.APPROVED, AllocationVersion.Status.PUBLISHED)
HEADER_FIELDS = ["funding_source", "supplier", "contract", "operator", "number", "note"]


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _locked(order: PurchaseOrder) -> PurchaseOrder:
    return (
        PurchaseOrder.objects.select_for_update(of=("self",)).select_related("programme", "contract").get(pk=order.pk)
    )


def _check_header(order: PurchaseOrder) -> None:
    """The order's funding source, contract and buyer belong to its programme's authority."""
    errors: dict[str, str] = {}
    programme = order.programme
    if order.funding_source_id and order.funding_source.programme_id != programme.pk:
        errors["funding_source"] = _("This funding source belongs to another programme.")
    contract = order.contract
    if contract is not None:
        if contract.authority_id != programme.authority_id:
            errors["contract"] = _("This contract belongs to another authority than the programme's.")
        elif contract.supplier_id != order.supplier_id:
            errors["contract"] = _("This contract is with %(contract_supplier)s, not with %(supplier)s.") % {
                "contract_supplier": contract.supplier.name,
                "supplier": order.supplier.name,
            }
    if order.operator is not None and order.operator.authority_id != programme.authority_id:
        errors["operator"] = _("This operator is not in the programme's authority.")
    if not order.number:
        errors["number"] = _("Enter the order number.")
    elif PurchaseOrder.objects.filter(programme=programme, number=order.number).exclude(pk=order.pk).exists():
        errors["number"] = _("The programme already has an order numbered %(number)s.") % {"number": order.number}
    if errors:
        raise ValidationError(errors)


def next_order_number(programme: Programme) -> str:
    """``PO-00001``, ``PO-00002``, ... per programme: one more than the highest such number."""
    highest = 0
    for number in PurchaseOrder.objects.filter(programme=programme, number__startswith="PO-").values_list(
        "number", flat=True
    ):
        match = re.fullmatch(r"PO-(\d+)", number)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"PO-{highest + 1:05d}"


@transaction.atomic
def order_create(
    *,
    actor,
    programme: Programme,
    funding_source,
    supplier,
    contract: FrameworkContract | None = None,
    operator=None,
    number: str = "",
    note: str = "",
) -> PurchaseOrder:
    """A draft order. Without a number the next free ``PO-nnnnn`` of the programme is taken."""
    order = PurchaseOrder(
        programme=programme,
        funding_source=funding_source,
        supplier=supplier,
        contract=contract,
        operator=operator,
        note=(note or "").strip(),
        status=Status.DRAFT,
    )
    authorize(actor, Action.ADD, order)
    number = (number or "").strip()
    if not number:
        # The programme's row serialises the numbering of concurrent drafts.
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        number = next_order_number(programme)
    order.number = number
    _check_header(order)
    order.created_by = _user_or_none(actor)
    order.full_clean()
    order.save()
    audit.record(actor=actor, action="create", instance=order, after=audit.snapshot(order))
    return order


def _refuse_unless_draft(order: PurchaseOrder, message: str) -> None:
    if order.status != Status.DRAFT:
        raise ValidationError(message % {"status": order.get_status_display()})


@transaction.atomic
def order_update(*, actor, order: PurchaseOrder, data: dict) -> PurchaseOrder:
    """Change a draft's funding source, supplier, contract, buyer, number or note."""
    order = _locked(order)
    authorize(actor, Action.CHANGE, order)
    _refuse_unless_draft(order, _("Only a draft order can be changed; this one is %(status)s."))
    unknown = set(data) - set(HEADER_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    before = audit.snapshot(order)
    for name, value in data.items():
        setattr(order, name, value.strip() if isinstance(value, str) else value)
    # A change may move the order to another buyer: it must stay within the actor's scope.
    authorize(actor, Action.CHANGE, order)
    _check_header(order)
    if order.operator_id:
        elsewhere = order.lines.exclude(school__operator_id=order.operator_id).select_related("school").first()
        if elsewhere is not None:
            raise ValidationError(
                {
                    "operator": _("The line for %(school)s is for a school of another operator.")
                    % {"school": elsewhere.school.name}
                }
            )
    order.full_clean()
    order.save()
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(order))
    if changed_after:
        audit.record(actor=actor, action="update", instance=order, before=changed_before, after=changed_after)
    return order


def _allocation_error(line_school, device_model: DeviceModel, programme: Programme, allocation_line) -> str | None:
    """Why ``allocation_line`` cannot fund a line of ``device_model`` for ``line_school``, or None."""
    version = allocation_line.version
    allocation_round = version.round
    if allocation_round.programme_id != programme.pk:
        return _("This allocation line belongs to another programme.")
    if version.status not in APPROVED_VERSIONS:
        return _("This allocation line is of a version that is not approved.")
    if allocation_line.school_id != line_school.pk:
        return _("This allocation line is for another school (%(school)s).") % {"school": allocation_line.school.name}
    if allocation_round.resource == AllocationRound.Resource.UNITS and allocation_round.device_type != (
        device_model.device_type
    ):
        return _("This allocation is of %(allocated)s, not of %(ordered)s.") % {
            "allocated": allocation_round.get_device_type_display(),
            "ordered": device_model.get_device_type_display(),
        }
    return None


@transaction.atomic
def order_line_add(
    *,
    actor,
    order: PurchaseOrder,
    device_model: DeviceModel,
    school,
    quantity: int,
    unit_price: Decimal | None = None,
    allocation_line: AllocationLine | None = None,
) -> OrderLine:
    """A line of a draft order. ``unit_price`` empty: the contract's price for the model, else its
    list price."""
    order = _locked(order)
    authorize(actor, Action.CHANGE, order)
    _refuse_unless_draft(order, _("Lines can be added only to a draft order; this one is %(status)s."))
    programme = order.programme
    errors: dict[str, str] = {}
    if device_model.authority_id != programme.authority_id:
        errors["device_model"] = _("This device model is not in the catalogue of the programme's authority.")
    elif not device_model.is_active:
        errors["device_model"] = _("%(model)s is no longer orderable.") % {"model": str(device_model)}
    if school.authority_id != programme.authority_id:
        errors["school"] = _("This school is not in the programme's authority (%(authority)s).") % {
            "authority": programme.authority.name
        }
    elif order.operator is not None and school.operator_id != order.operator_id:
        errors["school"] = _("This school is not run by the buying operator %(operator)s.") % {
            "operator": order.operator.name
        }
    if quantity is None or quantity < 1:
        errors["quantity"] = _("Order at least one device.")
    if unit_price is None:
        unit_price = contract_item_price(order.contract, device_model)
    elif unit_price < 0:
        errors["unit_price"] = _("The unit price cannot be negative.")
    if allocation_line is not None and "school" not in errors and "device_model" not in errors:
        if problem := _allocation_error(school, device_model, programme, allocation_line):
            errors["allocation_line"] = problem
    if errors:
        raise ValidationError(errors)
    line = OrderLine(
        order=order,
        device_model=device_model,
        school=school,
        quantity=quantity,
        unit_price=unit_price,
        allocation_line=allocation_line,
    )
    # Operator staff order for their operator's schools only, owners for their authority's.
    authorize(actor, Action.ADD, line)
    line.full_clean()
    line.save()
    audit.record(actor=actor, action="create", instance=line, after=audit.snapshot(line))
    return line


@transaction.atomic
def order_line_remove(*, actor, line: OrderLine) -> PurchaseOrder:
    """Take a line off a draft order."""
    order = _locked(line.order)
    authorize(actor, Action.CHANGE, order)
    line = OrderLine.objects.get(pk=line.pk)
    authorize(actor, Action.DELETE, line)
    _refuse_unless_draft(order, _("Lines can be removed only from a draft order; this one is %(status)s."))
    audit.record(actor=actor, action="delete", instance=line, before=audit.snapshot(line))
    line.delete()
    return order


def _line_errors(order: PurchaseOrder) -> list[str]:
    """What is wrong with the lines of ``order`` when it is placed, line by line."""
    problems = []
    programme = order.programme
    lines = order.lines.select_related(
        "school", "device_model", "allocation_line__school", "allocation_line__version__round"
    ).order_by("pk")
    for position, line in enumerate(lines, start=1):
        if line.school.authority_id != programme.authority_id:
            problems.append(
                _("Line %(position)s: %(school)s is not in the programme's authority (%(authority)s).")
                % {"position": position, "school": line.school.name, "authority": programme.authority.name}
            )
        elif line.allocation_line_id and (
            problem := _allocation_error(line.school, line.device_model, programme, line.allocation_line)
        ):
            problems.append(_("Line %(position)s: %(problem)s") % {"position": position, "problem": problem})
    return problems


@transaction.atomic
def order_place(*, actor, order: PurchaseOrder, ordered_on: datetime.date | None = None) -> PurchaseOrder:
    """Place a draft: it needs a line, a date within the contract's term, room under the contract's
    ceiling, and lines for schools of the programme's authority."""
    order = _locked(order)
    authorize(actor, Action.CHANGE, order)
    _refuse_unless_draft(order, _("Only a draft order can be placed; this one is %(status)s."))
    ordered_on = ordered_on or timezone.localdate()
    if not order.lines.exists():
        raise ValidationError(_("Add at least one line before placing the order."))
    errors: dict[str, list[str]] = {}
    contract = order.contract
    if contract is not None:
        # Locked, so that two orders placed at once cannot both take the last of the ceiling.
        contract = FrameworkContract.objects.select_for_update().get(pk=contract.pk)
        if not contract.starts_on <= ordered_on <= contract.ends_on:
            errors["ordered_on"] = [
                _("The contract %(reference)s runs from %(start)s to %(end)s: %(date)s is outside its term.")
                % {
                    "reference": contract.reference,
                    "start": contract.starts_on.isoformat(),
                    "end": contract.ends_on.isoformat(),
                    "date": ordered_on.isoformat(),
                }
            ]
        if contract.ceiling is not None:
            amount = order_total(order)
            committed = contract_committed(contract, excluding=order)
            if committed + amount > contract.ceiling:
                errors["contract"] = [
                    _(
                        "This order of EUR %(amount)s would take the orders under %(reference)s to EUR %(total)s, "
                        "above its ceiling of EUR %(ceiling)s."
                    )
                    % {
                        "amount": amount,
                        "reference": contract.reference,
                        "total": committed + amount,
                        "ceiling": contract.ceiling,
                    }
                ]
    if problems := _line_errors(order):
        errors["lines"] = problems
    if errors:
        raise ValidationError(errors)
    order.status = Status.PLACED
    order.ordered_on = ordered_on
    order.save(update_fields=["status", "ordered_on"])
    audit.record(
        actor=actor,
        action="place",
        instance=order,
        before={"status": Status.DRAFT, "ordered_on": None},
        after={"status": Status.PLACED, "ordered_on": ordered_on, "total": order_total(order)},
    )
    return order


@transaction.atomic
def order_cancel(*, actor, order: PurchaseOrder, reason: str = "") -> PurchaseOrder:
    """Cancel a draft or a placed order against which nothing was delivered."""
    order = _locked(order)
    authorize(actor, Action.CHANGE, order)
    if order.status == Status.CANCELLED:
        raise ValidationError(_("This order is already cancelled."))
    if order.status not in (Status.DRAFT, Status.PLACED) or Device.objects.filter(order_line__order=order).exists():
        raise ValidationError(_("Devices were delivered against this order: it can no longer be cancelled."))
    before = order.status
    order.status = Status.CANCELLED
    order.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="cancel",
        instance=order,
        before={"status": before},
        after={"status": Status.CANCELLED, "reason": (reason or "").strip()},
    )
    return order


def delivery_status(order: PurchaseOrder) -> str:
    """What the status of a placed order should be, from the devices linked to its lines."""
    lines = order.lines.annotate(delivered=Count("devices")).values_list("quantity", "delivered")
    delivered_any = False
    complete = True
    for quantity, delivered in lines:
        delivered_any = delivered_any or delivered > 0
        complete = complete and delivered >= quantity
    if delivered_any and complete:
        return Status.DELIVERED
    if delivered_any:
        return Status.PARTLY_DELIVERED
    return Status.PLACED


@transaction.atomic
def order_refresh_delivery_status(*, order: PurchaseOrder, actor=None) -> PurchaseOrder:
    """Set a placed order's status to placed, partly delivered or delivered from the devices linked
    to its lines (per line: delivered = devices with that ``order_line``). Drafts and cancelled
    orders stay as they are. The deliveries area calls this after it imported devices against
    order lines, having authorised its own import; ``actor`` names who it did it for in the audit."""
    order = _locked(order)
    if order.status in (Status.DRAFT, Status.CANCELLED):
        return order
    status = delivery_status(order)
    if status != order.status:
        before = order.status
        order.status = status
        order.save(update_fields=["status"])
        audit.record(
            actor=actor, action="delivery_status", instance=order, before={"status": before}, after={"status": status}
        )
    return order
