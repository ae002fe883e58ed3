"""Demo programmes for ``manage.py seed_demo``: the five seed programmes, and one demo programme
over the demo registry's first region (where the demo users work) with money committed and paid
per school, so that
the dashboard, the map, the burn-up charts and the evidence packs have something to show.

Idempotent: the programme is found by code, each ledger entry by its reference, so a second run
writes nothing (and no audit event). Entries are dated back from the day of the first run.
"""

import datetime
import io
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from digileap.core.permissions import SystemActor

from . import services
from .models import FundingTransaction, Programme

DEMO_CODE = "demo-nordhafen-digitalpakt"
DEMO_AUTHORITY = "DEMO-NH"  # the demo users' authority (portal/demo.py)
PER_PUPIL = Decimal("290.00")
# Every text of the demo in the five languages (issue 11, defect 13: the titles were English only).
TARGET_TITLES = {
    "D1": {
        "en": "Schools funded",
        "nl": "Gefinancierde scholen",
        "fr": "Écoles financées",
        "de": "Geförderte Schulen",
        "lv": "Finansētās skolas",
    },
    "D2": {
        "en": "Money paid to school boards",
        "nl": "Uitbetaald aan schoolbesturen",
        "fr": "Montants versés aux pouvoirs organisateurs",
        "de": "An Schulträger ausgezahlt",
        "lv": "Skolu dibinātājiem izmaksātie līdzekļi",
    },
}
FUNDING_NAMES = {
    "eu_rrf": {
        "en": "EU RRF (demo)",
        "nl": "EU-herstelfaciliteit (demo)",
        "fr": "FRR de l'UE (démo)",
        "de": "EU-Aufbaufazilität (Demo)",
        "lv": "ES ANM (demonstrācija)",
    },
    "regional": {
        "en": "Regional budget (demo)",
        "nl": "Regionaal budget (demo)",
        "fr": "Budget régional (démo)",
        "de": "Landeshaushalt (Demo)",
        "lv": "Reģionālais budžets (demonstrācija)",
    },
}


