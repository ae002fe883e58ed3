"""Windows Autopilot hash files: hardware hashes attached to devices already in the register.

Windows' ``Get-WindowsAutopilotInfo -OutputFile`` writes one line per computer with the header
``Device Serial Number,Windows Product ID,Hardware Hash`` (``Group Tag`` and ``Assigned User`` when
asked for), as UTF-16 LE with a byte-order mark and Windows line ends; the engine reads that as it
reads any file. A school collects such files when a supplier delivered without the hashes; this
target attaches them to the delivered devices, so that the Autopilot export (``exchange.py``) can
enrol them.

A row names its device by serial number only (the file has no manufacturer). A serial that is not
in the register, or only outside the actor's scope, is a row error naming it; a serial shared by
devices of several manufacturers is matched among Windows devices, else it is an error too. The
hash must be Base64 text. A device whose stored hash (or product ID, when the file gives one)
differs is updated and audited; the same hash is unchanged, so a re-import changes nothing and
records nothing. Who may import: whoever may change devices (``permissions.py``), for the devices
of their scope.
"""

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.bulk import chunked
from digileap.core.model_fields import max_length
from digileap.core.permissions import Action, can, restrict
from digileap.core.tabular.engine import Importer, Plan, register_importer
from digileap.core.tabular.errors import RowError
from digileap.core.tabular.fields import CHECKED, FieldSpec
from digileap.core.tabular.parsing import ParsedRow
from digileap.core.tabular.profiles import register_profile_dir

from ..exchange import WINDOWS_TYPES, normalise_serial
from ..models import Device

TARGET = "autopilot_hashes"
register_profile_dir(TARGET, Path(__file__).parent / "autopilot_profiles")

SERIAL_MAX_LENGTH = Device._meta.get_field("serial").max_length
PRODUCT_ID_MAX_LENGTH = max_length(Device, "windows_product_id")
# A hardware hash is about 4,000 characters of Base64; far more is not a hash.
HASH_MAX_LENGTH = 20_000
UPDATED_FIELDS = ("autopilot_hash", "windows_product_id")

FIELDS = (
    FieldSpec(
        "serial",
        gettext_lazy("Serial number"),
        kept=CHECKED,
        required=True,
        max_length=SERIAL_MAX_LENGTH,
        aliases=(
            "Device Serial Number",
            "Serial number",
            "Serienummer",
            "Numéro de série",
            "Seriennummer",
            "Sērijas numurs",
        ),  # fmt: skip
        help=gettext_lazy("Finds the device in the register (upper-case, without surrounding spaces)."),
    ),
    FieldSpec(
        "autopilot_hash",
        gettext_lazy("Hardware hash"),
        required=True,
        max_length=HASH_MAX_LENGTH,
        aliases=("Hardware Hash", "Hardwarehash", "Hachage matériel", "Hardware-Hash", "Aparatūras jaucējkods"),
        help=gettext_lazy("The Base64 text Get-WindowsAutopilotInfo writes; stored on the device."),
    ),
    FieldSpec(
        "windows_product_id",
        gettext_lazy("Windows product ID"),
        max_length=PRODUCT_ID_MAX_LENGTH,
        aliases=(
            "Windows Product ID",
            "Windows-product-ID",
            "ID de produit Windows",
            "Windows-Produkt-ID",
            "Windows produkta ID",
        ),  # fmt: skip
        help=gettext_lazy("Stored on the device when the file gives one; an empty cell keeps the stored ID."),
    ),
)


@dataclass
class HashUpdate:
    line: int
    device_id: int
    serial: str
    values: dict[str, str]  # the fields that change, with their new values
    before: dict[str, str]


@dataclass
class HashPlan:
    updates: list[HashUpdate] = field(default_factory=list)


def clean_hash(text: str) -> str:
    """The hash without whitespace (a copied hash may be wrapped); ValueError if it is not Base64."""
    value = "".join((text or "").split())
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(_("the hardware hash is not Base64 text as Get-WindowsAutopilotInfo writes it")) from None
    return value


