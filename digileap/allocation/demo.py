"""Demo allocation for ``manage.py seed_demo``: rounds, needs, a roll-out plan and a change request
on the demo programme of the demo registry's first region (``programmes/demo.py``), where the demo
users work, so each of them finds something to do:

- need declarations of the region's open schools (laptops for secondary schools, tablets for some
  primary schools, owned devices by age, classrooms without Wi-Fi), derived from each school's
  number so they are the same on every run;
- the Brussels rule (seed programme ``brussels-digitale-omkeer``): 3,500 laptops to secondary
  schools, the lowest socio-economic index first (the region's Hamburg-style index: 1 is the most
  disadvantaged), each up to its declared need; computed, approved and published;
- the Digisprong per-pupil formula (seed programme ``flanders-digisprong``: EUR 25 a pupil in
  grades 1-4, 290 in grades 5-6, 510 in secondary, plus 42 for infrastructure); computed and approved;
- an MV-style pair (seed programme ``mv-digitalpakt-schule``): a budget per operator (approved),
  and pupil devices at most EUR 25,000 per school and 20 % of the operator's budget (computed; the
  version is left for the programme owner to approve);
- a 4-year roll-out plan of the pupil devices under yearly caps, at most two years per operator,
  optimised and adopted, and one change request from the operator staff user, submitted.

The seed programmes themselves belong to authorities without schools in the demo registry, so the
rules are reproduced on the demo programme, whose region has schools, pupils and an index.

Idempotent: each round, plan and declaration is found by its code (or school and year) and left as
it is when it exists, so a second run writes nothing, and a round a user has since approved or
recomputed stays as the user left it. Every write goes through the services (or, for needs and the
change request, is audited in one batch), acting as ``SystemActor("seed_demo")``.
"""

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from digileap.core import audit
from digileap.core.permissions import SystemActor

from .models import AllocationRound, ChangeRequest, NeedDeclaration, NeedLine, RolloutPlan
from .services.rounds import round_compute, round_create, version_approve, version_publish

DEMO_YEAR = "2024/25"
BRUSSELS_CODE = "BXL-LAPTOPS"
BRUSSELS_UNITS = 3_500
DIGISPRONG_CODE = "DIGISPRONG"
MV_BUDGET_CODE = "MV-BUDGET"
MV_DEVICES_CODE = "MV-DEVICES"
PLAN_CODE = "MV-ROP-2025-2028"
PLAN_YEARS = ("2025", "2026", "2027", "2028")
DECLARED_ON = datetime.datetime(2024, 10, 1, 9, 0, tzinfo=datetime.UTC)

DIGISPRONG_FORMULA = {
    "per_pupil": [
        {"levels": [1], "grades": [1, 2, 3, 4], "amount": "25"},
        {"levels": [1], "grades": [5, 6], "amount": "290"},
        {"levels": [2, 3], "amount": "510"},
        {"amount": "42"},
    ]
}
MV_BUDGET_FORMULA = {"base_per_school": "2000", "per_pupil": [{"amount": "300"}]}
MV_DEVICES_FORMULA = {
    "per_pupil": [{"levels": [1], "amount": "50"}, {"levels": [2, 3], "amount": "150"}],
    "cap_per_school": "25000",
    "operator_cap": {"percent": "20", "of_round": MV_BUDGET_CODE},
}


def _need_share(index: Decimal | None) -> Decimal:
    """The share of secondary pupils still without a laptop: 40 % at index 1 down to 15 % at 6."""
    value = Decimal(3) if index is None else index
    return Decimal("0.15") + Decimal("0.05") * (Decimal(6) - value)


