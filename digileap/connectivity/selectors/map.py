"""Reads of the status map and the charts (docs/connectivity-map.md).

Everything starts from the campaigns the user may see (``restrict``): a campaign outside the scope
is a 404. The figures are those of the campaign's latest analysis run (the largest
``computed_at``, then ``id``), and the schools' rows are restricted again (``SchoolStatus``,
``Proposal`` and ``Uplink`` carry the school's scope), so an operator's staff see their operator's
schools and a school coordinator their own school only, even in a campaign that covers more.

The map's rows are read as plain tuples with only the columns the map needs (positions and money
cast to floating point in the database), so 40,000 schools are one query for the statuses and one
for the proposals.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, FloatField, OuterRef, QuerySet, Sum
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from digileap.core.permissions import restrict
from digileap.schools.models import SchoolOperator

from ..models import AnalysisRun, Benchmark, Campaign, Proposal, SchoolStatus, Status, SurveyResponse, Uplink

# The statuses in the order of the legend, each with its colour on the map (also in map.css).
STATUS_ORDER = [Status.MEETS, Status.MODERATE, Status.BELOW, Status.INSUFFICIENT]
STATUS_COLOURS = {
    Status.MEETS: "#1a9641",
    Status.MODERATE: "#fdae61",
    Status.BELOW: "#d7191c",
    Status.INSUFFICIENT: "#a0aec0",
}
STATUS_INDEX = {str(status): index for index, status in enumerate(STATUS_ORDER)}
OPTION_ORDER = [Proposal.Option.NONE, Proposal.Option.UPGRADE, Proposal.Option.FIBRE]
OPTION_INDEX = {str(option): index for index, option in enumerate(OPTION_ORDER)}

# The columns of a school's row in the map's JSON (``status`` and ``option`` index the lists of
# statuses and options; money and speeds in Mbit/s and EUR; ``null`` where nothing is known).
MAP_COLUMNS = [
    "id",
    "number",
    "name",
    "latitude",
    "longitude",
    "status",
    "measured",
    "required",
    "tests",
    "days",
    "option",
    "gap",
    "classrooms_without_wifi",
    "total",
]

STATUS_HELP = {
    Status.MEETS: _("The measured download speed reaches the benchmark."),
    Status.MODERATE: _("Between the benchmark's lower and upper threshold."),
    Status.BELOW: _("The measured download speed is below the benchmark."),
    Status.INSUFFICIENT: _("Too few tests or days with tests to judge."),
}


def campaigns_for(user) -> QuerySet[Campaign]:
    return restrict(Campaign.objects.select_related("programme"), user)


def campaign_get(user, pk: int) -> Campaign:
    """The campaign, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(campaigns_for(user), pk=pk)


def latest_run(campaign: Campaign) -> AnalysisRun | None:
    """The campaign's latest analysis run (largest ``computed_at``, then ``id``), or None."""
    return AnalysisRun.objects.filter(campaign=campaign).order_by("-computed_at", "-id").first()


def run_benchmarks(run: AnalysisRun) -> list[Benchmark]:
    """The benchmarks the run gave statuses for, in the programme's order."""
    used = SchoolStatus.objects.filter(run=run, benchmark=OuterRef("pk"))
    return list(
        Benchmark.objects.filter(programme_id=run.campaign.programme_id)
        .filter(Exists(used))
        .order_by("position", "code", "pk")
    )


def operators_for_map(user, campaign: Campaign) -> QuerySet[SchoolOperator]:
    """The operators of the programme's authority the user may see (the filter's choices)."""
    return restrict(SchoolOperator.objects.filter(authority_id=campaign.programme.authority_id), user).order_by(
        "name", "code"
    )


@dataclass(frozen=True)
class MapFilter:
    """What the map, its table and the charts show: one benchmark, optionally one operator's
    schools and one status."""

    run: AnalysisRun
    benchmark: Benchmark
    operator: SchoolOperator | None = None
    status: str = ""


def statuses_for(user, selection: MapFilter, *, with_status: bool = True) -> QuerySet[SchoolStatus]:
    """The statuses of the selection's benchmark in its run, for the schools the user may see."""
    queryset = restrict(SchoolStatus.objects.filter(run=selection.run, benchmark=selection.benchmark), user)
    if selection.operator is not None:
        queryset = queryset.filter(school__operator=selection.operator)
    if with_status and selection.status:
        queryset = queryset.filter(status=selection.status)
    return queryset


def proposals_for(user, run: AnalysisRun) -> QuerySet[Proposal]:
    return restrict(Proposal.objects.filter(run=run), user)


def status_counts(user, selection: MapFilter) -> dict[str, int]:
    """The number of schools per status (all four, in the legend's order), before the status filter."""
    counted = Counter(
        dict(
            statuses_for(user, selection, with_status=False)
            .order_by()
            .values("status")
            .annotate(schools=Count("pk"))
            .values_list("status", "schools")
        )
    )
    return {str(status): counted.get(str(status), 0) for status in STATUS_ORDER}


