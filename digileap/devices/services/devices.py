"""Writes to the device register: moving a device to another status by hand, and editing the
identifiers a device carries (asset tag, site, MAC address, Autopilot hash, product and Google ids).

A status change goes through ``lifecycle.device_transition`` (the one way to move a device: it locks
the device, validates the step and appends the ``DeviceEvent``) and is audited. ``deployed`` and
``loaned_out`` are refused here: a device is deployed by handing it out to a recipient, and loaned
out as a replacement from an aftercare ticket, so that the assignment or the ticket exists too.
"""

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.core.services import update_audited

from .. import lifecycle
from ..models import Device, DeviceEvent, DeviceStatus

REASON_MAX_LENGTH = 500
# Statuses other flows set, with the reason the generic change refuses them.
SET_ELSEWHERE: dict[str, Callable[[], str]] = {
    DeviceStatus.DEPLOYED: lambda: _(
        "A device becomes deployed when it is handed out to a pupil or teacher: use the hand-out of its school."
    ),
    DeviceStatus.LOANED_OUT: lambda: _(
        "A device is loaned out as a replacement from an aftercare ticket: set it on the ticket."
    ),
}
EDITABLE_FIELDS = (
    "asset_tag",
    "site",
    "mac_address",
    "autopilot_hash",
    "windows_product_id",
    "google_device_id",
)
TEXT_FIELDS = ("asset_tag", "mac_address", "autopilot_hash", "windows_product_id", "google_device_id")
MAC_DIGITS = re.compile(r"^[0-9A-F]{12}$")
MAC_SEPARATORS = re.compile(r"[\s:.\-]")


def changeable_statuses(status: str) -> list[str]:
    """The statuses the generic form offers for a device in ``status``."""
    return [value for value in lifecycle.allowed_next(status) if value not in SET_ELSEWHERE]


@transaction.atomic
def device_change_status(*, device: Device, status: str, reason: str, actor) -> DeviceEvent:
    """Move ``device`` to ``status`` for ``reason`` (required): appends the lifecycle event, sets the
    status, and records an audit event ``transition``. Raises ``PermissionDenied`` when the actor may
    not change the device, and ``ValidationError`` (keys ``status``, ``reason``) when the step is not
    allowed or the reason is missing; nothing is written then."""
    authorize(actor, Action.CHANGE, device)
    errors: dict[str, list[str]] = {}
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = [_("Give the reason for the change.")]
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = [
            _("Keep the reason to %(maximum)s characters (it has %(length)s).")
            % {"maximum": REASON_MAX_LENGTH, "length": len(reason)}
        ]
    if not isinstance(status, str) or status not in DeviceStatus.values:
        errors["status"] = [
            _("%(value)s is not a status. Use one of: %(statuses)s.")
            % {"value": repr(status), "statuses": ", ".join(DeviceStatus.values)}
        ]
    elif status in SET_ELSEWHERE:
        errors["status"] = [SET_ELSEWHERE[status]()]
    if errors:
        raise ValidationError(errors)
    event = lifecycle.device_transition(device=device, status=status, actor=actor, reason=reason)
    audit.record(
        actor=actor,
        action="transition",
        instance=device,
        before={"status": event.previous_status},
        after={"status": event.status, "reason": reason, "event": event.pk},
    )
    return event


def normalise_mac(value: str) -> str:
    """``aa-bb-cc-dd-ee-ff``, ``aabb.ccdd.eeff`` or ``AABBCCDDEEFF`` as ``AA:BB:CC:DD:EE:FF``;
    ``ValueError`` when it is not a MAC address."""
    digits = MAC_SEPARATORS.sub("", value).upper()
    if not MAC_DIGITS.match(digits):
        raise ValueError(value)
    return ":".join(digits[index : index + 2] for index in range(0, 12, 2))


def _clean_text(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(data)
    for name in TEXT_FIELDS:
        if name not in cleaned:
            continue
        value = cleaned[name]
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = [_("Give this as text.")]
            continue
        value = value.strip()
        if name == "mac_address" and value:
            try:
                value = normalise_mac(value)
            except ValueError:
                errors[name] = [
                    _("%(value)s is not a MAC address: give 12 hexadecimal digits, as in 00:1A:2B:3C:4D:5E.")
                    % {"value": repr(value)}
                ]
                continue
        if name == "autopilot_hash" and value:
            value = "".join(value.split())
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                errors[name] = [
                    _("The hardware hash must be the Base64 text Windows gives (Get-WindowsAutopilotInfo).")
                ]
                continue
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def device_update(*, device: Device, data: dict[str, Any], actor) -> Device:
    """Change the identifiers of ``device`` given in ``data`` (any of ``EDITABLE_FIELDS``; ``site`` a
    site of the device's school, or None). Text is stripped, the MAC address normalised; only what
    changed is audited. Raises ``PermissionDenied`` and ``ValidationError`` (keyed by field)."""
    authorize(actor, Action.CHANGE, device)
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This cannot be changed here.")] for name in unknown})
    cleaned = _clean_text(data)

    def check(instance: Device) -> None:
        site = instance.site
        if site is not None and site.school_id != instance.school_id:
            raise ValidationError(
                {
                    "site": _("%(site)s is not a site of %(school)s, the device's school.")
                    % {"site": site.name, "school": instance.school.name}
                }
            )

    return update_audited(actor=actor, instance=device, data=cleaned, allowed=EDITABLE_FIELDS, check=check)
