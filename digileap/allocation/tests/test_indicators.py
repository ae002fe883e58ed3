"""Approved allocations move the programmes' "money allocated" and "schools reached" targets;
computed drafts do not."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from digileap.core.permissions import SystemActor
from digileap.programmes import services as programme_services
from digileap.programmes.models import FundingSource
from digileap.programmes.tests.factories import (
    FundingSourceFactory,
    FundingTransactionFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
)
from digileap.schools.tests.factories import EnrolmentFactory, SchoolFactory

from ..services.rounds import round_compute, round_create, version_approve

pytestmark = pytest.mark.django_db
SYSTEM = SystemActor("test")


def _value(target, day):
    target.refresh_from_db()
    return programme_services.target_value(target, day)


def test_allocated_money_and_schools_reached_count_only_approved_versions():
    programme = ProgrammeFactory(period_start=datetime.date(2020, 1, 1), period_end=datetime.date(2030, 12, 31))
    source = FundingSourceFactory(programme=programme, kind=FundingSource.Kind.EU_RRF)
    schools = [SchoolFactory(operator__authority=programme.authority, number=f"S{i}") for i in range(3)]
    for school, pupils in zip(schools, (10, 20, 0), strict=True):
        EnrolmentFactory(school=school, level=1, pupils=pupils)
    # A school reached through a funding transaction too: counted once.
    FundingTransactionFactory(programme=programme, source=source, school=schools[0], date=datetime.date(2021, 1, 1))
    allocated = TargetFactory(
        programme=programme,
        indicator=IndicatorFactory(programme=programme, kind="money", parameters={"measure": "allocated"}),
        target_value=Decimal("1000"),
    )
    eu_only = TargetFactory(
        programme=programme,
        indicator=IndicatorFactory(
            programme=programme, kind="money", parameters={"measure": "allocated", "source_kinds": ["national"]}
        ),
        target_value=Decimal("1000"),
    )
    reached = TargetFactory(
        programme=programme,
        indicator=IndicatorFactory(
            programme=programme, kind="schools_reached", parameters={"via": ["funding", "allocation"]}
        ),
        target_value=Decimal("3"),
    )
    allocation_round = round_create(
        actor=SYSTEM,
        programme=programme,
        data={
            "code": "R",
            "name": "R",
            "school_year": "2024/25",
            "funding_source": source,
            "formula": {"per_pupil": [{"amount": "12.50"}]},
        },
    )
    version = round_compute(actor=SYSTEM, allocation_round=allocation_round)
    today = timezone.localdate()
    assert _value(allocated, today) == Decimal("0.00")
    assert _value(reached, today) == Decimal(1)
    version_approve(actor=SYSTEM, version=version)
    assert _value(allocated, today) == Decimal("375.00")
    assert _value(eu_only, today) == Decimal("0.00")
    # S0 (funding and allocation) and S1; S2 has no pupils, so nothing allocated.
    assert _value(reached, today) == Decimal(2)
    assert _value(allocated, today - datetime.timedelta(days=1)) == Decimal("0.00")
    records = list(programme_services_records(allocated, today))
    assert records == [
        (str(today), "eu_rrf", "125.00", "S0", schools[0].name, "R v1"),
        (str(today), "eu_rrf", "250.00", "S1", schools[1].name, "R v1"),
    ]


def programme_services_records(target, day):
    from digileap.programmes.indicators import get_kind

    target.refresh_from_db()
    return get_kind("money").records(target, day).rows
