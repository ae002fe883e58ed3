"""Seed 004, "DigitalPakt Schule in Mecklenburg-Vorpommern", at its real size (``load_seed_scenario mv``).

What the seed states, and how it is played:

- **207 school operators and their schools**: the 6 districts (Landkreise) run the gymnasiums,
  comprehensive, special and vocational schools; the 2 district-free cities (Rostock, Schwerin) run
  schools of every kind in their city; 199 towns, municipalities, offices (Ämter) and school
  associations run the primary and regional schools, each at least one. 560 public schools in
  all (300 primary, 110 regional, 24 comprehensive, 40 gymnasiums, 65 special, 21 vocational)
  with about 174,000 pupils in 2019/20. Operators' names are the state's towns; schools,
  addresses and figures are invented.
- **The money**: EUR 99,209,500 from the federal government. Allocation round ``MV-DPS-BUDGET``
  (computed 19 August, approved 26 August 2019) gives each school its budget, EUR 20,000 a
  school plus an amount per pupil, scaled to the federal sum exactly.
- **The roll-out plan (ROP)** ``MV-ROP-2019-2024``: which school benefits in which funding year,
  2019 to 2024, under a yearly cap (8, 18, 22, 22, 18 and 12 % of the sum), an operator in at most
  two years; built and optimised in October and adopted on 13 November 2019. At full scale 557
  schools get a year (104, 165, 135, 83, 45 and 25); the 3 left wait for money.
- **Change requests**: operators ask eGo-MV to move a school to a later year (building works,
  tenders) or to change its amount; eGo-MV puts each on the agenda of the next quarterly meeting
  of the steering committee, which approves (about four in five) or rejects it, each approval
  adopting a new version of the plan. 60 requests from February 2020 to March 2024; a move goes
  only to a year with room under its cap.
- **Funding** (``mv_funding.py``): the DigitalPakt call ``DP-MV-2019`` with the 207 operators'
  entitlements by MV's rule, applications per operator and roll-out year in every state, German
  decision letters, grants, claims paid and proofs of use due; the seed states no target with a
  deadline, so the programme gets three of the call's: funding approved and paid (the federal
  sum) and the 560 public schools funded, with their history.

``--scale small`` plays the same at a tenth (21 operators, 56 schools, EUR 9,920,950, 6 requests,
31 applications).
"""

import datetime
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from . import mv_funding
from ._e2_common import ensure_person, load_schools
from .base import (
    Operator,
    RegistrySpec,
    Run,
    Scenario,
    SchoolKind,
    clock,
    generate_registry,
    history_days,
    moment,
    record_history,
    working_days,
)

SCHOOL_YEAR = "2019/20"
FEDERAL_SUM = 99_209_500
OPERATORS = 207
CHANGE_REQUESTS = 60
ROUND_CODE = "MV-DPS-BUDGET"
PLAN_CODE = "MV-ROP-2019-2024"
COMMITTEE = "Lenkungsausschuss DigitalPakt Schule M-V"
# (year, its cap as a share of the sum)
YEARS = (("2019", "0.08"), ("2020", "0.18"), ("2021", "0.22"), ("2022", "0.22"), ("2023", "0.18"), ("2024", "0.12"))
REQUESTS_FROM = datetime.date(2020, 2, 3)
REQUESTS_UNTIL = datetime.date(2024, 2, 28)

