"""Reads of providers, courses and sessions, restricted to what the acting user may see.

A draft course is seen only by those who may change it (the programme's owners, administrators):
the school side, teachers, funding administrators and auditors see courses once they are open
(or closed). Counts are computed in the database with subqueries, so a page of courses or of
sessions costs one query whatever its length.
"""

from collections.abc import Callable
from typing import Any, TypeAlias, TypedDict

from django.db.models import Count, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, Coalesce
from django_stubs_ext import WithAnnotations

from digileap.core.permissions import Action, assignments_for, restrict
from digileap.programmes.models import Programme
from digileap.programmes.translation import language_codes
from digileap.schools.models import Authority

from ..models import Area, Attendance, Competence, Course, CourseEnrolment, CourseMapping, Framework, Provider, Session


def _enrolled_subquery():
    return Coalesce(
        Subquery(
            CourseEnrolment.objects.filter(course_id=OuterRef("pk"), state=CourseEnrolment.State.ENROLLED)
            .order_by()
            .values("course_id")
            .annotate(total=Count("pk"))
            .values("total")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def courses_for(user) -> QuerySet[Course]:
    """The courses ``user`` may see (drafts only for those who may change them)."""
    visible = restrict(Course.objects.all(), user, Action.VIEW)
    changeable = restrict(Course.objects.all(), user, Action.CHANGE).values("pk")
    return visible.filter(~Q(state=Course.State.DRAFT) | Q(pk__in=changeable)).select_related("programme", "provider")


class CourseCounts(TypedDict):
    """What ``with_counts`` annotates on a course."""

    sessions_count: int
    capacity: int | None
    enrolled_count: int
    waiting_count: int


CountedCourse: TypeAlias = "WithAnnotations[Course, CourseCounts]"


def with_counts(courses: QuerySet[Course]) -> QuerySet[CountedCourse]:
    """``courses`` each with ``sessions_count``, ``enrolled_count`` (enrolled, not waiting),
    ``waiting_count`` and ``capacity`` (the smallest session's; None without sessions)."""
    sessions = Session.objects.filter(course_id=OuterRef("pk")).order_by().values("course_id")
    waiting = CourseEnrolment.objects.filter(course_id=OuterRef("pk"), state=CourseEnrolment.State.WAITING)
    return courses.annotate(
        sessions_count=Coalesce(
            Subquery(sessions.annotate(total=Count("pk")).values("total")[:1], output_field=IntegerField()), 0
        ),
        capacity=Subquery(sessions.annotate(smallest=Min("capacity")).values("smallest")[:1]),
        enrolled_count=_enrolled_subquery(),
        waiting_count=Coalesce(
            Subquery(
                waiting.order_by().values("course_id").annotate(total=Count("pk")).values("total")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
    )


def course_capacity(course: Course) -> int | None:
    """How many people the course takes: its smallest session's capacity; None without sessions."""
    return Session.objects.filter(course=course).aggregate(smallest=Min("capacity"))["smallest"]


def sessions_with_enrolled(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """``sessions`` each with ``enrolled_count`` (their course's enrolled people, who are expected
    at every session), ``attendance_count`` (attendance recorded) and ``present_count``: one query."""
    enrolled = CourseEnrolment.objects.filter(
        course_id=OuterRef("course_id"), state=CourseEnrolment.State.ENROLLED
    ).order_by()
    recorded = Attendance.objects.filter(session_id=OuterRef("pk")).order_by()
    present = recorded.filter(status=Attendance.Status.PRESENT)

    def counted(queryset, key: str):
        return Coalesce(
            Subquery(queryset.values(key).annotate(total=Count("pk")).values("total")[:1], output_field=IntegerField()),
            0,
        )

    return sessions.annotate(
        enrolled_count=counted(enrolled, "course_id"),
        attendance_count=counted(recorded, "session_id"),
        present_count=counted(present, "session_id"),
    )


def sessions_of(course: Course) -> QuerySet[Session]:
    """The course's sessions in order, with their counts (``sessions_with_enrolled``)."""
    return sessions_with_enrolled(Session.objects.filter(course=course)).order_by("starts_at", "pk")


def sessions_for(user) -> QuerySet[Session]:
    """The sessions of the courses ``user`` may see."""
    return Session.objects.filter(course__in=courses_for(user).values("pk")).select_related("course")


def providers_for(user) -> QuerySet[Provider]:
    """The providers ``user`` may see, with ``courses_count`` (of every course, draft or not)."""
    courses = Course.objects.filter(provider_id=OuterRef("pk")).order_by().values("provider_id")
    return (
        restrict(Provider.objects.all(), user, Action.VIEW)
        .select_related("authority")
        .annotate(
            courses_count=Coalesce(
                Subquery(courses.annotate(total=Count("pk")).values("total")[:1], output_field=IntegerField()), 0
            )
        )
        .order_by("authority__name", "name", "pk")
    )


def mappings_for(user) -> QuerySet[CourseMapping]:
    return restrict(CourseMapping.objects.all(), user, Action.VIEW)


def _authority_ids(user, action: str, model) -> set[int] | None:
    """The authorities in which ``user`` may ``action`` ``model``; None means every one."""
    ids: set[int] = set()
    for assignment in assignments_for(user, action, model):
        if assignment.scope_kind == "all":
            return None
        if assignment.scope_kind == "authority":
            ids.add(assignment.scope_id)
    return ids


def programmes_for_courses(user) -> QuerySet[Programme]:
    """The programmes in which ``user`` may make courses (those of the authorities they run)."""
    ids = _authority_ids(user, Action.ADD, Course)
    programmes = Programme.objects.all() if ids is None else Programme.objects.filter(authority_id__in=ids)
    return programmes.select_related("authority").order_by("code", "pk")


def authorities_for_providers(user) -> QuerySet[Authority]:
    """The authorities in which ``user`` may add providers."""
    ids = _authority_ids(user, Action.ADD, Provider)
    authorities = Authority.objects.all() if ids is None else Authority.objects.filter(pk__in=ids)
    return authorities.order_by("name", "pk")


def providers_usable(user, authority_ids=None) -> QuerySet[Provider]:
    """The providers a course form offers: those of the authorities where ``user`` makes courses."""
    ids = _authority_ids(user, Action.ADD, Course)
    providers = Provider.objects.all() if ids is None else Provider.objects.filter(authority_id__in=ids)
    if authority_ids is not None:
        providers = providers.filter(authority_id__in=authority_ids)
    return providers.select_related("authority").order_by("name", "pk")


def frameworks_visible(user) -> QuerySet[Framework]:
    """The frameworks ``user`` may see: the shipped ones and their authority's own."""
    shared: Callable[[Any], QuerySet[Framework]] | None
    try:
        from .frameworks import frameworks_for as shared
    except ImportError:  # the framework part has not landed yet
        shared = None
    if shared is not None:
        return shared(user)
    own = restrict(Framework.objects.all(), user, Action.VIEW).values("pk")
    return Framework.objects.filter(Q(authority__isnull=True) | Q(pk__in=own))


def competences_for_form(user, authority_ids=None, *, active_only: bool = True) -> QuerySet[Competence]:
    """The competences a course form offers: of the (active) frameworks ``user`` may see (their
    authority's own and the shipped ones), with area and framework loaded."""
    frameworks = frameworks_visible(user)
    if active_only:
        frameworks = frameworks.filter(is_active=True)
    if authority_ids is not None:
        frameworks = frameworks.filter(Q(authority__isnull=True) | Q(authority_id__in=authority_ids))
    return (
        Competence.objects.filter(framework__in=frameworks.values("pk"))
        .select_related("area", "framework")
        .order_by("framework__code", "framework__version", "area__order", "area__code", "order", "code", "pk")
    )


def areas_of(courses: QuerySet[Course]) -> QuerySet[Area]:
    """The competence areas the given courses address (the list's filter choices)."""
    return (
        Area.objects.filter(competences__courses__in=courses.values("pk"))
        .select_related("framework")
        .distinct()
        .order_by("framework__code", "framework__version", "order", "code", "pk")
    )


def level_pattern(level: int) -> str:
    """A regular expression matching a JSON list of whole numbers that holds ``level``."""
    return rf"[\[ ,]{int(level)}[,\]]"


def for_level(courses: QuerySet[Course], level: int) -> QuerySet[Course]:
    """The courses for a school level: those naming it, and those naming no level (for every level).
    (A regular expression over the JSON text: SQLite has no JSON containment.)"""
    return courses.annotate(levels_text=Cast("target_levels", TextField())).filter(
        Q(levels_text__regex=level_pattern(level)) | Q(target_levels=[])
    )


def search(courses: QuerySet[Course], text: str) -> QuerySet[Course]:
    """Courses whose code or title (in any language) holds ``text``."""
    text = (text or "").strip()
    if not text:
        return courses
    condition = Q(code__icontains=text)
    for code in language_codes():
        condition |= Q(**{f"title__{code}__icontains": text})
    return courses.filter(condition)
