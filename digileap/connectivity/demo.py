"""Demo connectivity for ``manage.py seed_demo``: the Latvian seed programme's bandwidth survey
(seed 003, ``latvia-dators-ikvienam-bernam``), so that the map, the report and its third milestone
(30 June 2024: data on the schools' bandwidth collected and analysed, proposals prepared) show
real content.

The seed programme's authority has no schools in the demo registry; as in the devices demo
(``devices/demo.py``), its schools are those of the Latvian demo region (``DEMO-VZ``, Vidzeme):

- the campaign ``LV-DEMO-2024`` covers every open school of the region (48 in the default demo),
  open from 1 March to 30 April 2024 and closed on its last day;
- about 80 % of the schools answer (through ``response_save``): classrooms and those with usable
  Wi-Fi, access points, switches and their age, cabling, the distance to fibre, the problems seen,
  and their uplinks by technology with contracted speeds, monthly costs and contract dates;
- most schools are measured, four tests a school day over three weeks (8 to 26 April 2024), as a
  Giga Meter export through the import engine (``measurements``, profile ``giga``): fibre schools
  near or above 1 Gbit/s, DSL and mobile ones far below, a few with too few tests for a status;
- the daily aggregates (``aggregate_days``), the usual benchmarks, cost parameters in EUR,
  an analysis as of 14 June 2024, and its report (Latvian) attached to the milestone as evidence
  (``report_attach``) and approved on 20 June 2024.

The milestone counts the schools surveyed, so it moves (the demo region's schools out of the
seed's 593). Idempotent: when the campaign exists nothing is written. Dates are the seed
programme's own, not counted from today.
"""

import contextlib
import csv
import datetime
import io
import random
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from digileap.core import audit
from digileap.core.permissions import SystemActor

PROGRAMME_CODE = "latvia-dators-ikvienam-bernam"
REGION = "DEMO-VZ"
CAMPAIGN_CODE = "LV-DEMO-2024"
STARTS_ON = datetime.date(2024, 3, 1)
ENDS_ON = datetime.date(2024, 4, 30)
MEASURED_FROM = datetime.date(2024, 4, 8)
MEASURED_TO = datetime.date(2024, 4, 26)
ANALYSED_ON = datetime.date(2024, 6, 14)
REPORTED_ON = datetime.date(2024, 6, 17)
APPROVED_ON = datetime.date(2024, 6, 20)
TEST_HOURS = ((8, 35), (10, 20), (12, 5), (14, 40))  # four tests a school day
MILESTONE_POSITION = 3
NAME = {
    "lv": "Skolu interneta pieslēguma apsekojums 2024 (demo)",
    "en": "School internet connectivity survey 2024 (demo)",
}
DESCRIPTION = {
    "lv": "Datu pārraides jaudas, iekšējā tīkla un problēmu apsekojums Vidzemes demo skolās.",
    "en": "Bandwidth, internal network and problems of the demo schools in Vidzeme.",
}

# (technology, providers, contracted download choices, upload share, monthly cost range in EUR,
#  measured share of the contracted speed (low, high), weight)
UPLINK_KINDS = (
    ("fibre", ("Tet", "Latvijas Mobilais Telefons", "Baltcom"), (300, 500, 1000, 1000), 1.0, (120, 320), (0.85, 1.25), 34),
    ("dsl", ("Tet",), (20, 30, 50, 100), 0.15, (28, 60), (0.45, 0.9), 28),
    ("mobile", ("Bite Latvija", "Tele2", "LMT"), (50, 100, 150), 0.3, (25, 55), (0.2, 0.8), 22),
    ("cable", ("Baltcom", "Balticom"), (250, 500), 0.2, (60, 120), (0.6, 0.95), 10),
    ("radio", ("Ventspils Radio Link",), (20, 50), 0.5, (45, 90), (0.5, 0.9), 6),
)  # fmt: skip
PROBLEMS_BY_TECHNOLOGY = {
    "fibre": ("wifi_coverage", "wifi_capacity", "old_equipment"),
    "dsl": ("slow_at_peak", "outages", "wifi_capacity", "too_expensive"),
    "mobile": ("slow_at_peak", "outages", "wifi_coverage"),
    "cable": ("slow_at_peak", "wifi_coverage", "no_support"),
    "radio": ("outages", "slow_at_peak", "no_support"),
}
COSTS = {
    "fibre_per_km": Decimal("14500.00"),
    "fibre_connection": Decimal("1800.00"),
    "fibre_default_km": Decimal("1.50"),
    "fibre_monthly": Decimal("190.00"),
    "upgrade_per_mbps_month": Decimal("0.45"),
    "wifi_per_classroom": Decimal("520.00"),
    "switch_per_site": Decimal("2400.00"),
    "switch_max_age_years": 8,
    "technology_limits": {"dsl": 100, "mobile": 300, "cable": 1000, "radio": 100, "satellite": 200, "fibre": 10000},
    "years": 5,
    "priority": "gap_per_pupil",
}
TARGET_BENCHMARK = "per-pupil"