# code, name, seat, postal code
DISTRICTS = (
    ("LK-NWM", "Landkreis Nordwestmecklenburg", "Wismar", "23966"),
    ("LK-LRO", "Landkreis Rostock", "Güstrow", "18273"),
    ("LK-VR", "Landkreis Vorpommern-Rügen", "Stralsund", "18439"),
    ("LK-VG", "Landkreis Vorpommern-Greifswald", "Greifswald", "17489"),
    ("LK-MSE", "Landkreis Mecklenburgische Seenplatte", "Neubrandenburg", "17033"),
    ("LK-LUP", "Landkreis Ludwigslust-Parchim", "Parchim", "19370"),
)
CITIES = (
    ("HRO", "Hanse- und Universitätsstadt Rostock", "Rostock", "18055"),
    ("SN", "Landeshauptstadt Schwerin", "Schwerin", "19053"),
)
# Towns and municipalities (with their district): the seats of the municipal operators.
TOWNS = (
    ("Anklam", "17389", "LK-VG"), ("Bad Doberan", "18209", "LK-LRO"), ("Bad Sülze", "18334", "LK-VR"),
    ("Barth", "18356", "LK-VR"), ("Bergen auf Rügen", "18528", "LK-VR"), ("Boizenburg/Elbe", "19258", "LK-LUP"),
    ("Brüel", "19412", "LK-LUP"), ("Burg Stargard", "17094", "LK-MSE"), ("Bützow", "18246", "LK-LRO"),
    ("Crivitz", "19089", "LK-LUP"), ("Dargun", "17159", "LK-MSE"), ("Dassow", "23942", "LK-NWM"),
    ("Demmin", "17109", "LK-MSE"), ("Dömitz", "19303", "LK-LUP"), ("Eggesin", "17367", "LK-VG"),
    ("Franzburg", "18461", "LK-VR"), ("Friedland", "17098", "LK-MSE"), ("Gadebusch", "19205", "LK-NWM"),
    ("Garz/Rügen", "18574", "LK-VR"), ("Gnoien", "17179", "LK-LRO"), ("Goldberg", "19399", "LK-LUP"),
    ("Grabow", "19300", "LK-LUP"), ("Grevesmühlen", "23936", "LK-NWM"), ("Grimmen", "18507", "LK-VR"),
    ("Gützkow", "17506", "LK-VG"), ("Güstrow", "18273", "LK-LRO"), ("Hagenow", "19230", "LK-LUP"),
    ("Jarmen", "17126", "LK-VG"), ("Klütz", "23948", "LK-NWM"), ("Krakow am See", "18292", "LK-LRO"),
    ("Kröpelin", "18236", "LK-LRO"), ("Kühlungsborn", "18225", "LK-LRO"), ("Laage", "18299", "LK-LRO"),
    ("Lassan", "17440", "LK-VG"), ("Loitz", "17121", "LK-VG"), ("Lübtheen", "19249", "LK-LUP"),
    ("Lübz", "19386", "LK-LUP"), ("Ludwigslust", "19288", "LK-LUP"), ("Malchin", "17139", "LK-MSE"),
    ("Malchow", "17213", "LK-MSE"), ("Marlow", "18337", "LK-VR"), ("Mirow", "17252", "LK-MSE"),
    ("Neubrandenburg", "17033", "LK-MSE"), ("Neubukow", "18233", "LK-LRO"), ("Neukalen", "17154", "LK-MSE"),
    ("Neustadt-Glewe", "19306", "LK-LUP"), ("Neustrelitz", "17235", "LK-MSE"), ("Parchim", "19370", "LK-LUP"),
    ("Pasewalk", "17309", "LK-VG"), ("Penkun", "17328", "LK-VG"), ("Penzlin", "17217", "LK-MSE"),
    ("Plau am See", "19395", "LK-LUP"), ("Putbus", "18581", "LK-VR"), ("Rehna", "19217", "LK-NWM"),
    ("Ribnitz-Damgarten", "18311", "LK-VR"), ("Richtenberg", "18461", "LK-VR"), ("Sassnitz", "18546", "LK-VR"),
    ("Schwaan", "18258", "LK-LRO"), ("Stavenhagen", "17153", "LK-MSE"), ("Sternberg", "19406", "LK-LUP"),
    ("Stralsund", "18439", "LK-VR"), ("Strasburg (Uckermark)", "17335", "LK-VG"), ("Tessin", "18195", "LK-LRO"),
    ("Teterow", "17166", "LK-LRO"), ("Torgelow", "17358", "LK-VG"), ("Tribsees", "18465", "LK-VR"),
    ("Ueckermünde", "17373", "LK-VG"), ("Usedom", "17406", "LK-VG"), ("Waren (Müritz)", "17192", "LK-MSE"),
    ("Warin", "19417", "LK-NWM"), ("Wesenberg", "17255", "LK-MSE"), ("Wismar", "23966", "LK-NWM"),
    ("Wittenburg", "19243", "LK-LUP"), ("Woldegk", "17348", "LK-MSE"), ("Wolgast", "17438", "LK-VG"),
    ("Zarrentin am Schaalsee", "19246", "LK-LUP"), ("Altentreptow", "17087", "LK-MSE"),
    ("Greifswald", "17489", "LK-VG"), ("Heringsdorf", "17424", "LK-VG"), ("Zingst", "18374", "LK-VR"),
    ("Graal-Müritz", "18181", "LK-LRO"), ("Sanitz", "18190", "LK-LRO"), ("Dummerstorf", "18196", "LK-LRO"),
    ("Bentwisch", "18182", "LK-LRO"), ("Lambrechtshagen", "18069", "LK-LRO"), ("Lubmin", "17509", "LK-VG"),
    ("Zinnowitz", "17454", "LK-VG"), ("Binz", "18609", "LK-VR"), ("Sellin", "18586", "LK-VR"),
    ("Prerow", "18375", "LK-VR"), ("Rerik", "18230", "LK-NWM"), ("Satow", "18239", "LK-LRO"),
    ("Banzkow", "19079", "LK-LUP"), ("Pinnow", "19065", "LK-LUP"), ("Leezen", "19067", "LK-LUP"),
    ("Lützow", "19209", "LK-NWM"), ("Schönberg", "23923", "LK-NWM"), ("Boltenhagen", "23946", "LK-NWM"),
    ("Insel Poel", "23999", "LK-NWM"), ("Neukloster", "23992", "LK-NWM"), ("Feldberger Seenlandschaft", "17258", "LK-MSE"),
    ("Neuenkirchen", "17039", "LK-MSE"), ("Löcknitz", "17321", "LK-VG"), ("Ferdinandshof", "17379", "LK-VG"),
)  # fmt: skip
HANSEATIC = {"Wismar", "Stralsund", "Greifswald", "Anklam", "Demmin"}
MUNICIPALITIES = {
    "Heringsdorf", "Zingst", "Graal-Müritz", "Sanitz", "Dummerstorf", "Bentwisch", "Lambrechtshagen", "Lubmin",
    "Zinnowitz", "Binz", "Sellin", "Prerow", "Satow", "Banzkow", "Pinnow", "Leezen", "Lützow", "Boltenhagen",
    "Insel Poel", "Feldberger Seenlandschaft", "Neuenkirchen", "Löcknitz", "Ferdinandshof",
}  # fmt: skip
MUNICIPAL_KINDS = ("GS", "RS")

