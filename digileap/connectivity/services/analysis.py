"""Writes of the analysis: benchmarks and cost parameters per programme, and the analysis run that
gives every school of a campaign a status per benchmark and a costed proposal (docs/connectivity-analysis.md).

The run reads the daily aggregates of the window (the 365 days up to ``as_of``) in one grouped
query: on PostgreSQL the median of the daily medians is ``percentile_cont(0.5)`` in SQL; on SQLite
one streamed query of (school, daily median) goes into numpy, which sorts and takes each school's
middle values. The rules themselves are in ``shortfall.py`` (no database).
"""

import datetime
import hashlib
import itertools
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.core.services import create_audited, update_audited
from digileap.programmes.models import Programme

from .. import shortfall
from ..models import (
    AnalysisRun,
    Benchmark,
    Campaign,
    CampaignSchool,
    CostParameters,
    DailyAggregate,
    Proposal,
    SchoolStatus,
    SurveyResponse,
    Uplink,
)

WINDOW_DAYS = 365
BENCHMARK_FIELDS = (
    "code",
    "name",
    "kind",
    "threshold_mbps",
    "lower_mbps",
    "share_percent",
    "min_tests",
    "min_days",
    "position",
)
COST_FIELDS = (
    "target_benchmark",
    "fibre_per_km",
    "fibre_connection",
    "fibre_default_km",
    "fibre_monthly",
    "upgrade_per_mbps_month",
    "wifi_per_classroom",
    "switch_per_site",
    "switch_max_age_years",
    "technology_limits",
    "years",
    "priority",
)
# Which figures each kind of benchmark uses; the others are cleared on save.
KIND_FIGURES: dict[str, tuple[str, ...]] = {
    Benchmark.Kind.ABSOLUTE: ("threshold_mbps",),
    Benchmark.Kind.PER_PUPIL: ("threshold_mbps",),
    Benchmark.Kind.TIERS: ("threshold_mbps", "lower_mbps"),
    Benchmark.Kind.CONTRACTED: ("share_percent",),
}
FIGURES = ("threshold_mbps", "lower_mbps", "share_percent")

# The usual benchmarks (``benchmarks_install_defaults``), named in the five languages.
DEFAULT_BENCHMARKS = [
    {
        "code": "eu-gigabit",
        "kind": Benchmark.Kind.ABSOLUTE,
        "threshold_mbps": Decimal("1000"),
        "name": {
            "en": "EU gigabit aim: 1 Gbit/s per school",
            "nl": "EU-gigabitdoel: 1 Gbit/s per school",
            "fr": "Objectif gigabit de l'UE : 1 Gbit/s par école",
            "de": "EU-Gigabit-Ziel: 1 Gbit/s je Schule",
            "lv": "ES gigabitu mērķis: 1 Gbit/s skolai",
        },
    },
    {
        "code": "per-pupil",
        "kind": Benchmark.Kind.PER_PUPIL,
        "threshold_mbps": Decimal("1"),
        "name": {
            "en": "1 Mbit/s per pupil (FCC/SETDA long-term goal)",
            "nl": "1 Mbit/s per leerling (langetermijndoel FCC/SETDA)",
            "fr": "1 Mbit/s par élève (objectif à long terme FCC/SETDA)",
            "de": "1 Mbit/s je Schülerin oder Schüler (Langfristziel FCC/SETDA)",
            "lv": "1 Mbit/s vienam skolēnam (FCC/SETDA ilgtermiņa mērķis)",
        },
    },
    {
        "code": "giga",
        "kind": Benchmark.Kind.TIERS,
        "threshold_mbps": Decimal("20"),
        "lower_mbps": Decimal("1"),
        "name": {
            "en": "Giga: good from 20 Mbit/s, none under 1 Mbit/s",
            "nl": "Giga: goed vanaf 20 Mbit/s, geen onder 1 Mbit/s",
            "fr": "Giga : bonne dès 20 Mbit/s, aucune sous 1 Mbit/s",
            "de": "Giga: gut ab 20 Mbit/s, keine unter 1 Mbit/s",
            "lv": "Giga: laba no 20 Mbit/s, nav zem 1 Mbit/s",
        },
    },
    {
        "code": "contracted-80",
        "kind": Benchmark.Kind.CONTRACTED,
        "share_percent": Decimal("80"),
        "name": {
            "en": "80 % of the contracted speed",
            "nl": "80 % van de gecontracteerde snelheid",
            "fr": "80 % du débit contractuel",
            "de": "80 % der vertraglichen Geschwindigkeit",
            "lv": "80 % no līgumā noteiktā ātruma",
        },
    },
]


