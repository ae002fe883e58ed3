"""The programme administration pages in a real browser, at a phone's and a laptop's width: a
programme owner creates a programme in five languages with the form, and every page fits the screen."""

import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.tests import browser_fixtures
from digileap.programmes.models import Programme

from .factories import FundingSourceFactory

pytestmark = pytest.mark.browser

chromium = browser_fixtures.chromium
browser_session = browser_fixtures.browser_session

WIDTHS = [390, 1366]


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_owner_creates_a_programme_on_a_phone_and_a_laptop(browser_session, world, role_users, width):
    session = browser_session
    page = session.page
    page.set_viewport_size({"width": width, "height": 900})
    session.sign_in_with_cookie(role_users[Role.PROGRAMME_OWNER])
    session.goto(reverse("programmes:programme-list"))
    page.get_by_role("link", name="New programme").click()
    page.get_by_role("heading", name="New programme", exact=True).wait_for()
    assert scroll_width(page) <= width

    # Submitted without an English name: the error stands next to the field and nothing is written.
    page.get_by_label("Code").fill(f"W{width}")
    page.get_by_role("button", name="Create programme").click()
    name = page.get_by_role("group", name="Name", exact=True)
    name.get_by_text("Give the text in English; the other languages are optional.").wait_for()
    assert scroll_width(page) <= width
    assert not Programme.objects.filter(code=f"W{width}").exists()

    name.get_by_label("English").fill("Laptops")
    name.get_by_label("Nederlands").fill("Laptops voor leerlingen")
    name.get_by_label("Latviešu").fill("Klēpjdatori")
    page.get_by_role("group", name="End goal").get_by_label("Français").fill("Un appareil par élève")
    page.get_by_label("Country").fill("be")
    page.get_by_label("4 · Quality education").check()
    page.get_by_role("button", name="Create programme").click()
    page.get_by_text(f"The programme W{width} was created.").wait_for()
    programme = Programme.objects.get(code=f"W{width}")
    assert programme.name == {"en": "Laptops", "nl": "Laptops voor leerlingen", "lv": "Klēpjdatori"}
    assert programme.end_goal == {"fr": "Un appareil par élève"}
    assert (programme.country, programme.sdgs) == ("BE", [4])

    FundingSourceFactory(programme=programme, position=1)
    pages = [
        ("programmes:programme-detail", programme.pk),
        ("programmes:programme-update", programme.pk),
        ("programmes:programme-sources", programme.pk),
        ("programmes:programme-source-create", programme.pk),
        ("programmes:fundingsource-update", programme.funding_sources.get().pk),
        ("programmes:programme-objectives", programme.pk),
        ("programmes:programme-objective-create", programme.pk),
        ("programmes:programme-publish", programme.pk),
        ("programmes:programme-copy", programme.pk),
    ]
    for name, pk in pages:
        session.goto(reverse(name, kwargs={"pk": pk}))
        assert scroll_width(page) <= width, f"{name} at {width} px"

    session.goto(reverse("programmes:programme-publish", kwargs={"pk": programme.pk}))
    page.get_by_role("button", name="Publish the public page").click()
    page.get_by_text(f"The public page of W{width} is online.").wait_for()
    programme.refresh_from_db()
    assert programme.is_public is True
