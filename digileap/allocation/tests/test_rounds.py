"""Rounds end to end on the database: the Digisprong per-pupil formula, the Brussels rule, the MV
caps, versions, approval and its lock."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import (
    EnrolmentFactory,
    OperatorFactory,
    SchoolFactory,
    SocioEconomicIndexFactory,
)

from ..models import AllocationLine, AllocationRound, AllocationVersion
from ..services.rounds import round_compute, round_create, round_update, version_approve, version_publish
from .factories import NeedDeclarationFactory, NeedLineFactory

DIGISPRONG = {
    "per_pupil": [
        {"levels": [1], "grades": [1, 2, 3, 4], "amount": "25"},
        {"levels": [1], "grades": [5, 6], "amount": "290"},
        {"levels": [2, 3], "amount": "510"},
        {"amount": "42"},
    ]
}


@pytest.fixture
def owner(world):
    return user_with_role(Role.PROGRAMME_OWNER, world.authority, username="owner")


@pytest.fixture
def programme(world):
    return ProgrammeFactory(authority=world.authority, code="digisprong")


def _grades(school, pupils_by_grade, level=1):
    for grade, pupils in pupils_by_grade.items():
        EnrolmentFactory(school=school, level=level, grade=grade, pupils=pupils)


def test_digisprong_per_pupil_formula(world, owner, programme):
    primary = world.school  # grades 1-6
    _grades(primary, {1: 20, 2: 21, 3: 22, 4: 23, 5: 24, 6: 25})
    secondary = SchoolFactory(operator=world.operator, number="3003", isced_1=False, isced_2=True)
    EnrolmentFactory(school=secondary, level=2, grade=0, pupils=300)
    allocation_round = round_create(
        actor=owner,
        programme=programme,
        data={"code": "DS", "name": "Digisprong", "school_year": "2024/25", "formula": DIGISPRONG},
    )
    version = round_compute(actor=owner, allocation_round=allocation_round)

    lines = {line.school_id: line for line in version.lines.all()}
    # 86 pupils in grades 1-4 at 25, 49 in grades 5-6 at 290, 135 pupils at 42.
    assert lines[primary.pk].amount == Decimal(86 * 25 + 49 * 290 + 135 * 42)
    assert lines[secondary.pk].amount == Decimal(300 * 510 + 300 * 42)
    assert version.total == Decimal(86 * 25 + 49 * 290 + 135 * 42 + 300 * 552)
    assert version.number == 1
    assert version.schools_count == 2
    steps = lines[primary.pk].explanation["steps"]
    assert [(s["rate"], s["pupils"], s["value"]) for s in steps] == [
        ("25", 86, "2150"),
        ("290", 49, "14210"),
        ("510", 0, "0"),
        ("42", 135, "5670"),
    ]
    # The school outside the programme's authority is not in the round.
    assert not AllocationLine.objects.filter(school=world.other_school).exists()
    assert AllocationRound.objects.get(pk=allocation_round.pk).status == AllocationRound.Status.COMPUTED


def test_brussels_rule_units_to_secondary_low_index_first(world, owner, programme):
    """3,500 units over secondary schools, the lowest socio-economic index first, each up to its need."""
    schools = []
    for number, index, pupils, need in [
        ("B1", "10", 800, 1500),
        ("B2", "5", 600, 1200),
        ("B3", "20", 900, 2000),
        ("B4", "15", 500, 400),
    ]:
        school = SchoolFactory(operator=world.operator, number=number, isced_1=False, isced_2=True, isced_3=True)
        EnrolmentFactory(school=school, level=2, pupils=pupils)
        SocioEconomicIndexFactory(school=school, value=Decimal(index))
        NeedLineFactory(declaration=NeedDeclarationFactory(school=school), device_type="laptop", needed=need)
        schools.append(school)
    primary = world.school
    EnrolmentFactory(school=primary, level=1, pupils=400)
    allocation_round = round_create(
        actor=owner,
        programme=programme,
        data={
            "code": "BXL",
            "name": "Brussels devices",
            "school_year": "2024/25",
            "resource": "units",
            "device_type": "laptop",
            "total": Decimal(3500),
            "distribution": "priority",
            "eligibility": {"levels": [2, 3]},
            "formula": {"need": "weight", "index_weights": {"kind": "table", "bands": [{"weight": "1"}]}},
        },
    )
    version = round_compute(actor=owner, allocation_round=allocation_round)
    amounts = {line.school.number: line.amount for line in version.lines.select_related("school")}
    # The Hamburg scale: 1 is the most disadvantaged, so 5 < 10 < 15 < 20 is the order of service.
    assert amounts == {"B2": Decimal(1200), "B1": Decimal(1500), "B4": Decimal(400), "B3": Decimal(400)}
    assert sum(amounts.values()) == 3500
    bounds = {line.school.number: line.bound for line in version.lines.select_related("school")}
    assert bounds == {"B1": "", "B2": "", "B3": "budget", "B4": ""}


def test_mv_caps_per_school_and_operator_share(world, owner, programme):
    """Pupil devices at most EUR 25,000 per school and 20 % of the operator's total."""
    small = OperatorFactory(authority=world.authority, name="Small operator")
    for number, pupils, operator in [("M1", 400, world.operator), ("M2", 100, world.operator), ("M3", 100, small)]:
        school = SchoolFactory(operator=operator, number=number)
        EnrolmentFactory(school=school, level=1, pupils=pupils)
    budget = round_create(
        actor=owner,
        programme=programme,
        data={
            "code": "BUDGET",
            "name": "Budget per operator",
            "school_year": "2024/25",
            "formula": {"per_pupil": [{"amount": "500"}]},
        },
    )
    version_approve(actor=owner, version=round_compute(actor=owner, allocation_round=budget))
    devices = round_create(
        actor=owner,
        programme=programme,
        data={
            "code": "DEVICES",
            "name": "Pupil devices",
            "school_year": "2024/25",
            "formula": {
                "per_pupil": [{"amount": "150"}],
                "cap_per_school": "25000",
                "operator_cap": {"percent": "20", "of_round": "BUDGET"},
            },
        },
    )
    version = round_compute(actor=owner, allocation_round=devices)
    lines = {line.school.number: line for line in version.lines.select_related("school")}
    # M1: 400 x 150 = 60,000, capped at 25,000; M2: 15,000. The operator's budget is 250,000,
    # 20 % is 50,000: 40,000 fits. The small operator: 15,000 > 20 % of 50,000 = 10,000.
    assert lines["M1"].amount == Decimal("25000.00")
    assert lines["M1"].bound == "cap_school"
    assert lines["M2"].amount == Decimal("15000.00")
    assert lines["M3"].amount == Decimal("10000.00")
    assert lines["M3"].bound == "cap_operator"


