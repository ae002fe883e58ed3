"""Pages of enrolments, attendance and assessment results (docs/training-attendance.md):

- a course's enrol page: people of the schools in the user's scope, with who is enrolled or waiting;
  a teacher enrols themself;
- a course's enrolments: enrolled, waiting (with their place) and cancelled, CSV/XLSX export,
  cancelling and the assessment result per person;
- a session's attendance: one row per enrolled person with three big buttons (present, absent,
  excused); a tap posts at once (``attendance.js`` sends it with ``fetch`` and gets JSON back), and
  without JavaScript each row is a form; "everyone present"; the sign-in sheet import.

Reads go through the selectors (outside the scope: 404); a missing right is a 403. Every write is a
POST that calls a service; its ``ValidationError`` is shown, nothing written.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.exports import export_response
from digileap.core.permissions import Action, can, permits

from .forms_attendance import AssessmentForm, AttendanceForm, EnrolFilterForm, SigninSheetForm
from .models import Attendance, Course, CourseEnrolment, Membership
from .selectors.attendance import attendance_counts, attendance_rows, may_record, session_get
from .selectors.enrolments import (
    course_capacity,
    course_get,
    enrollable_memberships,
    enrolled_count,
    enrolment_get,
    enrolment_schools,
    waiting_positions,
)
from .selectors.enrolments import (
    course_enrolments as course_enrolments_of,
)
from .selectors.people import display_name, own_staff
from .services.attendance import import_signin_sheet, record_assessment, record_attendance
from .services.enrolments import cancel_enrolment, enrol

PER_PAGE = 100


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# Enrolment


@login_required
@require_http_methods(["GET", "POST"])
def course_enrol(request, pk: int):
    """Enrol people of the schools in scope (or, for a teacher, themself) on a course."""
    course = course_get(request.user, pk)
    if not can(request.user, Action.ADD, CourseEnrolment):
        raise PermissionDenied
    me = own_staff(request.user)
    is_teacher = me is not None and not enrolment_schools(request.user, course)
    if is_teacher:
        schools = []
        memberships = (
            Membership.objects.filter(staff=me, is_active=True, school__authority_id=course.programme.authority_id)
            .select_related("staff", "school")
            .order_by("school__name", "pk")
        )
        filters = None
    else:
        schools = enrolment_schools(request.user, course)
        filters = EnrolFilterForm(request.GET or None, schools=schools)
        chosen_school, role = None, ""
        if filters.is_valid():
            chosen_school = next((s for s in schools if s.pk == filters.cleaned_data["school"]), None)
            role = filters.cleaned_data["role"]
        memberships = enrollable_memberships(request.user, course, school=chosen_school, role=role).filter(
            school__in=schools
        )
    errors: list[str] = []
    if request.method == "POST":
        chosen = set(request.POST.getlist("membership"))
        picked = [m for m in memberships if str(m.pk) in chosen]
        if not picked:
            errors.append(_("Choose at least one person to enrol."))
        else:
            try:
                with transaction.atomic():
                    results = []
                    failures: list[str] = []
                    for membership in picked:
                        try:
                            results.append(
                                enrol(
                                    actor=request.user, course=course, staff=membership.staff, school=membership.school
                                )
                            )
                        except ValidationError as error:
                            failures.extend(
                                f"{display_name(membership.staff, request.user)}: {message}"
                                for message in _messages_of(error)
                            )
                    if failures:
                        raise ValidationError(failures)
            except ValidationError as error:
                errors.extend(_messages_of(error))
            else:
                enrolled = sum(result.state == CourseEnrolment.State.ENROLLED for result in results)
                waiting = len(results) - enrolled
                messages.success(
                    request,
                    _("%(enrolled)s enrolled, %(waiting)s on the waiting list.")
                    % {"enrolled": enrolled, "waiting": waiting},
                )
                return redirect(request.get_full_path())
    page = Paginator(memberships, PER_PAGE).get_page(request.GET.get("page"))
    staff_ids = [membership.staff_id for membership in page.object_list]
    existing = {
        enrolment.staff_id: enrolment
        for enrolment in CourseEnrolment.objects.filter(course=course, staff_id__in=staff_ids).exclude(
            state=CourseEnrolment.State.CANCELLED
        )
    }
    positions = waiting_positions(course)
    rows = [
        {
            "membership": membership,
            "name": display_name(membership.staff, request.user),
            "enrolment": existing.get(membership.staff_id),
            "position": positions.get(existing[membership.staff_id].pk) if membership.staff_id in existing else None,
        }
        for membership in page.object_list
    ]
    capacity = course_capacity(course)
    context = {
        "course": course,
        "rows": rows,
        "page": page,
        "filters": filters,
        "is_teacher": is_teacher,
        "is_open": course.state == Course.State.OPEN,
        "capacity": capacity,
        "enrolled": enrolled_count(course),
        "waiting": len(positions),
        "errors": errors,
        "query": _without_page(request.GET),
    }
    return render(request, "training/enrolment/enrol.html", context, status=400 if errors else 200)


def _without_page(query) -> str:
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def course_enrolments(request, pk: int):
    """Enrolled, waiting and cancelled people of a course the user may see."""
    course = course_get(request.user, pk)
    rows = list(course_enrolments_of(request.user, course))
    positions = waiting_positions(course)
    may_change = can(request.user, Action.CHANGE, CourseEnrolment)
    groups: dict[str, list[dict[str, Any]]] = {state: [] for state in CourseEnrolment.State.values}
    for enrolment in rows:
        groups[enrolment.state].append(
            {
                "enrolment": enrolment,
                "name": display_name(enrolment.staff, request.user),
                "position": positions.get(enrolment.pk),
            }
        )
    groups[CourseEnrolment.State.WAITING].sort(key=lambda row: row["position"] or 0)
    context = {
        "course": course,
        "enrolled_rows": groups[CourseEnrolment.State.ENROLLED],
        "waiting_rows": groups[CourseEnrolment.State.WAITING],
        "cancelled_rows": groups[CourseEnrolment.State.CANCELLED],
        "may_change": may_change,
        "may_enrol": course.state == Course.State.OPEN and can(request.user, Action.ADD, CourseEnrolment),
        "shows_assessment": course.completion_rule != Course.Rule.ATTENDANCE,
        "capacity": course_capacity(course),
        "enrolled": enrolled_count(course),
        "sessions": list(course.sessions.order_by("starts_at", "pk")),
    }
    return render(request, "training/enrolment/list.html", context)


EXPORT_HEADERS = [
    "course",
    "person",
    "school_number",
    "school",
    "state",
    "waiting_position",
    "enrolled_at",
    "assessment_passed",
    "score",
]


@login_required
@require_GET
def course_enrolments_export(request, pk: int):
    """The enrolments of a course the user may see, as CSV (or ``?format=xlsx``)."""
    course = course_get(request.user, pk)
    positions = waiting_positions(course)
    rows = (
        [
            course.code,
            display_name(enrolment.staff, request.user),
            enrolment.school.number,
            enrolment.school.name,
            enrolment.state,
            positions.get(enrolment.pk),
            enrolment.created_at,
            enrolment.assessment_passed,
            enrolment.assessment_score,
        ]
        for enrolment in course_enrolments_of(request.user, course)
    )
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return export_response(file_format, f"enrolments-{course.code}", EXPORT_HEADERS, rows)


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_POST
def courseenrolment_cancel(request, pk: int):
    enrolment = enrolment_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, enrolment):
        raise PermissionDenied
    try:
        cancel_enrolment(actor=request.user, enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(_messages_of(error)))
    else:
        messages.success(
            request,
            _("The enrolment of %(person)s was cancelled.") % {"person": display_name(enrolment.staff, request.user)},
        )
    return redirect(_back(request, reverse("training:course-enrolments", kwargs={"pk": enrolment.course_id})))


@login_required
@require_POST
def courseenrolment_assessment(request, pk: int):
    """Store an enrolled person's assessment result (passed or failed, a score)."""
    enrolment = enrolment_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, enrolment) or own_staff(request.user) == enrolment.staff:
        raise PermissionDenied
    form = AssessmentForm(request.POST)
    back = reverse("training:course-enrolments", kwargs={"pk": enrolment.course_id})
    if not form.is_valid():
        messages.error(request, _("Choose passed or failed."))
        return redirect(back)
    try:
        record_assessment(actor=request.user, enrolment=enrolment, passed=form.passed, score=form.cleaned_data["score"])
    except ValidationError as error:
        messages.error(request, " ".join(_messages_of(error)))
    else:
        messages.success(
            request,
            _("The assessment result of %(person)s was saved.")
            % {"person": display_name(enrolment.staff, request.user)},
        )
    return redirect(back)


