"""Proof of use and repayment claims: the prefilled content, the state machine, the checklist,
acceptance with repayment, repaid and waived, the pages, and bad input that writes nothing."""

import datetime
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.devices.models import Delivery
from digileap.devices.tests.factories import DeliveryFactory, DeviceFactory
from digileap.programmes.models import FundingTransaction
from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory

from ..models import (
    ApplicationState,
    ClaimState,
    Grant,
    GrantEvent,
    ProofOfUse,
    RepaymentClaim,
    ReviewAnswer,
    ReviewItem,
    ReviewStage,
)
from ..selectors.proofs import proof_content, proofs_for, repayment_claims_for
from ..services import proofs as services
from .factories import (
    ApplicationFactory,
    CallFactory,
    ClaimFactory,
    DecisionFactory,
    GrantFactory,
    GrantLineFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    ProofOfUseFactory,
)

pytestmark = pytest.mark.django_db


def make_grant(authority, operator, *, school=None, code="DP-P", number="G-DP-1", invoices="") -> Grant:
    """A grant with two lines (funding approved 900 and 1,800), a paid claim of 900 on line 1 with
    an invoice line linking a delivered device, a submitted claim of 1,000 on line 2, and a draft
    claim of 500 on line 2 (not counted)."""
    programme = ProgrammeFactory(code=f"{code}-programme", authority=authority)
    source = FundingSourceFactory(programme=programme, amount=Decimal("100000"))
    call = CallFactory(
        programme=programme, funding_source=source, code=code, proof_of_use_deadline=datetime.date(2027, 6, 30)
    )
    application = ApplicationFactory(call=call, operator=operator, state=ApplicationState.APPROVED)
    grant = GrantFactory(
        decision=DecisionFactory(
            application=application, requested_total=Decimal("2700.00"), approved_total=Decimal("2700.00")
        ),
        number=number,
        approved_amount=Decimal("2700.00"),
    )
    line1 = GrantLineFactory(grant=grant, cost_line__position=1, cost_line__description="Wi-Fi")
    line2 = GrantLineFactory(
        grant=grant,
        cost_line__position=2,
        cost_line__description="Displays",
        cost_line__amount=Decimal("2000.00"),
        cost_line__unit_price=Decimal("2000.00"),
        cost_line__funding=Decimal("1800.00"),
    )
    paid = ClaimFactory(
        grant=grant,
        number=1,
        state=ClaimState.PAID,
        amount=Decimal("900.00"),
        paid_on=datetime.date(2027, 2, 1),
        payment_reference="PAY-1",
    )
    invoice = InvoiceFactory(
        claim=paid,
        number=f"{invoices}R-1",
        number_key=f"{invoices}r-1",
        issued_on=datetime.date(2027, 1, 10),
        total=Decimal("1000.00"),
        original_filename="r1.pdf",
        sha256="a" * 64,
    )
    invoice_line = InvoiceLineFactory(invoice=invoice, grant_line=line1, description="Access points")
    if school is not None:
        delivery = DeliveryFactory(
            programme=programme, school=school, note_number="DN-1", delivered_on=datetime.date(2027, 1, 5)
        )
        device = DeviceFactory(programme=programme, school=school, serial="SN-PROOF-1", delivery=delivery)
        invoice_line.devices.add(device)
    submitted = ClaimFactory(grant=grant, number=2, state=ClaimState.SUBMITTED, amount=Decimal("1000.00"))
    InvoiceLineFactory(
        invoice=InvoiceFactory(
            claim=submitted, number=f"{invoices}R-2", number_key=f"{invoices}r-2", total=Decimal("1200.00")
        ),
        grant_line=line2,
        amount=Decimal("1200.00"),
        claimed=Decimal("1000.00"),
    )
    draft = ClaimFactory(grant=grant, number=3, state=ClaimState.DRAFT, amount=Decimal("500.00"))
    InvoiceLineFactory(
        invoice=InvoiceFactory(
            claim=draft, number=f"{invoices}R-3", number_key=f"{invoices}r-3", total=Decimal("600.00")
        ),
        grant_line=line2,
        amount=Decimal("600.00"),
        claimed=Decimal("500.00"),
    )
    return grant


@pytest.fixture
def grant(world):
    return make_grant(world.authority, world.operator, school=world.school)


@pytest.fixture
def proof(grant):
    return ProofOfUseFactory(grant=grant, due_on=datetime.date(2027, 6, 30))


@pytest.fixture
def item(grant):
    return ReviewItem.objects.create(
        call=grant.call, stage=ReviewStage.PROOF_OF_USE, code="purpose", text={"en": "Used as approved?"}
    )


