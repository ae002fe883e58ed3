"""Writes to entitlements: typed in per operator, or computed by the call's rule
(``entitlements.py``), then published to the operators.

Only the operators of the call get entitlements. Computing replaces every entitlement of the call
that is not published yet (typed or computed) and leaves published ones alone; typing in a new
amount for a published entitlement takes it back from the operators until it is published again.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.allocation.models import AllocationLine, AllocationRound, AllocationVersion
from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.schools.models import School, SchoolOperator

from ..entitlements import DefinitionError, SchoolFacts, compute, parse_definition
from ..models import Call, Entitlement
from ..rules import parse_money


@transaction.atomic
def entitlement_set(*, actor, call: Call, operator: SchoolOperator, amount: Any) -> Entitlement:
    """Type in ``operator``'s entitlement in ``call``."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if not call.eligibilities.filter(operator=operator).exists():
        raise ValidationError(
            {"operator": [_("%(operator)s may not apply to this call.") % {"operator": operator.name}]}
        )
    value, error = parse_money(amount, name=_("The entitlement"))
    if error:
        raise ValidationError({"amount": [error]})
    assert value is not None  # parse_money gives a number or an error
    entitlement = Entitlement.objects.select_for_update().filter(call=call, operator=operator).first()
    if entitlement is None:
        entitlement = Entitlement(call=call, operator=operator, amount=value, source=Entitlement.Source.TYPED)
        authorize(actor, Action.ADD, entitlement)
        entitlement.save()
        audit.record(actor=actor, action="create", instance=entitlement, after=audit.snapshot(entitlement))
        return entitlement
    authorize(actor, Action.CHANGE, entitlement)
    before = audit.snapshot(entitlement)
    entitlement.amount = value
    entitlement.source = Entitlement.Source.TYPED
    entitlement.explanation = {}
    entitlement.published_at = None
    entitlement.save()
    changed_before, changed_after = audit.changed_fields(before, audit.snapshot(entitlement))
    if changed_after:
        audit.record(actor=actor, action="update", instance=entitlement, before=changed_before, after=changed_after)
    return entitlement


def school_facts(call: Call) -> list[SchoolFacts]:
    """The schools of the call's operators, as the rule reads them."""
    rows = School.objects.filter(operator__funding_calls__call=call).values_list(
        "id", "operator_id", "number", "name", "type_code", "sector", "status", "pupils_total"
    )
    return [SchoolFacts(*row) for row in rows]


@transaction.atomic
def entitlements_compute(*, actor, call: Call) -> dict[str, int]:
    """Compute the entitlements of the call's operators by its rule. Returns counts:
    ``{"written": n, "kept_published": m}``."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    authorize(actor, Action.CHANGE, call)
    if not call.entitlement_definition:
        raise ValidationError({"entitlement_definition": [_("The call has no entitlement rule.")]})
    try:
        definition = parse_definition(call.entitlement_definition)
    except DefinitionError as error:
        raise ValidationError({"entitlement_definition": [str(error)]}) from None
    amounts = compute(definition, school_facts(call))
    operator_ids = list(call.eligibilities.values_list("operator_id", flat=True))
    published = set(call.entitlements.filter(published_at__isnull=False).values_list("operator_id", flat=True))
    before = {
        operator_id: str(amount)
        for operator_id, amount in call.entitlements.filter(published_at__isnull=True).values_list(
            "operator_id", "amount"
        )
    }
    call.entitlements.filter(published_at__isnull=True).delete()
    rows = []
    for operator_id in sorted(operator_ids):
        if operator_id in published:
            continue
        result = amounts.get(operator_id)
        rows.append(
            Entitlement(
                call=call,
                operator_id=operator_id,
                amount=result.amount if result else Decimal("0.00"),
                source=Entitlement.Source.COMPUTED,
                explanation=result.explanation if result else {"schools": [], "total": "0.00"},
            )
        )
    Entitlement.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action="update",
        instance=call,
        before={"entitlements": before},
        after={"entitlements": {str(row.operator_id): str(row.amount) for row in rows}},
    )
    return {"written": len(rows), "kept_published": len(published)}


@transaction.atomic
def entitlements_publish(*, actor, call: Call) -> int:
    """Publish every unpublished entitlement of the call to its operator. Returns how many."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    authorize(actor, Action.CHANGE, call)
    pending = list(call.entitlements.select_for_update().filter(published_at__isnull=True).order_by("operator_id"))
    for entitlement in pending:
        authorize(actor, Action.CHANGE, entitlement)
    now = timezone.now()
    Entitlement.objects.filter(pk__in=[entitlement.pk for entitlement in pending]).update(published_at=now)
    if pending:
        audit.record(
            actor=actor,
            action="update",
            instance=call,
            before={"published_entitlements": []},
            after={"published_entitlements": [entitlement.operator_id for entitlement in pending]},
        )
    return len(pending)


