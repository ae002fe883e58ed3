"""Reads for the speed test pages: the schools and sites a user may test, their test links and
recent tests, always through ``restrict``."""

from django.shortcuts import get_object_or_404

from digileap.core.permissions import Action, restrict
from digileap.schools.models import School, Site

from ..models import SpeedTest, TestLink

RECENT = 10


def school_get(user, pk: int) -> School:
    return get_object_or_404(restrict(School.objects.all(), user), pk=pk)


def site_get(user, pk: int) -> Site:
    return get_object_or_404(restrict(Site.objects.select_related("school"), user), pk=pk)


def sites_of(school: School, user):
    return restrict(Site.objects.filter(school=school), user).order_by("name", "pk")


def links_of(school: School, user):
    return restrict(TestLink.objects.filter(school=school), user).select_related("site").order_by("-created_at", "-pk")


def link_get(user, pk: int, action: str = Action.VIEW) -> TestLink:
    return get_object_or_404(restrict(TestLink.objects.select_related("school", "site"), user), pk=pk)


def recent_tests(school: School, user, limit: int = RECENT):
    return list(
        restrict(SpeedTest.objects.filter(school=school), user)
        .select_related("site", "link")
        .order_by("-started_at", "-pk")[:limit]
    )


def own_running_test(user, pk: int) -> SpeedTest:
    """A running test that ``user`` started (the finish of the signed-in page)."""
    return get_object_or_404(
        restrict(SpeedTest.objects.select_related("school"), user).filter(
            user=user, link__isnull=True, state=SpeedTest.State.RUNNING
        ),
        pk=pk,
    )
