"""The school registry in a real browser: the list (htmx), a detail page, the form, and the import flow.

Screenshots of the school list and of an import preview are written to ``test-results/``.
"""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.imports import import_job_create
from digileap.core.models import ImportJob
from digileap.core.tabular.engine import run_import
from digileap.core.tests import browser_fixtures
from digileap.schools import services
from digileap.schools.models import School
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory
from digileap.schools.tests.import_files import csv_text

pytestmark = pytest.mark.browser

# The browser fixtures live with the core tests (digileap/core/tests/browser_fixtures.py).
chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session

SCHOOL_LIST = reverse("schools:school-list")


def results(page) -> list[list[str]]:
    """The school table's rows: name, number, city, operator, type, levels, pupils, index."""
    return [row.locator("td").all_inner_texts() for row in page.locator("#school-results tbody tr").all()]


def names(page) -> list[str]:
    return [row[0] for row in results(page)]


def count(page) -> str:
    return page.locator("#school-results-count").inner_text()


def search_box(page):
    return page.get_by_role("textbox", name="Search")


def mark_document(page) -> None:
    """A flag on the window: it survives an htmx swap, not a page load."""
    page.evaluate("window.digileapSameDocument = true")


def same_document(page) -> bool:
    return page.evaluate("window.digileapSameDocument === true")


@pytest.fixture
def registry(db):
    """55 schools ``Schule 01`` to ``Schule 55`` (every fifth teaches ISCED 2), and the Lindenschule with a history."""
    admin = user_with_role(Role.ADMINISTRATOR, None, username="admin")
    operator = OperatorFactory(name="Schulträger Nord", authority__name="Testland", authority__code="TL")
    for i in range(1, 56):
        SchoolFactory(
            operator=operator,
            number=f"{5000 + i}",
            name=f"Schule {i:02d}",
            city="Rostock",
            isced_2=i % 5 == 0,
            pupils_total=i * 10,
        )
    school = services.school_create(
        actor=admin,
        authority=operator.authority,
        data={
            "operator": operator,
            "number": "4711",
            "name": "Lindenschule",
            "type_code": "GS",
            "type_label": "Grundschule",
            "isced_1": True,
            "city": "Güstrow",
        },
    )
    services.school_update(actor=admin, school=school, data={"city": "Bützow"})
    for year, pupils, teachers in (("2023/24", 180, 12), ("2024/25", 196, 13)):
        services.school_year_figures_set(
            actor=admin, school=school, school_year=year, enrolment={(1, 0): pupils}, teachers=teachers
        )
    return admin, School.objects.get(pk=school.pk)


def test_school_list_search_filter_sort_and_pages_update_in_place(browser_session, registry):
    admin, school = registry
    page = browser_session.page
    browser_session.sign_in_with_cookie(admin)
    browser_session.goto(SCHOOL_LIST)
    assert count(page) == "56 schools"
    assert results(page)[:2] == [
        ["Lindenschule", "4711", "Bützow", "Schulträger Nord", "Grundschule", "1", "196", "–"],
        ["Schule 01", "5001", "Rostock", "Schulträger Nord", "Grundschule", "1", "10", "–"],
    ]
    browser_session.screenshot("school-list.png")
    mark_document(page)

    # Search: the form is submitted by htmx, the results swap in place and the URL follows.
    search_box(page).fill("Linden")
    search_box(page).press("Enter")
    expect(page.locator("#school-results-count")).to_have_text("1 school")
    assert names(page) == ["Lindenschule"]
    assert "q=Linden" in page.url
    # Focus lands on the new results' summary (keyboard and screen-reader users).
    assert page.evaluate("document.activeElement.id") == "school-results-count"

    # Filter by level.
    search_box(page).fill("")
    page.get_by_label("Level").select_option("2")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#school-results-count")).to_have_text("11 schools")
    assert "level=2" in page.url
    assert names(page) == [f"Schule {i:02d}" for i in range(5, 56, 5)]

    # Sort by a column, then the other way round.
    header = page.locator("#school-results thead")
    header.get_by_role("link", name="Official number").click()
    number_header = page.locator("#school-results th").nth(1)
    expect(number_header).to_have_attribute("aria-sort", "ascending")
    assert number_header.text_content().strip() == "Official number, sorted ascending"  # spelled out for screen readers
    assert "sort=number" in page.url
    header.get_by_role("link", name="Official number").click()
    expect(number_header).to_have_attribute("aria-sort", "descending")
    assert names(page) == [f"Schule {i:02d}" for i in range(55, 4, -5)]
    assert "sort=-number" in page.url
    assert same_document(page)

    # Pages: the reset link loads the page anew, the pager swaps in place.
    page.get_by_role("link", name="Reset").click()
    page.wait_for_url(browser_session.url(SCHOOL_LIST))
    mark_document(page)
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(page.locator(".pagination p")).to_have_text("Rows 51–56 of 56")
    assert "page=2" in page.url
    assert names(page) == ["Schule 50", "Schule 51", "Schule 52", "Schule 53", "Schule 54", "Schule 55"]
    assert page.locator(".pagination [aria-current=page]").inner_text() == "2"
    assert same_document(page)

    # The URL reflects the state: loading it again shows the same page.
    browser_session.goto(page.url.removeprefix(browser_session.base_url))
    assert names(page)[0] == "Schule 50"


