"""Seed 003, "Digitālās plaisas mazināšana sociāli neaizsargātajiem izglītojamajiem", at its real size
(``load_seed_scenario latvia``).

What the seed states, and how it is played:

- **The registry**: Latvia's general schools, run by the 43 municipalities (7 state cities and 36
  counties since the 2021 reform): 36 primary schools (sākumskolas), 240 basic schools
  (pamatskolas), 205 secondary schools (vidusskolas), 38 gymnasiums, 52 special schools and 22
  evening (shift) secondary schools: 593 schools with about 233,000 pupils in the school year
  2022/23. Each school counts its pupils from socially vulnerable groups (low-income families,
  large families, out-of-family care): about 52,500 in all. Names and addresses are invented.
- **13,310 laptops by 31 December 2022**: allocation round ``LV-DIB-2022`` (computed 5 September,
  approved 12 September 2022) splits 13,310 laptops over the schools in proportion to their pupils
  of the vulnerable groups (largest remainder); the ministry orders them under its framework
  contract (20 September 2022), they are delivered school by school from 3 October to
  16 December 2022 and accepted by the school one to three working days later: the first target is
  met on time.
- **26,620 by 31 December 2023, cumulative**: round ``LV-DIB-2023`` (approved 13 March 2023) splits
  the next 13,310 the same way; ordered 3 April 2023, delivered 4 September to 30 November 2023 and
  accepted within days: the second target is met on time.
- **The bandwidth milestone by 30 June 2024** (``latvia_connectivity.py``): the ministry's survey
  campaign ``IZM-DPJ-2024`` (1 March to 30 April 2024) answered by every school, about 95 % of them
  by 12 April and the rest after the reminders; four speed tests a school day over 30 school days
  (about 66,000 rows, the state cities' own files and the counties' Giga Meter exports through the
  import engine), their daily aggregates, the usual benchmarks and the ministry's cost parameters,
  the analysis as of 14 June 2024 and its report attached to the milestone and approved on
  20 June 2024. The milestone counts the schools surveyed (593): it is met on time.
- **History**: snapshots every Monday and month end from 1 June 2022 to today.

``--scale small`` plays the same at a tenth (60 schools, 1,331 + 1,331 laptops, 59 schools to
survey, about 7,000 speed tests) against targets scaled the same way.
"""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Sum

from . import latvia_connectivity as connectivity
from ._e2_common import import_rows, load_schools
from .base import (
    Operator,
    RegistrySpec,
    Run,
    Scenario,
    SchoolKind,
    add_working_days,
    clock,
    ensure_device_model,
    ensure_eligibility_groups,
    ensure_supplier,
    generate_registry,
    history_days,
    moment,
    record_history,
    working_days,
)

SCHOOL_YEAR = "2022/23"
FIRST = 13_310
CUMULATIVE = 26_620
SUPPLIER = "Datortehnika Baltic SIA (scenario)"
CONTRACT = "IZM-DIB-2022/1"
GROUPS = (
    ("low-income", "Pupils from low-income families",
     "Families receiving means-tested social assistance or a low-income status."),
    ("large-family", "Pupils from large families", "Families raising three or more children."),
    ("foster-care", "Pupils in foster or guardianship care", "Children in out-of-family care."),
)  # fmt: skip
# (round code, computed, approved, order number, ordered, first and last delivery day)
PHASES = (
    ("LV-DIB-2022", datetime.date(2022, 9, 5), datetime.date(2022, 9, 12), "IZM-DIB-2022-001",
     datetime.date(2022, 9, 20), datetime.date(2022, 10, 3), datetime.date(2022, 12, 16)),
    ("LV-DIB-2023", datetime.date(2023, 3, 6), datetime.date(2023, 3, 13), "IZM-DIB-2023-001",
     datetime.date(2023, 4, 3), datetime.date(2023, 9, 4), datetime.date(2023, 11, 30)),
)  # fmt: skip
LAPTOP = ("hp-probook-440-g9", "HP", "ProBook 440 G9", "laptop", Decimal("540.00"), 36)
SERIAL_PREFIX = "5CD2LV"

