"""Seed 001, "Digisprong" (Flemish Community), at its real size (``load_seed_scenario flanders``).

What the seed states, and how it is played:

- **The registry** (school year 2020/21): about 2,695 primary schools ("lagere scholen", here the
  basisscholen with their pre-school and primary pupils, by grade) and 1,091 secondary schools,
  plus the wider field the seed names: stand-alone pre-schools, part-time arts education (DKO
  academies) and adult education centres. Invented names in Flemish towns, the networks' school
  boards as operators (most schools are run by the free, mainly Catholic, network), and each
  school's share of disadvantaged pupils (``be-vl-disadvantaged-share``).
- **The per-pupil funding round** (``DIGISPRONG-2021``, approved 26 March 2021): the compulsory
  schools' ICT means split in proportion to the Digisprong formula (EUR 25 a pupil in grades 1-4,
  290 in grades 5-6, 510 in secondary education, 42 a pupil for infrastructure). The programme
  commits the round's total on the day of approval.
- **Payments**: each school's amount in two instalments, the first in three waves (May-June 2021,
  September-December 2021, and the late applications February-September 2022), the second about
  half a year later. A school counts as funded from its first payment, so **milestone 401** (3,785
  schools by October 2022) is computed from the payments: 3,786 compulsory schools funded by the
  end of September 2022, met on time.
- **The wider field** (round ``DIGISPRONG-BREED-2022``, approved September 2022): EUR 2,500 a
  school and 20 a pupil for pre-schools, academies and adult education centres, paid in November
  and December 2022, so that the end goal (3,787 schools and institutions in 2022) is met as well.
- **Self-bought devices**: one compulsory school in five reports the devices it bought with its
  funding (invoice, vendor, serials), between June 2021 and December 2022.
- **History**: snapshots every Monday and month end from January 2021 to today.
- The three qualitative milestones (knowledge centre, equipment for all pupils, teacher training)
  are left to the issues that bring their evidence; teacher training comes with the training issue.

``--scale small`` plays the same at a tenth (379 compulsory schools against targets of 379).
"""

import datetime
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Sum

from . import flanders_training  # issue 14: the training part
from .base import (
    Operator,
    RegistrySpec,
    Run,
    Scenario,
    SchoolKind,
    clock,
    ensure_device_model,
    history_days,
    load_registry,
    moment,
    record_history,
    working_days,
)

WEEKLY_UNTIL = datetime.date(2022, 12, 31)  # the last activity: later, month ends suffice
SCHOOL_YEAR = "2020/21"
ROUND_CODE = "DIGISPRONG-2021"
WIDER_ROUND_CODE = "DIGISPRONG-BREED-2022"
ROUND_TOTAL = Decimal("250000000.00")
COMPULSORY = ["BaO", "SO"]
WIDER_FIELD = ["KO", "DKO", "CVO"]
APPROVED_ON = datetime.date(2021, 3, 26)
WIDER_APPROVED_ON = datetime.date(2022, 9, 15)
# The first instalments: (first day, last day, share of the compulsory schools).
WAVES = (
    (datetime.date(2021, 5, 3), datetime.date(2021, 6, 30), Decimal("0.55")),
    (datetime.date(2021, 9, 1), datetime.date(2021, 12, 15), Decimal("0.30")),
    (datetime.date(2022, 2, 1), datetime.date(2022, 9, 30), None),  # the rest
)
DIGISPRONG_FORMULA = {
    "per_pupil": [
        {"levels": [1], "grades": [1, 2, 3, 4], "amount": "25"},
        {"levels": [1], "grades": [5, 6], "amount": "290"},
        {"levels": [2, 3], "amount": "510"},
        {"amount": "42"},
    ]
}
WIDER_FORMULA = {"base_per_school": "2500", "per_pupil": [{"amount": "20"}]}

