"""The training app's front page: the parts the signed-in user may open, with a count each."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from digileap.accounts.models import Role
from digileap.core.contributions import reverse_or_none
from digileap.core.permissions import Action, assignments_for, can, restrict
from digileap.core.types import Text

from .models import AssessmentRound, Completion, Course, Framework, Provider, StaffMember


@dataclass
class Part:
    key: str
    title: Text
    href: str
    text: Text
    count: int | None = None


def _only_teacher(user) -> bool:
    grants = assignments_for(user, Action.VIEW, Course)
    return bool(grants) and all(a.role == Role.TEACHER for a in grants)


def parts_for(user) -> list[Part]:
    """The parts ``user`` may open, in the order of a programme's work."""
    parts: list[Part] = []

    def add(key, url_name, model, title, text, count=True, query="", gate=None):
        url = reverse_or_none(url_name)
        if url and can(user, Action.VIEW, gate or model):
            number = restrict(model._default_manager.all(), user).count() if count else None
            parts.append(Part(key, title, url + query, text, number))

    add(
        "courses",
        "training:course-list",
        Course,
        _("Courses"),
        _("Courses, their sessions, enrolments and attendance."),
    )
    add("providers", "training:provider-list", Provider, _("Providers"), _("Who gives the courses."))
    add(
        "staff",
        "training:staffmember-list",
        StaffMember,
        _("School staff"),
        _("Staff records of the schools, their invitations and accounts."),
    )
    add(
        "completions",
        "training:completion-list",
        Completion,
        _("Completions"),
        _("Who completed which course, with certificates and badges."),
    )
    add(
        "rounds",
        "training:assessmentround-list",
        AssessmentRound,
        _("Self-assessment"),
        _("Rounds of the teachers' self-assessment and the results of groups."),
    )
    add(
        "frameworks",
        "training:framework-list",
        Framework,
        _("Competence frameworks"),
        _("DigCompEdu and the authority's own variants."),
        count=False,
        gate=Course,  # shipped frameworks are read by everyone who reads courses
    )
    importing = reverse_or_none("importjob-create")
    if importing and can(user, Action.ADD, Completion):
        parts.append(
            Part(
                "import",
                _("Import completions"),
                importing + "?" + urlencode({"target": "completions", "profile": "moodle"}),
                _("Completion reports of Moodle, Digileap's own columns or xAPI statements."),
            )
        )
    return parts


@login_required
def training_index(request):
    if _only_teacher(request.user):
        url = reverse_or_none("training:my-training")
        if url:
            return redirect(url)
    parts = parts_for(request.user)
    if not parts:
        raise PermissionDenied
    return render(request, "training/index.html", {"parts": parts})
