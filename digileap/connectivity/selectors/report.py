"""What the connectivity report shows, read from the models of one analysis run.

The report part reads the models itself (it does not call the analysis or map parts): the run's
statuses and proposals, the campaign's answers and uplinks, the daily summaries and raw rows of the
window, the programme's benchmarks and cost parameters. Everything here is language-free (codes,
numbers, dates); ``digileap.connectivity.report`` puts it into words.

Who may read the report: programme owners, funding administrators, auditors and administrators,
for the campaigns in their scope. Operator staff and school coordinators may not: the report is
the programme's deliverable and its tables rank and total every school of the campaign, which a
report cut down to a few schools would misstate (they read their own schools' statuses on the map).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db.models import Count, Q, QuerySet, Sum

from digileap.accounts.models import Role
from digileap.core.model_fields import model_field
from digileap.core.permissions import has_role, restrict

from ..models import (
    AnalysisRun,
    Benchmark,
    Campaign,
    CampaignSchool,
    CostParameters,
    DailyAggregate,
    Measurement,
    Proposal,
    SchoolStatus,
    Status,
    SurveyResponse,
    Uplink,
)

REPORT_ROLES = (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR)
STATUSES = [Status.MEETS, Status.MODERATE, Status.BELOW, Status.INSUFFICIENT]
ZERO = Decimal("0.00")


def may_read_reports(user) -> bool:
    return has_role(user, *REPORT_ROLES)


def report_campaigns(user) -> QuerySet:
    """The campaigns whose report ``user`` may read (none for the school side)."""
    if not may_read_reports(user):
        return Campaign.objects.none()
    return restrict(Campaign.objects.select_related("programme__authority"), user)


def latest_run(campaign: Campaign) -> AnalysisRun | None:
    """The campaign's newest analysis (latest ``computed_at``, then highest id)."""
    return AnalysisRun.objects.filter(campaign=campaign).order_by("-computed_at", "-id").first()


def find_campaign(identifier: str) -> Campaign:
    """A campaign by its code, or ``PROGRAMME_CODE/CAMPAIGN_CODE`` when codes repeat. Raises
    ``LookupError`` with a sentence saying what was not found or what is ambiguous."""
    text = str(identifier).strip()
    campaigns = Campaign.objects.select_related("programme")
    if "/" in text:
        programme_code, code = text.split("/", 1)
        campaigns = campaigns.filter(programme__code=programme_code.strip(), code=code.strip())
    else:
        campaigns = campaigns.filter(code=text)
    found = list(campaigns.order_by("programme__code")[:10])
    if not found:
        raise LookupError(f"no campaign {text!r}")
    if len(found) > 1:
        names = ", ".join(f"{c.programme.code}/{c.code}" for c in found)
        raise LookupError(f"the code {text!r} is used in several programmes ({names}): write PROGRAMME_CODE/CODE")
    return found[0]


@dataclass
class SchoolRow:
    """One school of the campaign, as the report counts it."""

    pk: int
    number: str
    name: str
    region: str
    school_type: str
    operator: str
    pupils: int | None
    surveyed: bool = False
    classrooms: int = 0
    classrooms_wifi: int = 0
    technologies: set[str] = field(default_factory=set)
    contracted_mbps: Decimal | None = None
    problems: set[str] = field(default_factory=set)
    measured_mbps: float | None = None
    tests: int = 0
    days: int = 0
    statuses: dict[int, str] = field(default_factory=dict)

    @property
    def is_measured(self) -> bool:
        return self.tests > 0

    @property
    def has_enough_data(self) -> bool:
        return any(status != Status.INSUFFICIENT for status in self.statuses.values())

    @property
    def mbps_per_pupil(self) -> float | None:
        if self.measured_mbps is None or not self.pupils:
            return None
        return self.measured_mbps / self.pupils


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class Group:
    """The findings of a set of schools (a region, a school type, everything)."""

    label: str
    schools: int
    surveyed: int
    measured: int
    enough_data: int
    median_mbps: float | None
    median_mbps_per_pupil: float | None
    classrooms: int
    classrooms_wifi: int
    statuses: dict[int, dict[str, int]]  # benchmark id -> status -> schools
    technologies: dict[str, int]  # technology -> schools
    problems: dict[str, int]  # problem -> schools

    @property
    def wifi_share(self) -> float | None:
        return self.classrooms_wifi / self.classrooms if self.classrooms else None


