"""Connectivity measurements at national scale (issue 13): the import of a million measurement rows
and the daily aggregation of a day's tests.

Run by bench/run.py (part ``connectivity``, through connectivity_bench.py) with DATABASE_URL set to a
fresh database, or by hand:
``DATABASE_URL=sqlite:///var/bench-meas.sqlite3 .venv/bin/python bench/connectivity_import.py --scale 0.1``.

Builds, by bulk inserts (not timed), one authority with ``40,000 x scale`` schools. Then:

- writes a measurement file of ``1,000,000 x scale`` rows in the ``generic`` profile's columns
  (``;``, Windows-1252, decimal commas, local times; every school tests four times a day) and
  imports it through ``run_import`` as the installation (aim < 20 s, including the daily aggregates
  of the days it touched); then imports it again (every row unchanged). Baseline: the ``csv``
  module reads the same file and the same rows go into the measurement table with ``COPY``
  (PostgreSQL) or ``executemany`` in batches of 50,000 (SQLite), rolled back;
- inserts one more day of ``160,000 x scale`` tests (four per school), ANALYZE, and times
  ``aggregate_days`` of that day (aim < 5 s). Baseline: one plain SQL ``GROUP BY`` with
  ``percentile_cont`` on PostgreSQL; on SQLite a plain ``SELECT`` of the day's rows and numpy
  (one sort, the same interpolation); nothing written.

Prints one JSON line ``{"part": "import", "figures": [...]}``. Nothing is asserted.
"""

import argparse
import csv
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from _setup import migrate, setup

BATCH = 10_000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] connectivity_import: {message}", file=sys.stderr, flush=True)


def build_schools(count: int) -> dict[str, int]:
    from digileap.schools.models import Authority, School, SchoolOperator

    authority = Authority.objects.create(name="Bench authority", code="BENCH", country="LV")
    operator = SchoolOperator.objects.create(name="Bench operator", code="bench", authority=authority)
    for start in range(0, count, BATCH):
        School.objects.bulk_create(
            [
                School(authority=authority, operator=operator, number=f"{n:06d}", name=f"School {n}")
                for n in range(start, min(count, start + BATCH))
            ]
        )
    return dict(School.objects.values_list("number", "id"))


def write_file(path: Path, rows: int, numbers: list[str]) -> None:
    """Four tests a school a day, at 08:00, 10:30, 13:00 and 15:30 local time plus a few seconds."""
    generator = random.Random(13)
    first = datetime.datetime(2026, 10, 1, 8, 0)
    slots: tuple[datetime.timedelta, ...] = (
        datetime.timedelta(0),
        datetime.timedelta(hours=2, minutes=30),
        datetime.timedelta(hours=5),
    )
    slots += (datetime.timedelta(hours=7, minutes=30),)
    with open(path, "w", encoding="cp1252", newline="") as stream:
        stream.write("measured_at;school;download_mbps;upload_mbps;latency_ms\r\n")
        per_day = len(numbers) * 4
        for n in range(rows):
            day, rest = divmod(n, per_day)
            school, slot = divmod(rest, 4)
            moment = first + datetime.timedelta(days=day, seconds=school % 60) + slots[slot]
            download = generator.lognormvariate(4.0, 1.0)
            stream.write(
                f"{moment:%Y-%m-%d %H:%M:%S};{numbers[school]};{download:.2f}".replace(".", ",")
                + f";{download / 5:.2f};{generator.uniform(5, 120):.1f}".replace(".", ",")
                + "\r\n"
            )