def counts() -> tuple:
    return (
        ProofOfUse.objects.count(),
        GrantEvent.objects.count(),
        RepaymentClaim.objects.count(),
        ReviewAnswer.objects.count(),
        FundingTransaction.objects.count(),
        AuditEvent.objects.count(),
        tuple(ProofOfUse.objects.values_list("state", "narrative", "sha256", "ineligible")),
        tuple(Grant.objects.values_list("closed_at", flat=True)),
        tuple(RepaymentClaim.objects.values_list("state", flat=True)),
    )


def refused(call, *args, **kwargs) -> ValidationError:
    before = counts()
    with pytest.raises(ValidationError) as raised:
        call(*args, **kwargs)
    assert counts() == before
    return raised.value


# The prefilled content.


def test_the_content_sums_lines_claims_and_payments(grant):
    content = proof_content(grant)
    assert content["lines"] == [
        {
            "position": 1,
            "category": grant.lines.get(position=1).category.code,
            "school": None,
            "description": "Wi-Fi",
            "amount": "1000.00",
            "approved": "900.00",
            "claimed": "900.00",
            "used": "900.00",
            "paid": "900.00",
            "not_used": "0.00",
        },
        {
            "position": 2,
            "category": grant.lines.get(position=2).category.code,
            "school": None,
            "description": "Displays",
            "amount": "2000.00",
            "approved": "1800.00",
            "claimed": "1000.00",
            "used": "0.00",
            "paid": "0.00",
            "not_used": "1800.00",
        },
    ]
    assert content["totals"] == {
        "approved": "2700.00",
        "claimed": "1900.00",
        "used": "900.00",
        "paid": "900.00",
        "not_used": "1800.00",
    }
    assert [claim["number"] for claim in content["claims"]] == [1, 2]  # the draft is not claimed yet
    invoice = content["claims"][0]["invoices"][0]
    assert invoice["number"] == "R-1"
    assert invoice["supplier"] == "ACME GmbH"
    assert invoice["issued_on"] == "2027-01-10"
    assert invoice["total"] == "1000.00"
    assert invoice["sha256"] == "a" * 64
    device = invoice["lines"][0]["devices"][0]
    assert device["serial"] == "SN-PROOF-1"
    assert device["delivery"] == "DN-1"
    assert device["status"] == "delivered"
    assert content["deliveries"] == [
        {
            "note": "DN-1",
            "supplier": Delivery.objects.get().supplier.name,
            "delivered_on": "2027-01-05",
            "acceptance": "pending",
            "accepted_at": None,
        }
    ]
    assert content["payments"] == [{"claim": 1, "paid_on": "2027-02-01", "reference": "PAY-1", "amount": "900.00"}]


# The state machine.


