"""Seed 000, "Digitale omkeer voor Brusselse scholen", at its real size (``load_seed_scenario brussels``).

What the seed states, and how it is played:

- **The registry**: the 240 secondary and special compulsory-education schools of the Brussels
  Region, French- and Dutch-speaking, each with a socio-economic index (``be-bru-ses-index``, 0 to
  100, low = disadvantaged). Invented names and addresses in the 19 municipalities; about four in
  five schools teach in French (the two communities' shares of Brussels secondary schools).
- **Needs** (May 2021): every school declares the laptops its pupils lack, more where the index is
  low (3 % to 9 % of the pupils).
- **Allocation** (June 2021): 3,500 laptops, the lowest index first, each school up to its declared
  need (allocation round ``BXL-OMKEER-2021``, priority distribution), computed, approved, published.
- **Order** (June 2021): one order for the allocated laptops (about a third refurbished), its lines
  linked to the allocation lines.
- **Deliveries** (September to December 2021, "tegen eind 2021"): one delivery note per school,
  the schools in the allocation's order, imported as delivery files; each accepted by the school two
  working days later. Exactly 2,200 devices are delivered and accepted by 29 October 2021, so
  **milestone 405** (2,200 by October 2021) is met on time; the other 1,300 follow in November and
  December.
- **Wi-Fi access points** (2022-2023): "2.000 wifi-toegangspunten ... tot eind 2023": ordered in
  January 2022, delivered school by school, installed one to three weeks later and verified by the
  school within days. The target of 3,500 hotspots by October 2024 ("uit te voeren", to do) stays
  short of its value: the documents report no more than the 2,000.
- **History**: snapshots every Monday and month end from May 2021 to today, so the burn-up charts
  show the course.

``--scale small`` plays the same at a tenth (24 schools, 350 laptops, 220 by October 2021, 200 access
points) against targets scaled the same way.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from .base import (
    Operator,
    RegistrySpec,
    Run,
    Scenario,
    SchoolKind,
    add_working_days,
    clock,
    ensure_device_model,
    ensure_supplier,
    history_days,
    import_deliveries,
    load_registry,
    moment,
    record_history,
    working_days,
)

WEEKLY_UNTIL = datetime.date(2023, 12, 31)  # the last activity: later, month ends suffice
SCHOOL_YEAR = "2021/22"
LAPTOPS = 3_500
BY_OCTOBER = 2_200
ACCESS_POINTS = 2_000
ROUND_CODE = "BXL-OMKEER-2021"
LAPTOP_ORDER = "BXL-OMK-2021-001"
AP_ORDER = "BXL-OMK-2022-001"
CONTRACT = "BXL-OMK-RC-2021"
SUPPLIER = "Bruxelles Digital Equipment SA (scenario)"

MUNICIPALITIES = (
    ("Anderlecht", "1070"),
    ("Auderghem", "1160"),
    ("Berchem-Sainte-Agathe", "1082"),
    ("Bruxelles", "1000"),
    ("Etterbeek", "1040"),
    ("Evere", "1140"),
    ("Forest", "1190"),
    ("Ganshoren", "1083"),
    ("Ixelles", "1050"),
    ("Jette", "1090"),
    ("Koekelberg", "1081"),
    ("Molenbeek-Saint-Jean", "1080"),
    ("Saint-Gilles", "1060"),
    ("Saint-Josse-ten-Noode", "1210"),
    ("Schaerbeek", "1030"),
    ("Uccle", "1180"),
    ("Watermael-Boitsfort", "1170"),
    ("Woluwe-Saint-Lambert", "1200"),
    ("Woluwe-Saint-Pierre", "1150"),
)
LANGUAGES = (("fr", 0.8), ("nl", 0.2))

REGISTRY = RegistrySpec(
    authority_code="BE-BRU",
    number_prefix="BRU",
    school_year=SCHOOL_YEAR,
    language="fr",
    kinds=(
        SchoolKind(
            "SEC",
            "Secondaire / Secundair",
            (2, 3),
            count=196,
            size=(220, 1300),
            pupils_per_teacher=9.5,
            languages=LANGUAGES,
            private_share=0.55,
        ),
        SchoolKind(
            "SPEC",
            "Spécialisé / Buitengewoon",
            (2, 3),
            count=44,
            size=(50, 260),
            pupils_per_teacher=4.5,
            languages=LANGUAGES,
            private_share=0.45,
        ),
    ),  # fmt: skip
    operators=(
        Operator("WBE", "Wallonie-Bruxelles Enseignement", weight=3, languages=("fr",)),
        Operator("CFWB-OS", "Enseignement officiel subventionné (communes)", weight=4, languages=("fr",)),
        Operator("SEGEC", "Enseignement libre catholique (SeGEC)", "private", weight=6, languages=("fr",)),
        Operator("FELSI", "Enseignement libre non confessionnel (FELSI)", "private", weight=1, languages=("fr",)),
        Operator("GO-BRU", "GO! Scholengroep Brussel", weight=2, languages=("nl",)),
        Operator("VGC", "Vlaamse Gemeenschapscommissie", weight=1, languages=("nl",)),
        Operator("KOBR", "Katholiek Onderwijs Brussel vzw", "private", weight=3, languages=("nl",)),
    ),
    places=MUNICIPALITIES,
    bbox=(50.80, 4.28, 50.90, 4.43),
    ses_scale="be-bru-ses-index",
    ses=lambda rng: Decimal(f"{100 * rng.betavariate(2.0, 2.4):.1f}"),
    streets=("Rue de l'École", "Avenue Louise", "Chaussée de Gand", "Schoolstraat", "Rue Haute", "Boulevard Lemonnier"),
    name_pattern="{label} {city} {index}",
)

CATALOGUE = {
    "laptop": ("dell-latitude-3420", "Dell", "Latitude 3420", "laptop", Decimal("640.00"), 36),
    "access_point": ("aruba-ap-505", "Aruba", "AP-505", "access_point", Decimal("210.00"), 60),
}
SERIAL_PREFIX = {"laptop": "DL3420BX", "access_point": "AP505BX"}
ROOMS = ("Salle", "Lokaal")


def need_share(index: Decimal) -> Decimal:
    """The share of a school's pupils without a laptop of their own: 9 % at index 0, 3 % at 100."""
    return Decimal("0.09") - Decimal("0.06") * index / 100