def baseline_import(path: Path, ids: dict[str, int]) -> float:
    """The csv module and COPY/executemany of the same rows into the measurement table, rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone

    from digileap.connectivity.models import Measurement

    table = Measurement._meta.db_table
    columns = "school_id, measured_at, download_mbps, upload_mbps, latency_ms, connection, source"
    zone = timezone.get_default_timezone()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with open(path, encoding="cp1252", newline="") as stream:
            reader = csv.reader(stream, delimiter=";")
            next(reader)

            def rows():
                for moment, school, download, upload, latency in reader:
                    when = datetime.datetime.fromisoformat(moment).replace(tzinfo=zone)
                    yield (
                        ids[school],
                        when,
                        float(download.replace(",", ".")),
                        float(upload.replace(",", ".")),
                        float(latency.replace(",", ".")),
                        "unknown",
                        "generic",
                    )

            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows():
                        copy.write_row(row)
            else:
                batch = []
                sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                for school_id, when, *rest in rows():
                    batch.append((school_id, str(when.astimezone(datetime.UTC).replace(tzinfo=None)), *rest))
                    if len(batch) >= 50_000:
                        cursor.executemany(sql, batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def build_day(day: datetime.date, ids: list[int]) -> int:
    from django.db import connection
    from django.utils import timezone

    from digileap.connectivity.models import Measurement
    from digileap.core.bulk import bulk_insert

    generator = random.Random(7)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8)))

    def rows():
        for index, school_id in enumerate(ids):
            for slot in range(4):
                download = generator.lognormvariate(4.0, 1.0)
                moment = start + datetime.timedelta(hours=2 * slot, seconds=index % 3600)
                yield (school_id, moment, download, download / 5, generator.uniform(5, 120), "unknown", "browser")

    count = bulk_insert(
        Measurement,
        ["school", "measured_at", "download_mbps", "upload_mbps", "latency_ms", "connection", "source"],
        rows(),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Measurement._meta.db_table}")
    return count


def baseline_aggregate(day: datetime.date) -> float:
    import numpy as np
    from django.conf import settings
    from django.db import connection

    from digileap.connectivity.models import Measurement
    from digileap.connectivity.services.aggregation import grouped_percentiles, local_midnight

    table = Measurement._meta.db_table
    since, until = local_midnight(day), local_midnight(day + datetime.timedelta(days=1))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""SELECT school_id, site_id, (measured_at AT TIME ZONE %s)::date, count(*),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY download_mbps),
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY download_mbps),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY upload_mbps),
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY upload_mbps),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms),
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
                FROM {table} WHERE measured_at >= %s AND measured_at < %s GROUP BY 1, 2, 3""",
                [settings.TIME_ZONE, since, until],
            )
            cursor.fetchall()
        else:
            utc = datetime.UTC
            cursor.execute(
                f"SELECT school_id, download_mbps, upload_mbps, latency_ms FROM {table} "
                "WHERE measured_at >= %s AND measured_at < %s",
                [str(since.astimezone(utc).replace(tzinfo=None)), str(until.astimezone(utc).replace(tzinfo=None))],
            )
            school, download, upload, latency = (np.asarray(c) for c in zip(*cursor.fetchall(), strict=True))
            _unique, groups = np.unique(school, return_inverse=True)
            for values in (download, upload, latency):
                grouped_percentiles(groups, values.astype(np.float64), len(_unique), (0.5, 0.95))
    return time.perf_counter() - started


def figure(name, value, unit, baseline, baseline_name, aim, **extra):
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "baseline": round(baseline, 3) if baseline else None,
        "baseline_name": baseline_name,
        "ratio": round(value / baseline, 2) if baseline else None,
        "aim": aim,
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_CONNECTIVITY_SCALE", "1")))
    args = parser.parse_args()
    setup()
    migrate()
    from django.db import connection

    from digileap.connectivity.models import DailyAggregate, Measurement
    from digileap.connectivity.services.aggregation import aggregate_days
    from digileap.core.permissions import SystemActor
    from digileap.core.tabular.engine import run_import

    schools = max(10, round(40_000 * args.scale))
    rows = max(100, round(1_000_000 * args.scale))
    day_tests = schools * 4
    log(f"building {schools:,} schools")
    ids = build_schools(schools)
    numbers = sorted(ids)
    figures = []
    with tempfile.TemporaryDirectory(prefix="digileap-meas-") as folder:
        path = Path(folder) / "measurements.csv"
        log(f"writing {rows:,} rows")
        write_file(path, rows, numbers)
        log("baseline: csv + COPY/executemany, rolled back")
        baseline = baseline_import(path, ids)
        log("importing through run_import")
        actor = SystemActor("system (bench)")
        started = time.perf_counter()
        result = run_import(target="measurements", source=str(path), profile="generic", actor=actor)
        first = time.perf_counter() - started
        aggregates = DailyAggregate.objects.count()
        figures.append(
            figure(
                f"import of {rows:,} measurement rows (generic, ';', Windows-1252), with their daily aggregates",
                first,
                "s",
                baseline,
                "csv module + " + ("COPY" if connection.vendor == "postgresql" else "executemany"),
                "< 20 s",
                summary=result.summary(),
                aggregates=aggregates,
            )
        )
        log(f"again: {result.summary()} in {first:.1f} s")
        started = time.perf_counter()
        again = run_import(target="measurements", source=str(path), profile="generic", actor=actor)
        second = time.perf_counter() - started
        figures.append(
            figure(
                "the same file again (every row unchanged)",
                second,
                "s",
                baseline,
                "csv module + " + ("COPY" if connection.vendor == "postgresql" else "executemany"),
                "",
                summary=again.summary(),
            )
        )
    day = datetime.date(2026, 11, 20)
    log(f"one day of {day_tests:,} tests")
    built = build_day(day, list(ids.values()))
    baseline = baseline_aggregate(day)
    started = time.perf_counter()
    written = aggregate_days(start=day, end=day)
    elapsed = time.perf_counter() - started
    figures.append(
        figure(
            f"daily aggregation of one day of {built:,} tests",
            elapsed,
            "s",
            baseline,
            "plain SQL GROUP BY with percentile_cont"
            if connection.vendor == "postgresql"
            else "plain SELECT + numpy percentiles",
            "< 5 s",
            aggregates=written,
            raw_rows=Measurement.objects.count(),
        )
    )
    import json

    print(json.dumps({"part": "import", "scale": args.scale, "figures": figures}))


if __name__ == "__main__":
    main()
