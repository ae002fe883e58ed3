"""Factories for allocation tests: rounds with a formula, need declarations, plans."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from digileap.programmes.tests.factories import ProgrammeFactory

from ..models import AllocationRound, NeedDeclaration, NeedLine, RolloutPeriod, RolloutPlan


class AllocationRoundFactory(DjangoModelFactory):
    class Meta:
        model = AllocationRound

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"R{n}")
    name = factory.Sequence(lambda n: f"Round {n}")
    resource = AllocationRound.Resource.MONEY
    total = None
    school_year = "2024/25"
    formula = factory.LazyFunction(lambda: {"per_pupil": [{"amount": "100"}]})
    eligibility = factory.LazyFunction(dict)


class NeedDeclarationFactory(DjangoModelFactory):
    class Meta:
        model = NeedDeclaration

    school_year = "2024/25"
    declared_at = factory.LazyFunction(timezone.now)


class NeedLineFactory(DjangoModelFactory):
    class Meta:
        model = NeedLine

    declaration = factory.SubFactory(NeedDeclarationFactory)
    device_type = "laptop"
    needed = 10


class RolloutPlanFactory(DjangoModelFactory):
    class Meta:
        model = RolloutPlan

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"ROP{n}")
    name = factory.Sequence(lambda n: f"Plan {n}")


class RolloutPeriodFactory(DjangoModelFactory):
    class Meta:
        model = RolloutPeriod

    plan = factory.SubFactory(RolloutPlanFactory)
    position = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"{2025 + n}")
