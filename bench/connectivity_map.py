"""The connectivity status map for a national campaign (issue 13): the map page and its JSON over
40,000 schools.

    DATABASE_URL=sqlite:///var/bench-map.sqlite3 .venv/bin/python bench/connectivity_map.py [--scale S] [--requests N]

Builds, by bulk inserts (not timed, not through the services): one authority with ``400 x scale``
operators and ``40,000 x scale`` schools with positions (in Latvia's bounding box), pupils and a
school type; one campaign covering them all; four benchmarks; one analysis run with a status per
school and benchmark (``160,000 x scale`` rows: 55 % below, 25 % meets, 10 % moderate, 10 %
insufficient data) and a costed proposal per school. Then ANALYZE (PostgreSQL: VACUUM ANALYZE).

Times, as the authority's programme owner through Django's test Client (3 warm-ups, then
``--requests`` requests each, cycling through the four benchmarks): median and p95 of

- the map page ``connectivity:campaign-map`` (filter form, legend with the counts per status, the
  first page of the table): aim p95 < 200 ms. Baseline: the plain SQL the page needs (the counts
  per status, then the first 50 rows of the table with their proposals), p95;
- the map's JSON ``connectivity:campaign-mapdata`` (every placed school, 14 columns): aim p95 <
  200 ms too. Baseline: one plain SQL query of the same columns (statuses, schools, proposals
  joined) and ``json.dumps`` of its rows, p95.

Prints one JSON line: {"part": "map", "figures": [...]}. Nothing is asserted (bench/README.md).
"""

import argparse
import datetime
import json
import random
import statistics
import sys
import time
from decimal import Decimal

from _setup import migrate, setup

