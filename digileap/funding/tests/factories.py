"""Factories of the funding app: a call of an open window with an operator, categories and documents."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory

from ..models import Application, Call, CallEligibility, CostCategory, Entitlement, RequiredDocument


class CallFactory(DjangoModelFactory):
    class Meta:
        model = Call

    programme = factory.SubFactory(ProgrammeFactory)
    funding_source = factory.SubFactory(FundingSourceFactory, programme=factory.SelfAttribute("..programme"))
    code = factory.Sequence(lambda n: f"CALL-{n}")
    title = factory.LazyAttribute(lambda call: {"en": f"Call {call.code}", "de": f"Aufruf {call.code}"})
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    cofinancing_rate = Decimal("10.00")
    cofinancing_payer = Call.CofinancingPayer.STATE


class CallEligibilityFactory(DjangoModelFactory):
    class Meta:
        model = CallEligibility

    call = factory.SubFactory(CallFactory)
    operator = factory.SubFactory(OperatorFactory)


class CostCategoryFactory(DjangoModelFactory):
    class Meta:
        model = CostCategory

    call = factory.SubFactory(CallFactory)
    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda category: {"en": category.code})
    position = factory.Sequence(lambda n: n)
    funding_rate = Decimal("90.00")


class RequiredDocumentFactory(DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    call = factory.SubFactory(CallFactory)
    code = factory.Sequence(lambda n: f"document-{n}")
    scope = RequiredDocument.Scope.OPERATOR
    name = factory.LazyAttribute(lambda document: {"en": document.code})


class EntitlementFactory(DjangoModelFactory):
    class Meta:
        model = Entitlement

    call = factory.SubFactory(CallFactory)
    operator = factory.SubFactory(OperatorFactory)
    amount = Decimal("100000.00")
    source = Entitlement.Source.TYPED
    published_at = factory.LazyFunction(timezone.now)


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    operator = factory.SubFactory(OperatorFactory)
    number = factory.Sequence(lambda n: n + 1)
