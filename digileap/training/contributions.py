"""What training adds to the menu, the home page and the school page (``digileap.core.contributions``).

- The menu's "Training": a teacher's own page (My training) for teachers; the training front page for
  everyone else who may see courses (programme owners, funding administrators, auditors, operator
  staff, school coordinators). Suppliers see nothing.
- To-dos of teachers: each open self-assessment round of their authority's programmes that they
  have not answered (its questionnaire).
- To-dos of school coordinators and operator staff: each session held today whose attendance is
  not taken yet for their enrolled staff (its attendance page).
- To-dos of programme owners: the open courses of their authority without any session (the
  course list, filtered to open courses).
- The school page's "Training" panel: completions this school year, staff records and the
  registry's teachers, counted in one query, with links to the staff and completion lists.
"""

import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from digileap.accounts.models import Role
from digileap.core.contributions import (
    MenuEntry,
    Panel,
    Todo,
    register_menu,
    register_school_panel,
    register_todos,
    reverse_or_none,
)
from digileap.core.permissions import Action, assignments_for, can, has_role, restrict

# A school year ("2024/25") runs from 1 August, as the indicators count it.
SCHOOL_YEAR_STARTS = (8, 1)


def school_year_start(day: datetime.date) -> datetime.date:
    year = day.year if (day.month, day.day) >= SCHOOL_YEAR_STARTS else day.year - 1
    return datetime.date(year, *SCHOOL_YEAR_STARTS)


def _only_teacher(user, model) -> bool:
    """Whether every grant of ``user`` on ``model`` is a teacher's (scope: their own record)."""
    grants = assignments_for(user, Action.VIEW, model)
    return bool(grants) and all(a.role == Role.TEACHER for a in grants)


def _menu(user) -> list[MenuEntry]:
    from .models import Course

    if user is None or not user.is_authenticated or not can(user, Action.VIEW, Course):
        return []
    if _only_teacher(user, Course):
        url = reverse_or_none("training:my-training", "training:course-list")
    else:
        url = reverse_or_none("training:index")
    return [MenuEntry("training", gettext_lazy("Training"), url)] if url else []


# --- to-dos -------------------------------------------------------------------------------------------


def _teacher_todos(user) -> list[Todo]:
    from .models import AssessmentRound, SelfAssessment
    from .selectors.people import own_staff

    staff = own_staff(user)
    if staff is None:
        return []
    today = timezone.localdate()
    answered = SelfAssessment.objects.filter(round_id=OuterRef("pk"), staff=staff)
    rounds = (
        AssessmentRound.objects.filter(
            programme__authority_id=staff.authority_id, opens_on__lte=today, closes_on__gte=today
        )
        .exclude(Exists(answered))
        .order_by("closes_on", "pk")
    )
    todos = []
    for round_ in rounds:
        url = reverse_or_none("training:assessmentround-answer", kwargs={"pk": round_.pk})
        if not url:
            continue
        todos.append(
            Todo(
                f"training-self-assessment-{round_.pk}",
                _("Self-assessment %(round)s to answer") % {"round": str(round_)},
                1,
                url,
                _("Assess your digital competences before %(day)s.") % {"day": round_.closes_on.strftime("%Y-%m-%d")},
            )
        )
    return todos


