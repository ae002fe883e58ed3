"""Writes to self-bought purchases (the Digisprong model): a school reports devices it bought
itself against its per-pupil funding, with the invoice and the serial of each device.

``self_purchase_report`` creates the purchase and its devices (status ``delivered``, ``purchase``
set, delivered on the invoice date) with their first lifecycle events, in one transaction. Serial
numbers follow the same rules as delivery files: upper-case, unique per manufacturer; a serial
given twice, or one already delivered or reported, is refused naming where it came from.
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.bulk import bulk_insert
from digileap.core.model_fields import max_length
from digileap.core.permissions import Action, authorize

from .. import lifecycle
from ..importers.deliveries import (
    EARLIER_FIELDS,
    earlier_device_message,
    normalise_serial,
    status_time,
    visible_deliveries,
)
from ..models import Device, DeviceEvent, DeviceModel, DeviceStatus, SelfPurchase

MAX_DEVICES = 5000
SERIAL_LIMIT = max_length(Device, "serial")
ASSET_LIMIT = max_length(Device, "asset_tag")


class CleanedDevice(TypedDict):
    """One device of a report, checked: its position in the request, model, serial and asset tag."""

    index: int
    model: DeviceModel
    serial: str
    asset_tag: str


def _clean_devices(devices: Any, authority_id: int, errors: dict[str, list[str]], actor) -> list[CleanedDevice]:
    """Each entry: ``device_model`` (a DeviceModel of the programme's authority), ``serial``,
    optional ``asset_tag``. Errors are keyed ``devices[<index>].<field>`` (index from 0)."""
    if not isinstance(devices, (list, tuple)) or not devices:
        errors["devices"] = [_("Give at least one device with its serial number.")]
        return []
    if len(devices) > MAX_DEVICES:
        errors["devices"] = [_("At most %(n)s devices a purchase; report the rest separately.") % {"n": MAX_DEVICES}]
        return []
    cleaned: list[CleanedDevice] = []
    first_of: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(devices):
        path = f"devices[{index}]"
        model = entry.get("device_model") if isinstance(entry, dict) else None
        serial = normalise_serial(str(entry.get("serial") or "")) if isinstance(entry, dict) else ""
        asset_tag = str(entry.get("asset_tag") or "").strip() if isinstance(entry, dict) else ""
        if not isinstance(model, DeviceModel) or model.authority_id != authority_id:
            errors[f"{path}.device_model"] = [_("Choose a model of the programme's catalogue.")]
            model = None
        if not serial:
            errors[f"{path}.serial"] = [_("A serial number is required.")]
        elif len(serial) > SERIAL_LIMIT:
            errors[f"{path}.serial"] = [_("At most %(n)s characters.") % {"n": SERIAL_LIMIT}]
        if len(asset_tag) > ASSET_LIMIT:
            errors[f"{path}.asset_tag"] = [_("At most %(n)s characters.") % {"n": ASSET_LIMIT}]
        if model is None or not serial:
            continue
        key = (model.manufacturer, serial)
        if key in first_of:
            errors[f"{path}.serial"] = [
                _("Serial %(serial)s (%(manufacturer)s) is given twice (devices %(first)s and %(again)s).")
                % {"serial": serial, "manufacturer": model.manufacturer, "first": first_of[key] + 1, "again": index + 1}
            ]
            continue
        first_of[key] = index
        cleaned.append({"index": index, "model": model, "serial": serial, "asset_tag": asset_tag})
    by_manufacturer: dict[str, list[str]] = {}
    for entry in cleaned:
        by_manufacturer.setdefault(entry["model"].manufacturer, []).append(entry["serial"])
    found: dict[tuple[str, str], dict] = {}
    for manufacturer, serials in by_manufacturer.items():
        for start in range(0, len(serials), 900):
            for values in Device.objects.filter(
                manufacturer=manufacturer, serial__in=serials[start : start + 900]
            ).values("serial", *EARLIER_FIELDS):
                found[(manufacturer, values["serial"])] = values
    if found:
        visible = visible_deliveries(actor, {v["delivery_id"] for v in found.values() if v["delivery_id"]})
        for entry in cleaned:
            earlier = found.get((entry["model"].manufacturer, entry["serial"]))
            if earlier is not None:
                message = earlier_device_message(entry["serial"], entry["model"].manufacturer, earlier, visible)
                errors[f"devices[{entry['index']}].serial"] = [message[0].upper() + message[1:] + "."]
    return cleaned


def _amount(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["amount"] = [_("Give the amount in euros, such as 1250.00.")]
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        errors["amount"] = [_("The amount must be zero or more (and below 10,000,000,000).")]
        return None
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def self_purchase_report(
    *,
    actor,
    programme,
    school,
    invoice_reference: str,
    invoice_date: datetime.date,
    vendor: str,
    amount,
    devices: list[dict],
    funding_source=None,
    note: str = "",
) -> SelfPurchase:
    """Report a purchase of ``school`` in ``programme`` with its devices.

    ``devices``: dicts with ``device_model`` (of the programme's authority), ``serial`` and optional
    ``asset_tag``. Raises PermissionDenied when the actor may not report for the school and
    ValidationError (keys ``programme``, ``funding_source``, ``invoice_reference``,
    ``invoice_date``, ``vendor``, ``amount``, ``note``, ``devices`` and
    ``devices[<index>].<field>``) for wrong input; nothing is written then.
    """
    purchase = SelfPurchase(programme=programme, school=school, funding_source=funding_source)
    authorize(actor, Action.ADD, purchase)
    errors: dict[str, list[str]] = {}
    if programme.authority_id != school.authority_id:
        errors["programme"] = [_("The school is not in the authority of this programme.")]
    if funding_source is not None and funding_source.programme_id != programme.id:
        errors["funding_source"] = [_("This funding source belongs to another programme.")]
    invoice_reference = (invoice_reference or "").strip()
    vendor = (vendor or "").strip()
    if not invoice_reference:
        errors["invoice_reference"] = [_("The invoice reference is required.")]
    elif len(invoice_reference) > 80:
        errors["invoice_reference"] = [_("At most %(n)s characters.") % {"n": 80}]
    else:
        earlier = SelfPurchase.objects.filter(school=school, invoice_reference=invoice_reference).first()
        if earlier is not None:
            errors["invoice_reference"] = [
                _("%(school)s reported invoice %(invoice)s already, on %(date)s.")
                % {"school": school.name, "invoice": invoice_reference, "date": earlier.reported_at.date().isoformat()}
            ]
    if not vendor:
        errors["vendor"] = [_("Say where the devices were bought.")]
    elif len(vendor) > 200:
        errors["vendor"] = [_("At most %(n)s characters.") % {"n": 200}]
    if not isinstance(invoice_date, datetime.date):
        errors["invoice_date"] = [_("Give the invoice date.")]
    elif invoice_date > timezone.localdate():
        errors["invoice_date"] = [_("The invoice date cannot be in the future.")]
    amount = _amount(amount, errors)
    if not isinstance(note, str):
        errors["note"] = [_("Give the note as text.")]
    cleaned = _clean_devices(devices, programme.authority_id, errors, actor)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    purchase.invoice_reference = invoice_reference
    purchase.invoice_date = invoice_date
    purchase.vendor = vendor
    purchase.amount = amount
    purchase.note = note.strip()
    purchase.reported_by = actor if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            purchase.save()
    except IntegrityError:
        raise ValidationError(
            {"invoice_reference": [_("This invoice was reported a moment ago; reload the page.")]}
        ) from None
    at = status_time(invoice_date, now)
    try:
        with transaction.atomic():
            Device.objects.bulk_create(
                [
                    Device(
                        serial=entry["serial"],
                        manufacturer=entry["model"].manufacturer,
                        device_model=entry["model"],
                        device_type=entry["model"].device_type,
                        asset_tag=entry["asset_tag"],
                        programme=programme,
                        funding_source=funding_source,
                        school=school,
                        purchase=purchase,
                        status=DeviceStatus.DELIVERED,
                        status_changed_at=at,
                        delivered_on=invoice_date,
                        created_at=now,
                    )
                    for entry in cleaned
                ],
                batch_size=500,
            )
    except IntegrityError:
        raise ValidationError(
            {"devices": [_("One of these serial numbers was registered a moment ago; check them and try again.")]}
        ) from None
    ids = list(Device.objects.filter(purchase=purchase).order_by("id").values_list("id", flat=True))
    bulk_insert(
        DeviceEvent,
        lifecycle.initial_event_fields(),
        lifecycle.initial_event_rows(
            ids,
            status=DeviceStatus.DELIVERED,
            actor=actor,
            at=at,
            reason=_("Bought by the school: invoice %(invoice)s") % {"invoice": invoice_reference},
        ),
    )
    audit.record(
        actor=actor,
        action="create",
        instance=purchase,
        after={
            **audit.snapshot(purchase),
            "devices": [
                {"serial": entry["serial"], "model": entry["model"].code, "asset_tag": entry["asset_tag"]}
                for entry in cleaned
            ],
        },
    )
    return purchase


def parse_serials(text: str) -> list[str]:
    """Serial numbers from a text box: one a line (commas, semicolons and tabs separate too)."""
    serials = []
    for line in text.replace(",", "\n").replace(";", "\n").replace("\t", "\n").splitlines():
        serial = normalise_serial(line)
        if serial:
            serials.append(serial)
    return serials