def group_of(label: str, rows: list[SchoolRow], benchmarks: list[Benchmark]) -> Group:
    statuses: dict[int, dict[str, int]] = {b.pk: dict.fromkeys(STATUSES, 0) for b in benchmarks}
    technologies: Counter = Counter()
    problems: Counter = Counter()
    for row in rows:
        for benchmark_id, status in row.statuses.items():
            if benchmark_id in statuses:
                statuses[benchmark_id][status] += 1
        technologies.update(row.technologies)
        problems.update(row.problems)
    return Group(
        label=label,
        schools=len(rows),
        surveyed=sum(row.surveyed for row in rows),
        measured=sum(row.is_measured for row in rows),
        enough_data=sum(row.has_enough_data for row in rows),
        median_mbps=_median([row.measured_mbps for row in rows if row.measured_mbps is not None]),
        median_mbps_per_pupil=_median([row.mbps_per_pupil for row in rows if row.mbps_per_pupil is not None]),
        classrooms=sum(row.classrooms for row in rows),
        classrooms_wifi=sum(row.classrooms_wifi for row in rows),
        statuses={key: {str(s): n for s, n in value.items()} for key, value in statuses.items()},
        technologies=dict(sorted(technologies.items())),
        problems=dict(sorted(problems.items())),
    )


