import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from digileap.programmes.models import (
    FundingSource,
    FundingTransaction,
    IndicatorDefinition,
    Programme,
    Target,
)
from digileap.schools.tests.factories import AuthorityFactory


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: {"en": f"Programme {n}", "nl": f"Programma {n}"})
    authority = factory.SubFactory(AuthorityFactory)
    country = "BE"
    period_start = datetime.date(2024, 1, 1)
    period_end = datetime.date(2025, 12, 31)
    status = Programme.Status.IN_PROGRESS
    is_public = True


class FundingSourceFactory(DjangoModelFactory):
    class Meta:
        model = FundingSource

    programme = factory.SubFactory(ProgrammeFactory)
    kind = FundingSource.Kind.EU_RRF
    amount = Decimal("1000000.00")
    position = factory.Sequence(lambda n: n + 1)


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorDefinition

    programme = factory.SubFactory(ProgrammeFactory)
    kind = "schools_reached"
    parameters = factory.LazyFunction(dict)


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    programme = factory.SubFactory(ProgrammeFactory)
    kind = Target.Kind.TARGET
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: {"en": f"Target {n}"})
    baseline = Decimal("0")
    target_value = Decimal("100")
    unit = "schools"
    due_date = datetime.date(2025, 12, 31)
    indicator = factory.SubFactory(IndicatorFactory, programme=factory.SelfAttribute("..programme"))


class FundingTransactionFactory(DjangoModelFactory):
    class Meta:
        model = FundingTransaction

    programme = factory.SubFactory(ProgrammeFactory)
    source = factory.SubFactory(FundingSourceFactory, programme=factory.SelfAttribute("..programme"))
    kind = FundingTransaction.Kind.PAID
    amount = Decimal("100.00")
    date = datetime.date(2024, 6, 1)
    recorded_at = factory.LazyFunction(timezone.now)
