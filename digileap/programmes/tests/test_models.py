import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from digileap.core.permissions import SystemActor
from digileap.programmes import services
from digileap.programmes.models import IndicatorSnapshot, Programme, Target, validate_sdgs
from digileap.programmes.translation import localized

from .factories import FundingSourceFactory, FundingTransactionFactory, ProgrammeFactory, TargetFactory

D = Decimal
SYSTEM = SystemActor("test")


def test_localized_picks_the_active_language_then_english_then_any():
    text = {"en": "Digital shift", "nl": "Digitale omkeer"}
    with translation.override("nl"):
        assert localized(text) == "Digitale omkeer"
    with translation.override("lv"):
        assert localized(text) == "Digital shift"
    assert localized({"de": "Nur Deutsch"}, "fr") == "Nur Deutsch"
    assert localized({}, "en") == ""


@pytest.mark.parametrize("sdgs", [[0], [18], [4, 4], ["4"], [True], 4])
def test_sdgs_are_distinct_numbers_from_1_to_17(sdgs):
    with pytest.raises(ValidationError):
        validate_sdgs(sdgs)


def test_valid_sdgs_pass():
    validate_sdgs([1, 4, 17])


@pytest.mark.django_db
def test_programme_create_validates_and_sorts_sdgs():
    authority = ProgrammeFactory().authority
    data = {"code": "p1", "name": "Programme", "authority": authority, "country": "BE", "sdgs": [10, 4, 8]}
    programme = services.programme_create(actor=SYSTEM, data=data)
    assert (programme.name, programme.sdgs) == ({"en": "Programme"}, [4, 8, 10])
    with pytest.raises(ValidationError):
        services.programme_create(actor=SYSTEM, data={**data, "code": "p2", "sdgs": [18]})
    with pytest.raises(ValidationError):
        services.programme_create(actor=SYSTEM, data={**data, "code": "p3", "name": {"xx": "?"}})
    with pytest.raises(ValidationError):
        services.programme_create(actor=SYSTEM, data={**data, "code": "p4", "name": ""})
    with pytest.raises(ValidationError):
        services.programme_create(actor=SYSTEM, data={**data, "code": "p5", "digital_contribution": D("100.01")})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_call",
    [
        lambda: ProgrammeFactory(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2024, 1, 1)),
        lambda: ProgrammeFactory(climate_contribution=D("101")),
        lambda: FundingSourceFactory(amount=D("-1")),
        lambda: FundingSourceFactory(cofinancing_rate=D("100.5")),
        lambda: FundingTransactionFactory(amount=D("0")),
        lambda: TargetFactory(baseline=D("5"), target_value=D("5")),
        lambda: TargetFactory(accumulation=Target.Accumulation.PER_PERIOD, period_start=None),
        lambda: TargetFactory(period_start=datetime.date(2026, 1, 1), due_date=datetime.date(2025, 1, 1)),
    ],
)
def test_database_constraints(factory_call):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory_call()


@pytest.mark.django_db
def test_target_numbers_are_unique_in_a_programme_but_may_be_empty():
    programme = ProgrammeFactory()
    TargetFactory(programme=programme, number="401")
    TargetFactory(programme=programme, number="")
    TargetFactory(programme=programme, number="")
    TargetFactory(number="401")  # another programme
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetFactory(programme=programme, number="401")


@pytest.mark.django_db
def test_one_snapshot_per_target_and_day():
    target = TargetFactory()
    IndicatorSnapshot.objects.create(
        target=target, date=datetime.date(2024, 1, 1), value=1, status="on_track", computed_at="2024-01-01T00:00Z"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorSnapshot.objects.create(
            target=target, date=datetime.date(2024, 1, 1), value=2, status="on_track", computed_at="2024-01-01T00:00Z"
        )


@pytest.mark.django_db
def test_counting_window():
    cumulative = TargetFactory(period_start=datetime.date(2024, 7, 1))
    per_period = TargetFactory(accumulation=Target.Accumulation.PER_PERIOD, period_start=datetime.date(2024, 7, 1))
    day = datetime.date(2024, 9, 1)
    assert cumulative.counting_window(day) == (None, day)
    assert per_period.counting_window(day) == (datetime.date(2024, 7, 1), day)
    assert str(TargetFactory(number="405", title={"en": "Devices"})) == "405 Devices"
    assert Programme.Status.IN_PROGRESS.label == "In progress"