# Attendance


def _row_json(row, counts) -> dict:
    return {
        "enrolment": row.enrolment_id,
        "status": row.status,
        "minutes": row.minutes,
        "completed": row.is_completed,
        "counts": counts,
    }


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, pk: int):
    """Take attendance of a session: a tap per person, or everyone present at once."""
    session = session_get(request.user, pk)
    if not can(request.user, Action.VIEW, Attendance):
        raise PermissionDenied
    recorder = may_record(request.user, session)
    errors: list[str] = []
    if request.method == "POST":
        if not recorder:
            raise PermissionDenied
        if request.POST.get("action") == "all_present":
            return _all_present(request, session)
        form = AttendanceForm(request.POST)
        if not form.is_valid():
            errors = [
                f"{form.fields[name].label or name}: {' '.join(str(message) for message in messages)}"
                for name, messages in form.errors.items()
            ]
        else:
            enrolment = enrolment_get(request.user, form.cleaned_data["enrolment"], Action.CHANGE)
            try:
                record_attendance(
                    actor=request.user,
                    session=session,
                    enrolment=enrolment,
                    status=form.cleaned_data["status"],
                    minutes=form.minutes_value(),
                )
            except ValidationError as error:
                errors = [
                    f"{display_name(enrolment.staff, request.user)}: {message}" for message in _messages_of(error)
                ]
            else:
                if _wants_json(request):
                    rows = attendance_rows(request.user, session)
                    row = next(row for row in rows if row.enrolment_id == enrolment.pk)
                    return JsonResponse(_row_json(row, attendance_counts(rows)))
                return redirect(
                    f"{reverse('training:session-attendance', kwargs={'pk': session.pk})}#row-{enrolment.pk}"
                )
        if _wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
    rows = attendance_rows(request.user, session)
    context = {
        "session": session,
        "course": session.course,
        "rows": rows,
        "counts": attendance_counts(rows),
        "may_record": recorder,
        "statuses": Attendance.Status.choices,
        "errors": errors,
        "signin_form": SigninSheetForm(),
    }
    return render(request, "training/attendance/session.html", context, status=400 if errors else 200)


