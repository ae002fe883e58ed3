"""Reads of enrolments and waiting lists, restricted to what the acting user may see
(docs/training-attendance.md).

A course's capacity is its smallest session's capacity (no sessions: no limit). The waiting list
is ordered by ``created_at``, then ``pk``: position 1 moves up first.
"""

from collections.abc import Callable

from django.db.models import Min, Q, QuerySet
from django.shortcuts import get_object_or_404

from digileap.core.permissions import Action, permits, restrict
from digileap.schools.models import School

from ..models import Course, CourseEnrolment, Membership, Session

WAITING_ORDER = ("created_at", "pk")


def course_capacity(course: Course) -> int | None:
    """The smallest session capacity of ``course``; None when it has no sessions (no limit)."""
    shared: Callable[[Course], int | None] | None
    try:
        from .courses import course_capacity as shared
    except ImportError:
        shared = None
    if shared is not None:
        return shared(course)
    return Session.objects.filter(course_id=course.pk).aggregate(smallest=Min("capacity"))["smallest"]


def courses_for(user, action: str = Action.VIEW) -> QuerySet[Course]:
    return restrict(Course.objects.select_related("programme", "programme__authority", "provider"), user, action)


def course_get(user, pk: int) -> Course:
    """The course ``pk`` if ``user`` may see it, else 404."""
    return get_object_or_404(courses_for(user), pk=pk)


def enrolments_for(user, action: str = Action.VIEW) -> QuerySet[CourseEnrolment]:
    return restrict(
        CourseEnrolment.objects.select_related("staff", "school", "course", "course__programme"), user, action
    )


def enrolment_get(user, pk: int, action: str = Action.VIEW) -> CourseEnrolment:
    return get_object_or_404(enrolments_for(user, action), pk=pk)


def course_enrolments(user, course: Course, *, states=None) -> QuerySet[CourseEnrolment]:
    """The enrolments of ``course`` that ``user`` may see: enrolled first, then the waiting list in
    its order, then cancelled ones."""
    rows = enrolments_for(user).filter(course=course)
    if states:
        rows = rows.filter(state__in=states)
    return rows.order_by("state", *WAITING_ORDER)


def enrolled_count(course: Course) -> int:
    return CourseEnrolment.objects.filter(course_id=course.pk, state=CourseEnrolment.State.ENROLLED).count()


def waiting_positions(course: Course) -> dict[int, int]:
    """Enrolment id -> place on the waiting list of ``course`` (1 = next to move up), over the whole
    list (also people the user does not see), so the places are the true ones."""
    ids = (
        CourseEnrolment.objects.filter(course_id=course.pk, state=CourseEnrolment.State.WAITING)
        .order_by(*WAITING_ORDER)
        .values_list("pk", flat=True)
    )
    return {pk: place for place, pk in enumerate(ids, start=1)}


def waiting_position(enrolment: CourseEnrolment) -> int | None:
    """The place of a waiting enrolment on its course's waiting list, else None."""
    if enrolment.state != CourseEnrolment.State.WAITING:
        return None
    ahead = CourseEnrolment.objects.filter(course_id=enrolment.course_id, state=CourseEnrolment.State.WAITING).filter(
        Q(created_at__lt=enrolment.created_at) | Q(created_at=enrolment.created_at, pk__lt=enrolment.pk)
    )
    return ahead.count() + 1


def enrolment_schools(user, course: Course) -> list[School]:
    """The schools of the course's authority at which ``user`` may enrol people."""
    schools = School.objects.filter(authority_id=course.programme.authority_id).order_by("name", "pk")
    probe = CourseEnrolment(course=course)
    allowed = []
    for school in schools:
        probe.school = school
        if _may_enrol_at(user, probe):
            allowed.append(school)
    return allowed


def _may_enrol_at(user, probe: CourseEnrolment) -> bool:
    # School-side roles reach an unsaved enrolment through its school; a teacher through their own
    # record (checked per person when enrolling).
    from digileap.core.permissions import assignments_for

    for assignment in assignments_for(user, Action.ADD, CourseEnrolment):
        if assignment.scope_kind == "staff":
            return False
    return permits(user, Action.ADD, probe)


def enrollable_memberships(user, course: Course, *, school=None, role: str = "") -> QuerySet[Membership]:
    """The active memberships (person at a school) of the course's authority that ``user`` may see
    and enrol, optionally of one school and one staff role; ordered by school and reference."""
    rows = restrict(
        Membership.objects.filter(is_active=True, school__authority_id=course.programme.authority_id), user
    ).select_related("staff", "school")
    if school is not None:
        rows = rows.filter(school=school)
    if role:
        rows = rows.filter(role=role)
    return rows.order_by("school__name", "staff__reference", "pk")
