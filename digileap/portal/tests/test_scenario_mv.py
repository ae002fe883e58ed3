"""Seed 004, Mecklenburg-Vorpommern, at small scale: operators and their schools, the budgets, the
roll-out plan by year, the change requests decided by the committee, the DigitalPakt call with its
entitlements, applications in every state, decisions with German letters, grants, claims, proofs of
use and the targets they move, and a second run that writes nothing."""

import datetime
import hashlib
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from digileap.accounts.models import User
from digileap.allocation.models import AllocationLine, ChangeRequest, RolloutEntry, RolloutPlan, RolloutVersion
from digileap.allocation.services.plans import over_cap
from digileap.core.models import AuditEvent
from digileap.funding.models import (
    Application,
    ApplicationDocument,
    ApplicationVersion,
    Call,
    Claim,
    CostLine,
    Decision,
    DecisionLine,
    Entitlement,
    Grant,
    Invoice,
    ProofOfUse,
)
from digileap.portal.scenarios import get_scenario
from digileap.portal.scenarios.base import Run, Scale
from digileap.portal.scenarios.mv import DISTRICTS, Mecklenburg, mv_operators
from digileap.programmes.models import FundingTransaction, IndicatorSnapshot, Programme, Target
from digileap.programmes.services import target_value
from digileap.schools.models import School, SchoolOperator

TODAY = datetime.date(2025, 1, 15)
CODE = "mv-digitalpakt-schule"
day = datetime.date


def table_counts() -> dict[str, int]:
    models = [School, SchoolOperator, User, AllocationLine, RolloutPlan, RolloutVersion, RolloutEntry, ChangeRequest,
              AuditEvent, Call, Entitlement, Application, CostLine, ApplicationDocument, ApplicationVersion, Decision,
              Grant, Claim, Invoice, ProofOfUse, FundingTransaction, Target, IndicatorSnapshot]  # fmt: skip
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
            assert kinds <= {"GES", "GYM", "FS", "RBB"}, code
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

    check_funding(programme)

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
    "funding": {
        "applications": {
            "approved": 21,
            "draft": 1,
            "formal_check": 1,
            "more_information": 1,
            "partly_approved": 2,
            "rejected": 1,
            "resubmitted": 1,
            "review": 1,
            "submitted": 1,
            "withdrawn": 1,
        },  # fmt: skip
        "grants": 23,
        "requested": "4585150.80",
        "approved": "3737962.80",
        "claimed": "252045.00",
        "paid": "69075.00",
        "schools_funded": 42,
    },
    "plan_version": 5,
    "plan_years": {"2019": 8, "2020": 14, "2021": 13, "2022": 9, "2023": 6, "2024": 5},
    "change_requests": {"approved": 4, "rejected": 2},
    # The seed states no target with a deadline; the funding targets (the federal sum, the 560
    # public schools, a tenth of each here) are not reached: most money flows after 2021.
    "milestones": {"#1": "late", "#2": "late", "#3": "late"},
}
CREATED = {
    "allocation rounds": 1,
    "applications": 31,
    "change requests": 6,
    "claims": 2,
    "claims paid": 1,
    "cost lines": 166,
    "decisions": 24,
    "entitlements": 21,
    "funding calls": 1,
    "role assignments": 23,
    "roll-out plans": 1,
    "schools": 56,
    "snapshots": 993,
    "targets": 3,
    # eGo-MV's school IT unit, the Landesförderinstitut and one member of staff of each of the 21 operators
    "users": 23,
}
# A tenth of each kind: 300, 110, 24, 40, 65 and 21 schools at full scale.
KINDS = {"GS": 30, "RS": 11, "GES": 2, "GYM": 4, "FS": 7, "RBB": 2}
ALL_STATES = {
    "draft", "submitted", "formal_check", "more_information", "resubmitted", "review", "approved", "partly_approved",
    "rejected", "withdrawn",
}  # fmt: skip


def mv_entitlement(schools) -> Decimal:
    """MV's rule, worked out by hand: a base per school by type plus EUR 340 a pupil."""
    base = {"GS": 40_000, "RBB": 75_000}
    return sum((Decimal(base.get(s.type_code, 50_000) + 340 * (s.pupils_total or 0)) for s in schools), Decimal(0))


