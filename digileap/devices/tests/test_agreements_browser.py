"""The public acceptance page in a real browser: a parent opens the printed link and accepts.

Chromium sends ``Origin: null`` with a form POST from a page served with ``Referrer-Policy:
no-referrer``, and Django's CSRF check refuses that origin (403). Only a real browser shows it: the
test client sends no Origin header at all.
"""

import pytest
from django.urls import reverse

from digileap.core.tests import browser_fixtures
from digileap.devices.models import UserAgreement
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories_agreements import AgreementTemplateFactory, agreement_for, hand_out

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session


def test_a_parent_accepts_an_agreement_through_the_link(browser_session, world):
    session = browser_session
    page = session.page
    programme = ProgrammeFactory(code="AGR", name={"en": "Laptops for pupils"}, authority=world.authority)
    template = AgreementTemplateFactory(
        programme=programme, title="Device agreement", body="{recipient} gets {serial}."
    )
    assignment = hand_out(programme=programme, school=world.school, reference="P-100", serial="SN-100")
    agreement = agreement_for(assignment, template)
    path = reverse("devices:useragreement-accept", kwargs={"token": agreement.token})

    opened = session.goto(path)
    assert opened.headers["referrer-policy"] == "same-origin"
    page.get_by_text("P-100 gets SN-100.").wait_for()
    page.get_by_label("Parent or guardian").check()
    page.get_by_label("I have read the agreement and accept it.").check()
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Accept the agreement").click()
    response = posted.value
    assert response.request.headers.get("origin") == session.base_url
    assert response.status == 200
    page.get_by_text("Thank you: the agreement is accepted.").wait_for()
    agreement.refresh_from_db()
    assert (agreement.status, agreement.accepted_via, agreement.signed_by) == (
        UserAgreement.Status.ACCEPTED,
        "in_app",
        "parent",
    )