def groups_by(rows: list[SchoolRow], key, benchmarks: list[Benchmark], empty_label: str) -> list[Group]:
    grouped: dict[str, list[SchoolRow]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    ordered = sorted(grouped.items(), key=lambda item: (item[0] == "", item[0].casefold(), item[0]))
    return [group_of(label or empty_label, members, benchmarks) for label, members in ordered]


@dataclass
class ProposalRow:
    rank: int
    number: str
    name: str
    region: str
    operator: str
    option: str
    gap_mbps: Decimal
    classrooms_without_wifi: int
    capex: Decimal
    opex_year: Decimal
    total: Decimal


@dataclass
class ProposalTotal:
    label: str
    schools: int = 0
    capex: Decimal = ZERO
    opex_year: Decimal = ZERO
    total: Decimal = ZERO

    def add(self, row: ProposalRow) -> None:
        self.schools += 1
        self.capex += row.capex
        self.opex_year += row.opex_year
        self.total += row.total


def proposal_totals(rows: list[ProposalRow], key, empty_label: str) -> list[ProposalTotal]:
    totals: dict[str, ProposalTotal] = {}
    for row in rows:
        label = key(row)
        totals.setdefault(label, ProposalTotal(label or empty_label)).add(row)
    return [totals[label] for label in sorted(totals, key=lambda text: (text == "", text.casefold(), text))]


@dataclass
class ReportData:
    run: AnalysisRun
    campaign: Campaign
    benchmarks: list[Benchmark]
    costs: CostParameters | None
    schools: list[SchoolRow]
    sources: list[tuple[str, int]]  # measurement source -> raw rows in the window
    aggregate_days: int  # daily summaries in the window
    aggregate_tests: int  # tests they count
    proposals: list[ProposalRow]

    @property
    def programme(self):
        return self.campaign.programme


def report_data(run: AnalysisRun) -> ReportData:
    """Every figure of ``run``'s report (all the campaign's schools: the report is not cut down)."""
    campaign = Campaign.objects.select_related("programme__authority").get(pk=run.campaign_id)
    covered = (
        CampaignSchool.objects.filter(campaign=campaign)
        .select_related("school__operator")
        .order_by("school__number", "school_id")
    )
    rows: dict[int, SchoolRow] = {}
    for link in covered:
        school = link.school
        rows[school.pk] = SchoolRow(
            pk=school.pk,
            number=school.number,
            name=school.name,
            region=school.operator.region or "",
            school_type=school.type_label or school.type_code or "",
            operator=school.operator.name,
            pupils=school.pupils_total,
        )
    school_ids = list(rows)

    responses = SurveyResponse.objects.filter(
        campaign=campaign, school_id__in=school_ids, state=SurveyResponse.State.SUBMITTED
    ).order_by("school_id", "site_id", "id")
    for response in responses:
        row = rows[response.school_id]
        row.surveyed = True
        row.classrooms += response.classrooms
        row.classrooms_wifi += response.classrooms_wifi
        row.problems.update(str(problem) for problem in (response.problems or []))
    uplinks = Uplink.objects.filter(
        response__campaign=campaign,
        response__school_id__in=school_ids,
        response__state=SurveyResponse.State.SUBMITTED,
    ).values_list("response__school_id", "technology", "download_mbps")
    for school_id, technology, download in uplinks:
        row = rows[school_id]
        row.technologies.add(technology)
        row.contracted_mbps = (row.contracted_mbps or ZERO) + download

    benchmarks = run_benchmarks(run, campaign)
    statuses = SchoolStatus.objects.filter(run=run, school_id__in=school_ids).order_by(
        "school_id", "benchmark__position", "benchmark__code", "benchmark_id"
    )
    for status in statuses:
        row = rows[status.school_id]
        row.statuses[status.benchmark_id] = status.status
        if row.measured_mbps is None and status.measured_mbps is not None:
            row.measured_mbps = status.measured_mbps
        row.tests = max(row.tests, status.tests)
        row.days = max(row.days, status.days)

    window = {"day__gte": run.window_start, "day__lte": run.as_of}
    summaries = DailyAggregate.objects.filter(school_id__in=school_ids, **window).aggregate(
        days=Count("id"), tests=Sum("tests")
    )
    sources = list(
        Measurement.objects.filter(
            school_id__in=school_ids, measured_at__date__gte=run.window_start, measured_at__date__lte=run.as_of
        )
        .values("source")
        .annotate(rows=Count("id"))
        .order_by("source")
        .values_list("source", "rows")
    )

    proposals = []
    for proposal in (
        Proposal.objects.filter(run=run, school_id__in=school_ids).order_by("rank", "school__number", "id").iterator()
    ):
        row = rows[proposal.school_id]
        proposals.append(
            ProposalRow(
                rank=proposal.rank,
                number=row.number,
                name=row.name,
                region=row.region,
                operator=row.operator,
                option=proposal.option,
                gap_mbps=proposal.gap_mbps,
                classrooms_without_wifi=proposal.classrooms_without_wifi,
                capex=proposal.uplink_capex + proposal.wifi_capex + proposal.switch_capex,
                opex_year=proposal.uplink_opex_year,
                total=proposal.total,
            )
        )

    return ReportData(
        run=run,
        campaign=campaign,
        benchmarks=benchmarks,
        costs=run_costs(run, campaign, benchmarks),
        schools=list(rows.values()),
        sources=sources,
        aggregate_days=summaries["days"] or 0,
        aggregate_tests=summaries["tests"] or 0,
        proposals=proposals,
    )


def run_benchmarks(run: AnalysisRun, campaign: Campaign) -> list[Benchmark]:
    """The benchmarks as the run used them (its copy in ``parameters``), not as they are now: a
    benchmark changed or deleted later does not change an earlier run's report. Runs without a
    copy read the benchmarks they have statuses for and the programme's current ones."""
    copies = (run.parameters or {}).get("benchmarks")
    if copies is None:
        used = set(SchoolStatus.objects.filter(run=run).values_list("benchmark_id", flat=True).distinct())
        return list(
            Benchmark.objects.filter(Q(pk__in=used) | Q(programme=campaign.programme)).order_by(
                "position", "code", "pk"
            )
        )
    field = partial(model_field, Benchmark)
    return [
        Benchmark(
            id=copy["id"],
            programme_id=campaign.programme_id,
            position=position,
            **{name: field(name).to_python(copy.get(name)) for name in BENCHMARK_COPY_FIELDS},
        )
        for position, copy in enumerate(copies)
    ]


BENCHMARK_COPY_FIELDS = (
    "code",
    "name",
    "kind",
    "threshold_mbps",
    "lower_mbps",
    "share_percent",
    "min_tests",
    "min_days",
)


def run_costs(run: AnalysisRun, campaign: Campaign, benchmarks: list[Benchmark]) -> CostParameters | None:
    """The cost parameters as the run used them (its copy), with the benchmark to reach among the
    run's benchmarks; None when the run had none. Runs without a copy read the current ones."""
    parameters = run.parameters or {}
    if "costs" not in parameters:
        return CostParameters.objects.filter(programme=campaign.programme).select_related("target_benchmark").first()
    copy = parameters["costs"]
    if copy is None:
        return None
    field = partial(model_field, CostParameters)
    costs = CostParameters(
        programme_id=campaign.programme_id,
        **{
            name: field(name).to_python(value)
            for name, value in copy.items()
            if name not in ("target_benchmark", "technology_limits")
        },
        technology_limits=copy.get("technology_limits") or {},
    )
    costs.target_benchmark = next((b for b in benchmarks if b.code == copy.get("target_benchmark")), None)
    return costs