@contextlib.contextmanager
def _at(moment: datetime.datetime) -> Iterator[None]:
    """Within the block ``timezone.now()`` is ``moment``, so the services stamp the programme's own
    days (``seed_demo`` runs alone in its process)."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


def _moment(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def school_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Monday to Friday from ``start`` to ``end``."""
    days = (start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5]


def draw_answer(
    rng: random.Random, pupils: int, *, contract_year: int = 2022, weights: dict[str, float] | None = None
) -> tuple[dict, list[dict], float]:
    """One school's survey answer (data, uplinks) and the share of its contracted download it
    really gets, drawn from ``rng`` for a school of ``pupils`` pupils; ``weights`` (technology ->
    weight) change how common each technology is."""
    kinds = UPLINK_KINDS
    chances = [(weights or {}).get(kind[0], kind[-1]) for kind in kinds]
    technology, providers, speeds, upload_share, (cost_low, cost_high), (share_low, share_high), _w = rng.choices(
        kinds, weights=chances
    )[0]
    download = rng.choice(speeds)
    if technology == "fibre" and pupils > 500:
        download = 1000
    classrooms = max(4, round(pupils / rng.uniform(14, 22)))
    wifi = classrooms if rng.random() < 0.3 else rng.randint(max(0, classrooms // 3), classrooms)
    switches = max(1, round(classrooms / rng.uniform(6, 12)))
    start = datetime.date(contract_year - rng.randint(0, 3), rng.choice((1, 4, 7, 9)), 1)
    uplinks = [
        {
            "technology": technology,
            "provider": rng.choice(providers),
            "download_mbps": Decimal(download),
            "upload_mbps": Decimal(round(download * upload_share)) or Decimal(1),
            "monthly_cost": Decimal(f"{rng.randint(cost_low, cost_high) - 1}.99"),
            "contract_start": start,
            "contract_end": start.replace(year=start.year + rng.choice((2, 3, 4))) - datetime.timedelta(days=1),
        }
    ]
    if technology in ("dsl", "mobile") and rng.random() < 0.25:  # a mobile back-up line
        uplinks.append(
            {
                "technology": "mobile",
                "provider": rng.choice(("Bite Latvija", "Tele2", "LMT")),
                "download_mbps": Decimal(50),
                "upload_mbps": Decimal(15),
                "monthly_cost": Decimal("19.99"),
                "contract_start": start,
                "contract_end": None,
            }
        )
    possible = PROBLEMS_BY_TECHNOLOGY[technology]
    problems = sorted(rng.sample(possible, rng.randint(0, min(3, len(possible)))))
    texts = {
        "slow_at_peak": "Stundās, kad visa klase strādā tiešsaistē, savienojums kļūst ļoti lēns.",
        "outages": "Pieslēgums pazūd vairākas reizes mēnesī, īpaši sliktos laikapstākļos.",
        "wifi_coverage": "Sporta zālē un darbnīcās Wi-Fi nav.",
    }
    data = {
        "classrooms": classrooms,
        "classrooms_wifi": wifi,
        "access_points": max(wifi, round(wifi * rng.uniform(0.8, 1.5))),
        "switches": switches,
        "switch_age_years": rng.randint(1, 14),
        "cabling": rng.choice(("cat5", "cat6", "cat6", "mixed", "fibre", "unknown")),
        "fibre_distance_km": None if technology == "fibre" else Decimal(f"{rng.uniform(0.2, 9.0):.2f}"),
        "problems": problems,
        "problems_text": next((texts[code] for code in problems if code in texts), ""),
    }
    return data, uplinks, rng.uniform(share_low, share_high)


def draw_tests(
    rng: random.Random,
    contracted: float,
    share: float,
    days: list[datetime.date],
    *,
    tests_a_day: int = len(TEST_HOURS),
) -> list[tuple[datetime.datetime, float, float, float]]:
    """A school's speed tests (time, download, upload in Mbit/s, latency in ms): ``tests_a_day`` a
    day on ``days``, around ``share`` of the contracted download, with the spread of a school
    network (slower in the busy middle of the day)."""
    tests = []
    for day in days:
        for slot, (hour, minute) in enumerate(TEST_HOURS[:tests_a_day]):
            busy = 0.82 if slot in (1, 2) else 1.0
            download = max(0.3, contracted * share * busy * rng.uniform(0.85, 1.12))
            upload = max(0.1, download * rng.uniform(0.15, 0.9))
            latency = rng.uniform(6, 45) if contracted >= 100 else rng.uniform(25, 90)
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute + rng.randint(0, 9))))
            tests.append((at, download, upload, latency))
    return tests