TOWNS = (
    ("Antwerpen", "2000"), ("Gent", "9000"), ("Brugge", "8000"), ("Leuven", "3000"), ("Mechelen", "2800"),
    ("Aalst", "9300"), ("Kortrijk", "8500"), ("Hasselt", "3500"), ("Sint-Niklaas", "9100"), ("Oostende", "8400"),
    ("Genk", "3600"), ("Roeselare", "8800"), ("Turnhout", "2300"), ("Dendermonde", "9200"), ("Lier", "2500"),
    ("Beveren", "9120"), ("Vilvoorde", "1800"), ("Heist-op-den-Berg", "2220"), ("Geel", "2440"),
    ("Waregem", "8790"), ("Ieper", "8900"), ("Tienen", "3300"), ("Lokeren", "9160"), ("Mol", "2400"),
    ("Tongeren", "3700"), ("Oudenaarde", "9700"), ("Diest", "3290"), ("Eeklo", "9900"), ("Torhout", "8820"),
    ("Maaseik", "3680"), ("Halle", "1500"), ("Ninove", "9400"), ("Zottegem", "9620"), ("Poperinge", "8970"),
)  # fmt: skip

REGISTRY = RegistrySpec(
    authority_code="BE-VLG",
    number_prefix="VLG",
    school_year=SCHOOL_YEAR,
    language="nl",
    kinds=(
        SchoolKind(
            "BaO",
            "Basisschool",
            (0, 1),
            count=2_695,
            size=(40, 560),
            pupils_per_teacher=13.5,
            private_share=0.62,
            grades=((1, (1, 2, 3, 4, 5, 6)),),
        ),
        SchoolKind(
            "SO", "Secundaire school", (2, 3), count=1_091, size=(60, 1000), pupils_per_teacher=9.0, private_share=0.7
        ),
        SchoolKind("KO", "Kleuterschool", (0,), count=160, size=(25, 180), pupils_per_teacher=15.0, private_share=0.5),
        SchoolKind(
            "DKO", "Academie deeltijds kunstonderwijs", (1, 2, 3), count=167, size=(300, 2400), pupils_per_teacher=20.0
        ),
        SchoolKind(
            "CVO",
            "Centrum voor volwassenenonderwijs",
            (3, 4),
            count=106,
            size=(500, 5000),
            pupils_per_teacher=25.0,
            private_share=0.4,
        ),
    ),  # fmt: skip
    operators=(
        Operator("GO-ANT", "GO! Scholengroep Antwerpen", weight=1.0),
        Operator("GO-GNT", "GO! Scholengroep Gent", weight=1.0),
        Operator("GO-WVL", "GO! Scholengroep West-Vlaanderen", weight=0.8),
        Operator("GO-LIM", "GO! Scholengroep Limburg", weight=0.8),
        Operator("GO-VBR", "GO! Scholengroep Vlaams-Brabant", weight=0.6),
        Operator("OVSG", "Stedelijk en gemeentelijk onderwijs (OVSG)", weight=3.0),
        Operator("POV", "Provinciaal onderwijs Vlaanderen", weight=0.4),
        Operator("KOV-ANT", "Katholiek Onderwijs Bisdom Antwerpen vzw", "private", weight=3.0),
        Operator("KOV-GNT", "Katholiek Onderwijs Bisdom Gent vzw", "private", weight=2.5),
        Operator("KOV-BRG", "Katholiek Onderwijs Bisdom Brugge vzw", "private", weight=2.5),
        Operator("KOV-MB", "Katholiek Onderwijs Aartsbisdom Mechelen-Brussel vzw", "private", weight=2.5),
        Operator("KOV-HAS", "Katholiek Onderwijs Bisdom Hasselt vzw", "private", weight=1.5),
        Operator(
            "FOPEM",
            "Federatie van Onafhankelijke Pluralistische Emancipatorische Methodescholen",
            "private",
            weight=0.3,
        ),
        Operator("STEINER", "Federatie Steinerscholen vzw", "private", weight=0.2),
    ),  # fmt: skip
    places=TOWNS,
    bbox=(50.70, 2.60, 51.45, 5.85),
    ses_scale="be-vl-disadvantaged-share",
    ses=lambda rng: Decimal(f"{100 * rng.betavariate(1.6, 3.6):.1f}"),
    streets=("Schoolstraat", "Kerkstraat", "Dorpsstraat", "Stationsstraat", "Molenstraat", "Nieuwstraat", "Markt"),
    name_pattern="{label} {city} {index}",
)

