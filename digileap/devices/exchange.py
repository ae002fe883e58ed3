"""Exchange with device-management tools, as pure functions (no database): the Windows Autopilot
CSV, and the reconciliation of a management tool's device export with the funded devices.

Autopilot: Intune's "Import Windows Autopilot devices" reads a comma-separated file with the header
``Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User`` (the columns
Microsoft's ``Get-WindowsAutopilotInfo`` writes), values without quotes, at most 500 devices per
file. We write plain ASCII (identical in ANSI and UTF-8, no byte-order mark) with Windows line
ends; a value that would need quoting (a comma, a quote, a line break) is never written: such a
device is skipped with the reason. More than 500 devices give a ZIP of numbered files of 500.

Reconciliation: serial numbers are compared upper-case without surrounding spaces; manufacturers
by a key that ignores case, punctuation and company suffixes ("LENOVO" = "Lenovo", "Dell Inc." =
"Dell"), because the tools report the firmware's spelling and the catalogue its own.
"""

import csv
import datetime
import functools
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _

from digileap.core.exports import safe_cell

AUTOPILOT_HEADER = ("Device Serial Number", "Windows Product ID", "Hardware Hash", "Group Tag", "Assigned User")
AUTOPILOT_MAX_ROWS = 500
GROUP_TAG_MAX_LENGTH = 128
# Device types that normally run Windows: one of these without a hardware hash is reported as
# skipped. Other types (Chromebooks, displays, access points) are not Autopilot devices at all.
WINDOWS_TYPES = frozenset({"laptop", "tablet", "other"})
# Statuses in which a device is no longer the programme's to enrol.
AUTOPILOT_EXCLUDED_STATUSES = frozenset({"retired", "lost_stolen", "returned"})

_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_UNQUOTABLE = re.compile(r'[,"\r\n]')
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]*$")
_CRLF = "\r\n"


@dataclass(frozen=True)
class AutopilotDevice:
    """What the Autopilot file needs of one device (and what the page shows when it is skipped)."""

    serial: str
    product_id: str
    hardware_hash: str
    manufacturer: str = ""
    model: str = ""
    school: str = ""


@dataclass
class AutopilotBatch:
    """The devices of one export split into those written and those skipped (with the reason)."""

    exported: list[AutopilotDevice] = field(default_factory=list)
    skipped: list[tuple[AutopilotDevice, str]] = field(default_factory=list)


def clean_group_tag(text: str) -> str:
    """The group tag as written, or ValueError with the reason. Kept to printable ASCII without
    commas or quotes, so that the file needs no quoting, and safe to open in a spreadsheet."""
    tag = (text or "").strip()
    if len(tag) > GROUP_TAG_MAX_LENGTH:
        raise ValueError(_("A group tag has at most %(n)s characters.") % {"n": GROUP_TAG_MAX_LENGTH})
    if not _PRINTABLE_ASCII.match(tag):
        raise ValueError(_("A group tag may only contain letters A to Z, digits, spaces and punctuation (ASCII)."))
    if _UNQUOTABLE.search(tag):
        raise ValueError(_("A group tag may not contain commas or quotation marks."))
    if safe_cell(tag) != tag:
        raise ValueError(_("A group tag may not begin with =, +, - or @."))
    return tag


def skip_reason(device: AutopilotDevice, device_type: str) -> str | None:
    """Why a device cannot go into the Autopilot file (None: it can). ``""`` for a device that is
    not a Windows device at all and is left out silently."""
    if not device.hardware_hash.strip():
        return _("no hardware hash") if device_type in WINDOWS_TYPES else ""
    if not _BASE64.match(device.hardware_hash.strip()):
        return _("the hardware hash is not Base64 text")
    for label, value in ((_("serial number"), device.serial), (_("Windows product ID"), device.product_id)):
        if _UNQUOTABLE.search(value) or not _PRINTABLE_ASCII.match(value):
            return _("the %(what)s contains a comma, a quotation mark or a non-ASCII character") % {"what": label}
    return None


