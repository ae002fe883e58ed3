"""The issue's "Done means" for people, walked in Chromium through the pages: a programme owner
invites an operator administrator; that administrator follows the e-mail's one-time link, makes
their account and invites a coordinator for one school; the coordinator makes theirs; and each
change appears in the audit log (read by the administrator). The pages fit a 390 px wide screen."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from digileap.accounts.models import Role, RoleAssignment, User
from digileap.core.models import AuditEvent
from digileap.core.tests import browser_fixtures

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session

PASSPHRASE = "a long enough passphrase 42"
# The first pages of a fresh live server (URLs, templates) are slow on a loaded machine.
TIMEOUT_MS = 90_000


def _link(index: int) -> str:
    return re.search(r"https?://\S+", mail.outbox[index].body).group(0)


def _invite(page, base_url: str, email: str, role: str, **scope) -> None:
    page.goto(base_url + reverse("people:userinvitation-create"))
    page.locator("#id_email").fill(email)
    page.locator("#id_role").select_option(label=role)
    for field, option in scope.items():
        page.locator(f"#id_{field}").select_option(label=option)
    if role == "School operator staff" and scope.get("operator"):
        page.locator("#id_is_administrator").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator("h1")).to_have_text("Invitations")
    expect(page.locator("table")).to_contain_text(email)


def _accept(context, url: str, username: str, base_url: str) -> object:
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Accept the invitation")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSPHRASE)
    page.locator("#id_password_again").fill(PASSPHRASE)
    page.get_by_role("button", name="Make my account").click()
    page.wait_for_url(base_url + "/")
    expect(page.locator("h1")).to_have_text(f"Welcome, {username}")
    return page


def _fits(page, width: int = 390) -> bool:
    page.set_viewport_size({"width": width, "height": 800})
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_owner_invites_an_operator_administrator_who_invites_a_coordinator(
    browser_session, chromium, world, role_users, settings
):
    settings.DIGILEAP_BASE_URL = browser_session.base_url
    owner = role_users[Role.PROGRAMME_OWNER]
    page = browser_session.page
    page.context.set_default_timeout(TIMEOUT_MS)
    browser_session.sign_in_with_cookie(owner)
    browser_session.goto("/")
    page.locator("nav.main-nav").get_by_role("link", name="People").click()
    expect(page.locator("h1")).to_have_text("People")

    _invite(
        page,
        browser_session.base_url,
        "olga@example.org",
        "School operator staff",
        operator=str(world.operator),
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["olga@example.org"]

    second = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        olga_page = _accept(second, _link(0), "olga", browser_session.base_url)
        olga = User.objects.get(username="olga")
        assert list(olga.role_assignments.values_list("role", "operator", "is_administrator")) == [
            ("operator_staff", world.operator.pk, True)
        ]
        expect(olga_page.locator("nav.main-nav")).to_contain_text("People")
        _invite(
            olga_page, browser_session.base_url, "colin@example.org", "School ICT coordinator", school=str(world.school)
        )
        assert _fits(olga_page)
        assert len(mail.outbox) == 2
    finally:
        second.close()

    third = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        _accept(third, _link(1), "colin", browser_session.base_url)
    finally:
        third.close()
    colin = User.objects.get(username="colin")
    assert list(RoleAssignment.objects.filter(user=colin).values_list("role", "school", "granted_by")) == [
        ("school_coordinator", world.school.pk, olga.pk)
    ]

    events = AuditEvent.objects.filter(object_type__startswith="accounts.").order_by("id")
    assert [(e.actor_label, e.action, e.object_type) for e in events] == [
        ("programme_owner-user", "invite", "accounts.userinvitation"),
        ("olga", "create", "accounts.user"),
        ("olga", "assign", "accounts.roleassignment"),
        ("olga", "accept", "accounts.userinvitation"),
        ("olga", "invite", "accounts.userinvitation"),
        ("colin", "create", "accounts.user"),
        ("colin", "assign", "accounts.roleassignment"),
        ("colin", "accept", "accounts.userinvitation"),
    ]

    # The administrator reads each change in the audit log.
    page.context.clear_cookies()
    browser_session.sign_in_with_cookie(role_users[Role.ADMINISTRATOR])
    browser_session.goto(reverse("audit-log"))
    rows = page.locator("table tbody tr").evaluate_all(
        "rows => rows.map(row => Array.from(row.cells).slice(1, 3).map(cell => cell.innerText.trim()))"
    )
    people_rows = [row for row in rows if row[0] in ("programme_owner-user", "olga", "colin")]
    assert len(people_rows) == 8
    assert [row[0] for row in people_rows] == ["colin"] * 3 + ["olga"] * 4 + ["programme_owner-user"]

    # The owner sees both new people, with their roles, on the people list (also at 390 px).
    page.context.clear_cookies()
    browser_session.sign_in_with_cookie(owner)
    browser_session.goto(reverse("people:user-list"))
    expect(page.locator("table")).to_contain_text("olga")
    expect(page.locator("table")).to_contain_text("colin")
    assert _fits(page)
