"""Claims (Mittelabruf): invoices, lines, the over-claim rule, duplicates, scans, the states and the
payment that moves "paid" on the programme's pages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.devices.tests.factories import DeliveryFactory, DeviceFactory
from digileap.programmes.models import FundingTransaction
from digileap.programmes.selectors import budget_by_source

from ..models import CallReviewer, Claim, GrantEvent, Invoice, InvoiceLine, ReviewAnswer, ReviewItem
from ..selectors.grants import claims_for, grant_lines_with_figures, grant_totals, grants_for
from ..services import claims as services
from .claims_setup import PDF_BYTES, claim_with_line, grant_setup, scan, zip_named_pdf

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 1)


@pytest.fixture
def setup(world):
    return grant_setup(world)


def _invoice(staff, claim, *, supplier="ACME GmbH", number="R-1", total="1000.00", file=None):
    return services.invoice_add(
        actor=staff,
        claim=claim,
        supplier_name=supplier,
        number=number,
        issued_on=DAY,
        total=total,
        file=file or scan(),
    )


def _counts():
    return (
        Claim.objects.count(),
        Invoice.objects.count(),
        InvoiceLine.objects.count(),
        GrantEvent.objects.count(),
        FundingTransaction.objects.count(),
        AuditEvent.objects.count(),
    )


# Starting and numbering.


def test_staff_start_claims_numbered_per_grant_with_an_event(setup, staff, world):
    first = services.claim_start(actor=staff, grant=setup.grant)
    second = services.claim_start(actor=staff, grant=setup.grant)
    other = grant_setup(world, number="G-2026-002")
    services.claim_start(actor=staff, grant=other.grant)
    assert (first.number, second.number, first.state) == (1, 2, "draft")
    assert str(second) == "G-2026-001/C2"
    event = GrantEvent.objects.get(claim=first)
    assert (event.from_state, event.to_state, event.actor_id) == ("", "draft", staff.pk)
    assert AuditEvent.objects.filter(object_type="funding.claim", object_id=str(first.pk), action="create").exists()


def test_the_authority_cannot_start_a_claim(setup, owner, funding_admin):
    for user in (owner, funding_admin):
        with pytest.raises(PermissionDenied):
            services.claim_start(actor=user, grant=setup.grant)
    assert Claim.objects.count() == 0


def test_staff_of_another_operator_cannot_start_a_claim(setup, world):
    outsider = user_with_role(Role.OPERATOR_STAFF, world.other_operator)
    with pytest.raises(PermissionDenied):
        services.claim_start(actor=outsider, grant=setup.grant)


# Invoices.


def test_an_invoice_keeps_its_scan_hash_and_normalised_keys(setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    invoice = _invoice(staff, claim, supplier="  ACME   GmbH ", number=" R-2026 / 17 ")
    import hashlib

    assert (invoice.supplier_name, invoice.supplier_key) == ("ACME GmbH", "acme gmbh")
    assert (invoice.number, invoice.number_key) == ("R-2026 / 17", "r-2026 / 17")
    assert invoice.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert (invoice.content_type, invoice.size_bytes, invoice.original_filename) == (
        "application/pdf",
        len(PDF_BYTES),
        "invoice.pdf",
    )
    assert invoice.operator_id == setup.grant.operator_id
    with invoice.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_a_repeated_invoice_number_of_the_same_supplier_is_refused(setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    _invoice(staff, claim, supplier="ACME GmbH", number="R-17")
    later = services.claim_start(actor=staff, grant=setup.grant)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        _invoice(staff, later, supplier="acme   GMBH", number="r-17 ")
    assert refused.value.message_dict == {
        "number": [
            "Invoice R-17 of ACME GmbH is already claimed in claim G-2026-001/C1: an invoice can be claimed only once."
        ]
    }
    assert _counts() == before
    # Another supplier may use the same number.
    assert _invoice(staff, later, supplier="Other AG", number="R-17").pk


def test_the_database_refuses_a_duplicate_the_pre_check_missed(setup, staff, monkeypatch):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    _invoice(staff, claim, number="R-17")
    monkeypatch.setattr(services, "_refuse_duplicate", lambda invoice: None)
    before = _counts()
    with pytest.raises(ValidationError) as refused:  # the constraint is the last guard
        _invoice(staff, claim, supplier="acme gmbh", number="R-17")
    assert refused.value.message_dict == {
        "number": ["Invoice R-17 of acme gmbh is already claimed: an invoice can be claimed only once."]
    }
    assert _counts() == before


@pytest.mark.parametrize(
    ("field", "kwargs", "message"),
    [
        ("total", {"total": "-5"}, "The invoice total cannot be negative."),
        ("total", {"total": "abc"}, "The invoice total 'abc' is not a number."),
        ("total", {"total": "0"}, "The invoice total must be more than zero."),
        ("total", {"total": "1.005"}, "The invoice total has more than 2 decimals."),
        ("supplier_name", {"supplier": "  "}, "Give the supplier's name."),
        ("number", {"number": ""}, "Give the invoice number."),
    ],
)
def test_bad_invoice_input_is_refused_with_nothing_written(setup, staff, field, kwargs, message):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        _invoice(staff, claim, **kwargs)
    assert refused.value.message_dict[field] == [message]
    assert _counts() == before


def test_a_future_invoice_date_is_refused(setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    with pytest.raises(ValidationError) as refused:
        services.invoice_add(
            actor=staff,
            claim=claim,
            supplier_name="ACME",
            number="1",
            issued_on=datetime.date.today() + datetime.timedelta(days=2),
            total="10",
            file=scan(),
        )
    assert refused.value.message_dict == {"issued_on": ["The invoice date cannot be in the future."]}


def test_a_scan_that_is_not_what_it_says_is_refused(setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        _invoice(staff, claim, file=zip_named_pdf())
    assert list(refused.value.message_dict) == ["file"]
    assert "ZIP" in refused.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as program:
        _invoice(staff, claim, file=scan("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200))
    assert list(program.value.message_dict) == ["file"]
    assert _counts() == before


@override_settings(DIGILEAP_UPLOAD_MAX_BYTES=1024)
def test_a_scan_over_the_size_limit_is_refused(setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        _invoice(staff, claim, file=scan("big.pdf", PDF_BYTES + b"0" * 2048))
    assert list(refused.value.message_dict) == ["file"]
    assert _counts() == before


def test_an_invoice_without_a_scan_is_refused(setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    with pytest.raises(ValidationError) as refused:
        services.invoice_add(
            actor=staff, claim=claim, supplier_name="ACME", number="1", issued_on=DAY, total="10", file=None
        )
    assert refused.value.message_dict == {"file": ["Upload the scan of the invoice."]}


# Invoice lines and the over-claim rule.


def test_the_funding_claimed_defaults_to_the_rate_rounded_down(setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    invoice = _invoice(staff, claim, total="333.33")
    line = services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line1, amount="333.33")
    assert line.claimed == Decimal("299.99")  # 333.33 × 90 % = 299.997, rounded down
    claim.refresh_from_db()
    assert claim.amount == Decimal("299.99")


def test_the_funding_claimed_may_be_typed_lower_never_above_the_cost(setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    invoice = _invoice(staff, claim, total="200.00")
    line = services.invoice_line_add(
        actor=staff, invoice=invoice, grant_line=setup.line1, amount="100.00", claimed="50.00"
    )
    assert line.claimed == Decimal("50.00")
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.invoice_line_add(
            actor=staff, invoice=invoice, grant_line=setup.line1, amount="100.00", claimed="100.01"
        )
    assert refused.value.message_dict == {
        "claimed": ["The funding claimed (EUR 100.01) cannot be more than the cost (EUR 100.00)."]
    }
    assert _counts() == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", "The cost cannot be negative."),
        ("ten", "The cost 'ten' is not a number."),
        ("0", "The cost must be more than zero."),
    ],
)
def test_bad_line_amounts_are_refused(setup, staff, amount, message):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    invoice = _invoice(staff, claim)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line1, amount=amount)
    assert refused.value.message_dict == {"amount": [message]}
    assert _counts() == before


def test_lines_cannot_exceed_the_invoice_total(setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    invoice = _invoice(staff, claim, total="100.00")
    services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line1, amount="60.00")
    with pytest.raises(ValidationError) as refused:
        services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line2, amount="40.01")
    assert refused.value.message_dict == {
        "amount": ["The lines of invoice R-1 would come to EUR 100.01, more than its total of EUR 100.00."]
    }


def test_a_line_of_another_grant_is_refused(setup, staff, world):
    other = grant_setup(world, number="G-2026-002")
    claim = services.claim_start(actor=staff, grant=setup.grant)
    invoice = _invoice(staff, claim)
    with pytest.raises(ValidationError) as refused:
        services.invoice_line_add(actor=staff, invoice=invoice, grant_line=other.line1, amount="10")
    assert refused.value.message_dict == {"grant_line": ["Choose a line of this claim's grant."]}


def test_an_over_claim_is_refused_on_entry_naming_the_line_and_what_remains(setup, staff, funding_admin):
    CallReviewer.objects.create(
        call=setup.grant.call, user=funding_admin, assigned_at=datetime.datetime.now(datetime.UTC)
    )
    paid = claim_with_line(setup.grant, setup.line1, actor=staff, number="R-1", amount="800.00")  # 720.00
    services.claim_submit(actor=staff, claim=paid)
    claim = services.claim_start(actor=staff, grant=setup.grant)
    invoice = _invoice(staff, claim, number="R-2", total="1000.00")
    services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line1, amount="100.00")  # 90.00
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line1, amount="200.00")
    assert refused.value.message_dict == {
        "amount": [
            "Line 1 (Wi-Fi): the claims would draw EUR 990.00, more than the EUR 900.00 approved; "
            "EUR 90.00 remain to be claimed on this line."
        ]
    }
    assert _counts() == before
    # Typed lower, it fits exactly.
    services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line1, amount="200.00", claimed="90.00")
    services.claim_submit(actor=staff, claim=claim)
    figures = {
        line.position: (line.approved, line.claimed, line.paid, line.remaining)
        for line in grant_lines_with_figures(setup.grant)
    }
    assert figures == {
        1: (Decimal("900.00"), Decimal("900.00"), Decimal("0.00"), Decimal("0.00")),
        2: (Decimal("450.00"), Decimal("0.00"), Decimal("0.00"), Decimal("450.00")),
    }


def test_drafts_and_returned_claims_hold_nothing_but_submission_checks_again(setup, staff, owner):
    first = claim_with_line(setup.grant, setup.line1, actor=staff, number="R-1", amount="1000.00")  # 900.00
    second = claim_with_line(setup.grant, setup.line1, actor=staff, number="R-2", amount="1000.00")  # 900.00
    services.claim_submit(actor=staff, claim=first)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.claim_submit(actor=staff, claim=second)
    assert refused.value.messages == [
        "Line 1 (Wi-Fi): the claims would draw EUR 1,800.00, more than the EUR 900.00 approved; "
        "EUR 0.00 remain to be claimed on this line."
    ]
    assert _counts() == before
    second.refresh_from_db()
    assert second.state == "draft"
    # Returned, the first claim holds nothing: the second one fits.
    services.claim_return(actor=owner, claim=first, reason="Scan unreadable")
    services.claim_submit(actor=staff, claim=second)
    assert grant_totals(setup.grant) == {
        "approved": Decimal("1350.00"),
        "claimed": Decimal("900.00"),
        "used": Decimal("0.00"),
        "paid": Decimal("0.00"),
        "remaining": Decimal("450.00"),
        "not_used": Decimal("1350.00"),
    }


# Devices.


def test_devices_of_the_operator_are_linked_and_others_refused(setup, staff, world):
    delivery = DeliveryFactory(school=world.school, programme__authority=world.authority)
    device = DeviceFactory(school=world.school, programme=delivery.programme, delivery=delivery, serial="SN-IN-1")
    outside = DeviceFactory(school=world.other_school, serial="SN-OUT-1")
    claim = services.claim_start(actor=staff, grant=setup.grant)
    invoice = _invoice(staff, claim)
    line = services.invoice_line_add(
        actor=staff, invoice=invoice, grant_line=setup.line1, amount="100.00", devices=[device]
    )
    assert list(line.devices.all()) == [device]
    with pytest.raises(ValidationError) as foreign:
        services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line1, amount="10", devices=[outside])
    assert foreign.value.message_dict == {"devices": ["These devices are not at the operator's schools: SN-OUT-1"]}
    with pytest.raises(ValidationError) as twice:
        services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line1, amount="10", devices=[device])
    assert twice.value.message_dict == {"devices": ["These devices are already linked to an invoice line: SN-IN-1"]}
    assert InvoiceLine.objects.count() == 1


# States.


def test_the_whole_way_to_paid_moves_paid_on_the_programme(setup, staff, owner, client):
    item = ReviewItem.objects.create(call=setup.grant.call, stage="claim", code="scans", text={"en": "Scans readable"})
    claim = claim_with_line(setup.grant, setup.line1, actor=staff, amount="500.00")  # 450.00 on world.school
    services.claim_submit(actor=staff, claim=claim)
    with pytest.raises(ValidationError) as unanswered:
        services.claim_approve(actor=owner, claim=claim)
    assert unanswered.value.messages == ["Answer every question of the checklist first: Scans readable"]
    services.claim_answer(actor=owner, claim=claim, item=item, answer="no", note="blurred")
    with pytest.raises(ValidationError):
        services.claim_approve(actor=owner, claim=claim)
    services.claim_return(actor=owner, claim=claim, reason="Scan 1 is blurred")
    claim.refresh_from_db()
    assert claim.state == "returned"
    services.claim_submit(actor=staff, claim=claim)
    answer = services.claim_answer(actor=owner, claim=claim, item=item, answer="yes")
    assert ReviewAnswer.objects.get(claim=claim).pk == answer.pk
    services.claim_approve(actor=owner, claim=claim)
    programme = setup.grant.call.programme
    assert budget_by_source(programme)[0]["paid"] == Decimal("0.00")
    services.claim_pay(actor=owner, claim=claim, paid_on=DAY, reference="BANK-42")
    claim.refresh_from_db()
    assert (claim.state, claim.paid_on, claim.payment_reference) == ("paid", DAY, "BANK-42")
    payment = claim.payment
    assert (payment.kind, payment.amount, payment.reference, payment.school_id, payment.date) == (
        "paid",
        Decimal("450.00"),
        "G-2026-001/C1 BANK-42",
        setup.line1.school_id,
        DAY,
    )
    assert budget_by_source(programme)[0]["paid"] == Decimal("450.00")
    assert [(event.from_state, event.to_state, event.reason) for event in claim.events.order_by("id")] == [
        ("", "draft", ""),
        ("draft", "submitted", ""),
        ("submitted", "returned", "Scan 1 is blurred"),
        ("returned", "submitted", ""),
        ("submitted", "approved", ""),
        ("approved", "paid", ""),
    ]
    lines = grant_lines_with_figures(setup.grant)
    assert (lines[0].claimed, lines[0].paid, lines[0].remaining) == (
        Decimal("450.00"),
        Decimal("450.00"),
        Decimal("450.00"),
    )
    # The programme's public page shows it.
    public = client.get(reverse("public:programme-json", kwargs={"code": programme.code})).json()
    assert public["budget"]["paid"] in ("450.00", 450.0, "450")


def test_a_claim_over_several_schools_is_paid_without_a_school(setup, staff, owner):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    invoice = _invoice(staff, claim, total="200.00")
    services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line1, amount="100.00")
    services.invoice_line_add(actor=staff, invoice=invoice, grant_line=setup.line2, amount="100.00")
    services.claim_submit(actor=staff, claim=claim)
    services.claim_approve(actor=owner, claim=claim)
    services.claim_pay(actor=owner, claim=claim, paid_on=DAY, reference="B-1")
    claim.refresh_from_db()
    assert (claim.payment.amount, claim.payment.school_id) == (Decimal("180.00"), None)


def test_paying_a_claim_that_is_not_approved_is_refused(setup, staff, owner):
    claim = claim_with_line(setup.grant, setup.line1, actor=staff)
    services.claim_submit(actor=staff, claim=claim)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.claim_pay(actor=owner, claim=claim, paid_on=DAY, reference="B-1")
    assert refused.value.message_dict == {"state": ["A claim that is submitted cannot become paid."]}
    assert _counts() == before


def test_paying_needs_a_date_and_a_reference(setup, staff, owner):
    claim = claim_with_line(setup.grant, setup.line1, actor=staff)
    services.claim_submit(actor=staff, claim=claim)
    services.claim_approve(actor=owner, claim=claim)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        services.claim_pay(actor=owner, claim=claim, paid_on=None, reference=" ")
    assert refused.value.message_dict == {
        "paid_on": ["Give the date of the payment."],
        "payment_reference": ["Give the payment reference."],
    }
    assert _counts() == before


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("approve", "A claim that is draft cannot become approved."),
        ("return", "A claim that is draft cannot become returned."),
    ],
)
def test_transitions_not_allowed_write_nothing(setup, staff, owner, step, message):
    claim = claim_with_line(setup.grant, setup.line1, actor=staff)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        if step == "approve":
            services.claim_approve(actor=owner, claim=claim)
        else:
            services.claim_return(actor=owner, claim=claim, reason="x")
    assert refused.value.message_dict == {"state": [message]}
    assert _counts() == before


def test_a_return_needs_a_reason(setup, staff, owner):
    claim = claim_with_line(setup.grant, setup.line1, actor=staff)
    services.claim_submit(actor=staff, claim=claim)
    with pytest.raises(ValidationError) as refused:
        services.claim_return(actor=owner, claim=claim, reason="  ")
    assert refused.value.message_dict == {"reason": ["Give the reasons for returning the claim."]}


def test_a_submitted_claim_cannot_be_edited(setup, staff):
    claim = claim_with_line(setup.grant, setup.line1, actor=staff)
    services.claim_submit(actor=staff, claim=claim)
    with pytest.raises(ValidationError) as refused:
        _invoice(staff, claim, number="R-9")
    assert refused.value.messages == [
        "The claim is submitted: it can only be changed as a draft or when it was returned."
    ]


def test_an_empty_claim_cannot_be_submitted(setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    with pytest.raises(ValidationError) as refused:
        services.claim_submit(actor=staff, claim=claim)
    assert refused.value.messages == ["Add at least one invoice to the claim."]


def test_operator_staff_cannot_take_the_authority_steps(setup, staff):
    claim = claim_with_line(setup.grant, setup.line1, actor=staff)
    services.claim_submit(actor=staff, claim=claim)
    for step in (
        lambda: services.claim_approve(actor=staff, claim=claim),
        lambda: services.claim_return(actor=staff, claim=claim, reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            step()


# Scope.


def test_scopes_of_grants_and_claims(setup, staff, owner, funding_admin, role_users, world):
    claim = claim_with_line(setup.grant, setup.line1, actor=staff)
    outside = grant_setup(world, operator=world.other_operator, school=world.other_school, number="G-OUT")
    outside_claim = claim_with_line(outside.grant, outside.line1, number="R-OUT")
    auditor = role_users[Role.AUDITOR]
    for user in (staff, owner, auditor):
        assert list(grants_for(user)) == [setup.grant]
        assert list(claims_for(user)) == [claim]
    for user in (role_users[Role.SCHOOL_COORDINATOR], role_users[Role.SUPPLIER]):
        assert list(grants_for(user)) == []
    assert set(grants_for(role_users[Role.ADMINISTRATOR])) == {setup.grant, outside.grant}
    # A funding administrator sees only the calls they review.
    assert list(grants_for(funding_admin)) == []
    assert list(claims_for(funding_admin)) == []
    with pytest.raises(PermissionDenied):
        services.claim_return(actor=funding_admin, claim=outside_claim, reason="x")
    CallReviewer.objects.create(
        call=setup.grant.call, user=funding_admin, assigned_at=datetime.datetime.now(datetime.UTC)
    )
    assert list(grants_for(funding_admin)) == [setup.grant]
    assert list(claims_for(funding_admin)) == [claim]
