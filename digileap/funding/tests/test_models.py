"""Database constraints of the funding models: what the database itself refuses."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from digileap.schools.tests.factories import OperatorFactory

from ..models import ApplicationEvent, ApplicationVersion, CostLine
from .factories import (
    ApplicationFactory,
    CallEligibilityFactory,
    CallFactory,
    CostCategoryFactory,
    EntitlementFactory,
    RequiredDocumentFactory,
)

pytestmark = pytest.mark.django_db


def refused(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_a_call_closes_after_it_opens():
    now = timezone.now()
    assert refused(lambda: CallFactory(opens_at=now, closes_at=now))
    assert not refused(lambda: CallFactory(opens_at=now, closes_at=now + datetime.timedelta(seconds=1)))


def test_rates_are_percentages():
    assert refused(lambda: CallFactory(cofinancing_rate=Decimal("100.01")))
    assert refused(lambda: CostCategoryFactory(funding_rate=Decimal("-1")))
    assert refused(lambda: CostCategoryFactory(cap_share_of_application=Decimal("101")))
    assert refused(lambda: CostCategoryFactory(cap_share_of_entitlement=Decimal("-0.01")))
    assert not refused(lambda: CostCategoryFactory(funding_rate=Decimal("100"), cap_share_of_entitlement=Decimal("20")))


def test_caps_are_not_negative():
    for field in ("cap_absolute", "cap_per_school", "cap_per_pupil"):
        assert refused(lambda field=field: CostCategoryFactory(**{field: Decimal("-0.01")})), field


def test_codes_are_unique_in_a_call():
    call = CallFactory()
    CostCategoryFactory(call=call, code="wifi")
    assert refused(lambda: CostCategoryFactory(call=call, code="wifi"))
    RequiredDocumentFactory(call=call, code="mep")
    assert refused(lambda: RequiredDocumentFactory(call=call, code="mep"))
    assert refused(lambda: RequiredDocumentFactory(call=call, code="other", scope="building"))
    assert refused(lambda: RequiredDocumentFactory(call=call, code="zero", validity_months=0))


def test_one_entitlement_and_one_listing_per_operator():
    call, operator = CallFactory(), OperatorFactory()
    EntitlementFactory(call=call, operator=operator)
    assert refused(lambda: EntitlementFactory(call=call, operator=operator))
    assert refused(lambda: EntitlementFactory(amount=Decimal("-1")))
    CallEligibilityFactory(call=call, operator=operator)
    assert refused(lambda: CallEligibilityFactory(call=call, operator=operator))


def test_cost_lines_need_a_positive_quantity_and_no_negative_money():
    application = ApplicationFactory()
    category = CostCategoryFactory(call=application.call)

    def line(position, **values):
        data = {"quantity": Decimal("1"), "unit_price": Decimal("1"), "amount": Decimal("1"), "funding": Decimal("1")}
        data.update(values)
        return CostLine.objects.create(
            application=application, position=position, category=category, description="x", **data
        )

    assert refused(lambda: line(1, quantity=Decimal("0")))
    assert refused(lambda: line(1, unit_price=Decimal("-0.01")))
    assert refused(lambda: line(1, amount=Decimal("-0.01"), funding=Decimal(0)))
    assert refused(lambda: line(1, funding=Decimal("1.01")))
    assert refused(lambda: line(1, funding=Decimal("-0.01")))
    line(1)
    assert refused(lambda: line(1))


def test_an_application_state_must_be_known():
    assert refused(lambda: ApplicationFactory(state="granted"))


def test_events_and_versions_are_append_only_in_the_database():
    application = ApplicationFactory()
    now = timezone.now()
    version = ApplicationVersion.objects.create(
        application=application, number=1, content={"a": 1}, sha256="0" * 64, created_at=now
    )
    event = ApplicationEvent.objects.create(
        application=application, from_state="draft", to_state="submitted", occurred_at=now, version=version
    )
    for row, field, value in ((event, "reason", "changed"), (version, "sha256", "1" * 64)):
        with pytest.raises(DatabaseError), transaction.atomic():
            type(row).objects.filter(pk=row.pk).update(**{field: value})
        row.refresh_from_db()
        assert getattr(row, field) != value
    assert refused(
        lambda: ApplicationEvent.objects.create(
            application=application, from_state="draft", to_state="draft", occurred_at=now
        )
    )
