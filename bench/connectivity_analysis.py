"""The connectivity analysis for a national campaign (issue 13): ``analysis_run`` over 40,000 schools.

    DATABASE_URL=sqlite:///var/bench-analysis.sqlite3 .venv/bin/python bench/connectivity_analysis.py [--scale S] [--days D]

Builds, by bulk inserts (not timed, not through the services): one authority with ``400 x scale``
operators and ``40,000 x scale`` schools (pupils, a socio-economic index), one campaign covering
them all, ``D`` days of daily aggregates per school (default 60: 2.4 million rows at scale 1; the
aim speaks of a year, 365 days = 14.6 million rows, which ``--days 365`` builds, in a quarter of an
hour on SQLite), 10 % of the schools with only 2 days (insufficient data); a submitted survey
answer with one uplink (DSL, cable, mobile or fibre) per school. Then ANALYZE, the four usual
benchmarks and cost parameters (priority: gap per pupil).

Times ``analysis_run`` as the administrator (one run: a status per school and benchmark, a costed
proposal per school, ranked, stored in bulk, audited): aim < 10 s. Baseline in the same run on
the same rows: the plain SQL ``GROUP BY school`` of the window's aggregates (tests, days) and one
plain query of (school, daily median) with numpy's median per school, as the run reads them on
SQLite, without statuses, costs or writes.

Prints one JSON line: {"part": "analysis", "figures": [...]}.
"""

import argparse
import datetime
import json
import random
import sys
import time
from decimal import Decimal

from _setup import bench_admin, migrate, setup

SCHOOLS = 40_000
OPERATORS = 400


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] connectivity_analysis: {message}", file=sys.stderr, flush=True)


def raw_insert(table: str, columns: list[str], rows) -> int:
    """Plain rows into ``table``: COPY on PostgreSQL, executemany in batches on SQLite."""
    from django.db import connection

    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {name} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def build(scale: float, days: int, admin, as_of: datetime.date) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from digileap.connectivity.models import Campaign, CampaignSchool, DailyAggregate, SurveyResponse, Uplink
    from digileap.connectivity.services import analysis as services
    from digileap.programmes.models import Programme
    from digileap.schools.models import Authority, School, SchoolOperator, SocioEconomicScale

    rng = random.Random(13)
    school_count = max(100, round(SCHOOLS * scale))
    operator_count = max(1, round(OPERATORS * scale))
    now = timezone.now()
    with transaction.atomic():
        authority = Authority.objects.create(code="BENCH-CONN", name="Bench authority", kind="ministry", country="LV")
        scale_row = SocioEconomicScale.objects.create(
            code="bench-ses", name="Bench", minimum=0, maximum=100, is_higher_more_disadvantaged=True
        )
        operators = SchoolOperator.objects.bulk_create(
            [
                SchoolOperator(
                    authority=authority, code=f"OP{n:04d}", name=f"Operator {n:04d}", region=f"Region {n % 5}"
                )
                for n in range(operator_count)
            ]
        )
        School.objects.bulk_create(
            (
                School(
                    authority=authority,
                    operator=operators[n % operator_count],
                    number=f"{80_000_000 + n}",
                    name=f"Bench school {n:05d}",
                    pupils_total=rng.randint(40, 1200) if n % 50 else None,
                    ses_value=Decimal(rng.randint(0, 100)),
                    ses_scale=scale_row,
                )
                for n in range(school_count)
            ),
            batch_size=5000,
        )
        school_ids = list(School.objects.filter(authority=authority).order_by("id").values_list("id", flat=True))
        programme = Programme.objects.create(
            code="bench-conn",
            name={"en": "Bench connectivity"},
            authority=authority,
            country="LV",
            period_start=as_of - datetime.timedelta(days=800),
            period_end=as_of + datetime.timedelta(days=800),
            status="in_progress",
        )
        campaign = Campaign.objects.create(
            programme=programme,
            code="BENCH",
            name={"en": "Bench survey"},
            starts_on=as_of - datetime.timedelta(days=days),
            ends_on=as_of,
            state="open",
        )
        raw_insert(
            CampaignSchool._meta.db_table,
            ["campaign_id", "school_id"],
            ((campaign.pk, school_id) for school_id in school_ids),
        )
        first_day = as_of - datetime.timedelta(days=days - 1)

        def aggregates():
            for index, school_id in enumerate(school_ids):
                speed = rng.choice((8.0, 30.0, 80.0, 200.0, 600.0))
                school_days = 2 if index % 10 == 0 else days
                for offset in range(school_days):
                    median = round(speed * (0.6 + 0.8 * rng.random()), 2)
                    yield (
                        school_id,
                        (first_day + datetime.timedelta(days=offset)).isoformat(),
                        4,
                        median,
                        round(median * 1.2, 2),
                    )

        rows = raw_insert(
            DailyAggregate._meta.db_table,
            ["school_id", "day", "tests", "download_median", "download_p95"],
            aggregates(),
        )
        log(f"{rows} daily aggregates")
        submitted = now.isoformat()
        raw_insert(
            SurveyResponse._meta.db_table,
            [
                "campaign_id",
                "school_id",
                "state",
                "classrooms",
                "classrooms_wifi",
                "access_points",
                "switches",
                "switch_age_years",
                "cabling",
                "fibre_distance_km",
                "problems",
                "problems_text",
                "submitted_at",
                "updated_at",
            ],
            (
                (
                    campaign.pk,
                    school_id,
                    "submitted",
                    (rooms := rng.randint(6, 40)),
                    rng.randint(0, rooms),
                    rng.randint(0, 20),
                    rng.randint(0, 6),
                    rng.randint(1, 14),
                    "unknown",
                    Decimal(rng.randint(0, 800)) / 100 if index % 3 else None,
                    "[]",
                    "",
                    submitted,
                    submitted,
                )
                for index, school_id in enumerate(school_ids)
            ),
        )
        response_ids = list(
            SurveyResponse.objects.filter(campaign=campaign).order_by("id").values_list("id", flat=True)
        )
        raw_insert(
            Uplink._meta.db_table,
            ["response_id", "technology", "provider", "download_mbps", "upload_mbps"],
            (
                (
                    response_id,
                    (technology := rng.choice(("dsl", "cable", "mobile", "fibre"))),
                    "Bench ISP",
                    Decimal({"dsl": 50, "cable": 300, "mobile": 100, "fibre": 1000}[technology]),
                    Decimal(20),
                )
                for response_id in response_ids
            ),
        )
        services.benchmarks_install_defaults(actor=admin, programme=programme)
        services.cost_parameters_save(
            actor=admin,
            programme=programme,
            data={
                "fibre_per_km": Decimal("25000.00"),
                "fibre_connection": Decimal("3000.00"),
                "fibre_monthly": Decimal("150.00"),
                "upgrade_per_mbps_month": Decimal("0.50"),
                "wifi_per_classroom": Decimal("900.00"),
                "switch_per_site": Decimal("2500.00"),
                "technology_limits": {"dsl": 250, "cable": 1000, "mobile": 300, "fibre": 10000},
                "priority": "gap_per_pupil",
            },
        )
    return {"campaign": campaign, "schools": school_count, "operators": operator_count, "aggregates": rows}


