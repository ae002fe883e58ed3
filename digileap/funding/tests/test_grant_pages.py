"""The grant list and the grant page: lines with approved, claimed, paid and remaining, the claims,
the decisions; who sees what."""

import datetime

import pytest
from django.urls import reverse

from digileap.accounts.models import Role

from ..models import CallReviewer, ProofOfUse
from ..services import claims as services
from .claims_setup import claim_with_line, grant_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    return grant_setup(world)


def test_the_grant_page_shows_the_figures_per_line(client, setup, staff, owner):
    submitted = claim_with_line(setup.grant, setup.line1, actor=staff, number="R-1", amount="500.00")  # 450.00
    services.claim_submit(actor=staff, claim=submitted)
    services.claim_approve(actor=owner, claim=submitted)
    services.claim_pay(actor=owner, claim=submitted, paid_on=datetime.date(2026, 3, 2), reference="B-1")
    claim_with_line(setup.grant, setup.line2, actor=staff, number="R-2", amount="100.00")  # a draft: holds nothing
    client.force_login(staff)
    response = client.get(reverse("funding:grant-detail", kwargs={"pk": setup.grant.pk}))
    assert response.status_code == 200
    rows = {
        line.position: (line.approved, line.claimed, line.paid, line.remaining) for line in response.context["lines"]
    }
    assert {position: tuple(str(value) for value in row) for position, row in rows.items()} == {
        1: ("900.00", "450.00", "450.00", "450.00"),
        2: ("450.00", "0.00", "0.00", "450.00"),
    }
    assert {key: str(value) for key, value in response.context["totals"].items()} == {
        "approved": "1350.00",
        "claimed": "450.00",
        "used": "450.00",
        "paid": "450.00",
        "remaining": "900.00",
        "not_used": "900.00",
    }
    page = response.content.decode()
    assert "G-2026-001/C1" in page and "G-2026-001/C2" in page
    assert "Start a claim" in page
    assert "style=" not in page


def test_the_grant_page_in_german_writes_money_the_german_way(client, setup, staff):
    client.force_login(staff)
    response = client.get(reverse("funding:grant-detail", kwargs={"pk": setup.grant.pk}), HTTP_ACCEPT_LANGUAGE="de")
    assert "1.350,00" in response.content.decode()


def test_the_authority_sees_the_grant_without_the_claim_button(client, setup, owner):
    client.force_login(owner)
    response = client.get(reverse("funding:grant-detail", kwargs={"pk": setup.grant.pk}))
    assert response.status_code == 200
    assert "Start a claim" not in response.content.decode()


def test_other_operators_and_unassigned_reviewers_get_a_404(client, setup, world, role_users, funding_admin):
    outside = grant_setup(world, operator=world.other_operator, school=world.other_school, number="G-OUT")
    client.force_login(role_users[Role.OPERATOR_STAFF])
    assert client.get(reverse("funding:grant-detail", kwargs={"pk": outside.grant.pk})).status_code == 404
    listing = client.get(reverse("funding:grant-list")).content.decode()
    assert "G-2026-001" in listing and "G-OUT" not in listing
    client.force_login(funding_admin)
    assert client.get(reverse("funding:grant-detail", kwargs={"pk": setup.grant.pk})).status_code == 404
    CallReviewer.objects.create(
        call=setup.grant.call, user=funding_admin, assigned_at=datetime.datetime.now(datetime.UTC)
    )
    assert client.get(reverse("funding:grant-detail", kwargs={"pk": setup.grant.pk})).status_code == 200


def test_staff_start_a_claim_from_the_grant_page(client, setup, staff, owner):
    client.force_login(owner)
    assert client.post(reverse("funding:grant-claim", kwargs={"pk": setup.grant.pk})).status_code == 403
    client.force_login(staff)
    response = client.post(reverse("funding:grant-claim", kwargs={"pk": setup.grant.pk}))
    claim = setup.grant.claims.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:claim-detail", kwargs={"pk": claim.pk})


def test_the_dossier_link_is_offered_to_those_who_may_download_it(client, setup, staff, owner, role_users):
    dossier = reverse("funding:grant-dossier", kwargs={"pk": setup.grant.pk})
    shown = {}
    for name, user in (("staff", staff), ("owner", owner), ("auditor", role_users[Role.AUDITOR])):
        client.force_login(user)
        page = client.get(reverse("funding:grant-detail", kwargs={"pk": setup.grant.pk})).content.decode()
        shown[name] = (dossier in page, client.get(dossier).status_code)
    assert shown == {"staff": (False, 404), "owner": (True, 200), "auditor": (True, 200)}


def test_a_grant_without_a_proof_of_use_offers_to_open_one_to_the_authority(client, setup, staff, owner):
    ProofOfUse.objects.filter(grant=setup.grant).delete()  # a grant from before proofs of use were opened
    opener = reverse("funding:proofofuse-open", kwargs={"grant_pk": setup.grant.pk})
    client.force_login(staff)
    assert opener not in client.get(reverse("funding:grant-detail", kwargs={"pk": setup.grant.pk})).content.decode()
    client.force_login(owner)
    page = client.get(reverse("funding:grant-detail", kwargs={"pk": setup.grant.pk})).content.decode()
    assert "The proof of use is not open yet." in page and opener in page
    response = client.post(opener)
    assert response.status_code == 302
    setup.grant.refresh_from_db()
    assert response["Location"] == reverse("funding:proofofuse-detail", kwargs={"pk": setup.grant.proof_of_use.pk})
