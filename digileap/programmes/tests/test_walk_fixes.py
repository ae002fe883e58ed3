"""Defects found by walking issue 11's "done means" in a browser, each with its test."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.programmes.models import Target

from .factories import ProgrammeFactory, TargetFactory


@pytest.fixture
def milestone_405(world):
    """Like Brussels' milestone 405: the plan states its deadline in Dutch ("oktober 2021")."""
    programme = ProgrammeFactory(code="walk-405", name={"en": "Digital shift"}, authority=world.authority)
    TargetFactory(
        programme=programme,
        number="405",
        title={"en": "Equip schools"},
        target_value=Decimal("2200"),
        unit="devices",
        due_date=datetime.date(2021, 10, 31),
        due_label="oktober 2021",
        reported_status=Target.ReportedStatus.COMPLETED,
    )
    return programme


@pytest.mark.parametrize("route", ["programmes:programme-dashboard", "programmes:programme-detail"])
def test_an_english_page_shows_the_deadline_without_the_plans_dutch_wording(client, role_users, milestone_405, route):
    client.force_login(role_users[Role.ADMINISTRATOR])
    html = client.get(reverse(route, kwargs={"pk": milestone_405.pk}) + "?lang=en").content.decode()
    assert '<td class="nowrap">31 October 2021</td>' in html
    assert "oktober 2021" not in html


# A table wider than a phone scrolls in its container; a keyboard user reaches it only if the
# container can take the focus (axe: scrollable-region-focusable, found at 390 px).
@pytest.mark.parametrize(
    ("route", "regions"),
    [
        ("programmes:programme-detail", ["targets-title", "budget-title"]),
        ("programmes:programme-dashboard", ["progress-title", "budget-title"]),
        ("programmes:programme-transactions", ["budget-title"]),
    ],
)
def test_scrolling_tables_can_take_the_focus(client, role_users, milestone_405, route, regions):
    client.force_login(role_users[Role.ADMINISTRATOR])
    html = client.get(reverse(route, kwargs={"pk": milestone_405.pk})).content.decode()
    for heading in regions:
        assert f'<div class="table-container" tabindex="0" role="region" aria-labelledby="{heading}">' in html
    if route == "programmes:programme-transactions":
        assert '<div class="table-container" tabindex="0" role="region" aria-label="The ledger, newest first">' in html


def test_the_public_budget_table_can_take_the_focus(client, milestone_405):
    milestone_405.is_public = True
    milestone_405.save()
    html = client.get(reverse("public:programme", kwargs={"code": milestone_405.code}) + "?lang=en").content.decode()
    assert '<div class="table-container" tabindex="0" role="region" aria-labelledby="budget-title">' in html


@pytest.mark.parametrize(
    ("route", "heading"),
    [("programmes:programme-operators", "operators-title"), ("programmes:programme-schools", "schools-title")],
)
def test_the_dashboard_breakdowns_can_take_the_focus(client, role_users, milestone_405, route, heading):
    client.force_login(role_users[Role.ADMINISTRATOR])
    html = client.get(reverse(route, kwargs={"pk": milestone_405.pk})).content.decode()
    assert f'<div class="table-container" tabindex="0" role="region" aria-labelledby="{heading}">' in html


def test_the_targets_table_can_take_the_focus(client, role_users, milestone_405):
    client.force_login(role_users[Role.ADMINISTRATOR])
    html = client.get(reverse("programmes:programme-targets", kwargs={"pk": milestone_405.pk})).content.decode()
    assert '<div class="table-container" tabindex="0" role="region" aria-labelledby="targets-caption">' in html
    assert '<caption class="visually-hidden" id="targets-caption">Milestones and targets with their value on' in html
