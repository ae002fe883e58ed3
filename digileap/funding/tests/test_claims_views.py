"""The claim page: operator staff add invoices with scans, lines and devices and submit; the authority
answers the checklist, returns, approves and marks paid; the scan downloads only within the scope."""

import datetime

import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.devices.tests.factories import DeliveryFactory, DeviceFactory
from digileap.programmes.models import FundingTransaction

from ..models import Claim, Invoice, InvoiceLine, ReviewItem
from ..services import claims as services
from .claims_setup import PDF_BYTES, claim_with_line, grant_setup, scan, zip_named_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    return grant_setup(world)


def _url(name, pk):
    return reverse(f"funding:{name}", kwargs={"pk": pk})


def _invoice_post(**overrides):
    data = {
        "supplier_name": "ACME GmbH",
        "number": "R-1",
        "issued_on": "2026-03-01",
        "total": "500.00",
        "file": scan(),
    }
    data.update(overrides)
    return data


def test_staff_claim_through_the_page(client, setup, staff, world):
    delivery = DeliveryFactory(school=world.school, programme__authority=world.authority)
    device = DeviceFactory(school=world.school, programme=delivery.programme, delivery=delivery, serial="SN-IN-7")
    claim = services.claim_start(actor=staff, grant=setup.grant)
    client.force_login(staff)
    response = client.post(_url("claim-invoice", claim.pk), _invoice_post())
    assert response.status_code == 302
    invoice = Invoice.objects.get(claim=claim)
    response = client.post(
        _url("invoice-addline", invoice.pk),
        {
            "grant_line": setup.line1.pk,
            "amount": "500.00",
            "claimed": "",
            "description": "Access points",
            "serials": "sn-in-7",
        },
    )
    assert response.status_code == 302
    line = InvoiceLine.objects.get(invoice=invoice)
    assert (str(line.claimed), list(line.devices.all())) == ("450.00", [device])
    page = client.get(_url("claim-detail", claim.pk)).content.decode()
    assert "SN-IN-7" in page and "Awaiting acceptance" in page
    assert "style=" not in page and "<script>" not in page
    assert client.post(_url("claim-submit", claim.pk)).status_code == 302
    claim.refresh_from_db()
    assert (claim.state, str(claim.amount)) == ("submitted", "450.00")


def test_a_bad_scan_is_shown_on_the_form_and_nothing_written(client, setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    client.force_login(staff)
    response = client.post(_url("claim-invoice", claim.pk), _invoice_post(file=zip_named_pdf()))
    assert response.status_code == 400
    assert response.context["invoice_form"].errors["file"]
    assert Invoice.objects.count() == 0


def test_bad_amounts_and_unknown_serials_are_shown_on_the_line_form(client, setup, staff):
    claim = services.claim_start(actor=staff, grant=setup.grant)
    invoice = services.invoice_add(
        actor=staff,
        claim=claim,
        supplier_name="ACME",
        number="R-1",
        issued_on=datetime.date(2026, 3, 1),
        total="100",
        file=scan(),
    )
    client.force_login(staff)
    response = client.post(_url("invoice-addline", invoice.pk), {"grant_line": setup.line1.pk, "amount": "-3"})
    assert response.status_code == 400
    assert response.context["invoice_rows"][0][1].errors["amount"] == ["The cost cannot be negative."]
    response = client.post(
        _url("invoice-addline", invoice.pk), {"grant_line": setup.line1.pk, "amount": "10", "serials": "NOPE-1"}
    )
    assert response.context["invoice_rows"][0][1].errors["serials"] == [
        "No device with these serial numbers at the operator's schools: NOPE-1"
    ]
    assert InvoiceLine.objects.count() == 0


def test_the_authority_checks_returns_approves_and_pays_through_the_page(client, setup, staff, owner):
    item = ReviewItem.objects.create(call=setup.grant.call, stage="claim", code="scans", text={"en": "Scans readable"})
    claim = claim_with_line(setup.grant, setup.line1, actor=staff, amount="100.00")
    services.claim_submit(actor=staff, claim=claim)
    client.force_login(owner)
    page = client.get(_url("claim-detail", claim.pk)).content.decode()
    assert "Approve the claim" in page and "Add an invoice" not in page
    response = client.post(_url("claim-return", claim.pk), {"reason": ""})
    assert response.status_code == 400
    assert response.context["return_form"].errors["reason"] == ["Give the reasons for returning the claim."]
    response = client.post(_url("claim-pay", claim.pk), {"paid_on": "2026-03-05", "payment_reference": "B-1"})
    assert response.status_code == 400
    assert response.context["pay_form"].non_field_errors() == ["A claim that is submitted cannot become paid."]
    assert FundingTransaction.objects.filter(kind="paid").count() == 0
    client.post(
        _url("claim-checklist", claim.pk),
        {"item": item.pk, f"item{item.pk}-answer": "yes", f"item{item.pk}-note": "fine"},
    )
    assert "Scans readable" in client.get(_url("claim-detail", claim.pk)).content.decode()
    # Operator staff never see the checklist (the review's working paper).
    client.force_login(staff)
    assert "Scans readable" not in client.get(_url("claim-detail", claim.pk)).content.decode()
    assert client.post(_url("claim-approve", claim.pk)).status_code == 403
    client.force_login(owner)
    assert client.post(_url("claim-approve", claim.pk)).status_code == 302
    response = client.post(_url("claim-pay", claim.pk), {"paid_on": "2026-03-05", "payment_reference": "B-1"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.state, claim.payment.reference) == ("paid", "G-2026-001/C1 B-1")


def test_paying_a_claim_not_approved_through_the_page_shows_why(client, setup, staff, owner):
    claim = claim_with_line(setup.grant, setup.line1, actor=staff, amount="100.00")
    services.claim_submit(actor=staff, claim=claim)
    client.force_login(owner)
    response = client.post(_url("claim-pay", claim.pk), {"paid_on": "2026-03-05", "payment_reference": "B-1"})
    assert response.status_code == 400
    assert "A claim that is submitted cannot become paid." in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == "submitted"


def test_the_scan_downloads_only_within_the_scope(client, setup, staff, owner, world, role_users):
    claim = claim_with_line(setup.grant, setup.line1, actor=staff)
    invoice = claim.invoices.get()
    outside = grant_setup(world, operator=world.other_operator, school=world.other_school, number="G-OUT")
    outside_invoice = claim_with_line(outside.grant, outside.line1, number="R-OUT").invoices.get()
    for user in (staff, owner, role_users[Role.AUDITOR]):
        client.force_login(user)
        response = client.get(_url("invoice-scan", invoice.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert client.get(_url("invoice-scan", outside_invoice.pk)).status_code == 404
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert client.get(_url("invoice-scan", invoice.pk)).status_code == 404


def test_the_claim_list_filters_by_state(client, setup, staff):
    draft = claim_with_line(setup.grant, setup.line1, actor=staff, number="R-1")
    submitted = claim_with_line(setup.grant, setup.line1, actor=staff, number="R-2")
    services.claim_submit(actor=staff, claim=submitted)
    client.force_login(staff)
    response = client.get(reverse("funding:claim-list"), {"state": "submitted"})
    assert list(response.context["claims"]) == [submitted]
    assert str(draft) not in response.content.decode()
