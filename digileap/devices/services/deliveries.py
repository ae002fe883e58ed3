"""Writes to deliveries: the school confirms receipt and records discrepancies.

Deliveries themselves are created by the delivery-file importer (``importers/deliveries.py``).

Acceptance, the evidence auditors need:

- ``delivery_confirm_devices`` confirms devices one by one (scanned or typed serials) while the
  delivery stays *awaiting acceptance*: each gets ``accepted_at``.
- ``delivery_accept`` closes the acceptance once: every device not yet confirmed is accepted
  (``remaining="accept"``) or recorded as missing (``remaining="missing"``), and the discrepancies
  given are recorded. The delivery records who accepted, when, and a note.

Discrepancies: ``missing`` (the device never arrived: it keeps its status, gets no ``accepted_at``
and is marked ``discrepancy=missing``), ``damaged`` and ``wrong_model`` (the device arrived:
accepted and marked; with ``send_back`` it moves to ``returned`` through
``lifecycle.device_transition``). A discrepancy without a device (fewer devices than the note
says, a missing charger) needs a note. Accepting twice is refused.

Who: school coordinators and operator staff within their scope, and administrators. Suppliers may
change their deliveries' data but never accept them; programme owners, funding administrators and
auditors read deliveries only.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.accounts.models import Role
from digileap.core import audit
from digileap.core.permissions import Action, assignments_for, authorize

from .. import lifecycle
from ..importers.deliveries import normalise_serial
from ..models import Delivery, DeliveryDiscrepancy, Device, DeviceStatus

KINDS = Device.Discrepancy
SENDABLE = frozenset({KINDS.DAMAGED, KINDS.WRONG_MODEL})
ACCEPTING_ROLES = frozenset({Role.ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR})
REMAINING = ("accept", "missing")
MAX_NOTE = 500


def may_accept(actor, delivery: Delivery) -> bool:
    """Whether the actor may accept ``delivery``: the school's side (coordinator, operator staff,
    administrator) with the right to change it, never the supplier who delivered."""
    for assignment in assignments_for(actor, Action.CHANGE, Delivery):
        if assignment.role not in ACCEPTING_ROLES:
            continue
        kind = assignment.scope_kind
        if kind == "all":
            return True
        reached = {
            "authority": delivery.school.authority_id,
            "operator": delivery.school.operator_id,
            "school": delivery.school_id,
        }.get(kind)
        if reached is not None and reached == assignment.scope_id:
            return True
    return False


def _authorize_acceptance(actor, delivery: Delivery) -> None:
    authorize(actor, Action.VIEW, delivery)
    if not may_accept(actor, delivery):
        raise PermissionDenied(_("Only the school (its coordinator or its operator's staff) accepts a delivery."))


def _locked(delivery: Delivery) -> Delivery:
    return Delivery.objects.select_for_update(of=("self",)).select_related("school", "accepted_by").get(pk=delivery.pk)


def _refuse_if_accepted(delivery: Delivery) -> None:
    if delivery.acceptance != Delivery.Acceptance.PENDING:
        who = delivery.accepted_by.get_username() if delivery.accepted_by else _("the system")
        raise ValidationError(
            _("This delivery was already accepted by %(who)s on %(date)s; an acceptance cannot be repeated.")
            % {"who": who, "date": timezone.localtime(delivery.accepted_at).strftime("%Y-%m-%d %H:%M")}
        )


def _devices_by_serial(delivery: Delivery, serials: Iterable[str]) -> dict[str, Device]:
    wanted = sorted(set(serials))
    found: dict[str, Device] = {}
    for start in range(0, len(wanted), 900):
        for device in Device.objects.filter(delivery=delivery, serial__in=wanted[start : start + 900]):
            found[device.serial] = device
    return found


def _accepted_by(actor):
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def delivery_confirm_devices(*, delivery: Delivery, actor, serials: list[str]) -> int:
    """Confirm receipt of the devices with these serials (of this delivery). Returns how many were
    confirmed now (a device confirmed before counts once). Unknown serials are a ValidationError
    (key ``serials``) naming them; nothing is written then."""
    delivery = _locked(delivery)
    _authorize_acceptance(actor, delivery)
    _refuse_if_accepted(delivery)
    normalised = [normalise_serial(serial) for serial in serials if normalise_serial(serial)]
    if not normalised:
        raise ValidationError({"serials": [_("Give at least one serial number.")]})
    devices = _devices_by_serial(delivery, normalised)
    unknown = [serial for serial in dict.fromkeys(normalised) if serial not in devices]
    if unknown:
        raise ValidationError(
            {
                "serials": [
                    _("Not in this delivery: %(serials)s.") % {"serials": ", ".join(unknown[:20])}
                    + (" " + _("(and %(n)s more)") % {"n": len(unknown) - 20} if len(unknown) > 20 else "")
                ]
            }
        )
    now = timezone.now()
    fresh = [device for device in devices.values() if device.accepted_at is None]
    Device.objects.filter(pk__in=[device.pk for device in fresh]).update(accepted_at=now)
    if fresh:
        audit.record(
            actor=actor,
            action="confirm_devices",
            instance=delivery,
            after={"confirmed": len(fresh), "serials": sorted(device.serial for device in fresh)},
        )
    return len(fresh)


def _clean_discrepancies(delivery: Delivery, discrepancies: Any) -> list[dict]:
    """Each entry: ``kind``, optional ``serial``, ``note`` and ``send_back``. Errors are keyed
    ``discrepancies[<index>].<field>``."""
    if not isinstance(discrepancies, (list, tuple)):
        raise ValidationError({"discrepancies": [_("Give the discrepancies as a list.")]})
    errors: dict[str, list[str]] = {}
    cleaned = []
    first_of: dict[str, int] = {}
    serials = [normalise_serial(str(entry.get("serial") or "")) for entry in discrepancies if isinstance(entry, dict)]
    devices = _devices_by_serial(delivery, [serial for serial in serials if serial])
    for index, entry in enumerate(discrepancies):
        path = f"discrepancies[{index}]"
        if not isinstance(entry, dict):
            errors[path] = [_("Give each discrepancy as an object.")]
            continue
        kind = entry.get("kind")
        if kind not in KINDS.values:
            errors[f"{path}.kind"] = [
                _("%(value)r is not a kind of discrepancy; use %(kinds)s.")
                % {"value": kind, "kinds": ", ".join(KINDS.values)}
            ]
        serial = normalise_serial(str(entry.get("serial") or ""))
        note = str(entry.get("note") or "").strip()
        send_back = bool(entry.get("send_back"))
        device = None
        if len(note) > MAX_NOTE:
            errors[f"{path}.note"] = [_("At most %(n)s characters.") % {"n": MAX_NOTE}]
        if serial:
            device = devices.get(serial)
            if device is None:
                errors[f"{path}.serial"] = [
                    _("No device with serial %(serial)s in this delivery.") % {"serial": serial}
                ]
            elif serial in first_of:
                errors[f"{path}.serial"] = [
                    _("Serial %(serial)s is given twice (entries %(first)s and %(again)s).")
                    % {"serial": serial, "first": first_of[serial] + 1, "again": index + 1}
                ]
            else:
                first_of[serial] = index
        elif not note:
            errors[f"{path}.note"] = [_("A discrepancy without a device needs a note saying what is wrong.")]
        if send_back and (kind not in SENDABLE or device is None):
            errors[f"{path}.send_back"] = [_("Only a damaged device or one of the wrong model can be sent back.")]
        cleaned.append({"kind": kind, "device": device, "note": note, "send_back": send_back})
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def delivery_accept(
    *,
    delivery: Delivery,
    actor,
    discrepancies: list[dict] | tuple = (),
    note: str = "",
    remaining: str = "accept",
) -> Delivery:
    """Accept ``delivery`` once, for everything at once or after devices were confirmed one by one.

    ``remaining``: what happens to devices not confirmed yet and not named in ``discrepancies``:
    ``accept`` them, or record them as ``missing``. ``discrepancies``: dicts with ``kind``
    (missing, damaged, wrong_model), optional ``serial`` (a device of this delivery), ``note`` and
    ``send_back`` (damaged or wrong-model devices go back to the supplier: status ``returned``).
    Raises PermissionDenied for anyone but the school's side, ValidationError for wrong input or a
    second acceptance; nothing is written then.
    """
    delivery = _locked(delivery)
    _authorize_acceptance(actor, delivery)
    _refuse_if_accepted(delivery)
    errors: dict[str, list[str]] = {}
    if remaining not in REMAINING:
        errors["remaining"] = [_("Choose to accept the remaining devices or to record them as missing.")]
    if not isinstance(note, str):
        errors["note"] = [_("Give the note as text.")]
    if errors:
        raise ValidationError(errors)
    cleaned = _clean_discrepancies(delivery, discrepancies)

    now = timezone.now()
    flagged = {entry["device"].pk: entry for entry in cleaned if entry["device"] is not None}
    unconfirmed = Device.objects.filter(delivery=delivery, accepted_at__isnull=True).exclude(pk__in=list(flagged))
    if remaining == "missing":
        recorded_missing = list(unconfirmed.values_list("pk", flat=True))
        missing_count = unconfirmed.update(discrepancy=KINDS.MISSING)
        DeliveryDiscrepancy.objects.bulk_create(
            [
                DeliveryDiscrepancy(
                    delivery=delivery,
                    device_id=device_id,
                    kind=KINDS.MISSING,
                    note=_("Not confirmed on acceptance"),
                    recorded_by=_accepted_by(actor),
                    recorded_at=now,
                )
                for device_id in recorded_missing
            ],
            batch_size=500,
        )
        accepted_now = 0
    else:
        missing_count = 0
        accepted_now = unconfirmed.update(accepted_at=now)
    sent_back = []
    for entry in cleaned:
        device = entry["device"]
        if device is not None:
            device.discrepancy = entry["kind"]
            if entry["kind"] == KINDS.MISSING:
                device.accepted_at = None
            elif device.accepted_at is None:
                device.accepted_at = now
            device.save(update_fields=["discrepancy", "accepted_at"])
            if entry["send_back"]:
                lifecycle.device_transition(
                    device=device,
                    status=DeviceStatus.RETURNED,
                    actor=actor,
                    reason=_("Sent back on acceptance of delivery %(note)s: %(kind)s")
                    % {"note": delivery.note_number, "kind": KINDS(entry["kind"]).label},
                    at=now,
                    check_permission=False,
                )
                sent_back.append(device.serial)
    DeliveryDiscrepancy.objects.bulk_create(
        [
            DeliveryDiscrepancy(
                delivery=delivery,
                device=entry["device"],
                kind=entry["kind"],
                note=entry["note"],
                recorded_by=_accepted_by(actor),
                recorded_at=now,
            )
            for entry in cleaned
        ]
    )
    with_discrepancies = bool(cleaned) or missing_count > 0
    delivery.acceptance = (
        Delivery.Acceptance.ACCEPTED_WITH_DISCREPANCIES if with_discrepancies else Delivery.Acceptance.ACCEPTED
    )
    delivery.accepted_by = _accepted_by(actor)
    delivery.accepted_at = now
    delivery.acceptance_note = note.strip()
    delivery.save(update_fields=["acceptance", "accepted_by", "accepted_at", "acceptance_note"])
    audit.record(
        actor=actor,
        action="accept",
        instance=delivery,
        before={"acceptance": Delivery.Acceptance.PENDING},
        after={
            "acceptance": delivery.acceptance,
            "accepted_at": now,
            "acceptance_note": delivery.acceptance_note,
            "remaining": remaining,
            "accepted_now": accepted_now,
            "missing_unconfirmed": missing_count,
            "discrepancies": [
                {
                    "kind": entry["kind"],
                    "serial": entry["device"].serial if entry["device"] else "",
                    "note": entry["note"],
                    "sent_back": entry["send_back"],
                }
                for entry in cleaned
            ],
        },
    )
    return delivery


def parse_exceptions(text: str) -> tuple[list[dict], list[str]]:
    """The exceptions box of the acceptance form: one device a line, ``SERIAL KIND [note]`` with
    KIND missing, damaged or wrong_model (``wrong-model`` and ``wrong model`` too). Returns the
    discrepancies and the errors, each naming its line."""
    aliases = {
        "missing": KINDS.MISSING,
        "damaged": KINDS.DAMAGED,
        "wrong_model": KINDS.WRONG_MODEL,
        "wrong-model": KINDS.WRONG_MODEL,
    }
    entries, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        parts = raw.split(None, 2)
        if not parts:
            continue
        if len(parts) >= 3 and parts[1].lower() == "wrong" and parts[2].lower().startswith("model"):
            rest = parts[2][5:].strip()
            parts = [parts[0], "wrong_model"] + ([rest] if rest else [])
        if len(parts) < 2 or parts[1].lower() not in aliases:
            errors.append(
                _("Line %(line)s: %(text)r; write the serial, then missing, damaged or wrong_model, then a note.")
                % {"line": number, "text": raw.strip()[:80]}
            )
            continue
        entries.append(
            {"serial": parts[0], "kind": aliases[parts[1].lower()], "note": parts[2] if len(parts) > 2 else ""}
        )
    return entries, errors