def test_a_search_keeps_the_sort_chosen_in_the_table(browser_session, registry):
    admin, school = registry
    page = browser_session.page
    browser_session.sign_in_with_cookie(admin)
    browser_session.goto(SCHOOL_LIST)
    number_header = page.locator("#school-results th").nth(1)
    page.locator("#school-results thead").get_by_role("link", name="Official number").click()
    expect(number_header).to_have_attribute("aria-sort", "ascending")
    page.locator("#school-results thead").get_by_role("link", name="Official number").click()
    expect(number_header).to_have_attribute("aria-sort", "descending")
    search_box(page).fill("Schule 5")
    search_box(page).press("Enter")
    expect(page.locator("#school-results-count")).to_have_text("6 schools")
    assert "sort=-number" in page.url
    assert names(page) == ["Schule 55", "Schule 54", "Schule 53", "Schule 52", "Schule 51", "Schule 50"]


def test_school_detail_shows_enrolment_and_audit_history(browser_session, registry):
    admin, school = registry
    page = browser_session.page
    browser_session.sign_in_with_cookie(admin)
    browser_session.goto(SCHOOL_LIST)
    search_box(page).fill("4711")
    search_box(page).press("Enter")
    expect(page.locator("#school-results-count")).to_have_text("1 school")
    page.get_by_role("link", name="Lindenschule").click()
    page.wait_for_url(browser_session.url(reverse("schools:school-detail", kwargs={"pk": school.pk})))

    assert page.locator("h1").inner_text() == "Lindenschule"
    assert page.locator(".page-header__lead").first.inner_text() == "Official number 4711 · Testland · Open"
    years = page.get_by_role("region", name="School years").locator("tbody tr")
    assert [row.locator("th, td").all_inner_texts() for row in years.all()] == [
        ["2024/25", "Primary (ISCED 1): 196", "196", "13", "–", "–"],
        ["2023/24", "Primary (ISCED 1): 180", "180", "12", "–", "–"],
    ]
    history = page.get_by_role("region", name="Change history").locator("tbody tr")
    assert [row.locator("td").all_inner_texts()[1:3] for row in history.all()] == [
        ["admin", "figures changed"],
        ["admin", "figures changed"],
        ["admin", "changed"],
        ["admin", "created"],
    ]
    assert history.nth(2).locator(".changes li").first.inner_text() == "City: Güstrow → Bützow"
    assert history.nth(0).locator(".changes li").inner_text() == (
        '2024/25: {"enrolment": {}, "ses": {}, "teachers": null} → {"enrolment": {"1/0": 196}, "ses": {}, "teachers": 13}'
    )
    # A creation with many fields is folded.
    assert history.nth(3).locator("summary").inner_text() == "27 fields"


