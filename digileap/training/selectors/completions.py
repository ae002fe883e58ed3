"""Completions as a user may see them: the list (filtered by one FilterSet shared by the page and
its exports), one completion, and how its person is named to this user.

Who is named how (docs/training-certificates.md):
- administrators, programme owners, the school side (operator staff, school coordinators) and the
  teacher themself see ``selectors.people.display_name`` (the name where the installation keeps
  names, else the staff reference);
- auditors and funding administrators see the pseudonym only;
- exports name the person only for the first group and only when names are kept; otherwise they
  carry the pseudonym.
"""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from digileap.accounts.models import Role
from digileap.core.permissions import Action, has_role, restrict
from digileap.programmes.selectors import programmes_for
from digileap.schools.selectors import schools_for

from ..models import Completion, Course, Source, StaffMember
from .people import display_name, names_kept

# Roles that may see a person's name or reference; everyone else sees pseudonyms.
NAMING_ROLES = (
    Role.ADMINISTRATOR,
    Role.PROGRAMME_OWNER,
    Role.OPERATOR_STAFF,
    Role.SCHOOL_COORDINATOR,
    Role.TEACHER,
)


def completions_for(user, action: str = Action.VIEW) -> QuerySet[Completion]:
    """The completions ``user`` may take ``action`` on, with what a list row prints."""
    return restrict(
        Completion.objects.select_related(
            "course", "course__programme", "course__programme__authority", "course__provider", "school", "staff"
        ),
        user,
        action,
    )


def completion_get(user, pk: int, action: str = Action.VIEW) -> Completion:
    """The completion, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(completions_for(user, action), pk=pk)


def names_people(user) -> bool:
    """Whether ``user`` sees names or references (else pseudonyms) on pages."""
    return has_role(user, *NAMING_ROLES)


def person_label(staff: StaffMember, user) -> str:
    """How the list and the detail page name the person to ``user``."""
    return display_name(staff) if names_people(user) else staff.pseudonym


def export_person_label(staff: StaffMember, user) -> str:
    """How an export names the person: by name only for the naming roles when names are kept."""
    if names_people(user) and names_kept():
        return display_name(staff)
    return staff.pseudonym


def _programmes(request):
    return programmes_for(request.user if request else None).filter(courses__isnull=False).distinct()


def _courses(request):
    return restrict(Course.objects.all(), request.user if request else None)


def _schools(request):
    return schools_for(request.user if request else None).select_related(None).only("id", "name")


class CompletionFilter(django_filters.FilterSet):
    """The filters of the completion list and its exports. Choices are limited to what the user
    may see, so that a filter never names anything outside the scope."""

    programme = django_filters.ModelChoiceFilter(
        field_name="course__programme", queryset=_programmes, label=_("Programme"), empty_label=_("All programmes")
    )
    course = django_filters.ModelChoiceFilter(queryset=_courses, label=_("Course"), empty_label=_("All courses"))
    school = django_filters.ModelChoiceFilter(queryset=_schools, label=_("School"), empty_label=_("All schools"))
    completed_from = django_filters.DateFilter(
        field_name="completed_on",
        lookup_expr="gte",
        label=_("Completed from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    completed_to = django_filters.DateFilter(
        field_name="completed_on",
        lookup_expr="lte",
        label=_("Completed until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Source"), empty_label=_("All sources"))

    class Meta:
        model = Completion
        fields: list[str] = []


def filtered_completions(request) -> tuple[CompletionFilter, QuerySet[Completion]]:
    """The filter form and the user's completions it selects, newest first."""
    completion_filter = CompletionFilter(request.GET or None, queryset=completions_for(request.user), request=request)
    return completion_filter, completion_filter.qs.order_by("-completed_on", "-pk")


def competences_of(course: Course) -> list:
    """The course's competences in the framework's order, with their framework."""
    return list(course.competences.select_related("framework", "area").order_by("framework", "area__order", "order"))