# Benchmarks and cost parameters.


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None and value != "" else None
    except InvalidOperation:
        return None


def _check_benchmark(benchmark: Benchmark) -> None:
    errors: dict[str, list[str]] = {}
    if not any(isinstance(text, str) and text.strip() for text in (benchmark.name or {}).values()):
        errors["name"] = [_("Give the benchmark a name in at least one language.")]
    figures = KIND_FIGURES.get(benchmark.kind, ())
    for name in FIGURES:
        if name not in figures:
            setattr(benchmark, name, None)
    messages = {
        "threshold_mbps": _("This kind of benchmark needs a threshold in Mbit/s."),
        "lower_mbps": _("Tiers need a lower threshold in Mbit/s."),
        "share_percent": _("Give the share of the contracted speed in %."),
    }
    for name in figures:
        if getattr(benchmark, name) in (None, ""):
            errors.setdefault(name, []).append(messages[name])
    threshold, lower = _decimal(benchmark.threshold_mbps), _decimal(benchmark.lower_mbps)
    if benchmark.kind == Benchmark.Kind.TIERS and threshold is not None and lower is not None and lower >= threshold:
        errors.setdefault("lower_mbps", []).append(_("The lower threshold must be below the threshold."))
    if threshold is not None and threshold <= 0 and "threshold_mbps" in figures:
        errors.setdefault("threshold_mbps", []).append(_("The threshold must be more than 0 Mbit/s."))
    share = _decimal(benchmark.share_percent)
    if share is not None and not (0 < share <= 100):
        errors.setdefault("share_percent", []).append(_("The share must be more than 0 % and at most 100 %."))
    if benchmark.min_tests is not None and benchmark.min_tests < 1:
        errors.setdefault("min_tests", []).append(_("At least one test is needed."))
    if benchmark.min_days is not None and benchmark.min_days < 1:
        errors.setdefault("min_days", []).append(_("At least one day is needed."))
    if (
        benchmark.code
        and Benchmark.objects.filter(programme_id=benchmark.programme_id, code=benchmark.code)
        .exclude(pk=benchmark.pk)
        .exists()
    ):
        errors.setdefault("code", []).append(_("The programme already has a benchmark with this code."))
    if errors:
        raise ValidationError(errors)


def benchmark_save(
    *, actor, programme: Programme, data: dict[str, Any], benchmark: Benchmark | None = None
) -> Benchmark:
    """Add a benchmark to ``programme``, or change ``benchmark`` (one of the programme's)."""
    if benchmark is None:
        return create_audited(
            actor=actor,
            instance=Benchmark(programme=programme),
            data=data,
            allowed=BENCHMARK_FIELDS,
            check=_check_benchmark,
        )
    if benchmark.programme_id != programme.pk:
        raise ValidationError(_("The benchmark belongs to another programme."))
    return update_audited(actor=actor, instance=benchmark, data=data, allowed=BENCHMARK_FIELDS, check=_check_benchmark)


@transaction.atomic
def benchmark_delete(*, actor, benchmark: Benchmark) -> None:
    """Delete a benchmark no analysis has used and the cost parameters do not aim at."""
    benchmark = Benchmark.objects.select_for_update().get(pk=benchmark.pk)
    authorize(actor, Action.DELETE, benchmark)
    if CostParameters.objects.filter(target_benchmark=benchmark).exists():
        raise ValidationError(_("The cost parameters aim at this benchmark: choose another one there first."))
    if SchoolStatus.objects.filter(benchmark=benchmark).exists():
        raise ValidationError(
            _("An analysis used this benchmark: it stays so that the analysis can be read; you may still edit it.")
        )
    before = audit.snapshot(benchmark)
    audit.record(actor=actor, action="delete", instance=benchmark, before=before)
    benchmark.delete()


