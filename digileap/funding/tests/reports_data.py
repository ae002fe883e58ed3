"""A call with money in every state, for the tests of the reports, exports and home-page to-dos.

The call belongs to ``world``'s INSIDE authority and has a budget of EUR 1,000,000.00. Two of the
authority's operators take part:

- the INSIDE operator (``world.operator``, the operator staff's): a published entitlement of
  EUR 200,000.00; application 1 submitted (two lines, funding 900.00 + 450.00), application 2
  withdrawn (900.00, not counted), application 3 approved (900.00) with grant G-IN of 800.00 and
  claims: 1 submitted 300.00, 2 paid 200.00, 3 returned 100.00, 4 draft 50.00; a repayment of
  20.00 repaid and one of 30.00 open; its proof of use is due in 10 days.
  Requested 2,250.00, approved 800.00, claimed 500.00, paid 180.00, 2 applications counted.
- "Beta operator" (same authority): an unpublished entitlement of EUR 100,000.00 and a draft
  application of one line with funding 4,500.00. Requested 4,500.00, nothing else.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import ApplicationState, CallEligibility, ClaimState, Entitlement, RepaymentClaim
from .factories import (
    ApplicationFactory,
    CallFactory,
    ClaimFactory,
    CostCategoryFactory,
    CostLineFactory,
    GrantFactory,
    GrantLineFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    ProofOfUseFactory,
)


@dataclass
class Funded:
    call: object
    inside: object
    beta: object
    grant: object
    claims: dict
    proof: object
    applications: dict


def funded_call(world) -> Funded:
    programme = ProgrammeFactory(code="DP", authority=world.authority, name={"en": "DigitalPakt"})
    source = FundingSourceFactory(programme=programme, amount=Decimal("1000000.00"))
    call = CallFactory(programme=programme, funding_source=source, code="DP-26")
    call.claim_deadline = timezone.localdate() + datetime.timedelta(days=100)
    call.save()
    network = CostCategoryFactory(call=call, code="network")
    inside = world.operator
    beta = OperatorFactory(authority=world.authority, name="Beta operator", code="beta")
    beta_school = SchoolFactory(operator=beta, name="Beta school", number="3003")
    for operator in (inside, beta):
        CallEligibility.objects.create(call=call, operator=operator)
    Entitlement.objects.create(
        call=call,
        operator=inside,
        amount=Decimal("200000.00"),
        source=Entitlement.Source.TYPED,
        published_at=timezone.now(),
    )
    Entitlement.objects.create(call=call, operator=beta, amount=Decimal("100000.00"), source=Entitlement.Source.TYPED)

    def line(application, position, funding, description="Switches", school=None):
        return CostLineFactory(
            application=application,
            category=network,
            position=position,
            funding=Decimal(funding),
            amount=Decimal(funding) / Decimal("0.9"),
            unit_price=Decimal(funding) / Decimal("0.9"),
            description=description,
            school=school,
        )

    submitted = ApplicationFactory(call=call, operator=inside, number=1, state=ApplicationState.SUBMITTED)
    line(submitted, 1, "900.00", school=world.school)
    line(submitted, 2, "450.00", description="=HYPERLINK(1)")
    withdrawn = ApplicationFactory(call=call, operator=inside, number=2, state=ApplicationState.WITHDRAWN)
    line(withdrawn, 1, "900.00")
    approved = ApplicationFactory(call=call, operator=inside, number=3, state=ApplicationState.APPROVED)
    approved_line = line(approved, 1, "900.00")
    grant = GrantFactory(decision__application=approved, number="G-IN", approved_amount=Decimal("800.00"))
    grant_line = GrantLineFactory(grant=grant, cost_line=approved_line, approved=Decimal("800.00"))
    claims = {}
    for number, state, amount in (
        (1, ClaimState.SUBMITTED, "300.00"),
        (2, ClaimState.PAID, "200.00"),
        (3, ClaimState.RETURNED, "100.00"),
        (4, ClaimState.DRAFT, "50.00"),
    ):
        extra = {"paid_on": datetime.date(2026, 11, 2), "payment_reference": "PAY-2"} if state == "paid" else {}
        claims[state] = ClaimFactory(
            grant=grant,
            number=number,
            state=state,
            amount=Decimal(amount),
            submitted_at=timezone.now() if state != "draft" else None,
            **extra,
        )
    invoice = InvoiceFactory(
        claim=claims[ClaimState.PAID],
        supplier_name="ACME GmbH",
        number="R-1",
        number_key="r-1",
        issued_on=datetime.date(2026, 10, 1),
        total=Decimal("250.00"),
    )
    InvoiceLineFactory(invoice=invoice, grant_line=grant_line, amount=Decimal("222.23"), claimed=Decimal("200.00"))
    now = timezone.now()
    RepaymentClaim.objects.create(
        grant=grant,
        amount=Decimal("20.00"),
        reason="Unused",
        state=RepaymentClaim.State.REPAID,
        settled_on=datetime.date(2026, 11, 20),
        created_at=now,
    )
    RepaymentClaim.objects.create(
        grant=grant,
        amount=Decimal("30.00"),
        reason="Ineligible",
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        created_at=now,
    )
    proof = ProofOfUseFactory(grant=grant, due_on=timezone.localdate() + datetime.timedelta(days=10))
    draft = ApplicationFactory(call=call, operator=beta, number=1, state=ApplicationState.DRAFT)
    line(draft, 1, "4500.00", school=beta_school)
    return Funded(
        call=call,
        inside=inside,
        beta=beta,
        grant=grant,
        claims=claims,
        proof=proof,
        applications={"submitted": submitted, "withdrawn": withdrawn, "approved": approved, "draft": draft},
    )
