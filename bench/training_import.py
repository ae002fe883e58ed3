"""Completions imported at national scale (issue 14): a file of a million completion rows.

Run by bench/training_bench.py (part ``training``) with DATABASE_URL set to a fresh database, or by
hand: ``DATABASE_URL=sqlite:///var/bench-train.sqlite3 .venv/bin/python bench/training_import.py --scale 0.1``.

Builds, by bulk inserts (not timed), one authority with ``20,000 x scale`` schools, a programme of
50 courses and ``500,000 x scale`` teachers. Writes a file of ``1,000,000 x scale`` rows in the
``generic`` profile's columns (staff_reference, school, course, completed_on; each teacher completes
two courses), and imports it through ``run_import`` as the installation (aim < 20 s); then imports
it again (every row unchanged). Baseline: the ``csv`` module reads the same file and the same rows
go into the completion table with ``COPY`` (PostgreSQL) or ``executemany`` in batches of 50,000
(SQLite), rolled back, with the ids looked up in dicts.

Prints one JSON line ``{"part": "import", "figures": [...]}``. Nothing is asserted.
"""

import argparse
import csv
import datetime
import json
import os
import secrets
import tempfile
import time
from pathlib import Path

from _setup import migrate, setup
from training_world import build_offer, build_teachers, figure, log


def write_file(path: Path, rows: int, teachers: int, numbers: list[str], codes: list[str]) -> None:
    first = datetime.date(2024, 9, 1)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        stream.write("staff_reference,school,course,completed_on\n")
        for n in range(rows):
            teacher, round_ = n % teachers, n // teachers
            course = codes[(teacher * 7 + round_ * 3) % len(codes)]
            day = first + datetime.timedelta(days=(n * 13) % 400)
            stream.write(f"T{teacher:07d},{numbers[teacher % len(numbers)]},{course},{day.isoformat()}\n")


def baseline_import(path: Path, staff: dict, schools: dict, courses: dict) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from digileap.training.models import Completion

    table = Completion._meta.db_table
    columns = "course_id, staff_id, school_id, completed_on, source, source_detail, certificate_number, created_at"
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with open(path, encoding="utf-8", newline="") as stream:
            reader = csv.reader(stream)
            next(reader)

            def rows():
                for reference, school, course, day in reader:
                    yield (
                        courses[course],
                        staff[reference],
                        schools[school],
                        datetime.date.fromisoformat(day),
                        "import",
                        "completions.csv",
                        secrets.token_hex(8).upper(),
                        now,
                    )

            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows():
                        copy.write_row(row)
            else:
                sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                batch = []
                for row in rows():
                    batch.append(row)
                    if len(batch) >= 50_000:
                        cursor.executemany(sql, batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_TRAINING_SCALE", "1")))
    args = parser.parse_args()
    setup()
    migrate()
    from django.db import connection

    from digileap.core.permissions import SystemActor
    from digileap.core.tabular.engine import run_import
    from digileap.schools.models import School
    from digileap.training.models import Course, StaffMember

    schools = max(10, round(20_000 * args.scale))
    teachers = max(50, round(500_000 * args.scale))
    rows = max(100, round(1_000_000 * args.scale))
    log("training_import", f"building {schools:,} schools, 50 courses, {teachers:,} teachers")
    authority, programme, school_ids, course_ids, _sessions = build_offer(
        schools=schools, courses=50, sessions_per_course=1
    )
    build_teachers(authority, school_ids, teachers)
    numbers = dict(School.objects.values_list("number", "pk"))
    codes = dict(Course.objects.filter(programme=programme).values_list("code", "pk"))
    staff = dict(StaffMember.objects.values_list("reference", "pk"))
    ordered_numbers = [number for number, _pk in sorted(numbers.items(), key=lambda item: item[1])]
    figures = []
    backend = "COPY" if connection.vendor == "postgresql" else "executemany"
    with tempfile.TemporaryDirectory(prefix="digileap-train-") as folder:
        path = Path(folder) / "completions.csv"
        log("training_import", f"writing {rows:,} rows")
        write_file(path, rows, teachers, ordered_numbers, sorted(codes))
        log("training_import", "baseline: csv + COPY/executemany, rolled back")
        baseline = baseline_import(path, staff, numbers, codes)
        actor = SystemActor("system (bench)")
        log("training_import", "importing through run_import")
        started = time.perf_counter()
        result = run_import(target="completions", source=str(path), profile="generic", actor=actor)
        first = time.perf_counter() - started
        log("training_import", f"{result.summary()} in {first:.1f} s; again")
        figures.append(
            figure(
                f"import of {rows:,} completion rows (generic profile)",
                first,
                "s",
                baseline,
                f"csv module + {backend}",
                "< 20 s",
                summary=result.summary(),
            )
        )
        started = time.perf_counter()
        again = run_import(target="completions", source=str(path), profile="generic", actor=actor)
        second = time.perf_counter() - started
        figures.append(
            figure(
                "the same file again (every row unchanged)",
                second,
                "s",
                baseline,
                f"csv module + {backend}",
                "",
                summary=again.summary(),
            )
        )
    print(json.dumps({"part": "import", "scale": args.scale, "figures": figures}))


if __name__ == "__main__":
    main()
