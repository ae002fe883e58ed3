"""Reads of the analysis, restricted to the user: the latest run of a campaign, the schools' statuses
per benchmark with counts, the ranked proposals, and totals per operator and per region.

A school coordinator reads their school's status and proposal only; operator staff their
operator's schools; an authority's roles the whole run (``restrict`` on each model's scope paths).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce

from digileap.core.permissions import restrict

from ..models import AnalysisRun, Benchmark, Campaign, Proposal, SchoolStatus, Status

CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=18, decimal_places=2)


def _scoped(queryset: QuerySet, user) -> QuerySet:
    """``restrict`` for a user; ``user=None`` is the installation itself (reports, indicators)."""
    return queryset if user is None else restrict(queryset, user)


def latest_run(campaign: Campaign, user=None) -> AnalysisRun | None:
    """The campaign's newest run (that the user may see, when given)."""
    return _scoped(AnalysisRun.objects.filter(campaign=campaign), user).order_by("-computed_at", "-id").first()


def statuses_for(run: AnalysisRun, user) -> QuerySet[SchoolStatus]:
    return _scoped(SchoolStatus.objects.filter(run=run), user)


@dataclass
class BenchmarkCounts:
    """How many schools meet a benchmark, are moderate, below, or lack data."""

    benchmark: Benchmark
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def meets(self) -> int:
        return self.counts.get(Status.MEETS, 0)

    @property
    def moderate(self) -> int:
        return self.counts.get(Status.MODERATE, 0)

    @property
    def below(self) -> int:
        return self.counts.get(Status.BELOW, 0)

    @property
    def insufficient(self) -> int:
        return self.counts.get(Status.INSUFFICIENT, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def status_counts(run: AnalysisRun, user) -> list[BenchmarkCounts]:
    """Per benchmark of the run (in the programme's order), the count of each status the user may see."""
    rows = statuses_for(run, user).order_by().values("benchmark", "status").annotate(n=Count("pk"))
    by_benchmark: dict[int, dict[str, int]] = {}
    for row in rows:
        by_benchmark.setdefault(row["benchmark"], {})[row["status"]] = row["n"]
    benchmarks = Benchmark.objects.filter(pk__in=by_benchmark).order_by("position", "code")
    return [BenchmarkCounts(benchmark, by_benchmark[benchmark.pk]) for benchmark in benchmarks]


def proposals_ranked(run: AnalysisRun, user, *, operator=None) -> QuerySet[Proposal]:
    """The run's proposals the user may see, by rank, with the school and its operator."""
    proposals = (
        _scoped(Proposal.objects.filter(run=run), user)
        .select_related("school__operator")
        .annotate(
            one_off=ExpressionWrapper(F("uplink_capex") + F("wifi_capex") + F("switch_capex"), output_field=MONEY)
        )
    )
    if operator is not None:
        proposals = proposals.filter(school__operator=operator)
    return proposals.order_by("rank")


def region_expression():
    """The region of a proposal's school: its operator's region, or the authority's name when empty."""
    return Case(
        When(
            Q(school__operator__region="") | Q(school__operator__region__isnull=True), then=F("school__authority__name")
        ),
        default=F("school__operator__region"),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class Total:
    key: str
    label: str
    schools: int
    gap_mbps: Decimal
    capex: Decimal
    opex_year: Decimal
    total: Decimal


def _money(value) -> Decimal:
    return (value if value is not None else Decimal(0)).quantize(CENT)


def totals(run: AnalysisRun, user, *, by: str, operator=None) -> list[Total]:
    """Totals of the proposals the user may see, per operator (``by="operator"``) or per region
    (``by="region"``): schools, gap, one-off costs, running costs per year, total over the years.
    Largest total first, then by name."""
    proposals = proposals_ranked(run, user, operator=operator).order_by()
    grouped: QuerySet[Proposal, Mapping[str, Any]]
    if by == "operator":
        grouped = proposals.values(key=F("school__operator_id"), label=F("school__operator__name"))
    elif by == "region":
        grouped = proposals.annotate(region=region_expression()).values(key=F("region"), label=F("region"))
    else:
        raise ValueError(by)
    rows = grouped.annotate(
        n=Count("pk"),
        gap=Coalesce(Sum("gap_mbps"), Decimal(0), output_field=MONEY),
        capex=Coalesce(
            Sum(F("uplink_capex") + F("wifi_capex") + F("switch_capex"), output_field=MONEY),
            Decimal(0),
            output_field=MONEY,
        ),
        opex=Coalesce(Sum("uplink_opex_year"), Decimal(0), output_field=MONEY),
        sum_total=Coalesce(Sum("total"), Decimal(0), output_field=MONEY),
    )
    result = [
        Total(
            key=str(row["key"]),
            label=row["label"] or "",
            schools=row["n"],
            gap_mbps=_money(row["gap"]),
            capex=_money(row["capex"]),
            opex_year=_money(row["opex"]),
            total=_money(row["sum_total"]),
        )
        for row in rows
    ]
    result.sort(key=lambda total: (-total.total, total.label))
    return result


def grand_total(rows: list[Total]) -> Total:
    return Total(
        key="",
        label="",
        schools=sum(row.schools for row in rows),
        gap_mbps=sum((row.gap_mbps for row in rows), Decimal("0.00")),
        capex=sum((row.capex for row in rows), Decimal("0.00")),
        opex_year=sum((row.opex_year for row in rows), Decimal("0.00")),
        total=sum((row.total for row in rows), Decimal("0.00")),
    )