def test_submit_freezes_the_content_with_its_hash(proof, staff):
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="  Wi-Fi in every room.  ")
    proof.refresh_from_db()
    assert proof.state == "submitted"
    assert proof.narrative == "Wi-Fi in every room."
    assert proof.content["narrative"] == "Wi-Fi in every room."
    assert proof.content["submission"] == 1
    canonical = json.dumps(proof.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert proof.sha256 == hashlib.sha256(canonical).hexdigest()
    assert (proof.spent, proof.unused) == (Decimal("900.00"), Decimal("1800.00"))
    event = GrantEvent.objects.get(proof_of_use=proof)
    assert (event.from_state, event.to_state, event.actor_id) == ("due", "submitted", staff.pk)
    assert AuditEvent.objects.filter(object_type="funding.proofofuse", object_id=str(proof.pk)).count() == 1


def test_returned_then_resubmitted_then_accepted_with_a_repayment(proof, staff, funding_admin, item):
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="First.")
    services.proof_of_use_return(actor=funding_admin, proof=proof, reason="Add the delivery notes.")
    proof.refresh_from_db()
    assert proof.state == "returned"
    services.proof_of_use_save(actor=staff, proof=proof, narrative="Second, with notes.")
    services.proof_of_use_submit(actor=staff, proof=proof)
    proof.refresh_from_db()
    assert (proof.state, proof.content["submission"], proof.content["narrative"]) == (
        "submitted",
        2,
        "Second, with notes.",
    )
    services.proof_of_use_answer(actor=funding_admin, proof=proof, answers=[{"item": item, "answer": "yes"}])
    services.proof_of_use_accept(
        actor=funding_admin,
        proof=proof,
        ineligible="100.00",
        ineligible_reason="Cables not eligible",
        repayment_due_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    proof.refresh_from_db()
    assert (proof.state, proof.spent, proof.unused, proof.ineligible) == (
        "accepted",
        Decimal("900.00"),
        Decimal("1800.00"),
        Decimal("100.00"),
    )
    claim = RepaymentClaim.objects.get()
    assert claim.amount == Decimal("1900.00")
    assert claim.reason == "Not used: EUR 1,800.00. Ineligible: EUR 100.00 (Cables not eligible)."
    assert claim.due_on == timezone.localdate() + datetime.timedelta(days=10)
    assert claim.proof_of_use == proof
    assert proof.grant.__class__.objects.get(pk=proof.grant_id).closed_at is not None
    assert list(GrantEvent.objects.filter(proof_of_use=proof).values_list("from_state", "to_state")) == [
        ("due", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "accepted"),
        ("", "repayment_open"),
    ]
    assert GrantEvent.objects.get(to_state="returned").reason == "Add the delivery notes."


def test_accepting_with_everything_used_raises_no_repayment(world, funding_admin, staff):
    grant = GrantFactory(
        decision=DecisionFactory(
            application=ApplicationFactory(
                call=CallFactory(programme=ProgrammeFactory(authority=world.authority)),
                operator=world.operator,
                state=ApplicationState.APPROVED,
            )
        )
    )
    line = GrantLineFactory(grant=grant)
    InvoiceLineFactory(
        invoice=InvoiceFactory(claim=ClaimFactory(grant=grant, state=ClaimState.APPROVED, amount=Decimal("900.00"))),
        grant_line=line,
    )
    proof = services.proof_of_use_open(actor=funding_admin, grant=grant)
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="All used.")
    services.proof_of_use_accept(actor=funding_admin, proof=proof)
    assert RepaymentClaim.objects.count() == 0
    grant.refresh_from_db()
    assert grant.closed_at is not None


def test_open_creates_the_proof_once(grant, funding_admin, staff):
    first = services.proof_of_use_open(actor=funding_admin, grant=grant)
    again = services.proof_of_use_open(actor=funding_admin, grant=grant)
    assert first.pk == again.pk
    assert (first.state, first.due_on) == ("due", datetime.date(2027, 6, 30))
    assert ProofOfUse.objects.count() == 1
    assert GrantEvent.objects.filter(proof_of_use=first, to_state="due").count() == 1
    other = make_grant(grant.call.programme.authority, grant.operator, code="DP-Q", number="G-Q", invoices="Q-")
    with pytest.raises(PermissionDenied):
        services.proof_of_use_open(actor=staff, grant=other)  # operator staff cannot add one
    assert ProofOfUse.objects.count() == 1


# Repayment claims.


@pytest.fixture
def repayment(proof, staff, funding_admin):
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="Done.")
    services.proof_of_use_accept(actor=funding_admin, proof=proof)
    return RepaymentClaim.objects.get()


def test_repaid_records_a_negative_payment(repayment, funding_admin):
    day = timezone.localdate() - datetime.timedelta(days=1)
    services.repayment_claim_repaid(actor=funding_admin, claim=repayment, settled_on=day)
    repayment.refresh_from_db()
    assert (repayment.state, repayment.settled_on, repayment.amount) == ("repaid", day, Decimal("1800.00"))
    entry = repayment.transaction
    assert (entry.kind, entry.amount, entry.date, entry.reference) == (
        "paid",
        Decimal("-1800.00"),
        day,
        "G-DP-1 repayment",
    )
    assert entry.programme == repayment.grant.call.programme
    assert entry.source == repayment.grant.call.funding_source
    assert GrantEvent.objects.filter(to_state="repayment_repaid", from_state="repayment_open").count() == 1


def test_waived_needs_a_reason(repayment, funding_admin):
    error = refused(services.repayment_claim_waive, actor=funding_admin, claim=repayment, reason="  ")
    assert error.message_dict == {"reason": ["Say why the repayment is waived."]}
    services.repayment_claim_waive(actor=funding_admin, claim=repayment, reason="Hardship")
    repayment.refresh_from_db()
    assert (repayment.state, repayment.transaction) == ("waived", None)
    assert GrantEvent.objects.get(to_state="repayment_waived").reason == "Hardship"
    error = refused(
        services.repayment_claim_repaid, actor=funding_admin, claim=repayment, settled_on=timezone.localdate()
    )
    assert error.message_dict == {"state": ["The repayment claim is waived already."]}