class Brussels(Scenario):
    """Seed 000: 240 schools, 3,500 laptops by need (lowest index first), 2,200 by October 2021,
    and Wi-Fi access points installed and verified in 2022 and 2023."""

    name = "brussels"
    programme_code = "brussels-digitale-omkeer"
    seed = 405

    def steps(self):
        return [
            self.registry,
            self.needs,
            self.allocation,
            self.orders,
            self.deliveries,
            self.access_points,
            self.history,
        ]

    # -- the steps -------------------------------------------------------------------------------

    def registry(self, run: Run) -> None:
        with clock(moment(datetime.date(2021, 4, 15))):
            run.add("schools", load_registry(run, REGISTRY))

    def needs(self, run: Run) -> None:
        """Each school declares the laptops its pupils lack (May 2021)."""
        from digileap.allocation.services.needs import need_declare
        from digileap.schools.models import Enrolment

        rng = run.rng("needs")
        pupils = dict(
            Enrolment.objects.filter(school__authority=run.programme.authority, school_year=SCHOOL_YEAR)
            .values_list("school_id")
            .annotate(total=Sum("pupils"))
            .values_list("school_id", "total")
        )
        days = working_days(datetime.date(2021, 5, 3), datetime.date(2021, 5, 28))
        declared = 0
        for position, school in enumerate(run.schools()):
            total = pupils.get(school.pk, 0)
            index = school.ses_value if school.ses_value is not None else Decimal(50)
            needed = int(total * need_share(index) * Decimal(str(round(rng.uniform(0.8, 1.2), 3))))
            if not needed:
                continue
            with clock(moment(days[position % len(days)], 9, position % 60)):
                need_declare(
                    actor=run.actor,
                    school=school,
                    school_year=SCHOOL_YEAR,
                    classrooms_without_wifi=rng.randint(2, 14),
                    lines=[
                        {
                            "device_type": "laptop",
                            "owned_under_3_years": total // 25,
                            "owned_3_to_5_years": total // 15,
                            "owned_over_5_years": rng.randint(0, total // 12),
                            "needed": needed,
                        }
                    ],
                )
            declared += 1
        run.add("need declarations", declared)

    def allocation(self, run: Run) -> None:
        """3,500 laptops, the lowest index first, each school up to its need: computed, approved,
        published (June 2021)."""
        from digileap.allocation.models import AllocationRound
        from digileap.allocation.services.rounds import round_compute, round_create, version_approve, version_publish

        with clock(moment(datetime.date(2021, 6, 7))):
            allocation_round = round_create(
                actor=run.actor,
                programme=run.programme,
                data={
                    "code": ROUND_CODE,
                    "name": "Laptops for secondary and special schools, the lowest index first",
                    "description": "3,500 ICT devices distributed by the schools' needs, with particular attention to "
                    "schools with a lower socio-economic index (seed 000, target 405).",
                    "funding_source": run.programme.funding_sources.order_by("position").first(),
                    "resource": AllocationRound.Resource.UNITS,
                    "device_type": "laptop",
                    "total": Decimal(run.count(LAPTOPS)),
                    "school_year": SCHOOL_YEAR,
                    "distribution": AllocationRound.Distribution.PRIORITY,
                    "eligibility": {"levels": [2, 3]},
                    "formula": {"need": "weight"},
                },
            )
            version = round_compute(
                actor=run.actor, allocation_round=allocation_round, note="Needs declared in May 2021"
            )
        with clock(moment(datetime.date(2021, 6, 14), 11)):
            version = version_approve(actor=run.actor, version=version)
        with clock(moment(datetime.date(2021, 6, 15), 9)):
            version_publish(actor=run.actor, version=version)
        run.add("allocation rounds", 1)

    def orders(self, run: Run) -> None:
        """The framework contract, and the order of the allocated laptops (June 2021)."""
        from digileap.devices.services.catalogue import contract_create, contract_item_add
        from digileap.devices.services.orders import order_create, order_line_add, order_place

        authority = run.programme.authority
        with clock(moment(datetime.date(2021, 5, 20))):
            supplier = ensure_supplier(run, SUPPLIER, vat_number="BE0999999999", email="orders@bde.example.org")
            models = {kind: self._model(run, kind) for kind in CATALOGUE}
            contract = contract_create(
                actor=run.actor,
                authority=authority,
                supplier=supplier,
                reference=CONTRACT,
                title="Digitale omkeer: laptops and Wi-Fi access points for secondary schools",
                starts_on=datetime.date(2021, 6, 1),
                ends_on=datetime.date(2024, 12, 31),
            )
            for kind, model in models.items():
                contract_item_add(actor=run.actor, contract=contract, device_model=model, unit_price=CATALOGUE[kind][4])
        source = run.programme.funding_sources.order_by("position").first()
        with clock(moment(datetime.date(2021, 6, 21))):
            order = order_create(
                actor=run.actor,
                programme=run.programme,
                funding_source=source,
                supplier=supplier,
                contract=contract,
                number=LAPTOP_ORDER,
                note="Laptops of allocation round " + ROUND_CODE,
            )
            for line, school in self._allocated(run):
                order_line_add(
                    actor=run.actor,
                    order=order,
                    device_model=models["laptop"],
                    school=school,
                    quantity=int(line.amount),
                    allocation_line=line,
                )
            order_place(actor=run.actor, order=order, ordered_on=datetime.date(2021, 6, 21))
        run.add("orders", 1)

    def deliveries(self, run: Run) -> None:
        """One delivery a school, in the allocation's order, September to December 2021; exactly
        ``BY_OCTOBER`` devices delivered and accepted by 29 October 2021."""
        from digileap.devices.models import Delivery
        from digileap.devices.services.deliveries import delivery_accept
        from digileap.devices.services.orders import order_refresh_delivery_status

        rng = run.rng("deliveries")
        model = self._model(run, "laptop")
        by_october = run.count(BY_OCTOBER)
        # (school, quantity) in the allocation's order, the school crossing BY_OCTOBER split in two.
        first: list[tuple] = []
        second: list[tuple] = []
        delivered = 0
        for line, school in self._allocated(run):
            quantity = int(line.amount)
            now = min(quantity, max(0, by_october - delivered))
            if now:
                first.append((school, now))
            if quantity - now:
                second.append((school, quantity - now))
            delivered += quantity
        waves = [
            (first, working_days(datetime.date(2021, 9, 1), datetime.date(2021, 10, 27))),
            (second, working_days(datetime.date(2021, 11, 8), datetime.date(2021, 12, 15))),
        ]
        serial = 0
        note = 0
        for wave, days in waves:
            by_day: dict[datetime.date, list[tuple]] = defaultdict(list)
            for position, (school, quantity) in enumerate(wave):
                by_day[days[position * len(days) // max(1, len(wave))]].append((school, quantity))
            for day, lots in sorted(by_day.items()):
                rows = []
                for school, quantity in lots:
                    note += 1
                    for _ in range(quantity):
                        serial += 1
                        rows.append(
                            {
                                "serial": f"{SERIAL_PREFIX['laptop']}{serial:06d}",
                                "model": model.code,
                                "school": school.number,
                                "delivery_note": f"BXL-OMK-DN-{note:04d}",
                                "delivered_on": day.isoformat(),
                                "order": LAPTOP_ORDER,
                                "condition": "refurbished" if rng.random() < 0.3 else "new",
                            }
                        )
                with clock(moment(day, 8)):
                    import_deliveries(run, rows, filename=f"bxl-laptops-{day.isoformat()}.csv")
                accepted_on = add_working_days(day, 2)
                notes = sorted({row["delivery_note"] for row in rows})
                for delivery in Delivery.objects.filter(programme=run.programme, note_number__in=notes):
                    with clock(moment(accepted_on, 15)):
                        delivery_accept(delivery=delivery, actor=run.actor, note="Scenario: received complete")
                run.add("deliveries", len(notes))
        from digileap.devices.models import PurchaseOrder

        with clock(moment(datetime.date(2021, 12, 17), 16)):
            order_refresh_delivery_status(
                order=PurchaseOrder.objects.get(programme=run.programme, number=LAPTOP_ORDER), actor=run.actor
            )

    def access_points(self, run: Run) -> None:
        """2,000 access points (January 2022 order), delivered school by school until November 2023,
        installed one to three weeks later and verified by the school within days."""
        from digileap.devices.models import Delivery, Device, PurchaseOrder
        from digileap.devices.services.access_points import access_point_record, access_point_verify
        from digileap.devices.services.deliveries import delivery_accept
        from digileap.devices.services.orders import order_create, order_line_add, order_place

        from .base import split_total

        rng = run.rng("access_points")
        model = self._model(run, "access_point")
        schools = list(run.schools())
        total = run.count(ACCESS_POINTS)
        # In proportion to the school's size: bigger schools have more classrooms.
        sizes = [school.pupils_total or 1 for school in schools]
        shares = split_total(total, sizes)
        plan = [(school, count) for school, count in zip(schools, shares, strict=True) if count]
        contract = PurchaseOrder.objects.get(programme=run.programme, number=LAPTOP_ORDER).contract
        assert contract is not None  # the laptop order was placed under the framework contract
        with clock(moment(datetime.date(2022, 1, 17))):
            order = order_create(
                actor=run.actor,
                programme=run.programme,
                funding_source=run.programme.funding_sources.order_by("position").first(),
                supplier=contract.supplier,
                contract=contract,
                number=AP_ORDER,
                note="Wi-Fi access points (2,000 until the end of 2023)",
            )
            for school, count in plan:
                order_line_add(actor=run.actor, order=order, device_model=model, school=school, quantity=count)
            order_place(actor=run.actor, order=order, ordered_on=datetime.date(2022, 1, 17))
        run.add("orders", 1)
        days = working_days(datetime.date(2022, 2, 7), datetime.date(2023, 11, 17))
        serial = 0
        for position, (school, count) in enumerate(plan):
            day = days[position * len(days) // len(plan)]
            note = f"BXL-OMK-AP-{position + 1:04d}"
            rows = []
            for _ in range(count):
                serial += 1
                rows.append(
                    {
                        "serial": f"{SERIAL_PREFIX['access_point']}{serial:06d}",
                        "model": model.code,
                        "school": school.number,
                        "delivery_note": note,
                        "delivered_on": day.isoformat(),
                        "order": AP_ORDER,
                    }
                )
            with clock(moment(day, 8)):
                import_deliveries(run, rows, filename=f"bxl-access-points-{note}.csv")
            delivery = Delivery.objects.get(programme=run.programme, note_number=note)
            with clock(moment(add_working_days(day, 1), 14)):
                delivery_accept(delivery=delivery, actor=run.actor, note="Scenario: received complete")
            installed_on = add_working_days(day, rng.randint(5, 15))
            verified_on = add_working_days(installed_on, rng.randint(1, 4))
            language_room = ROOMS[0] if school.language == "fr" else ROOMS[1]
            installations = []
            for number, device in enumerate(Device.objects.filter(delivery=delivery).order_by("serial"), start=1):
                with clock(moment(installed_on, 10, number % 60)):
                    installations.append(
                        access_point_record(
                            device=device,
                            site=None,
                            building="",
                            room=f"{language_room} {number // 10 + 1}.{number % 10 + 1:02d}",
                            installed_on=installed_on,
                            actor=run.actor,
                        )
                    )
            with clock(moment(verified_on, 11)):
                for installation in installations:
                    access_point_verify(installation=installation, actor=run.actor)
            run.add("access points installed", len(installations))
            run.add("deliveries", 1)

    def history(self, run: Run) -> None:
        due_dates = list(run.programme.targets.values_list("due_date", flat=True))
        record_history(
            run, history_days(datetime.date(2021, 5, 3), run.today, extra=due_dates, weekly_until=WEEKLY_UNTIL)
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _model(self, run: Run, kind: str):
        code, manufacturer, name, device_type, price, warranty = CATALOGUE[kind]
        return ensure_device_model(
            run,
            code=code,
            manufacturer=manufacturer,
            name=name,
            device_type=device_type,
            unit_price=price,
            warranty_months=warranty,
        )

    def _allocated(self, run: Run) -> list[tuple]:
        """(allocation line, school) of the approved version, in the order the round served them:
        the lowest index first."""
        from digileap.allocation.models import AllocationLine, AllocationVersion

        lines = (
            AllocationLine.objects.filter(
                version__round__programme=run.programme,
                version__round__code=ROUND_CODE,
                version__status__in=[AllocationVersion.Status.APPROVED, AllocationVersion.Status.PUBLISHED],
                amount__gt=0,
            )
            .select_related("school")
            .order_by("school__ses_value", "school__number")
        )
        return [(line, line.school) for line in lines]

    def extra_summary(self, run: Run) -> dict:
        from digileap.devices.models import AccessPointInstallation, Device

        devices = Device.objects.filter(programme=run.programme)
        by_october = devices.filter(
            delivered_on__lte=datetime.date(2021, 10, 31), accepted_at__lt=moment(datetime.date(2021, 11, 1), 0)
        ).count()
        return {
            "laptops": devices.filter(device_type="laptop").count(),
            "accepted_by_october_2021": by_october,
            "access_points_verified": AccessPointInstallation.objects.filter(
                device__programme=run.programme, verified_at__isnull=False
            ).count(),
        }
