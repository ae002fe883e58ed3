"""Writes to allocation rounds: define, compute a version, approve, publish.

A computation never changes an earlier version: it adds the next one. Lines are bulk-inserted (one
audit event per version carries the parameters, the totals and a SHA-256 of every line, so a later
change to a line is detectable). An approved round is locked: no edit, no new computation.
"""

import hashlib
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.bulk import RawJSON, bulk_insert
from digileap.core.permissions import Action, authorize
from digileap.core.services import create_audited, update_audited

from ..formula import FormulaError, compute, gc_paused, parse_formula
from ..inputs import load_inputs, operator_bases, parse_eligibility
from ..models import AllocationLine, AllocationRound, AllocationVersion

ROUND_FIELDS = [
    "code",
    "name",
    "description",
    "funding_source",
    "resource",
    "device_type",
    "total",
    "school_year",
    "method",
    "distribution",
    "eligibility",
    "formula",
]


def _check_definition(allocation_round: AllocationRound) -> None:
    """Formula and eligibility must parse; a units round splits a whole number of devices."""
    try:
        parse_formula(allocation_round.formula or {}, is_money=not allocation_round.is_units)
    except FormulaError as error:
        raise ValidationError({"formula": f"{error.path}: {error.message}"}) from None
    try:
        parse_eligibility(allocation_round.eligibility or {})
    except FormulaError as error:
        raise ValidationError({"eligibility": f"{error.path}: {error.message}"}) from None
    total = allocation_round.total
    if allocation_round.is_units and total is not None and Decimal(total) != Decimal(total).to_integral_value():
        raise ValidationError({"total": _("A round of devices splits a whole number of units.")})
    if allocation_round.resource == AllocationRound.Resource.MONEY and allocation_round.device_type:
        # Money rounds may name a device type only to count its declared need.
        if (allocation_round.formula or {}).get("need", "none") == "none":
            raise ValidationError({"device_type": _("A money round names a device type only to read needs.")})
    source = allocation_round.funding_source
    if source is not None and source.programme_id != allocation_round.programme_id:
        raise ValidationError({"funding_source": _("The funding source belongs to another programme.")})


def round_create(*, actor, programme, data: dict[str, Any]) -> AllocationRound:
    instance = AllocationRound(programme=programme, created_by=actor if getattr(actor, "pk", None) else None)
    return create_audited(actor=actor, instance=instance, data=data, allowed=ROUND_FIELDS, check=_check_definition)


def _refuse_when_locked(allocation_round: AllocationRound) -> None:
    if allocation_round.is_locked:
        raise ValidationError(_("The round is approved: it cannot be changed any more."))


@transaction.atomic
def round_update(*, actor, allocation_round: AllocationRound, data: dict[str, Any]) -> AllocationRound:
    """Change the definition; a computed round goes back to draft (its versions stay)."""
    locked = AllocationRound.objects.select_for_update().get(pk=allocation_round.pk)
    _refuse_when_locked(locked)

    def check(instance: AllocationRound) -> None:
        _check_definition(instance)
        instance.status = AllocationRound.Status.DRAFT

    return update_audited(actor=actor, instance=locked, data=data, allowed=ROUND_FIELDS, check=check)


def _lines_digest(rows: list[tuple]) -> str:
    """SHA-256 of "school_id:amount" lines (the amount as its Decimal prints), one per line."""
    return hashlib.sha256("".join(f"{row[0]}:{row[1]}\n" for row in rows).encode()).hexdigest()


@transaction.atomic
def round_compute(*, actor, allocation_round: AllocationRound, note: str = "") -> AllocationVersion:
    """Compute the round from the registry as it stands and store it as the next version.

    Loading, computing and storing 40,000 lines makes a few hundred thousand objects that live
    until the end: the cyclic garbage collector is paused meanwhile (``gc_paused``)."""
    with gc_paused():
        return _round_compute(actor=actor, allocation_round=allocation_round, note=note)