def split_for_autopilot(devices: Iterable[tuple[AutopilotDevice, str]]) -> AutopilotBatch:
    """Sort ``(device, device_type)`` pairs into exported and skipped; others are left out."""
    batch = AutopilotBatch()
    for device, device_type in devices:
        reason = skip_reason(device, device_type)
        if reason is None:
            batch.exported.append(device)
        elif reason:
            batch.skipped.append((device, reason))
    return batch


def _line(values: Sequence[str]) -> str:
    return ",".join(values) + _CRLF


def autopilot_csv(devices: Sequence[AutopilotDevice], *, group_tag: str) -> bytes:
    """One Autopilot file: the header and a line per device, ASCII, CRLF, no quotes.

    The hash is written as it is (Base64 carries no formula: no parentheses, quotes or spaces, and
    an apostrophe in front would corrupt it); serial and product id pass ``safe_cell``."""
    tag = clean_group_tag(group_tag)
    lines = [_line(AUTOPILOT_HEADER)]
    for device in devices:
        reason = skip_reason(device, "laptop")
        if reason is not None:
            raise ValueError(f"{device.serial}: {reason}")
        serial, product_id = str(safe_cell(device.serial)), str(safe_cell(device.product_id))
        lines.append(_line((serial, product_id, device.hardware_hash.strip(), tag, "")))
    return "".join(lines).encode("ascii")


@dataclass(frozen=True)
class AutopilotDownload:
    filename: str
    content_type: str
    content: bytes
    files: int


# A fixed time inside the ZIP, so that the same devices always give the same bytes.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def autopilot_download(devices: Sequence[AutopilotDevice], *, group_tag: str, basename: str) -> AutopilotDownload:
    """One CSV for up to 500 devices; more give a ZIP of ``<basename>-001.csv``, ... of 500 each."""
    if len(devices) <= AUTOPILOT_MAX_ROWS:
        return AutopilotDownload(f"{basename}.csv", "text/csv", autopilot_csv(devices, group_tag=group_tag), 1)
    buffer = io.BytesIO()
    count = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, len(devices), AUTOPILOT_MAX_ROWS):
            count += 1
            info = zipfile.ZipInfo(f"{basename}-{count:03d}.csv", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, autopilot_csv(devices[start : start + AUTOPILOT_MAX_ROWS], group_tag=group_tag))
    return AutopilotDownload(f"{basename}.zip", "application/zip", buffer.getvalue(), count)


