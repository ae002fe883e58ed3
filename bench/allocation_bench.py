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

Beside every figure, a raw baseline measured in the same run (median of ``--repeat``), and the ratio
(``seconds``, ``baseline_seconds``, ``ratio`` in each figure):

- ``compute``: numpy doing the same arithmetic on the same arrays (pupils per rule as an integer
  matrix, the index curve by ``np.interp``, caps, floors, the proportional split by water-filling
  in floats and the largest remainders), prepared beforehand, without explanations or exactness;
- ``load_inputs``: a plain SQL query of the same rows (schools, their enrolment rows and index), read
  by the database driver;
- ``round_compute``: the two above plus a plain insert of the same lines (``executemany`` on SQLite,
  ``COPY`` on PostgreSQL, the explanation texts prepared beforehand) into the lines table, rolled back.

Prints one JSON line. Nothing is asserted (see bench/README.md); the totals and the bounds that bound
the lines are printed so that a reader sees the work was done.
"""

import argparse
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar, cast

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
KINDS: list[tuple[dict[int, tuple[int, ...]], tuple[int, int], int]] = [
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


CPU: dict[int, list[float]] = {}  # this process's CPU seconds of each timing list (by its id)


T = TypeVar("T")


def seconds(function: Callable[..., T], repeat: int) -> tuple[list[float], T]:
    """Wall-clock seconds of ``repeat`` runs (at least one), and the last result. The process's CPU
    seconds are kept beside them (``CPU``): on a shared machine they show the work without the waiting."""
    timings: list[float] = []
    cpu: list[float] = []
    result: T | None = None
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = function()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    CPU[id(timings)] = cpu
    return timings, cast(T, result)


def summary(timings: list[float], baseline: list[float] | None = None) -> dict:
    result = {
        "median_s": statistics.median(timings),
        "min_s": min(timings),
        "max_s": max(timings),
        "runs": len(timings),
        "seconds": statistics.median(timings),
    }
    if id(timings) in CPU:
        result["cpu_seconds"] = statistics.median(CPU[id(timings)])
    if baseline:
        result["baseline_seconds"] = statistics.median(baseline)
        result["ratio"] = result["seconds"] / result["baseline_seconds"]
        if id(baseline) in CPU:
            result["baseline_cpu_seconds"] = statistics.median(CPU[id(baseline)])
    return result


# --- raw baselines ------------------------------------------------------------------------------


def formula_arrays(inputs, formula: dict) -> dict:
    """The inputs as plain arrays (not timed): pupils per rule, eligible pupils, index (NaN: none)."""
    import numpy as np

    rules = formula["per_pupil"]
    counts = np.zeros((len(inputs), len(rules)), dtype=np.int64)
    for i, school in enumerate(inputs):
        for (level, grade), pupils in school.pupils.items():
            for r, rule in enumerate(rules):
                if rule.get("levels") and level not in rule["levels"]:
                    continue
                if rule.get("grades") and grade not in rule["grades"]:
                    continue
                counts[i, r] += pupils
    return {
        "counts": counts,
        "eligible": np.array([sum(s.pupils.values()) for s in inputs], dtype=np.int64),
        "index": np.array([np.nan if s.index is None else float(s.index) for s in inputs]),
    }


def numpy_formula(arrays: dict, formula: dict, *, total: Decimal, is_money: bool):
    """The formula's arithmetic in numpy floats: claims, weights, caps, floors, the proportional
    split (water-filling) and the largest remainders. The amounts in the smallest unit."""
    import numpy as np

    unit = 100 if is_money else 1
    rates = np.array([float(rule["amount"]) for rule in formula["per_pupil"]])
    base = arrays["counts"] @ rates + float(formula.get("base_per_school", 0))
    points = formula["index_weights"]["points"]
    xs = np.array([float(x) for x, _w in points])
    ws = np.array([float(w) for _x, w in points])
    index = arrays["index"]
    weight = np.where(np.isnan(index), float(formula["index_weights"]["missing"]), np.interp(index, xs, ws))
    claims = np.round(base * weight, 4)
    caps = np.minimum(
        np.floor(float(formula["cap_per_school"]) * unit),
        np.floor(float(formula["cap_per_pupil"]) * unit * arrays["eligible"]),
    )
    floors = np.minimum(np.floor(float(formula["floor_per_school"]) * unit + 0.5), caps)
    total_units = int(total * unit)
    state = np.zeros(len(claims), dtype=np.int8)  # 0 free, 1 floor, 2 cap
    while True:
        free = state == 0
        rest = total_units - floors[state == 1].sum() - caps[state == 2].sum()
        quota = np.where(free, claims * rest / claims[free].sum(), 0.0)
        over = free & (quota > caps)
        under = free & (quota < floors)
        if not over.any() and not under.any():
            break
        excess = (quota[over] - caps[over]).sum()
        deficit = (floors[under] - quota[under]).sum()
        if excess >= deficit:
            state[over] = 2
        if deficit >= excess:
            state[under] = 1
    quota = np.where(state == 2, caps, np.where(state == 1, floors, quota))
    amounts = np.floor(quota)
    extra = int(total_units - amounts.sum())
    order = np.argsort(-(quota - amounts), kind="stable")
    amounts[order[:extra]] += 1
    return amounts.astype(np.int64)


def plain_load(authority_id: int) -> list:
    """The same rows as load_inputs reads, by one plain query through the driver."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT s.id, s.number, s.operator_id, e.level, e.grade, e.pupils, i.value
               FROM schools_school s
               LEFT JOIN schools_enrolment e ON e.school_id = s.id AND e.school_year = %s
               LEFT JOIN schools_socioeconomicindex i ON i.school_id = s.id AND i.school_year = %s
               WHERE s.authority_id = %s AND s.status = 'open'""",
            [YEAR, YEAR, authority_id],
        )
        return cursor.fetchall()


def plain_insert(version, rows: list[tuple]) -> None:
    """The lines inserted raw (``executemany`` / ``COPY``), then rolled back."""
    from django.db import connection, transaction

    from digileap.allocation.models import AllocationVersion

    columns = "school_id, amount, claim, eligible_pupils, bound, explanation, version_id"
    with transaction.atomic():
        copy = AllocationVersion.objects.create(
            round=version.round, number=version.number + 1000, computed_at=version.computed_at, total=0
        )
        values = [(*row, copy.pk) for row in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY allocation_allocationline ({columns}) FROM STDIN") as stream:
                    for row in values:
                        stream.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO allocation_allocationline ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)", values
                )
        transaction.set_rollback(True)


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
    with connection.cursor() as cursor:  # statistics after the bulk load (autovacuum may be off)
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE schools_school, schools_enrolment, schools_socioeconomicindex")
        else:
            cursor.execute("ANALYZE")

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
        # The raw baselines, measured in the same run on the same rows.
        arrays = formula_arrays(inputs, formula)
        numpy_timings, numpy_amounts = seconds(
            lambda arrays=arrays, formula=formula, total=total, is_money=is_money: numpy_formula(
                arrays, formula, total=total, is_money=is_money
            ),
            args.repeat,
        )
        plain_load_timings, _rows = seconds(lambda: plain_load(programme.authority_id), args.repeat)
        line_rows = [
            (school_id, amount, claim, eligible, bound, explanation)
            for school_id, amount, claim, eligible, bound, explanation in computed.rows()
        ]
        insert_timings, _none = seconds(
            lambda version=version, rows=line_rows: plain_insert(version, rows), args.repeat
        )
        raw_round = [a + b + c for a, b, c in zip(plain_load_timings, numpy_timings, insert_timings, strict=True)]
        CPU[id(raw_round)] = [
            a + b + c
            for a, b, c in zip(
                CPU[id(plain_load_timings)], CPU[id(numpy_timings)], CPU[id(insert_timings)], strict=True
            )
        ]
        bounds = Counter(line.bound or "formula" for line in computed.lines)
        result[key] = {
            "total": str(total),
            "allocated": str(computed.total),
            "unallocated": str(computed.unallocated),
            "schools": len(inputs),
            "bounds": dict(sorted(bounds.items())),
            "compute": summary(compute_timings, numpy_timings),
            "load_inputs": summary(load_timings, plain_load_timings),
            "round_compute": summary(service_timings, raw_round),
            "plain_insert": summary(insert_timings),
            "numpy_allocated_units": int(numpy_amounts.sum()),
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
                baseline = figure.get("baseline_seconds")
                rows.append(
                    [
                        f"{r['backend']}: {label}: {what}",
                        f"{figure['runs']}",
                        f"{figure['median_s']:.3f}",
                        f"{figure['max_s']:.3f}",
                        "" if baseline is None else f"{baseline:.3f}",
                        "" if baseline is None else f"{figure['ratio']:.1f}x",
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
        table(rows, ["what", "runs", "median s", "max s", "raw baseline s", "ratio"]),
        "(raw baselines: numpy on the same arrays; a plain SQL query of the same rows; both plus a plain "
        "insert of the same lines)",
        f"(lines bound by: {bounds})",
    ]
