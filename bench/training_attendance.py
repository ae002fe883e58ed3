"""A session's attendance page for 30 people (issue 14): p95 of 200 requests with the test client.

Run by bench/training_bench.py (part ``training``) with DATABASE_URL set to a fresh database, or by
hand: ``DATABASE_URL=sqlite:///var/bench-att.sqlite3 .venv/bin/python bench/training_attendance.py``.

Builds (not timed) an authority with ``2,000 x scale`` schools, a programme of 50 courses of 5
sessions and ``60,000 x scale`` teachers; one course gets 30 enrolled teachers with attendance at
its first session. Then requests ``training:session-attendance`` of that session 200 times as the
programme owner of the authority (after 3 warm-up requests) and reports the p95 (aim < 50 ms).
Baseline: the plain query of what the page shows (the 30 enrolments with their staff and the
session's attendance), as one SQL statement, p95 of 200 runs.

Prints one JSON line ``{"part": "attendance", "figures": [...]}``. Nothing is asserted.
"""

import argparse
import json
import os
import statistics
import time

from _setup import migrate, setup
from training_world import build_offer, build_teachers, figure, log

REQUESTS = 200


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_TRAINING_SCALE", "1")))
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args()
    setup()
    migrate()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from digileap.accounts.models import Role
    from digileap.accounts.tests.factories import user_with_role
    from digileap.training.models import Attendance, CourseEnrolment, Session, StaffMember

    schools = max(10, round(2_000 * args.scale))
    teachers = max(60, round(60_000 * args.scale))
    log("training_attendance", f"building {schools:,} schools, 50 courses, {teachers:,} teachers")
    authority, programme, school_ids, course_ids, sessions = build_offer(schools=schools, courses=50)
    school_of = build_teachers(authority, school_ids, teachers)
    course_id = course_ids[0]
    session = Session.objects.get(pk=sessions[course_id][0][0])
    people = list(StaffMember.objects.order_by("pk")[:30])
    enrolments = CourseEnrolment.objects.bulk_create(
        [CourseEnrolment(course_id=course_id, staff=person, school_id=school_of[person.pk - 1]) for person in people]
    )
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=session,
                enrolment=enrolment,
                status="present" if index % 5 else "absent",
                minutes=session.minutes if index % 5 else 0,
            )
            for index, enrolment in enumerate(enrolments)
        ]
    )
    user = user_with_role(Role.PROGRAMME_OWNER, authority, username="bench-owner")
    client = Client()
    client.force_login(user)
    url = reverse("training:session-attendance", kwargs={"pk": session.pk})
    for _ in range(3):
        response = client.get(url)
    status = response.status_code
    timings = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    page_p95 = p95(timings)

    sql = """SELECT e.id, s.reference, s.first_name, s.last_name, a.status, a.minutes
        FROM training_courseenrolment e JOIN training_staffmember s ON s.id = e.staff_id
        LEFT JOIN training_attendance a ON a.enrolment_id = e.id AND a.session_id = %s
        WHERE e.course_id = %s AND e.state = 'enrolled' ORDER BY s.reference"""
    baseline = []
    for _ in range(args.requests):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [session.pk, course_id])
            rows = cursor.fetchall()
        baseline.append((time.perf_counter() - started) * 1000)
    figures = [
        figure(
            "attendance page of a session for 30 people (p95 of 200 requests)",
            page_p95,
            "ms",
            p95(baseline),
            "the plain query of its rows (p95)",
            "< 50 ms",
            status=status,
            rows=len(rows),
            median=round(statistics.median(timings), 2),
        )
    ]
    print(json.dumps({"part": "attendance", "scale": args.scale, "figures": figures}))


if __name__ == "__main__":
    main()
