"""The base layout in a real browser: sign-in per role, keyboard use, languages, console and CSP."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import PASSWORD, user_with_role
from digileap.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.browser

# The main navigation each role sees (roles scoped like the root conftest's ``role_users``).
ALLOCATION = ["Allocation", "Needs", "Roll-out plans", "Change requests"]
NAVIGATION = {
    Role.ADMINISTRATOR: [
        "Home",
        "Programmes",
        "Funding",
        *ALLOCATION,
        "Connectivity",
        "Training",
        "Devices",
        "Schools",
        "School operators",
        "People",  # administrators, programme owners and operator administrators manage people
        "Data protection",  # the pupil-data access log: administrators and data-protection officers
        "Imports",
        "Audit log",
        "API",
    ],
    Role.PROGRAMME_OWNER: [
        "Home",
        "Programmes",
        "Funding",
        *ALLOCATION,
        "Connectivity",
        "Training",
        "Devices",
        "Schools",
        "School operators",
        "People",
        "Imports",
        "API",
    ],
    # Funding administrators import commitments and payments (the transactions target).
    Role.FUNDING_ADMINISTRATOR: [
        "Home",
        "Programmes",
        "Funding",
        *ALLOCATION,
        "Connectivity",
        "Training",
        "Devices",
        "Schools",
        "School operators",
        "Imports",
        "API",
    ],
    # Operator staff, coordinators and suppliers import delivery files, class lists and device reports.
    Role.OPERATOR_STAFF: [
        "Home",
        "Programmes",
        "Funding",
        *ALLOCATION,
        "Connectivity",
        "Training",
        "Hand out devices",  # the user has one school: its hand-out, without filtering first
        "Devices",
        "Schools",
        "School operators",
        "Imports",
        "API",
    ],
    Role.SCHOOL_COORDINATOR: [
        "Home",
        "Programmes",
        *ALLOCATION,
        "Connectivity",
        "Training",
        "Hand out devices",  # the user has one school: its hand-out, without filtering first
        "Devices",
        "Schools",
        "School operators",
        "Imports",
        "API",
    ],
    Role.SUPPLIER: ["Home", "Devices", "Imports", "API"],
    Role.TEACHER: ["Home", "Training", "API"],  # Training: their own page (My training)
    Role.DATA_PROTECTION_OFFICER: ["Home", "Data protection", "API"],
    Role.AUDITOR: [
        "Home",
        "Programmes",
        "Funding",
        *ALLOCATION,
        "Connectivity",
        "Training",
        "Devices",
        "Schools",
        "School operators",
        "Audit log",
        "API",
    ],
}
ROLES_SHOWN = {
    Role.ADMINISTRATOR: "Administrator · Everything",
    Role.PROGRAMME_OWNER: "Programme owner · INSIDE authority",
    Role.FUNDING_ADMINISTRATOR: "Funding administrator · INSIDE authority",
    Role.OPERATOR_STAFF: "School operator staff · INSIDE operator",
    Role.SCHOOL_COORDINATOR: "School ICT coordinator · INSIDE school (1001)",
    Role.SUPPLIER: "Supplier · INSIDE supplier",
    Role.AUDITOR: "Auditor · INSIDE authority",
    Role.TEACHER: "Teacher · INSIDE-teacher",
    Role.DATA_PROTECTION_OFFICER: "Data-protection officer · INSIDE authority",
}

# The language switcher: the key typed on the focused <select> (type-ahead on the language's own
# name), that name, and the translations of the switcher's label and of the skip link.
LANGUAGES = {
    "de": ("D", "Deutsch", "Sprache", "Zum Inhalt springen"),
    "nl": ("N", "Nederlands", "Taal", "Naar de inhoud"),
    "fr": ("F", "Français", "Langue", "Aller au contenu"),
    "lv": ("L", "Latviešu", "Valoda", "Pāriet uz saturu"),
}
FAVICON_404 = (
    r"^Failed to load resource: the server responded with a status of 404 \(Not Found\) \(http://[^/]+/favicon\.ico\)$"
)


def navigation(page) -> list[str]:
    return page.locator("nav.main-nav a").all_inner_texts()


def focused(page) -> str:
    """The focused element, as the tag, its id and its text (or its name for a form control)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const isControl = ['SELECT', 'INPUT', 'TEXTAREA'].includes(el.tagName);
            const text = (isControl ? el.getAttribute('name') : el.innerText || '').trim();
            return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} ${text}`.trim();
        }"""
    )


def test_sign_in_as_each_role_shows_its_navigation_then_sign_out(browser_session, role_users):
    page = browser_session.page
    for role, user in role_users.items():
        browser_session.goto(reverse("login"))
        page.get_by_label("User name").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(browser_session.url("/"))
        assert page.locator("h1").inner_text() == f"Welcome, {role}-user", role
        assert navigation(page) == NAVIGATION[role], role
        assert page.locator(".account__roles").inner_text() == ROLES_SHOWN[role], role
        assert page.locator("nav.main-nav a[aria-current=page]").inner_text() == "Home"

        page.get_by_role("button", name="Sign out").click()  # a POST form, not a link
        expect(page.locator("h1")).to_have_text("Digileap")  # the visitors' home page
        assert page.url == browser_session.url("/")
        assert navigation(page) == ["Home", "Public programmes"], role
        assert page.locator(".site-header").get_by_role("link", name="Sign in").is_visible()


def test_a_wrong_password_is_refused(browser_session, role_users):
    page = browser_session.page
    browser_session.goto(reverse("login"))
    page.get_by_label("User name").fill(role_users[Role.AUDITOR].username)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Your user name and password did not match. Please try again."
    assert navigation(page) == ["Home", "Public programmes"]


def test_first_tab_focuses_the_skip_link_and_enter_moves_to_main(browser_session):
    page = browser_session.page
    browser_session.goto("/")
    page.keyboard.press("Tab")
    assert focused(page) == "a Skip to content"
    assert page.locator(".skip-link").is_visible()  # hidden until focused, then shown
    page.keyboard.press("Enter")
    page.wait_for_url(browser_session.url("/#main"))
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert focused(page) == "a Sign in"
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)") is True


@pytest.fixture
def committed_translations(settings, tmp_path):
    """The committed .po files, compiled for this test (a stale or missing .mo must not decide)."""
    for code in LANGUAGES:
        folder = tmp_path / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        shutil.copy(Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po", folder / "django.po")
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("compile_translations", stdout=io.StringIO())
    # Changing LOCALE_PATHS empties Django's translation caches; the live server runs in this process.
    settings.LOCALE_PATHS = [tmp_path]


def test_the_language_switcher_works_by_keyboard(browser_session, committed_translations):
    page = browser_session.page
    browser_session.goto("/")
    for code, (key, name, label, skip_link) in LANGUAGES.items():
        # The header in tab order: skip link, brand, sign-in, the language list, its button.
        order = []
        for _ in range(5):
            page.keyboard.press("Tab")
            order.append(focused(page))
        if code == "de":  # still in English
            assert order == [
                "a Skip to content",
                "a Digileap",
                "a Sign in",
                "select#language-select language",
                "button Change",
            ]
        assert order[3] == "select#language-select language"
        page.keyboard.press("Shift+Tab")  # back on the list
        page.keyboard.press(key)  # type-ahead selects the language by its own name
        assert page.locator("#language-select option:checked").inner_text() == name
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("html")).to_have_attribute("lang", code)
        assert page.url == browser_session.url("/")  # back on the same page
        assert page.locator("#language-select option:checked").inner_text() == name
        assert page.locator("label[for=language-select]").inner_text() == label
        assert page.locator(".skip-link").text_content() == skip_link


def test_the_language_choice_is_kept_across_pages(browser_session, role_users):
    page = browser_session.page
    browser_session.sign_in_with_cookie(role_users[Role.ADMINISTRATOR])
    browser_session.goto("/")
    page.locator("#language-select").select_option("nl")
    page.locator(".language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.locator(f"nav.main-nav a[href='{reverse('schools:school-list')}']").click()
    page.wait_for_url(browser_session.url(reverse("schools:school-list")))
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("#language-select option:checked").inner_text() == "Nederlands"


def test_no_console_errors_or_csp_violations_on_the_main_pages(browser_session, world, role_users):
    page = browser_session.page
    school = world.school
    pages_anonymous = ["/", reverse("login")]
    pages_signed_in = [
        "/",
        reverse("schools:school-list"),
        reverse("schools:school-list") + "?q=INSIDE&level=1&sort=-number",
        reverse("schools:school-detail", kwargs={"pk": school.pk}),
        reverse("schools:school-create"),
        reverse("schools:school-update", kwargs={"pk": school.pk}),
        reverse("schools:school-figures", kwargs={"pk": school.pk}),
        reverse("schools:operator-list"),
        reverse("schools:operator-detail", kwargs={"pk": school.operator_id}),
        reverse("importjob-list"),
        reverse("importjob-create"),
        reverse("audit-log"),
        reverse("programmes:programme-list"),
        reverse("password_change"),
        reverse("api-docs"),
    ]
    # Chromium sometimes asks for /favicon.ico although every page links its SVG icon; that 404 is
    # not ours to fix here (config/urls.py could redirect it), everything else counts.
    browser_session.expected_errors.append(FAVICON_404)
    errors = {}
    for path in pages_anonymous:
        browser_session.goto(path)
        errors[f"anonymous {path}"] = browser_session.unexpected_errors()
        browser_session.console_errors.clear()
    browser_session.sign_in_with_cookie(role_users[Role.ADMINISTRATOR])
    for path in pages_signed_in:
        browser_session.goto(path)
        if path == reverse("api-docs"):
            # The Swagger UI fetches the schema and renders it after the load event.
            expect(page.locator(".swagger-ui .title").first).to_contain_text("Digileap API")
            page.wait_for_load_state("networkidle")
        errors[path] = browser_session.unexpected_errors()
        browser_session.console_errors.clear()
    assert errors == {path: [] for path in errors}


def test_the_console_check_sees_csp_violations(chromium):
    """Proves the check above is not blind: a page that breaks the CSP logs console errors."""
    context = chromium.new_context()
    page = context.new_page()
    messages = []
    page.on("console", lambda message: messages.append((message.type, message.text)))
    page.route(
        "http://digileap.invalid/",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'"},
            body='<!DOCTYPE html><p style="color: red">x</p><script>console.log("ran")</script>',
        ),
    )
    page.goto("http://digileap.invalid/")
    context.close()
    assert ("log", "ran") not in messages
    violations = [text for kind, text in messages if kind == "error" and "Content Security Policy" in text]
    assert len(violations) == 2, messages


def test_home_tiles_count_what_the_user_may_see(browser_session, world, role_users):
    SchoolFactory(operator=world.operator, name="Second inside school")
    user = user_with_role(Role.PROGRAMME_OWNER, world.authority, username="owner")
    browser_session.sign_in_with_cookie(user)
    browser_session.goto("/")
    tiles = browser_session.page.locator(".tile")
    assert [
        (tile.locator("h2").inner_text(), tile.locator(".tile__count").all_inner_texts()) for tile in tiles.all()
    ] == [
        ("Schools", ["2"]),
        ("School operators", ["1"]),
        ("Imports", []),
        ("Devices", ["0"]),
        ("API documentation", []),
    ]
