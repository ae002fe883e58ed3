""" "Teachers trained" at national scale (issue 14): 600,000 teachers and 5,000,000 attendance rows.

Run by bench/training_bench.py (part ``training``) with DATABASE_URL set to a fresh database, or by
hand: ``DATABASE_URL=sqlite:///var/bench-ind.sqlite3 .venv/bin/python bench/training_indicator.py --scale 0.1``.

Builds, by bulk inserts with explicit keys (``COPY`` on PostgreSQL, ``executemany`` on SQLite; not
timed), then ANALYZE: one authority with ``20,000 x scale`` schools, a programme of 200 courses of 5
sessions, ``600,000 x scale`` teachers, ``1,000,000 x scale`` enrolments (each teacher on one or
two courses), their ``5,000,000 x scale`` attendance rows (one per session) and a completion for
two enrolments in three. Then times the indicator kind ``training_teachers_trained``
(``get_kind(code).compute(target, as_of)``: a cumulative target of the programme, every course;
the median of 5 runs after one warm-up; aim < 300 ms), beside a plain SQL baseline: one
``COUNT(DISTINCT staff_id)`` over the programme's completions up to the day.

Prints one JSON line ``{"part": "indicator", "figures": [...]}``. Nothing is asserted.
"""

import argparse
import datetime
import json
import os
import statistics
import time

from _setup import migrate, setup
from training_world import analyze, build_offer, build_teachers, figure, log, reset_sequences

AS_OF = datetime.date(2026, 6, 30)


def build_records(course_ids, sessions, school_of, enrolments: int) -> int:
    from django.utils import timezone

    from digileap.core.bulk import bulk_insert
    from digileap.training.models import Attendance, Completion, CourseEnrolment

    now = timezone.now()
    teachers = len(school_of)
    courses = len(course_ids)

    def course_of(e: int) -> int:
        teacher, round_ = e % teachers, e // teachers
        return course_ids[(teacher + 37 * round_) % courses]

    bulk_insert(
        CourseEnrolment,
        ["id", "course", "staff", "school", "state", "created_at", "updated_at"],
        (
            (e + 1, course_of(e), e % teachers + 1, school_of[e % teachers], "enrolled", now, now)
            for e in range(enrolments)
        ),
    )
    log("training_indicator", f"{enrolments:,} enrolments")

    def attendance():
        identifier = 0
        for e in range(enrolments):
            for session_id, minutes in sessions[course_of(e)]:
                identifier += 1
                present = (e + identifier) % 6 != 0
                yield (
                    identifier,
                    session_id,
                    e + 1,
                    "present" if present else "absent",
                    minutes if present else 0,
                    "digileap",
                    now,
                )

    count = bulk_insert(
        Attendance, ["id", "session", "enrolment", "status", "minutes", "source", "recorded_at"], attendance()
    )
    log("training_indicator", f"{count:,} attendance rows")
    first = datetime.date(2024, 9, 1)
    bulk_insert(
        Completion,
        ["id", "course", "staff", "school", "completed_on", "source", "source_detail", "certificate_number"]
        + ["created_at"],
        (
            (
                e + 1,
                course_of(e),
                e % teachers + 1,
                school_of[e % teachers],
                first + datetime.timedelta(days=(e * 11) % 600),
                "digileap",
                "",
                f"{e:016X}",
                now,
            )
            for e in range(enrolments)
            if e % 3
        ),
    )
    reset_sequences(CourseEnrolment, Attendance, Completion)
    analyze(CourseEnrolment._meta.db_table, Attendance._meta.db_table, Completion._meta.db_table)
    return count


def median_ms(function, runs: int = 5) -> tuple[float, object]:
    value = function()  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        value = function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_TRAINING_SCALE", "1")))
    args = parser.parse_args()
    setup()
    migrate()
    from django.db import connection

    from digileap.programmes.indicators import get_kind
    from digileap.programmes.models import Target
    from digileap.programmes.tests.factories import IndicatorFactory, TargetFactory
    from digileap.training.models import Attendance, Completion

    schools = max(10, round(20_000 * args.scale))
    teachers = max(50, round(600_000 * args.scale))
    enrolments = max(100, round(1_000_000 * args.scale))
    log("training_indicator", f"building {schools:,} schools, 200 courses of 5 sessions, {teachers:,} teachers")
    authority, programme, school_ids, course_ids, sessions = build_offer(schools=schools, courses=200)
    school_of = build_teachers(authority, school_ids, teachers)
    attendance = build_records(course_ids, sessions, school_of, enrolments)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Completion._meta.db_table}, {Attendance._meta.db_table}")
    indicator = IndicatorFactory(programme=programme, kind="training_teachers_trained", parameters={})
    target: Target = TargetFactory.create(programme=programme, indicator=indicator)
    kind = get_kind("training_teachers_trained")
    assert kind is not None
    value_ms, value = median_ms(lambda: kind.compute(target, AS_OF))

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT COUNT(DISTINCT c.staff_id) FROM {Completion._meta.db_table} c
                JOIN training_course k ON k.id = c.course_id
                WHERE k.programme_id = %s AND c.completed_on <= %s""",
                [programme.pk, AS_OF],
            )
            return cursor.fetchone()[0]

    baseline_ms, distinct = median_ms(baseline)
    figures = [
        figure(
            f'"teachers trained" over {teachers:,} teachers and {attendance:,} attendance rows',
            value_ms,
            "ms",
            baseline_ms,
            "plain SQL COUNT(DISTINCT staff_id)",
            "< 300 ms",
            indicator_value=str(value),
            baseline_value=distinct,
            completions=Completion.objects.count(),
        )
    ]
    print(json.dumps({"part": "indicator", "scale": args.scale, "figures": figures}))


if __name__ == "__main__":
    main()
