"""Allocation rounds at national scale: a budget and 500,000 devices split over 40,000 schools.

Run by bench/run.py with DATABASE_URL set to a fresh database, or by hand:
``DATABASE_URL=sqlite:///var/bench-allocation.sqlite3 .venv/bin/python bench/allocation_bench.py``.
Builds (bulk inserts, not timed) one authority with 400 operators and ``--schools`` schools of four
kinds (primary; lower secondary; secondary with an upper level; combined), with enrolment by level
for every school and by grade for about 40 % of them, and a socio-economic index (0 to 100, lower is
more disadvantaged) for all but 1 %. Then times, in this process:

The totals below are for 40,000 schools and scale with ``--schools``.

- ``compute()``, the pure formula (no database), on the schools' ``SchoolInput`` rows (loaded once,
  not timed), median of ``--repeat`` runs:
  * money: EUR 400 million in proportion to a Digisprong-style per-pupil formula weighted by an index
    curve, with a floor of EUR 1,000 and a cap of EUR 25,000 per school and EUR 120 per pupil;
  * units: 500,000 devices in proportion to the pupils weighted by the same curve, with a floor of 3
    and a cap of 30 devices per school and one per two pupils;
- ``load_inputs()``: the registry query that builds those rows (median of ``--repeat``);
- ``round_compute()``, the whole service: lock the round, load the inputs, compute, store the version
  and bulk-insert one line per school (with its explanation), write the audit event; median of
  ``--repeat``, each run a new version of the same round.

Prints one JSON line. Nothing is asserted (see bench/README.md); the totals and the bounds that bound
the lines are printed so that a reader sees the work was done.
"""

import argparse
import json
import random
import statistics
import time
from collections import Counter
from decimal import Decimal

from _setup import bench_admin, migrate, setup

YEAR = "2024/25"
MONEY_TOTAL = Decimal("400000000.00")
UNITS_TOTAL = Decimal(500_000)
CURVE = {"kind": "curve", "points": [["0", "1.6"], ["50", "1.0"], ["100", "0.8"]], "missing": "1"}
MONEY_FORMULA = {
    "per_pupil": [
        {"levels": [1], "grades": [1, 2, 3, 4], "amount": "25"},
        {"levels": [1], "grades": [5, 6], "amount": "290"},
        {"levels": [2, 3], "amount": "510"},
        {"amount": "42"},
    ],
    "index_weights": CURVE,
    "floor_per_school": "1000",
    "cap_per_school": "25000",
    "cap_per_pupil": "120",
}
UNITS_FORMULA = {
    "per_pupil": [{"amount": "1"}],
    "index_weights": CURVE,
    "floor_per_school": "3",
    "cap_per_school": "30",
    "cap_per_pupil": "0.5",
}
# (levels with their grades; None: the level is given as a total), size range, share of schools
KINDS = [
    ({1: (1, 2, 3, 4, 5, 6)}, (80, 500), 55),
    ({2: (7, 8, 9, 10)}, (150, 700), 20),
    ({2: (7, 8, 9, 10), 3: (11, 12, 13)}, (400, 1300), 15),
    ({1: (1, 2, 3, 4, 5, 6), 2: (7, 8, 9, 10)}, (200, 800), 10),
]


def build(schools: int, admin):
    import datetime

    from digileap.core.bulk import bulk_insert
    from digileap.programmes import services
    from digileap.programmes.models import Programme
    from digileap.schools.models import (
        Authority,
        Enrolment,
        School,
        SchoolOperator,
        SocioEconomicIndex,
        SocioEconomicScale,
    )

    rng = random.Random(2024)
    authority, _created = Authority.objects.get_or_create(
        code="BENCH-ALLOC", defaults={"name": "Bench allocation authority", "kind": "ministry", "country": "BE"}
    )
    if not SchoolOperator.objects.filter(authority=authority).exists():
        SchoolOperator.objects.bulk_create(
            SchoolOperator(authority=authority, code=f"OP{n:04d}", name=f"Bench operator {n:04d}") for n in range(400)
        )
    operators = list(SchoolOperator.objects.filter(authority=authority).order_by("code").values_list("pk", flat=True))
    if not School.objects.filter(authority=authority).exists():
        weights = [share for _levels, _size, share in KINDS]
        kinds = rng.choices(range(len(KINDS)), weights=weights, k=schools)
        School.objects.bulk_create(
            (
                School(
                    authority=authority,
                    operator_id=operators[rng.randrange(len(operators))],
                    number=f"{80_000_000 + n}",
                    name=f"Bench school {n:05d}",
                    type_code=f"K{kinds[n]}",
                    isced_1=1 in KINDS[kinds[n]][0],
                    isced_2=2 in KINDS[kinds[n]][0],
                    isced_3=3 in KINDS[kinds[n]][0],
                )
                for n in range(schools)
            ),
            batch_size=2000,
        )
        scale = SocioEconomicScale.objects.get(code="be-bru-ses-index")
        rows = list(School.objects.filter(authority=authority).order_by("number").values_list("pk", "type_code"))

        def enrolment():
            for school_id, type_code in rows:
                levels, (low, high), _share = KINDS[int(type_code[1:])]
                by_grade = rng.random() < 0.4
                for level, grades in levels.items():
                    size = rng.randint(low, high) // len(levels)
                    if by_grade:
                        base, extra = divmod(size, len(grades))
                        for position, grade in enumerate(grades):
                            yield (school_id, YEAR, level, grade, base + (position < extra))
                    else:
                        yield (school_id, YEAR, level, 0, size)

        bulk_insert(Enrolment, ["school", "school_year", "level", "grade", "pupils"], enrolment())
        bulk_insert(
            SocioEconomicIndex,
            ["school", "school_year", "scale", "value"],
            (
                (school_id, YEAR, scale.pk, Decimal(f"{min(100.0, max(0.0, rng.gauss(55, 18))):.1f}"))
                for school_id, _type in rows
                if rng.random() >= 0.01
            ),
        )
    programme = Programme.objects.filter(code="bench-allocation").first()
    if programme is None:
        today = datetime.date.today()
        programme = services.programme_create(
            actor=admin,
            data={
                "code": "bench-allocation",
                "name": {"en": "Bench allocation"},
                "authority": authority,
                "country": "BE",
                "period_start": today - datetime.timedelta(days=100),
                "period_end": today + datetime.timedelta(days=1000),
                "status": "in_progress",
                "sdgs": [4],
                "climate_contribution": Decimal("0"),
                "digital_contribution": Decimal("100"),
            },
        )
    return programme