def test_versions_and_approval_lock(world, owner, programme):
    EnrolmentFactory(school=world.school, level=1, pupils=10)
    allocation_round = round_create(
        actor=owner,
        programme=programme,
        data={"code": "V", "name": "Versions", "school_year": "2024/25", "formula": {"per_pupil": [{"amount": "10"}]}},
    )
    first = round_compute(actor=owner, allocation_round=allocation_round)
    round_update(actor=owner, allocation_round=allocation_round, data={"formula": {"per_pupil": [{"amount": "12"}]}})
    with pytest.raises(ValidationError, match="compute it again"):
        version_approve(actor=owner, version=first)
    second = round_compute(actor=owner, allocation_round=allocation_round)
    with pytest.raises(ValidationError, match="Only the latest version can be approved: version 2 is newer."):
        version_approve(actor=owner, version=first)
    assert (first.number, first.total, second.number, second.total) == (1, Decimal(100), 2, Decimal(120))
    version_approve(actor=owner, version=second)
    with pytest.raises(ValidationError, match="approved"):
        round_compute(actor=owner, allocation_round=allocation_round)
    with pytest.raises(ValidationError, match="approved"):
        round_update(actor=owner, allocation_round=allocation_round, data={"name": "Other"})
    version_publish(actor=owner, version=second)
    assert AllocationVersion.objects.get(pk=second.pk).status == "published"
    assert AllocationRound.objects.get(pk=allocation_round.pk).status == "published"
    actions = list(
        AuditEvent.objects.filter(object_type__in=["allocation.allocationversion", "allocation.allocationround"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "compute", "update", "compute", "approve", "publish"]


def test_only_programme_owners_compute_and_approve(world, owner, programme, role_users):
    EnrolmentFactory(school=world.school, level=1, pupils=10)
    allocation_round = round_create(
        actor=owner,
        programme=programme,
        data={"code": "P", "name": "P", "school_year": "2024/25", "formula": {"per_pupil": [{"amount": "10"}]}},
    )
    for role in (Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            round_compute(actor=role_users[role], allocation_round=allocation_round)
    version = round_compute(actor=owner, allocation_round=allocation_round)
    with pytest.raises(PermissionDenied):
        version_approve(actor=role_users[Role.FUNDING_ADMINISTRATOR], version=version)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ({"per_pupil": [{"amount": "abc"}]}, "formula.per_pupil[0].amount: 'abc' is not a number"),
        ({"per_pupil": [{"amount": "-1"}]}, "formula.per_pupil[0].amount: must be at least 0, not -1"),
        ({"per_pupil": [{"amount": "1", "levels": [7]}]}, "formula.per_pupil[0].levels: 7 is not between 0 and 4"),
        ({"per_pupil": []}, "formula.per_pupil: give at least one amount per pupil or a base per school"),
        ({"per_pupil": [{"amount": "1"}], "colour": "red"}, "formula.colour: unknown setting"),
        (
            {"per_pupil": [{"amount": "1"}], "floor_per_school": "10", "cap_per_school": "5"},
            "formula.floor_per_school: the floor is above the cap per school",
        ),
    ],
)
def test_bad_formula_is_refused_with_its_path(world, owner, programme, formula, message):
    with pytest.raises(ValidationError) as caught:
        round_create(
            actor=owner,
            programme=programme,
            data={"code": "X", "name": "X", "school_year": "2024/25", "formula": formula},
        )
    assert caught.value.message_dict == {"formula": [message]}
    assert not AllocationRound.objects.exists()