@transaction.atomic
def entitlements_from_round(*, actor, call: Call, round) -> dict[str, int]:
    """Take each operator's entitlement from an allocation round (issue 4): the sum of its schools'
    amounts in the round's approved (or published) version. The round must be of the call's
    programme and split money. Like ``entitlements_compute``, it replaces every unpublished
    entitlement of the call's operators and keeps published ones; an operator of the call without
    a school in the round gets EUR 0.00. Returns ``{"written": n, "kept_published": m}``."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    authorize(actor, Action.CHANGE, call)
    if not isinstance(round, AllocationRound):
        raise ValidationError({"round": [_("Choose an allocation round.")]})
    authorize(actor, Action.VIEW, round)
    if round.programme_id != call.programme_id:
        raise ValidationError({"round": [_("The allocation round must be of the call's programme.")]})
    if round.resource != AllocationRound.Resource.MONEY:
        raise ValidationError({"round": [_("The allocation round splits devices, not money.")]})
    version = (
        AllocationVersion.objects.filter(
            round=round, status__in=[AllocationVersion.Status.APPROVED, AllocationVersion.Status.PUBLISHED]
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ValidationError({"round": [_("The allocation round has no approved version yet.")]})
    operator_ids = sorted(call.eligibilities.values_list("operator_id", flat=True))
    schools: dict[int, list[dict]] = {}
    for school_id, operator_id, number, name, amount in (
        AllocationLine.objects.filter(version=version, school__operator_id__in=operator_ids)
        .order_by("school__operator_id", "school__number", "school_id")
        .values_list("school_id", "school__operator_id", "school__number", "school__name", "amount")
    ):
        schools.setdefault(operator_id, []).append(
            {"school": school_id, "number": number, "name": name, "amount": str(amount)}
        )
    published = set(call.entitlements.filter(published_at__isnull=False).values_list("operator_id", flat=True))
    before = {
        str(operator_id): str(amount)
        for operator_id, amount in call.entitlements.filter(published_at__isnull=True).values_list(
            "operator_id", "amount"
        )
    }
    call.entitlements.filter(published_at__isnull=True).delete()
    rows = []
    for operator_id in operator_ids:
        if operator_id in published:
            continue
        lines = schools.get(operator_id, [])
        total = sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))
        rows.append(
            Entitlement(
                call=call,
                operator_id=operator_id,
                amount=total,
                source=Entitlement.Source.COMPUTED,
                explanation={
                    "round": {"id": round.pk, "code": round.code, "version": version.number},
                    "schools": lines,
                    "total": str(total),
                },
            )
        )
    Entitlement.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action="update",
        instance=call,
        before={"entitlements": before},
        after={
            "entitlements": {str(row.operator_id): str(row.amount) for row in rows},
            "allocation_round": {"code": round.code, "version": version.number},
        },
    )
    return {"written": len(rows), "kept_published": len(published)}
