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

from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
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


def _float(column: str, vendor: str) -> str:
    """``column`` as a floating point number rounded to two decimals, in the database."""
    if vendor == "postgresql":
        return f"CAST(ROUND(CAST({column} AS numeric), 2) AS double precision)"
    return f"ROUND(CAST({column} AS REAL), 2)"


def _index(column: str, indexes: dict[str, int]) -> str:
    """``column``'s position in ``indexes`` (the JSON's lists of statuses and options), in the database."""
    cases = " ".join(f"WHEN '{key}' THEN {index}" for key, index in indexes.items())  # constants, not input
    return f"CASE {column} {cases} END"


def map_rows(user, selection: MapFilter) -> tuple[list[list], int]:
    """The map's rows (``MAP_COLUMNS``) of the placed schools, ordered by school number, and the
    number of schools without a position (left off the map, counted in the table).

    The statuses come from the ORM, restricted to the user's scope; their SQL is then joined to
    the run's proposals (a proposal's scope is its school's, the same as the status's) and read
    with a plain cursor: one query, no model or row objects for 40,000 schools; the statuses and
    options come as their index in ``STATUS_ORDER`` and ``OPTION_ORDER``, speeds and money rounded
    to two decimals."""
    # Plain columns only: the SQL then selects them in this order (annotations would go last).
    statuses = (
        statuses_for(user, selection)
        .order_by()
        .values_list(
            "school_id",
            "school__number",
            "school__name",
            "school__latitude",
            "school__longitude",
            "status",
            "measured_mbps",
            "required_mbps",
            "tests",
            "days",
        )
    )
    vendor = connection.vendor
    real = "double precision" if vendor == "postgresql" else "REAL"
    inner, params = statuses.query.sql_with_params()
    names = "school_id, number, name, lat, lon, status, measured, required, tests, days"
    proposal = connection.ops.quote_name(Proposal._meta.db_table)
    sql = (
        f"WITH q ({names}) AS ({inner}) "
        f"SELECT q.school_id, q.number, q.name, CAST(q.lat AS {real}), CAST(q.lon AS {real}), "
        f"{_index('q.status', STATUS_INDEX)}, {_float('q.measured', vendor)}, {_float('q.required', vendor)}, "
        f"q.tests, q.days, {_index('p.option', OPTION_INDEX)}, "
        f"{_float('p.gap_mbps', vendor)}, p.classrooms_without_wifi, {_float('p.total', vendor)} "
        f"FROM q LEFT JOIN {proposal} p ON p.run_id = %s AND p.school_id = q.school_id "
        "ORDER BY q.number, q.school_id"
    )
    if statuses.query.is_empty():
        return [], 0
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, selection.run.pk])
        fetched = cursor.fetchall()
    rows = [row for row in fetched if row[3] is not None and row[4] is not None]
    return rows, len(fetched) - len(rows)


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
