"""Factories of the funding app: a call of an open window with an operator, categories and documents;
and, for tests of the later stages, a grant (an approved application with its decision) with lines,
claims, invoices and a proof of use. Tests of a workflow go through the services instead."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory

from ..models import (
    Application,
    ApplicationState,
    Call,
    CallEligibility,
    Claim,
    CostCategory,
    CostLine,
    Decision,
    Entitlement,
    Grant,
    GrantLine,
    Invoice,
    InvoiceLine,
    ProofOfUse,
    RequiredDocument,
)


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


class CostLineFactory(DjangoModelFactory):
    class Meta:
        model = CostLine

    application = factory.SubFactory(ApplicationFactory)
    position = factory.Sequence(lambda n: n + 1)
    category = factory.SubFactory(CostCategoryFactory, call=factory.SelfAttribute("..application.call"))
    description = factory.Sequence(lambda n: f"Line {n}")
    quantity = Decimal("1.00")
    unit_price = Decimal("1000.00")
    amount = Decimal("1000.00")
    funding = Decimal("900.00")


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    application = factory.SubFactory(ApplicationFactory, state=ApplicationState.APPROVED)
    number = 1
    outcome = Decision.Outcome.APPROVED
    requested_total = Decimal("900.00")
    approved_total = Decimal("900.00")
    language = "en"
    decided_at = factory.LazyFunction(timezone.now)


class GrantFactory(DjangoModelFactory):
    """A grant on an approved application; add ``GrantLineFactory(grant=...)`` for its lines."""

    class Meta:
        model = Grant

    decision = factory.SubFactory(DecisionFactory)
    application = factory.SelfAttribute("decision.application")
    call = factory.SelfAttribute("application.call")
    operator = factory.SelfAttribute("application.operator")
    number = factory.Sequence(lambda n: f"G-{n:05d}")
    approved_amount = Decimal("900.00")
    created_at = factory.LazyFunction(timezone.now)


class GrantLineFactory(DjangoModelFactory):
    class Meta:
        model = GrantLine

    grant = factory.SubFactory(GrantFactory)
    cost_line = factory.SubFactory(CostLineFactory, application=factory.SelfAttribute("..grant.application"))
    category = factory.SelfAttribute("cost_line.category")
    school = factory.SelfAttribute("cost_line.school")
    position = factory.SelfAttribute("cost_line.position")
    description = factory.SelfAttribute("cost_line.description")
    amount = factory.SelfAttribute("cost_line.amount")
    approved = factory.SelfAttribute("cost_line.funding")


class ClaimFactory(DjangoModelFactory):
    class Meta:
        model = Claim

    grant = factory.SubFactory(GrantFactory)
    number = factory.Sequence(lambda n: n + 1)
    created_at = factory.LazyFunction(timezone.now)


class InvoiceFactory(DjangoModelFactory):
    class Meta:
        model = Invoice

    claim = factory.SubFactory(ClaimFactory)
    operator = factory.SelfAttribute("claim.grant.operator")
    supplier_name = "ACME GmbH"
    supplier_key = "acme gmbh"
    number = factory.Sequence(lambda n: f"R-{n:05d}")
    number_key = factory.SelfAttribute("number")
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))
    total = Decimal("1000.00")
    uploaded_at = factory.LazyFunction(timezone.now)


class InvoiceLineFactory(DjangoModelFactory):
    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    grant_line = factory.SubFactory(GrantLineFactory, grant=factory.SelfAttribute("..invoice.claim.grant"))
    amount = Decimal("1000.00")
    claimed = Decimal("900.00")


class ProofOfUseFactory(DjangoModelFactory):
    class Meta:
        model = ProofOfUse

    grant = factory.SubFactory(GrantFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
