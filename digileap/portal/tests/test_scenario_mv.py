"""Seed 004, Mecklenburg-Vorpommern, at small scale: operators and their schools, the budgets, the
roll-out plan by year, the change requests decided by the committee, and a second run that writes
nothing."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.db.models import Sum

from digileap.accounts.models import User
from digileap.allocation.models import AllocationLine, ChangeRequest, RolloutEntry, RolloutPlan, RolloutVersion
from digileap.allocation.services.plans import over_cap
from digileap.core.models import AuditEvent
from digileap.portal.scenarios import get_scenario
from digileap.portal.scenarios.base import Run, Scale
from digileap.portal.scenarios.mv import DISTRICTS, Mecklenburg, mv_operators
from digileap.programmes.models import Programme
from digileap.schools.models import School, SchoolOperator

TODAY = datetime.date(2025, 1, 15)
CODE = "mv-digitalpakt-schule"
day = datetime.date


def table_counts() -> dict[str, int]:
    models = [School, SchoolOperator, User, AllocationLine, RolloutPlan, RolloutVersion, RolloutEntry, ChangeRequest,
              AuditEvent]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_207_operators_at_full_scale_each_named_once():
    run = Run(scenario=Mecklenburg(), scale=Scale("full"), actor=None, programme=None, today=TODAY)
    districts, cities, municipal = mv_operators(run)
    assert (len(districts), len(cities), len(municipal)) == (6, 2, 199)
    names = [name for _code, name, *_rest in [*districts, *cities, *municipal]]
    assert len(set(names)) == 207
    assert municipal[0][1:] == ("Hansestadt Anklam", "Anklam", "17389", "LK-VG")


def test_the_committee_meets_on_the_third_wednesday_of_each_quarter():
    meeting = Mecklenburg._next_meeting
    assert meeting(day(2020, 2, 3)) == day(2020, 3, 18)
    assert meeting(day(2020, 3, 9)) == day(2020, 6, 17)  # less than two weeks before March's meeting
    assert meeting(day(2021, 12, 20)) == day(2022, 3, 16)


@pytest.mark.django_db
def test_mv_small_plans_the_years_and_decides_the_requests_and_a_second_run_writes_nothing():
    summary = get_scenario("mv").run("small", today=TODAY)
    summary.pop("seconds")
    created = summary.pop("created")
    assert summary == SUMMARY
    assert created == CREATED
    programme = Programme.objects.get(code=CODE)

    # Operators and their schools: the districts run the schools of the whole district, every
    # municipal operator at least one primary or regional school.
    schools = School.objects.filter(authority__code="DE-MV").select_related("operator")
    assert Counter(schools.values_list("type_code", flat=True)) == KINDS
    district_codes = {code for code, *_rest in DISTRICTS}
    kinds_by_operator = defaultdict(set)
    for school in schools:
        kinds_by_operator[school.operator.code].add(school.type_code)
    assert len(kinds_by_operator) == 21
    for code, kinds in kinds_by_operator.items():
        if code in district_codes:
            assert kinds <= {"GES", "GYM", "FS", "BS"}, code
        elif code.startswith("ST-"):
            assert kinds <= {"GS", "RS"}, code

    # The budgets: the federal sum at a tenth, to the cent.
    budget = programme.allocation_rounds.get(code="MV-DPS-BUDGET")
    version = budget.versions.get(status="approved")
    assert version.approved_at.date() == day(2019, 8, 26)
    assert version.lines.aggregate(total=Sum("amount"))["total"] == 9_920_950

    # The plan: six funding years under their caps, adopted on 13 November 2019.
    plan = RolloutPlan.objects.get(programme=programme, code="MV-ROP-2019-2024")
    assert list(plan.periods.order_by("position").values_list("label", flat=True)) == [
        "2019", "2020", "2021", "2022", "2023", "2024",
    ]  # fmt: skip
    first = plan.versions.get(number=1)
    assert (first.status, first.adopted_at.date()) == ("superseded", day(2019, 11, 13))
    # Within the plan's gap, so the same plan on every machine (not cut short by the time limit).
    assert (first.solver["status"], first.solver["planned"], first.solver["left_out"]) == (
        "optimal",
        55,
        {"no_budget": 1},
    )
    years = defaultdict(set)
    for operator, period in first.entries.filter(period__isnull=False).values_list("school__operator", "period"):
        years[operator].add(period)
    assert max(len(periods) for periods in years.values()) <= 2
    in_force = plan.versions.get(status="adopted")
    assert over_cap(in_force) == []

    # The change requests: filed by the operators' staff, decided at the committee's next meeting.
    requests = ChangeRequest.objects.filter(plan=plan).select_related("requested_by")
    assert requests.count() == 6
    for request in requests:
        assert day(2020, 2, 3) <= request.requested_at.date() <= day(2024, 2, 28)
        assert request.committee == "Lenkungsausschuss DigitalPakt Schule M-V"
        assert request.decided_on == request.meeting_date > request.requested_at.date()
        assert request.meeting_date.weekday() == 2 and request.meeting_date.month % 3 == 0
        assert request.requested_by.username == f"mv.{request.school.operator.code.lower()}"
        assert (request.resulting_version_id is not None) == (request.status == "approved")
    assert in_force.number == 1 + requests.filter(status="approved").count()

    before = table_counts()
    again = get_scenario("mv").run("small", today=TODAY)
    assert again["created"] == {}
    assert table_counts() == before


SUMMARY = {
    "scenario": "mv",
    "scale": "small",
    "programme": CODE,
    "schools": 56,
    "devices": 0,
    "operators": 21,
    "operators_with_schools": 21,
    "plan_version": 5,
    "plan_years": {"2019": 8, "2020": 14, "2021": 13, "2022": 9, "2023": 6, "2024": 5},
    "change_requests": {"approved": 4, "rejected": 2},
    "milestones": {},  # the seed states no target with a deadline
}
CREATED = {
    "allocation rounds": 1,
    "change requests": 6,
    "role assignments": 22,
    "roll-out plans": 1,
    "schools": 56,
    "users": 22,  # eGo-MV's school IT unit and one member of staff of each of the 21 operators
}
# A tenth of each kind: 300, 110, 24, 40, 65 and 21 schools at full scale.
KINDS = {"GS": 30, "RS": 11, "GES": 2, "GYM": 4, "FS": 7, "BS": 2}