def skipped_csv(skipped: Iterable[tuple[AutopilotDevice, str]]) -> bytes:
    """The skipped devices, for whoever collects the missing hashes: UTF-8, comma, safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=_CRLF)
    writer.writerow(["serial_number", "manufacturer", "model", "school", "reason"])
    for device, reason in skipped:
        writer.writerow(
            [safe_cell(v) for v in (device.serial, device.manufacturer, device.model, device.school, reason)]
        )
    return buffer.getvalue().encode("utf-8")


# -- reconciliation ------------------------------------------------------------------------------

_COMPANY_SUFFIXES = {
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "gmbh",
    "ag",
    "sa",
    "bv",
    "nv",
    "plc",
    "international",
    "computer",
    "computers",
    "technologies",
    "technology",
}
_MANUFACTURER_ALIASES = {"hewlett packard": "hp", "hewlettpackard": "hp"}


def normalise_serial(text: str | None) -> str:
    return (text or "").strip().upper()


@functools.lru_cache(maxsize=1024)
def manufacturer_key(name: str | None) -> str:
    """A manufacturer's name for comparison: "LENOVO", "Lenovo" → "lenovo"; "Dell Inc." → "dell";
    "Hewlett-Packard" → "hp"."""
    words = re.sub(r"[^0-9a-z]+", " ", (name or "").casefold()).split()
    while len(words) > 1 and words[-1] in _COMPANY_SUFFIXES:
        words.pop()
    key = " ".join(words)
    return _MANUFACTURER_ALIASES.get(key, key)


class FundedDevice(NamedTuple):
    """What matching needs of a funded device (a tuple: hundreds of thousands are made at once)."""

    id: int
    serial: str
    manufacturer: str


def match_device(serial: str, manufacturer: str, candidates: Sequence[FundedDevice]) -> int | None:
    """The funded device a tool's row is about, or None (unknown).

    ``candidates`` are the funded devices of the scope with this serial. A row that names its
    manufacturer matches only a device of that manufacturer; a row without one matches when the
    serial is unambiguous."""
    if not candidates:
        return None
    if manufacturer.strip():
        key = manufacturer_key(manufacturer)
        same = [device for device in candidates if manufacturer_key(device.manufacturer) == key]
        return same[0].id if len(same) == 1 else None
    return candidates[0].id if len(candidates) == 1 else None


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d.%m.%Y",
)
_FRACTION = re.compile(r"(\d{2}:\d{2}:\d{2})\.\d+")
_ZONE = re.compile(r"(Z|[+-]\d{2}:?\d{2}|\s?UTC|\s?GMT)$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?$")
# A 12-hour time as Google Admin ("2024-10-07 09:08 AM") and Intune ("9/30/2024 2:05:00 PM") write it.
# Read by hand rather than with strptime's %p, which follows the process's locale.
_TWELVE_HOUR = re.compile(
    r"^(?P<date>\S+)\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<half>[AaPp])\.?[Mm]\.?$"
)
_TWELVE_HOUR_DATES = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")


def parse_check_in(text: str) -> datetime.datetime | None:
    """A last check-in or last sync time as the tools write it; times without a zone are UTC (both
    tools export UTC). Empty: None. Anything else: ValueError naming the formats understood."""
    value = (text or "").strip()
    if not value:
        return None
    return _parse_check_in(value)


@functools.lru_cache(maxsize=4096)
def _parse_check_in(text: str) -> datetime.datetime:
    value = _FRACTION.sub(r"\1", text)
    if _ISO.match(value):
        # The common case (ISO 8601, as both tools write by default) without strptime.
        try:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)
    zone = datetime.UTC
    match = _ZONE.search(value)
    if match:
        marker = match.group(1).strip()
        value = value[: match.start()].strip()
        if marker not in ("Z", "UTC", "GMT"):
            sign = 1 if marker[0] == "+" else -1
            digits = marker[1:].replace(":", "")
            zone = datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    twelve_hour = _parse_twelve_hour(value)
    if twelve_hour is not None:
        return twelve_hour.replace(tzinfo=zone)
    for pattern in _DATE_FORMATS:
        try:
            parsed = datetime.datetime.strptime(value, pattern)
        except ValueError:
            continue
        return parsed.replace(tzinfo=zone)
    raise ValueError(
        _("%(value)r is not a date and time such as 2024-09-30 14:05:00, 2024-09-30T14:05:00Z or 9/30/2024 2:05:00 PM")
        % {"value": text}
    )


def _parse_twelve_hour(value: str) -> datetime.datetime | None:
    """``2024-10-07 09:08 AM`` and ``9/30/2024 2:05:00 PM`` as a naive time; 12 AM is midnight,
    12 PM noon. None when ``value`` is not such a time (or names an hour outside 1 to 12)."""
    match = _TWELVE_HOUR.match(value)
    if match is None:
        return None
    hour = int(match["hour"])
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if match["half"] in "Pp" else 0)
    for pattern in _TWELVE_HOUR_DATES:
        try:
            day = datetime.datetime.strptime(match["date"], pattern)
        except ValueError:
            continue
        try:
            return day.replace(hour=hour, minute=int(match["minute"]), second=int(match["second"] or 0))
        except ValueError:
            return None
    return None
