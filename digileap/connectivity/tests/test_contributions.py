"""The menu's "Connectivity" and the home page's to-dos of campaigns."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.contributions import menu_for, todos_for
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..models import Campaign
from .factories import CampaignFactory, CampaignSchoolFactory, SurveyResponseFactory

# Roles that have no grants in this app (suppliers, teachers).
NO_ACCESS_ROLES = (Role.SUPPLIER, Role.TEACHER, Role.DATA_PROTECTION_OFFICER)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaigns(world):
    """An open campaign over three schools of the INSIDE operator (one submitted, one draft, one
    without answer), a draft campaign and a closed one over the INSIDE school (never counted), and
    an open OUTSIDE campaign."""
    programme = ProgrammeFactory(code="LV-CONN", authority=world.authority)
    open_campaign = CampaignFactory(programme=programme, code="OPEN-24", ends_on=datetime.date(2099, 1, 1))
    draft_school = SchoolFactory(operator=world.operator, name="Draft school")
    silent_school = SchoolFactory(operator=world.operator, name="Silent school")
    for school in (world.school, draft_school, silent_school):
        CampaignSchoolFactory(campaign=open_campaign, school=school)
    SurveyResponseFactory(campaign=open_campaign, school=draft_school)
    SurveyResponseFactory(campaign=open_campaign, school=world.school, state="draft", submitted_at=None)
    for state in (Campaign.State.DRAFT, Campaign.State.CLOSED):
        CampaignSchoolFactory(campaign=CampaignFactory(programme=programme, state=state), school=world.school)
    outside = CampaignFactory(programme=ProgrammeFactory(authority=world.other_authority), code="OUTSIDE-24")
    CampaignSchoolFactory(campaign=outside, school=world.other_school)
    return open_campaign


@pytest.mark.parametrize("role", list(Role))
def test_the_menu_entry(role, role_users):
    entries = [entry for entry in menu_for(role_users[role]) if entry.key == "connectivity"]
    if role in NO_ACCESS_ROLES:
        assert entries == []
    else:
        assert [(str(entry.label), entry.url) for entry in entries] == [
            ("Connectivity", reverse("connectivity:campaign-list"))
        ]


def test_no_menu_entry_when_signed_out():
    from django.contrib.auth.models import AnonymousUser

    assert [entry for entry in menu_for(AnonymousUser()) if entry.key == "connectivity"] == []


def _ours(user):
    return [
        (todo.key, todo.label, todo.count, todo.url, todo.text)
        for todo in todos_for(user)
        if todo.key.startswith("connectivity")
    ]


def test_the_school_sides_todos(role_users, campaigns):
    url = reverse("connectivity:campaign-detail", args=[campaigns.pk])
    text = "Describe the school's internet connections, internal network and problems before the last day."
    assert _ours(role_users[Role.OPERATOR_STAFF]) == [
        (
            f"connectivity-survey-{campaigns.pk}",
            "schools have not answered the connectivity survey OPEN-24",
            2,
            f"{url}?state=none#schools-title",
            text,
        )
    ]
    assert _ours(role_users[Role.SCHOOL_COORDINATOR]) == [
        (
            f"connectivity-survey-{campaigns.pk}",
            "school has not answered the connectivity survey OPEN-24",
            1,
            f"{url}?state=none#schools-title",
            text,
        )
    ]


def test_the_programme_owners_todo_gives_the_response_rate(role_users, campaigns):
    url = reverse("connectivity:campaign-detail", args=[campaigns.pk])
    assert _ours(role_users[Role.PROGRAMME_OWNER]) == [
        (
            f"connectivity-campaign-{campaigns.pk}",
            "schools have not answered the open survey OPEN-24",
            2,
            url,
            "Response rate 33.3 %: 1 of 3 schools have answered.",
        )
    ]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FUNDING_ADMINISTRATOR, Role.SUPPLIER])
def test_readers_have_no_todos(role, role_users, campaigns):
    assert _ours(role_users[role]) == []


def test_no_todo_once_every_school_has_answered(world, role_users, campaigns):
    from django.utils import timezone

    from ..models import SurveyResponse

    SurveyResponse.objects.filter(campaign=campaigns).update(state="submitted", submitted_at=timezone.now())
    for school in campaigns.schools.exclude(pk__in=campaigns.responses.values("school_id")):
        SurveyResponseFactory(campaign=campaigns, school=school)
    assert _ours(role_users[Role.PROGRAMME_OWNER]) == []
    assert _ours(role_users[Role.SCHOOL_COORDINATOR]) == []
    assert _ours(role_users[Role.OPERATOR_STAFF]) == []


def test_the_home_page_shows_the_todo(role_users, campaigns):
    client = Client()
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    text = client.get(reverse("home")).content.decode()
    assert "school has not answered the connectivity survey OPEN-24" in text
    assert "OUTSIDE" not in text