def check_funding(programme) -> None:
    """The call, entitlements, applications, decisions, grants, claims, proofs of use and targets."""
    call = Call.objects.get(programme=programme, code="DP-MV-2019")
    assert call.funding_source == programme.funding_sources.order_by("position").first()
    assert (call.cofinancing_rate, call.cofinancing_payer) == (Decimal("10.00"), "state")
    assert sorted(call.cost_categories.values_list("code", flat=True)) == [
        "displays", "network", "pupil-devices", "servers",
    ]  # fmt: skip
    assert sorted(call.required_documents.values_list("code", "scope")) == [
        ("mbk", "school"), ("mep", "operator"), ("technical-concept", "application"),
    ]  # fmt: skip
    assert call.eligibilities.count() == 21
    assert set(call.reviewers.values_list("user__username", flat=True)) == {"egomv.schul-it", "lfi.foerderung"}

    # Every operator's entitlement by the rule, published on 30 September 2019.
    for entitlement in Entitlement.objects.filter(call=call).select_related("operator"):
        assert entitlement.amount == mv_entitlement(entitlement.operator.schools.all()), entitlement.operator.code
        assert entitlement.published_at.date() == day(2019, 9, 30)

    # Every state; each application within its operator's entitlement, with its documents.
    applications = Application.objects.filter(call=call).select_related("operator")
    assert set(applications.values_list("state", flat=True)) == ALL_STATES
    requested = defaultdict(Decimal)
    for application in applications.exclude(state__in=["withdrawn", "rejected"]):
        requested[application.operator_id] += application.cost_lines.aggregate(total=Sum("funding"))["total"]
    for operator_id, total in requested.items():
        assert total <= Entitlement.objects.get(call=call, operator_id=operator_id).amount
    for application in applications:
        documents = application.documents.values_list("required_document__code", flat=True)
        assert Counter(documents)["mbk"] >= application.application_schools.count()
        assert {"mep", "technical-concept"} <= set(documents)
        assert application.created_by.username == f"mv.{application.operator.code.lower()}"
    resubmitted = applications.get(state="resubmitted")
    assert list(resubmitted.versions.values_list("number", flat=True)) == [1, 2]
    assert list(resubmitted.events.values_list("to_state", flat=True)) == [
        "draft", "submitted", "formal_check", "more_information", "resubmitted",
    ]  # fmt: skip

    # Four eyes: eGo-MV checked, the Landesförderinstitut decided; German letters, hashed.
    decisions = Decision.objects.filter(application__call=call).select_related("application__operator")
    assert decisions.count() == 24
    for decision in decisions:
        assert decision.decided_by.username == "lfi.foerderung"
        assert decision.language == "de"
        assert decision.application.events.get(to_state="review").actor.username == "egomv.schul-it"
        letter = decision.letter.read()
        assert letter.startswith(b"%PDF-") and hashlib.sha256(letter).hexdigest() == decision.letter_sha256
    reduced = [
        (line.decision.application.operator.code, str(line.requested), str(line.approved), line.reason)
        for line in DecisionLine.objects.filter(decision__outcome="partly_approved")
        .exclude(approved=F("requested"))
        .select_related("decision__application__operator")
        .order_by("decision__decided_at")
    ]
    assert reduced == [
        ("ST-004", "28080.00", "23400.00",
         "Gefördert werden 5 statt 6 Displays: die Zahl der Unterrichtsräume im Medienentwicklungsplan ist kleiner."),
        ("LK-NWM", "46800.00", "42120.00",
         "Gefördert werden 9 statt 10 Displays: die Zahl der Unterrichtsräume im Medienentwicklungsplan ist kleiner."),
    ]  # fmt: skip
    rejected = decisions.get(outcome="rejected")
    assert (rejected.approved_total, hasattr(rejected.application, "grant")) == (Decimal("0.00"), False)

    # Grants with their commitments; every proof of use due on 30 June 2025.
    grants = Grant.objects.filter(call=call)
    assert grants.count() == 23
    committed = FundingTransaction.objects.filter(programme=programme, kind="committed")
    assert committed.aggregate(total=Sum("amount"))["total"] == Decimal("3737962.80")
    assert set(ProofOfUse.objects.filter(grant__call=call).values_list("state", "due_on")) == {
        ("due", day(2025, 6, 30))
    }

    # One claim paid (its payment in the ledger), the latest one waiting.
    claims = Claim.objects.filter(grant__call=call).order_by("submitted_at")
    assert [(c.grant.number, c.state, str(c.amount), c.paid_on, c.payment_reference) for c in claims] == [
        ("DP-MV-2019-ST-010-1", "paid", "69075.00", day(2020, 12, 4), "LFI-2020-000001"),
        ("DP-MV-2019-ST-006-1", "submitted", "182970.00", None, ""),
    ]
    paid = claims.get(state="paid")
    assert (paid.payment.kind, paid.payment.amount, paid.payment.date) == (
        "paid",
        Decimal("69075.00"),
        day(2020, 12, 4),
    )
    assert sorted(paid.invoices.values_list("supplier_name", flat=True)) == [
        "Mecklenburger Medientechnik GmbH & Co. KG"
    ]

    # The targets move: approved, paid, schools funded at the end of 2019, 2020, 2021 and today.
    values = {
        target.position: [
            str(target_value(target, on)) for on in (day(2019, 12, 31), day(2020, 12, 31), day(2021, 12, 31), TODAY)
        ]
        for target in programme.targets.order_by("position")
    }
    assert values == {
        1: ["0.00", "1813243.50", "3737962.80", "3737962.80"],
        2: ["0.00", "69075.00", "69075.00", "69075.00"],
        3: ["0", "25", "42", "42"],
    }
    snapshots = IndicatorSnapshot.objects.filter(target__programme=programme)
    assert snapshots.count() == 993
    assert snapshots.filter(target__position=3, date=day(2021, 12, 31)).get().value == Decimal("42")