def baseline(campaign, as_of: datetime.date) -> float:
    """The plain reads of the same window: SQL GROUP BY school (tests, days) and numpy medians."""
    from django.db import connection

    from digileap.connectivity.services.analysis import group_medians, window

    start, end = window(as_of)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        scan = " NOT INDEXED" if connection.vendor == "sqlite" else ""  # one sequential pass, as the run reads
        where = (
            f"FROM connectivity_dailyaggregate a{scan} JOIN connectivity_campaignschool c ON c.school_id = a.school_id "
            "AND c.campaign_id = %s WHERE a.day >= %s AND a.day <= %s"
        )
        cursor.execute(f"SELECT a.school_id, SUM(a.tests), COUNT(DISTINCT a.day) {where} GROUP BY a.school_id", [
            campaign.pk,
            start,
            end,
        ])  # fmt: skip
        counted = cursor.fetchall()
        cursor.execute(f"SELECT a.school_id, a.download_median {where}", [campaign.pk, start, end])
        medians = group_medians(cursor)
    assert len(counted) == len(medians)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="share of 40,000 schools and 400 operators")
    parser.add_argument("--days", type=int, default=60, help="days of daily aggregates per school (365: a year)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup()
    migrate()
    from digileap.connectivity.services.analysis import analysis_run

    admin = bench_admin()
    as_of = datetime.date(2026, 6, 30)
    began = time.perf_counter()
    data = build(args.scale, args.days, admin, as_of)
    analyze()
    log(f"built in {time.perf_counter() - began:.0f} s: {data['schools']} schools, {data['aggregates']} aggregates")
    runs, baselines = [], []
    for _ in range(args.repeat):
        baselines.append(baseline(data["campaign"], as_of))
        began = time.perf_counter()
        run = analysis_run(actor=admin, campaign=data["campaign"], as_of=as_of)
        runs.append(time.perf_counter() - began)
        log(f"run {run.pk}: {runs[-1]:.2f} s (baseline {baselines[-1]:.2f} s), digest {run.digest[:12]}")
    value, base = min(runs), min(baselines)
    print(
        json.dumps(
            {
                "part": "analysis",
                "scale": args.scale,
                "days": args.days,
                "schools": data["schools"],
                "aggregates": data["aggregates"],
                "figures": [
                    {
                        "name": f"analysis_run, {data['schools']:,} schools x {args.days} days of aggregates",
                        "value": round(value, 3),
                        "unit": "s",
                        "baseline": round(base, 3),
                        "baseline_name": "plain SQL GROUP BY school + numpy median of the same aggregates",
                        "ratio": round(value / base, 2) if base else None,
                        "aim": "< 10 s",
                    }
                ],
            }
        )
    )


if __name__ == "__main__":
    main()
