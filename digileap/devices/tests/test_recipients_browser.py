"""The scan loop in a real browser: keyboard only, the page never reloads, errors keep the loop."""

import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.tests import browser_fixtures
from digileap.devices.models import Assignment
from digileap.devices.tests.factories import DeviceFactory, RecipientFactory
from digileap.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session


# Read by page.evaluate (the DevTools protocol, outside the page's CSP): wait_for_function would
# poll with eval, which the Content Security Policy forbids.
FOCUS_STATE = (
    "[document.querySelector('.htmx-settling, .htmx-swapping, .htmx-request') !== null,"
    " document.activeElement && document.activeElement !== document.body && document.activeElement.id !== 'main'"
    " ? (document.activeElement.name || document.activeElement.textContent.trim()) : '']"
)


def focused(page) -> str:
    """Where the focus is once htmx settled the swap (the focus moves in the settle step). The page's
    <main> takes the focus for a moment while the panel is swapped on a busy machine: keep waiting."""
    name = ""
    for _attempt in range(500):
        busy, name = page.evaluate(FOCUS_STATE)
        if not busy and name:
            break
        page.wait_for_timeout(20)
    return name


def test_hand_out_a_class_by_keyboard(browser_session, world, role_users):
    session = browser_session
    page = session.page
    programme = ProgrammeFactory(authority=world.school.authority)
    for n in range(1, 4):
        RecipientFactory(school=world.school, reference=f"P-{n:02d}", group="5A")
        DeviceFactory(programme=programme, school=world.school, serial=f"SN-{n:03d}")
    session.sign_in_with_cookie(role_users[Role.SCHOOL_COORDINATOR])
    session.goto(reverse("devices:assignment-handout", kwargs={"school_pk": world.school.pk}) + "?group=5A")
    page.evaluate("window.digileapSameDocument = true")
    assert focused(page) == "serial"
    for n in range(1, 4):
        page.keyboard.type(f"sn-{n:03d}")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name=f"Hand SN-{n:03d} to P-{n:02d}?").wait_for()
        assert focused(page) == "Hand out (Enter)"
        page.keyboard.press("Enter")
        page.get_by_text(f"SN-{n:03d} handed out to P-{n:02d}.").wait_for()
        page.get_by_text(f"{n} of 3 handed out").wait_for()
        assert focused(page) == "serial"
    # An error shows in the loop, which goes on; Escape cancels a proposal.
    page.keyboard.type("NOPE")
    page.keyboard.press("Enter")
    page.get_by_role("alert").get_by_text("No device with serial number NOPE is known at INSIDE school.").wait_for()
    assert focused(page) == "serial"
    assert page.evaluate("window.digileapSameDocument === true")
    assert sorted(Assignment.objects.values_list("recipient__reference", "device__serial")) == [
        ("P-01", "SN-001"),
        ("P-02", "SN-002"),
        ("P-03", "SN-003"),
    ]


def test_escape_cancels_a_proposal(browser_session, world, role_users):
    session = browser_session
    page = session.page
    RecipientFactory(school=world.school, reference="P-01", group="5A")
    DeviceFactory(programme=ProgrammeFactory(authority=world.school.authority), school=world.school, serial="SN-001")
    session.sign_in_with_cookie(role_users[Role.SCHOOL_COORDINATOR])
    session.goto(reverse("devices:assignment-handout", kwargs={"school_pk": world.school.pk}) + "?group=5A")
    # Type only once the page's script has put the focus in the scan field (CI typed into <body>).
    assert focused(page) == "serial"
    page.keyboard.type("SN-001")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Hand SN-001 to P-01?").wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Scan the next device").wait_for()
    assert focused(page) == "serial"
    assert not Assignment.objects.exists()
