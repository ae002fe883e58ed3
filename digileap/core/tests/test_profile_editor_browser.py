"""The profile editor in a real browser: a German file, the proposed mapping accepted, one field
fixed, the preview, the save, then an import through the saved profile. Also the pages at a
phone's width: nothing wider than the window, no console errors (CSP included)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from digileap.accounts.models import Role
from digileap.core.models import ImportJob, ImportProfile
from digileap.schools.models import School

pytestmark = pytest.mark.browser

FAVICON_404 = r"Failed to load resource: the server responded with a status of 404 \(Not Found\) \(.*/favicon\.ico\)"
HEADERS = ["Schul-ID", "Schulname", "PLZ", "Ort", "E-Mail"]
ROWS = [
    ["3001", "Grundschule am Park", "22337", "Hamburg", "park@schule.de"],
    ["3002", "Gymnasium Süd", "22339", "Hamburg", "kein-mail"],
]


def german_file() -> bytes:
    """Semicolon-separated Windows-1252 with CRLF, as Excel saves "CSV (Trennzeichen-getrennt)"."""
    lines = [";".join(HEADERS)] + [";".join(row) for row in ROWS]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def mapping(page, header: str):
    return page.locator("fieldset.mapping", has=page.locator("legend", has_text=f"Column “{header}”"))


def test_write_a_profile_from_a_german_file_and_import_with_it(browser_session, world, role_users):
    page = browser_session.page
    browser_session.expected_errors.append(FAVICON_404)
    browser_session.sign_in_with_cookie(role_users[Role.ADMINISTRATOR])
    browser_session.goto(reverse("importprofile-list"))
    page.select_option("#id_target", "schools")
    page.set_input_files("#id_file", files=[{"name": "schulen.csv", "mimeType": "text/csv", "buffer": german_file()}])
    page.get_by_role("button", name="Read the file and propose a mapping").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Profile editor: Schools")
    # The proposal, from the headers the built-in profiles read.
    assert mapping(page, "Schulname").locator("select[name$='-field']").input_value() == "name"
    assert mapping(page, "PLZ").locator("select[name$='-field']").input_value() == "postal_code"
    assert mapping(page, "Ort").locator("select[name$='-field']").input_value() == "city"
    assert mapping(page, "E-Mail").locator("select[name$='-field']").input_value() == "email"
    # One field fixed by hand (no field's name or alias is "Schul-ID"), an invalid e-mail left
    # empty with a warning instead of costing the school, and the constants.
    assert mapping(page, "Schul-ID").locator("select[name$='-field']").input_value() == ""
    mapping(page, "Schul-ID").locator("select[name$='-field']").select_option("number")
    email = mapping(page, "E-Mail")
    email.locator("summary").click()
    email.locator("select[name$='-on_invalid']").select_option("empty")
    page.select_option("#id_c0-field", "authority_code")
    page.fill("#id_c0-value", "IN")
    page.select_option("#id_c1-field", "operator_name")
    page.fill("#id_c1-value", "INSIDE operator")
    page.fill("#id_s-name", "schulen-hamburg")

    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#profile-preview")
    expect(preview.locator("tbody tr")).to_have_count(2)
    expect(preview.locator("tbody tr").first).to_contain_text("Grundschule am Park")
    expect(preview.locator("tbody tr").first).to_contain_text("park@schule.de")
    expect(preview.locator(".preview-problems li")).to_have_count(1)
    expect(preview.locator(".preview-problems li")).to_contain_text("warning line 3, column E-Mail:")

    page.get_by_role("button", name="Save the profile").click()
    expect(page).to_have_url(
        browser_session.url(reverse("importjob-create") + "?target=schools&profile=schulen-hamburg")
    )
    saved = ImportProfile.objects.get(name="schulen-hamburg")
    columns = {column["field"]: column for column in saved.definition["columns"]}
    assert columns["number"] == {"field": "number", "source": "Schul-ID"}
    assert columns["email"] == {"field": "email", "source": "E-Mail", "type": "email", "on_invalid": "empty"}

    # The upload form has the saved profile chosen: import the same file with it.
    assert page.locator("#id_profile").input_value() == "schulen-hamburg"
    page.set_input_files("#id_file", files=[{"name": "schulen.csv", "mimeType": "text/csv", "buffer": german_file()}])
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("button", name="Confirm the import")).to_be_visible()
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.locator("#import-job-status")).to_contain_text("Imported")
    job = ImportJob.objects.get()
    assert (job.status, job.profile) == ("done", "schulen-hamburg")
    assert sorted(School.objects.filter(number__startswith="300").values_list("number", "name", "email")) == [
        ("3001", "Grundschule am Park", "park@schule.de"),
        ("3002", "Gymnasium Süd", ""),
    ]


@pytest.mark.parametrize("width", [1366, 390])
def test_the_profile_pages_fit_the_window(browser_session, world, role_users, width):
    page = browser_session.page
    browser_session.expected_errors.append(FAVICON_404)
    page.set_viewport_size({"width": width, "height": 900})
    browser_session.sign_in_with_cookie(role_users[Role.OPERATOR_STAFF])
    widths = {}
    browser_session.goto(reverse("importprofile-list"))
    widths["list"] = page.evaluate("document.documentElement.scrollWidth")
    page.select_option("#id_target", "schools")
    page.set_input_files("#id_file", files=[{"name": "schulen.csv", "mimeType": "text/csv", "buffer": german_file()}])
    page.get_by_role("button", name="Read the file and propose a mapping").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Profile editor: Schools")
    widths["editor"] = page.evaluate("document.documentElement.scrollWidth")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#profile-preview tbody tr")).to_have_count(2)
    widths["preview"] = page.evaluate("document.documentElement.scrollWidth")
    browser_session.goto(reverse("importjob-create"))
    widths["upload"] = page.evaluate("document.documentElement.scrollWidth")
    assert widths == {"list": width, "editor": width, "preview": width, "upload": width}