def test_repaid_in_the_future_is_refused(repayment, funding_admin):
    error = refused(
        services.repayment_claim_repaid,
        actor=funding_admin,
        claim=repayment,
        settled_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    assert error.message_dict == {"settled_on": ["The day the money came back cannot be in the future."]}


def test_operator_staff_cannot_settle_repayments(repayment, staff):
    with pytest.raises(PermissionDenied):
        services.repayment_claim_waive(actor=staff, claim=repayment, reason="Please")
    assert RepaymentClaim.objects.get().state == "open"


# Bad input: clear errors, nothing written.


def test_submitting_without_a_narrative(proof, staff):
    error = refused(services.proof_of_use_submit, actor=staff, proof=proof, narrative="   ")
    assert error.message_dict == {"narrative": ["Write the narrative: what was bought and how it is used."]}


def test_a_transition_not_allowed(proof, staff, funding_admin):
    error = refused(services.proof_of_use_accept, actor=funding_admin, proof=proof)
    assert error.message_dict == {"state": ["A proof of use that is due cannot become accepted."]}
    error = refused(services.proof_of_use_return, actor=funding_admin, proof=proof, reason="No")
    assert error.message_dict == {"state": ["A proof of use that is due cannot become returned."]}
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="Done.")
    error = refused(services.proof_of_use_submit, actor=staff, proof=proof, narrative="Again")
    assert error.message_dict == {"state": ["A proof of use that is submitted cannot become submitted."]}
    error = refused(services.proof_of_use_save, actor=staff, proof=proof, narrative="Changed")
    assert error.messages == ["The proof of use is submitted: it can only be changed while due or returned."]


def test_accepting_with_ineligible_above_approved(proof, staff, funding_admin):
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="Done.")
    error = refused(
        services.proof_of_use_accept, actor=funding_admin, proof=proof, ineligible="3000.00", ineligible_reason="x"
    )
    assert error.message_dict == {
        "ineligible": [
            "Funding found ineligible, EUR 3,000.00, is more than the funding used, EUR 900.00 "
            "(approved EUR 2,700.00, not used EUR 1,800.00)."
        ]
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "Funding found ineligible cannot be negative."),
        ("abc", "Funding found ineligible: abc is not a number."),
        ("1.005", "Funding found ineligible: at most two decimals."),
    ],
)
def test_accepting_with_a_bad_amount(proof, staff, funding_admin, value, message):
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="Done.")
    error = refused(
        services.proof_of_use_accept, actor=funding_admin, proof=proof, ineligible=value, ineligible_reason="x"
    )
    assert error.message_dict == {"ineligible": [message]}


def test_ineligible_needs_a_reason_and_the_checklist_an_answer(proof, staff, funding_admin, item):
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="Done.")
    error = refused(services.proof_of_use_accept, actor=funding_admin, proof=proof)
    assert error.messages == ["Answer the checklist first: Used as approved?."]
    error = refused(
        services.proof_of_use_answer, actor=funding_admin, proof=proof, answers=[{"item": item, "answer": "no"}]
    )
    assert error.message_dict == {f"item_{item.pk}": ["Used as approved?: say why in a note."]}
    error = refused(
        services.proof_of_use_answer, actor=funding_admin, proof=proof, answers=[{"item": item, "answer": "maybe"}]
    )
    assert error.message_dict == {f"item_{item.pk}": ["Used as approved?: answer yes, no or not applicable."]}
    services.proof_of_use_answer(
        actor=funding_admin, proof=proof, answers=[{"item": item, "answer": "no", "note": "Late"}]
    )
    assert ReviewAnswer.objects.get().note == "Late"
    error = refused(services.proof_of_use_accept, actor=funding_admin, proof=proof, ineligible="10")
    assert error.message_dict == {"ineligible_reason": ["Say why the funding is ineligible."]}


def test_returning_needs_a_reason(proof, staff, funding_admin):
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="Done.")
    error = refused(services.proof_of_use_return, actor=funding_admin, proof=proof, reason="")
    assert error.message_dict == {"reason": ["Say what the operator must change."]}


def test_operator_staff_of_another_operator(proof, world):
    outsider = user_with_role(Role.OPERATOR_STAFF, world.other_operator, username="outside-staff")
    before = counts()
    with pytest.raises(PermissionDenied):
        services.proof_of_use_submit(actor=outsider, proof=proof, narrative="Not mine.")
    with pytest.raises(PermissionDenied):
        services.proof_of_use_save(actor=outsider, proof=proof, narrative="Not mine.")
    assert counts() == before
    assert not proofs_for(outsider).exists()
    assert not repayment_claims_for(outsider).exists()


