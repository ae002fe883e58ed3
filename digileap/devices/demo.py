"""Demo devices for ``manage.py seed_demo``: orders, deliveries, devices with their lifecycle events,
hand-outs, agreements, the roll-out board, tickets and access points, so that the device targets
of the seed programmes and of the demo programme move.

The seed programmes belong to authorities without schools in the demo registry (``programmes/
seed_data.py``), so their devices go to the demo region of the same country and language:

- ``brussels-digitale-omkeer`` (seed 000): laptops (new and refurbished), tablets and interactive
  displays for secondary schools of Brabant-Midden in September and October 2021, one delivery
  accepted with a missing and a damaged laptop, one still waiting; 60 Wi-Fi access points in 2022,
  installed and (mostly) verified: targets 405 and the 3,500 hotspots move;
- ``flanders-digisprong`` (seed 001): schools buy devices themselves and report them (three
  self-bought purchases with invoices and serials, 2021);
- ``ghent-digisprong`` (seed 002): laptops for pupils from the fifth primary year and teachers,
  November 2021 to February 2022, and one class handed out with agreements (Dutch). Ghent's seed
  states no budget, and an order needs a funding source, so these deliveries have no order;
- ``latvia-dators-ikvienam-bernam`` (seed 003): laptops for pupils of eligible groups in Vidzeme,
  two orders (2022 and 2023, the two targets), one class of eligible pupils handed out (Latvian);
- ``mv-digitalpakt-schule`` (seed 004): interactive displays and access points ordered by the demo
  operator for its schools in Nordhafen (2023-2024);
- ``demo-nordhafen-digitalpakt`` (the demo programme, where the demo users work): laptops ordered
  against the approved units round ``BXL-LAPTOPS`` (order lines linked to its allocation lines),
  delivered to six schools; at the coordinator's school a delivery accepted with discrepancies,
  another waiting for acceptance, a class handed out with agreements (some accepted, some pending),
  access points installed and verified, a roll-out board with checklists, and two aftercare
  tickets, one overdue. Four device targets are added to it (D3 to D6).

Rows are written in bulk (``core.bulk.bulk_insert``), keeping the invariants: every device has its
events, its status is its newest event's, and its dates are those the events give. Each
programme's data is created once: a programme that already has its first demo delivery (or
purchase) is left as it is, so a second run writes nothing. Dates of the seed programmes are those
of the seed documents; the demo programme's are counted back from the day of the first run.
"""

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from digileap.core import audit
from digileap.core.bulk import bulk_insert
from digileap.core.permissions import SystemActor

from . import lifecycle
from .models import (
    AccessPointInstallation,
    AgreementTemplate,
    Assignment,
    ChecklistItem,
    ContractItem,
    Delivery,
    DeliveryDiscrepancy,
    Device,
    DeviceEvent,
    DeviceModel,
    FrameworkContract,
    OrderLine,
    PurchaseOrder,
    Recipient,
    SchoolRollout,
    SelfPurchase,
    Supplier,
    Ticket,
    UserAgreement,
)

# The demo supplier (the portal's demo creates it with the registry; the devices demo uses it).
SUPPLIER_NAME = "Nordlicht IT-Service GmbH (demo)"

S = "deployed"
D = Decimal

# (code, manufacturer, model, type, list price, warranty months, serial prefix, specifications)
CATALOGUE = [
    ("lenovo-l13-g4", "Lenovo", "ThinkPad L13 Gen 4", "laptop", "689.00", 36, "PF", {"cpu": "Core i5-1335U", "ram_gb": 16, "storage_gb": 256, "screen": "13.3\""}),
    ("acer-c934", "Acer", "Chromebook 314 (C934)", "chromebook", "329.00", 24, "NX", {"cpu": "Celeron N4500", "ram_gb": 8, "storage_gb": 64, "screen": "14\""}),
    ("apple-ipad-10", "Apple", "iPad 10.9 (10th generation)", "tablet", "429.00", 12, "DMP", {"storage_gb": 64, "screen": "10.9\""}),
    ("promethean-ap9-65", "Promethean", "ActivPanel 9 65\"", "interactive_display", "2890.00", 60, "AP9", {"screen": "65\"", "resolution": "3840x2160"}),
    ("ubiquiti-u6-pro", "Ubiquiti", "UniFi U6 Pro", "access_point", "159.00", 24, "U6P", {"wifi": "Wi-Fi 6", "poe": "802.3at"}),
]  # fmt: skip
MODEL_CODES = {row[3]: row[0] for row in CATALOGUE}  # device type -> model code
SERIAL_PREFIX = {row[0]: row[6] for row in CATALOGUE}

# The board's default checklist (``services/board.py``): (phase, code) in their order.
CHECKLIST = [
    ("preparation", "counts_confirmed"),
    ("preparation", "os_profile_chosen"),
    ("preparation", "agreements_sent"),
    ("preparation", "management_rules_agreed"),
    ("delivery", "delivery_received"),
    ("delivery", "delivery_accepted"),
    ("delivery", "devices_handed_out"),
    ("aftercare", "aftercare_contact_known"),
    ("aftercare", "first_check_in_done"),
]

AGREEMENTS = {
    "de": (
        "Nutzungsvereinbarung für Leihgeräte",
        "Die Schule {school} überlässt {recipient} im Rahmen von {programme} das Gerät {device} "
        "(Seriennummer {serial}) mit {kit} ab dem {date}. Das Gerät bleibt Eigentum des Schulträgers, ist "
        "pfleglich zu behandeln und bei Verlassen der Schule zurückzugeben. Schäden und Verlust sind der "
        "Schule sofort zu melden.",
    ),
    "nl": (
        "Gebruikersovereenkomst voor het toestel",
        "De school {school} stelt in het kader van {programme} het toestel {device} (serienummer {serial}) "
        "met {kit} vanaf {date} ter beschikking van {recipient}. Het toestel blijft eigendom van het "
        "schoolbestuur, wordt zorgvuldig gebruikt en wordt teruggegeven bij het verlaten van de school. "
        "Schade of verlies meld je meteen aan de school.",
    ),
    "lv": (
        "Datora lietošanas līgums",
        "Skola {school} programmas {programme} ietvaros no {date} nodod {recipient} lietošanā ierīci "
        "{device} (sērijas numurs {serial}) ar {kit}. Ierīce paliek dibinātāja īpašumā, ar to jārīkojas "
        "saudzīgi un tā jāatdod, beidzot mācības skolā. Par bojājumiem vai nozaudēšanu nekavējoties "
        "jāziņo skolai.",
    ),
    "en": (
        "Device user agreement",
        "Within {programme}, the school {school} lends the device {device} (serial {serial}) with {kit} "
        "to {recipient} from {date}. The device remains the property of the school board, is to be "
        "handled with care and returned on leaving the school. Report damage or loss to the school at once.",
    ),
}

