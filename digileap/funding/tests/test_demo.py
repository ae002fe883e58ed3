"""The demo funding of ``seed_demo``: each demo role finds funding content (the operator an
entitlement, a decided application with its German letter, a paid claim with delivered devices, a
proof of use due and a draft; the funding administrator applications waiting), nothing of another
operator leaks to the operator, the sign-in table still lists every demo user, and a second run
writes nothing."""

import datetime
import hashlib
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import User
from digileap.allocation.demo import seed_demo_allocation
from digileap.core.models import AuditEvent
from digileap.devices.demo import seed_demo_devices
from digileap.funding.demo import CALL_CODE, seed_demo_funding
from digileap.funding.models import (
    Application,
    ApplicationDocument,
    Call,
    Claim,
    CostLine,
    Decision,
    Entitlement,
    Grant,
    InvoiceLine,
    ProofOfUse,
)
from digileap.funding.selectors.applications import applications_for
from digileap.portal.demo import DEMO_USERS, demo_signins, seed_demo
from digileap.programmes.demo import DEMO_CODE, seed_demo_programmes
from digileap.programmes.models import FundingTransaction

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)
MODELS = [Call, Entitlement, Application, CostLine, ApplicationDocument, Decision, Grant, Claim, ProofOfUse,
          FundingTransaction, AuditEvent]  # fmt: skip


@pytest.fixture
def seeded():
    seed_demo(schools=40)
    seed_demo_programmes(today=TODAY)
    seed_demo_allocation()
    seed_demo_devices(today=TODAY)
    return seed_demo_funding(today=TODAY)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_every_demo_role_finds_funding_and_a_second_run_writes_nothing(seeded):
    """One test: the demo takes a minute to build."""
    assert seeded == Counter(
        {
            "funding calls": 1,
            "entitlements": 3,
            "applications": 4,
            "decisions": 1,
            "claims paid": 1,
            "devices linked": 22,
        }
    )
    call = Call.objects.get(programme__code=DEMO_CODE, code=CALL_CODE)
    operator_user = User.objects.get(username="operator")
    own = operator_user.role_assignments.get().operator
    entitlement = Entitlement.objects.get(call=call, operator=own)
    assert entitlement.published_at is not None and entitlement.amount > 0

    mine = applications_for(operator_user).filter(call=call).order_by("number")
    assert [(a.operator_id, a.state) for a in mine] == [(own.pk, "partly_approved"), (own.pk, "draft")]
    decided = mine[0]
    decision = decided.decisions.get()
    assert (decision.outcome, decision.language) == ("partly_approved", "de")
    reduced = decision.lines.exclude(approved=F("requested"))
    assert reduced.count() == 1 and reduced.get().reason.startswith("Gefördert werden")
    letter = decision.letter.read()
    assert letter.startswith(b"%PDF-") and hashlib.sha256(letter).hexdigest() == decision.letter_sha256

    grant = decided.grant
    claim = grant.claims.get()
    assert (claim.state, claim.paid_on) == ("paid", TODAY - datetime.timedelta(days=20))
    assert claim.payment.kind == "paid" and claim.payment.amount == claim.amount > Decimal("0")
    devices = InvoiceLine.objects.filter(invoice__claim=claim, devices__isnull=False).values_list("devices", flat=True)
    assert len(devices) == 22
    proof = grant.proof_of_use
    assert (proof.state, proof.due_on) == ("due", TODAY + datetime.timedelta(days=60))

    # The operator's pages show them; another operator's applications stay out of reach.
    client = Client()
    client.force_login(operator_user)
    assert client.get(reverse("funding:application-detail", args=[decided.pk])).status_code == 200
    assert client.get(reverse("funding:schooloperator-funding", args=[own.pk])).status_code == 200
    others = Application.objects.filter(call=call).exclude(operator=own)
    assert others.count() == 2
    assert not applications_for(operator_user).filter(pk__in=others).exists()
    assert client.get(reverse("funding:application-detail", args=[others[0].pk])).status_code in (403, 404)

    # The funding administrator reviews the call and finds applications waiting.
    funding = User.objects.get(username="funding")
    assert list(call.reviewers.values_list("user__username", flat=True)) == ["funding"]
    waiting = applications_for(funding).filter(call=call, state__in=["submitted", "formal_check", "review"])
    assert sorted(waiting.values_list("state", flat=True)) == ["review", "submitted"]
    client = Client()
    client.force_login(funding)
    for application in waiting:
        assert client.get(reverse("funding:application-detail", args=[application.pk])).status_code == 200

    # The sign-in table still lists every demo user; a second run writes nothing.
    assert [row["username"] for row in demo_signins()] == [user.username for user in DEMO_USERS]
    before = counts()
    assert seed_demo_funding(today=TODAY + datetime.timedelta(days=3)) == Counter()
    assert counts() == before