def _school_side_todos(user) -> list[Todo]:
    """Sessions held today with enrolled staff of the user's schools whose attendance is missing:
    one query (a count per session of the enrolments in scope without an attendance)."""
    from .models import Attendance, CourseEnrolment, Session

    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    taken = Attendance.objects.filter(session_id=OuterRef(OuterRef("pk")), enrolment_id=OuterRef("pk"))
    missing = (
        restrict(CourseEnrolment.objects.filter(state=CourseEnrolment.State.ENROLLED), user)
        .filter(course_id=OuterRef("course_id"))
        .exclude(Exists(taken))
        .order_by()
        .values("course_id")
        .annotate(total=Count("pk"))
        .values("total")[:1]
    )
    sessions = (
        Session.objects.filter(starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1))
        .annotate(missing=Coalesce(Subquery(missing, output_field=IntegerField()), Value(0)))
        .filter(missing__gt=0)
        .select_related("course")
        .order_by("starts_at", "pk")
    )
    todos = []
    for session in sessions:
        url = reverse_or_none("training:session-attendance", kwargs={"pk": session.pk})
        if not url:
            continue
        todos.append(
            Todo(
                f"training-attendance-{session.pk}",
                ngettext(
                    "person without attendance today in %(course)s",
                    "people without attendance today in %(course)s",
                    session.missing,
                )
                % {"course": session.course.code},
                session.missing,
                url,
                _("Take the attendance of the session at %(time)s.")
                % {"time": timezone.localtime(session.starts_at).strftime("%H:%M")},
            )
        )
    return todos


def _owner_todos(user) -> list[Todo]:
    from .models import Course, Session

    without = (
        restrict(Course.objects.filter(state=Course.State.OPEN), user, Action.CHANGE)
        .exclude(Exists(Session.objects.filter(course_id=OuterRef("pk"))))
        .count()
    )
    url = reverse_or_none("training:course-list")
    if not url or not without:
        return []
    return [
        Todo(
            "training-courses-without-sessions",
            ngettext("open course without sessions", "open courses without sessions", without),
            without,
            f"{url}?state={Course.State.OPEN}",
            _("Teachers can enrol, but no session is planned yet."),
        )
    ]


def _todos(user) -> list[Todo]:
    from .models import Course

    if not can(user, Action.VIEW, Course):
        return []
    todos: list[Todo] = []
    if has_role(user, Role.TEACHER):
        todos += _teacher_todos(user)
    if any(a.role == Role.PROGRAMME_OWNER for a in assignments_for(user, Action.CHANGE, Course)):
        todos += _owner_todos(user)
    if has_role(user, Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF):
        todos += _school_side_todos(user)
    return todos


# --- the school page's panel ----------------------------------------------------------------------


def school_figures(user, school) -> dict:
    """The school's completions this school year, its active staff records and the registry's
    latest teacher count, as the user may see them: one query."""
    from digileap.schools.models import School, StaffCount

    from .models import Completion, Membership

    since = school_year_start(timezone.localdate())

    def counted(queryset, field: str):
        return Coalesce(
            Subquery(
                queryset.filter(school_id=OuterRef("pk"))
                .order_by()
                .values("school_id")
                .annotate(total=Count(field, distinct=True))
                .values("total")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )

    completions = restrict(Completion.objects.filter(completed_on__gte=since), user)
    staff = restrict(Membership.objects.filter(is_active=True), user)
    teachers = StaffCount.objects.filter(school_id=OuterRef("pk")).order_by("-school_year").values("teachers")[:1]
    row = (
        School.objects.filter(pk=school.pk)
        .annotate(
            completions_count=counted(completions, "pk"),
            staff_count=counted(staff, "staff_id"),
            registry_teachers=Subquery(teachers, output_field=IntegerField()),
        )
        .values("completions_count", "staff_count", "registry_teachers")
        .first()
    )
    return {**(row or {}), "since": since}


def _school_panel(request, school) -> Panel | None:
    from .models import Completion, StaffMember

    user = request.user
    if not can(user, Action.VIEW, Completion) or _only_teacher(user, Completion):
        return None
    figures = school_figures(user, school)
    links = []
    if can(user, Action.VIEW, StaffMember):
        url = reverse_or_none("training:staffmember-list")
        if url:
            links.append((_("Staff records"), f"{url}?school={school.pk}"))
    url = reverse_or_none("training:completion-list")
    if url:
        links.append((_("Completions"), f"{url}?school={school.pk}"))
    return Panel("training", "training/school_panel.html", {**figures, "links": links})


def register() -> None:
    register_menu("training", 260, _menu)
    register_todos("training", 260, _todos)
    register_school_panel("training", 260, _school_panel)


__all__ = ["register", "school_figures", "school_year_start"]