def _proposal_rows(user, run: AnalysisRun, school_ids=None) -> dict[int, tuple]:
    """``{school_id: (option index, gap, classrooms without Wi-Fi, total)}`` of the run's proposals."""
    queryset = proposals_for(user, run)
    if school_ids is not None:
        queryset = queryset.filter(school_id__in=school_ids)
    return {
        school_id: (OPTION_INDEX.get(option), gap, without_wifi, total)
        for school_id, option, gap, without_wifi, total in queryset.order_by()
        .annotate(gap_float=Cast("gap_mbps", FloatField()), total_float=Cast("total", FloatField()))
        .values_list("school_id", "option", "gap_float", "classrooms_without_wifi", "total_float")
        .iterator(chunk_size=10000)
    }


def _rounded(value: float | None, places: int = 2) -> float | int | None:
    if value is None:
        return None
    value = round(value, places)
    return int(value) if value == int(value) else value


def map_rows(user, selection: MapFilter) -> tuple[list[list], int]:
    """The map's rows (``MAP_COLUMNS``) of the placed schools, ordered by school number, and the
    number of schools without a position (left off the map, counted in the table)."""
    proposals = _proposal_rows(user, selection.run)
    rows, unplaced = [], 0
    for school_id, number, name, latitude, longitude, status, measured, required, tests, days in (
        statuses_for(user, selection)
        .order_by("school__number", "school_id")
        .annotate(lat=Cast("school__latitude", FloatField()), lon=Cast("school__longitude", FloatField()))
        .values_list(
            "school_id",
            "school__number",
            "school__name",
            "lat",
            "lon",
            "status",
            "measured_mbps",
            "required_mbps",
            "tests",
            "days",
        )
        .iterator(chunk_size=10000)
    ):
        if latitude is None or longitude is None:
            unplaced += 1
            continue
        option, gap, without_wifi, total = proposals.get(school_id, (None, None, None, None))
        rows.append(
            [
                school_id,
                number,
                name,
                latitude,
                longitude,
                STATUS_INDEX[status],
                _rounded(measured),
                _rounded(required),
                tests,
                days,
                option,
                _rounded(gap),
                without_wifi,
                _rounded(total),
            ]
        )
    return rows, unplaced


@dataclass
class TableRow:
    status: SchoolStatus
    proposal: Proposal | None


def table_rows(user, selection: MapFilter, statuses: list[SchoolStatus]) -> list[TableRow]:
    """One page of the table: the statuses (with their schools) and each school's proposal."""
    proposals = {
        proposal.school_id: proposal
        for proposal in proposals_for(user, selection.run).filter(school_id__in=[row.school_id for row in statuses])
    }
    return [TableRow(status, proposals.get(status.school_id)) for status in statuses]


def table_statuses(user, selection: MapFilter) -> QuerySet[SchoolStatus]:
    return (
        statuses_for(user, selection)
        .select_related("school", "school__operator")
        .order_by("school__number", "school_id")
    )


# The charts' rows (plain tuples for the pure functions of ``charts.py``).


def bandwidth_rows(user, selection: MapFilter) -> list[tuple[str, float | None, int | None]]:
    """``(school type, measured Mbit/s, pupils)`` per school with enough data for the benchmark."""
    return list(
        statuses_for(user, selection, with_status=False)
        .exclude(status=Status.INSUFFICIENT)
        .order_by("school__number", "school_id")
        .values_list("school__type_label", "measured_mbps", "school__pupils_total")
    )


def contracted_rows(user, selection: MapFilter) -> list[tuple[str, str, float | None, float | None]]:
    """``(school number, name, measured Mbit/s, contracted Mbit/s)`` per school with enough data.

    The contracted download is the sum of the contracted download of the uplinks in the school's
    submitted answers of the campaign (one answer per site); ``None`` without an answer."""
    contracted = {
        school_id: float(total)
        for school_id, total in restrict(
            Uplink.objects.filter(
                response__campaign_id=selection.run.campaign_id, response__state=SurveyResponse.State.SUBMITTED
            ),
            user,
        )
        .order_by()
        .values("response__school_id")
        .annotate(total=Sum("download_mbps"))
        .values_list("response__school_id", "total")
        if total is not None
    }
    return [
        (number, name, measured, contracted.get(school_id))
        for school_id, number, name, measured in statuses_for(user, selection, with_status=False)
        .exclude(status=Status.INSUFFICIENT)
        .order_by("school__number", "school_id")
        .values_list("school_id", "school__number", "school__name", "measured_mbps")
    ]


def contracted_share(benchmarks: list[Benchmark]) -> float:
    """The share of the contracted speed a school should reach: the run's first "measured against
    contracted" benchmark's, else 80 %."""
    for benchmark in benchmarks:
        if benchmark.kind == Benchmark.Kind.CONTRACTED and benchmark.share_percent is not None:
            return float(benchmark.share_percent)
    return 80.0