def giga_rows(number: str, tests) -> list[dict[str, str]]:
    """``tests`` as rows of a Giga Meter / Daily Check App export (UTC times, speeds in kbit/s)."""
    return [
        {
            "Timestamp": at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "school_id": number,
            "Download": f"{download * 1000:.0f}",
            "Upload": f"{upload * 1000:.0f}",
            "Latency": f"{latency:.0f}",
        }
        for at, download, upload, latency in tests
    ]


def generic_rows(number: str, tests, connection: str = "wired") -> list[dict[str, str]]:
    """``tests`` as rows of Digileap's own measurement file (local times, Mbit/s)."""
    return [
        {
            "measured_at": timezone.localtime(at).isoformat(timespec="seconds"),
            "school": number,
            "download_mbps": f"{download:.2f}",
            "upload_mbps": f"{upload:.2f}",
            "latency_ms": f"{latency:.1f}",
            "connection": connection,
        }
        for at, download, upload, latency in tests
    ]


def import_measurements(actor, rows: list[dict[str, str]], *, profile: str, filename: str):
    """``rows`` as a CSV file through the import engine's ``measurements`` target."""
    from digileap.core.tabular.engine import run_import

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return run_import(
        target="measurements",
        profile=profile,
        source=io.BytesIO(out.getvalue().encode("utf-8")),
        actor=actor,
        filename=filename,
    )


def _cover_schools(actor, campaign, schools: list) -> None:
    """The campaign covers exactly ``schools``. ``campaign_set_schools`` takes only schools of the
    programme's authority, and the seed authority has none in the demo registry: the demo links
    the demo region's schools itself (audited)."""
    from .models import CampaignSchool

    current = set(CampaignSchool.objects.filter(campaign=campaign).values_list("school_id", flat=True))
    CampaignSchool.objects.filter(campaign=campaign).delete()
    CampaignSchool.objects.bulk_create([CampaignSchool(campaign=campaign, school=school) for school in schools])
    audit.record(
        actor=actor,
        action="update",
        instance=campaign,
        before={"schools": len(current)},
        after={"schools": len(schools), "added": sorted(school.pk for school in schools)},
    )


