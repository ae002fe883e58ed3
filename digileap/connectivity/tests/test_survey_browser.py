"""The survey form in a real browser, on a phone's width: "Add another uplink" adds a row in place
(the script runs under the Content Security Policy: no console error), the page does not scroll
sideways at 390 px, and the added row is saved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.tests import browser_fixtures

from ..models import SurveyResponse
from .factories_survey import open_campaign

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session


def test_a_coordinator_adds_an_uplink_on_a_phone(browser_session, world, role_users):
    session = browser_session
    page = session.page
    page.set_viewport_size({"width": 390, "height": 844})
    campaign = open_campaign(world.school, authority=world.authority)
    session.sign_in_with_cookie(role_users[Role.SCHOOL_COORDINATOR])
    session.goto(
        reverse(
            "connectivity:surveyresponse-answer-school",
            kwargs={"campaign_pk": campaign.pk, "school_pk": world.school.pk},
        )
    )
    assert page.locator("[data-uplink-row]").count() == 2
    page.get_by_role("button", name="Add another uplink").click()
    assert page.locator("[data-uplink-row]").count() == 3
    assert page.locator("#id_uplinks-TOTAL_FORMS").input_value() == "3"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.locator("#id_classrooms").fill("12")
    page.locator("#id_classrooms_wifi").fill("4")
    page.get_by_label("Outages").check()
    page.locator("#id_uplinks-2-technology").select_option("radio")
    page.locator("#id_uplinks-2-download_mbps").fill("60")
    page.locator("#id_uplinks-2-upload_mbps").fill("15")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit the answer").click()
    page.get_by_text("The answer was submitted.").wait_for()

    answer = SurveyResponse.objects.get()
    assert (answer.state, answer.classrooms, answer.classrooms_wifi, answer.problems) == (
        "submitted",
        12,
        4,
        ["outages"],
    )
    assert list(answer.uplinks.values_list("technology", "download_mbps", "upload_mbps")) == [
        ("radio", Decimal("60.00"), Decimal("15.00"))
    ]
