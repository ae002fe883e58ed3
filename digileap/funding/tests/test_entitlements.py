"""The entitlement rule (pure) with MV's example definition, and the services that compute, type and publish."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..entitlements import DefinitionError, SchoolFacts, compute, parse_definition
from ..models import Entitlement
from ..selectors import entitlements_for
from ..services.calls import call_operators_set
from ..services.entitlements import entitlement_set, entitlements_compute, entitlements_publish
from .conftest import mv_example


def facts(id, operator, type_code, pupils, sector="public", status="open") -> SchoolFacts:
    return SchoolFacts(id, operator, f"{id:04d}", f"School {id}", type_code, sector, status, pupils)


MV = parse_definition(mv_example()["entitlements"])


def test_mv_rule_base_by_type_plus_340_per_pupil():
    result = compute(
        MV,
        [
            facts(1, 7, "GS", 200),  # 40,000 + 68,000
            facts(2, 7, "Gy", 600),  # 50,000 + 204,000
            facts(3, 7, "FöL", 80),  # 50,000 + 27,200 (special school)
            facts(4, 7, "RBB", 1000),  # 75,000 + 340,000
            facts(5, 8, "GS", 100, sector="private"),  # 15,000 + 34,000: private first, whatever the type
            facts(6, 8, "GS", 50, status="closed"),  # left out
            facts(7, 8, "Gy", None),  # 50,000, pupils unknown
        ],
    )
    assert {operator: value.amount for operator, value in result.items()} == {
        7: Decimal("40000.00")
        + Decimal("68000.00")
        + Decimal("254000.00")
        + Decimal("77200.00")
        + Decimal("415000.00"),
        8: Decimal("49000.00") + Decimal("50000.00"),
    }
    assert result[7].amount == Decimal("854200.00")
    steps = result[8].explanation["schools"]
    assert steps == [
        {
            "school": 5,
            "number": "0005",
            "name": "School 5",
            "base_rule": "private school",
            "base": "15000.00",
            "pupils": 100,
            "pupils_unknown": False,
            "per_pupil": "340.00",
            "amount": "49000.00",
        },
        {
            "school": 7,
            "number": "0007",
            "name": "School 7",
            "base_rule": "other general or special school",
            "base": "50000.00",
            "pupils": 0,
            "pupils_unknown": True,
            "per_pupil": "340.00",
            "amount": "50000.00",
        },
    ]
    assert result[8].explanation["total"] == "99000.00"


@pytest.mark.parametrize(
    "definition, path",
    [
        ([], "definition"),
        ({}, "definition"),
        ({"per_pupil": "abc"}, "per_pupil"),
        ({"per_pupil": "-1"}, "per_pupil"),
        ({"per_pupil": "1.001"}, "per_pupil"),
        ({"per_pupil": True}, "per_pupil"),
        ({"base_per_school": [{"label": "x"}]}, "base_per_school[0].amount"),
        ({"base_per_school": [{"amount": "1", "types": ["GS"]}]}, "base_per_school[0].types"),
        ({"base_per_school": [{"amount": "1", "school_types": []}]}, "base_per_school[0].school_types"),
        ({"base_per_school": [{"amount": "1", "sectors": "private"}]}, "base_per_school[0].sectors"),
        ({"base_per_school": "x"}, "base_per_school"),
        ({"per_pupil": "1", "formula": {}}, "formula"),
    ],
)
def test_bad_definitions_name_the_setting(definition, path):
    with pytest.raises(DefinitionError) as error:
        parse_definition(definition)
    assert error.value.path == path


def test_a_single_base_amount_is_accepted():
    definition = parse_definition({"base_per_school": "1000", "per_pupil": "0"})
    assert compute(definition, [facts(1, 1, "", 10)])[1].amount == Decimal("1000.00")


def test_compute_writes_unpublished_entitlements_and_keeps_published_ones(mv_call, world, owner):
    other = OperatorFactory(authority=world.authority, name="INSIDE second operator")
    SchoolFactory(operator=other, type_code="RBB", number="3003", pupils_total=10)
    call_operators_set(actor=SystemActor(), call=mv_call, operators=[world.operator, other])
    assert entitlements_compute(actor=owner, call=mv_call) == {"written": 1, "kept_published": 1}
    rows = {row.operator_id: row for row in Entitlement.objects.filter(call=mv_call)}
    assert rows[world.operator.pk].amount == Decimal("200000.00")  # typed and published: kept
    assert rows[world.operator.pk].source == "typed"
    assert rows[other.pk].amount == Decimal("78400.00")  # 75,000 + 10 x 340
    assert rows[other.pk].source == "computed" and rows[other.pk].published_at is None
    assert AuditEvent.objects.filter(object_id=str(mv_call.pk), action="update").exists()


def test_operators_see_entitlements_only_once_published(mv_call, world, owner, staff, role_users):
    entitlement_set(actor=owner, call=mv_call, operator=world.operator, amount="210000")
    entitlement = Entitlement.objects.get(call=mv_call, operator=world.operator)
    assert (entitlement.amount, entitlement.published_at) == (Decimal("210000.00"), None)
    assert list(entitlements_for(staff)) == []
    assert list(entitlements_for(owner)) == [entitlement]
    assert list(entitlements_for(role_users[Role.AUDITOR])) == []
    assert entitlements_publish(actor=owner, call=mv_call) == 1
    assert list(entitlements_for(staff)) == [entitlement]
    assert entitlements_publish(actor=owner, call=mv_call) == 0


@pytest.mark.parametrize("amount", ["-1", "abc", "", "1.234"])
def test_a_bad_typed_entitlement_is_refused_and_nothing_changes(mv_call, world, owner, amount):
    with pytest.raises(ValidationError) as error:
        entitlement_set(actor=owner, call=mv_call, operator=world.operator, amount=amount)
    assert list(error.value.message_dict) == ["amount"]
    assert Entitlement.objects.get(call=mv_call, operator=world.operator).amount == Decimal("200000.00")


def test_only_the_calls_operators_get_entitlements(mv_call, world, owner):
    with pytest.raises(ValidationError):
        entitlement_set(actor=owner, call=mv_call, operator=world.other_operator, amount="1")


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR])
def test_only_the_authority_sets_computes_and_publishes(mv_call, world, role_users, role):
    user = role_users[role]
    with pytest.raises(PermissionDenied):
        entitlement_set(actor=user, call=mv_call, operator=world.operator, amount="1")
    with pytest.raises(PermissionDenied):
        entitlements_compute(actor=user, call=mv_call)
    with pytest.raises(PermissionDenied):
        entitlements_publish(actor=user, call=mv_call)
    assert Entitlement.objects.get(call=mv_call).amount == Decimal("200000.00")