@transaction.atomic
def benchmarks_install_defaults(*, actor, programme: Programme) -> list[Benchmark]:
    """Add the usual benchmarks the programme does not have yet (by code); returns all four."""
    existing = {b.code: b for b in Benchmark.objects.filter(programme=programme)}
    position = max((b.position for b in existing.values()), default=0)
    result = []
    for default in DEFAULT_BENCHMARKS:
        if default["code"] in existing:
            result.append(existing[default["code"]])
            continue
        position += 1
        result.append(benchmark_save(actor=actor, programme=programme, data={**default, "position": position}))
    return result


def _check_costs(costs: CostParameters) -> None:
    errors: dict[str, list[str]] = {}
    if costs.target_benchmark is not None and costs.target_benchmark.programme_id != costs.programme_id:
        errors["target_benchmark"] = [_("Choose one of the programme's benchmarks.")]
    limits = costs.technology_limits
    if not isinstance(limits, dict):
        errors["technology_limits"] = [_("Give the fastest speed per technology.")]
    else:
        known = set(Uplink.Technology.values)
        for technology, value in limits.items():
            if technology not in known:
                errors.setdefault("technology_limits", []).append(
                    _("Unknown technology: %(name)s") % {"name": technology}
                )
                continue
            number = _decimal(value)
            if number is None or number <= 0:
                errors.setdefault(f"limit_{technology}", []).append(
                    _("The fastest speed must be a number of Mbit/s above 0.")
                )
    if errors:
        raise ValidationError(errors)


def cost_parameters_save(*, actor, programme: Programme, data: dict[str, Any]) -> CostParameters:
    """Set the programme's cost parameters (created on first save)."""
    data = dict(data)
    if isinstance(data.get("technology_limits"), dict):
        data["technology_limits"] = {
            key: float(value) if isinstance(value, Decimal) else value
            for key, value in data["technology_limits"].items()
        }
    current = CostParameters.objects.filter(programme=programme).first()
    if current is None:
        return create_audited(
            actor=actor,
            instance=CostParameters(programme=programme),
            data=data,
            allowed=COST_FIELDS,
            check=_check_costs,
        )
    return update_audited(actor=actor, instance=current, data=data, allowed=COST_FIELDS, check=_check_costs)


# The analysis run.


def window(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days a run reads: the 365 days up to and including ``as_of``."""
    return as_of - datetime.timedelta(days=WINDOW_DAYS - 1), as_of


def measured_by_school(campaign: Campaign, start: datetime.date, end: datetime.date) -> dict[int, tuple]:
    """For each school of the campaign with aggregates in [start, end]: (median of the daily
    medians rounded to 3 decimals, tests, days with tests). Every aggregate row (the school's and
    each site's) is one daily median; days count distinct days."""
    aggregates = connection.ops.quote_name(DailyAggregate._meta.db_table)
    covered = connection.ops.quote_name(CampaignSchool._meta.db_table)
    # SQLite would walk the day index and fetch each row by its key (2 million random reads for a
    # national window); one sequential pass over the table is several times faster.
    scan = " NOT INDEXED" if connection.vendor == "sqlite" else ""
    where = (
        f"FROM {aggregates} a{scan} JOIN {covered} c ON c.school_id = a.school_id AND c.campaign_id = %s "
        "WHERE a.day >= %s AND a.day <= %s"
    )
    params = (campaign.pk, start, end)
    result: dict[int, tuple] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT a.school_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY a.download_median), "
                f"SUM(a.tests), COUNT(DISTINCT a.day) {where} GROUP BY a.school_id",
                params,
            )
            for school_id, value, tests, days in cursor.fetchall():
                result[school_id] = (round(float(value), 3), int(tests), int(days))
            return result
        cursor.execute(f"SELECT a.school_id, SUM(a.tests), COUNT(DISTINCT a.day) {where} GROUP BY a.school_id", params)
        counts = {school_id: (int(tests), int(days)) for school_id, tests, days in cursor.fetchall()}
        cursor.execute(f"SELECT a.school_id, a.download_median {where}", params)
        medians = group_medians(cursor)
    for school_id, value in medians.items():
        tests, days = counts[school_id]
        result[school_id] = (round(value, 3), tests, days)
    return result