# (code, operator, seat, the seat's genitive, postal code, weight: its share of the schools)
MUNICIPALITIES = (
    ("RIGA", "Rīgas valstspilsētas pašvaldība", "Rīga", "Rīgas", "LV-1050", 17.0),
    ("DAUGAVPILS", "Daugavpils valstspilsētas pašvaldība", "Daugavpils", "Daugavpils", "LV-5401", 3.0),
    ("LIEPAJA", "Liepājas valstspilsētas pašvaldība", "Liepāja", "Liepājas", "LV-3401", 2.4),
    ("JELGAVA", "Jelgavas valstspilsētas pašvaldība", "Jelgava", "Jelgavas", "LV-3001", 1.8),
    ("JURMALA", "Jūrmalas valstspilsētas pašvaldība", "Jūrmala", "Jūrmalas", "LV-2015", 1.7),
    ("VENTSPILS", "Ventspils valstspilsētas pašvaldība", "Ventspils", "Ventspils", "LV-3601", 1.2),
    ("REZEKNE", "Rēzeknes valstspilsētas pašvaldība", "Rēzekne", "Rēzeknes", "LV-4601", 1.2),
    ("AIZKRAUKLE", "Aizkraukles novada pašvaldība", "Aizkraukle", "Aizkraukles", "LV-5101", 1.8),
    ("ALUKSNE", "Alūksnes novada pašvaldība", "Alūksne", "Alūksnes", "LV-4301", 1.2),
    ("AUGSDAUGAVA", "Augšdaugavas novada pašvaldība", "Ilūkste", "Ilūkstes", "LV-5447", 2.0),
    ("ADAZI", "Ādažu novada pašvaldība", "Ādaži", "Ādažu", "LV-2164", 0.8),
    ("BALVI", "Balvu novada pašvaldība", "Balvi", "Balvu", "LV-4501", 1.3),
    ("BAUSKA", "Bauskas novada pašvaldība", "Bauska", "Bauskas", "LV-3901", 1.9),
    ("CESIS", "Cēsu novada pašvaldība", "Cēsis", "Cēsu", "LV-4101", 2.2),
    ("DIENVIDKURZEME", "Dienvidkurzemes novada pašvaldība", "Grobiņa", "Grobiņas", "LV-3430", 2.3),
    ("DOBELE", "Dobeles novada pašvaldība", "Dobele", "Dobeles", "LV-3701", 1.5),
    ("GULBENE", "Gulbenes novada pašvaldība", "Gulbene", "Gulbenes", "LV-4401", 1.2),
    ("JELGAVAS-NOV", "Jelgavas novada pašvaldība", "Ozolnieki", "Ozolnieku", "LV-3018", 2.0),
    ("JEKABPILS", "Jēkabpils novada pašvaldība", "Jēkabpils", "Jēkabpils", "LV-5201", 2.3),
    ("KRASLAVA", "Krāslavas novada pašvaldība", "Krāslava", "Krāslavas", "LV-5601", 1.4),
    ("KULDIGA", "Kuldīgas novada pašvaldība", "Kuldīga", "Kuldīgas", "LV-3301", 1.8),
    ("KEKAVA", "Ķekavas novada pašvaldība", "Ķekava", "Ķekavas", "LV-2123", 1.1),
    ("LIMBAZI", "Limbažu novada pašvaldība", "Limbaži", "Limbažu", "LV-4001", 1.6),
    ("LIVANI", "Līvānu novada pašvaldība", "Līvāni", "Līvānu", "LV-5316", 0.6),
    ("LUDZA", "Ludzas novada pašvaldība", "Ludza", "Ludzas", "LV-5701", 1.2),
    ("MADONA", "Madonas novada pašvaldība", "Madona", "Madonas", "LV-4801", 2.2),
    ("MARUPE", "Mārupes novada pašvaldība", "Mārupe", "Mārupes", "LV-2167", 1.0),
    ("OGRE", "Ogres novada pašvaldība", "Ogre", "Ogres", "LV-5001", 2.4),
    ("OLAINE", "Olaines novada pašvaldība", "Olaine", "Olaines", "LV-2114", 0.7),
    ("PREILI", "Preiļu novada pašvaldība", "Preiļi", "Preiļu", "LV-5301", 1.1),
    ("REZEKNES-NOV", "Rēzeknes novada pašvaldība", "Viļāni", "Viļānu", "LV-4650", 2.0),
    ("ROPAZI", "Ropažu novada pašvaldība", "Ulbroka", "Ulbrokas", "LV-2130", 1.1),
    ("SALASPILS", "Salaspils novada pašvaldība", "Salaspils", "Salaspils", "LV-2121", 0.6),
    ("SALDUS", "Saldus novada pašvaldība", "Saldus", "Saldus", "LV-3801", 1.4),
    ("SAULKRASTI", "Saulkrastu novada pašvaldība", "Saulkrasti", "Saulkrastu", "LV-2160", 0.4),
    ("SIGULDA", "Siguldas novada pašvaldība", "Sigulda", "Siguldas", "LV-2150", 1.0),
    ("SMILTENE", "Smiltenes novada pašvaldība", "Smiltene", "Smiltenes", "LV-4729", 1.3),
    ("TALSI", "Talsu novada pašvaldība", "Talsi", "Talsu", "LV-3201", 2.2),
    ("TUKUMS", "Tukuma novada pašvaldība", "Tukums", "Tukuma", "LV-3101", 2.0),
    ("VALKA", "Valkas novada pašvaldība", "Valka", "Valkas", "LV-4701", 0.7),
    ("VALMIERA", "Valmieras novada pašvaldība", "Valmiera", "Valmieras", "LV-4201", 2.6),
    ("VARAKLANI", "Varakļānu novada pašvaldība", "Varakļāni", "Varakļānu", "LV-4838", 0.3),
    ("VENTSPILS-NOV", "Ventspils novada pašvaldība", "Piltene", "Piltenes", "LV-3620", 1.1),
)


