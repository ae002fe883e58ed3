"""A grant of the INSIDE operator (``world``) to claim against, for the claim tests: two lines of a
call at 90 %, EUR 900.00 approved on line 1 (school ``world.school``) and EUR 450.00 on line 2
(the operator as a whole), and a scan to upload."""

import datetime
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from digileap.core.permissions import SystemActor
from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory

from ..models import ApplicationState, Grant, GrantLine
from ..services import claims as services
from .factories import (
    ApplicationFactory,
    CallEligibilityFactory,
    CallFactory,
    CostCategoryFactory,
    CostLineFactory,
    DecisionFactory,
    GrantFactory,
    GrantLineFactory,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def scan(name: str = "invoice.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def zip_named_pdf() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ\x90\x00" + b"\x00" * 64)
    return SimpleUploadedFile("invoice.pdf", buffer.getvalue(), content_type="application/pdf")


@dataclass
class GrantSetup:
    grant: Grant
    line1: GrantLine
    line2: GrantLine


def grant_setup(world, *, operator=None, school=None, authority=None, number: str = "G-2026-001") -> GrantSetup:
    operator = operator or world.operator
    school = school if school is not None else world.school
    programme = ProgrammeFactory(authority=authority or operator.authority, code=f"P-{number}")
    source = FundingSourceFactory(programme=programme, amount=Decimal("1000000"))
    call = CallFactory(programme=programme, funding_source=source)
    CallEligibilityFactory(call=call, operator=operator)
    category = CostCategoryFactory(call=call, funding_rate=Decimal("90.00"), name={"en": "Network"})
    application = ApplicationFactory(call=call, operator=operator, state=ApplicationState.APPROVED)
    decision = DecisionFactory(
        application=application, requested_total=Decimal("1350.00"), approved_total=Decimal("1350.00")
    )
    grant = GrantFactory(decision=decision, number=number, approved_amount=Decimal("1350.00"))
    line1 = GrantLineFactory(
        grant=grant,
        cost_line=CostLineFactory(
            application=application,
            category=category,
            school=school,
            position=1,
            description="Wi-Fi",
            amount=Decimal("1000.00"),
            funding=Decimal("900.00"),
        ),
    )
    line2 = GrantLineFactory(
        grant=grant,
        cost_line=CostLineFactory(
            application=application,
            category=category,
            school=None,
            position=2,
            description="Server",
            amount=Decimal("500.00"),
            funding=Decimal("450.00"),
        ),
    )
    return GrantSetup(grant=grant, line1=line1, line2=line2)


def claim_with_line(grant, line, *, actor=None, supplier="ACME GmbH", number="R-1", amount="100.00", claimed=None):
    """A draft claim with one invoice of ``amount`` drawn fully on ``line``."""
    actor = actor or SystemActor()
    claim = services.claim_start(actor=actor, grant=grant)
    invoice = services.invoice_add(
        actor=actor,
        claim=claim,
        supplier_name=supplier,
        number=number,
        issued_on=datetime.date(2026, 3, 1),
        total=amount,
        file=scan(),
    )
    services.invoice_line_add(actor=actor, invoice=invoice, grant_line=line, amount=amount, claimed=claimed)
    claim.refresh_from_db()
    return claim