def seconds(function, repeat: int) -> tuple[list[float], object]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return timings, result


def summary(timings: list[float]) -> dict:
    return {"median_s": statistics.median(timings), "min_s": min(timings), "max_s": max(timings), "runs": len(timings)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup()
    migrate()
    from django.db import connection

    from digileap.allocation.formula import compute, parse_formula
    from digileap.allocation.inputs import load_inputs, parse_eligibility
    from digileap.allocation.models import AllocationLine
    from digileap.allocation.services.rounds import round_compute, round_create
    from digileap.schools.models import Enrolment

    admin = bench_admin()
    started = time.perf_counter()
    programme = build(args.schools, admin)
    build_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would, soon after a bulk load
            cursor.execute("VACUUM ANALYZE schools_school, schools_enrolment, schools_socioeconomicindex")

    result: dict = {
        "schools": programme.authority.schools.count(),
        "enrolment_rows": Enrolment.objects.filter(school__authority=programme.authority).count(),
        "build_seconds": build_seconds,
    }
    scale = Decimal(args.schools) / 40_000  # the totals are for 40,000 schools
    for key, resource, total, formula, device_type in (
        ("money", "money", (MONEY_TOTAL * scale).quantize(Decimal("0.01")), MONEY_FORMULA, ""),
        ("units", "units", (UNITS_TOTAL * scale).to_integral_value(), UNITS_FORMULA, "laptop"),
    ):
        allocation_round = round_create(
            actor=admin,
            programme=programme,
            data={
                "code": f"BENCH-{key.upper()}",
                "name": f"Bench {key}",
                "resource": resource,
                "device_type": device_type,
                "total": total,
                "school_year": YEAR,
                "formula": formula,
            },
        )
        is_money = resource == "money"
        parsed = parse_formula(formula, is_money=is_money)
        eligibility = parse_eligibility({})
        load_timings, (inputs, _excluded) = seconds(
            lambda allocation_round=allocation_round, parsed=parsed, eligibility=eligibility: load_inputs(
                allocation_round, parsed, eligibility
            ),
            args.repeat,
        )
        compute_timings, computed = seconds(
            lambda inputs=inputs, parsed=parsed, is_money=is_money, total=total: compute(
                inputs, parsed, is_money=is_money, total=total
            ),
            args.repeat,
        )
        service_timings, version = seconds(
            lambda allocation_round=allocation_round: round_compute(actor=admin, allocation_round=allocation_round),
            args.repeat,
        )
        bounds = Counter(line.bound or "formula" for line in computed.lines)
        result[key] = {
            "total": str(total),
            "allocated": str(computed.total),
            "unallocated": str(computed.unallocated),
            "schools": len(inputs),
            "bounds": dict(sorted(bounds.items())),
            "compute": summary(compute_timings),
            "load_inputs": summary(load_timings),
            "round_compute": summary(service_timings),
            "stored_total": str(version.total),
            "stored_lines": AllocationLine.objects.filter(version=version).count(),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()


def report_lines(results: list[dict], table) -> list[str]:
    """The allocation figures as run.py prints them (``table`` is run.py's table function)."""
    results = [r for r in results if "allocation" in r]
    if not results:
        return []
    rows = []
    for r in results:
        a = r["allocation"]
        for key in ("money", "units"):
            f = a[key]
            label = f"EUR {Decimal(f['total']):,.0f}" if key == "money" else f"{int(Decimal(f['total'])):,} devices"
            for what, figure in (
                ("compute() (formula only)", f["compute"]),
                ("load_inputs() (registry query)", f["load_inputs"]),
                ("round_compute() (load, compute, store lines)", f["round_compute"]),
            ):
                rows.append(
                    [
                        f"{r['backend']}: {label}: {what}",
                        f"{figure['runs']}",
                        f"{figure['median_s']:.3f}",
                        f"{figure['max_s']:.3f}",
                    ]
                )
    first = results[0]["allocation"]
    bounds = "; ".join(
        f"{key}: " + ", ".join(f"{bound} {count:,}" for bound, count in first[key]["bounds"].items())
        for key in ("money", "units")
    )
    return [
        "",
        f"Allocation rounds over {first['schools']:,} schools ({first['enrolment_rows']:,} enrolment rows), "
        "caps and floors (aim: < 1 s)",
        table(rows, ["what", "runs", "median s", "max s"]),
        f"(lines bound by: {bounds})",
    ]
