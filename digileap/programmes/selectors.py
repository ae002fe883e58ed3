"""Reads of programmes. Every function takes the acting user and returns only what they may see;
``public_*`` functions serve the pages without login and return only public programmes."""

import datetime
from decimal import Decimal

from django.db.models import F, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from digileap.core.permissions import Action, permits, restrict

from .models import (
    EvidenceDocument,
    EvidencePack,
    FundingSource,
    FundingTransaction,
    IndicatorDefinition,
    IndicatorSnapshot,
    ManualValue,
    Objective,
    Programme,
    Target,
)

CENTS = Decimal("0.01")


def programmes_for(user, action: str = Action.VIEW) -> QuerySet[Programme]:
    return restrict(Programme.objects.select_related("authority"), user, action)


def programme_get(user, pk: int, action: str = Action.VIEW) -> Programme:
    return get_object_or_404(programmes_for(user, action), pk=pk)


def funding_sources_for(user, action: str = Action.VIEW) -> QuerySet[FundingSource]:
    return restrict(FundingSource.objects.select_related("programme"), user, action)


def objectives_for(user, action: str = Action.VIEW) -> QuerySet[Objective]:
    return restrict(Objective.objects.select_related("programme"), user, action)


def indicators_for(user, action: str = Action.VIEW) -> QuerySet[IndicatorDefinition]:
    return restrict(IndicatorDefinition.objects.select_related("programme"), user, action)


def targets_for(user, action: str = Action.VIEW) -> QuerySet[Target]:
    return restrict(Target.objects.select_related("programme", "indicator"), user, action)


def target_get(user, pk: int, action: str = Action.VIEW) -> Target:
    return get_object_or_404(targets_for(user, action), pk=pk)


def snapshots_for(user, action: str = Action.VIEW) -> QuerySet[IndicatorSnapshot]:
    return restrict(IndicatorSnapshot.objects.select_related("target"), user, action)


def evidence_documents_for(user, action: str = Action.VIEW) -> QuerySet[EvidenceDocument]:
    return restrict(EvidenceDocument.objects.select_related("programme", "target"), user, action)


def manual_values_for(user, action: str = Action.VIEW) -> QuerySet[ManualValue]:
    return restrict(ManualValue.objects.select_related("indicator"), user, action)


def funding_transactions_for(user, action: str = Action.VIEW) -> QuerySet[FundingTransaction]:
    return restrict(FundingTransaction.objects.select_related("programme", "source", "school"), user, action)


def evidence_packs_for(user, action: str = Action.VIEW) -> QuerySet[EvidencePack]:
    return restrict(EvidencePack.objects.select_related("target__programme", "requested_by"), user, action)


def evidence_pack_get(user, pk: int, action: str = Action.VIEW) -> EvidencePack:
    return get_object_or_404(evidence_packs_for(user, action), pk=pk)


def evidence_target_get(user, pk: int) -> Target:
    """A target whose evidence the user may read (owners, funding administrators, auditors)."""
    target = target_get(user, pk)
    if not permits(user, Action.VIEW, EvidencePack(target=target)):
        raise Http404
    return target


def budget_by_source(programme: Programme, transactions: QuerySet[FundingTransaction] | None = None) -> list[dict]:
    """Each funding source of the programme with its budget, committed and paid amounts.

    Pass ``transactions`` (already restricted to the user) to count only the entries they may see."""
    if transactions is None:
        transactions = FundingTransaction.objects.all()
    sums = {
        (row["source_id"], row["kind"]): row["total"]
        for row in transactions.filter(programme=programme)
        .order_by()
        .values("source_id", "kind")
        .annotate(total=Sum("amount"))
    }
    rows = []
    for source in programme.funding_sources.all():
        rows.append(
            {
                "source": source,
                "budget": source.amount,
                # Quantized: SQLite adds decimals as floating point.
                "committed": Decimal(sums.get((source.pk, FundingTransaction.Kind.COMMITTED)) or 0).quantize(CENTS),
                "paid": Decimal(sums.get((source.pk, FundingTransaction.Kind.PAID)) or 0).quantize(CENTS),
            }
        )
    return rows


def public_programmes() -> QuerySet[Programme]:
    """Programmes shown to everyone, without login."""
    return Programme.objects.filter(is_public=True).select_related("authority")


def public_programme_get(code: str) -> Programme:
    targets = Target.objects.select_related("indicator").order_by("due_date", "position")
    queryset = public_programmes().prefetch_related(
        Prefetch("targets", queryset=targets), "funding_sources", "objectives"
    )
    return get_object_or_404(queryset, code=code)


def latest_snapshots(targets, as_of: datetime.date | None = None) -> dict[int, IndicatorSnapshot]:
    """The newest snapshot of each target (on or before ``as_of``), by target id."""
    newest = IndicatorSnapshot.objects.filter(target=OuterRef("target"))
    if as_of is not None:
        newest = newest.filter(date__lte=as_of)
    newest_day = newest.order_by("-date").values("date")[:1]
    queryset = IndicatorSnapshot.objects.filter(target__in=targets, date=Subquery(newest_day))
    return {snapshot.target_id: snapshot for snapshot in queryset}


def reached_dates(targets, as_of: datetime.date | None = None) -> dict[int, datetime.date]:
    """The first snapshot day (on or before ``as_of``) on which each target's value had reached its
    target value, by target id; targets that never reached it are left out. A target that goes down
    (a baseline above the target value) is reached when the value is at or below it. One query."""
    snapshots = IndicatorSnapshot.objects.filter(target__in=targets).filter(
        Q(target__target_value__gte=F("target__baseline"), value__gte=F("target__target_value"))
        | Q(target__target_value__lt=F("target__baseline"), value__lte=F("target__target_value"))
    )
    if as_of is not None:
        snapshots = snapshots.filter(date__lte=as_of)
    rows = snapshots.order_by().values("target_id").annotate(first=Min("date")).values_list("target_id", "first")
    return dict(rows)


def target_progress(targets, as_of: datetime.date) -> list[dict]:
    """Each target with its value and status on ``as_of``, computed from the data now, and the
    trend of its stored snapshots (for targets without an installed indicator: no value).

    An achieved target has ``reached_on``: the first snapshot day its value reached the target
    (``reached_dates``), and ``reached_late`` when that day is after its due date."""
    from .indicators import get_kind
    from .status import Status, assess, target_start

    targets = list(targets.select_related("indicator", "programme"))
    since = as_of - datetime.timedelta(days=60)
    history: dict[int, list] = {target.pk: [] for target in targets}
    for target_id, day, value in IndicatorSnapshot.objects.filter(
        target__in=targets, date__gte=since, date__lt=as_of
    ).values_list("target_id", "date", "value"):
        history[target_id].append((day, value))
    reached = reached_dates(targets, as_of)
    rows = []
    for target in targets:
        kind = get_kind(target.indicator.kind) if target.indicator_id else None
        row = {"target": target, "kind": kind, "value": None, "assessment": None, "reached_on": None}
        if kind is not None:
            row["value"] = kind.compute(target, as_of)
            row["assessment"] = assess(
                value=row["value"],
                baseline=target.baseline,
                target_value=target.target_value,
                due_date=target.due_date,
                as_of=as_of,
                start=target_start(target),
                snapshots=history[target.pk],
            )
            if row["assessment"].status == Status.ACHIEVED:
                row["reached_on"] = reached.get(target.pk)
        row["reached_late"] = row["reached_on"] is not None and row["reached_on"] > target.due_date
        rows.append(row)
    return rows