def _all_present(request, session):
    """Everyone on the page not yet marked is present for the whole session."""
    rows = attendance_rows(request.user, session)
    enrolments = {
        enrolment.pk: enrolment
        for enrolment in CourseEnrolment.objects.filter(pk__in=[row.enrolment_id for row in rows if not row.status])
    }
    with transaction.atomic():
        for enrolment in enrolments.values():
            record_attendance(
                actor=request.user, session=session, enrolment=enrolment, status=Attendance.Status.PRESENT
            )
    if _wants_json(request):
        rows = attendance_rows(request.user, session)
        return JsonResponse({"rows": [_row_json(row, None) for row in rows], "counts": attendance_counts(rows)})
    messages.success(request, _("%(count)s people marked present.") % {"count": len(enrolments)})
    return redirect("training:session-attendance", pk=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_signin(request, pk: int):
    """Import a session's attendance from a sign-in sheet (CSV or XLSX): all or nothing."""
    session = session_get(request.user, pk)
    if not may_record(request.user, session):
        raise PermissionDenied
    form = SigninSheetForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = import_signin_sheet(actor=request.user, session=session, file=upload, filename=upload.name)
        except ValidationError as error:
            errors = _messages_of(error)
        else:
            messages.success(
                request,
                _(
                    "Sign-in sheet read: %(rows)s people, %(created)s recorded, %(updated)s changed, %(unchanged)s unchanged."
                )
                % summary,
            )
            return redirect("training:session-attendance", pk=session.pk)
    elif request.method == "POST":
        errors = [str(message) for messages_ in form.errors.values() for message in messages_]
    context = {"session": session, "course": session.course, "form": form, "errors": errors}
    return render(request, "training/attendance/signin.html", context, status=400 if errors else 200)