def _programme(actor, authority, schools: int) -> Programme:
    programme = Programme.objects.filter(code=DEMO_CODE).first()
    if programme is not None:
        return programme
    programme = services.programme_create(
        actor=actor,
        data={
            "code": DEMO_CODE,
            "name": {
                "en": "Digital Pact Nordhafen (demo)",
                "de": "DigitalPakt Nordhafen (Demo)",
                "nl": "Digitaal Pact Nordhafen (demo)",
                "fr": "Pacte numérique Nordhafen (démo)",
                "lv": "Digitālais pakts Nordhafen (demonstrācija)",
            },
            "description": {
                "en": "A demo programme over the demo registry: every school is funded per pupil (EUR 290), "
                "school boards buy the devices and are paid when they report them.",
                "de": "Ein Demo-Programm: jede Schule erhält 290 EUR je Schülerin und Schüler; die Schulträger "
                "beschaffen die Geräte selbst und werden nach dem Nachweis ausgezahlt.",
                "nl": "Een demoprogramma over het demoregister: elke school krijgt 290 EUR per leerling; de "
                "schoolbesturen kopen de toestellen zelf en worden betaald wanneer ze die melden.",
                "fr": "Un programme de démonstration sur le registre de démo : chaque école reçoit 290 EUR par "
                "élève ; les pouvoirs organisateurs achètent les appareils et sont payés lorsqu'ils les déclarent.",
                "lv": "Demonstrācijas programma demonstrācijas reģistrā: katra skola saņem 290 EUR par katru "
                "skolēnu; skolu dibinātāji paši iegādājas ierīces un saņem samaksu, kad par tām ziņo.",
            },
            "authority": authority,
            "country": "DE",
            "region": authority.name,
            "period_start": datetime.date(2024, 9, 1),
            "period_end": datetime.date(2028, 8, 31),
            "status": Programme.Status.IN_PROGRESS,
            "is_public": True,
            "climate_contribution": Decimal("0"),
            "digital_contribution": Decimal("100"),
            "sdgs": [4, 10],
            "end_goal": {
                "en": "Every school of the region funded for a device per pupil.",
                "nl": "Elke school van de regio gefinancierd voor een toestel per leerling.",
                "fr": "Chaque école de la région financée pour un appareil par élève.",
                "de": "Jede Schule der Region für ein Gerät je Schülerin und Schüler gefördert.",
                "lv": "Katrai reģiona skolai finansējums vienai ierīcei katram skolēnam.",
            },
            "gender_equality_impact": {
                "en": "This project contributes to the equal treatment of women and men.",
                "nl": "Dit project draagt bij tot een gelijke behandeling van vrouwen en mannen.",
                "fr": "Ce projet contribue à l'égalité de traitement entre les femmes et les hommes.",
                "de": "Dieses Projekt trägt zur Gleichbehandlung von Frauen und Männern bei.",
                "lv": "Šis projekts veicina vienlīdzīgu attieksmi pret sievietēm un vīriešiem.",
            },
        },
    )
    services.funding_source_create(
        actor=actor,
        programme=programme,
        data={"kind": "eu_rrf", "name": FUNDING_NAMES["eu_rrf"], "amount": Decimal("10000000.00"), "position": 1},
    )
    services.funding_source_create(
        actor=actor,
        programme=programme,
        data={
            "kind": "regional",
            "name": FUNDING_NAMES["regional"],
            "amount": Decimal("2000000.00"),
            "position": 2,
        },
    )
    for position, (number, title, value, kind, parameters) in enumerate(
        [
            ("D1", TARGET_TITLES["D1"], schools, "schools_reached", {}),
            ("D2", TARGET_TITLES["D2"], 8_000_000, "money", {"measure": "paid"}),
        ],
        start=1,
    ):  # fmt: skip
        target = services.target_create(
            actor=actor,
            programme=programme,
            data={
                "position": position,
                "number": number,
                "title": title,
                "target_value": Decimal(value),
                "unit": "schools" if kind == "schools_reached" else "EUR",
                "due_date": datetime.date(2027, 6, 30),
                "due_label": "Q2 2027",
            },
        )
        services.indicator_define(actor=actor, target=target, kind=kind, parameters=parameters)
    return programme


@transaction.atomic
def seed_demo_programmes(*, today: datetime.date | None = None) -> int:
    """Load the seed programmes and the demo programme with its ledger. Returns the new entries."""
    from digileap.schools.models import Authority, School

    call_command("load_seed_programmes", stdout=io.StringIO())
    authority = Authority.objects.filter(code=DEMO_AUTHORITY).first()
    if authority is None:
        return 0
    actor = SystemActor("seed_demo")
    schools = list(School.objects.filter(authority=authority).order_by("number"))
    programme = _programme(actor, authority, len(schools))
    source = programme.funding_sources.get(position=1)
    today = today or timezone.localdate()
    existing = set(FundingTransaction.objects.filter(programme=programme).values_list("reference", flat=True))
    created = 0
    for index, school in enumerate(schools):
        if index % 5 == 4:
            continue  # one school in five has not applied yet
        amount = PER_PUPIL * (school.pupils_total or 100)
        committed_on = today - datetime.timedelta(days=360 - (index * 37) % 330)
        entries = [("committed", f"DEMO-C-{school.number}", committed_on)]
        if index % 3 != 2:
            entries.append(("paid", f"DEMO-P-{school.number}", min(today, committed_on + datetime.timedelta(days=45))))
        for kind, reference, day in entries:
            if reference in existing:
                continue
            services.funding_transaction_record(
                actor=actor,
                programme=programme,
                source=source,
                kind=kind,
                amount=amount,
                date=day,
                school=school,
                reference=reference,
            )
            created += 1
    if created:
        services.snapshots_backfill(start=today - datetime.timedelta(days=60), end=today, programmes=[programme])
    return created
