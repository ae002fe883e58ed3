"""Reads of access point installations, restricted to what the acting user may see, and what a person
recording one may choose: access points not installed yet, and the sites of their schools."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from digileap.core.audit import history_for
from digileap.core.models import AuditEvent
from digileap.core.permissions import Action, restrict
from digileap.schools.models import School, Site

from ..models import AccessPointInstallation, Device, DeviceType


def installations_for(user, action: str = Action.VIEW) -> QuerySet[AccessPointInstallation]:
    return restrict(
        AccessPointInstallation.objects.select_related(
            "device", "device__supplier", "school", "school__operator", "site", "recorded_by", "verified_by"
        ),
        user,
        action,
    )


def installation_get(user, pk: int, action: str = Action.VIEW) -> AccessPointInstallation:
    """The installation, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(installations_for(user, action), pk=pk)


def installation_list(user, *, school=None, verified: str = "") -> QuerySet[AccessPointInstallation]:
    """Installations per school, filtered by school and by verified (``"yes"``) or not (``"no"``)."""
    installations = installations_for(user)
    if school is not None:
        installations = installations.filter(school=school)
    if verified == "yes":
        installations = installations.filter(verified_at__isnull=False)
    elif verified == "no":
        installations = installations.filter(verified_at__isnull=True)
    return installations.order_by("school__name", "school_id", "building", "room", "pk")


def installation_schools(user) -> QuerySet[School]:
    """Schools of the installations the user sees (for the filter)."""
    return School.objects.filter(pk__in=installations_for(user).values("school")).order_by("name", "pk")


def installable_devices(user) -> QuerySet[Device]:
    """Access points the user sees that are not recorded as installed yet."""
    return (
        restrict(Device.objects.select_related("school"), user, Action.VIEW)
        .filter(device_type=DeviceType.ACCESS_POINT, installation__isnull=True)
        .order_by("serial", "pk")
    )


def installation_sites(user) -> QuerySet[Site]:
    """Sites of the schools that have access points the user sees (the service checks the site is
    the chosen access point's school's)."""
    schools = (
        restrict(Device.objects.all(), user, Action.VIEW)
        .filter(device_type=DeviceType.ACCESS_POINT)
        .order_by()
        .values("school_id")
    )
    return Site.objects.filter(school__in=schools).select_related("school").order_by("school__name", "name", "pk")


def installation_history(installation: AccessPointInstallation) -> QuerySet[AuditEvent]:
    return history_for(installation)
