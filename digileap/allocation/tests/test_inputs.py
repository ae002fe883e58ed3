"""load_inputs reads the registry in one aggregated query: the same inputs as the rows say."""

from decimal import Decimal

import pytest

from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.models import SocioEconomicScale
from digileap.schools.tests.factories import EnrolmentFactory, SchoolFactory, SocioEconomicIndexFactory

from ..formula import parse_formula
from ..inputs import load_inputs, parse_eligibility
from ..models import AllocationRound


@pytest.fixture
def allocation_round(world):
    programme = ProgrammeFactory(authority=world.authority, code="inputs")
    return AllocationRound.objects.create(
        programme=programme, code="IN", name="Inputs", school_year="2024/25", formula={"per_pupil": [{"amount": 1}]}
    )


def load(allocation_round, eligibility=None):
    formula = parse_formula(allocation_round.formula, is_money=True)
    schools, excluded = load_inputs(allocation_round, formula, parse_eligibility(eligibility or {}))
    return {s.number: s for s in schools}, excluded


def test_pupils_by_level_and_grade_the_year_and_the_newest_index(world, allocation_round):
    school = world.school
    for grade, pupils in ((1, 20), (2, 21), (10, 7)):
        EnrolmentFactory(school=school, level=1, grade=grade, pupils=pupils)
    EnrolmentFactory(school=school, level=2, grade=0, pupils=300)
    EnrolmentFactory(school=school, level=3, grade=0, pupils=5, school_year="2023/24")  # another year
    other = SchoolFactory(operator=world.operator, number="7007")
    EnrolmentFactory(school=other, level=1, grade=0, pupils=40)
    SocioEconomicIndexFactory(school=school, value=Decimal("2.5"))
    flanders = SocioEconomicScale.objects.exclude(code="de-hh-sozialindex").first()
    SocioEconomicIndexFactory(school=school, value=Decimal("61.25"), scale=flanders)  # the newer row
    SocioEconomicIndexFactory(school=other, value=Decimal("4"), school_year="2023/24")  # another year

    schools, excluded = load(allocation_round)
    first = schools[school.number]
    assert first.pupils == {(1, 1): 20, (1, 2): 21, (1, 10): 7, (2, 0): 300}
    assert first.index == Decimal("61.250")
    expected = Decimal("61.25") if flanders.is_higher_more_disadvantaged else Decimal("-61.25")
    assert first.disadvantage == expected
    assert (first.school_id, first.operator_id) == (school.pk, world.operator.pk)
    second = schools["7007"]
    assert second.pupils == {(1, 0): 40}
    assert second.index is None and second.disadvantage is None
    assert excluded == {}


def test_filters_by_level_grade_and_pupils(world, allocation_round):
    EnrolmentFactory(school=world.school, level=1, grade=1, pupils=20)
    EnrolmentFactory(school=world.school, level=1, grade=0, pupils=9)
    EnrolmentFactory(school=world.school, level=2, grade=7, pupils=30)
    empty = SchoolFactory(operator=world.operator, number="8008")
    schools, excluded = load(allocation_round, {"levels": [1], "grades": [1, 2]})
    assert schools[world.school.number].pupils == {(1, 1): 20}
    assert empty.number not in schools
    assert excluded == {"no_pupils": 1}
    schools, excluded = load(allocation_round, {"min_pupils": 0})
    assert schools[empty.number].pupils == {}
    assert excluded == {}