DEMO_TARGETS: list[tuple[str, dict[str, str], str, str, dict]] = [
    # number, title, unit, kind, parameters
    ("D3", {"en": "Laptops delivered", "de": "Gelieferte Laptops"}, "laptops", "devices_delivered",
     {"device_types": ["laptop"]}),
    ("D4", {"en": "Laptops handed out", "de": "Ausgegebene Laptops"}, "laptops", "devices_deployed",
     {"device_types": ["laptop"]}),
    ("D5", {"en": "Pupils with a personal device (share)", "de": "Schülerinnen und Schüler mit eigenem Gerät (Anteil)"},
     "%", "pupils_with_device", {"as_ratio": True, "enrolment_of": "schools_with_recipients"}),
    ("D6", {"en": "Wi-Fi access points installed", "de": "Installierte WLAN-Access-Points"}, "access points",
     "access_points_installed", {}),
]  # fmt: skip
DEMO_TARGET_VALUES = {"D3": 600, "D4": 500, "D5": 100, "D6": 40}


def moment(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@dataclass
class PlannedDevice:
    """A device to create, with its history: (status, time, reason) in order, the first initial."""

    serial: str
    model: DeviceModel
    school_id: int
    programme_id: int
    history: list[tuple[str, datetime.datetime, str]]
    condition: str = "new"
    funding_source_id: int | None = None
    supplier_id: int | None = None
    delivery_id: int | None = None
    purchase_id: int | None = None
    order_line_id: int | None = None
    accepted_at: datetime.datetime | None = None
    discrepancy: str = ""
    mac_address: str = ""
    asset_tag: str = ""

    @property
    def status(self) -> str:
        return self.history[-1][0]

    def first(self, status: str) -> datetime.date | None:
        return next((timezone.localdate(at) for s, at, _r in self.history if s == status), None)


@dataclass
class Seeder:
    """What one run creates, and the people it acts as."""

    actor: SystemActor
    users: dict
    supplier: Supplier | None
    created: Counter = field(default_factory=Counter)
    changes: list = field(default_factory=list)
    orders: list = field(default_factory=list)

    def user(self, name: str):
        return self.users.get(name)

    def audited(self, instance, fields=None):
        self.changes.append(audit.change_for("create", instance, after=audit.snapshot(instance, fields)))
        self.created[instance._meta.verbose_name_plural] += 1
        return instance

    # -- catalogue, contracts, orders -----------------------------------------------------------

    def catalogue(self, authority) -> dict[str, DeviceModel]:
        models = {}
        for code, maker, name, kind, price, warranty, _prefix, specs in CATALOGUE:
            model = DeviceModel.objects.filter(authority=authority, code=code).first()
            if model is None:
                model = self.audited(
                    DeviceModel.objects.create(
                        authority=authority,
                        code=code,
                        manufacturer=maker,
                        name=name,
                        device_type=kind,
                        unit_price=D(price),
                        warranty_months=warranty,
                        specifications=specs,
                    )
                )
            models[kind] = model
        return models

    def contract(self, authority, reference: str, title: str, starts: datetime.date, ends: datetime.date, models):
        contract = FrameworkContract.objects.filter(authority=authority, reference=reference).first()
        if contract is not None or self.supplier is None:
            return contract
        contract = self.audited(
            FrameworkContract.objects.create(
                authority=authority,
                supplier=self.supplier,
                reference=reference,
                title=title,
                starts_on=starts,
                ends_on=ends,
                response_hours=8,
                repair_hours=72,
            )
        )
        for model in models.values():
            price = (model.unit_price * D("0.92")).quantize(D("0.01"))
            self.audited(ContractItem.objects.create(contract=contract, device_model=model, unit_price=price))
        return contract

    def order(self, programme, number: str, ordered_on: datetime.date, contract, operator=None):
        """A placed order; its status follows the devices delivered against it once they are
        written (``order_statuses``), as the delivery import makes it follow them."""
        source = programme.funding_sources.order_by("position").first()
        if source is None or self.supplier is None:
            return None
        order = self.audited(
            PurchaseOrder.objects.create(
                programme=programme,
                funding_source=source,
                supplier=self.supplier,
                contract=contract,
                operator=operator,
                number=number,
                status=PurchaseOrder.Status.PLACED,
                ordered_on=ordered_on,
                created_by=self.user("owner"),
            )
        )
        self.orders.append(order)
        return order

    def order_statuses(self) -> None:
        """Each order created by this run: placed, partly delivered or delivered, by the orders' own rule."""
        from .services.orders import delivery_status

        for order in self.orders:
            status = delivery_status(order)
            if status != order.status:
                before = order.status
                PurchaseOrder.objects.filter(pk=order.pk).update(status=status)
                order.status = status
                self.changes.append(
                    audit.change_for("delivery_status", order, before={"status": before}, after={"status": status})
                )

    def line(self, order, model, school_id: int, quantity: int, allocation_line_id=None):
        if order is None:
            return None
        item = ContractItem.objects.filter(contract=order.contract, device_model=model).first()
        return self.audited(
            OrderLine.objects.create(
                order=order,
                device_model=model,
                school_id=school_id,
                quantity=quantity,
                unit_price=item.unit_price if item else model.unit_price,
                allocation_line_id=allocation_line_id,
            )
        )

    def delivery(self, programme, school_id: int, note: str, day: datetime.date, order=None, site_id=None):
        return self.audited(
            Delivery.objects.create(
                supplier=self.supplier,
                order=order,
                programme=programme,
                school_id=school_id,
                site_id=site_id,
                note_number=note,
                delivered_on=day,
                created_by=self.user("supplier"),
            )
        )

    def accept(self, delivery, at: datetime.datetime, by, discrepancies: Sequence[tuple[PlannedDevice, str]] = ()):
        """Record the school's acceptance of a delivery (before its devices are written)."""
        delivery.acceptance = (
            Delivery.Acceptance.ACCEPTED_WITH_DISCREPANCIES if discrepancies else Delivery.Acceptance.ACCEPTED
        )
        delivery.accepted_at = at
        delivery.accepted_by = by
        if discrepancies:
            delivery.acceptance_note = ", ".join(f"{plan.serial}: {kind}" for plan, kind in discrepancies)
        delivery.save(update_fields=["acceptance", "accepted_at", "accepted_by", "acceptance_note"])
        fields = ["acceptance", "accepted_at", "accepted_by", "acceptance_note"]
        self.changes.append(audit.change_for("update", delivery, after=audit.snapshot(delivery, fields)))

    # -- devices --------------------------------------------------------------------------------

    def write_devices(self, plans: list[PlannedDevice]) -> dict[str, int]:
        """Insert the devices and every event of their histories; returns their ids by serial."""
        if not plans:
            return {}
        now = timezone.now()
        fields = [
            "serial", "manufacturer", "device_model_id", "device_type", "condition", "asset_tag", "mac_address",
            "autopilot_hash", "windows_product_id", "google_device_id", "programme_id", "funding_source_id",
            "school_id", "supplier_id", "delivery_id", "purchase_id", "order_line_id", "status", "status_changed_at",
            "delivered_on", "first_deployed_on", "accepted_at", "discrepancy", "created_at",
        ]  # fmt: skip
        bulk_insert(
            Device,
            fields,
            (
                (
                    p.serial,
                    p.model.manufacturer,
                    p.model.pk,
                    p.model.device_type,
                    p.condition,
                    p.asset_tag,
                    p.mac_address,
                    "",
                    "",
                    "",
                    p.programme_id,
                    p.funding_source_id,
                    p.school_id,
                    p.supplier_id,
                    p.delivery_id,
                    p.purchase_id,
                    p.order_line_id,
                    p.status,
                    p.history[-1][1],
                    p.first("delivered"),
                    p.first("deployed"),
                    p.accepted_at,
                    p.discrepancy,
                    now,
                )  # fmt: skip
                for p in plans
            ),
        )
        serials = [p.serial for p in plans]
        ids = dict(
            Device.objects.filter(serial__in=serials, manufacturer__in={p.model.manufacturer for p in plans})
            .values_list("serial", "pk")
            .iterator(chunk_size=2000)
        )
        first_rows: list[tuple] = []
        for plan in plans:
            status, at, reason = plan.history[0]
            first_rows += lifecycle.initial_event_rows(
                [ids[plan.serial]], status=status, actor=self.actor, at=at, reason=reason
            )
        bulk_insert(DeviceEvent, lifecycle.initial_event_fields(), first_rows)
        label = str(self.actor)
        later: list[tuple] = [
            (ids[plan.serial], status, plan.history[index - 1][0], at, None, label, reason, {})
            for plan in plans
            for index, (status, at, reason) in enumerate(plan.history)
            if index
        ]
        bulk_insert(DeviceEvent, lifecycle.initial_event_fields(), later)
        self.created["devices"] += len(plans)
        self.created["device events"] += len(first_rows) + len(later)
        return ids


def _serial(model: DeviceModel, tag: str, number: int) -> str:
    return f"{SERIAL_PREFIX[model.code]}{tag}{number:05d}"


def _schools(authority_code: str, levels: tuple[int, ...] = (), limit: int = 6, skip: int = 0) -> list:
    """Open schools of a demo region teaching one of ``levels`` (any school when none does)."""
    from digileap.schools.models import School

    schools = School.objects.filter(authority__code=authority_code).order_by("number")
    chosen = schools.filter(status=School.Status.OPEN)
    if levels:
        condition = Q()
        for level in levels:
            condition |= Q(**{f"isced_{level}": True})
        chosen = chosen.filter(condition)
    result = list(chosen[skip : skip + limit]) or list(schools[:limit])
    return result


def _already_seeded(programme, first_note: str) -> bool:
    return (
        Delivery.objects.filter(programme=programme, note_number=first_note).exists()
        or SelfPurchase.objects.filter(programme=programme, invoice_reference=first_note).exists()
    )


def _lot(
    seeder: Seeder,
    programme,
    *,
    tag: str,
    delivery,
    counter: Counter,
    model: DeviceModel,
    count: int,
    condition: str = "new",
    line=None,
    purchase=None,
) -> list[PlannedDevice]:
    """``count`` devices of ``model`` arriving with ``delivery`` (or reported with ``purchase``)."""
    day = delivery.delivered_on if delivery else purchase.invoice_date
    school_id = delivery.school_id if delivery else purchase.school_id
    plans = []
    for _ in range(count):
        counter[model.code] += 1
        number = counter[model.code]
        reason = (
            "delivery note " + delivery.note_number
            if delivery
            else "bought by the school, invoice " + purchase.invoice_reference
        )
        source_id = (
            delivery.order.funding_source_id
            if delivery and delivery.order_id
            else purchase.funding_source_id
            if purchase
            else None
        )
        plans.append(
            PlannedDevice(
                serial=_serial(model, tag, number),
                model=model,
                school_id=school_id,
                programme_id=programme.pk,
                history=[("delivered", moment(day, 10), reason)],
                condition=condition,
                funding_source_id=source_id,
                supplier_id=seeder.supplier.pk if delivery and seeder.supplier else None,
                delivery_id=delivery.pk if delivery else None,
                purchase_id=purchase.pk if purchase else None,
                order_line_id=line.pk if line else None,
                asset_tag=f"{tag}-{model.device_type[:2].upper()}-{number:05d}",
                mac_address=_mac(tag, number) if model.device_type == "access_point" else "",
            )
        )
    return plans


def _mac(tag: str, number: int) -> str:
    seed = sum(ord(c) for c in tag) % 256
    return f"74:83:C2:{seed:02X}:{number // 256 % 256:02X}:{number % 256:02X}"


def _accept_all(seeder: Seeder, delivery, plans: list[PlannedDevice], at: datetime.datetime, by, discrepancies=()):
    """The school accepts the delivery: every device gets the acceptance time; a missing device is
    marked and written off (lost), a damaged one goes to repair; each discrepancy is recorded."""
    seeder.accept(delivery, at, by, list(discrepancies))
    for plan in plans:
        plan.accepted_at = at
    for plan, kind in discrepancies:
        plan.discrepancy = kind
        if kind == "missing":
            plan.accepted_at = None
            plan.history.append(("lost_stolen", at, "missing at acceptance"))
        elif kind == "damaged":
            plan.history.append(("in_repair", at, "damaged on arrival, back to the supplier for repair"))


def _discrepancy_rows(seeder: Seeder, delivery, discrepancies, ids: dict[str, int], at, by) -> None:
    for plan, kind in discrepancies:
        seeder.audited(
            DeliveryDiscrepancy.objects.create(
                delivery=delivery,
                device_id=ids[plan.serial],
                kind=kind,
                note={"missing": "Not in the boxes.", "damaged": "Screen cracked on arrival."}[kind],
                recorded_by=by,
                recorded_at=at,
            )
        )


def _install_access_points(plans: list[PlannedDevice], installed: datetime.date, unverified: int = 0) -> list:
    """Access points installed room by room from ``installed`` on; the last ``unverified`` not yet verified."""
    rows = []
    for index, plan in enumerate(plans):
        day = installed + datetime.timedelta(days=index // 4)
        plan.history.append(("deployed", moment(day, 14), "installed"))
        verified = index < len(plans) - unverified
        rows.append((plan, day, verified))
    return rows


def _write_installations(seeder: Seeder, rows, ids: dict[str, int], verified_by, recorded_by) -> None:
    from digileap.schools.models import Site

    main_sites = dict(
        Site.objects.filter(school_id__in={plan.school_id for plan, _d, _v in rows}, is_main=True).values_list(
            "school_id", "pk"
        )
    )
    floors: dict[int, int] = {}
    for plan, day, verified in rows:
        floors[plan.school_id] = floors.get(plan.school_id, 0) + 1
        number = floors[plan.school_id]
        seeder.audited(
            AccessPointInstallation.objects.create(
                device_id=ids[plan.serial],
                school_id=plan.school_id,
                site_id=main_sites.get(plan.school_id),
                building="A" if number <= 6 else "B",
                room=f"{(number - 1) % 6 // 3}.{(number - 1) % 3 + 1:02d}",
                installed_on=day,
                recorded_by=recorded_by,
                verified_by=verified_by if verified else None,
                verified_at=moment(day + datetime.timedelta(days=2), 11) if verified else None,
            )
        )


# -- recipients, hand-outs, agreements ------------------------------------------------------------


def _template(seeder: Seeder, programme, language: str):
    template = AgreementTemplate.objects.filter(programme=programme, language=language, is_active=True).first()
    if template is not None:
        return template
    title, body = AGREEMENTS[language]
    return seeder.audited(
        AgreementTemplate.objects.create(
            programme=programme, language=language, title=title, body=body, created_by=seeder.user("owner")
        )
    )


@dataclass
class HandOut:
    """A class handed out: recipients (reference, kind, grade, group, level, eligibility), the
    device each gets (None: still waiting) and when."""

    school_id: int
    rows: list[tuple[str, str, int | None, str, int | None, str]]
    devices: Sequence[PlannedDevice | None]
    at: datetime.datetime


def _plan_hand_out(hand_out: HandOut) -> None:
    """Deploy each handed-out device at the hand-out time (called before the devices are written)."""
    for index, plan in enumerate(hand_out.devices):
        if plan is not None:
            plan.history.append((S, hand_out.at + datetime.timedelta(minutes=index), "handed out"))


def _write_hand_out(seeder: Seeder, hand_out: HandOut, ids: dict[str, int], template, agreements: str) -> list:
    """Recipients, assignments and agreements. ``agreements``: one letter per recipient, "a"
    accepted on paper, "i" accepted in the app, "p" pending, "r" pending and reminded."""
    now = timezone.now()
    bulk_insert(
        Recipient,
        ["school_id", "reference", "kind", "grade", "group", "isced_level", "eligibility_group", "display_name",
         "source", "is_active", "created_at"],
        ((hand_out.school_id, ref, kind, grade, group, level, eligible, "", "class_list", True, now)
         for ref, kind, grade, group, level, eligible in hand_out.rows),
    )  # fmt: skip
    recipients = dict(
        Recipient.objects.filter(
            school_id=hand_out.school_id, reference__in=[row[0] for row in hand_out.rows]
        ).values_list("reference", "pk")
    )
    seeder.created["recipients"] += len(hand_out.rows)
    assignments = []
    by = seeder.user("coordinator") or seeder.user("admin")
    for index, (row, plan) in enumerate(zip(hand_out.rows, hand_out.devices, strict=True)):
        if plan is None:
            continue
        at = hand_out.at + datetime.timedelta(minutes=index)
        assignment = Assignment.objects.create(
            device_id=ids[plan.serial],
            recipient_id=recipients[row[0]],
            kit=["charger", "bag"],
            assigned_at=at,
            assigned_by=by,
        )
        seeder.audited(assignment)
        assignments.append(assignment)
        letter = agreements[index % len(agreements)]
        accepted = letter in "ai"
        seeder.audited(
            UserAgreement.objects.create(
                assignment=assignment,
                template=template,
                status="accepted" if accepted else "pending",
                token=f"demo-{template.programme_id}-{assignment.pk}-{plan.serial}".lower(),
                sent_at=at,
                accepted_at=at + datetime.timedelta(days=2) if accepted else None,
                accepted_via={"a": "paper", "i": "in_app"}.get(letter, ""),
                signed_by=("teacher" if row[1] == "teacher" else "parent") if accepted else "",
                recorded_by=by if letter == "a" else None,
                reminder_count=1 if letter == "r" else 0,
                last_reminded_at=at + datetime.timedelta(days=7) if letter == "r" else None,
            ),
            fields=["assignment", "template", "status", "sent_at", "accepted_at", "accepted_via", "signed_by"],
        )
    return assignments


def _class_rows(school, count: int, teachers: int, eligible: tuple[str, ...] = (), teacher_prefix: str = "T"):
    """A class of the school's highest level taught: pupils "7A-01" … and a few teachers."""
    level = next((level for level in (1, 2, 3) if getattr(school, f"isced_{level}")), 1)
    grade = {1: 5, 2: 7, 3: 10}[level]
    group = f"{grade}A"
    rows: list[tuple[str, str, int | None, str, int | None, str]] = [
        (f"{group}-{n:02d}", "pupil", grade, group, level, eligible[(n - 1) % len(eligible)] if eligible else "")
        for n in range(1, count + 1)
    ]
    rows += [(f"{teacher_prefix}-{n:02d}", "teacher", None, "", None, "") for n in range(1, teachers + 1)]
    return rows


def _snapshots(programme, days: list[datetime.date]) -> None:
    """Burn-up points of the programme's device targets on the given days."""
    from digileap.programmes import services
    from digileap.programmes.models import Target

    targets = Target.objects.filter(
        programme=programme,
        indicator__kind__in=["devices_delivered", "devices_deployed", "access_points_installed", "pupils_with_device"],
    ).select_related("indicator", "programme")
    for target in targets:
        for day in sorted(set(days)):
            services.snapshot_record(target=target, as_of=day)


# -- the programmes -------------------------------------------------------------------------------


def _brussels(seeder: Seeder, programme) -> None:
    first_note = "BXL-LB-2021-001"
    if _already_seeded(programme, first_note):
        return
    models = seeder.catalogue(programme.authority)
    contract = seeder.contract(
        programme.authority, "BXL-RC-2021-01", "Digitale omkeer: ICT equipment for secondary schools",
        datetime.date(2021, 6, 1), datetime.date(2024, 12, 31), models,
    )  # fmt: skip
    order = seeder.order(programme, "BXL-PO-2021-001", datetime.date(2021, 8, 16), contract)
    schools = _schools("DEMO-BM", (2, 3))
    counter: Counter = Counter()
    plans: list[PlannedDevice] = []
    pending = []
    accepted = []
    admin = seeder.user("admin")
    for index, school in enumerate(schools):
        lots = [
            ("laptop", 20, "new"),
            ("laptop", 10, "refurbished"),
            ("tablet", 10, "new"),
            ("interactive_display", 2, "new"),
        ]
        lines = {
            kind: seeder.line(order, models[kind], school.pk, sum(c for k, c, _ in lots if k == kind))
            for kind, _c, _ in lots
        }
        day = datetime.date(2021, 9, 6) + datetime.timedelta(days=7 * index)
        delivery = seeder.delivery(programme, school.pk, f"BXL-LB-2021-{index + 1:03d}", day, order)
        lot_plans = []
        for kind, count, condition in lots:
            lot_plans += _lot(seeder, programme, tag="BX", delivery=delivery, counter=counter, model=models[kind],
                              count=count, condition=condition, line=lines[kind])  # fmt: skip
        if index == len(schools) - 1 and index:
            pending.append(delivery)
        else:
            issues = [(lot_plans[3], "missing"), (lot_plans[7], "damaged")] if index == 0 else []
            _accept_all(seeder, delivery, lot_plans, moment(day + datetime.timedelta(days=2), 15), admin, issues)
            accepted.append((delivery, issues))
        plans += lot_plans
    # Wi-Fi access points: ten per school, spring 2022, installed over the following weeks.
    ap_order = seeder.order(programme, "BXL-PO-2022-001", datetime.date(2022, 2, 1), contract)
    installations = []
    for index, school in enumerate(schools):
        line = seeder.line(ap_order, models["access_point"], school.pk, 10)
        day = datetime.date(2022, 3, 1) + datetime.timedelta(days=14 * index)
        delivery = seeder.delivery(programme, school.pk, f"BXL-LB-2022-{index + 1:03d}", day, ap_order)
        lot_plans = _lot(
            seeder,
            programme,
            tag="BX",
            delivery=delivery,
            counter=counter,
            model=models["access_point"],
            count=10,
            line=line,
        )
        _accept_all(seeder, delivery, lot_plans, moment(day, 16), admin)
        installations += _install_access_points(
            lot_plans, day + datetime.timedelta(days=7), unverified=2 if index == 0 else 0
        )
        plans += lot_plans
    ids = seeder.write_devices(plans)
    for delivery, issues in accepted:
        _discrepancy_rows(seeder, delivery, issues, ids, delivery.accepted_at, admin)
    _write_installations(seeder, installations, ids, admin, seeder.user("supplier"))
    _snapshots(
        programme,
        [
            datetime.date(2021, 9, 30),
            datetime.date(2021, 10, 31),
            datetime.date(2022, 6, 30),
            datetime.date(2023, 6, 30),
            datetime.date(2024, 10, 31),
        ],
    )


def _digisprong(seeder: Seeder, programme) -> None:
    """Schools buy devices themselves and report them with the invoice and the serials."""
    first_invoice = "DS-2021-0147"
    if _already_seeded(programme, first_invoice):
        return
    models = seeder.catalogue(programme.authority)
    source = programme.funding_sources.order_by("position").first()
    admin = seeder.user("admin")
    counter: Counter = Counter()
    plans = []
    purchases = [
        (first_invoice, datetime.date(2021, 5, 20), "chromebook", 24),
        ("DS-2021-0311", datetime.date(2021, 9, 2), "tablet", 16),
        ("DS-2021-0508", datetime.date(2021, 11, 18), "laptop", 20),
    ]
    for school, (invoice, day, kind, count) in zip(_schools("DEMO-BM", (1,), limit=3), purchases, strict=False):
        model = models[kind]
        purchase = seeder.audited(
            SelfPurchase.objects.create(
                programme=programme,
                funding_source=source,
                school=school,
                invoice_reference=invoice,
                invoice_date=day,
                vendor="Lokale ICT-partner bv (demo)",
                amount=(model.unit_price * count).quantize(D("0.01")),
                reported_by=admin,
                note="Bought with the school's Digisprong funding.",
            )
        )
        lot_plans = _lot(
            seeder, programme, tag="DS", delivery=None, counter=counter, model=model, count=count, purchase=purchase
        )
        for plan in lot_plans:
            plan.accepted_at = moment(day + datetime.timedelta(days=3), 12)
        plans += lot_plans
    seeder.write_devices(plans)


def _ghent(seeder: Seeder, programme) -> None:
    first_note = "GNT-2021-0001"
    if _already_seeded(programme, first_note):
        return
    models = seeder.catalogue(programme.authority)
    schools = _schools("DEMO-BM", (1, 2), limit=5, skip=1)
    admin = seeder.user("admin")
    counter: Counter = Counter()
    plans, hand_outs = [], []
    for index, school in enumerate(schools):
        day = datetime.date(2021, 11, 8) + datetime.timedelta(days=21 * index)
        delivery = seeder.delivery(programme, school.pk, f"GNT-2021-{index + 1:04d}", day)
        lot_plans = _lot(
            seeder, programme, tag="GE", delivery=delivery, counter=counter, model=models["laptop"], count=36
        )
        if index < len(schools) - 1 or not index:
            _accept_all(seeder, delivery, lot_plans, moment(day + datetime.timedelta(days=1), 11), admin)
        if index == 0:
            rows = _class_rows(school, 22, 2, teacher_prefix="LK")
            hand_out = HandOut(school.pk, rows, lot_plans[: len(rows)], moment(day + datetime.timedelta(days=3), 9))
            _plan_hand_out(hand_out)
            hand_outs.append(hand_out)
        plans += lot_plans
    ids = seeder.write_devices(plans)
    template = _template(seeder, programme, "nl")
    for hand_out in hand_outs:
        _write_hand_out(seeder, hand_out, ids, template, "aaaiaaipaiaa")
    _snapshots(
        programme,
        [
            datetime.date(2021, 11, 30),
            datetime.date(2021, 12, 31),
            datetime.date(2022, 1, 31),
            datetime.date(2022, 2, 27),
        ],
    )


def _latvia(seeder: Seeder, programme) -> None:
    first_note = "LV-PZ-2022-001"
    if _already_seeded(programme, first_note):
        return
    models = seeder.catalogue(programme.authority)
    contract = seeder.contract(
        programme.authority, "IZM-2022-DIK-01", "Portatīvie datori sociāli neaizsargātiem skolēniem",
        datetime.date(2022, 6, 1), datetime.date(2024, 6, 30), models,
    )  # fmt: skip
    schools = _schools("DEMO-VZ", (2, 3), limit=4)
    admin = seeder.user("admin")
    counter: Counter = Counter()
    plans, hand_outs = [], []
    for year, per_school, ordered, first_day in ((2022, 40, datetime.date(2022, 9, 1), datetime.date(2022, 10, 3)),
                                                 (2023, 25, datetime.date(2023, 8, 15), datetime.date(2023, 9, 18))):  # fmt: skip
        order = seeder.order(programme, f"LV-PO-{year}-001", ordered, contract)
        for index, school in enumerate(schools):
            line = seeder.line(order, models["laptop"], school.pk, per_school)
            day = first_day + datetime.timedelta(days=10 * index)
            delivery = seeder.delivery(programme, school.pk, f"LV-PZ-{year}-{index + 1:03d}", day, order)
            lot_plans = _lot(
                seeder,
                programme,
                tag="LV",
                delivery=delivery,
                counter=counter,
                model=models["laptop"],
                count=per_school,
                line=line,
            )
            _accept_all(seeder, delivery, lot_plans, moment(day + datetime.timedelta(days=2), 13), admin)
            if year == 2022 and index == 0:
                rows = _class_rows(school, 15, 0, eligible=("low-income", "large-family", "foster-care"))
                hand_out = HandOut(
                    school.pk, rows, lot_plans[: len(rows)], moment(day + datetime.timedelta(days=7), 10)
                )
                _plan_hand_out(hand_out)
                hand_outs.append(hand_out)
            plans += lot_plans
    ids = seeder.write_devices(plans)
    template = _template(seeder, programme, "lv")
    for hand_out in hand_outs:
        _write_hand_out(seeder, hand_out, ids, template, "aaiapa")
    _snapshots(
        programme,
        [
            datetime.date(2022, 10, 31),
            datetime.date(2022, 12, 31),
            datetime.date(2023, 9, 30),
            datetime.date(2023, 12, 31),
        ],
    )


def _mecklenburg(seeder: Seeder, programme) -> None:
    """Interactive displays and access points the demo operator ordered for its schools."""
    from digileap.accounts.models import RoleAssignment

    first_note = "MV-LS-2023-001"
    if _already_seeded(programme, first_note):
        return
    assignment = (
        RoleAssignment.objects.filter(user__username="operator", scope_kind="operator")
        .select_related("operator")
        .first()
    )
    operator = assignment.operator if assignment else None
    models = seeder.catalogue(programme.authority)
    contract = seeder.contract(
        programme.authority, "MV-RV-2023-IT", "Rahmenvertrag Präsentationstechnik und WLAN",
        datetime.date(2023, 1, 1), datetime.date(2026, 12, 31), models,
    )  # fmt: skip
    order = seeder.order(programme, "MV-PO-2023-001", datetime.date(2023, 3, 1), contract, operator=operator)
    from digileap.schools.models import School

    schools = (
        list(School.objects.filter(operator=operator).order_by("number")[:5])
        if operator
        else _schools("DEMO-NH", limit=5)
    )
    counter: Counter = Counter()
    plans, installations = [], []
    admin = seeder.user("admin")
    for index, school in enumerate(schools):
        day = datetime.date(2023, 4, 17) + datetime.timedelta(days=14 * index)
        delivery = seeder.delivery(programme, school.pk, f"MV-LS-2023-{index + 1:03d}", day, order)
        lot_plans = []
        for kind, count in (("interactive_display", 2), ("access_point", 6)):
            line = seeder.line(order, models[kind], school.pk, count)
            lot_plans += _lot(
                seeder,
                programme,
                tag="MV",
                delivery=delivery,
                counter=counter,
                model=models[kind],
                count=count,
                line=line,
            )
        _accept_all(seeder, delivery, lot_plans, moment(day + datetime.timedelta(days=1), 10), admin)
        installations += _install_access_points(
            [p for p in lot_plans if p.model.device_type == "access_point"], day + datetime.timedelta(days=5)
        )
        for plan in lot_plans:
            if plan.model.device_type == "interactive_display":
                plan.history.append((S, moment(day + datetime.timedelta(days=5), 8), "mounted in the classroom"))
        plans += lot_plans
    ids = seeder.write_devices(plans)
    _write_installations(seeder, installations, ids, admin, seeder.user("supplier"))


def _allocation_lines(programme) -> dict[int, tuple[int, int]]:
    """The approved (or published) laptop units round of the programme: school -> (line id, units)."""
    from digileap.allocation.models import AllocationLine, AllocationVersion

    lines = AllocationLine.objects.filter(
        version__round__programme=programme,
        version__round__resource="units",
        version__round__device_type="laptop",
        version__status__in=[AllocationVersion.Status.APPROVED, AllocationVersion.Status.PUBLISHED],
        amount__gt=0,
    ).order_by("version__round", "school")
    return {school_id: (pk, int(amount)) for pk, school_id, amount in lines.values_list("pk", "school_id", "amount")}


def _demo_targets(seeder: Seeder, programme) -> None:
    from digileap.programmes import services
    from digileap.programmes.models import Target

    existing = set(Target.objects.filter(programme=programme).values_list("number", flat=True))
    position = (
        Target.objects.filter(programme=programme).order_by("-position").values_list("position", flat=True).first() or 0
    )
    for number, title, unit, kind, parameters in DEMO_TARGETS:
        if number in existing:
            continue
        position += 1
        target = services.target_create(
            actor=seeder.actor,
            programme=programme,
            data={"position": position, "number": number, "title": title, "target_value": D(DEMO_TARGET_VALUES[number]),
                  "unit": unit, "due_date": datetime.date(2027, 6, 30), "due_label": "Q2 2027"},
        )  # fmt: skip
        services.indicator_define(actor=seeder.actor, target=target, kind=kind, parameters=parameters)
        seeder.created["targets"] += 1


def _nordhafen(seeder: Seeder, programme, today: datetime.date) -> None:
    """The demo programme: where the demo users find deliveries to accept, devices to hand out,
    agreements to chase, a board and tickets."""
    from digileap.accounts.models import RoleAssignment
    from digileap.schools.models import School

    _demo_targets(seeder, programme)
    first_note = "NH-LS-0001"
    if _already_seeded(programme, first_note):
        return
    coordinator_scope = (
        RoleAssignment.objects.filter(user__username="coordinator", scope_kind="school")
        .select_related("school")
        .first()
    )
    home = coordinator_scope.school if coordinator_scope else None
    allocated = _allocation_lines(programme)
    candidates = list(School.objects.filter(authority=programme.authority).order_by("number"))
    others = [s for s in candidates if s.pk in allocated and s != home][:5]
    if len(others) < 5:
        others += [s for s in candidates if s not in others and s != home][: 5 - len(others)]
    schools = ([home] if home else []) + others
    if not schools:
        return
    home = schools[0]
    models = seeder.catalogue(programme.authority)
    contract = seeder.contract(
        programme.authority, "NH-RV-2024-01", "Rahmenvertrag Schülerendgeräte Nordhafen",
        datetime.date(2024, 9, 1), datetime.date(2028, 8, 31), models,
    )  # fmt: skip
    day0 = today - datetime.timedelta(days=120)
    order = seeder.order(programme, "NH-PO-0001", day0, contract)
    laptop = models["laptop"]
    counter: Counter = Counter()
    plans: list[PlannedDevice] = []
    admin, coordinator = seeder.user("admin"), seeder.user("coordinator")
    accepted, hand_outs = [], []
    tickets: dict = {}  # planned with the first hand-out
    note = 0
    for index, school in enumerate(schools):
        line_id, units = allocated.get(school.pk, (None, 0))
        quantity = min(units, 30) if units else 30
        if school == home:
            quantity = 36  # 26 now, 10 in a second delivery that waits for the coordinator
        line = seeder.line(order, laptop, school.pk, quantity, allocation_line_id=line_id)
        day = day0 + datetime.timedelta(days=20 + 6 * index)
        note += 1
        delivery = seeder.delivery(programme, school.pk, f"NH-LS-{note:04d}", day, order)
        first_count = 26 if school == home else quantity
        lot_plans = _lot(
            seeder, programme, tag="NH", delivery=delivery, counter=counter, model=laptop, count=first_count, line=line
        )
        if school == home:
            issues = [(lot_plans[-1], "missing"), (lot_plans[-2], "damaged")]
            _accept_all(
                seeder, delivery, lot_plans, moment(day + datetime.timedelta(days=1), 11), coordinator or admin, issues
            )
            accepted.append((delivery, issues, coordinator or admin))
            rows = _class_rows(School.objects.get(pk=home.pk), 24, 2, teacher_prefix="L")
            # 20 pupils and the 2 teachers get a laptop now; 4 pupils wait for the second delivery.
            # Laptop 23 is the loan laptop of the tickets, 24 a spare; 25 came damaged, 26 is missing.
            handed = lot_plans[:20] + [None] * 4 + lot_plans[20:22]
            hand_out = HandOut(home.pk, rows, handed, moment(day + datetime.timedelta(days=8), 8))
            _plan_hand_out(hand_out)
            hand_outs.append(hand_out)
            tickets = _plan_tickets(lot_plans, hand_out, today)
            note += 1
            second = seeder.delivery(
                programme, school.pk, f"NH-LS-{note:04d}", today - datetime.timedelta(days=3), order
            )
            plans += _lot(
                seeder,
                programme,
                tag="NH",
                delivery=second,
                counter=counter,
                model=laptop,
                count=quantity - first_count,
                line=line,
            )
        elif index < len(schools) - 1:
            _accept_all(seeder, delivery, lot_plans, moment(day + datetime.timedelta(days=2), 10), admin)
        plans += lot_plans
    # Access points at the coordinator's school.
    ap_order = seeder.order(programme, "NH-PO-0002", day0 + datetime.timedelta(days=10), contract)
    ap_line = seeder.line(ap_order, models["access_point"], home.pk, 8)
    ap_day = day0 + datetime.timedelta(days=15)
    note += 1
    ap_delivery = seeder.delivery(programme, home.pk, f"NH-LS-{note:04d}", ap_day, ap_order)
    ap_plans = _lot(
        seeder,
        programme,
        tag="NH",
        delivery=ap_delivery,
        counter=counter,
        model=models["access_point"],
        count=8,
        line=ap_line,
    )
    _accept_all(seeder, ap_delivery, ap_plans, moment(ap_day, 15), coordinator or admin)
    installations = _install_access_points(ap_plans, ap_day + datetime.timedelta(days=3), unverified=2)
    plans += ap_plans
    ids = seeder.write_devices(plans)
    for delivery, issues, by in accepted:
        _discrepancy_rows(seeder, delivery, issues, ids, delivery.accepted_at, by)
    _write_installations(seeder, installations, ids, coordinator or admin, seeder.user("supplier"))
    template = _template(seeder, programme, "de")
    for hand_out in hand_outs:
        assignments = _write_hand_out(seeder, hand_out, ids, template, "aaiaiapaairpaaiaaprpai")
        _write_tickets(seeder, tickets, hand_out, assignments, ids, contract, today)
    _rollout_board(seeder, programme, schools, home, today)
    from digileap.programmes import services

    services.snapshots_backfill(start=today - datetime.timedelta(days=60), end=today, programmes=[programme])


def _plan_tickets(lot_plans: list[PlannedDevice], hand_out: HandOut, today: datetime.date) -> dict:
    """Two tickets at the coordinator's school. The laptop of the third pupil broke 12 days ago: it
    was returned and sent for repair (the ticket is overdue), and the pupil got a loan laptop; the
    fifth pupil's laptop has a software problem since yesterday (acknowledged)."""
    broken, loan = lot_plans[2], lot_plans[22]
    opened = moment(today - datetime.timedelta(days=12), 10)
    broken.history += [
        ("delivered", opened, "returned: does not start"),
        ("in_repair", opened + datetime.timedelta(hours=1), "ticket opened"),
    ]
    loan.history.append(
        ("loaned_out", opened + datetime.timedelta(hours=2), "loan while the pupil's laptop is repaired")
    )
    return {"broken": broken, "loan": loan, "opened": opened, "software": lot_plans[4]}


def _write_tickets(seeder: Seeder, tickets: dict, hand_out: HandOut, assignments: list, ids, contract, today) -> None:
    if not tickets:
        return
    broken, loan, opened = tickets["broken"], tickets["loan"], tickets["opened"]
    by = seeder.user("coordinator")
    # The broken laptop's assignment ends when it comes back; the loan goes to the same pupil.
    assignment = next(a for a in assignments if a.device_id == ids[broken.serial])
    assignment.returned_at = opened
    assignment.returned_by = by
    assignment.kit_returned = ["charger", "bag"]
    assignment.return_note = "Does not start."
    assignment.save(update_fields=["returned_at", "returned_by", "kit_returned", "return_note"])
    seeder.audited(
        Assignment.objects.create(
            device_id=ids[loan.serial], recipient_id=assignment.recipient_id, kit=["charger"],
            assigned_at=opened + datetime.timedelta(hours=2), assigned_by=by,
        )
    )  # fmt: skip
    school_id = hand_out.school_id
    seeder.audited(
        Ticket.objects.create(
            device_id=ids[broken.serial], school_id=school_id, supplier=seeder.supplier, contract=contract,
            category="hardware", description="The laptop does not start; the power LED blinks orange.",
            status="in_repair", opened_at=opened, opened_by=by,
            response_due=opened + datetime.timedelta(hours=8), repair_due=opened + datetime.timedelta(hours=72),
            responded_at=opened + datetime.timedelta(hours=5), replacement_device_id=ids[loan.serial],
        )
    )  # fmt: skip
    software_opened = moment(today - datetime.timedelta(days=1), 9)
    seeder.audited(
        Ticket.objects.create(
            device_id=ids[tickets["software"].serial], school_id=school_id, supplier=seeder.supplier, contract=contract,
            category="software", description="Sign-in with the school account fails after the last update.",
            status="acknowledged", opened_at=software_opened, opened_by=by,
            response_due=software_opened + datetime.timedelta(hours=8),
            repair_due=software_opened + datetime.timedelta(hours=72),
            responded_at=software_opened + datetime.timedelta(hours=2),
        )
    )  # fmt: skip


def _rollout_board(seeder: Seeder, programme, schools, home, today: datetime.date) -> None:
    by = seeder.user("coordinator") or seeder.user("admin")
    for index, school in enumerate(schools):
        if SchoolRollout.objects.filter(programme=programme, school=school).exists():
            continue
        if school == home:
            phase, status, done = "delivery", "on_track", 6
        elif index < len(schools) - 1:
            phase, status, done = "aftercare", "on_track", 8
        else:
            phase, status, done = "delivery", "at_risk", 5
        rollout = seeder.audited(
            SchoolRollout.objects.create(
                programme=programme, school=school, phase=phase, status=status,
                os_profile="Windows 11 Education, Grundschule" if school.isced_1 else "Windows 11 Education, Sekundarstufe",
                aftercare_until=today + datetime.timedelta(days=300),
                note="Second delivery expected; four pupils still wait." if school == home else "",
            )
        )  # fmt: skip
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                rollout=rollout, phase=phase_code, code=code, position=position, is_done=position <= done,
                done_by=by if position <= done else None,
                done_at=moment(today - datetime.timedelta(days=100 - 8 * position), 12) if position <= done else None,
            )
            for position, (phase_code, code) in enumerate(CHECKLIST, start=1)
        )  # fmt: skip
        seeder.created["checklist items"] += len(CHECKLIST)