@register_importer
class AutopilotHashImporter(Importer):
    target = TARGET
    label = gettext_lazy("Windows Autopilot hardware hashes")
    model = Device
    fields = FIELDS

    def _column(self, field_name: str) -> str:
        return next((c.sources[0] for c in self.profile.columns if c.field == field_name), field_name)

    def _read(self, parsed: ParsedRow) -> tuple[str, dict[str, str]] | list[RowError]:
        """The row's serial and the values it gives, or its errors."""
        errors = list(parsed.errors)
        values = parsed.values
        serial = normalise_serial(values.get("serial"))
        if not serial and not errors:
            errors.append(RowError(parsed.line, self._column("serial"), _("a value is required")))
        given: dict[str, str] = {}
        try:
            hash_text = clean_hash(str(values.get("autopilot_hash") or ""))
        except ValueError as error:
            text = str(values.get("autopilot_hash") or "")
            errors.append(RowError(parsed.line, self._column("autopilot_hash"), str(error), text[:80]))
        else:
            if hash_text:
                given["autopilot_hash"] = hash_text
            elif not errors:
                errors.append(RowError(parsed.line, self._column("autopilot_hash"), _("a value is required")))
        product_id = str(values.get("windows_product_id") or "").strip()
        if len(product_id) > PRODUCT_ID_MAX_LENGTH:
            errors.append(
                RowError(
                    parsed.line,
                    self._column("windows_product_id"),
                    _("longer than %(n)s characters") % {"n": PRODUCT_ID_MAX_LENGTH},
                    product_id[:80],
                )
            )
        elif product_id:
            given["windows_product_id"] = product_id
        return errors if errors else (serial, given)

    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        if not can(self.actor, Action.CHANGE, Device):
            raise PermissionDenied(_("Your role may not change devices."))
        plan = Plan(data=HashPlan())
        serial_column = self._column("serial")
        by_serial: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for parsed in rows:
            read = self._read(parsed)
            if isinstance(read, list):
                plan.rejected.extend(read)
                continue
            serial, given = read
            by_serial.setdefault(serial, []).append((parsed.line, given))
        wanted: dict[str, tuple[int, dict[str, str]]] = {}
        for serial, same in by_serial.items():
            if all(given == same[0][1] for _line, given in same):
                # Get-WindowsAutopilotInfo -Append run twice on one computer: the repetition changes nothing.
                wanted[serial] = same[0]
                plan.unchanged += len(same) - 1
                continue
            for line, _given in same:
                others = ", ".join(str(other) for other, _ in same if other != line)
                plan.rejected.append(
                    RowError(
                        line,
                        serial_column,
                        _("serial %(serial)s appears again with another hash on line(s) %(lines)s")
                        % {"serial": serial, "lines": others},
                        serial,
                    )
                )
        devices, in_scope = self._devices(list(wanted))
        data: HashPlan = plan.data
        for serial, (line, given) in sorted(wanted.items(), key=lambda item: item[1][0]):
            device = self._device(serial, line, devices.get(serial, []), in_scope, plan)
            if device is None:
                continue
            changed = {name: value for name, value in given.items() if device[name] != value}
            if not changed:
                plan.unchanged += 1
                continue
            before = {name: device[name] for name in changed}
            data.updates.append(HashUpdate(line, device["pk"], serial, changed, before))
            plan.updated += 1
        return plan

    def _devices(self, serials: list[str]) -> tuple[dict[str, list[dict[str, Any]]], set[int]]:
        """Every device with one of ``serials`` (by serial), and the ids of those the actor may change."""
        devices: dict[str, list[dict[str, Any]]] = {}
        in_scope: set[int] = set()
        for part in chunked(serials):
            found = Device.objects.filter(serial__in=part)
            for values in found.values("pk", "serial", "manufacturer", "device_type", *UPDATED_FIELDS):
                devices.setdefault(values["serial"], []).append(values)
            in_scope.update(restrict(found, self.actor, Action.CHANGE).values_list("pk", flat=True))
        return devices, in_scope

    def _device(
        self, serial: str, line: int, candidates: list[dict[str, Any]], in_scope: set[int], plan: Plan
    ) -> dict[str, Any] | None:
        """The one device a row is about, or None after a row error."""
        column = self._column("serial")
        if not candidates:
            plan.rejected.append(
                RowError(line, column, _("no device with the serial number %(serial)s") % {"serial": serial}, serial)
            )
            return None
        if len(candidates) > 1:
            # Serials are unique per manufacturer only; a hash belongs to a Windows device.
            candidates = [device for device in candidates if device["device_type"] in WINDOWS_TYPES] or candidates
        if len(candidates) > 1:
            manufacturers = ", ".join(sorted(device["manufacturer"] for device in candidates))
            plan.rejected.append(
                RowError(
                    line,
                    column,
                    _("the serial number %(serial)s belongs to devices of several manufacturers (%(manufacturers)s)")
                    % {"serial": serial, "manufacturers": manufacturers},
                    serial,
                )
            )
            return None
        device = candidates[0]
        if device["pk"] not in in_scope:
            plan.rejected.append(
                RowError(
                    line,
                    column,
                    _("the device %(serial)s is outside your scope: your role may not change it") % {"serial": serial},
                    serial,
                )
            )
            return None
        return device

    def commit(self, plan: Plan) -> None:
        data: HashPlan = plan.data
        if not data.updates:
            return  # nothing changed: a re-import leaves no trace
        changes: list[audit.Change] = []
        objects: list[Device] = []
        by_id = {update.device_id: update for update in data.updates}
        for part in chunked(list(by_id)):
            # Lock the devices and compare again: someone may have edited one since the check.
            for values in (
                Device.objects.select_for_update()
                .filter(pk__in=part)
                .values("pk", "serial", "manufacturer", *UPDATED_FIELDS)
            ):
                update = by_id[values["pk"]]
                changed = {name: value for name, value in update.values.items() if values[name] != value}
                if not changed:
                    continue
                device = Device(pk=values["pk"], **{name: values[name] for name in UPDATED_FIELDS})
                for name, value in changed.items():
                    setattr(device, name, value)
                objects.append(device)
                changes.append(
                    audit.Change(
                        "update",
                        "devices.device",
                        str(values["pk"]),
                        f"{values['serial']} ({values['manufacturer']})",
                        {name: values[name] for name in changed},
                        changed,
                    )
                )
        if not objects:
            return
        Device.objects.bulk_update(objects, list(UPDATED_FIELDS), batch_size=500)
        changes.append(
            audit.Change(
                "import",
                "devices.autopilot-hash-import",
                self.profile.name,
                _("Import of Windows Autopilot hashes (%(profile)s)") % {"profile": self.profile.name},
                None,
                {
                    "updated": len(objects),
                    "unchanged": plan.unchanged + plan.updated - len(objects),
                    "rejected": plan.rejected_lines,
                },
            )
        )
        audit.record_many(actor=self.actor, changes=changes)
