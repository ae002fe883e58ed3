"""The connectivity part of the Latvia scenario (seed 003's third milestone, 30 June 2024: "data
collected and analysed on the problems and needs of internet bandwidth in schools, and proposals
prepared to improve data transmission, including the schools' internal networks").

How it is played (``latvia.py`` calls the three steps before the history):

- **The survey** (``survey``): the ministry's campaign ``IZM-DPJ-2024`` covers every general school
  (593; 60 at small scale), open from 1 March to 30 April 2024 with reminders 14, 7 and 1 days
  before its end. About 95 % of the schools answer by 12 April, the rest after the reminders, by
  29 April: classrooms and those with usable Wi-Fi, access points, switches and their age, cabling,
  distance to fibre, problems, and their uplinks (fibre is common in the state cities, DSL and
  mobile in the counties) with contracted speeds, monthly costs in EUR and contract dates. Every
  answer goes through ``response_save``; the campaign closes on 30 April.
- **The measurements** (``measurements``): four tests a school day over 30 school days (4 March to
  23 April 2024, without the spring holidays of 18-22 March and Easter), about 66,000 rows at full
  size, one file per municipality through the import engine: the state cities send Digileap's own
  file (profile ``generic``), the counties their Giga Meter exports (profile ``giga``). A few
  schools test on one day only (too few tests for a status) and a few not at all. Then the daily
  aggregates of those days (``aggregate_days``).
- **The analysis** (``analysis``): the usual benchmarks, the ministry's cost parameters (EUR:
  fibre 14,500 per km plus 1,800 a connection, Wi-Fi 520 per classroom, switches 2,400 per site,
  over 5 years; proposals ranked by the gap per pupil), the analysis as of 14 June 2024, its report
  (Latvian) attached to the milestone on 17 June and approved on 20 June 2024.

The milestone counts the schools surveyed (``connectivity_schools_surveyed``, 593; 59 at small
scale): it is met on 29 April 2024, before its due date, and its evidence pack holds the report.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from ._e2_common import import_rows
from .base import Run, clock, moment, working_days

CAMPAIGN_CODE = "IZM-DPJ-2024"
STARTS_ON = datetime.date(2024, 3, 1)
ENDS_ON = datetime.date(2024, 4, 30)
MAIN_ANSWERS_UNTIL = datetime.date(2024, 4, 12)
LATE_ANSWERS = (datetime.date(2024, 4, 17), datetime.date(2024, 4, 29))
ANSWERING_ON_TIME = 0.95
# Spring holidays (18-22 March 2024) and Easter (Good Friday 29 March, Easter Monday 1 April).
NO_SCHOOL = {datetime.date(2024, 3, d) for d in (18, 19, 20, 21, 22, 29)} | {datetime.date(2024, 4, 1)}
MEASURED_FROM = datetime.date(2024, 3, 4)
MEASURED_DAYS = 30
ANALYSED_ON = datetime.date(2024, 6, 14)
REPORTED_ON = datetime.date(2024, 6, 17)
APPROVED_ON = datetime.date(2024, 6, 20)
MILESTONE_POSITION = 3
# The state cities (valstspilsētas) send their own measurement files; the counties Giga Meter exports.
STATE_CITIES = {"RIGA", "DAUGAVPILS", "LIEPAJA", "JELGAVA", "JURMALA", "VENTSPILS", "REZEKNE"}
CITY_TECHNOLOGIES: dict[str, float] = {"fibre": 70, "dsl": 8, "mobile": 6, "cable": 16, "radio": 0}
COUNTY_TECHNOLOGIES: dict[str, float] = {"fibre": 30, "dsl": 32, "mobile": 25, "cable": 5, "radio": 8}
NAME = {
    "lv": "Izglītības iestāžu interneta datu pārraides jaudas apsekojums 2024",
    "en": "School internet bandwidth survey 2024",
}
DESCRIPTION = {
    "lv": (
        "Datu apkopojums par interneta datu pārraides jaudas problēmām un vajadzībām vispārējās izglītības "
        "iestādēs, tostarp iekšējo tīklu (Wi-Fi, komutatori, kabeļi), un ātruma mērījumi mācību dienās."
    ),
    "en": (
        "Data on the problems and needs of internet bandwidth in general schools, including their internal "
        "networks (Wi-Fi, switches, cabling), with speed measurements on school days."
    ),
}
COSTS = {
    "fibre_per_km": Decimal("14500.00"),
    "fibre_connection": Decimal("1800.00"),
    "fibre_default_km": Decimal("2.00"),
    "fibre_monthly": Decimal("190.00"),
    "upgrade_per_mbps_month": Decimal("0.45"),
    "wifi_per_classroom": Decimal("520.00"),
    "switch_per_site": Decimal("2400.00"),
    "switch_max_age_years": 8,
    "technology_limits": {"dsl": 100, "mobile": 300, "cable": 1000, "radio": 100, "satellite": 200, "fibre": 10000},
    "years": 5,
    "priority": "gap_per_pupil",
}
TARGET_BENCHMARK = "per-pupil"


def _campaign(run: Run):
    from digileap.connectivity.models import Campaign

    return Campaign.objects.get(programme=run.programme, code=CAMPAIGN_CODE)


def measured_days() -> list[datetime.date]:
    """The 30 school days of the measurements from 4 March 2024."""
    days = [d for d in working_days(MEASURED_FROM, MEASURED_FROM + datetime.timedelta(days=80)) if d not in NO_SCHOOL]
    return days[:MEASURED_DAYS]


def _plan(run: Run) -> list[tuple]:
    """Per school (by number): (school, its answer data, uplinks, the share of the contracted
    download it gets), drawn the same way on every run."""
    from digileap.connectivity.demo import draw_answer

    rng = run.rng("connectivity-plan")
    plan = []
    for school in run.schools().select_related("operator"):
        weights = CITY_TECHNOLOGIES if school.operator.code in STATE_CITIES else COUNTY_TECHNOLOGIES
        data, uplinks, share = draw_answer(rng, school.pupils_total or 150, contract_year=2023, weights=weights)
        plan.append((school, data, uplinks, share))
    return plan


def survey(run: Run) -> None:
    """The campaign and the schools' answers (see the module's docstring)."""
    from digileap.connectivity.services.campaigns import campaign_close, campaign_create, campaign_open
    from digileap.connectivity.services.survey import response_save

    with clock(moment(datetime.date(2024, 2, 20), 10)):
        campaign = campaign_create(
            actor=run.actor,
            programme=run.programme,
            data={
                "code": CAMPAIGN_CODE,
                "name": NAME,
                "description": DESCRIPTION,
                "starts_on": STARTS_ON,
                "ends_on": ENDS_ON,
                "reminder_days": [14, 7, 1],
            },
        )
    with clock(moment(STARTS_ON, 8)):
        campaign = campaign_open(actor=run.actor, campaign=campaign)
    run.add("connectivity campaigns", 1)
    rng = run.rng("connectivity-survey")
    plan = _plan(run)
    on_time = set(rng.sample(range(len(plan)), round(len(plan) * ANSWERING_ON_TIME)))
    main_days = working_days(STARTS_ON, MAIN_ANSWERS_UNTIL)
    late_days = working_days(*LATE_ANSWERS)
    answers = []
    for index, (school, data, uplinks, _share) in enumerate(plan):
        days = main_days if index in on_time else late_days
        # Most answer early in the campaign: the earlier days are likelier.
        day = days[min(len(days) - 1, int(len(days) * rng.random() ** 1.6))]
        answers.append((moment(day, rng.randint(8, 16), rng.randint(0, 59)), school, data, uplinks))
    for at, school, data, uplinks in sorted(answers, key=lambda answer: (answer[0], answer[1].number)):
        with clock(at):
            response_save(actor=run.actor, campaign=campaign, school=school, data=data, uplinks=uplinks, submit=True)
    run.add("survey answers", len(answers))
    with clock(moment(ENDS_ON, 18)):
        campaign_close(actor=run.actor, campaign=campaign)


def measurements(run: Run) -> None:
    """Four tests a school day over 30 school days, one file a municipality (see the docstring)."""
    from digileap.connectivity.demo import draw_tests, generic_rows, giga_rows
    from digileap.connectivity.services.aggregation import aggregate_days

    days = measured_days()
    rng = run.rng("connectivity-measurements")
    files: dict[str, list[dict[str, str]]] = defaultdict(list)
    for school, _data, uplinks, share in _plan(run):
        draw = rng.random()
        if draw < 0.03:  # not measured at all
            continue
        contracted = float(uplinks[0]["download_mbps"])
        if draw < 0.06:  # one day's two tests: too few for a status
            tests = draw_tests(rng, contracted, share, days[rng.randrange(len(days)) :][:1], tests_a_day=2)
        else:
            tests = draw_tests(rng, contracted, share, days)
        operator = school.operator.code
        rows = generic_rows(school.number, tests) if operator in STATE_CITIES else giga_rows(school.number, tests)
        files[operator] += rows
    created = 0
    for operator, rows in sorted(files.items()):
        profile = "generic" if operator in STATE_CITIES else "giga"
        with clock(moment(days[-1] + datetime.timedelta(days=2), 7)):
            result = import_rows(
                run, target="measurements", profile=profile, rows=rows, filename=f"{operator.lower()}-2024-04.csv"
            )
        created += result.created
    run.add("measurements", created)
    with clock(moment(days[-1] + datetime.timedelta(days=2), 8)):
        run.add("daily measurement summaries", aggregate_days(start=days[0], end=days[-1]))


def analysis(run: Run) -> None:
    """Benchmarks, cost parameters, the analysis of 14 June 2024 and its report on the milestone."""
    from digileap.connectivity.services.analysis import (
        analysis_run,
        benchmarks_install_defaults,
        cost_parameters_save,
    )
    from digileap.connectivity.services.reports import report_attach
    from digileap.programmes.services import evidence_document_approve

    campaign = _campaign(run)
    with clock(moment(ANALYSED_ON, 9)):
        benchmarks = {b.code: b for b in benchmarks_install_defaults(actor=run.actor, programme=run.programme)}
        cost_parameters_save(
            actor=run.actor, programme=run.programme, data={**COSTS, "target_benchmark": benchmarks[TARGET_BENCHMARK]}
        )
        analysis_run(actor=run.actor, campaign=campaign, as_of=ANALYSED_ON)
    run.add("benchmarks", len(benchmarks))
    run.add("connectivity analyses", 1)
    milestone = run.programme.targets.get(position=MILESTONE_POSITION)
    with clock(moment(REPORTED_ON, 11)):
        document = report_attach(actor=run.actor, campaign=campaign, target=milestone, language="lv")
    with clock(moment(APPROVED_ON, 14)):
        evidence_document_approve(actor=run.actor, document=document)
    run.add("evidence documents", 1)


def summary(run: Run) -> dict:
    """The connectivity figures of the summary (from the database: the same on every run)."""
    from django.db.models import Sum

    from digileap.connectivity.models import AnalysisRun, Campaign, DailyAggregate, SchoolStatus, SurveyResponse

    campaign = Campaign.objects.filter(programme=run.programme, code=CAMPAIGN_CODE).first()
    if campaign is None:
        return {}
    schools = campaign.campaign_schools.values("school_id")
    latest = AnalysisRun.objects.filter(campaign=campaign).order_by("-computed_at", "-pk").first()
    meeting = {}
    if latest is not None:
        for code in ("eu-gigabit", "per-pupil", "giga"):
            meeting[code] = SchoolStatus.objects.filter(run=latest, benchmark__code=code, status="meets").count()
    total = latest.proposals.aggregate(total=Sum("total"))["total"] if latest is not None else None
    tests = DailyAggregate.objects.filter(school__in=schools).aggregate(total=Sum("tests"))["total"] or 0
    return {
        "schools_surveyed": SurveyResponse.objects.filter(campaign=campaign, state="submitted")
        .values("school_id")
        .distinct()
        .count(),
        "schools_measured": DailyAggregate.objects.filter(school__in=schools).values("school_id").distinct().count(),
        "speed_tests": tests,
        "schools_meeting": meeting,
        "proposals_total_eur": str(Decimal(total or 0).quantize(Decimal("0.01"))),
    }
