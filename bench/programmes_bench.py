"""Programmes at national scale: one programme over 40,000 schools with money transactions.

Run by bench/run.py with DATABASE_URL set to a fresh database, or by hand:
``DATABASE_URL=sqlite:///var/bench-programmes.sqlite3 .venv/bin/python bench/programmes_bench.py``.
Builds (bulk inserts, not timed) one authority with 400 operators and ``--schools`` schools with
positions, a programme with two funding sources, five targets (schools reached; money committed;
money paid; a document milestone; a manual figure), about 1.7 money entries per school, and 30 days
of snapshots. Then times, in this process (Django's test Client, no network):

- computing every indicator value of the programme (the median of 5 rounds);
- the staff dashboard /programmes/<id>/dashboard/ as the programme owner (median and p95), and the
  two fragments it loads after itself (the breakdowns by operator and by school);
- the public page /p/<code>/ without login, and its JSON (median and p95);
- the map image, the map's JSON and the breakdown export by school (median of a few);
- an evidence pack of the schools-reached target (once; the background job does the same work).

Prints one JSON line. Nothing is asserted (see bench/README.md).
"""

import argparse
import datetime
import json
import random
import statistics
import time
from decimal import Decimal

from _setup import bench_admin, migrate, setup

BBOX = (53.10, 10.60, 54.60, 14.40)  # south, west, north, east: a region's worth of schools


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def build(schools: int, admin) -> tuple:
    from django.utils import timezone

    from digileap.accounts.models import RoleAssignment, User
    from digileap.programmes import services
    from digileap.programmes.models import FundingTransaction, Programme, Target
    from digileap.schools.models import Authority, School, SchoolOperator

    rng = random.Random(42)
    authority, _created = Authority.objects.get_or_create(
        code="BENCH-NAT", defaults={"name": "Bench national authority", "kind": "ministry", "country": "DE"}
    )
    if not SchoolOperator.objects.filter(authority=authority).exists():
        SchoolOperator.objects.bulk_create(
            SchoolOperator(authority=authority, code=f"OP{n:04d}", name=f"Bench operator {n:04d}") for n in range(400)
        )
    operators = list(SchoolOperator.objects.filter(authority=authority).order_by("code"))
    existing = School.objects.filter(authority=authority).count()
    if existing < schools:
        south, west, north, east = BBOX
        School.objects.bulk_create(
            (
                School(
                    authority=authority,
                    operator=operators[n % len(operators)],
                    number=f"{90_000_000 + n}",
                    name=f"Bench school {n:05d}",
                    latitude=Decimal(f"{rng.uniform(south, north):.6f}"),
                    longitude=Decimal(f"{rng.uniform(west, east):.6f}"),
                    pupils_total=rng.randint(60, 900),
                )
                for n in range(existing, schools)
            ),
            batch_size=2000,
        )
    today = timezone.localdate()
    programme = Programme.objects.filter(code="bench-programme").first()
    if programme is None:
        programme = services.programme_create(
            actor=admin,
            data={
                "code": "bench-programme",
                "name": {"en": "Bench programme", "de": "Bench-Programm"},
                "authority": authority,
                "country": "DE",
                "period_start": today - datetime.timedelta(days=400),
                "period_end": today + datetime.timedelta(days=400),
                "status": "in_progress",
                "is_public": True,
                "sdgs": [4, 10],
                "climate_contribution": Decimal("0"),
                "digital_contribution": Decimal("100"),
            },
        )
        rrf = services.funding_source_create(
            actor=admin, programme=programme, data={"kind": "eu_rrf", "amount": Decimal("400000000.00"), "position": 1}
        )
        services.funding_source_create(
            actor=admin, programme=programme, data={"kind": "national", "amount": Decimal("40000000.00"), "position": 2}
        )
        due = today + datetime.timedelta(days=200)
        for position, (number, title, kind, value, indicator, parameters) in enumerate(
            [
                ("501", "Schools funded", "target", schools, "schools_reached", {}),
                ("502", "Money committed", "target", 400_000_000, "money", {"measure": "committed"}),
                ("503", "Money paid", "target", 400_000_000, "money", {"measure": "paid"}),
                ("504", "Bandwidth report approved", "milestone", 1, "document_approved", {}),
                ("505", "Teachers trained", "target", 100_000, "manual", {"source": "survey"}),
            ],
            start=1,
        ):
            target = services.target_create(
                actor=admin,
                programme=programme,
                data={
                    "kind": kind,
                    "position": position,
                    "number": number,
                    "title": {"en": title},
                    "target_value": Decimal(value),
                    "due_date": due,
                },
            )
            services.indicator_define(actor=admin, target=target, kind=indicator, parameters=parameters)
        now = timezone.now()
        school_ids = list(School.objects.filter(authority=authority).order_by("pk").values_list("pk", flat=True))

        def entries():
            for index, school_id in enumerate(school_ids):
                if index % 10 == 9:
                    continue  # one school in ten has nothing yet
                committed = Decimal(rng.randrange(500_000, 2_000_000)) / 100
                day = today - datetime.timedelta(days=rng.randrange(1, 360))
                yield FundingTransaction(
                    programme=programme,
                    source=rrf,
                    kind="committed",
                    amount=committed,
                    date=day,
                    school_id=school_id,
                    reference=f"C-{index}",
                    recorded_at=now,
                )
                if index % 10 < 7:
                    yield FundingTransaction(
                        programme=programme,
                        source=rrf,
                        kind="paid",
                        amount=committed,
                        date=min(today, day + datetime.timedelta(days=rng.randrange(5, 60))),
                        school_id=school_id,
                        reference=f"P-{index}",
                        recorded_at=now,
                    )

        FundingTransaction.objects.bulk_create(entries(), batch_size=5000)
        services.snapshots_backfill(
            start=today - datetime.timedelta(days=30), end=today - datetime.timedelta(days=1), programmes=[programme]
        )
    owner, _created = User.objects.get_or_create(username="bench-programme-owner")
    RoleAssignment.objects.get_or_create(
        user=owner, role="programme_owner", scope_kind="authority", authority=authority
    )
    return programme, owner, list(Target.objects.filter(programme=programme).select_related("indicator", "programme"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    setup()
    migrate()
    from django.http import StreamingHttpResponse
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from digileap.programmes.evidence import build_pack
    from digileap.programmes.indicators import get_kind
    from digileap.programmes.models import FundingTransaction
    from digileap.schools.models import School

    admin = bench_admin()
    started = time.perf_counter()
    programme, owner, targets = build(args.schools, admin)
    build_seconds = time.perf_counter() - started
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: without it no index-only scan is possible
        # on the fresh ledger and the figures would not be those of a running installation.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE programmes_fundingtransaction, schools_school")
    today = timezone.localdate()

    def compute_all():
        return [get_kind(t.indicator.kind).compute(t, today) for t in targets]

    values = compute_all()
    compute_ms = timed(compute_all, 5)

    def series(client: Client, url: str, requests: int) -> dict:
        for _ in range(3):
            client.get(url)  # warm up
        statuses: dict[int, int] = {}
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            if isinstance(response, StreamingHttpResponse):  # (response.streaming)
                b"".join(response.streaming_content)
            timings.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        return {
            "url": url,
            "requests": requests,
            "median_ms": statistics.median(timings),
            "p95_ms": percentile(timings, 0.95),
            "statuses": statuses,
        }

    staff = Client()
    staff.force_login(owner)
    public = Client()
    runs = [
        ("dashboard (programme owner)", series(staff, reverse("programmes:programme-dashboard", kwargs={"pk": programme.pk}), args.requests)),
        ("dashboard fragment: by operator", series(staff, reverse("programmes:programme-operators", kwargs={"pk": programme.pk}), args.requests)),
        ("dashboard fragment: by school", series(staff, reverse("programmes:programme-schools", kwargs={"pk": programme.pk}), args.requests)),
        ("public page /p/<code>/", series(public, reverse("public:programme", kwargs={"code": programme.code}), args.requests)),
        ("public JSON /p/<code>.json", series(public, reverse("public:programme-json", kwargs={"code": programme.code}), args.requests)),
        ("map image (SVG)", series(staff, reverse("programmes:programme-map", kwargs={"pk": programme.pk}), 5)),
        ("map JSON, share paid", series(staff, reverse("programmes:programme-map-data", kwargs={"pk": programme.pk}), 5)),
        ("map JSON, first target", series(staff, reverse("programmes:programme-map-data", kwargs={"pk": programme.pk}) + f"?layer=target-{targets[0].pk}", 5)),
        (
            "breakdown by school (CSV export)",
            series(staff, reverse("programmes:programme-breakdown", kwargs={"pk": programme.pk}) + "?by=school", 3),
        ),
    ]  # fmt: skip
    reached = targets[0]
    started = time.perf_counter()
    pack = build_pack(reached, today)
    pack_seconds = time.perf_counter() - started
    result = {
        "schools": School.objects.filter(authority=programme.authority).count(),
        "transactions": FundingTransaction.objects.filter(programme=programme).count(),
        "targets": len(targets),
        "values": {t.number: str(v) for t, v in zip(targets, values, strict=True)},
        "build_seconds": build_seconds,
        "compute_all_ms_median": statistics.median(compute_ms),
        "compute_all_ms_max": max(compute_ms),
        "runs": [{"what": label, **run} for label, run in runs],
        "evidence_pack_seconds": pack_seconds,
        "evidence_pack_bytes": len(pack),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()


def report_lines(results: list[dict], table) -> list[str]:
    """The programme figures as run.py prints them (``table`` is run.py's table function)."""
    results = [r for r in results if "programmes" in r]
    if not results:
        return []
    rows = []
    for r in results:
        p = r["programmes"]
        rows.append(
            [
                f"{r['backend']}: compute all {p['targets']} indicator values",
                "5",
                f"{p['compute_all_ms_median']:.1f}",
                "-",
                "-",
            ]
        )
        for run in p["runs"]:
            statuses = ", ".join(f"{code}x{n}" for code, n in sorted(run["statuses"].items()))
            rows.append(
                [
                    f"{r['backend']}: {run['what']}",
                    f"{run['requests']}",
                    f"{run['median_ms']:.1f}",
                    f"{run['p95_ms']:.1f}",
                    statuses,
                ]
            )
        rows.append(
            [
                f"{r['backend']}: evidence pack, schools reached",
                "1",
                f"{p['evidence_pack_seconds'] * 1000:.0f}",
                "-",
                "-",
            ]
        )
    first = results[0]["programmes"]
    return [
        "",
        f"Programmes: one programme over {first['schools']:,} schools, {first['transactions']:,} money entries "
        "(aim: dashboard p95 < 300 ms)",
        table(rows, ["what", "requests", "median ms", "p95 ms", "HTTP status x count"]),
    ]
