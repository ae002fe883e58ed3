"""Reads of the registry. Every function takes the acting user and returns only what they may see."""

from collections import defaultdict

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from digileap.core.audit import history_for
from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, restrict

from .models import (
    Authority,
    EligibleCount,
    Enrolment,
    IscedLevel,
    School,
    SchoolOperator,
    Site,
    SocioEconomicIndex,
    StaffCount,
)


def authorities_for(user, action: str = Action.VIEW) -> QuerySet[Authority]:
    return restrict(Authority.objects.all(), user, action)


def operators_for(user, action: str = Action.VIEW) -> QuerySet[SchoolOperator]:
    return restrict(SchoolOperator.objects.select_related("authority"), user, action)


def schools_for(user, action: str = Action.VIEW) -> QuerySet[School]:
    return restrict(School.objects.select_related("authority", "operator", "ses_scale"), user, action)


def school_get(user, pk: int, action: str = Action.VIEW) -> School:
    """The school, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(schools_for(user, action), pk=pk)


def sites_for(user, action: str = Action.VIEW) -> QuerySet[Site]:
    return restrict(Site.objects.select_related("school"), user, action)


def enrolments_for(user, action: str = Action.VIEW) -> QuerySet[Enrolment]:
    return restrict(Enrolment.objects.select_related("school"), user, action)


def school_year_history(school: School) -> list[dict]:
    """Per school year, newest first: pupils by level (and grade), teachers, index, eligible groups."""
    years: dict[str, dict] = defaultdict(
        lambda: {"levels": defaultdict(lambda: {"total": 0, "grades": {}}), "teachers": None, "ses": [], "eligible": []}
    )
    for enrolment in school.enrolments.all():
        level = years[enrolment.school_year]["levels"][enrolment.level]
        level["total"] += enrolment.pupils
        if enrolment.grade:
            level["grades"][enrolment.grade] = enrolment.pupils
    for staff in StaffCount.objects.filter(school=school):
        years[staff.school_year]["teachers"] = staff.teachers
    for index in SocioEconomicIndex.objects.filter(school=school).select_related("scale"):
        years[index.school_year]["ses"].append(index)
    for count in EligibleCount.objects.filter(school=school).select_related("group"):
        years[count.school_year]["eligible"].append(count)
    history = []
    for year in sorted(years, reverse=True):
        data = years[year]
        levels = [
            {
                "level": level,
                "label": IscedLevel(level).label if level is not None else _("All levels (no breakdown given)"),
                "total": values["total"],
                "grades": sorted(values["grades"].items()),
            }
            # The total over all levels (level None), when the source gave no breakdown, comes last.
            for level, values in sorted(data["levels"].items(), key=lambda item: (item[0] is None, item[0] or 0))
        ]
        history.append(
            {
                "school_year": year,
                "levels": levels,
                "pupils": sum(level["total"] for level in levels),
                "teachers": data["teachers"],
                "ses": data["ses"],
                "eligible": data["eligible"],
            }
        )
    return history


def school_audit_history(school: School) -> QuerySet[AuditEvent]:
    """Events about the school itself, newest first. The caller has checked the user may see it."""
    return history_for(school)


def staff_counts_for(user, action: str = Action.VIEW) -> QuerySet[StaffCount]:
    return restrict(StaffCount.objects.select_related("school"), user, action)


def eligible_counts_for(user, action: str = Action.VIEW) -> QuerySet[EligibleCount]:
    return restrict(EligibleCount.objects.select_related("school", "group"), user, action)


def socio_economic_indices_for(user, action: str = Action.VIEW) -> QuerySet[SocioEconomicIndex]:
    return restrict(SocioEconomicIndex.objects.select_related("school", "scale"), user, action)
