"""The delivery-file importer: a target (``deliveries``) of the core tabular engine.

Each row is one device: ``serial``, ``model`` (the catalogue code of the programme's authority, or
"manufacturer model"), ``asset_tag``, optional ``mac_address``, ``autopilot_hash``,
``windows_product_id``, ``google_device_id``, ``condition`` (new or refurbished, default new),
``school`` (official number), optional ``site`` (a site name of that school), ``note_number`` (the
delivery note), ``delivered_on`` (default today), and optional ``order`` (purchase order number).
With an order, the programme, funding source and supplier come from the order and the device is
linked to the order's line for the same school and model. Without one, the programme comes from
``programme`` (a column, a profile constant, or ``--programme``), and the supplier from
``supplier`` (``--supplier``) or the uploading supplier user's scope.

Two paths give the same counts, errors and stored rows (``tests/test_deliveries_bulk.py``):
``deliveries_bulk`` (set-based: Arrow columns, checks per distinct value, a TEMP staging table,
``INSERT … SELECT``) serves every profile whose delivery fields are plain text, which is every
built-in one; the row-by-row path below (rows as small tuples, the existing serials read in a few
queries, ``core.bulk.bulk_insert``) serves the rest. See docs/devices-import.md.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digileap.core import audit
from digileap.core.bulk import bulk_insert, chunked
from digileap.core.model_fields import max_length, model_field
from digileap.core.permissions import Action, assignments_for, permits, restrict
from digileap.core.tabular.engine import Importer, Plan, register_importer
from digileap.core.tabular.errors import RowError
from digileap.core.tabular.parsing import ParsedRow
from digileap.core.tabular.profiles import register_profile_dir
from digileap.programmes.models import Programme
from digileap.schools.models import School, Site

from .. import lifecycle
from ..models import (
    Condition,
    Delivery,
    Device,
    DeviceEvent,
    DeviceModel,
    DeviceStatus,
    FrameworkContract,
    OrderLine,
    PurchaseOrder,
    Supplier,
)
from .deliveries_bulk import FIELDS, commit_staged, plan_columns
from .delivery_fields import DELIVERY_FIELDS

register_profile_dir("deliveries", Path(__file__).resolve().parent.parent / "import_profiles" / "deliveries")

TARGET = "deliveries"
_LIMITS = {
    "serial": max_length(Device, "serial"),
    "asset_tag": max_length(Device, "asset_tag"),
    "windows_product_id": max_length(Device, "windows_product_id"),
    "google_device_id": max_length(Device, "google_device_id"),
    "note_number": max_length(Delivery, "note_number"),
}
_MAC_SEPARATORS = re.compile(r"[:\-.\s]")
_HEX12 = re.compile(r"^[0-9A-Fa-f]{12}$")
_MAC_USUAL = re.compile(r"^[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")
_CONDITIONS = {value: value for value in Condition.values}
# Above this many existing devices per file row of a manufacturer, its serials are looked up in
# chunks of the file's serials instead of streaming every existing serial of the manufacturer.
SCAN_RATIO = 4

# A candidate row: what one valid row will create (or find unchanged).
(
    R_LINE,
    R_MANUFACTURER,
    R_SERIAL,
    R_MODEL,
    R_ASSET,
    R_MAC,
    R_HASH,
    R_PRODUCT,
    R_GOOGLE,
    R_CONDITION,
    R_DELIVERY,
    R_ORDER_LINE,
    R_SITE,
) = range(13)
# The device fields a row gives, by their place in the row; compared with an existing device.
COMPARED = (
    ("device_model_id", R_MODEL),
    ("asset_tag", R_ASSET),
    ("mac_address", R_MAC),
    ("autopilot_hash", R_HASH),
    ("windows_product_id", R_PRODUCT),
    ("google_device_id", R_GOOGLE),
    ("condition", R_CONDITION),
    ("order_line_id", R_ORDER_LINE),
    ("site_id", R_SITE),
)
_MIXED = object()


def normalise_serial(text: str) -> str:
    """Serial numbers are kept upper-case without surrounding spaces."""
    return (text or "").strip().upper()


def normalise_mac(text: str) -> str:
    """``aa-bb-cc-dd-ee-ff``, ``AABB.CCDD.EEFF`` and ``aabbccddeeff`` become ``AA:BB:CC:DD:EE:FF``.
    Raises ValueError for anything that is not 12 hexadecimal digits."""
    if _MAC_USUAL.match(text):
        return text.upper().replace("-", ":")
    compact = _MAC_SEPARATORS.sub("", text)
    if not _HEX12.match(compact):
        raise ValueError(
            _("%(value)r is not a MAC address (12 hexadecimal digits, such as AA:BB:CC:DD:EE:FF)") % {"value": text}
        )
    c = compact.upper()
    return f"{c[0:2]}:{c[2:4]}:{c[4:6]}:{c[6:8]}:{c[8:10]}:{c[10:12]}"


def parse_date(text: str) -> datetime.date:
    """A date as ``2024-10-01``, ``01.10.2024``, ``01/10/2024`` or ``01-10-2024`` (day first);
    an Excel date cell (``2024-10-01 00:00:00``) too. Raises ValueError."""
    value = text.strip()
    if len(value) > 10 and value[10] in " T":
        value = value[:10]
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("%(value)r is not a date (use 2024-10-01 or 01.10.2024)") % {"value": text})


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def status_time(day: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """When a device delivered on ``day`` became ``delivered``: the import's time for today, noon of
    that day (local time) for an earlier day."""
    if day >= timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


# What ``earlier_device_message`` reads of a stored device (``Device.objects.values(...)``).
EARLIER_FIELDS = (
    "delivery_id",
    "purchase_id",
    "delivery__note_number",
    "delivery__delivered_on",
    "delivery__school__name",
    "delivery__school__number",
    "purchase__invoice_reference",
)


def earlier_device_message(serial: str, manufacturer: str, found: dict, visible_deliveries: set[int]) -> str:
    """Why a serial that exists already is refused, naming where it came from: the earlier
    delivery (its note, school and date; the school only when the user may see that delivery) or
    the self-bought purchase."""
    names = {"serial": serial, "manufacturer": manufacturer}
    if found["delivery_id"]:
        school = (
            f"{found['delivery__school__name']} ({found['delivery__school__number']})"
            if found["delivery_id"] in visible_deliveries
            else _("a school outside your scope")
        )
        return _(
            "serial %(serial)s (%(manufacturer)s) was already delivered: delivery note %(note)s to %(school)s on %(date)s"
        ) % {
            **names,
            "note": found["delivery__note_number"],
            "school": school,
            "date": found["delivery__delivered_on"].isoformat(),
        }
    if found["purchase_id"]:
        return _("serial %(serial)s (%(manufacturer)s) was already reported: self-bought purchase %(invoice)s") % {
            **names,
            "invoice": found["purchase__invoice_reference"],
        }
    return _("serial %(serial)s (%(manufacturer)s) is already registered") % names


def visible_deliveries(actor, ids: set[int]) -> set[int]:
    """Which of these deliveries the actor may see."""
    visible: set[int] = set()
    for chunk in chunked(sorted(ids)):
        visible.update(restrict(Delivery.objects.filter(id__in=chunk), actor).values_list("id", flat=True))
    return visible


@dataclass
class DeliverySpec:
    """One delivery note to one school in one programme, as the file gives it."""

    programme_id: int
    programme_code: str
    authority_id: int
    note_number: str
    school_id: int
    school_label: str
    delivered_on: datetime.date
    order_id: int | None
    order_number: str
    supplier_id: int | None
    funding_source_id: int | None
    site_id: Any
    first_line: int
    existing_id: int | None = None
    created: int = 0
    unchanged: int = 0
    new_id: int | None = None

    @property
    def id(self) -> int | None:
        return self.existing_id or self.new_id


class StoredNote(NamedTuple):
    """A delivery note already stored, as plain values (a re-import reads tens of thousands)."""

    id: int
    programme_id: int
    note_number: str
    school_id: int
    delivered_on: datetime.date
    order_id: int | None
    supplier_id: int | None
    acceptance: str
    accepted_at: datetime.datetime | None
    order__number: str | None
    supplier__name: str | None


@dataclass
class DeliveriesPlan:
    specs: list[DeliverySpec] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # the rows to create
    model_info: dict[int, tuple[str, str]] = field(default_factory=dict)  # model id → (manufacturer, type)
    bulk: bool = False  # planned by the set-based path: the candidates wait in its staging table


class DeliveryImporter(Importer):
    target = TARGET
    label = gettext_lazy("Deliveries (devices with serial numbers)")
    model = Delivery
    fields = DELIVERY_FIELDS
    # None: choose the path by the profile (``uses_bulk_path``); True/False force one.
    bulk_path: bool | None = None

    def __init__(self, *, profile, actor) -> None:
        super().__init__(profile=profile, actor=actor)
        self.column_of = {c.field: c.sources[0] for c in profile.columns}
        self.today = timezone.localdate()
        self._programmes: dict[str, Programme | None] = {}
        self._orders: dict[tuple[str, int | None], list[PurchaseOrder]] = {}
        self._order_lines: dict[int, dict[tuple[int, int], int]] = {}
        self._schools: dict[int, dict[str, tuple[int, int, str]]] = {}
        self._models: dict[int, dict[str, tuple[int, str, str]]] = {}
        self._sites: dict[int, dict[tuple[int, str], int]] = {}
        self._suppliers: dict[str, Supplier | None] = {}
        self._permitted: dict[tuple[int, int | None], bool] = {}
        self._supplier_allowed: dict[tuple[int, int], bool] = {}
        self._dates: dict[str, datetime.date | str] = {}
        self._contexts: dict[tuple, tuple] = {}
        self._model_texts: dict[tuple[int, str], tuple[int, str, str] | None] = {}
        self._authority_names: dict[int, str] = {}
        supplier_scopes = {
            a.scope_id for a in assignments_for(actor, Action.ADD, Delivery) if a.scope_kind == "supplier"
        }
        wider = any(a.scope_kind != "supplier" for a in assignments_for(actor, Action.ADD, Delivery))
        # ``permits`` grants every school to a role scoped "all": no probe per school needed.
        self.may_add_everywhere = any(a.scope_kind == "all" for a in assignments_for(actor, Action.ADD, Delivery))
        # A supplier user delivers as its supplier; with another role as well it may name others.
        self.actor_supplier_id = next(iter(supplier_scopes)) if len(supplier_scopes) == 1 and not wider else None

    def column(self, name: str) -> str:
        return self.column_of.get(name, name)

    # -- lookups, each cached and loaded in one query when first needed ------------------------

    def _programme(self, code: str) -> Programme | None:
        if code not in self._programmes:
            programme = Programme.objects.filter(code=code).select_related("authority").first()
            self._programmes[code] = programme
            if programme is not None:
                self._authority_names[programme.authority_id] = programme.authority.name
        return self._programmes[code]

    def _orders_numbered(self, number: str, programme_id: int | None) -> list[PurchaseOrder]:
        key = (number, programme_id)
        if key not in self._orders:
            orders = PurchaseOrder.objects.filter(number=number).select_related("programme__authority", "supplier")
            if programme_id is not None:
                orders = orders.filter(programme_id=programme_id)
            self._orders[key] = list(orders.order_by("programme__code", "id"))
            for order in self._orders[key]:
                self._programmes.setdefault(order.programme.code, order.programme)
                self._authority_names[order.programme.authority_id] = order.programme.authority.name
        return self._orders[key]

    def _order_line(self, order_id: int, school_id: int, model_id: int) -> int | None:
        if order_id not in self._order_lines:
            lines: dict[tuple[int, int], int] = {}
            for line_id, line_school, line_model in (
                OrderLine.objects.filter(order_id=order_id)
                .order_by("id")
                .values_list("id", "school_id", "device_model_id")
            ):
                lines.setdefault((line_school, line_model), line_id)
            self._order_lines[order_id] = lines
        return self._order_lines[order_id].get((school_id, model_id))

    def _school(self, authority_id: int, number: str) -> tuple[int, int, str] | None:
        if authority_id not in self._schools:
            self._schools[authority_id] = {
                number: (school_id, operator_id, f"{name} ({number})")
                for school_id, number, operator_id, name in School.objects.filter(
                    authority_id=authority_id
                ).values_list("id", "number", "operator_id", "name")
            }
        return self._schools[authority_id].get(number)

    def _model(self, authority_id: int, text: str) -> tuple[int, str, str] | None:
        if authority_id not in self._models:
            models: dict[str, tuple[int, str, str]] = {}
            for model_id, code, manufacturer, name, device_type in DeviceModel.objects.filter(
                authority_id=authority_id
            ).values_list("id", "code", "manufacturer", "name", "device_type"):
                info = (model_id, manufacturer, device_type)
                models[_key(code)] = info
                models.setdefault(_key(f"{manufacturer} {name}"), info)
            self._models[authority_id] = models
        return self._models[authority_id].get(_key(text))

    def _site(self, authority_id: int, school_id: int, name: str) -> int | None:
        if authority_id not in self._sites:
            self._sites[authority_id] = {
                (site_school, _key(site_name)): site_id
                for site_id, site_school, site_name in Site.objects.filter(
                    school__authority_id=authority_id
                ).values_list("id", "school_id", "name")
            }
        return self._sites[authority_id].get((school_id, _key(name)))

    def _supplier(self, name: str) -> Supplier | None:
        if name not in self._suppliers:
            self._suppliers[name] = Supplier.objects.filter(name__iexact=name.strip()).first()
        return self._suppliers[name]

    def _may_deliver(self, school: tuple[int, int, str], authority_id: int, supplier_id: int | None) -> bool:
        if self.may_add_everywhere:
            return True
        key = (school[0], supplier_id)
        if key not in self._permitted:
            probe = Delivery(
                school=School(id=school[0], authority_id=authority_id, operator_id=school[1]), supplier_id=supplier_id
            )
            self._permitted[key] = permits(self.actor, Action.ADD, probe)
        return self._permitted[key]

    def _supplier_serves(self, supplier_id: int, programme: Programme) -> bool:
        """A supplier user delivers only where it has an order in the programme or a framework
        contract with the programme's authority."""
        key = (supplier_id, programme.id)
        if key not in self._supplier_allowed:
            self._supplier_allowed[key] = (
                PurchaseOrder.objects.filter(programme=programme, supplier_id=supplier_id).exists()
                or FrameworkContract.objects.filter(
                    authority_id=programme.authority_id, supplier_id=supplier_id
                ).exists()
            )
        return self._supplier_allowed[key]

    def _date(self, text: str) -> datetime.date | str:
        """The date, or the reason it is not one (cached: a file repeats few dates)."""
        if text not in self._dates:
            try:
                day = parse_date(text)
            except ValueError as error:
                self._dates[text] = str(error)
            else:
                self._dates[text] = (
                    _("%(date)s is in the future") % {"date": day.isoformat()} if day > self.today else day
                )
        return self._dates[text]

    # -- planning ------------------------------------------------------------------------------

    def uses_bulk_path(self) -> bool:
        """The set-based path (``deliveries_bulk``) serves every profile whose delivery fields are
        plain text, which is every built-in one; ``bulk_path`` forces a path (tests compare both)."""
        if self.bulk_path is not None:
            return self.bulk_path
        read = set(FIELDS)
        if any(column.field in read and column.type != "text" for column in self.profile.columns):
            return False
        return all(value is None or isinstance(value, str) for value in self.profile.constants.values())

    def plan(self, rows: Iterable[ParsedRow]) -> Plan:
        self._spec_index: dict[tuple[int, str, int], int] = {}
        if self.uses_bulk_path():
            return plan_columns(self, rows)
        return self.plan_rows(rows)

    def plan_rows(self, rows: Iterable[ParsedRow]) -> Plan:
        """The row-by-row path: every row a tuple, checked one after the other."""
        plan = Plan(data=DeliveriesPlan())
        data: DeliveriesPlan = plan.data
        self._spec_index = {}
        # Every serial the file names, by manufacturer: serial → first line; repeated ones → all lines.
        first_line: dict[str, dict[str, int]] = defaultdict(dict)
        repeated: dict[tuple[str, str], list[int]] = {}
        candidates: list[tuple] = []
        rejected_lines: set[int] = set()
        for parsed in rows:
            errors = parsed.errors
            row, manufacturer, serial = self._row(parsed, data)
            if manufacturer and serial:
                serials = first_line[manufacturer]
                earlier = serials.get(serial)
                if earlier is None:
                    serials[serial] = parsed.line
                else:
                    repeated.setdefault((manufacturer, serial), [earlier]).append(parsed.line)
            if errors:
                plan.rejected.extend(errors)
                rejected_lines.add(parsed.line)
            elif row is not None:
                candidates.append(row)
        serial_column = self.column("serial")
        for (manufacturer, serial), lines in repeated.items():
            for line in lines:
                others = ", ".join(str(other) for other in lines if other != line)
                plan.rejected.append(
                    RowError(
                        line,
                        serial_column,
                        _("serial %(serial)s (%(manufacturer)s) appears again on line(s) %(lines)s")
                        % {"serial": serial, "manufacturer": manufacturer, "lines": others},
                        serial,
                    )
                )
                rejected_lines.add(line)
        if repeated:
            candidates = [row for row in candidates if row[R_LINE] not in rejected_lines]
        counts = {manufacturer: len(serials) for manufacturer, serials in first_line.items()}
        del first_line, repeated
        self._check_existing_deliveries(data, ((row[R_LINE], row[R_DELIVERY]) for row in candidates), plan)
        candidates = [row for row in candidates if row[R_LINE] not in self._rejected_by_delivery]
        existing = self._existing_devices(candidates, counts)
        self._decide(data, candidates, existing, plan)
        return plan

    def _row(self, parsed: ParsedRow, data: DeliveriesPlan) -> tuple[tuple | None, str, str]:
        """The candidate tuple of a row (None when it has errors), its manufacturer and serial."""
        values = parsed.values
        line = parsed.line
        errors = parsed.errors

        def fail(name: str, message: str, value: Any = "") -> None:
            errors.append(RowError(line, self.column(name), message, str(value)[:80]))

        serial = normalise_serial(values.get("serial") or "")
        if serial and len(serial) > _LIMITS["serial"]:
            fail("serial", _("longer than %(n)s characters") % {"n": _LIMITS["serial"]}, serial)
            serial = ""
        texts = {}
        for name in ("asset_tag", "windows_product_id", "google_device_id", "note_number"):
            # The engine strips cells; an empty one is None.
            text = values.get(name) or ""
            if len(text) > _LIMITS[name]:
                fail(name, _("longer than %(n)s characters") % {"n": _LIMITS[name]}, text)
            texts[name] = text
        mac = values.get("mac_address") or ""
        if mac:
            try:
                mac = normalise_mac(mac)
            except ValueError as error:
                fail("mac_address", str(error), mac)
        condition_text = (values.get("condition") or "").strip()
        condition = _CONDITIONS.get(condition_text.lower(), "") if condition_text else Condition.NEW
        if not condition:
            fail(
                "condition",
                _("unknown condition %(value)r; use new or refurbished") % {"value": condition_text},
                condition_text,
            )
        date_text = (values.get("delivered_on") or "").strip()
        delivered_on = self._date(date_text) if date_text else self.today
        if isinstance(delivered_on, str):
            fail("delivered_on", delivered_on, date_text)

        programme, order, supplier_id = self._context(values, fail)
        if programme is None:
            return None, "", serial
        authority_id = programme.authority_id
        model_text = (values.get("model") or "").strip()
        model: tuple[int, str, str] | None = None
        if model_text:
            model_key = (authority_id, model_text)
            if model_key in self._model_texts:
                model = self._model_texts[model_key]
            else:
                model = self._model_texts[model_key] = self._model(authority_id, model_text)
        if model_text and model is None:
            fail(
                "model",
                _(
                    "unknown device model %(value)r in the catalogue of %(authority)s; give its code or 'manufacturer model'"
                )
                % {"value": model_text, "authority": self._authority_names.get(authority_id, authority_id)},
                model_text,
            )
        manufacturer = model[1] if model else ""
        if model:
            data.model_info[model[0]] = (model[1], model[2])
        number = (values.get("school") or "").strip()
        school = self._school(authority_id, number) if number else None
        if number and school is None:
            fail(
                "school",
                _(
                    "no school with the official number %(number)s in %(authority)s (the authority of programme %(programme)s)"
                )
                % {
                    "number": number,
                    "authority": self._authority_names.get(authority_id, authority_id),
                    "programme": programme.code,
                },
                number,
            )
        if school is None:
            return None, manufacturer, serial
        if not self._may_deliver(school, authority_id, supplier_id):
            fail(
                "school",
                _("school %(school)s is outside your scope: your role may not record deliveries to it")
                % {"school": school[2]},
                number,
            )
            return None, manufacturer, serial
        if (
            self.actor_supplier_id is not None
            and order is None
            and not self._supplier_serves(self.actor_supplier_id, programme)
        ):
            fail(
                "programme",
                _("your supplier has no order in programme %(programme)s and no framework contract with its authority")
                % {"programme": programme.code},
                programme.code,
            )
        site_name = (values.get("site") or "").strip()
        site_id = self._site(authority_id, school[0], site_name) if site_name else None
        if site_name and site_id is None:
            fail(
                "site",
                _("school %(school)s has no site named %(site)r") % {"school": school[2], "site": site_name},
                site_name,
            )
        order_line_id = None
        if order is not None and model is not None:
            order_line_id = self._order_line(order.id, school[0], model[0])
            if order_line_id is None:
                fail(
                    "order",
                    _("order %(order)s has no line for %(model)s at school %(school)s")
                    % {"order": order.number, "model": model_text, "school": school[2]},
                    order.number,
                )
        if errors or model is None or not serial or not texts["note_number"]:
            return None, manufacturer, serial
        spec_index = self._spec(
            data, programme, texts["note_number"], school, delivered_on, order, supplier_id, site_id, line, fail
        )
        if spec_index is None:
            return None, manufacturer, serial
        row = (
            line,
            manufacturer,
            serial,
            model[0],
            texts["asset_tag"],
            mac,
            (values.get("autopilot_hash") or "").strip(),
            texts["windows_product_id"],
            texts["google_device_id"],
            condition,
            spec_index,
            order_line_id,
            site_id,
        )
        return row, manufacturer, serial

    def _context(self, values: dict, fail) -> tuple[Programme | None, PurchaseOrder | None, int | None]:
        """``_programme_and_order`` once per distinct (programme, supplier, order) of the file; its
        failures are replayed for every row that names the same."""
        key = (values.get("programme"), values.get("supplier"), values.get("order"))
        cached = self._contexts.get(key)
        if cached is None:
            failures: list[tuple] = []
            result = self._programme_and_order(values, lambda *arguments: failures.append(arguments))
            cached = self._contexts[key] = (result, failures)
        for arguments in cached[1]:
            fail(*arguments)
        return cached[0]

    def _programme_and_order(self, values: dict, fail) -> tuple[Programme | None, PurchaseOrder | None, int | None]:
        """The row's programme, order and supplier id, from the order or from the programme given."""
        code = (values.get("programme") or "").strip()
        programme = None
        if code:
            programme = self._programme(code)
            if programme is None:
                fail("programme", _("unknown programme %(code)r") % {"code": code}, code)
                return None, None, None
        supplier_name = (values.get("supplier") or "").strip()
        named_supplier = self._supplier(supplier_name) if supplier_name else None
        if supplier_name and named_supplier is None:
            fail("supplier", _("unknown supplier %(name)r") % {"name": supplier_name}, supplier_name)
            return None, None, None
        if (
            named_supplier is not None
            and self.actor_supplier_id is not None
            and named_supplier.id != self.actor_supplier_id
        ):
            fail(
                "supplier",
                _("you deliver as your own supplier, not as %(name)s") % {"name": named_supplier.name},
                supplier_name,
            )
            return None, None, None
        number = (values.get("order") or "").strip()
        if not number:
            if programme is None:
                fail(
                    "programme",
                    _(
                        "no programme: give a purchase order number, a programme column, or the programme to import into"
                    ),
                )
                return None, None, None
            supplier_id = named_supplier.id if named_supplier else self.actor_supplier_id
            return programme, None, supplier_id
        orders = self._orders_numbered(number, programme.id if programme else None)
        if not orders:
            message = (
                _("unknown purchase order %(order)s in programme %(programme)s") % {"order": number, "programme": code}
                if programme
                else _("unknown purchase order %(order)s") % {"order": number}
            )
            fail("order", message, number)
            return None, None, None
        if len(orders) > 1:
            fail(
                "order",
                _("order number %(order)s exists in several programmes (%(programmes)s): give the programme")
                % {"order": number, "programmes": ", ".join(o.programme.code for o in orders)},
                number,
            )
            return None, None, None
        order = orders[0]
        if order.status in (PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.CANCELLED):
            fail(
                "order",
                _("order %(order)s is %(status)s; devices are delivered against placed orders only")
                % {"order": number, "status": order.get_status_display().lower()},
                number,
            )
            return None, None, None
        if self.actor_supplier_id is not None and order.supplier_id != self.actor_supplier_id:
            fail("order", _("order %(order)s is placed with another supplier") % {"order": number}, number)
            return None, None, None
        if named_supplier is not None and named_supplier.id != order.supplier_id:
            fail(
                "supplier",
                _("order %(order)s is placed with %(supplier)s, not with %(name)s")
                % {"order": number, "supplier": order.supplier.name, "name": named_supplier.name},
                supplier_name,
            )
            return None, None, None
        return order.programme, order, order.supplier_id

    def _spec(self, data, programme, note, school, delivered_on, order, supplier_id, site_id, line, fail) -> int | None:
        """The index of the row's delivery; a row that contradicts its delivery's other rows fails."""
        key = (programme.id, note, school[0])
        index = self._spec_index.get(key)
        if index is None:
            index = self._spec_index[key] = len(data.specs)
            data.specs.append(
                DeliverySpec(
                    programme_id=programme.id,
                    programme_code=programme.code,
                    authority_id=programme.authority_id,
                    note_number=note,
                    school_id=school[0],
                    school_label=school[2],
                    delivered_on=delivered_on,
                    order_id=order.id if order else None,
                    order_number=order.number if order else "",
                    supplier_id=supplier_id,
                    funding_source_id=order.funding_source_id if order else None,
                    site_id=site_id,
                    first_line=line,
                )
            )
            return index
        spec = data.specs[index]
        if spec.delivered_on != delivered_on:
            fail(
                "delivered_on",
                _("delivery note %(note)s to %(school)s is dated %(date)s on line %(line)s; one note, one date")
                % {"note": note, "school": school[2], "date": spec.delivered_on.isoformat(), "line": spec.first_line},
                delivered_on.isoformat(),
            )
            return None
        if spec.order_id != (order.id if order else None) or spec.supplier_id != supplier_id:
            fail(
                "order",
                _(
                    "delivery note %(note)s to %(school)s has another order or supplier on line %(line)s; one note, one order"
                )
                % {"note": note, "school": school[2], "line": spec.first_line},
                order.number if order else "",
            )
            return None
        if spec.site_id is not _MIXED and spec.site_id != site_id:
            spec.site_id = _MIXED
        return index

    def _check_existing_deliveries(
        self, data: DeliveriesPlan, candidates: Iterable[tuple[int, int]], plan: Plan
    ) -> None:
        """Link the file's delivery notes to those already stored; a stored note that says otherwise
        (another date, order or supplier) rejects the file's rows of it. ``candidates`` are
        (line, delivery index) pairs."""
        self._rejected_by_delivery: set[int] = set()
        self._accepted_specs: dict[int, StoredNote] = {}
        by_key = {(s.programme_id, s.note_number, s.school_id): index for index, s in enumerate(data.specs)}
        notes = sorted({s.note_number for s in data.specs})
        programmes = sorted({s.programme_id for s in data.specs})
        conflicting: dict[int, str] = {}
        for chunk in chunked(notes, 500):
            for values in Delivery.objects.filter(programme_id__in=programmes, note_number__in=chunk).values_list(
                *StoredNote._fields
            ):
                # Plain values, not model instances: a re-import reads tens of thousands of notes.
                delivery = StoredNote._make(values)
                index = by_key.get((delivery.programme_id, delivery.note_number, delivery.school_id))
                if index is None:
                    continue
                spec = data.specs[index]
                spec.existing_id = delivery.id
                if delivery.delivered_on != spec.delivered_on:
                    conflicting[index] = _(
                        "delivery note %(note)s to %(school)s is already recorded as delivered on %(date)s"
                    ) % {
                        "note": spec.note_number,
                        "school": spec.school_label,
                        "date": delivery.delivered_on.isoformat(),
                    }
                elif delivery.order_id != spec.order_id or delivery.supplier_id != spec.supplier_id:
                    conflicting[index] = _(
                        "delivery note %(note)s to %(school)s is already recorded with order %(order)s and supplier %(supplier)s"
                    ) % {
                        "note": spec.note_number,
                        "school": spec.school_label,
                        "order": delivery.order__number or "-",
                        "supplier": delivery.supplier__name or "-",
                    }
                elif delivery.acceptance != Delivery.Acceptance.PENDING:
                    self._accepted_specs[index] = delivery
        if not conflicting:
            return
        column = self.column("note_number")
        for line, index in candidates:
            message = conflicting.get(index)
            if message is not None:
                plan.rejected.append(RowError(line, column, message, data.specs[index].note_number))
                self._rejected_by_delivery.add(line)

    def _existing_devices(self, candidates: list[tuple], counts: dict[str, int]) -> dict[tuple[str, str], dict]:
        """The stored devices whose (manufacturer, serial) the file names, with where they came from.

        Per manufacturer: when the database holds few of its devices compared with the file, its
        serials are streamed once and matched in memory; otherwise the file's serials are looked up
        in chunks (index on serial). Only the matches are kept.
        """
        wanted: dict[str, set[str]] = defaultdict(set)
        for row in candidates:
            wanted[row[R_MANUFACTURER]].add(row[R_SERIAL])
        if not wanted:
            return {}
        stored = dict(
            Device.objects.filter(manufacturer__in=list(wanted))
            .values("manufacturer")
            .annotate(n=Count("id"))
            .values_list("manufacturer", "n")
        )
        matches: list[tuple[str, str]] = []
        for manufacturer, serials in wanted.items():
            count = stored.get(manufacturer, 0)
            if not count:
                continue
            if count <= SCAN_RATIO * max(counts.get(manufacturer, 0), 1000):
                for serial in (
                    Device.objects.filter(manufacturer=manufacturer)
                    .values_list("serial", flat=True)
                    .iterator(chunk_size=20000)
                ):
                    if serial in serials:
                        matches.append((manufacturer, serial))
            else:
                for chunk in chunked(sorted(serials), 900):
                    matches.extend(
                        (manufacturer, serial)
                        for serial in Device.objects.filter(manufacturer=manufacturer, serial__in=chunk).values_list(
                            "serial", flat=True
                        )
                    )
        details: dict[tuple[str, str], dict] = {}
        by_manufacturer: dict[str, list[str]] = defaultdict(list)
        for manufacturer, serial in matches:
            by_manufacturer[manufacturer].append(serial)
        fields = ["id", "delivery_id", "purchase_id", "school_id", *(name for name, _index in COMPARED)]
        for manufacturer, manufacturer_serials in by_manufacturer.items():
            for chunk in chunked(manufacturer_serials, 900):
                for values in Device.objects.filter(manufacturer=manufacturer, serial__in=chunk).values(
                    "serial",
                    *fields,
                    "delivery__note_number",
                    "delivery__delivered_on",
                    "delivery__school__name",
                    "delivery__school__number",
                    "purchase__invoice_reference",
                    "purchase__school__name",
                    "school__name",
                ):
                    details[(manufacturer, values["serial"])] = values
        return details

    def _decide(self, data: DeliveriesPlan, candidates: list[tuple], existing: dict, plan: Plan) -> None:
        """Each candidate is created, unchanged (the same device of the same delivery), or rejected."""
        serial_column = self.column("serial")
        visible = visible_deliveries(self.actor, {d["delivery_id"] for d in existing.values() if d["delivery_id"]})
        for row in candidates:
            spec = data.specs[row[R_DELIVERY]]
            found = existing.get((row[R_MANUFACTURER], row[R_SERIAL]))
            if found is None:
                accepted = self._accepted_specs.get(row[R_DELIVERY])
                if accepted is not None:
                    plan.rejected.append(
                        RowError(
                            row[R_LINE],
                            self.column("note_number"),
                            _(
                                "delivery note %(note)s to %(school)s was accepted on %(date)s; deliver further "
                                "devices under a new delivery note"
                            )
                            % {
                                "note": spec.note_number,
                                "school": spec.school_label,
                                "date": timezone.localdate(accepted.accepted_at).isoformat(),
                            },
                            spec.note_number,
                        )
                    )
                    continue
                data.rows.append(row)
                spec.created += 1
                plan.created += 1
                continue
            if spec.existing_id is not None and found["delivery_id"] == spec.existing_id:
                differing = [name for name, index in COMPARED if found[name] != row[index]]
                if not differing:
                    spec.unchanged += 1
                    plan.unchanged += 1
                    continue
                labels = ", ".join(
                    str(model_field(Device, name.removesuffix("_id")).verbose_name) for name in differing
                )
                plan.rejected.append(
                    RowError(
                        row[R_LINE],
                        serial_column,
                        _(
                            "serial %(serial)s is already in this delivery with another %(fields)s; a delivery file "
                            "does not change devices"
                        )
                        % {"serial": row[R_SERIAL], "fields": labels},
                        row[R_SERIAL],
                    )
                )
                continue
            plan.rejected.append(
                RowError(
                    row[R_LINE],
                    serial_column,
                    earlier_device_message(row[R_SERIAL], row[R_MANUFACTURER], found, visible),
                    row[R_SERIAL],
                )
            )

    # -- writing -------------------------------------------------------------------------------

    def commit(self, plan: Plan) -> None:
        data: DeliveriesPlan = plan.data
        if data.bulk:
            commit_staged(self, plan)
            return
        if not data.rows:
            return  # nothing new: re-importing the same file leaves no trace, not even in the audit trail
        now = timezone.now()
        created_by = self.actor if getattr(self.actor, "pk", None) else None
        used = sorted({row[R_DELIVERY] for row in data.rows})
        new_specs = [data.specs[index] for index in used if data.specs[index].existing_id is None]
        Delivery.objects.bulk_create(
            [
                Delivery(
                    supplier_id=spec.supplier_id,
                    order_id=spec.order_id,
                    programme_id=spec.programme_id,
                    school_id=spec.school_id,
                    site_id=None if spec.site_id is _MIXED else spec.site_id,
                    note_number=spec.note_number,
                    delivered_on=spec.delivered_on,
                    created_by=created_by,
                )
                for spec in new_specs
            ],
            batch_size=500,
        )
        self._fetch_delivery_ids(new_specs)
        at = {index: status_time(data.specs[index].delivered_on, now) for index in used}
        bulk_insert(
            Device,
            [
                "serial",
                "manufacturer",
                "device_model",
                "device_type",
                "condition",
                "asset_tag",
                "mac_address",
                "autopilot_hash",
                "windows_product_id",
                "google_device_id",
                "programme",
                "funding_source",
                "school",
                "site",
                "supplier",
                "delivery",
                "order_line",
                "status",
                "status_changed_at",
                "delivered_on",
                "discrepancy",
                "created_at",
            ],
            self._device_values(data, at, now),
        )
        spec_of_delivery = {data.specs[index].id: index for index in used}
        new_ids: list[tuple[int, int]] = []
        for chunk in chunked([data.specs[index].id for index in used], 500):
            new_ids.extend(
                Device.objects.filter(delivery_id__in=chunk, created_at=now)
                .order_by("delivery_id", "id")
                .values_list("delivery_id", "id")
            )
        reason = _("Delivered")
        bulk_insert(
            DeviceEvent,
            lifecycle.initial_event_fields(),
            (
                event
                for delivery_id, group in groupby(new_ids, key=lambda pair: pair[0])
                for event in lifecycle.initial_event_rows(
                    (device_id for _delivery, device_id in group),
                    status=DeviceStatus.DELIVERED,
                    actor=self.actor,
                    at=at[spec_of_delivery[delivery_id]],
                    reason=f"{reason}: {data.specs[spec_of_delivery[delivery_id]].note_number}"[:500],
                )
            ),
        )
        del new_ids
        self._audit(data, used, plan)
        self._refresh_orders({data.specs[index].order_id for index in used} - {None})

    def _fetch_delivery_ids(self, specs: list[DeliverySpec]) -> None:
        by_key = {(s.programme_id, s.note_number, s.school_id): s for s in specs}
        notes = sorted({s.note_number for s in specs})
        programmes = sorted({s.programme_id for s in specs})
        for chunk in chunked(notes, 500):
            for delivery_id, programme_id, note, school_id in Delivery.objects.filter(
                programme_id__in=programmes, note_number__in=chunk
            ).values_list("id", "programme_id", "note_number", "school_id"):
                spec = by_key.get((programme_id, note, school_id))
                if spec is not None:
                    spec.new_id = delivery_id

    def _device_values(self, data: DeliveriesPlan, at: dict[int, datetime.datetime], now: datetime.datetime):
        specs = data.specs
        model_info = data.model_info
        delivered = DeviceStatus.DELIVERED
        for row in data.rows:
            spec = specs[row[R_DELIVERY]]
            yield (
                row[R_SERIAL],
                row[R_MANUFACTURER],
                row[R_MODEL],
                model_info[row[R_MODEL]][1],
                row[R_CONDITION],
                row[R_ASSET],
                row[R_MAC],
                row[R_HASH],
                row[R_PRODUCT],
                row[R_GOOGLE],
                spec.programme_id,
                spec.funding_source_id,
                spec.school_id,
                row[R_SITE],
                spec.supplier_id,
                spec.id,
                row[R_ORDER_LINE],
                delivered,
                at[row[R_DELIVERY]],
                spec.delivered_on,
                "",
                now,
            )

    def _audit(self, data: DeliveriesPlan, used: list[int], plan: Plan) -> None:
        """One event per delivery (created, or with devices added), and one for the import."""
        changes = []
        for index in used:
            spec = data.specs[index]
            after: dict[str, object] = {
                "devices_added": spec.created,
                "devices_unchanged": spec.unchanged,
            }
            label = f"{spec.note_number} → {spec.school_label}"[:300]
            if spec.new_id is not None:
                after = {
                    "programme": spec.programme_id,
                    "note_number": spec.note_number,
                    "school": spec.school_id,
                    "delivered_on": spec.delivered_on.isoformat(),
                    "order": spec.order_id,
                    "supplier": spec.supplier_id,
                    "funding_source": spec.funding_source_id,
                    **after,
                }
                changes.append(audit.Change("create", "devices.delivery", str(spec.new_id), label, None, after))
            else:
                changes.append(audit.Change("update", "devices.delivery", str(spec.existing_id), label, None, after))
        changes.append(
            audit.Change(
                "import",
                "devices.import",
                self.profile.name,
                _("Delivery import (%(profile)s)") % {"profile": self.profile.name},
                None,
                {
                    "created": plan.created,
                    "updated": plan.updated,
                    "unchanged": plan.unchanged,
                    "rejected": plan.rejected_lines,
                },
            )
        )
        audit.record_many(actor=self.actor, changes=changes)

    def _refresh_orders(self, order_ids: set[int]) -> None:
        """Let the orders follow what was delivered, when the orders work provides the function."""
        if not order_ids:
            return
        try:
            from digileap.devices.services.orders import order_refresh_delivery_status
        except ImportError:
            return
        for order in PurchaseOrder.objects.filter(id__in=sorted(order_ids)):
            order_refresh_delivery_status(order=order, actor=self.actor)


register_importer(DeliveryImporter)