# Latvia's five planning regions (plānošanas reģioni), by which findings and totals are grouped.
PLANNING_REGIONS = {
    **dict.fromkeys(
        (
            "RIGA",
            "JURMALA",
            "ADAZI",
            "KEKAVA",
            "MARUPE",
            "OLAINE",
            "ROPAZI",
            "SALASPILS",
            "SAULKRASTI",
            "SIGULDA",
            "OGRE",
            "TUKUMS",
            "LIMBAZI",
        ),
        "Rīga",
    ),
    **dict.fromkeys(
        ("ALUKSNE", "BALVI", "CESIS", "GULBENE", "MADONA", "SMILTENE", "VALKA", "VALMIERA", "VARAKLANI"), "Vidzeme"
    ),
    **dict.fromkeys(
        ("LIEPAJA", "VENTSPILS", "DIENVIDKURZEME", "KULDIGA", "SALDUS", "TALSI", "VENTSPILS-NOV"), "Kurzeme"
    ),
    **dict.fromkeys(("JELGAVA", "JELGAVAS-NOV", "AIZKRAUKLE", "BAUSKA", "DOBELE", "JEKABPILS"), "Zemgale"),
    **dict.fromkeys(
        ("DAUGAVPILS", "REZEKNE", "AUGSDAUGAVA", "KRASLAVA", "LIVANI", "LUDZA", "PREILI", "REZEKNES-NOV"), "Latgale"
    ),
}


def vulnerable_pupils(rng, pupils: int) -> dict[str, int]:
    """A school's pupils in each vulnerable group: about 7 % from low-income families, 14 % from
    large families and 1 % in out-of-family care, varying from school to school."""
    return {
        "low-income": round(pupils * rng.uniform(0.02, 0.13)),
        "large-family": round(pupils * rng.uniform(0.08, 0.20)),
        "foster-care": round(pupils * rng.uniform(0.002, 0.02)),
    }


REGISTRY = RegistrySpec(
    authority_code="LV-IZM",
    number_prefix="LV",
    school_year=SCHOOL_YEAR,
    language="lv",
    kinds=(
        SchoolKind("SAK", "sākumskola", (1,), count=36, size=(25, 190), pupils_per_teacher=9),
        SchoolKind("PAM", "pamatskola", (1, 2), count=240, size=(40, 430), pupils_per_teacher=8),
        SchoolKind("VID", "vidusskola", (1, 2, 3), count=205, size=(200, 1350), pupils_per_teacher=11),
        SchoolKind("GIM", "ģimnāzija", (2, 3), count=38, size=(260, 950), pupils_per_teacher=12),
        SchoolKind("SPEC", "speciālā pamatskola", (1, 2), count=52, size=(30, 230), pupils_per_teacher=4),
        SchoolKind("VAK", "vakara (maiņu) vidusskola", (2, 3), count=22, size=(60, 420), pupils_per_teacher=14),
    ),
    operators=tuple(
        Operator(code, name, weight=weight, region=PLANNING_REGIONS[code])
        for code, name, _seat, _gen, _post, weight in MUNICIPALITIES
    ),
    places=tuple((seat, postal) for _code, _name, seat, _gen, postal, _weight in MUNICIPALITIES),
    bbox=(55.7, 21.0, 58.0, 28.2),
    eligible=vulnerable_pupils,
    streets=("Skolas iela", "Brīvības iela", "Raiņa iela", "Dzirnavu iela", "Lāčplēša iela", "Parka iela"),
    name_pattern="{label} {index}",
)
SEATS = {code: (seat, genitive, postal) for code, _name, seat, genitive, postal, _weight in MUNICIPALITIES}