def test_register_a_school_after_a_duplicate_number(browser_session, world):
    owner = user_with_role(Role.PROGRAMME_OWNER, world.authority, username="owner")
    page = browser_session.page
    browser_session.sign_in_with_cookie(owner)
    browser_session.goto(SCHOOL_LIST)
    page.get_by_role("link", name="Register a school").click()
    page.wait_for_url(browser_session.url(reverse("schools:school-create")))
    assert page.get_by_label("School operator").locator("option").all_inner_texts() == [
        "---------",
        "INSIDE operator (INSIDE authority)",
    ]
    page.get_by_label("School operator").select_option(label="INSIDE operator (INSIDE authority)")
    page.get_by_label("Official number").fill("1001")  # the INSIDE school's number
    page.locator("#id_name").fill("Neue Grundschule")
    page.get_by_label("Primary", exact=True).check()
    page.get_by_label("City").fill("Wismar")
    page.get_by_role("button", name="Register school").click()

    expect(page.get_by_role("alert")).to_be_visible()
    assert page.url == browser_session.url(reverse("schools:school-create"))
    assert page.get_by_role("alert").locator("strong").inner_text() == "Please correct the errors below."
    assert page.get_by_role("alert").locator(".errorlist li").all_inner_texts() == [
        "School with this Authority and Official number already exists."
    ]
    # What was typed is kept.
    assert page.get_by_label("Official number").input_value() == "1001"
    assert page.get_by_label("City").input_value() == "Wismar"
    assert School.objects.filter(name="Neue Grundschule").count() == 0

    page.get_by_label("Official number").fill("1003")
    page.get_by_role("button", name="Register school").click()
    expect(page.locator(".messages")).to_have_text("The school Neue Grundschule was registered.")
    school = School.objects.get(number="1003")
    assert page.url == browser_session.url(reverse("schools:school-detail", kwargs={"pk": school.pk}))
    assert page.locator("h1").inner_text() == "Neue Grundschule"
    assert page.locator(".page-header__lead").first.inner_text() == "Official number 1003 · INSIDE authority · Open"
    assert (school.authority, school.operator, school.city, school.isced_1) == (
        world.authority,
        world.operator,
        "Wismar",
        True,
    )


# -- imports -----------------------------------------------------------------------------------------

HEADER = [
    "authority_code",
    "authority_name",
    "country",
    "operator_name",
    "number",
    "name",
    "levels",
    "city",
    "school_year",
    "pupils_isced_1",
]
OPERATOR = "Schulträger Süd"
MUEHLENTEICH = ["TL", "Testland", "DE", OPERATOR, "7001", "Grundschule Am Mühlenteich", "1", "Lübeck", "2024/25", "210"]
UEBERSEE = ["TL", "Testland", "DE", OPERATOR, "7002", "Schule Übersee", "1", "Kiel", "2024/25", "150"]


def excel_csv(rows) -> bytes:
    """What Excel writes as "CSV" in Western Europe: semicolons, Windows-1252."""
    return csv_text([HEADER, *rows], delimiter=";").encode("cp1252")


def upload(page, name: str, content: bytes, mime_type: str) -> None:
    page.get_by_label("Profile").select_option("generic")
    page.locator("#id_file").set_input_files(files=[{"name": name, "mimeType": mime_type, "buffer": content}])
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))


def facts(page) -> dict[str, str]:
    region = page.locator("#import-job-status dl.facts")
    return dict(zip(region.locator("dt").all_inner_texts(), region.locator("dd").all_inner_texts(), strict=True))


