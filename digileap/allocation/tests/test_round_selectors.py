"""Who sees which rounds, versions and lines, and two versions compared."""

from decimal import Decimal

import pytest
from django.http import Http404

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import assign_role, user_with_role
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import EnrolmentFactory, SchoolFactory

from ..models import AllocationRound
from ..selectors import rounds as selectors
from ..services.rounds import round_compute, round_update
from .factories_rounds import build_round_scenario

WIDE_ROLES = [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.ADMINISTRATOR]


@pytest.fixture
def scenario(world):
    return build_round_scenario(world)


def _numbers(lines) -> list[str]:
    return [line.school.number for line in lines]


@pytest.mark.parametrize("role", WIDE_ROLES)
def test_wide_roles_see_every_version_and_line(role, role_users, scenario):
    user = role_users[role]
    assert list(selectors.rounds_for(user)) == [scenario.round]
    assert [v.number for v in selectors.versions_for(user, scenario.round)] == [2, 1]
    assert _numbers(selectors.lines_for(user, scenario.first)) == ["1001", "1002"]
    assert selectors.sees_unpublished(user, scenario.round) is True


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER])
def test_narrow_roles_see_nothing_before_publication(role, role_users, scenario):
    user = role_users[role]
    assert list(selectors.rounds_for(user)) == []
    assert list(selectors.all_versions_for(user)) == []
    assert list(selectors.all_lines_for(user)) == []
    with pytest.raises(Http404):
        selectors.round_get(user, scenario.round.pk)
    with pytest.raises(Http404):
        selectors.version_get(user, scenario.second.pk)


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR])
def test_operators_and_schools_see_their_own_published_line(role, role_users, scenario):
    scenario.approve_and_publish()
    user = role_users[role]
    assert list(selectors.rounds_for(user)) == [scenario.round]
    assert [v.number for v in selectors.versions_for(user, scenario.round)] == [2]
    lines = list(selectors.lines_for(user, scenario.second))
    assert [(line.school.number, line.amount) for line in lines] == [("1001", Decimal("1200.00"))]
    assert selectors.line_get(user, lines[0].pk) == lines[0]
    other_line = scenario.second.lines.get(school=scenario.second_school)
    with pytest.raises(Http404):
        selectors.line_get(user, other_line.pk)
    unpublished_line = scenario.first.lines.get(school=scenario.school)
    with pytest.raises(Http404):
        selectors.line_get(user, unpublished_line.pk)
    with pytest.raises(Http404):
        selectors.version_get(user, scenario.first.pk)
    assert selectors.sees_unpublished(user, scenario.round) is False


def test_the_supplier_sees_nothing_even_after_publication(role_users, scenario):
    scenario.approve_and_publish()
    user = role_users[Role.SUPPLIER]
    assert (selectors.rounds_for(user).count(), selectors.all_lines_for(user).count()) == (0, 0)


def test_a_user_with_a_wide_and_a_narrow_role_sees_unpublished_only_where_wide(world, scenario):
    """Operator staff of world's operator who owns programmes of another authority: the round of
    world's authority shows only when published, the other authority's round always."""
    user = user_with_role(Role.OPERATOR_STAFF, world.operator, username="mixed")
    assign_role(user, Role.PROGRAMME_OWNER, world.other_authority)
    other_programme = ProgrammeFactory(authority=world.other_authority, code="OTHER")
    other_round = AllocationRound.objects.create(
        programme=other_programme,
        code="O",
        name="Other",
        school_year="2024/25",
        formula={"per_pupil": [{"amount": "1"}]},
    )
    other_version = round_compute(actor=user, allocation_round=other_round)
    assert set(selectors.rounds_for(user)) == {other_round}
    assert set(selectors.all_lines_for(user)) == set(other_version.lines.all())
    scenario.approve_and_publish()
    assert set(selectors.rounds_for(user)) == {other_round, scenario.round}
    assert _numbers(selectors.lines_for(user, scenario.second)) == ["1001"]
    assert selectors.sees_unpublished(user, other_round) is True
    assert selectors.sees_unpublished(user, scenario.round) is False


def test_lines_for_school_newest_first(role_users, scenario):
    owner_lines = selectors.lines_for_school(role_users[Role.PROGRAMME_OWNER], scenario.school)
    assert [(line.version.number, line.amount) for line in owner_lines] == [
        (2, Decimal("1200.00")),
        (1, Decimal("1000.00")),
    ]
    operator = role_users[Role.OPERATOR_STAFF]
    assert list(selectors.lines_for_school(operator, scenario.school)) == []
    scenario.approve_and_publish()
    assert [line.version.number for line in selectors.lines_for_school(operator, scenario.school)] == [2]
    assert list(selectors.lines_for_school(operator, scenario.second_school)) == []


def test_programmes_for_rounds_are_those_the_user_may_add_rounds_to(world, role_users, scenario):
    ProgrammeFactory(authority=world.other_authority, code="OUTSIDE-programme")
    assert list(selectors.programmes_for_rounds(role_users[Role.PROGRAMME_OWNER])) == [scenario.programme]
    assert list(selectors.programmes_for_rounds(role_users[Role.FUNDING_ADMINISTRATOR])) == []
    assert list(selectors.programmes_for_rounds(role_users[Role.OPERATOR_STAFF])) == []
    assert selectors.programmes_for_rounds(role_users[Role.ADMINISTRATOR]).count() == 2


def test_compare_versions_per_school_totals_and_schools_in_one_version_only(world, role_users, scenario):
    owner = scenario.owner
    late = SchoolFactory(operator=world.operator, name="Late school", number="1003")
    EnrolmentFactory(school=late, level=1, grade=0, pupils=5)
    round_update(actor=owner, allocation_round=scenario.round, data={"name": "Recomputed"})
    third = round_compute(actor=owner, allocation_round=scenario.round)

    comparison = selectors.compare_versions(role_users[Role.PROGRAMME_OWNER], scenario.first, third)
    rows = [(r.number, r.amount_a, r.amount_b, r.difference, r.only_in) for r in comparison.rows]
    assert rows == [
        ("1001", Decimal("1000.00"), Decimal("1200.00"), Decimal("200.00"), ""),
        ("1002", Decimal("2000.00"), Decimal("2400.00"), Decimal("400.00"), ""),
        ("1003", None, Decimal("600.00"), Decimal("600.00"), "b"),
    ]
    assert (comparison.total_a, comparison.total_b, comparison.total_difference) == (
        Decimal("3000.00"),
        Decimal("4200.00"),
        Decimal("1200.00"),
    )
    assert [r.number for r in comparison.only_in_b] == ["1003"]
    assert comparison.only_in_a == []

    same = selectors.compare_versions(role_users[Role.PROGRAMME_OWNER], scenario.second, third)
    assert [r.number for r in same.changed] == ["1003"]


def test_compare_versions_only_over_the_lines_the_user_may_see(role_users, scenario):
    scenario.approve_and_publish()
    operator = role_users[Role.OPERATOR_STAFF]
    comparison = selectors.compare_versions(operator, scenario.second, scenario.second)
    assert [(r.number, r.amount_a, r.amount_b) for r in comparison.rows] == [
        ("1001", Decimal("1200.00"), Decimal("1200.00"))
    ]
    assert comparison.changed == []
