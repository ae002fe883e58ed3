import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from digileap.accounts.models import Role
from digileap.programmes import selectors, services
from digileap.programmes.models import FundingTransaction

from .factories import FundingSourceFactory, FundingTransactionFactory, ProgrammeFactory, TargetFactory

D = Decimal


@pytest.fixture
def programmes(world):
    inside = ProgrammeFactory(code="INSIDE-programme", authority=world.authority, is_public=False)
    outside = ProgrammeFactory(code="OUTSIDE-programme", authority=world.other_authority)
    TargetFactory(programme=inside)
    TargetFactory(programme=outside)
    # Money for the INSIDE school, for no school, and for the OUTSIDE school.
    FundingTransactionFactory(programme=inside, school=world.school, reference="INSIDE-school")
    FundingTransactionFactory(programme=inside, school=None, reference="INSIDE-unassigned")
    FundingTransactionFactory(programme=outside, school=world.other_school, reference="OUTSIDE-school")
    return inside, outside


EXPECTED_PROGRAMMES = {
    Role.ADMINISTRATOR: ["INSIDE-programme", "OUTSIDE-programme"],
    Role.PROGRAMME_OWNER: ["INSIDE-programme"],
    Role.FUNDING_ADMINISTRATOR: ["INSIDE-programme"],
    Role.OPERATOR_STAFF: ["INSIDE-programme"],
    Role.SCHOOL_COORDINATOR: ["INSIDE-programme"],
    Role.SUPPLIER: [],
    Role.AUDITOR: ["INSIDE-programme"],
}
EXPECTED_TRANSACTIONS = {
    Role.ADMINISTRATOR: ["INSIDE-school", "INSIDE-unassigned", "OUTSIDE-school"],
    Role.PROGRAMME_OWNER: ["INSIDE-school", "INSIDE-unassigned"],
    Role.FUNDING_ADMINISTRATOR: ["INSIDE-school", "INSIDE-unassigned"],
    Role.OPERATOR_STAFF: ["INSIDE-school"],
    Role.SCHOOL_COORDINATOR: ["INSIDE-school"],
    Role.SUPPLIER: [],
    Role.AUDITOR: ["INSIDE-school", "INSIDE-unassigned"],
}


@pytest.mark.parametrize("role", list(EXPECTED_PROGRAMMES))
def test_each_role_sees_the_programmes_and_money_of_its_scope(role, role_users, programmes):
    user = role_users[role]
    assert sorted(selectors.programmes_for(user).values_list("code", flat=True)) == EXPECTED_PROGRAMMES[role]
    target_programmes = sorted(selectors.targets_for(user).values_list("programme__code", flat=True))
    assert target_programmes == EXPECTED_PROGRAMMES[role]
    assert (
        sorted(selectors.funding_transactions_for(user).values_list("reference", flat=True))
        == EXPECTED_TRANSACTIONS[role]
    )


@pytest.mark.parametrize(
    ("role", "may_change"),
    [
        (Role.ADMINISTRATOR, True),
        (Role.PROGRAMME_OWNER, True),
        (Role.FUNDING_ADMINISTRATOR, False),
        (Role.OPERATOR_STAFF, False),
        (Role.SCHOOL_COORDINATOR, False),
        (Role.SUPPLIER, False),
        (Role.AUDITOR, False),
    ],
)
def test_only_owners_change_programmes(role, may_change, role_users, programmes):
    inside, outside = programmes
    user = role_users[role]
    if may_change:
        services.programme_update(actor=user, programme=inside, data={"region": "Inside"})
    else:
        with pytest.raises(PermissionDenied):
            services.programme_update(actor=user, programme=inside, data={"region": "Inside"})
    if role != Role.ADMINISTRATOR:
        with pytest.raises(PermissionDenied):
            services.programme_update(actor=user, programme=outside, data={"region": "Outside"})


def test_funding_administrators_record_money_inside_their_scope_only(role_users, programmes, world):
    inside, outside = programmes
    user = role_users[Role.FUNDING_ADMINISTRATOR]
    entry = services.funding_transaction_record(
        actor=user,
        programme=inside,
        source=FundingSourceFactory(programme=inside),
        kind=FundingTransaction.Kind.COMMITTED,
        amount=D("10.00"),
        date=datetime.date(2024, 1, 1),
        school=world.school,
    )
    assert entry.recorded_by == user
    with pytest.raises(PermissionDenied):
        services.funding_transaction_record(
            actor=user,
            programme=outside,
            source=FundingSourceFactory(programme=outside),
            kind=FundingTransaction.Kind.COMMITTED,
            amount=D("10.00"),
            date=datetime.date(2024, 1, 1),
        )


def test_public_programmes_are_only_the_public_ones(programmes):
    assert list(selectors.public_programmes().values_list("code", flat=True)) == ["OUTSIDE-programme"]


def test_budget_by_source_counts_only_the_entries_the_user_sees(role_users, programmes):
    inside, _outside = programmes
    rows = selectors.budget_by_source(inside, selectors.funding_transactions_for(role_users[Role.OPERATOR_STAFF]))
    assert [(row["committed"], row["paid"]) for row in rows] == [(0, D("100.00")), (0, 0)]