def test_import_a_windows_csv_through_the_web(browser_session):
    admin = user_with_role(Role.ADMINISTRATOR, None, username="admin")
    run_import(
        target="schools",
        source=io.BytesIO(excel_csv([MUEHLENTEICH, UEBERSEE])),
        profile="generic",
        actor=admin,
        filename="before.csv",
    )
    content = excel_csv(
        [
            MUEHLENTEICH,  # unchanged
            [*UEBERSEE[:-1], "155"],  # updated
            ["TL", "Testland", "DE", OPERATOR, "7003", "Förderschule An der Straße", "1", "Flensburg", "2024/25", "48"],
            ["TL", "Testland", "DE", OPERATOR, "7004", "Gymnasium Süd", "1", "Lübeck", "2024/25", "0"],
            ["TL", "Testland", "DE", OPERATOR, "7005", "Schule Größenwahn", "1", "Kiel", "2024/25", "-5"],
        ]
    )
    assert "Größenwahn".encode("cp1252") in content and "Größenwahn".encode() not in content
    page = browser_session.page
    browser_session.sign_in_with_cookie(admin)
    browser_session.goto(reverse("importjob-list"))
    page.get_by_role("link", name="Import a file").click()
    upload(page, "schulen.csv", content, "text/csv")

    # The preview: counts, and the rejected row with its line, column and reason.
    assert page.locator("h1").inner_text() == "Import of schulen.csv"
    assert page.locator("#import-status-heading").inner_text() == "Ready to import"
    assert facts(page) == {
        "Would be created": "2",
        "Would be updated": "1",
        "Unchanged": "1",
        "Rejected rows": "1",
    }
    rejected = page.locator("#import-job-status tbody tr")
    assert [row.locator("td").all_inner_texts() for row in rejected.all()] == [
        ["6", "pupils_isced_1", "-5 is negative; a count must be zero or more", "-5"],
    ]
    browser_session.screenshot("import-preview.png")
    assert School.objects.filter(number__in=["7003", "7004"]).count() == 0

    page.get_by_label("Skip the rejected row and import the others").check()
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.locator("#import-status-heading")).to_have_text("Imported")
    assert page.locator("#import-job-status h3").first.inner_text() == "What was imported"
    assert facts(page) == {"Created": "2", "Updated": "1", "Unchanged": "1", "Rejected rows": "1"}
    assert page.get_by_role("button", name="Confirm the import").count() == 0

    # The schools are in the list, umlauts intact.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schools").click()
    search_box(page).fill("Süd")
    search_box(page).press("Enter")
    expect(page.locator("#school-results-count")).to_have_text("1 school")
    assert results(page) == [["Gymnasium Süd", "7004", "Lübeck", OPERATOR, "", "1", "0", "–"]]
    search_box(page).fill("Flensburg")
    search_box(page).press("Enter")
    expect(page.locator("#school-results tbody td").first).to_have_text("Förderschule An der Straße")
    assert count(page) == "1 school"
    assert not School.objects.filter(number="7005").exists()

    # An .xlsx that is not a workbook: a clear message, nothing written.
    browser_session.goto(reverse("importjob-create"))
    upload(page, "schulen.xlsx", b"not a zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert page.locator("#import-status-heading").inner_text() == "Failed"
    assert page.get_by_role("alert").inner_text() == (
        "schulen.xlsx: the file is called .xlsx but is not an Excel workbook (it is not a ZIP archive)"
    )
    assert page.locator("#import-job-status").get_by_text("Nothing was written to the database.").is_visible()
    assert page.get_by_role("button", name="Confirm the import").count() == 0
    assert School.objects.filter(authority__code="TL").count() == 4


def test_import_progress_updates_while_the_job_runs(browser_session):
    """The status region polls (htmx, every second) while a job runs and stops when it is done."""
    admin = user_with_role(Role.ADMINISTRATOR, None, username="admin")
    job = import_job_create(
        actor=admin,
        target="schools",
        profile="generic",
        uploaded_file=SimpleUploadedFile("lang.csv", excel_csv([MUEHLENTEICH])),
    )
    running = ImportJob.objects.filter(pk=job.pk)
    running.update(status=ImportJob.Status.COMMITTING, phase="checking", rows_processed=40, rows_total=100)
    page = browser_session.page
    browser_session.sign_in_with_cookie(admin)
    browser_session.goto(reverse("importjob-detail", kwargs={"pk": job.pk}))
    status = page.locator("#import-job-status")
    assert page.locator("#import-status-heading").inner_text() == "Importing"
    assert status.locator("p").first.inner_text() == "Checked 40 of 100 rows."
    assert status.locator("progress").get_attribute("value") == "40"
    mark_document(page)

    running.update(rows_processed=80)
    expect(status.locator("p").first).to_have_text("Checked 80 of 100 rows.")
    assert status.locator("progress").get_attribute("value") == "80"
    running.update(phase="writing")
    expect(status.locator("p").first).to_have_text("Writing to the database.")

    running.update(
        status=ImportJob.Status.DONE,
        phase="done",
        summary={"created": 1, "updated": 0, "unchanged": 0, "rejected": 0},
    )
    expect(page.locator("#import-status-heading")).to_have_text("Imported")
    assert facts(page) == {"Created": "1", "Updated": "0", "Unchanged": "0", "Rejected rows": "0"}
    assert status.locator("progress").count() == 0
    assert status.locator("[hx-trigger]").count() == 0  # polling stopped
    assert same_document(page)