REGISTRY = RegistrySpec(
    authority_code="DE-MV",
    number_prefix="MV",
    school_year=SCHOOL_YEAR,
    language="de",
    kinds=(
        SchoolKind("GS", "Grundschule", (1,), count=300, size=(60, 380), pupils_per_teacher=15),
        SchoolKind("RS", "Regionale Schule", (2,), count=110, size=(140, 520), pupils_per_teacher=13),
        SchoolKind("GES", "Gesamtschule", (2, 3), count=24, size=(400, 1100), pupils_per_teacher=13),
        SchoolKind("GYM", "Gymnasium", (2, 3), count=40, size=(380, 980), pupils_per_teacher=13),
        SchoolKind("FS", "Förderschule", (1, 2), count=65, size=(40, 190), pupils_per_teacher=5),
        SchoolKind(
            "RBB", "Regionales Berufliches Bildungszentrum", (3, 4), count=21, size=(700, 2600), pupils_per_teacher=20
        ),
    ),  # fmt: skip
    operators=(Operator("MV", "(assigned after drawing)"),),
    places=(("Schwerin", "19053"),),
    bbox=(53.15, 10.75, 54.60, 14.35),
    streets=("Schulstraße", "Lindenstraße", "Goethestraße", "Friedensstraße", "Am Sportplatz", "Bahnhofstraße"),
)