@transaction.atomic
def seed_demo_devices(*, today: datetime.date | None = None) -> Counter:
    """Seed the demo devices of the five seed programmes and the demo programme; returns what was
    created (empty: nothing, the data were there)."""
    from digileap.accounts.models import User
    from digileap.programmes.demo import DEMO_CODE
    from digileap.programmes.models import Programme

    today = today or timezone.localdate()
    programmes = {p.code: p for p in Programme.objects.select_related("authority").filter(
        code__in=["brussels-digitale-omkeer", "flanders-digisprong", "ghent-digisprong",
                  "latvia-dators-ikvienam-bernam", "mv-digitalpakt-schule", DEMO_CODE])}  # fmt: skip
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["admin", "owner", "operator", "coordinator", "supplier"])
    }
    seeder = Seeder(
        actor=SystemActor("seed_demo"), users=users, supplier=Supplier.objects.filter(name=SUPPLIER_NAME).first()
    )
    steps = [
        ("brussels-digitale-omkeer", _brussels),
        ("flanders-digisprong", _digisprong),
        ("ghent-digisprong", _ghent),
        ("latvia-dators-ikvienam-bernam", _latvia),
        ("mv-digitalpakt-schule", _mecklenburg),
    ]
    for code, step in steps:
        if code in programmes:
            step(seeder, programmes[code])
    if DEMO_CODE in programmes:
        _nordhafen(seeder, programmes[DEMO_CODE], today)
    seeder.order_statuses()
    audit.record_many(actor=seeder.actor, changes=seeder.changes)
    return +seeder.created


__all__ = ["seed_demo_devices"]