def _round_compute(*, actor, allocation_round: AllocationRound, note: str) -> AllocationVersion:
    allocation_round = (
        AllocationRound.objects.select_for_update().select_related("programme").get(pk=allocation_round.pk)
    )
    authorize(actor, Action.CHANGE, allocation_round)
    _refuse_when_locked(allocation_round)
    try:
        formula = parse_formula(allocation_round.formula or {}, is_money=not allocation_round.is_units)
        eligibility = parse_eligibility(allocation_round.eligibility or {})
        schools, excluded = load_inputs(allocation_round, formula, eligibility)
        result = compute(
            schools,
            formula,
            is_money=not allocation_round.is_units,
            total=allocation_round.total,
            distribution=allocation_round.distribution,
            method=allocation_round.method,
            operator_bases=operator_bases(allocation_round, formula),
        )
    except FormulaError as error:
        raise ValidationError(f"{error.path}: {error.message}") from None
    except ValueError as error:  # the apportionment's own checks (floors above the total, ...)
        raise ValidationError(str(error)) from None

    number = (allocation_round.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = AllocationVersion.objects.create(
        round=allocation_round,
        number=number,
        parameters={
            "total": None if allocation_round.total is None else str(allocation_round.total),
            "resource": allocation_round.resource,
            "device_type": allocation_round.device_type,
            "school_year": allocation_round.school_year,
            "method": allocation_round.method,
            "distribution": allocation_round.distribution,
            "eligibility": allocation_round.eligibility,
            "formula": allocation_round.formula,
            "excluded": excluded,
            "unallocated": str(result.unallocated),
            "warnings": result.warnings,
        },
        total=result.total,
        schools_count=result.schools_count,
        eligible_pupils=result.eligible_pupils,
        note=note,
        computed_by=actor if getattr(actor, "pk", None) else None,
        computed_at=timezone.now(),
    )
    rows = [
        (school_id, amount, claim, eligible, bound, RawJSON(explanation), version.pk)
        for school_id, amount, claim, eligible, bound, explanation in result.rows()
    ]
    bulk_insert(
        AllocationLine, ["school", "amount", "claim", "eligible_pupils", "bound", "explanation", "version"], rows
    )
    allocation_round.status = AllocationRound.Status.COMPUTED
    allocation_round.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="compute",
        instance=version,
        after={
            "round": allocation_round.code,
            "number": number,
            "total": str(result.total),
            "lines": len(rows),
            "lines_sha256": _lines_digest(rows),
        },
    )
    return version


@transaction.atomic
def version_approve(*, actor, version: AllocationVersion) -> AllocationVersion:
    """Approve a computed version: it becomes the round's result and the round is locked."""
    version = AllocationVersion.objects.select_for_update().select_related("round").get(pk=version.pk)
    allocation_round = AllocationRound.objects.select_for_update().get(pk=version.round_id)
    authorize(actor, Action.CHANGE, version)
    _refuse_when_locked(allocation_round)
    if version.status != AllocationVersion.Status.COMPUTED:
        raise ValidationError(_("Only a computed version can be approved."))
    if allocation_round.status != AllocationRound.Status.COMPUTED:
        raise ValidationError(_("The round's definition changed after this version: compute it again first."))
    newest = allocation_round.versions.aggregate(n=Max("number"))["n"]
    if version.number != newest:
        # An older version was computed from an older definition or older registry data.
        raise ValidationError(
            _("Only the latest version can be approved: version %(number)s is newer.") % {"number": newest}
        )
    version.status = AllocationVersion.Status.APPROVED
    version.approved_by = actor if getattr(actor, "pk", None) else None
    version.approved_at = timezone.now()
    version.save(update_fields=["status", "approved_by", "approved_at"])
    allocation_round.status = AllocationRound.Status.APPROVED
    allocation_round.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="approve",
        instance=version,
        before={"status": AllocationVersion.Status.COMPUTED},
        after={"status": version.status, "total": str(version.total)},
    )
    return version


@transaction.atomic
def version_publish(*, actor, version: AllocationVersion) -> AllocationVersion:
    """Publish the approved version: operators and schools now see their own lines."""
    version = AllocationVersion.objects.select_for_update().select_related("round").get(pk=version.pk)
    authorize(actor, Action.CHANGE, version)
    if version.status != AllocationVersion.Status.APPROVED:
        raise ValidationError(_("Only the approved version can be published."))
    version.status = AllocationVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    AllocationRound.objects.filter(pk=version.round_id).update(
        status=AllocationRound.Status.PUBLISHED, updated_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action="publish",
        instance=version,
        before={"status": AllocationVersion.Status.APPROVED},
        after={"status": version.status},
    )
    return version