def test_operator_staff_cannot_take_the_authority_steps(proof, staff):
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="Done.")
    before = counts()
    with pytest.raises(PermissionDenied):
        services.proof_of_use_accept(actor=staff, proof=proof)
    with pytest.raises(PermissionDenied):
        services.proof_of_use_return(actor=staff, proof=proof, reason="x")
    assert counts() == before


def test_the_authority_of_another_call_cannot_accept(proof, staff, world):
    outsider = user_with_role(Role.FUNDING_ADMINISTRATOR, world.other_authority, username="outside-admin")
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="Done.")
    before = counts()
    with pytest.raises(PermissionDenied):
        services.proof_of_use_accept(actor=outsider, proof=proof)
    assert counts() == before


# Pages.


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_operator_sees_the_prefilled_page_and_submits(proof, staff, item):
    client = signed_in(staff)
    response = client.get(reverse("funding:proofofuse-detail", args=[proof.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "SN-PROOF-1" in page
    assert "DN-1" in page
    assert "1,800.00" in page  # not used
    assert "Submit the proof of use" in page
    assert "Accept the proof of use" not in page
    assert "Used as approved?" not in page  # the checklist is the authority's working paper
    response = client.post(reverse("funding:proofofuse-submit", args=[proof.pk]), {"narrative": ""})
    assert response.status_code == 400
    assert "Write the narrative: what was bought and how it is used." in response.content.decode()
    proof.refresh_from_db()
    assert proof.state == "due"
    response = client.post(reverse("funding:proofofuse-submit", args=[proof.pk]), {"narrative": "All in use."})
    assert response.status_code == 302
    proof.refresh_from_db()
    assert proof.state == "submitted"
    response = client.post(reverse("funding:proofofuse-accept", args=[proof.pk]), {"ineligible": "0"})
    assert response.status_code == 403


def test_the_authority_accepts_on_the_page_and_settles(proof, staff, funding_admin, item):
    services.proof_of_use_submit(actor=staff, proof=proof, narrative="All in use.")
    client = signed_in(funding_admin)
    page = client.get(reverse("funding:proofofuse-detail", args=[proof.pk])).content.decode()
    assert "Accept the proof of use" in page and "Return the proof of use" in page
    assert "Used as approved?" in page
    response = client.post(reverse("funding:proofofuse-accept", args=[proof.pk]), {"ineligible": "0"})
    assert response.status_code == 400
    assert "Answer the checklist first: Used as approved?." in response.content.decode()
    response = client.post(
        reverse("funding:proofofuse-checklist", args=[proof.pk]), {f"item_{item.pk}": "yes", f"note_{item.pk}": ""}
    )
    assert response.status_code == 302
    assert ReviewAnswer.objects.get().answer == "yes"
    response = client.post(reverse("funding:proofofuse-accept", args=[proof.pk]), {"ineligible": "-1"})
    assert response.status_code == 400
    assert "Funding found ineligible cannot be negative." in response.content.decode()
    response = client.post(reverse("funding:proofofuse-accept", args=[proof.pk]), {"ineligible": "0.00"})
    assert response.status_code == 302
    claim = RepaymentClaim.objects.get()
    page = client.get(reverse("funding:proofofuse-detail", args=[proof.pk])).content.decode()
    assert "Mark repaid" in page
    response = client.post(reverse("funding:repaymentclaim-waive", args=[claim.pk]), {f"w{claim.pk}-reason": ""})
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.state == "open"
    day = timezone.localdate()
    response = client.post(
        reverse("funding:repaymentclaim-repaid", args=[claim.pk]), {f"r{claim.pk}-settled_on": day.isoformat()}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.state, claim.transaction.amount) == ("repaid", Decimal("-1800.00"))


def test_pages_outside_the_scope_are_not_found(proof, world):
    outsider = user_with_role(Role.OPERATOR_STAFF, world.other_operator, username="outside-staff")
    client = signed_in(outsider)
    assert client.get(reverse("funding:proofofuse-detail", args=[proof.pk])).status_code == 404
    assert client.post(reverse("funding:proofofuse-submit", args=[proof.pk]), {"narrative": "x"}).status_code == 404
    assert "G-DP-1" not in client.get(reverse("funding:proofofuse-list")).content.decode()
    proof.refresh_from_db()
    assert proof.state == "due"


def test_the_page_speaks_german(proof, staff):
    client = signed_in(staff)
    client.cookies["django_language"] = "de"
    page = client.get(reverse("funding:proofofuse-detail", args=[proof.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "1.800,00" in page
