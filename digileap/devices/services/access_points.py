"""Wi-Fi access point installations: the supplier (or the school's operator) records where an access
point was installed (a site of the device's school, building, room, date); the school verifies it.
Verified installations are what the hotspot indicators count (by ``installed_on``).

Rules:
- Only a device of type access point, once: an installation per device (a database constraint).
- The site must be one of the device's school; the room is required; the date cannot be in the future.
- Recording moves the access point to ``deployed`` through the lifecycle (unless it already is).
- Verification is the school's side (a role scoped to the school, its operator or authority, or an
  administrator), never the supplier's, and never by the person who recorded the installation:
  the evidence has four eyes.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, assignments_for, authorize

from .. import lifecycle
from ..models import AccessPointInstallation, Device, DeviceStatus, DeviceType

SCHOOL_SIDE = ("authority", "operator", "school")


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def verifies_for(user, installation: AccessPointInstallation) -> bool:
    """Whether ``user`` may verify ``installation``: a school-side role over its school (or scope all)."""
    for assignment in assignments_for(user, Action.CHANGE, AccessPointInstallation):
        if assignment.scope_kind == "all":
            return True
        if assignment.scope_kind in SCHOOL_SIDE:
            path = AccessPointInstallation.scope_paths[assignment.scope_kind]
            if AccessPointInstallation.objects.filter(pk=installation.pk, **{path: assignment.scope_id}).exists():
                return True
    return False


@transaction.atomic
def access_point_record(
    *,
    device: Device,
    site,
    room: str,
    installed_on: datetime.date | None,
    actor,
    building: str = "",
) -> AccessPointInstallation:
    """Record where and when an access point was installed; the device becomes deployed."""
    device = Device.objects.select_for_update(of=("self",)).select_related("school").get(pk=device.pk)
    installation = AccessPointInstallation(device=device, school=device.school, site=site)
    authorize(actor, Action.ADD, installation)
    errors = {}
    if device.device_type != DeviceType.ACCESS_POINT:
        errors["device"] = _("Device %(serial)s is a %(type)s, not a Wi-Fi access point.") % {
            "serial": device.serial,
            "type": device.get_device_type_display(),
        }
    else:
        existing = AccessPointInstallation.objects.filter(device=device).first()
        if existing is not None:
            errors["device"] = _(
                "Access point %(serial)s was already recorded as installed on %(date)s (%(room)s)."
            ) % {
                "serial": device.serial,
                "date": existing.installed_on.isoformat(),
                "room": " ".join(part for part in (existing.building, existing.room) if part),
            }
    if site is not None and site.school_id != device.school_id:
        errors["site"] = _("The site %(site)s belongs to another school than the access point.") % {"site": site.name}
    room = (room or "").strip()
    building = (building or "").strip()
    if not room:
        errors["room"] = _("Enter the room the access point was installed in.")
    elif len(room) > 120:
        errors["room"] = _("Name the room in at most 120 characters.")
    if len(building) > 120:
        errors["building"] = _("Name the building in at most 120 characters.")
    if installed_on is None:
        errors["installed_on"] = _("Enter the date of the installation.")
    elif installed_on > timezone.localdate():
        errors["installed_on"] = _("The installation date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    assert installed_on is not None  # an error above otherwise
    installation.building = building
    installation.room = room
    installation.installed_on = installed_on
    installation.recorded_by = _user_or_none(actor)
    try:
        with transaction.atomic():
            installation.save()
    except IntegrityError:
        raise ValidationError(
            {
                "device": _("Access point %(serial)s was recorded at the same moment by someone else.")
                % {"serial": device.serial}
            }
        ) from None
    if device.status != DeviceStatus.DEPLOYED:
        try:
            lifecycle.device_transition(
                device=device,
                status=DeviceStatus.DEPLOYED,
                actor=actor,
                reason=_("Installed: %(room)s") % {"room": " ".join(part for part in (building, room) if part)},
                data={"access_point_installation": installation.pk},
                check_permission=False,
            )
        except ValidationError as error:
            raise ValidationError({"device": error.messages}) from None
    audit.record(actor=actor, action="create", instance=installation, after=audit.snapshot(installation))
    return installation


@transaction.atomic
def access_point_verify(*, installation: AccessPointInstallation, actor) -> AccessPointInstallation:
    """The school confirms the installation; from now on it counts toward hotspot targets."""
    installation = (
        AccessPointInstallation.objects.select_for_update(of=("self",))
        .select_related("verified_by")
        .get(pk=installation.pk)
    )
    authorize(actor, Action.CHANGE, installation)
    if not verifies_for(actor, installation):
        raise PermissionDenied(_("Only the school verifies an installation."))
    if installation.verified_at is not None:
        who = installation.verified_by.get_username() if installation.verified_by else _("the system")
        raise ValidationError(
            _("This installation was already verified by %(user)s on %(date)s.")
            % {"user": who, "date": timezone.localdate(installation.verified_at).isoformat()}
        )
    if installation.recorded_by_id is not None and installation.recorded_by_id == getattr(actor, "pk", None):
        raise ValidationError(_("Someone other than the person who recorded the installation verifies it."))
    installation.verified_by = _user_or_none(actor)
    installation.verified_at = timezone.now()
    installation.save(update_fields=["verified_by", "verified_at"])
    audit.record(
        actor=actor,
        action="verify",
        instance=installation,
        before={"verified_by": None, "verified_at": None},
        after=audit.snapshot(installation, ["verified_by", "verified_at"]),
    )
    return installation