def _seed_needs(authority, actor) -> int:
    """One declaration per open school of the region that has pupils in the demo year, unless it exists."""
    from digileap.schools.models import Enrolment, School, SocioEconomicIndex

    schools = list(
        School.objects.filter(authority=authority, status=School.Status.OPEN)
        .order_by("number")
        .values_list("pk", "number")
    )
    ids = [pk for pk, _number in schools]
    declared = set(
        NeedDeclaration.objects.filter(school_id__in=ids, school_year=DEMO_YEAR).values_list("school_id", flat=True)
    )
    pupils: dict[tuple[int, int | None], int] = {
        (school_id, level): total
        for school_id, level, total in Enrolment.objects.filter(school_id__in=ids, school_year=DEMO_YEAR)
        .values_list("school_id", "level")
        .annotate(total=Sum("pupils"))
        .values_list("school_id", "level", "total")
    }
    index = dict(
        SocioEconomicIndex.objects.filter(school_id__in=ids, school_year=DEMO_YEAR).values_list("school_id", "value")
    )
    changes = []
    primary_seen = 0
    for position, (school_id, number) in enumerate(schools):
        secondary = pupils.get((school_id, 2), 0) + pupils.get((school_id, 3), 0)
        primary = pupils.get((school_id, 1), 0)
        lines: list[tuple[str, int, int, int, int]] = []
        rng = random.Random(f"need:{number}")
        if secondary:
            needed = int(secondary * _need_share(index.get(school_id)) * Decimal(str(rng.uniform(0.8, 1.2))))
            lines.append(("laptop", secondary // 12, secondary // 10, rng.randint(0, secondary // 8), needed))
        elif primary:
            primary_seen += 1
            if primary_seen % 2:
                continue  # every other primary school has not declared anything
            lines.append(("tablet", primary // 20, rng.randint(0, primary // 15), primary // 12, primary // 6))
        if not lines or school_id in declared:
            continue
        declaration = NeedDeclaration.objects.create(
            school_id=school_id,
            school_year=DEMO_YEAR,
            classrooms_without_wifi=rng.randint(0, 6),
            declared_at=DECLARED_ON + datetime.timedelta(minutes=position),
        )
        created = NeedLine.objects.bulk_create(
            NeedLine(
                declaration=declaration,
                device_type=device_type,
                owned_under_3_years=new,
                owned_3_to_5_years=middle,
                owned_over_5_years=old,
                needed=needed,
            )
            for device_type, new, middle, old, needed in lines
        )
        changes.append(audit.change_for("create", declaration, after=audit.snapshot(declaration)))
        changes += [audit.change_for("create", line, after=audit.snapshot(line)) for line in created]
    audit.record_many(actor=actor, changes=changes)
    return sum(1 for change in changes if change.object_type == "allocation.needdeclaration")


def _round(actor, programme, code: str, data: dict) -> AllocationRound | None:
    """Create the round unless it exists (then None: it is left as a user may have changed it)."""
    if AllocationRound.objects.filter(programme=programme, code=code).exists():
        return None
    return round_create(actor=actor, programme=programme, data={"code": code, **data})


def _brussels_total(authority) -> int:
    """3,500 units when the region declares enough laptops; in a small demo, 60 % of what it declares."""
    declared = (
        NeedLine.objects.filter(
            declaration__school__authority=authority, declaration__school_year=DEMO_YEAR, device_type="laptop"
        ).aggregate(total=Sum("needed"))["total"]
        or 0
    )
    return min(BRUSSELS_UNITS, declared * 6 // 10)


def _seed_rounds(actor, programme) -> int:
    source = programme.funding_sources.order_by("position").first()
    created = 0
    brussels = _round(
        actor,
        programme,
        BRUSSELS_CODE,
        {
            "name": "Laptops for secondary schools, the lowest index first (Brussels rule)",
            "description": "After the Brussels seed programme (brussels-digitale-omkeer): 3,500 laptops to "
            "secondary schools, those with the lowest socio-economic index first, each up to its declared need.",
            "resource": AllocationRound.Resource.UNITS,
            "device_type": "laptop",
            "total": Decimal(_brussels_total(programme.authority)),
            "school_year": DEMO_YEAR,
            "distribution": AllocationRound.Distribution.PRIORITY,
            "eligibility": {"levels": [2, 3]},
            "formula": {"need": "weight"},
        },
    )
    if brussels is not None:
        version = round_compute(actor=actor, allocation_round=brussels, note="Demo")
        version_publish(actor=actor, version=version_approve(actor=actor, version=version))
        created += 1
    digisprong = _round(
        actor,
        programme,
        DIGISPRONG_CODE,
        {
            "name": "ICT funding per pupil (Digisprong formula)",
            "description": "After the Flemish seed programme (flanders-digisprong): EUR 25 a pupil in grades 1-4, "
            "290 in grades 5-6, 510 in secondary education, plus 42 a pupil for infrastructure.",
            "funding_source": source,
            "school_year": DEMO_YEAR,
            "eligibility": {"levels": [1, 2, 3]},
            "formula": DIGISPRONG_FORMULA,
        },
    )
    if digisprong is not None:
        version_approve(actor=actor, version=round_compute(actor=actor, allocation_round=digisprong, note="Demo"))
        created += 1
    budget = _round(
        actor,
        programme,
        MV_BUDGET_CODE,
        {
            "name": "Budget per operator",
            "description": "After the MV seed programme (mv-digitalpakt-schule): each school board's budget, "
            "EUR 2,000 a school plus 300 a pupil.",
            "funding_source": source,
            "school_year": DEMO_YEAR,
            "formula": MV_BUDGET_FORMULA,
        },
    )
    if budget is not None:
        version_approve(actor=actor, version=round_compute(actor=actor, allocation_round=budget, note="Demo"))
        created += 1
    devices = _round(
        actor,
        programme,
        MV_DEVICES_CODE,
        {
            "name": "Pupil devices",
            "description": "Mobile devices for pupils: EUR 50 a primary and 150 a secondary pupil, at most "
            "EUR 25,000 per school and 20 % of the operator's budget (round MV-BUDGET).",
            "funding_source": source,
            "school_year": DEMO_YEAR,
            "eligibility": {"levels": [1, 2, 3]},
            "formula": MV_DEVICES_FORMULA,
        },
    )
    if devices is not None:
        round_compute(actor=actor, allocation_round=devices, note="Demo: to be approved by the programme owner")
        created += 1
    return created


def _plan_services():
    """The roll-out plan services, or None while they are not part of this installation."""
    try:
        from .services import change_requests, plans
    except ImportError:  # pragma: no cover - only while the plan services are being written
        return None
    return plans, change_requests


def _seed_plan(actor, programme) -> int:
    """The 4-year plan of the schools' MV budgets: a cap of 30 % of the total a year, so the caps
    spread the schools over the years, at most two years per operator; optimised (in this process,
    not as a task) and adopted."""
    services = _plan_services()
    budget = AllocationRound.objects.filter(programme=programme, code=MV_BUDGET_CODE).first()
    if services is None or budget is None or not budget.is_locked:
        return 0
    if RolloutPlan.objects.filter(programme=programme, code=PLAN_CODE).exists():
        return 0
    plans, _change_requests = services
    approved = budget.versions.filter(status__in=["approved", "published"]).first()
    assert approved is not None  # a locked round has its approved version
    total = approved.lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    cap = (total * Decimal("0.30") / 10_000).to_integral_value(rounding="ROUND_DOWN") * 10_000
    plan = plans.plan_create(
        actor=actor,
        programme=programme,
        data={
            "code": PLAN_CODE,
            "name": "Roll-out of the school boards' budgets, 2025-2028",
            "cost_round": budget,
            "priority_source": RolloutPlan.PrioritySource.INDEX,
            "max_periods_per_operator": 2,
            "relative_gap": Decimal("0.001"),
            "time_limit_seconds": 30,
        },
        periods=[(year, cap) for year in PLAN_YEARS],
    )
    version = plans.plan_version_build(actor=actor, plan=plan, note="Demo")
    plans.plan_optimise(actor=actor, version=version)
    # The task plan_optimise enqueues finds the version already optimised and does nothing.
    version = plans.version_optimise_run(version_id=version.pk)
    if version.error:
        raise RuntimeError(f"the demo roll-out plan could not be optimised: {version.error}")
    plans.version_adopt(actor=actor, version=version)
    return 1


def _seed_change_request(programme) -> int:
    """The demo operator staff user asks to move its first planned school one year later (or, when
    it is planned in the last year, one year earlier): submitted, waiting for the funding administrator."""
    from digileap.accounts.models import RoleAssignment

    services = _plan_services()
    plan = RolloutPlan.objects.filter(programme=programme, code=PLAN_CODE).first()
    if services is None or plan is None or ChangeRequest.objects.filter(plan=plan).exists():
        return 0
    _plans, change_requests = services
    assignment = (
        RoleAssignment.objects.filter(user__username="operator", role="operator_staff", scope_kind="operator")
        .select_related("user", "operator")
        .first()
    )
    version = change_requests.version_in_force(plan)
    if assignment is None or version is None:
        return 0
    entry = (
        version.entries.filter(school__operator=assignment.operator, period__isnull=False)
        .select_related("school", "period")
        .order_by("school__number")
        .first()
    )
    if entry is None:
        return 0
    periods = list(plan.periods.order_by("position"))
    later = [period for period in periods if period.position > entry.period.position]
    target = later[0] if later else [period for period in periods if period.position < entry.period.position][-1]
    change_requests.change_request_file(
        actor=assignment.user,
        plan=plan,
        school=entry.school,
        kind=ChangeRequest.Kind.MOVE,
        requested_period=target,
        justification=f"The school's building works run into {entry.period.label}; "
        f"the network cabling will only be ready in {target.label}.",
    )
    return 1


@transaction.atomic
def seed_demo_allocation() -> Counter:
    """Seed the demo allocation on the demo programme; returns what it created (empty: nothing)."""
    from digileap.programmes.demo import DEMO_CODE
    from digileap.programmes.models import Programme

    created: Counter = Counter()
    programme = Programme.objects.select_related("authority").filter(code=DEMO_CODE).first()
    if programme is None:
        return created
    actor = SystemActor("seed_demo")
    created["need declarations"] = _seed_needs(programme.authority, actor)
    created["rounds"] = _seed_rounds(actor, programme)
    created["roll-out plans"] = _seed_plan(actor, programme)
    created["change requests"] = _seed_change_request(programme)
    return +created
