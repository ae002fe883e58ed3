"""The teacher's own pages (docs/training-staff.md): "My training" (their record, schools,
enrolments with sessions and attendance, completions with certificates and badges, their
self-assessment rounds, courses open to them) and the public invitation link that makes their
account.

"My training" is for the teacher role only and shows only the teacher's own record (anyone else:
404). The invitation page needs no sign-in: the link's secret token is the key; it is rate-limited
per address, never cached, and keeps the token out of referrers.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from digileap.core.contributions import reverse_or_none
from digileap.core.permissions import restrict

from .forms_staff import InvitationAcceptForm
from .models import (
    AssessmentRound,
    Attendance,
    Completion,
    Course,
    CourseEnrolment,
    Invitation,
    Membership,
    SelfAssessment,
    Session,
)
from .selectors.people import display_name, invitation_by_token, invitation_state, own_staff, waiting_position
from .services import people as services

PUBLIC_LIMIT = 30
PUBLIC_WINDOW_SECONDS = 600


@dataclass(frozen=True)
class EnrolmentRow:
    """An enrolment of "My training": its place on the waiting list, its course's page, and its
    course's sessions with the teacher's attendance (``{"session", "attendance"}``)."""

    enrolment: CourseEnrolment
    position: int | None
    course_url: str | None
    session_rows: list[dict[str, Any]]


@dataclass(frozen=True)
class CompletionRow:
    """A completion of "My training" with the links to its certificate and its badge."""

    completion: Completion
    certificate_url: str | None
    badge_url: str | None


def course_fits(course: Course, levels: set[int], roles: set[str]) -> bool:
    """Whether a course's target group takes a person working at schools of ``levels`` in ``roles``
    (an empty target takes everyone)."""
    target_levels = {int(level) for level in course.target_levels or [] if str(level).isdigit()}
    target_roles = set(course.target_roles or [])
    return (not target_levels or bool(target_levels & levels)) and (not target_roles or bool(target_roles & roles))


@login_required
@require_GET
def my_training(request) -> HttpResponse:
    staff = own_staff(request.user)
    if staff is None:
        raise Http404
    user = request.user
    memberships = list(
        Membership.objects.filter(staff=staff).select_related("school").order_by("-is_active", "school__name")
    )
    active = [m for m in memberships if m.is_active]
    enrolments = list(
        CourseEnrolment.objects.filter(staff=staff)
        .exclude(state=CourseEnrolment.State.CANCELLED)
        .select_related("course", "school")
        .order_by("-created_at", "-pk")
    )
    sessions_by_course: dict[int, list[Session]] = {}
    for session in Session.objects.filter(course_id__in={e.course_id for e in enrolments}).order_by("starts_at", "pk"):
        sessions_by_course.setdefault(session.course_id, []).append(session)
    attendance = {
        (row.enrolment_id, row.session_id): row for row in Attendance.objects.filter(enrolment__in=enrolments)
    }
    enrolment_rows = [
        EnrolmentRow(
            enrolment=enrolment,
            position=waiting_position(enrolment),
            course_url=reverse_or_none("training:course-detail", kwargs={"pk": enrolment.course_id}),
            session_rows=[
                {"session": session, "attendance": attendance.get((enrolment.pk, session.pk))}
                for session in sessions_by_course.get(enrolment.course_id, [])
            ],
        )
        for enrolment in enrolments
    ]
    completions = list(Completion.objects.filter(staff=staff).select_related("course", "school", "session"))
    completion_rows = [
        CompletionRow(
            completion=completion,
            certificate_url=reverse_or_none("training:completion-certificate", kwargs={"pk": completion.pk}),
            badge_url=reverse_or_none("training:completion-badge", kwargs={"pk": completion.pk}),
        )
        for completion in completions
    ]
    today = timezone.localdate()
    answered = set(SelfAssessment.objects.filter(staff=staff).values_list("round_id", flat=True))
    rounds = list(
        restrict(AssessmentRound.objects.all(), user)
        .filter(Q(opens_on__lte=today, closes_on__gte=today) | Q(pk__in=answered))
        .select_related("programme")
        .order_by("-opens_on", "code")
    )
    for round_ in rounds:
        round_.is_open = round_.opens_on <= today <= round_.closes_on
        round_.is_answered = round_.pk in answered
        round_.answer_url = (
            reverse_or_none("training:assessmentround-answer", kwargs={"pk": round_.pk}) if round_.is_open else None
        )
        round_.report_url = (
            reverse_or_none("training:assessmentround-report", kwargs={"pk": round_.pk}) if round_.is_answered else None
        )
    taken = {e.course_id for e in enrolments} | {c.course_id for c in completions}
    levels = {level for m in active for level in m.school.levels}
    roles = {m.role for m in active}
    offered = [
        course
        for course in restrict(Course.objects.filter(state=Course.State.OPEN), user)
        .exclude(pk__in=taken)
        .select_related("provider", "programme")
        .order_by("code")
        if course_fits(course, levels, roles)
    ]
    for course in offered:
        course.detail_url = reverse_or_none("training:course-detail", kwargs={"pk": course.pk})
    return render(
        request,
        "training/teacher/my_training.html",
        {
            "staff": staff,
            "name": display_name(staff),
            "memberships": memberships,
            "enrolments": enrolment_rows,
            "completions": completion_rows,
            "rounds": rounds,
            "offered": offered,
        },
    )


# The public invitation link.


def _over_limit(request) -> bool:
    key = f"training:invitation:{request.META.get('REMOTE_ADDR', '') or 'unknown'}"
    if cache.add(key, 1, PUBLIC_WINDOW_SECONDS):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, PUBLIC_WINDOW_SECONDS)
        return False
    return count > PUBLIC_LIMIT


def _public(response: HttpResponse) -> HttpResponse:
    # The token is in the address: keep it out of other sites' logs, of search engines and caches.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _gone(request, state: str, invitation: Invitation | None = None) -> HttpResponse:
    status = 200 if state == "has_account" else 410
    context = {"state": state, "message": services.GONE_MESSAGES[state](), "invitation": invitation}
    return _public(render(request, "training/teacher/invitation_gone.html", context, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """The link of an invitation e-mail: the person chooses a username and a password; their
    teacher account is made and they are signed in."""
    if _over_limit(request):
        response = render(request, "training/teacher/invitation_gone.html", {"state": "limited"}, status=429)
        response["Retry-After"] = str(PUBLIC_WINDOW_SECONDS)
        return _public(response)
    invitation = invitation_by_token(token)
    if invitation is None:
        return _public(render(request, "training/teacher/invitation_gone.html", {"state": "unknown"}, status=404))
    state = invitation_state(invitation)
    if state != "open":
        return _gone(request, state, invitation)
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                preferred_language=get_language() or "",
            )
        except Invitation.DoesNotExist:
            return _public(render(request, "training/teacher/invitation_gone.html", {"state": "unknown"}, status=404))
        except services.InvitationGone as gone:
            return _gone(request, gone.state, invitation)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("training:my-training")
    staff = invitation.staff
    context = {
        "form": form,
        "authority": staff.authority,
        "reference": staff.reference,
        "name": display_name(staff),
        "invitation": invitation,
        "password_help": _password_help(),
    }
    status = 400 if form.is_bound and form.errors else 200
    return _public(render(request, "training/teacher/invitation_accept.html", context, status=status))


def _password_help() -> list[str]:
    from django.contrib.auth.password_validation import password_validators_help_texts

    return password_validators_help_texts()