PURCHASE_MODELS = (
    ("acer-c733", "Acer", "Chromebook 311 (C733)", "chromebook", Decimal("289.00"), 24),
    ("hp-probook-440-g8", "HP", "ProBook 440 G8", "laptop", Decimal("719.00"), 36),
    ("samsung-tab-a8", "Samsung", "Galaxy Tab A8", "tablet", Decimal("239.00"), 24),
)
SERIAL_PREFIX = {"chromebook": "NXC733VL", "laptop": "5CG440VL", "tablet": "R9TA8VL"}
VENDORS = (
    "Signpost Belgium nv (scenario)",
    "Cevi ICT-partner (scenario)",
    "Schoolonline bv (scenario)",
    "Lokale ICT-dienst vzw (scenario)",
)
PURCHASE_SHARE = 0.2


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


class Flanders(Scenario):
    """Seed 001: 3,786 compulsory schools and the wider field, the per-pupil round approved and
    paid, self-bought devices reported; milestone 401 met from the payments."""

    name = "flanders"
    programme_code = "flanders-digisprong"
    seed = 401

    def steps(self):
        return [self.registry, self.funding_round, self.payments, self.wider_field, self.purchases,
                self.training, self.history]  # fmt: skip  # training: flanders_training.py (issue 14)

    def registry(self, run: Run) -> None:
        with clock(moment(datetime.date(2021, 2, 1))):
            run.add("schools", load_registry(run, REGISTRY))

    def _approved_round(self, run: Run, *, code: str, data: dict, approved_on: datetime.date):
        from digileap.allocation.models import AllocationRound
        from digileap.allocation.services.rounds import round_compute, round_create, version_approve, version_publish

        with clock(moment(approved_on - datetime.timedelta(days=14))):
            allocation_round = round_create(
                actor=run.actor,
                programme=run.programme,
                data={
                    "code": code,
                    "funding_source": self._source(run),
                    "resource": AllocationRound.Resource.MONEY,
                    "school_year": SCHOOL_YEAR,
                    **data,
                },
            )
            version = round_compute(actor=run.actor, allocation_round=allocation_round, note="Pupil counts 2020/21")
        with clock(moment(approved_on, 11)):
            version = version_approve(actor=run.actor, version=version)
        with clock(moment(approved_on, 15)):
            version_publish(actor=run.actor, version=version)
        run.add("allocation rounds", 1)
        return version

    def funding_round(self, run: Run) -> None:
        """The per-pupil round of the compulsory schools, approved, and its total committed."""
        from digileap.programmes.services import funding_transaction_record

        version = self._approved_round(
            run,
            code=ROUND_CODE,
            data={
                "name": "Digisprong: ICT means per pupil (compulsory education)",
                "description": "EUR 25 a pupil in grades 1-4, 290 in grades 5-6, 510 in secondary education and 42 "
                "a pupil for infrastructure, in proportion, within the round's total.",
                "total": cents(ROUND_TOTAL * run.scale.factor),
                "distribution": "proportional",
                "eligibility": {"school_types": COMPULSORY, "levels": [1, 2, 3]},
                "formula": DIGISPRONG_FORMULA,
            },
            approved_on=APPROVED_ON,
        )
        with clock(moment(APPROVED_ON, 16)):
            funding_transaction_record(
                actor=run.actor,
                programme=run.programme,
                source=self._source(run),
                kind="committed",
                amount=version.total,
                date=APPROVED_ON,
                reference=f"{ROUND_CODE} v{version.number}",
            )
        run.add("funding transactions", 1)

    def payments(self, run: Run) -> None:
        """Each compulsory school's amount in two instalments; the first in three waves."""
        rng = run.rng("payments")
        lines = self._lines(run, ROUND_CODE)
        rng.shuffle(lines)
        count = len(lines)
        first_days: list[datetime.date] = []
        start = 0
        for first, last, share in WAVES:
            size = count - start if share is None else int(count * share)
            days = working_days(first, last)
            first_days += [days[index * len(days) // max(1, size)] for index in range(size)]
            start += size
        entries = []
        for (line, school), day in zip(lines, first_days, strict=True):
            half = cents(line.amount / 2)
            second_day = min(day + datetime.timedelta(days=rng.randint(150, 220)), datetime.date(2022, 12, 16))
            while second_day.weekday() >= 5:
                second_day -= datetime.timedelta(days=1)
            entries.append((day, school, half, f"{ROUND_CODE} {school.number} 1/2"))
            entries.append((second_day, school, line.amount - half, f"{ROUND_CODE} {school.number} 2/2"))
        self._pay(run, entries)

    def wider_field(self, run: Run) -> None:
        """Pre-schools, academies and adult education: EUR 2,500 a school and 20 a pupil, approved in
        September 2022 and paid in November and December 2022."""
        from digileap.programmes.services import funding_transaction_record

        version = self._approved_round(
            run,
            code=WIDER_ROUND_CODE,
            data={
                "name": "Digisprong: ICT means for the wider field",
                "description": "Pre-schools, part-time arts education and adult education: EUR 2,500 a school and "
                "20 a pupil.",
                "eligibility": {"school_types": WIDER_FIELD},
                "formula": WIDER_FORMULA,
            },
            approved_on=WIDER_APPROVED_ON,
        )
        with clock(moment(WIDER_APPROVED_ON, 16)):
            funding_transaction_record(
                actor=run.actor,
                programme=run.programme,
                source=self._source(run),
                kind="committed",
                amount=version.total,
                date=WIDER_APPROVED_ON,
                reference=f"{WIDER_ROUND_CODE} v{version.number}",
            )
        run.add("funding transactions", 1)
        lines = self._lines(run, WIDER_ROUND_CODE)
        days = working_days(datetime.date(2022, 11, 7), datetime.date(2022, 12, 16))
        self._pay(
            run,
            [
                (days[index * len(days) // len(lines)], school, line.amount, f"{WIDER_ROUND_CODE} {school.number}")
                for index, (line, school) in enumerate(lines)
            ],
        )

    def purchases(self, run: Run) -> None:
        """One compulsory school in five reports devices bought with its funding."""
        from digileap.devices.services.purchases import self_purchase_report
        from digileap.programmes.models import FundingTransaction

        rng = run.rng("purchases")
        models = [
            ensure_device_model(
                run,
                code=code,
                manufacturer=maker,
                name=name,
                device_type=kind,
                unit_price=price,
                warranty_months=warranty,
            )
            for code, maker, name, kind, price, warranty in PURCHASE_MODELS
        ]
        paid_on: dict[int, datetime.date] = {}
        for school_id, day in (
            FundingTransaction.objects.filter(programme=run.programme, kind="paid", school__type_code__in=COMPULSORY)
            .order_by("school_id", "date")
            .values_list("school_id", "date")
        ):
            paid_on.setdefault(school_id, day)
        schools = [school for school in run.schools().filter(type_code__in=COMPULSORY) if school.pk in paid_on]
        chosen = sorted(rng.sample(schools, round(len(schools) * PURCHASE_SHARE)), key=lambda s: s.number)
        serial = 0
        devices = 0
        for index, school in enumerate(chosen):
            model = models[0] if school.type_code == "BaO" and rng.random() < 0.6 else rng.choice(models)
            pupils = school.pupils_total or 100
            quantity = max(5, min(120, round(pupils * rng.uniform(0.04, 0.12))))
            earliest = paid_on[school.pk] + datetime.timedelta(days=rng.randint(14, 120))
            invoice_date = min(earliest, datetime.date(2022, 12, 9))
            while invoice_date.weekday() >= 5:
                invoice_date -= datetime.timedelta(days=1)
            entries = []
            for _ in range(quantity):
                serial += 1
                entries.append({"device_model": model, "serial": f"{SERIAL_PREFIX[model.device_type]}{serial:07d}"})
            with clock(moment(invoice_date + datetime.timedelta(days=rng.randint(1, 10)), 14)):
                self_purchase_report(
                    actor=run.actor,
                    programme=run.programme,
                    school=school,
                    funding_source=self._source(run),
                    invoice_reference=f"F{invoice_date.year}-{index + 1:05d}",
                    invoice_date=invoice_date,
                    vendor=VENDORS[rng.randrange(len(VENDORS))],
                    amount=(model.unit_price * quantity).quantize(Decimal("0.01")),
                    devices=entries,
                    note="Bought with the school's Digisprong ICT means.",
                )
            devices += quantity
        run.add("self-bought purchases", len(chosen))
        run.add("devices", devices)

    def training(self, run: Run) -> None:
        """Teacher training (issue 14): ``flanders_training.training``."""
        flanders_training.training(run)

    def history(self, run: Run) -> None:
        due_dates = list(run.programme.targets.values_list("due_date", flat=True))
        record_history(
            run, history_days(datetime.date(2021, 1, 4), run.today, extra=due_dates, weekly_until=WEEKLY_UNTIL)
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _source(self, run: Run):
        return run.programme.funding_sources.order_by("position").first()

    def _lines(self, run: Run, code: str) -> list[tuple]:
        from digileap.allocation.models import AllocationLine, AllocationVersion

        lines = (
            AllocationLine.objects.filter(
                version__round__programme=run.programme,
                version__round__code=code,
                version__status__in=[AllocationVersion.Status.APPROVED, AllocationVersion.Status.PUBLISHED],
                amount__gt=0,
            )
            .select_related("school")
            .order_by("school__number")
        )
        return [(line, line.school) for line in lines]

    def _pay(self, run: Run, entries: list[tuple]) -> None:
        """Record the payments (day, school, amount, reference) in date order, each through
        ``funding_transaction_record`` at its own day."""
        from digileap.programmes.services import funding_transaction_record

        source = self._source(run)
        for day, school, amount, reference in sorted(entries, key=lambda entry: (entry[0], entry[1].number)):
            with clock(moment(day, 12)):
                funding_transaction_record(
                    actor=run.actor,
                    programme=run.programme,
                    source=source,
                    kind="paid",
                    amount=amount,
                    date=day,
                    school=school,
                    reference=reference,
                )
        run.add("funding transactions", len(entries))

    def extra_summary(self, run: Run) -> dict:
        from digileap.devices.models import SelfPurchase
        from digileap.programmes.models import FundingTransaction

        paid = FundingTransaction.objects.filter(programme=run.programme, kind="paid", school__isnull=False)
        by_october = paid.filter(date__lte=datetime.date(2022, 10, 31)).aggregate(n=Count("school_id", distinct=True))[
            "n"
        ]
        return {
            "compulsory_schools": run.schools().filter(type_code__in=COMPULSORY).count(),
            "schools_paid_by_october_2022": by_october,
            "schools_paid": paid.aggregate(n=Count("school_id", distinct=True))["n"],
            "paid_eur": str((paid.aggregate(total=Sum("amount"))["total"] or Decimal(0)).quantize(Decimal("0.01"))),
            "self_bought_purchases": SelfPurchase.objects.filter(programme=run.programme).count(),
        }