@transaction.atomic
def seed_demo_connectivity(*, today: datetime.date | None = None) -> Counter:
    """Seed the Latvian programme's demo survey, measurements, analysis and report; returns what was
    created (empty: nothing, the data were there or the programme or region is missing).

    ``today`` is accepted like the other demo seeders' but unused: the data carry the seed
    programme's own dates (2024)."""
    from digileap.programmes.models import Programme
    from digileap.programmes.services import evidence_document_approve
    from digileap.schools.models import School

    from .models import Campaign, Measurement
    from .services.aggregation import aggregate_days
    from .services.analysis import analysis_run, benchmarks_install_defaults, cost_parameters_save
    from .services.campaigns import campaign_close, campaign_create, campaign_open
    from .services.reports import report_attach
    from .services.survey import response_save

    created: Counter = Counter()
    programme = Programme.objects.filter(code=PROGRAMME_CODE).select_related("authority").first()
    if programme is None or Campaign.objects.filter(programme=programme, code=CAMPAIGN_CODE).exists():
        return created
    schools = list(School.objects.filter(authority__code=REGION, status=School.Status.OPEN).order_by("number"))
    if not schools:
        return created
    actor = SystemActor("seed_demo")
    rng = random.Random(f"connectivity-demo:{CAMPAIGN_CODE}")

    with _at(_moment(STARTS_ON - datetime.timedelta(days=10))):
        campaign = campaign_create(
            actor=actor,
            programme=programme,
            data={
                "code": CAMPAIGN_CODE,
                "name": NAME,
                "description": DESCRIPTION,
                "starts_on": STARTS_ON,
                "ends_on": ENDS_ON,
                "reminder_days": [14, 7, 1],
            },
        )
        _cover_schools(actor, campaign, schools)
    with _at(_moment(STARTS_ON, 8)):
        campaign = campaign_open(actor=actor, campaign=campaign)
    created["connectivity campaigns"] += 1

    # About 80 % answer, spread over the campaign's school days; most schools are measured.
    days = school_days(STARTS_ON, ENDS_ON - datetime.timedelta(days=3))
    answering = sorted(rng.sample(range(len(schools)), round(len(schools) * 0.8)))
    # One school in eight is not measured, one in twelve tests on one day only (a tiny region keeps
    # at least one school measured fully).
    not_measured = set(rng.sample(range(len(schools)), min(max(1, len(schools) // 8), len(schools) - 1)))
    measured = sorted(set(range(len(schools))) - not_measured)
    few_tests = set(rng.sample(measured, min(max(1, len(schools) // 12), len(measured) - 1)))
    measured_days = school_days(MEASURED_FROM, MEASURED_TO)
    rows: list[dict[str, str]] = []
    for index, school in enumerate(schools):
        data, uplinks, share = draw_answer(rng, school.pupils_total or 150)
        if index in answering:
            day = days[rng.randrange(len(days))]
            with _at(_moment(day, rng.randint(8, 16), rng.randint(0, 59))):
                response_save(actor=actor, campaign=campaign, school=school, data=data, uplinks=uplinks, submit=True)
            created["survey answers"] += 1
        if index in not_measured:
            continue
        contracted = float(uplinks[0]["download_mbps"])
        if index in few_tests:  # two tests on one day: too few for a status
            tests = draw_tests(rng, contracted, share, measured_days[:1], tests_a_day=2)
        else:
            tests = draw_tests(rng, contracted, share, measured_days)
        rows += giga_rows(school.number, tests)
    with _at(_moment(ENDS_ON, 18)):
        campaign_close(actor=actor, campaign=campaign)
    with _at(_moment(MEASURED_TO + datetime.timedelta(days=3), 7)):
        before = Measurement.objects.count()
        if rows:
            import_measurements(actor, rows, profile="giga", filename="giga-meter-vidzeme-2024-04.csv")
        created["measurements"] += Measurement.objects.count() - before
        created["daily measurement summaries"] += aggregate_days(start=MEASURED_FROM, end=MEASURED_TO, schools=schools)

    with _at(_moment(ANALYSED_ON, 9)):
        benchmarks = {b.code: b for b in benchmarks_install_defaults(actor=actor, programme=programme)}
        cost_parameters_save(
            actor=actor, programme=programme, data={**COSTS, "target_benchmark": benchmarks[TARGET_BENCHMARK]}
        )
        analysis_run(actor=actor, campaign=campaign, as_of=ANALYSED_ON)
    created["connectivity analyses"] += 1

    milestone = programme.targets.filter(position=MILESTONE_POSITION).first()
    if milestone is not None:
        with _at(_moment(REPORTED_ON, 11)):
            document = report_attach(actor=actor, campaign=campaign, target=milestone, language="lv")
        with _at(_moment(APPROVED_ON, 14)):
            evidence_document_approve(actor=actor, document=document)
        created["evidence documents"] += 1
    return created


__all__ = ["seed_demo_connectivity"]
