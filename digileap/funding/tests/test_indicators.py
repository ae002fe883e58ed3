"""The funding indicators: "Money by funding call" (requested, approved, claimed, paid; by call) and
"Schools funded" (grant lines of a school, or of the operator for every school of the
application), the reach source ``grants``, the parameters, the target page's picker and preview,
and Flanders' milestone 401 computed from grants."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.funding.indicators import FundingMoney, SchoolsFunded
from digileap.funding.models import (
    ApplicationEvent,
    ApplicationSchool,
    ApplicationState,
    ClaimState,
    Decision,
)
from digileap.portal.scenarios.base import milestone_statuses
from digileap.programmes.indicators import get_kind
from digileap.programmes.models import FundingTransaction, Target
from digileap.programmes.tests.factories import (
    FundingTransactionFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
)
from digileap.schools.models import School
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from .factories import (
    ApplicationFactory,
    CallFactory,
    ClaimFactory,
    CostLineFactory,
    DecisionFactory,
    GrantFactory,
    GrantLineFactory,
)

D = Decimal
day = datetime.date


def at(value: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time(hour)))


def target_of(programme, kind: str, parameters: dict, **fields) -> Target:
    indicator = IndicatorFactory(programme=programme, kind=kind, parameters=parameters)
    return TargetFactory(programme=programme, indicator=indicator, **{"due_date": day(2026, 12, 31), **fields})


def event(application, to_state: str, on: datetime.date, from_state: str = "") -> None:
    ApplicationEvent.objects.create(
        application=application, from_state=from_state, to_state=to_state, occurred_at=at(on)
    )


def application_with_lines(call, operator, schools, fundings, *, number=None):
    application = ApplicationFactory(call=call, operator=operator, **({"number": number} if number else {}))
    for school in schools:
        ApplicationSchool.objects.create(application=application, school=school, pupils=100)
    lines = []
    for position, (school, funding) in enumerate(fundings, start=1):
        category = call.cost_categories.first()
        lines.append(
            CostLineFactory(
                application=application,
                position=position,
                school=school,
                amount=(funding / D("0.9")).quantize(D("0.01")),
                funding=funding,
                **({"category": category} if category else {}),
            )
        )
    return application, lines


@pytest.fixture
def money(world):
    """Programme P with calls A and B (and another programme's call), the applications of the
    module docstring's story."""
    programme = ProgrammeFactory(code="FUND-IND", authority=world.authority)
    call_a = CallFactory(programme=programme, code="A")
    call_b = CallFactory(programme=programme, code="B")
    elsewhere = CallFactory(code="A")  # another programme's call with the same code
    op = world.operator
    s1 = world.school
    s2 = SchoolFactory(operator=op, authority=world.authority, number="I-2")
    s3 = SchoolFactory(operator=op, authority=world.authority, number="I-3")
    # A1: submitted 2 March, 900 + 450.
    a1, a1_lines = application_with_lines(call_a, op, [s1, s2, s3], [(s1, D("900.00")), (None, D("450.00"))])
    event(a1, "draft", day(2026, 3, 1))
    event(a1, "submitted", day(2026, 3, 2), "draft")
    # A2: submitted 5 March (2000), withdrawn 10 March.
    a2, _ = application_with_lines(call_a, op, [s2], [(s2, D("2000.00"))])
    event(a2, "submitted", day(2026, 3, 5))
    event(a2, "withdrawn", day(2026, 3, 10), "submitted")
    # A3: a draft (500): never counts.
    a3, _ = application_with_lines(call_a, op, [s3], [(s3, D("500.00"))])
    event(a3, "draft", day(2026, 3, 1))
    # B1: call B, submitted 5 March (700), rejected 20 March.
    b1, _ = application_with_lines(call_b, op, [s3], [(s3, D("700.00"))])
    event(b1, "submitted", day(2026, 3, 5))
    # Another programme's application: never counts.
    x1, _ = application_with_lines(elsewhere, OperatorFactory(), [], [(None, D("9999.00"))])
    event(x1, "submitted", day(2026, 3, 2))
    return {
        "programme": programme,
        "calls": (call_a, call_b, elsewhere),
        "schools": (s1, s2, s3),
        "applications": (a1, a2, a3, b1, x1),
        "a1_lines": a1_lines,
    }


def value(programme, kind, parameters, on, **fields):
    target = target_of(programme, kind, parameters, **fields)
    return get_kind(kind).compute(target, on)


def test_money_requested_counts_submitted_applications_from_their_first_submission_until_withdrawn(money):
    programme = money["programme"]
    requested = {"stage": "requested"}
    assert value(programme, "funding_money", requested, day(2026, 3, 1)) == D("0.00")
    assert value(programme, "funding_money", requested, day(2026, 3, 2)) == D("1350.00")
    assert value(programme, "funding_money", requested, day(2026, 3, 5)) == D("4050.00")  # 1350 + 2000 + 700
    assert value(programme, "funding_money", requested, day(2026, 3, 10)) == D("2050.00")  # A2 withdrawn
    assert value(programme, "funding_money", {**requested, "call": "A"}, day(2026, 3, 5)) == D("3350.00")
    assert value(programme, "funding_money", {**requested, "call": "B"}, day(2026, 3, 5)) == D("700.00")
    assert value(programme, "funding_money", {**requested, "call": "NONE"}, day(2026, 3, 5)) == D("0.00")
    # Per period from 3 March: A1 (submitted 2 March) is outside the window.
    per_period = {"accumulation": Target.Accumulation.PER_PERIOD, "period_start": day(2026, 3, 3)}
    assert value(programme, "funding_money", requested, day(2026, 3, 9), **per_period) == D("2700.00")


def test_money_approved_follows_the_latest_decision_of_the_day(money):
    programme = money["programme"]
    a1, _a2, _a3, b1, x1 = money["applications"]
    DecisionFactory(application=a1, number=1, requested_total=D("1350.00"), approved_total=D("1200.00"),
                    outcome="partly_approved", decided_at=at(day(2026, 3, 20)))  # fmt: skip
    DecisionFactory(application=a1, number=2, requested_total=D("1350.00"), approved_total=D("1000.00"),
                    outcome="partly_approved", decided_at=at(day(2026, 4, 15)))  # fmt: skip
    DecisionFactory(application=b1, number=1, outcome=Decision.Outcome.REJECTED, requested_total=D("700.00"),
                    approved_total=D("0.00"), decided_at=at(day(2026, 3, 21)))  # fmt: skip
    DecisionFactory(application=x1, number=1, requested_total=D("9999.00"), approved_total=D("9999.00"),
                    decided_at=at(day(2026, 3, 20)))  # fmt: skip
    approved = {"stage": "approved"}
    assert value(programme, "funding_money", approved, day(2026, 3, 19)) == D("0.00")
    assert value(programme, "funding_money", approved, day(2026, 3, 20)) == D("1200.00")
    assert value(programme, "funding_money", approved, day(2026, 4, 14)) == D("1200.00")
    assert value(programme, "funding_money", approved, day(2026, 4, 15)) == D("1000.00")  # the amendment
    assert value(programme, "funding_money", {**approved, "call": "B"}, day(2026, 4, 15)) == D("0.00")

    target = target_of(programme, "funding_money", approved)
    records = FundingMoney().records(target, day(2026, 4, 15))
    assert list(records.columns) == [
        "call", "operator_code", "operator", "application", "state", "counted_on", "amount_eur",
    ]  # fmt: skip
    operator = a1.operator
    assert list(records.rows) == [
        ("A", operator.code, operator.name, str(a1.number), a1.state, "2026-03-20", "1000.00"),
        ("B", operator.code, operator.name, str(b1.number), b1.state, "2026-03-21", "0.00"),
    ]


def test_money_claimed_and_paid_from_the_claims(money):
    programme = money["programme"]
    a1 = money["applications"][0]
    grant = GrantFactory(decision=DecisionFactory(application=a1), number="G-A-1")
    ClaimFactory(grant=grant, number=1, state=ClaimState.PAID, amount=D("600.00"), submitted_at=at(day(2026, 4, 20)),
                 paid_on=day(2026, 5, 2), payment_reference="LFI-1")  # fmt: skip
    ClaimFactory(
        grant=grant, number=2, state=ClaimState.RETURNED, amount=D("100.00"), submitted_at=at(day(2026, 4, 25))
    )
    ClaimFactory(grant=grant, number=3, state=ClaimState.DRAFT, amount=D("50.00"))
    ClaimFactory(
        grant=grant, number=4, state=ClaimState.SUBMITTED, amount=D("200.00"), submitted_at=at(day(2026, 5, 1))
    )
    claimed, paid = {"stage": "claimed"}, {"stage": "paid"}
    assert value(programme, "funding_money", claimed, day(2026, 4, 19)) == D("0.00")
    assert value(programme, "funding_money", claimed, day(2026, 4, 30)) == D("600.00")
    assert value(programme, "funding_money", claimed, day(2026, 5, 1)) == D("800.00")
    assert value(programme, "funding_money", paid, day(2026, 5, 1)) == D("0.00")
    assert value(programme, "funding_money", paid, day(2026, 5, 2)) == D("600.00")
    assert value(programme, "funding_money", {**paid, "call": "B"}, day(2026, 5, 2)) == D("0.00")

    records = FundingMoney().records(target_of(programme, "funding_money", paid), day(2026, 5, 2))
    assert list(records.columns) == [
        "call", "operator_code", "operator", "grant", "claim", "state", "counted_on", "amount_eur",
    ]  # fmt: skip
    assert list(records.rows) == [
        ("A", a1.operator.code, a1.operator.name, "G-A-1", "1", "paid", "2026-05-02", "600.00"),
    ]


@pytest.fixture
def grants(money):
    """Grant G1 (call A, 20 March) on A1: a line for school 1 and a line of the operator, so all
    three schools of A1; grant G2 (call B, 1 April) with a line for school 3 approved at 0 and a
    line for a fourth school; another programme's grant."""
    programme = money["programme"]
    a1, _a2, _a3, b1, x1 = money["applications"]
    s1, s2, s3 = money["schools"]
    s4 = SchoolFactory(operator=a1.operator, authority=a1.operator.authority, number="I-4")
    ApplicationSchool.objects.create(application=b1, school=s4, pupils=50)
    g1 = GrantFactory(decision=DecisionFactory(application=a1, decided_at=at(day(2026, 3, 20))), number="G1",
                      created_at=at(day(2026, 3, 20)))  # fmt: skip
    for line in money["a1_lines"]:
        GrantLineFactory(grant=g1, cost_line=line)
    g2 = GrantFactory(decision=DecisionFactory(application=b1, decided_at=at(day(2026, 4, 1))), number="G2",
                      created_at=at(day(2026, 4, 1)))  # fmt: skip
    zero = b1.cost_lines.get()
    GrantLineFactory(grant=g2, cost_line=zero, approved=D("0.00"))
    line_s4 = CostLineFactory(application=b1, position=2, school=s4, category=zero.category, funding=D("90.00"))
    GrantLineFactory(grant=g2, cost_line=line_s4)
    # Another programme's grant for school 3: not counted.
    other_school_line = CostLineFactory(application=x1, position=2, school=s3)
    GrantLineFactory(grant=GrantFactory(decision=DecisionFactory(application=x1), created_at=at(day(2026, 3, 1))),
                     cost_line=other_school_line)  # fmt: skip
    return {"programme": programme, "schools": (s1, s2, s3, s4), "grants": (g1, g2)}


def test_schools_funded_counts_line_schools_and_every_school_of_an_operator_wide_line(grants):
    programme = grants["programme"]
    s1, s2, s3, s4 = grants["schools"]
    assert value(programme, "schools_funded", {}, day(2026, 3, 19)) == D(0)
    assert value(programme, "schools_funded", {}, day(2026, 3, 20)) == D(3)  # s1 by its line, s1-s3 by the wide line
    assert value(programme, "schools_funded", {}, day(2026, 4, 1)) == D(4)  # s4; s3's own line approves 0
    assert value(programme, "schools_funded", {"call": "A"}, day(2026, 4, 1)) == D(3)
    assert value(programme, "schools_funded", {"call": "B"}, day(2026, 4, 1)) == D(1)
    per_period = {"accumulation": Target.Accumulation.PER_PERIOD, "period_start": day(2026, 3, 25)}
    assert value(programme, "schools_funded", {}, day(2026, 4, 30), **per_period) == D(1)

    records = SchoolsFunded().records(target_of(programme, "schools_funded", {}), day(2026, 4, 1))
    assert list(records.columns) == ["school_number", "school_name", "operator_code", "operator", "reached_on"]
    operator = s1.operator
    assert list(records.rows) == sorted(
        [
            (s1.number, s1.name, operator.code, operator.name, "2026-03-20"),
            (s2.number, s2.name, operator.code, operator.name, "2026-03-20"),
            (s3.number, s3.name, operator.code, operator.name, "2026-03-20"),
            (s4.number, s4.name, operator.code, operator.name, "2026-04-01"),
        ]
    )


def test_schools_reached_via_grants_alone_and_together_with_payments(grants, world):
    programme = grants["programme"]
    assert value(programme, "schools_reached", {"via": ["grants"]}, day(2026, 4, 1)) == D(4)
    other = SchoolFactory(operator=world.operator, authority=world.authority, number="I-9")
    s1 = grants["schools"][0]
    for school in (other, s1):
        FundingTransactionFactory(programme=programme, school=school, date=day(2026, 3, 1),
                                  kind=FundingTransaction.Kind.PAID)  # fmt: skip
    assert value(programme, "schools_reached", {"via": ["grants", "funding"]}, day(2026, 4, 1)) == D(5)
    target = target_of(programme, "schools_reached", {"via": ["grants", "funding"]})
    records = get_kind("schools_reached").records(target, day(2026, 4, 1))
    reached = {row[0]: (row[3], row[4]) for row in records.rows}
    assert reached[s1.number] == ("2026-03-01", "funding grants")  # the earlier of the two days
    assert reached["I-4"] == ("2026-04-01", "grants")
    assert reached["I-9"] == ("2026-03-01", "funding")


@pytest.mark.parametrize(
    ("kind", "parameters", "message"),
    [
        ("funding_money", {}, "'stage' is a required property"),
        ("funding_money", {"stage": "spent"}, "stage: 'spent' is not one of"),
        ("funding_money", {"stage": "paid", "call": ""}, "call: '' should be non-empty"),
        ("funding_money", {"stage": "paid", "measure": "paid"}, "Additional properties are not allowed"),
        ("schools_funded", {"call": 12}, "call: 12 is not of type 'string'"),
        ("schools_funded", {"via": ["grants"]}, "Additional properties are not allowed"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(kind, parameters, message):
    with pytest.raises(ValidationError) as error:
        get_kind(kind).validate_parameters(parameters)
    assert message in " ".join(error.value.message_dict["parameters"])


def test_good_parameters_pass():
    get_kind("funding_money").validate_parameters({"stage": "approved", "call": "DP-MV-2019"})
    get_kind("schools_funded").validate_parameters({})
    get_kind("schools_funded").validate_parameters({"call": "DP-MV-2019"})


def test_the_target_page_offers_both_kinds_and_the_preview_computes_them(grants, role_users):
    programme = grants["programme"]
    client = Client()
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    page = client.get(reverse("programmes:programme-target-create", args=[programme.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<option value="funding_money">Money by funding call</option>' in html
    assert '<option value="schools_funded">Schools funded</option>' in html
    assert 'name="param__funding_money__stage"' in html
    assert '<option value="paid">Funding paid</option>' in html
    assert 'name="param__schools_funded__call"' in html

    preview = reverse("programmes:programme-indicator-preview", args=[programme.pk])
    reply = client.get(preview, {"indicator_kind": "schools_funded", "param__schools_funded__call": "A"}).json()
    assert (reply["value"], reply["unit"], reply["label"], reply["error"]) == ("3", "schools", "Schools funded", "")
    reply = client.get(preview, {"indicator_kind": "funding_money", "param__funding_money__stage": "requested"}).json()
    assert (reply["value"], reply["unit"], reply["error"]) == ("2140.00", "EUR", "")  # A1 1,350 + B1 700 + 90
    reply = client.get(preview, {"indicator_kind": "funding_money"}).json()
    assert reply["value"] is None
    assert "'stage' is a required property" in reply["error"]


def test_the_preview_is_not_for_operator_staff(grants, role_users):
    client = Client()
    client.force_login(role_users[Role.OPERATOR_STAFF])
    preview = reverse("programmes:programme-indicator-preview", args=[grants["programme"].pk])
    assert client.get(preview, {"indicator_kind": "schools_funded"}).status_code in (403, 404)


@pytest.mark.django_db
def test_flanders_milestone_401_is_computable_from_grants():
    """Digisprong paid every school board for its schools: played as one call whose applications
    (one per school board, every school of the board) get an operator-wide line each, milestone 401
    ("3,785 schools funded by October 2022") with the kind ``schools_funded`` is met."""
    programme = ProgrammeFactory(code="digisprong-test")
    call = CallFactory(programme=programme, code="DIGISPRONG-2021")
    boards = [OperatorFactory(authority=programme.authority) for _ in range(5)]
    schools = School.objects.bulk_create(
        [
            School(operator=boards[index % 5], authority=programme.authority, number=f"VL{index:05d}",
                   name=f"School {index}", type_code="BaO", type_label="Basisonderwijs", language="nl", city="Gent")
            for index in range(3786)
        ]
    )  # fmt: skip
    waves = [day(2021, 5, 20), day(2021, 10, 1), day(2022, 3, 1), day(2022, 6, 1), day(2022, 9, 30)]
    for number, (board, granted_on) in enumerate(zip(boards, waves, strict=True), start=1):
        application = ApplicationFactory(call=call, operator=board, number=1, state=ApplicationState.APPROVED)
        ApplicationSchool.objects.bulk_create(
            [
                ApplicationSchool(application=application, school=s, pupils=0)
                for s in schools
                if s.operator_id == board.pk
            ]
        )
        line = CostLineFactory(application=application, position=1, school=None, funding=D("1000.00"))
        decision = DecisionFactory(application=application, decided_at=at(granted_on))
        grant = GrantFactory(decision=decision, number=f"DS-{number}", created_at=at(granted_on))
        GrantLineFactory(grant=grant, cost_line=line)
    indicator = IndicatorFactory(programme=programme, kind="schools_funded", parameters={"call": "DIGISPRONG-2021"})
    target = TargetFactory(programme=programme, number="401", indicator=indicator, target_value=D("3785"),
                           due_date=day(2022, 10, 31), unit="schools/institutions")  # fmt: skip
    kind = get_kind("schools_funded")
    assert kind.compute(target, day(2022, 6, 1)) == D(3786 - 757)  # the last board's 757 schools wait
    assert kind.compute(target, day(2022, 10, 31)) == D(3786)
    assert milestone_statuses(programme, day(2023, 1, 1)) == {"401": "met"}
