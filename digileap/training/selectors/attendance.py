"""Reads of the attendance page (docs/training-attendance.md): a session, and its people with their
attendance in one query, restricted to the people the acting user may see (a school coordinator
sees their school's people only)."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django.shortcuts import get_object_or_404

from digileap.core.permissions import Action, can, restrict

from ..models import Attendance, Completion, CourseEnrolment, Session, StaffMember
from .people import display_name


def session_get(user, pk: int) -> Session:
    """The session ``pk`` with its course, if ``user`` may see it; else 404."""
    sessions = Session.objects.select_related("course", "course__programme")
    return get_object_or_404(restrict(sessions, user), pk=pk)


@dataclass
class AttendanceRow:
    enrolment_id: int
    staff_id: int
    reference: str
    name: str
    school: str
    status: str
    minutes: int | None
    source: str
    is_completed: bool

    @property
    def status_label(self) -> str:
        return str(Attendance.Status(self.status).label) if self.status else ""


def attendance_rows(user, session: Session, *, enrolment_ids=None) -> list[AttendanceRow]:
    """The enrolled people of the session's course that ``user`` may see, each with their
    attendance of ``session`` (status "" when not taken yet) and whether they completed the course.
    One query."""
    enrolments = restrict(
        CourseEnrolment.objects.filter(course_id=session.course_id, state=CourseEnrolment.State.ENROLLED), user
    )
    if enrolment_ids is not None:
        enrolments = enrolments.filter(pk__in=enrolment_ids)
    completed = Completion.objects.filter(course_id=session.course_id, staff_id=OuterRef("staff_id"))
    values = (
        enrolments.annotate(
            taken=FilteredRelation("attendances", condition=Q(attendances__session_id=session.pk)),
            is_completed=Exists(completed),
        )
        .order_by("school__name", "staff__reference", "pk")
        .values(
            "pk",
            "staff_id",
            "staff__reference",
            "staff__first_name",
            "staff__last_name",
            "staff__pseudonym",
            "school__name",
            "is_completed",
            status=F("taken__status"),
            minutes=F("taken__minutes"),
            source=F("taken__source"),
        )
    )
    rows = []
    for value in values:
        staff = StaffMember(
            pk=value["staff_id"],
            reference=value["staff__reference"],
            first_name=value["staff__first_name"],
            last_name=value["staff__last_name"],
            pseudonym=value["staff__pseudonym"],
        )
        rows.append(
            AttendanceRow(
                enrolment_id=value["pk"],
                staff_id=value["staff_id"],
                reference=value["staff__reference"],
                name=display_name(staff, user),
                school=value["school__name"],
                status=value["status"] or "",
                minutes=value["minutes"],
                source=value["source"] or "",
                is_completed=value["is_completed"],
            )
        )
    return rows


def attendance_counts(rows: list[AttendanceRow]) -> dict[str, int]:
    """How many people are present, absent, excused and not yet marked."""
    counts = Counter(row.status or "unmarked" for row in rows)
    return {
        "people": len(rows),
        "present": counts["present"],
        "absent": counts["absent"],
        "excused": counts["excused"],
        "unmarked": counts["unmarked"],
    }


def may_record(user, session: Session) -> bool:
    """Whether ``user`` may take attendance at all (school-side roles and programme owners)."""
    return can(user, Action.ADD, Attendance) and can(user, Action.CHANGE, Attendance)