SCHOOLS = 40_000
OPERATORS = 400
BATCH = 5_000
STATUS_WEIGHTS = [("below", 55), ("meets", 25), ("moderate", 10), ("insufficient", 10)]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] connectivity_map: {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def insert(model, objects) -> list:
    made, batch = [], []
    for item in objects:
        batch.append(item)
        if len(batch) == BATCH:
            made += model.objects.bulk_create(batch, batch_size=1000)
            batch = []
    if batch:
        made += model.objects.bulk_create(batch, batch_size=1000)
    return made


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def build(scale: float) -> dict:
    from django.utils import timezone

    from digileap.accounts.models import RoleAssignment, User
    from digileap.connectivity.models import (
        AnalysisRun,
        Benchmark,
        Campaign,
        CampaignSchool,
        Proposal,
        SchoolStatus,
    )
    from digileap.programmes.models import Programme
    from digileap.schools.models import Authority, School, SchoolOperator

    random.seed(13)
    schools_wanted = max(int(SCHOOLS * scale), 4)
    operators_wanted = max(int(OPERATORS * scale), 1)
    authority = Authority.objects.create(code="LV-MAP", name="Latvia (map bench)", country="LV")
    operators = insert(
        SchoolOperator,
        (
            SchoolOperator(authority=authority, code=f"op-{index}", name=f"Municipality {index:03d}", region="Rīga")
            for index in range(operators_wanted)
        ),
    )
    types = ["Primary", "Basic", "Secondary", "Gymnasium", "Vocational"]
    schools = insert(
        School,
        (
            School(
                authority=authority,
                operator=operators[index % operators_wanted],
                number=f"{1_000_000 + index}",
                name=f"School {index} of {operators[index % operators_wanted].name}",
                type_label=types[index % len(types)],
                latitude=Decimal(f"{random.uniform(55.7, 58.0):.6f}"),
                longitude=Decimal(f"{random.uniform(21.0, 28.2):.6f}"),
                pupils_total=random.randint(20, 1500),
            )
            for index in range(schools_wanted)
        ),
    )
    log(f"{len(schools)} schools")
    programme = Programme.objects.create(
        code="lv-map",
        name={"en": "Latvian connectivity"},
        authority=authority,
        country="LV",
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    campaign = Campaign.objects.create(
        programme=programme,
        code="LV-MAP-2024",
        name={"en": "Connectivity 2024"},
        starts_on=datetime.date(2024, 1, 15),
        ends_on=datetime.date(2024, 6, 30),
        state=Campaign.State.CLOSED,
    )
    insert(CampaignSchool, (CampaignSchool(campaign=campaign, school=school) for school in schools))
    benchmarks = [
        Benchmark.objects.create(
            programme=programme, code="gigabit", name={"en": "EU gigabit"}, kind="absolute", threshold_mbps=1000
        ),
        Benchmark.objects.create(
            programme=programme, code="per-pupil", name={"en": "1 Mbit/s per pupil"}, kind="per_pupil", threshold_mbps=1
        ),
        Benchmark.objects.create(
            programme=programme, code="giga", name={"en": "Giga"}, kind="tiers", threshold_mbps=20, lower_mbps=1
        ),
        Benchmark.objects.create(
            programme=programme, code="contracted", name={"en": "80 % of contract"}, kind="contracted", share_percent=80
        ),
    ]
    run = AnalysisRun.objects.create(
        campaign=campaign,
        as_of=datetime.date(2024, 6, 30),
        window_start=datetime.date(2024, 1, 15),
        computed_at=timezone.now(),
        schools=len(schools),
    )
    statuses = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]

    def status_rows():
        for school in schools:
            measured = round(random.lognormvariate(4.5, 1.0), 2)
            for benchmark in benchmarks:
                status = random.choice(statuses)
                yield SchoolStatus(
                    run=run,
                    school=school,
                    benchmark=benchmark,
                    status=status,
                    measured_mbps=None if status == "insufficient" else measured,
                    required_mbps=1000.0,
                    tests=2 if status == "insufficient" else random.randint(5, 400),
                    days=1 if status == "insufficient" else random.randint(3, 120),
                )

    insert(SchoolStatus, status_rows())
    options = ["none", "upgrade", "fibre"]

    def proposal_rows():
        for rank, school in enumerate(schools, start=1):
            option = random.choice(options)
            wifi = Decimal(random.randint(0, 20) * 900)
            uplink = Decimal("0") if option == "none" else Decimal(random.randint(2_000, 60_000))
            yield Proposal(
                run=run,
                school=school,
                gap_mbps=Decimal("0") if option == "none" else Decimal(f"{random.uniform(10, 990):.2f}"),
                classrooms_without_wifi=int(wifi / 900),
                option=option,
                uplink_capex=uplink,
                uplink_opex_year=Decimal("600.00"),
                wifi_capex=wifi,
                switch_capex=Decimal("0"),
                total=uplink + wifi + Decimal("3000.00"),
                rank=rank,
            )

    insert(Proposal, proposal_rows())
    owner = User.objects.create_user(username="map-bench-owner", password="x")  # noqa: S106
    RoleAssignment.objects.create(user=owner, role="programme_owner", scope_kind="authority", authority=authority)
    log("statuses and proposals written; analysing")
    analyze()
    return {"campaign": campaign, "run": run, "benchmarks": benchmarks, "owner": owner, "schools": len(schools)}


def timed(function, requests: int) -> list[float]:
    for _ in range(3):
        function(0)
    times = []
    for index in range(requests):
        start = time.perf_counter()
        function(index)
        times.append((time.perf_counter() - start) * 1000)
    return times


def baseline_queries(run, benchmarks) -> tuple:
    from django.db import connection

    from digileap.connectivity.models import Proposal, SchoolStatus
    from digileap.schools.models import School

    status, school, proposal = (
        connection.ops.quote_name(model._meta.db_table) for model in (SchoolStatus, School, Proposal)
    )
    columns = (
        "s.id, s.number, s.name, CAST(s.latitude AS REAL), CAST(s.longitude AS REAL), st.status, st.measured_mbps, "
        "st.required_mbps, st.tests, st.days, p.option, CAST(p.gap_mbps AS REAL), p.classrooms_without_wifi, "
        "CAST(p.total AS REAL)"
    )
    joins = (
        f"FROM {status} st JOIN {school} s ON s.id = st.school_id "
        f"LEFT JOIN {proposal} p ON p.run_id = st.run_id AND p.school_id = st.school_id "
        "WHERE st.run_id = %s AND st.benchmark_id = %s AND s.authority_id = %s"
    )

    def data(index: int) -> None:
        benchmark = benchmarks[index % len(benchmarks)]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} {joins} ORDER BY s.number", [run.pk, benchmark.pk, run.authority_id])
            json.dumps(cursor.fetchall(), default=float, separators=(",", ":"))

    def page(index: int) -> None:
        benchmark = benchmarks[index % len(benchmarks)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT st.status, COUNT(*) {joins} GROUP BY st.status", [run.pk, benchmark.pk, run.authority_id]
            )
            cursor.fetchall()
            cursor.execute(
                f"SELECT {columns} {joins} ORDER BY s.number LIMIT 50", [run.pk, benchmark.pk, run.authority_id]
            )
            cursor.fetchall()

    return page, data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=30)
    arguments = parser.parse_args()
    setup()
    migrate()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    made = build(arguments.scale)
    campaign, run, benchmarks = made["campaign"], made["run"], made["benchmarks"]
    run.authority_id = campaign.programme.authority_id
    client = Client()
    client.force_login(made["owner"])
    map_url = reverse("connectivity:campaign-map", args=[campaign.pk])
    data_url = reverse("connectivity:campaign-mapdata", args=[campaign.pk])
    sizes = {}

    def get(url: str):
        def request(index: int) -> None:
            response = client.get(url, {"benchmark": benchmarks[index % len(benchmarks)].pk})
            assert response.status_code == 200, response.status_code
            sizes[url] = len(response.content)

        return request

    log("timing the page")
    page_times = timed(get(map_url), arguments.requests)
    log("timing the JSON")
    data_times = timed(get(data_url), arguments.requests)
    page_baseline, data_baseline = baseline_queries(run, benchmarks)
    page_base = timed(page_baseline, arguments.requests)
    data_base = timed(data_baseline, arguments.requests)
    figures = []
    for name, times, base, base_name in (
        ("map page p95", page_times, page_base, "plain SQL: counts per status + first 50 rows"),
        ("map JSON p95", data_times, data_base, "plain SQL of the same columns + json.dumps"),
    ):
        p95, base_p95 = percentile(times, 0.95), percentile(base, 0.95)
        figures.append(
            {
                "name": name,
                "value": round(p95, 1),
                "unit": "ms",
                "median": round(statistics.median(times), 1),
                "baseline": round(base_p95, 1),
                "baseline_name": base_name,
                "ratio": round(p95 / base_p95, 2) if base_p95 else None,
                "aim": "< 200 ms",
            }
        )
    print(
        json.dumps(
            {
                "part": "map",
                "database": connection.vendor,
                "schools": made["schools"],
                "requests": arguments.requests,
                "bytes": {"page": sizes.get(map_url), "json": sizes.get(data_url)},
                "figures": figures,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
