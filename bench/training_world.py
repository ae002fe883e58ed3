"""Shared building blocks of the ``training`` benchmark scripts (not a script itself): an authority
with schools, a programme with courses and sessions, teachers with their memberships, and, for
the indicator, enrolments, attendance and completions, all written by bulk inserts (``COPY`` on
PostgreSQL, ``executemany`` on SQLite) with explicit keys, then ANALYZE."""

import datetime
import sys
import time
from decimal import Decimal


def log(script: str, message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {script}: {message}", file=sys.stderr, flush=True)


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


def analyze(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def reset_sequences(*models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def build_offer(*, schools: int, courses: int, sessions_per_course: int = 5):
    """An authority with ``schools`` schools, a programme with ``courses`` courses of
    ``sessions_per_course`` sessions each. Returns (authority, programme, school ids, course ids,
    session ids by course)."""
    from django.utils import timezone

    from digileap.core.bulk import bulk_insert
    from digileap.programmes.models import Programme
    from digileap.schools.models import Authority, School, SchoolOperator
    from digileap.training.models import Course, Provider, Session

    authority = Authority.objects.create(name="Bench authority", code="BENCH", country="BE")
    operator = SchoolOperator.objects.create(name="Bench operator", code="bench", authority=authority)
    for start in range(0, schools, 10_000):
        School.objects.bulk_create(
            [
                School(authority=authority, operator=operator, number=f"{n:06d}", name=f"School {n}")
                for n in range(start, min(schools, start + 10_000))
            ]
        )
    school_ids = list(School.objects.order_by("pk").values_list("pk", flat=True))
    programme = Programme.objects.create(
        code="bench-training",
        name={"en": "Bench training"},
        authority=authority,
        country="BE",
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        status=Programme.Status.IN_PROGRESS,
    )
    provider = Provider.objects.create(authority=authority, name="Bench provider")
    Course.objects.bulk_create(
        [
            Course(
                programme=programme,
                provider=provider,
                code=f"C-{n:04d}",
                title={"en": f"Course {n}"},
                hours=Decimal("6"),
                state=Course.State.OPEN,
            )
            for n in range(courses)
        ]
    )
    course_ids = list(Course.objects.filter(programme=programme).order_by("pk").values_list("pk", flat=True))
    first = timezone.make_aware(datetime.datetime(2024, 9, 2, 14, 0))

    def session_rows():
        for index, course_id in enumerate(course_ids):
            for number in range(sessions_per_course):
                starts = first + datetime.timedelta(days=index % 200 + 7 * number)
                yield (course_id, starts, starts + datetime.timedelta(hours=3), 40, "Bench room", "", "")

    bulk_insert(Session, ["course", "starts_at", "ends_at", "capacity", "place", "link", "trainer"], session_rows())
    sessions: dict[int, list[tuple[int, int]]] = {}
    for pk, course_id, starts_at, ends_at in Session.objects.order_by("starts_at", "pk").values_list(
        "pk", "course_id", "starts_at", "ends_at"
    ):
        sessions.setdefault(course_id, []).append((pk, int((ends_at - starts_at).total_seconds() // 60)))
    return authority, programme, school_ids, course_ids, sessions


def build_teachers(authority, school_ids: list[int], count: int) -> list[int]:
    """``count`` teachers (references T0000001...), each working at one school. Returns their schools
    by teacher index (ids are 1..count)."""
    from django.utils import timezone

    from digileap.core.bulk import bulk_insert
    from digileap.training.models import Membership, StaffMember

    now = timezone.now()
    school_of = [school_ids[n % len(school_ids)] for n in range(count)]
    bulk_insert(
        StaffMember,
        ["id", "authority", "reference", "pseudonym", "email", "first_name", "last_name", "gender", "age_band"]
        + ["created_at", "updated_at"],
        (
            (
                n + 1,
                authority.pk,
                f"T{n:07d}",
                f"T-{n:010X}",
                "",
                "",
                "",
                ("female", "male")[n % 2],
                ("18-29", "30-54", "55+")[n % 3],
                now,
                now,
            )
            for n in range(count)
        ),
    )
    bulk_insert(
        Membership,
        ["id", "staff", "school", "role", "is_active", "created_at"],
        ((n + 1, n + 1, school_of[n], "teacher", True, now) for n in range(count)),
    )
    reset_sequences(StaffMember, Membership)
    analyze(StaffMember._meta.db_table, Membership._meta.db_table)
    return school_of
