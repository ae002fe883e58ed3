"""Reads for the measurement pages: a school's daily summaries and its latest raw rows, always
through ``restrict`` (a school coordinator sees only their school; outside the scope: 404)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from digileap.core.permissions import Action, can, restrict
from digileap.schools.models import School

from ..models import DailyAggregate, Measurement

RECENT = 50


def school_get(user, pk: int) -> School:
    """The school, if the user may read measurements at all (403) and sees the school (404)."""
    if not can(user, Action.VIEW, DailyAggregate):
        raise PermissionDenied
    return get_object_or_404(restrict(School.objects.all(), user), pk=pk)


def daily_aggregates(school: School, user):
    """The school's daily summaries, newest first (per day: the whole school first, then sites)."""
    return (
        restrict(DailyAggregate.objects.filter(school=school), user)
        .select_related("site")
        .order_by("-day", "site__name", "pk")
    )


def recent_measurements(school: School, user, limit: int = RECENT) -> list[Measurement]:
    """The school's latest raw rows (every source), newest first."""
    return list(
        restrict(Measurement.objects.filter(school=school), user)
        .select_related("site")
        .order_by("-measured_at", "-pk")[:limit]
    )