class Latvia(Scenario):
    """Seed 003: 593 general schools with their vulnerable pupils, 13,310 laptops by the end of 2022
    and 26,620 by the end of 2023, and the bandwidth survey and analysis by 30 June 2024, all met."""

    name = "latvia"
    programme_code = "latvia-dators-ikvienam-bernam"
    seed = 2023

    def steps(self):
        return [
            self.registry,
            self.contract,
            self.phase_2022,
            self.phase_2023,
            self.connectivity_survey,
            self.connectivity_measurements,
            self.connectivity_analysis,
            self.history,
        ]

    # -- the steps -------------------------------------------------------------------------------

    def registry(self, run: Run) -> None:
        """The schools, each at its municipality's seat and named the Latvian way ("Cēsu 2. pamatskola")."""
        schools = generate_registry(REGISTRY, run.scale, run.rng("registry"))
        numbered: Counter = Counter()
        for school in schools:
            seat, genitive, postal = SEATS[school.operator.code]
            numbered[(seat, school.kind.code)] += 1
            school.city, school.postal_code = seat, postal
            school.name = f"{genitive} {numbered[(seat, school.kind.code)]}. {school.kind.label}"
        with clock(moment(datetime.date(2022, 6, 1))):
            ensure_eligibility_groups(run, GROUPS)
            run.add("schools", load_schools(run, REGISTRY, schools))

    def contract(self, run: Run) -> None:
        """The ministry's framework contract for laptops (August 2022)."""
        from digileap.devices.services.catalogue import contract_create, contract_item_add

        with clock(moment(datetime.date(2022, 8, 1))):
            supplier = ensure_supplier(
                run, SUPPLIER, vat_number="LV40000000000", email="pasutijumi@datortehnika.example.lv"
            )
            model = self._model(run)
            contract = contract_create(
                actor=run.actor,
                authority=run.programme.authority,
                supplier=supplier,
                reference=CONTRACT,
                title="Portatīvā datortehnika izglītojamajiem no sociāli neaizsargātām grupām",
                starts_on=datetime.date(2022, 8, 1),
                ends_on=datetime.date(2024, 6, 30),
            )
            contract_item_add(actor=run.actor, contract=contract, device_model=model, unit_price=LAPTOP[4])

    def phase_2022(self, run: Run) -> None:
        self._phase(run, PHASES[0], run.count(FIRST))

    def phase_2023(self, run: Run) -> None:
        self._phase(run, PHASES[1], run.count(CUMULATIVE) - run.count(FIRST))

    def connectivity_survey(self, run: Run) -> None:
        """The bandwidth survey, March and April 2024 (``latvia_connectivity.survey``)."""
        connectivity.survey(run)

    def connectivity_measurements(self, run: Run) -> None:
        """Speed tests on 30 school days and their daily aggregates (``latvia_connectivity.measurements``)."""
        connectivity.measurements(run)

    def connectivity_analysis(self, run: Run) -> None:
        """The analysis of 14 June 2024 and its report on the milestone (``latvia_connectivity.analysis``)."""
        connectivity.analysis(run)

    def history(self, run: Run) -> None:
        due_dates = list(run.programme.targets.values_list("due_date", flat=True))
        record_history(run, history_days(datetime.date(2022, 6, 1), run.today, extra=due_dates))

    # -- a phase: allocation, order, deliveries, acceptance ------------------------------------------

    def _phase(self, run: Run, phase: tuple, laptops: int) -> None:
        from digileap.allocation.models import AllocationRound
        from digileap.allocation.services.rounds import round_compute, round_create, version_approve
        from digileap.devices.models import Delivery, FrameworkContract
        from digileap.devices.services.deliveries import delivery_accept
        from digileap.devices.services.orders import (
            order_create,
            order_line_add,
            order_place,
            order_refresh_delivery_status,
        )

        code, computed_on, approved_on, order_number, ordered_on, first_day, last_day = phase
        rng = run.rng(code)
        programme = run.programme
        source = programme.funding_sources.order_by("position").first()  # the Recovery Fund
        model = self._model(run)
        with clock(moment(computed_on, 10)):
            allocation_round = round_create(
                actor=run.actor,
                programme=programme,
                data={
                    "code": code,
                    "name": f"Portatīvie datori sociāli neaizsargātiem skolēniem, {computed_on.year}",
                    "description": "Laptops in proportion to each school's pupils from socially vulnerable groups "
                    "(low-income families, large families, out-of-family care), school year 2022/23 figures.",
                    "funding_source": source,
                    "resource": AllocationRound.Resource.UNITS,
                    "device_type": "laptop",
                    "total": Decimal(laptops),
                    "school_year": SCHOOL_YEAR,
                    "eligibility": {"eligible_groups": [group for group, _name, _text in GROUPS]},
                    "formula": {"pupils": "eligible_groups", "per_pupil": [{"amount": "1"}]},
                },
            )
            version = round_compute(actor=run.actor, allocation_round=allocation_round, note="IZM")
        with clock(moment(approved_on, 11)):
            version = version_approve(actor=run.actor, version=version)
        run.add("allocation rounds", 1)
        lines = list(version.lines.filter(amount__gt=0).select_related("school").order_by("school__number"))
        contract = FrameworkContract.objects.get(authority=programme.authority, reference=CONTRACT)
        with clock(moment(ordered_on, 9)):
            order = order_create(
                actor=run.actor,
                programme=programme,
                funding_source=source,
                supplier=contract.supplier,
                contract=contract,
                number=order_number,
                note=f"Allocation round {code}",
            )
            for line in lines:
                order_line_add(
                    actor=run.actor,
                    order=order,
                    device_model=model,
                    school=line.school,
                    quantity=int(line.amount),
                    allocation_line=line,
                )
            order_place(actor=run.actor, order=order, ordered_on=ordered_on)
        run.add("orders", 1)
        # One delivery a school, the schools spread over the working days of the phase, first to last.
        days = working_days(first_day, last_day)
        by_day: dict[datetime.date, list] = defaultdict(list)
        for position, line in enumerate(lines):
            by_day[days[position * (len(days) - 1) // max(1, len(lines) - 1)]].append(line)
        serial = self._serials_so_far(run)
        for day, day_lines in sorted(by_day.items()):
            rows = []
            for line in day_lines:
                note = f"{order_number}-{line.school.number}"
                for _ in range(int(line.amount)):
                    serial += 1
                    rows.append(
                        {
                            "serial": f"{SERIAL_PREFIX}{serial:06d}",
                            "model": model.code,
                            "school": line.school.number,
                            "delivery_note": note,
                            "delivered_on": day.isoformat(),
                            "order": order_number,
                        }
                    )
            with clock(moment(day, 8)):
                result = import_rows(
                    run, target="deliveries", profile="generic", rows=rows, filename=f"{order_number}-{day}.csv"
                )
            run.add("devices", result.created)
            notes = [f"{order_number}-{line.school.number}" for line in day_lines]
            for delivery in Delivery.objects.filter(programme=programme, note_number__in=notes).order_by("note_number"):
                accepted_on = add_working_days(day, rng.randint(1, 3))
                with clock(moment(accepted_on, 14, rng.randint(0, 59))):
                    delivery_accept(delivery=delivery, actor=run.actor, note="Saņemts pilnā apjomā.")
                run.add("deliveries", 1)
        with clock(moment(add_working_days(last_day, 4), 16)):
            order_refresh_delivery_status(order=order, actor=run.actor)

    # -- helpers ----------------------------------------------------------------------------------

    def _model(self, run: Run):
        code, manufacturer, name, device_type, price, warranty = LAPTOP
        return ensure_device_model(
            run,
            code=code,
            manufacturer=manufacturer,
            name=name,
            device_type=device_type,
            unit_price=price,
            warranty_months=warranty,
        )

    @staticmethod
    def _serials_so_far(run: Run) -> int:
        from digileap.devices.models import Device

        return Device.objects.filter(programme=run.programme, serial__startswith=SERIAL_PREFIX).count()

    def extra_summary(self, run: Run) -> dict:
        from digileap.devices.models import Device
        from digileap.schools.models import EligibleCount

        devices = Device.objects.filter(programme=run.programme)

        def accepted_by(day: datetime.date) -> int:
            return devices.filter(
                delivered_on__lte=day, accepted_at__lt=moment(day + datetime.timedelta(days=1), 0)
            ).count()

        vulnerable = EligibleCount.objects.filter(
            school__authority=run.programme.authority, school_year=SCHOOL_YEAR
        ).aggregate(total=Sum("pupils"))["total"]
        return {
            "vulnerable_pupils": vulnerable or 0,
            "schools_with_laptops": devices.values("school").distinct().count(),
            "accepted_by_2022_12_31": accepted_by(datetime.date(2022, 12, 31)),
            "accepted_by_2023_12_31": accepted_by(datetime.date(2023, 12, 31)),
            "connectivity": connectivity.summary(run),
        }
