"""Pages of courses, their sessions, providers and platform identifiers (docs/training-courses.md).

Reads go through ``selectors.courses`` (outside the scope, or a draft one may not change: 404); a
missing right is a 403. Every write is a POST that calls ``services.courses``; a service's
``ValidationError`` goes back onto the form (or into a message) and nothing is written.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.contributions import reverse_or_none
from digileap.core.permissions import Action, can, permits, restrict
from digileap.programmes.translation import localized
from digileap.schools.models import IscedLevel

from .forms_course import CourseFilter, CourseForm, CourseMappingForm, ProviderForm, SessionForm
from .models import Attendance, Course, CourseEnrolment, CourseMapping, Provider, Session
from .models.people import StaffRole
from .selectors import courses as selectors
from .services import courses as services

COURSES_PER_PAGE = 50


def _status(form) -> int:
    """400 when a posted form is shown back with its errors."""
    return 400 if form.is_bound and form.errors else 200


def _course(request, pk: int, action: str = Action.VIEW) -> Course:
    course = get_object_or_404(selectors.courses_for(request.user), pk=pk)
    if action != Action.VIEW and not permits(request.user, action, course):
        raise PermissionDenied
    return course


def _session(request, pk: int, action: str) -> Session:
    session = get_object_or_404(selectors.sessions_for(request.user), pk=pk)
    if not permits(request.user, action, session):
        raise PermissionDenied
    return session


# Providers


@login_required
@require_GET
def provider_list(request):
    if not can(request.user, Action.VIEW, Provider):
        raise PermissionDenied
    providers = list(selectors.providers_for(request.user))
    return render(
        request,
        "training/course/provider_list.html",
        {
            "providers": providers,
            "can_add": selectors.authorities_for_providers(request.user).exists(),
            "show_authority": len({provider.authority_id for provider in providers}) > 1,
            "changeable": set(
                restrict(Provider.objects.all(), request.user, Action.CHANGE).values_list("pk", flat=True)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_create(request):
    authorities = selectors.authorities_for_providers(request.user)
    if not authorities.exists():
        raise PermissionDenied
    form = ProviderForm(request.POST or None, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.create_provider(
                actor=request.user,
                authority=form.cleaned_data["authority"],
                name=form.cleaned_data["name"],
                website=form.cleaned_data["website"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The provider %(name)s was added.") % {"name": provider.name})
            return redirect("training:provider-list")
    return render(request, "training/course/provider_form.html", {"form": form, "provider": None}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def provider_update(request, pk: int):
    provider = get_object_or_404(selectors.providers_for(request.user), pk=pk)
    if not permits(request.user, Action.CHANGE, provider):
        raise PermissionDenied
    form = ProviderForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_provider(
                actor=request.user,
                provider=provider,
                name=form.cleaned_data["name"],
                website=form.cleaned_data["website"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The provider was saved."))
            return redirect("training:provider-list")
    return render(
        request, "training/course/provider_form.html", {"form": form, "provider": provider}, status=_status(form)
    )


# Courses


@login_required
@require_GET
def course_list(request):
    if not can(request.user, Action.VIEW, Course):
        raise PermissionDenied
    courses = selectors.courses_for(request.user)
    course_filter = CourseFilter(request.GET or None, queryset=courses, request=request)
    filtered = course_filter.qs if course_filter.is_bound else courses
    page = Paginator(selectors.with_counts(filtered).order_by("code", "pk"), COURSES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = urlencode({key: value for key, value in request.GET.items() if key in course_filter.filters and value})
    return render(
        request,
        "training/course/course_list.html",
        {
            "filter": course_filter,
            "page": page,
            "query": query,
            "can_add": selectors.programmes_for_courses(request.user).exists(),
            "can_see_providers": can(request.user, Action.VIEW, Provider),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    programmes = selectors.programmes_for_courses(request.user)
    if not programmes.exists():
        raise PermissionDenied
    form = CourseForm(request.POST or None, user=request.user, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.create_course(
                actor=request.user, programme=form.cleaned_data["programme"], **form.service_data()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The course %(code)s was made.") % {"code": course.code})
            return redirect("training:course-detail", pk=course.pk)
    return render(request, "training/course/course_form.html", {"form": form, "course": None}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def course_update(request, pk: int):
    course = _course(request, pk, Action.CHANGE)
    form = CourseForm(request.POST or None, user=request.user, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_course(actor=request.user, course=course, **form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The course was saved."))
            return redirect("training:course-detail", pk=course.pk)
    return render(request, "training/course/course_form.html", {"form": form, "course": course}, status=_status(form))


def competence_groups(course: Course) -> list[dict]:
    """The course's competences grouped by area, in the framework's order (one query)."""
    groups: dict[int, dict] = {}
    competences = course.competences.select_related("area", "framework").order_by(
        "area__order", "area__code", "order", "code"
    )
    for competence in competences:
        group = groups.setdefault(
            competence.area_id,
            {
                "area": f"{competence.area.code} {localized(competence.area.name)}".strip(),
                "framework": f"{localized(competence.framework.name) or competence.framework.code} {competence.framework.version}",
                "competences": [],
            },
        )
        group["competences"].append({"code": competence.code, "name": localized(competence.name)})
    return list(groups.values())


@login_required
@require_GET
def course_detail(request, pk: int):
    course = _course(request, pk)
    counted = selectors.with_counts(Course.objects.filter(pk=course.pk)).values(
        "sessions_count", "enrolled_count", "waiting_count", "capacity"
    )[0]
    user = request.user
    sessions = list(selectors.sessions_of(course))
    can_change = permits(user, Action.CHANGE, course)
    can_add_session = permits(user, Action.ADD, Session(course=course))
    can_change_sessions = can_add_session and can(user, Action.CHANGE, Session)
    can_delete_sessions = can_add_session and can(user, Action.DELETE, Session)
    may_take_attendance = can(user, Action.ADD, Attendance) or can(user, Action.CHANGE, Attendance)
    session_rows = [
        {
            "session": session,
            "attendance_url": reverse_or_none("training:session-attendance", kwargs={"pk": session.pk})
            if may_take_attendance
            else None,
        }
        for session in sessions
    ]
    mappings = list(selectors.mappings_for(user).filter(course=course).order_by("system", "identifier", "pk"))
    can_add_mapping = permits(
        user, Action.ADD, CourseMapping(course=course, authority_id=course.programme.authority_id)
    )
    enrol_url = None
    if course.state == Course.State.OPEN and can(user, Action.ADD, CourseEnrolment):
        enrol_url = reverse_or_none("training:course-enrol", kwargs={"pk": course.pk})
    level_labels = dict(IscedLevel.choices)
    role_labels = dict(StaffRole.choices)
    return render(
        request,
        "training/course/course_detail.html",
        {
            "course": course,
            "title": localized(course.title) or course.code,
            "description": localized(course.description),
            "counts": counted,
            "competence_groups": competence_groups(course),
            "school_levels": [level_labels.get(level, level) for level in course.target_levels],
            "staff_roles": [role_labels.get(role, role) for role in course.target_roles],
            "session_rows": session_rows,
            "mappings": mappings,
            "mapping_form": CourseMappingForm() if can_add_mapping else None,
            "can_change": can_change,
            "can_add_session": can_add_session,
            "can_change_sessions": can_change_sessions,
            "can_delete_sessions": can_delete_sessions,
            "can_delete_mappings": can_add_mapping and can(user, Action.DELETE, CourseMapping),
            "enrol_url": enrol_url,
            "shows_attendance_rule": course.completion_rule != Course.Rule.ASSESSMENT,
        },
    )


# Sessions


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, course_pk: int):
    course = _course(request, course_pk)
    if not permits(request.user, Action.ADD, Session(course=course)):
        raise PermissionDenied
    form = SessionForm(request.POST or None, initial={"capacity": 20})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_session(actor=request.user, course=course, **form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The session was added."))
            return redirect("training:course-detail", pk=course.pk)
    return render(
        request,
        "training/course/session_form.html",
        {"form": form, "course": course, "session": None},
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_update(request, pk: int):
    session = _session(request, pk, Action.CHANGE)
    form = SessionForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(actor=request.user, session=session, **form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("training:course-detail", pk=session.course_id)
    return render(
        request,
        "training/course/session_form.html",
        {"form": form, "course": session.course, "session": session},
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_delete(request, pk: int):
    session = _session(request, pk, Action.DELETE)
    if request.method == "POST":
        try:
            services.delete_session(actor=request.user, session=session)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("The session was deleted."))
        return redirect("training:course-detail", pk=session.course_id)
    return render(
        request,
        "training/course/session_confirm_delete.html",
        {"session": session, "course": session.course, "attendance": session.attendances.count()},
    )


# Identifiers on learning platforms


@login_required
@require_POST
def coursemapping_create(request, course_pk: int):
    course = _course(request, course_pk)
    if not permits(request.user, Action.ADD, CourseMapping(course=course, authority_id=course.programme.authority_id)):
        raise PermissionDenied
    form = CourseMappingForm(request.POST)
    if form.is_valid():
        try:
            services.set_course_mapping(
                actor=request.user,
                course=course,
                system=form.cleaned_data["system"],
                identifier=form.cleaned_data["identifier"],
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("The identifier was saved."))
    else:
        for field, errors in form.errors.items():
            for message in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {message}" if label else str(message))
    return redirect(f"{course_detail_url(course)}#identifiers-title")


@login_required
@require_POST
def coursemapping_delete(request, pk: int):
    mapping = get_object_or_404(selectors.mappings_for(request.user).select_related("course"), pk=pk)
    if not permits(request.user, Action.DELETE, mapping):
        raise PermissionDenied
    services.delete_course_mapping(actor=request.user, mapping=mapping)
    messages.success(request, _("The identifier was removed."))
    return redirect(f"{course_detail_url(mapping.course)}#identifiers-title")


def course_detail_url(course: Course) -> str:
    return reverse("training:course-detail", kwargs={"pk": course.pk})
