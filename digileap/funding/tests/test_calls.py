"""Calls: creation and edits by the authority, MV's example configuration, operators and categories."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory

from ..models import Call, CallEligibility, CostCategory, RequiredDocument
from ..services.calls import (
    call_create,
    call_operators_set,
    call_update,
    cost_category_create,
    cost_category_update,
    required_document_create,
)

pytestmark = pytest.mark.django_db


def call_data(**changes):
    now = timezone.now()
    data = {
        "code": "DP-1",
        "title": {"en": "DigitalPakt", "de": "DigitalPakt"},
        "opens_at": now,
        "closes_at": now + datetime.timedelta(days=30),
        "cofinancing_rate": Decimal("10"),
        "cofinancing_payer": "state",
    }
    data.update(changes)
    return data


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="P-IN", authority=world.authority, name={"en": "INSIDE programme"})


@pytest.fixture
def source(programme):
    return FundingSourceFactory(programme=programme)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR])
def test_the_authority_creates_a_call(role_users, programme, source, role):
    call = call_create(actor=role_users[role], programme=programme, funding_source=source, data=call_data())
    assert (call.code, call.display_title, call.cofinancing_rate, call.cofinancing_payer) == (
        "DP-1",
        "DigitalPakt",
        Decimal("10"),
        "state",
    )
    event = AuditEvent.objects.get(action="create", object_type="funding.call")
    assert event.after["code"] == "DP-1"


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR])
def test_others_cannot_create_a_call(role_users, programme, source, role):
    with pytest.raises(PermissionDenied):
        call_create(actor=role_users[role], programme=programme, funding_source=source, data=call_data())
    assert not Call.objects.exists()


def test_a_programme_owner_of_another_authority_cannot_create_or_edit_a_call(world, role_users, programme, source):
    outside_programme = ProgrammeFactory(code="P-OUT", authority=world.other_authority)
    outside_source = FundingSourceFactory(programme=outside_programme)
    owner = role_users[Role.PROGRAMME_OWNER]
    with pytest.raises(PermissionDenied):
        call_create(actor=owner, programme=outside_programme, funding_source=outside_source, data=call_data())
    call = call_create(
        actor=role_users[Role.ADMINISTRATOR],
        programme=outside_programme,
        funding_source=outside_source,
        data=call_data(),
    )
    with pytest.raises(PermissionDenied):
        call_update(actor=owner, call=call, data={"code": "MINE"})
    assert Call.objects.get(pk=call.pk).code == "DP-1"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": {}}, "title"),
        ({"title": {"xx": "Unknown language"}}, "title"),
        ({"cofinancing_rate": Decimal("101")}, "cofinancing_rate"),
        ({"cofinancing_payer": "bank"}, "cofinancing_payer"),
        ({"entitlement_definition": {"per_pupil": "abc"}}, "entitlement_definition"),
    ],
)
def test_bad_call_settings_are_refused_by_field(owner, programme, source, changes, field):
    with pytest.raises(ValidationError) as error:
        call_create(actor=owner, programme=programme, funding_source=source, data=call_data(**changes))
    assert field in error.value.message_dict
    assert not Call.objects.exists()


def test_the_call_closes_after_it_opens(owner, programme, source):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        call_create(
            actor=owner, programme=programme, funding_source=source, data=call_data(opens_at=now, closes_at=now)
        )
    assert error.value.message_dict["closes_at"] == ["The call must close after it opens."]


def test_the_funding_source_must_be_the_programmes(owner, programme):
    foreign = FundingSourceFactory()
    with pytest.raises(ValidationError) as error:
        call_create(actor=owner, programme=programme, funding_source=foreign, data=call_data())
    assert error.value.message_dict["funding_source"] == ["The funding source must be one of the programme's."]


def test_unknown_fields_are_refused(owner, programme, source):
    with pytest.raises(ValidationError):
        call_create(actor=owner, programme=programme, funding_source=source, data=call_data(programme_id=1))


def test_the_mv_example_configures_categories_documents_and_rule(mv_call):
    assert list(
        mv_call.cost_categories.values_list("code", "funding_rate", "cap_per_school", "cap_share_of_entitlement")
    ) == [
        ("network", Decimal("90.00"), None, None),
        ("displays", Decimal("90.00"), None, None),
        ("servers", Decimal("90.00"), None, None),
        ("pupil-devices", Decimal("90.00"), Decimal("25000.00"), Decimal("20.00")),
    ]
    assert list(mv_call.required_documents.values_list("code", "scope", "validity_months")) == [
        ("mep", "operator", None),
        ("mbk", "school", 36),
        ("technical-concept", "application", None),
    ]
    assert mv_call.required_documents.get(code="mbk").display_name == "Media concept"
    assert (mv_call.cofinancing_rate, mv_call.cofinancing_payer) == (Decimal("10.00"), "state")
    assert mv_call.entitlement_definition["per_pupil"] == "340"


def test_a_category_cannot_fund_more_than_the_cofinancing_leaves(mv_call, owner):
    with pytest.raises(ValidationError) as error:
        cost_category_create(
            actor=owner, call=mv_call, data={"code": "x", "name": {"en": "X"}, "funding_rate": Decimal("95")}
        )
    assert error.value.message_dict == {
        "funding_rate": ["The funding rate and the call's co-financing of 10 % add up to more than 100 %."]
    }
    with pytest.raises(ValidationError) as error:
        call_update(actor=owner, call=mv_call, data={"cofinancing_rate": Decimal("20")})
    assert error.value.message_dict == {
        "cofinancing_rate": [
            "With this co-financing these categories would fund more than 100 %: Network and Wi-Fi, "
            "Displays and interactive boards, Servers and storage, Pupil devices"
        ]
    }
    assert not CostCategory.objects.filter(code="x").exists()


def test_category_codes_stay_once_lines_use_them(mv_call, world, staff, owner):
    from ..services.applications import application_draft, cost_line_add

    application = application_draft(actor=staff, call=mv_call, operator=world.operator)
    network = mv_call.cost_categories.get(code="network")
    cost_line_add(
        actor=staff,
        application=application,
        data={"category": network, "school": None, "description": "Switch", "quantity": "1", "unit_price": "10"},
    )
    with pytest.raises(ValidationError):
        cost_category_update(actor=owner, category=network, data={"code": "net"})
    cost_category_update(actor=owner, category=network, data={"cap_absolute": Decimal("50000")})
    network.refresh_from_db()
    assert network.cap_absolute == Decimal("50000.00")


def test_operators_come_from_the_programmes_authority_and_applicants_stay(mv_call, world, staff, owner):
    with pytest.raises(ValidationError) as error:
        call_operators_set(actor=owner, call=mv_call, operators=[world.operator, world.other_operator])
    assert error.value.message_dict == {
        "operators": ["These operators are not of the programme's authority: OUTSIDE operator"]
    }
    from ..services.applications import application_draft

    application_draft(actor=staff, call=mv_call, operator=world.operator)
    with pytest.raises(ValidationError) as error:
        call_operators_set(actor=owner, call=mv_call, operators=[])
    assert error.value.message_dict == {
        "operators": ["These operators have applied and stay in the call: INSIDE operator"]
    }
    assert list(CallEligibility.objects.filter(call=mv_call).values_list("operator_id", flat=True)) == [
        world.operator.pk
    ]


def test_required_document_validity_must_be_positive(mv_call, owner):
    with pytest.raises(ValidationError):
        required_document_create(
            actor=owner, call=mv_call, data={"code": "x", "scope": "school", "name": {"en": "X"}, "validity_months": 0}
        )
    assert not RequiredDocument.objects.filter(code="x").exists()