def mv_operators(run: Run) -> tuple[list, list, list]:
    """The operators at the run's scale: (districts, cities, municipal operators), 207 in all at
    full scale. A municipal operator is (code, name, seat, postal code, district code): first the
    towns and municipalities themselves, then the offices (Ämter) named after them."""
    districts = list(DISTRICTS[: run.count(len(DISTRICTS))])
    cities = list(CITIES[: run.count(len(CITIES))])
    wanted = run.count(OPERATORS) - len(districts) - len(cities)
    candidates = []
    for town, postal, district in TOWNS:
        form = "Hansestadt" if town in HANSEATIC else "Gemeinde" if town in MUNICIPALITIES else "Stadt"
        candidates.append((f"{form} {town}", town, postal, district))
    candidates += [(f"Amt {town}", town, postal, district) for town, postal, district in TOWNS if town not in HANSEATIC]
    return (
        districts,
        cities,
        [(f"ST-{index:03d}", *candidate) for index, candidate in enumerate(candidates[:wanted], start=1)],
    )


class Mecklenburg(Scenario):
    """Seed 004: 207 operators and their 560 schools, the budgets, the roll-out plan by year and
    the change requests decided by the steering committee."""

    name = "mv"
    programme_code = "mv-digitalpakt-schule"
    seed = 2019

    def steps(self):
        return [
            self.registry,
            self.people,
            self.budgets,
            self.rollout_plan,
            self.change_requests,
            self.funding_call,
            self.applications,
            self.claims,
            self.funding_targets,
            self.history,
        ]

    # -- the steps -------------------------------------------------------------------------------

    def registry(self, run: Run) -> None:
        """Draw the schools, then give each its operator: every municipal operator at least one
        primary or regional school in its town, the districts and cities the other kinds."""
        rng = run.rng("operators")
        schools = generate_registry(REGISTRY, run.scale, run.rng("registry"))
        districts, cities, municipal = mv_operators(run)
        district_seats = {code: (seat, postal) for code, _name, seat, postal in DISTRICTS}
        towns_of = defaultdict(list)
        for town, postal, district in TOWNS:
            towns_of[district].append((town, postal))
        municipal_schools = [school for school in schools if school.kind.code in MUNICIPAL_KINDS]
        other_schools = [school for school in schools if school.kind.code not in MUNICIPAL_KINDS]
        rng.shuffle(municipal_schools)
        placed: Counter = Counter()

        def place(school, operator: Operator, town: str, postal: str) -> None:
            placed[(town, school.kind.code)] += 1
            count = placed[(town, school.kind.code)]
            school.operator, school.city, school.postal_code = operator, town, postal
            school.name = f"{school.kind.label} {town}" + (f" {_roman(count)}" if count > 1 else "")

        for index, school in enumerate(municipal_schools):
            if index < len(municipal):
                code, name, town, postal, _district = municipal[index]
                place(school, Operator(code, name), town, postal)
            elif cities and rng.random() < 0.18:
                code, name, town, postal = rng.choice(cities)
                place(school, Operator(code, name), town, postal)
            else:
                code, name, town, postal, _district = rng.choice(municipal)
                place(school, Operator(code, name), town, postal)
        for school in other_schools:
            if cities and rng.random() < 0.22:
                code, name, town, postal = rng.choice(cities)
            else:
                code, name, _seat, _postal = rng.choice(districts)
                town, postal = rng.choice(towns_of[code]) if rng.random() < 0.7 else district_seats[code]
            place(school, Operator(code, name), town, postal)
        schools.sort(key=lambda school: school.number)
        with clock(moment(datetime.date(2019, 5, 16))):
            run.add("schools", load_schools(run, REGISTRY, schools))

    def people(self, run: Run) -> None:
        """eGo-MV's school IT unit (funding administrator of the state) and, for each operator that
        files a change request, one member of its staff."""
        from digileap.schools.models import SchoolOperator

        with clock(moment(datetime.date(2019, 5, 20))):
            ensure_person(
                run,
                username="egomv.schul-it",
                first_name="Sachgebiet",
                last_name="Schul-IT (eGo-MV)",
                role="funding_administrator",
                scope_kind="authority",
                scope=run.programme.authority,
            )
            for operator in SchoolOperator.objects.filter(authority=run.programme.authority).order_by("code"):
                ensure_person(
                    run,
                    username=f"mv.{operator.code.lower()}",
                    first_name="Schulträger",
                    last_name=operator.name,
                    role="operator_staff",
                    scope_kind="operator",
                    scope=operator,
                )

    def budgets(self, run: Run) -> None:
        """The federal sum split over the schools: EUR 20,000 a school plus an amount per pupil."""
        from digileap.allocation.services.rounds import round_compute, round_create, version_approve

        source = run.programme.funding_sources.order_by("position").first()  # the federal government
        with clock(moment(datetime.date(2019, 8, 19), 10)):
            allocation_round = round_create(
                actor=run.actor,
                programme=run.programme,
                data={
                    "code": ROUND_CODE,
                    "name": "Budgets der Schulen (DigitalPakt Schule, Bundesmittel)",
                    "description": "Each public school's share of the federal funds: EUR 20,000 a school plus "
                    "an amount per pupil, scaled to EUR 99,209,500.",
                    "funding_source": source,
                    "total": Decimal(run.count(FEDERAL_SUM)),
                    "school_year": SCHOOL_YEAR,
                    "formula": {"base_per_school": "20000", "per_pupil": [{"amount": "400"}]},
                },
            )
            version = round_compute(actor=run.actor, allocation_round=allocation_round, note="Förderrichtlinie M-V")
        with clock(moment(datetime.date(2019, 8, 26), 11)):
            version_approve(actor=run.actor, version=version)
        run.add("allocation rounds", 1)

    def rollout_plan(self, run: Run) -> None:
        """The ROP: each school's funding year under the yearly caps, at most two years an operator."""
        from digileap.allocation.models import AllocationRound, RolloutPlan
        from digileap.allocation.services import plans

        budget = AllocationRound.objects.get(programme=run.programme, code=ROUND_CODE)
        total = Decimal(run.count(FEDERAL_SUM))
        periods = [
            (year, (total * Decimal(share)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) for year, share in YEARS
        ]
        # The rounded caps add up to at least the sum, so that every school fits.
        last_year, last_cap = periods[-1]
        periods[-1] = (last_year, last_cap + max(Decimal(0), total - sum(cap for _y, cap in periods)))
        with clock(moment(datetime.date(2019, 9, 2), 9)):
            plan = plans.plan_create(
                actor=run.actor,
                programme=run.programme,
                data={
                    "code": PLAN_CODE,
                    "name": "Roll-Out-Plan DigitalPakt Schule M-V 2019-2024",
                    "cost_round": budget,
                    "priority_source": RolloutPlan.PrioritySource.EQUAL,
                    "max_periods_per_operator": 2,
                    # Within 2 % of the best plan is good enough for a plan the committee revises anyway.
                    "relative_gap": Decimal("0.02"),
                    "time_limit_seconds": 20,
                },
                periods=periods,
            )
        with clock(moment(datetime.date(2019, 10, 7), 10)):
            version = plans.plan_version_build(
                actor=run.actor, plan=plan, note="Anträge der Schulträger, Stand Oktober 2019"
            )
            plans.plan_optimise(actor=run.actor, version=version)
            # Optimised here, in this process (the task the service enqueues then finds nothing to do).
            version = plans.version_optimise_run(version_id=version.pk)
        if version.error:
            raise RuntimeError(f"The MV roll-out plan could not be optimised: {version.error}")
        with clock(moment(datetime.date(2019, 11, 13), 15)):
            plans.version_adopt(actor=run.actor, version=version)
        run.add("roll-out plans", 1)

    def change_requests(self, run: Run) -> None:
        """Operators' requests from February 2020 on, each decided at the committee's next meeting."""
        from digileap.accounts.models import User
        from digileap.allocation.models import ChangeRequest, RolloutEntry, RolloutPeriod, RolloutPlan
        from digileap.allocation.services.change_requests import (
            change_request_decide,
            change_request_file,
            change_request_schedule,
            version_in_force,
        )

        rng = run.rng("change_requests")
        plan = RolloutPlan.objects.get(programme=run.programme, code=PLAN_CODE)
        periods = list(plan.periods.order_by("position"))
        schul_it = User.objects.get(username="egomv.schul-it")
        count = run.count(CHANGE_REQUESTS)
        days = working_days(REQUESTS_FROM, REQUESTS_UNTIL)
        filed_on = [days[index * len(days) // count] for index in range(count)]
        for day in filed_on:
            version = version_in_force(plan)
            entries = list(
                RolloutEntry.objects.filter(version=version, period__isnull=False)
                .select_related("school__operator", "period")
                .order_by("school__number")
            )
            costs: defaultdict[int, Decimal] = defaultdict(Decimal)
            for entry in entries:
                assert entry.period_id is not None  # filtered above
                costs[entry.period_id] += entry.cost
            # Only a school whose year has not begun yet can still move or change.
            open_entries = [
                entry for entry in entries if entry.period is not None and int(entry.period.label) >= day.year
            ]
            entry = rng.choice(open_entries)
            period = entry.period
            assert period is not None and entry.period_id is not None  # filtered above
            room: dict[int, Decimal] = {}
            for p in periods:
                assert p.budget_cap is not None  # the plan's years are capped (rollout_plan)
                room[p.pk] = p.budget_cap - costs[p.pk]
            later = [p for p in periods if p.position > period.position and room[p.pk] >= entry.cost]
            filer = User.objects.get(username=f"mv.{entry.school.operator.code.lower()}")
            if later and rng.random() < 0.75:
                target = later[0] if rng.random() < 0.7 else rng.choice(later)
                kind: str = ChangeRequest.Kind.MOVE
                requested_period: RolloutPeriod | None = target
                requested_cost: Decimal | None = None
                justification: str = rng.choice(
                    [
                        f"Die Netzwerkverkabelung der Schule ist erst {target.label} fertig (Bauverzögerung).",
                        f"Die Ausschreibung der Geräte musste aufgehoben werden; neuer Zuschlag {target.label}.",
                        f"Der Schulträger legt die Maßnahme mit dem Umbau des Schulgebäudes ({target.label}) zusammen.",
                    ]
                )
            else:
                change = Decimal(str(round(rng.uniform(-0.12, 0.12), 3)))
                requested = (entry.cost * (1 + change)).quantize(Decimal("100"))
                if requested == entry.cost or requested - entry.cost > room[entry.period_id]:
                    requested = entry.cost - Decimal(1000)
                kind = ChangeRequest.Kind.AMOUNT
                requested_period = None
                requested_cost = requested
                justification = "Der Medienentwicklungsplan wurde fortgeschrieben; der Bedarf der Schule ändert sich."
            with clock(moment(day, 10)):
                request = change_request_file(
                    actor=filer,
                    plan=plan,
                    school=entry.school,
                    kind=kind,
                    justification=justification,
                    requested_period=requested_period,
                    requested_cost=requested_cost,
                )
            meeting = self._next_meeting(day)
            with clock(moment(day + datetime.timedelta(days=3), 9)):
                change_request_schedule(
                    actor=schul_it, change_request=request, committee=COMMITTEE, meeting_date=meeting
                )
            decision = ChangeRequest.Status.APPROVED if rng.random() < 0.8 else ChangeRequest.Status.REJECTED
            with clock(moment(meeting, 16)):
                change_request_decide(
                    actor=schul_it,
                    change_request=request,
                    decision=decision,
                    decided_on=meeting,
                    minutes_reference=f"LA-DPS-{meeting.year}-{(meeting.month - 1) // 3 + 1}",
                    decision_note=""
                    if decision == ChangeRequest.Status.APPROVED
                    else "Abgelehnt: die Verschiebung gefährdet den Mittelabfluss des Förderjahres.",
                )
            run.add("change requests", 1)

    def funding_call(self, run: Run) -> None:
        """The DigitalPakt call, its 207 operators and their entitlements (``mv_funding``)."""
        mv_funding.play_call(run)

    def applications(self, run: Run) -> None:
        """The applications from draft to decision, grants and their letters (``mv_funding``)."""
        mv_funding.play_applications(run)

    def claims(self, run: Run) -> None:
        """Claims with invoices, checked and paid (``mv_funding``)."""
        mv_funding.play_claims(run)

    def funding_targets(self, run: Run) -> None:
        """Targets for the money approved and paid and the schools funded (``mv_funding``)."""
        mv_funding.play_targets(run)

    def history(self, run: Run) -> None:
        """Snapshots of the targets: every Monday while the call runs and money flows, then month ends."""
        record_history(
            run,
            history_days(datetime.date(2019, 10, 1), run.today, weekly_until=mv_funding.CLAIM_DEADLINE),
        )

    # -- helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _next_meeting(day: datetime.date) -> datetime.date:
        """The committee meets on the third Wednesday of March, June, September and December; a
        request filed less than two weeks before a meeting waits for the next one."""
        candidate = day + datetime.timedelta(days=14)
        while True:
            month = ((candidate.month - 1) // 3 + 1) * 3
            first = datetime.date(candidate.year, month, 1)
            third_wednesday = first + datetime.timedelta(days=(2 - first.weekday()) % 7 + 14)
            if third_wednesday >= candidate:
                return third_wednesday
            candidate = datetime.date(candidate.year + (month == 12), month % 12 + 1, 1)

    def extra_summary(self, run: Run) -> dict:
        from digileap.allocation.models import ChangeRequest, RolloutEntry, RolloutPlan
        from digileap.allocation.services.change_requests import version_in_force
        from digileap.schools.models import SchoolOperator

        operators = SchoolOperator.objects.filter(authority=run.programme.authority)
        summary = {
            "operators": operators.count(),
            "operators_with_schools": operators.annotate(n=Count("schools")).filter(n__gt=0).count(),
            **mv_funding.summary(run),
        }
        plan = RolloutPlan.objects.filter(programme=run.programme, code=PLAN_CODE).first()
        if plan is None:
            return summary
        version = version_in_force(plan)
        planned = (
            RolloutEntry.objects.filter(version=version, period__isnull=False)
            .values("period__label")
            .annotate(schools=Count("pk"), cost=Sum("cost"))
            .order_by("period__label")
        )
        requests = Counter(ChangeRequest.objects.filter(plan=plan).values_list("status", flat=True))
        summary.update(
            plan_version=version.number if version else None,
            plan_years={row["period__label"]: row["schools"] for row in planned},
            change_requests=dict(sorted(requests.items())),
        )
        return summary


def _roman(number: int) -> str:
    return {2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII"}.get(number, str(number))