def group_medians(cursor, chunk: int = 200_000) -> dict[int, float]:
    """Each group's median from a cursor of (group id, value) rows in any order, with numpy: sort
    by group and value, then the mean of each group's two middle values."""
    ids_parts, value_parts = [], []
    while rows := cursor.fetchmany(chunk):
        flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.float64, count=2 * len(rows))
        ids_parts.append(flat[0::2].astype(np.int64))
        value_parts.append(flat[1::2])
    if not ids_parts:
        return {}
    ids = np.concatenate(ids_parts)
    values = np.concatenate(value_parts)
    order = np.lexsort((values, ids))
    ids, values = ids[order], values[order]
    groups, starts, counts = np.unique(ids, return_index=True, return_counts=True)
    low = values[starts + (counts - 1) // 2]
    high = values[starts + counts // 2]
    medians = (low + high) / 2
    return dict(zip(groups.tolist(), medians.tolist(), strict=True))


def _rule(benchmark: Benchmark) -> shortfall.BenchmarkRule:
    return shortfall.BenchmarkRule(
        kind=benchmark.kind,
        threshold_mbps=benchmark.threshold_mbps,
        lower_mbps=benchmark.lower_mbps,
        share_percent=benchmark.share_percent,
        min_tests=benchmark.min_tests,
        min_days=benchmark.min_days,
    )


def _costs(parameters: CostParameters) -> shortfall.Costs:
    return shortfall.Costs(
        fibre_per_km=parameters.fibre_per_km,
        fibre_connection=parameters.fibre_connection,
        fibre_default_km=parameters.fibre_default_km,
        fibre_monthly=parameters.fibre_monthly,
        upgrade_per_mbps_month=parameters.upgrade_per_mbps_month,
        wifi_per_classroom=parameters.wifi_per_classroom,
        switch_per_site=parameters.switch_per_site,
        years=parameters.years,
        technology_limits=parameters.technology_limits or {},
    )


def _survey(campaign: Campaign, max_age_years: int) -> dict[int, dict]:
    """Per school, from its submitted answers: contracted download (sum of the uplinks), the
    uplinks' technologies, classrooms without Wi-Fi, sites needing switches, fibre distances."""
    survey: dict[int, dict] = {}

    def entry(school_id):
        return survey.setdefault(
            school_id, {"contracted": Decimal(0), "technologies": set(), "no_wifi": 0, "switch_sites": 0, "km": []}
        )

    for school_id, classrooms, wifi, switches, age, km in SurveyResponse.objects.filter(
        campaign=campaign, state=SurveyResponse.State.SUBMITTED
    ).values_list("school_id", "classrooms", "classrooms_wifi", "switches", "switch_age_years", "fibre_distance_km"):
        row = entry(school_id)
        row["no_wifi"] += max(classrooms - wifi, 0)
        row["switch_sites"] += shortfall.needs_switches(switches=switches, age_years=age, max_age_years=max_age_years)
        row["km"].append(km)
    for school_id, technology, download in Uplink.objects.filter(
        response__campaign=campaign, response__state=SurveyResponse.State.SUBMITTED
    ).values_list("response__school_id", "technology", "download_mbps"):
        row = entry(school_id)
        row["contracted"] += download
        row["technologies"].add(technology)
    return survey


def _disadvantage(value, minimum, maximum, higher_worse) -> Decimal | None:
    """The school's socio-economic index on 0 (least disadvantaged) .. 1 (most), the scale's way round."""
    if value is None or minimum is None or maximum is None or maximum <= minimum:
        return None
    share = (value - minimum) / (maximum - minimum)
    share = share if higher_worse else 1 - share
    return share.quantize(Decimal("0.0001"))


def _benchmark_copy(benchmark: Benchmark) -> dict:
    return {
        "id": benchmark.pk,
        "code": benchmark.code,
        "name": benchmark.name,
        "kind": benchmark.kind,
        "threshold_mbps": audit.to_jsonable(benchmark.threshold_mbps),
        "lower_mbps": audit.to_jsonable(benchmark.lower_mbps),
        "share_percent": audit.to_jsonable(benchmark.share_percent),
        "min_tests": benchmark.min_tests,
        "min_days": benchmark.min_days,
    }


@transaction.atomic
def analysis_run(*, actor, campaign: Campaign, as_of: datetime.date | None = None) -> AnalysisRun:
    """Analyse ``campaign`` as of ``as_of`` (default today): a status per school and benchmark, a
    costed proposal per school (when the programme has cost parameters), ranked by its priority.
    Stores one run with a copy of the parameters and a SHA-256 digest of the results."""
    authorize(actor, Action.ADD, AnalysisRun(campaign=campaign))
    as_of = as_of or timezone.localdate()
    start, end = window(as_of)
    benchmarks = list(Benchmark.objects.filter(programme=campaign.programme).order_by("position", "code"))
    if not benchmarks:
        raise ValidationError(_("The programme has no benchmarks yet: add them (or install the usual ones) first."))
    parameters = CostParameters.objects.filter(programme=campaign.programme).select_related("target_benchmark").first()
    target = None
    if parameters is not None:
        target = parameters.target_benchmark or benchmarks[0]
    schools = list(
        CampaignSchool.objects.filter(campaign=campaign)
        .order_by("school__number", "school_id")
        .values_list(
            "school_id",
            "school__number",
            "school__pupils_total",
            "school__ses_value",
            "school__ses_scale__minimum",
            "school__ses_scale__maximum",
            "school__ses_scale__is_higher_more_disadvantaged",
        )
    )
    measured = measured_by_school(campaign, start, end)
    survey = _survey(campaign, parameters.switch_max_age_years if parameters else 8)
    rules = [(benchmark, _rule(benchmark)) for benchmark in benchmarks]
    target_rule = _rule(target) if target is not None else None
    costs = _costs(parameters) if parameters is not None else None
    empty_survey: dict = {"contracted": None, "technologies": (), "no_wifi": 0, "switch_sites": 0, "km": []}

    status_rows = []
    plans = []
    basis_counts = {"measured": 0, "contracted": 0, "none": 0}
    for school_id, number, pupils, ses_value, ses_min, ses_max, ses_higher_worse in schools:
        median, tests, days = measured.get(school_id, (None, 0, 0))
        exact = shortfall.as_decimal(median) if median is not None else None
        answers = survey.get(school_id, empty_survey)
        contracted = answers["contracted"] or None
        for benchmark, rule in rules:
            result = shortfall.assess(
                rule, measured_mbps=exact, tests=tests, days=days, pupils=pupils, contracted_mbps=contracted
            )
            status_rows.append((school_id, benchmark.pk, result.status, median, result.required_mbps, tests, days))
        if costs is None:
            continue
        assert parameters is not None and target_rule is not None  # the costs come with them
        required = shortfall.required_mbps(target_rule, pupils=pupils, contracted_mbps=contracted)
        if median is not None and tests >= target_rule.min_tests and days >= target_rule.min_days:
            current, basis = median, "measured"
        elif contracted is not None:
            current, basis = contracted, "contracted"
        else:
            current, basis = None, "none"
        basis_counts[basis] += 1
        plan = shortfall.plan(
            required=required,
            current=current,
            technologies=sorted(answers["technologies"]),
            distances=answers["km"],
            classrooms_without_wifi=answers["no_wifi"],
            sites_needing_switches=answers["switch_sites"],
            costs=costs,
        )
        if parameters.priority == CostParameters.Priority.SES:
            priority = _disadvantage(ses_value, ses_min, ses_max, ses_higher_worse)
        elif parameters.priority == CostParameters.Priority.GAP_PER_PUPIL:
            priority = (plan.gap_mbps / pupils).quantize(Decimal("0.0001")) if pupils else None
        else:
            priority = plan.gap_mbps
        plans.append((school_id, number, plan, priority))

    # Schools with something to do first, then by priority (largest first; unknown last), then by number.
    plans.sort(key=lambda p: (p[2].total <= 0, p[3] is None, -(p[3] or 0), p[1], p[0]))
    proposal_rows = [
        (
            school_id,
            plan.gap_mbps,
            plan.classrooms_without_wifi,
            plan.sites_needing_switches,
            plan.option,
            plan.uplink_capex,
            plan.uplink_opex_year,
            plan.wifi_capex,
            plan.switch_capex,
            plan.total,
            priority,
            rank,
        )
        for rank, (school_id, _number, plan, priority) in enumerate(plans, start=1)
    ]
    copy = {
        "window": {"start": start.isoformat(), "end": end.isoformat(), "days": WINDOW_DAYS},
        "measure": "median of the daily download medians; tests summed; days with tests counted",
        "benchmarks": [_benchmark_copy(benchmark) for benchmark in benchmarks],
        "costs": (
            {
                **{
                    name: audit.to_jsonable(getattr(parameters, name))
                    for name in COST_FIELDS
                    if name not in ("target_benchmark", "technology_limits")
                },
                "technology_limits": parameters.technology_limits,
                "target_benchmark": target.code if target is not None else None,
            }
            if parameters is not None
            else None
        ),
        "gap_basis": basis_counts if parameters is not None else None,
    }
    digest = results_digest(benchmarks, status_rows, proposal_rows)
    run = AnalysisRun.objects.create(
        campaign=campaign,
        as_of=as_of,
        window_start=start,
        computed_at=timezone.now(),
        computed_by=actor if getattr(actor, "pk", None) else None,
        parameters=copy,
        schools=len(schools),
        digest=digest,
    )
    _insert(
        SchoolStatus,
        ("run", "school", "benchmark", "status", "measured_mbps", "required_mbps", "tests", "days"),
        [(run.pk, *row) for row in status_rows],
    )
    _insert(
        Proposal,
        (
            "run",
            "school",
            "gap_mbps",
            "classrooms_without_wifi",
            "sites_needing_switches",
            "option",
            "uplink_capex",
            "uplink_opex_year",
            "wifi_capex",
            "switch_capex",
            "total",
            "priority_value",
            "rank",
        ),
        [(run.pk, *row) for row in proposal_rows],
    )
    audit.record(
        actor=actor,
        action="create",
        instance=run,
        after={
            "campaign": campaign.pk,
            "as_of": as_of.isoformat(),
            "schools": len(schools),
            "statuses": len(status_rows),
            "proposals": len(proposal_rows),
            "digest": digest,
        },
    )
    return run


def _insert(model, field_names, rows) -> int:
    """Rows of plain values (ints, strings, floats, Decimals, None) into ``model``'s table: COPY on
    PostgreSQL, ``executemany`` in batches on SQLite. Like ``core.bulk.bulk_insert`` but without a
    per-value conversion, which for 160,000 statuses' floats cost more than the insert itself."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in field_names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(field_names))})"
        for start in range(0, len(rows), 10_000):
            cursor.executemany(sql, rows[start : start + 10_000])
    return len(rows)


def results_digest(benchmarks, status_rows, proposal_rows) -> str:
    """SHA-256 of the results in a fixed text form (schools by id, benchmarks by code), so that the
    same data and parameters give the same digest whatever the run's id or time."""
    codes = {benchmark.pk: benchmark.code for benchmark in benchmarks}
    lines = [
        f"s|{school_id}|{codes[benchmark_id]}|{status}|{measured!r}|{_fixed(required)}|{tests}|{days}"
        for school_id, benchmark_id, status, measured, required, tests, days in sorted(
            status_rows, key=lambda row: (row[0], codes[row[1]])
        )
    ]
    lines += ["p|" + "|".join(map(str, row)) for row in sorted(proposal_rows, key=lambda row: row[0])]
    lines.append("")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _fixed(value) -> str:
    return "-" if value is None else f"{value:.3f}"
