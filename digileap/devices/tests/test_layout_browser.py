"""Device pages at a phone's and a laptop's width in a real browser (issue 11, defect 6): the agreement
template page no longer runs 2,444 px wide, and the hand-out page's class picker lays out and filters."""

import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.tests import browser_fixtures
from digileap.devices.tests.factories import DeviceFactory, RecipientFactory
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories_agreements import AgreementTemplateFactory

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session

# One line of 60 words, and a 120-character word (a web address): a <pre> keeps both on one line.
LONG_BODY = (
    " ".join(["{recipient} receives the {device} with serial number {serial} from {school}."] * 6)
    + "\n\nSee https://www.example.org/"
    + "a" * 120
    + "\n\nLook after it."
)
WIDTHS = [1366, 390]


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_agreement_template_page_fits_the_screen(browser_session, world, role_users):
    session = browser_session
    page = session.page
    programme = ProgrammeFactory(authority=world.authority)
    template = AgreementTemplateFactory(programme=programme, title="Device agreement", body=LONG_BODY)
    session.sign_in_with_cookie(role_users[Role.ADMINISTRATOR])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        session.goto(reverse("devices:agreementtemplate-detail", kwargs={"pk": template.pk}))
        page.get_by_role("heading", name="Text").wait_for()
        assert scroll_width(page) <= width, f"{width} px"
        text = page.locator("pre.agreement-text")
        assert text.evaluate("element => element.scrollWidth <= element.clientWidth")


def test_the_public_agreement_page_fits_a_phone(browser_session, world):
    from .factories_agreements import agreement_for, hand_out

    session = browser_session
    page = session.page
    programme = ProgrammeFactory(authority=world.authority)
    template = AgreementTemplateFactory(programme=programme, title="Device agreement", body=LONG_BODY)
    agreement = agreement_for(hand_out(programme=programme, school=world.school, reference="P-1"), template)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        session.goto(reverse("devices:useragreement-accept", kwargs={"token": agreement.token}))
        assert scroll_width(page) <= width, f"{width} px"


def test_the_class_picker_filters_the_recipients(browser_session, world, role_users):
    session = browser_session
    page = session.page
    programme = ProgrammeFactory(authority=world.school.authority)
    for reference, group in (("P-01", "5A"), ("P-02", "5A"), ("P-03", "5B"), ("P-04", "5B"), ("P-05", "5B")):
        RecipientFactory(school=world.school, reference=reference, group=group)
    DeviceFactory(programme=programme, school=world.school, serial="SN-001")
    session.sign_in_with_cookie(role_users[Role.SCHOOL_COORDINATOR])
    page.set_viewport_size({"width": 390, "height": 900})
    session.goto(reverse("devices:assignment-handout", kwargs={"school_pk": world.school.pk}))
    page.get_by_text("0 of 5 handed out").wait_for()
    picker = page.get_by_role("form", name="Class or group")
    # Laid out as a field: the label above the select, both and the button inside the picker's box.
    box = picker.bounding_box()
    label = picker.get_by_text("Class or group", exact=True).bounding_box()
    select = picker.get_by_label("Class or group").bounding_box()
    button = picker.get_by_role("button", name="Show").bounding_box()
    assert label["y"] + label["height"] <= select["y"]
    for inner in (select, button):
        assert box["x"] <= inner["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"]
        assert box["y"] <= inner["y"] and inner["y"] + inner["height"] <= box["y"] + box["height"]
    assert scroll_width(page) <= 390

    picker.get_by_label("Class or group").select_option("5B")
    picker.get_by_role("button", name="Show").click()
    page.get_by_text("0 of 3 handed out · 5B").wait_for()
    assert page.url.endswith("?group=5B")
    assert picker.get_by_label("Class or group").input_value() == "5B"
    page.get_by_label("Serial number").fill("SN-001")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Hand SN-001 to P-03?").wait_for()
    assert page.get_by_label("Recipient").locator("option").all_inner_texts() == ["P-03 · 5B", "P-04 · 5B", "P-05 · 5B"]
    assert scroll_width(page) <= 390
