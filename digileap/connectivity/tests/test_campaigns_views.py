"""Campaign pages: every role on every page (status and what is shown), forms with bad input,
the schools picker, state buttons, "send reminders now" and the progress CSV."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.models import School
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import Campaign, CampaignReminder
from .factories import CampaignFactory, CampaignSchoolFactory, SurveyResponseFactory

# Roles that have no grants in this app (suppliers, teachers).
NO_ACCESS_ROLES = (Role.SUPPLIER, Role.TEACHER, Role.DATA_PROTECTION_OFFICER)

pytestmark = pytest.mark.django_db

READERS = [Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR]
SCHOOL_SIDE = [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR]
CHANGERS = [Role.ADMINISTRATOR, Role.PROGRAMME_OWNER]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def campaign(world):
    """An open campaign of the INSIDE authority covering the INSIDE school (answered) and a
    school of another operator of the same authority (not answered)."""
    programme = ProgrammeFactory(code="LV-CONN", authority=world.authority)
    campaign = CampaignFactory(
        programme=programme,
        code="SURVEY-24",
        name={"en": "Connectivity 2024", "lv": "Savienojamība 2024"},
        description={"en": "Spring survey"},
        starts_on=datetime.date(2024, 3, 1),
        ends_on=datetime.date(2099, 3, 31),
    )
    other = SchoolFactory(
        operator=OperatorFactory(authority=world.authority, name="Second operator"), name="Far school"
    )
    CampaignSchoolFactory(campaign=campaign, school=world.school)
    CampaignSchoolFactory(campaign=campaign, school=other)
    SurveyResponseFactory(campaign=campaign, school=world.school)
    return campaign


@pytest.mark.parametrize("role", list(Role))
def test_the_list_for_every_role(role, role_users, campaign):
    response = client_for(role_users[role]).get(reverse("connectivity:campaign-list"))
    if role in NO_ACCESS_ROLES:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    text = response.content.decode()
    assert "Connectivity 2024" in text
    assert ("New campaign" in text) == (role in CHANGERS)
    # Answered, counted over the user's own schools only.
    assert ("1 (50 %)" in text) == (role in READERS)
    assert ("1 (100 %)" in text) == (role in SCHOOL_SIDE)


@pytest.mark.parametrize("role", list(Role))
def test_the_campaign_page_for_every_role(role, role_users, campaign):
    response = client_for(role_users[role]).get(reverse("connectivity:campaign-detail", args=[campaign.pk]))
    if role in NO_ACCESS_ROLES:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    text = response.content.decode()
    assert "Connectivity 2024" in text and "Spring survey" in text
    assert ("Send reminders now" in text) == (role in CHANGERS)
    assert ("Close the campaign" in text) == (role in CHANGERS)
    assert ("Edit the campaign" in text) == (role in CHANGERS)
    assert "INSIDE school" in text
    # The school side sees only its own school; the authority's roles see every school.
    assert ("Far school" in text) == (role in READERS)
    assert ("Second operator" in text) == (role in READERS)


@pytest.mark.parametrize("role", list(Role))
def test_the_forms_for_every_role(role, role_users, campaign):
    client = client_for(role_users[role])
    for name, args in (
        ("connectivity:campaign-create", []),
        ("connectivity:campaign-update", [campaign.pk]),
        ("connectivity:campaign-schools", [campaign.pk]),
    ):
        response = client.get(reverse(name, args=args))
        if role in CHANGERS:
            assert response.status_code == 200, name
        elif role in NO_ACCESS_ROLES and args:
            assert response.status_code == 404, name
        else:
            assert response.status_code == 403, name


@pytest.mark.parametrize("role", list(Role))
def test_writes_for_every_role(role, role_users, campaign):
    client = client_for(role_users[role])
    response = client.post(reverse("connectivity:campaign-close", args=[campaign.pk]))
    campaign.refresh_from_db()
    if role in CHANGERS:
        assert response.status_code == 302
        assert campaign.state == Campaign.State.CLOSED
    else:
        assert response.status_code in (403, 404)
        assert campaign.state == Campaign.State.OPEN
    assert client.get(reverse("connectivity:campaign-close", args=[campaign.pk])).status_code in (403, 404, 405)


def test_create_through_the_page(world, role_users):
    programme = ProgrammeFactory(code="LV-CONN", authority=world.authority)
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    data = {
        "programme": programme.pk,
        "code": "NEW-24",
        "name_en": "New survey",
        "name_lv": "Jauna aptauja",
        "description_en": "",
        "starts_on": "2024-03-01",
        "ends_on": "2024-02-01",
        "reminder_days": "7, 1",
    }
    response = client.post(reverse("connectivity:campaign-create"), data)
    assert response.status_code == 400
    assert "The last day comes on or after the first day." in response.content.decode()
    assert Campaign.objects.count() == 0
    response = client.post(reverse("connectivity:campaign-create"), {**data, "ends_on": "2024-04-30"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "connectivity:campaign-detail", args=[campaign.pk]
    )
    assert campaign.name == {"en": "New survey", "lv": "Jauna aptauja"}
    assert campaign.reminder_days == [7, 1]
    assert list(campaign.campaign_schools.values_list("school_id", flat=True)) == [world.school.pk]
    response = client.post(reverse("connectivity:campaign-create"), {**data, "ends_on": "2024-04-30"})
    assert response.status_code == 400
    assert "The programme already has a campaign with the code NEW-24." in response.content.decode()
    # Another authority's programme is not a choice.
    outside = ProgrammeFactory(code="OUT", authority=world.other_authority)
    response = client.post(
        reverse("connectivity:campaign-create"), {**data, "programme": outside.pk, "code": "X", "ends_on": "2024-04-30"}
    )
    assert response.status_code == 400
    assert Campaign.objects.count() == 1


def test_edit_through_the_page(role_users, campaign):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("connectivity:campaign-update", args=[campaign.pk])
    assert "Savienojamība 2024" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "code": "SURVEY-24",
            "name_en": "Renamed",
            "starts_on": "2024-03-01",
            "ends_on": "2099-03-31",
            "reminder_days": "3, x",
        },
    )
    assert response.status_code == 400
    assert "x is not a whole number of days" in response.content.decode()
    response = client.post(
        url,
        {"code": "SURVEY-24", "name_en": "Renamed", "starts_on": "2024-03-01", "ends_on": "2099-03-31"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == {"en": "Renamed"} and campaign.reminder_days == []


def test_the_schools_picker_filters_and_changes_only_the_schools_shown(world, role_users, campaign):
    second = School.objects.get(name="Far school")
    third = SchoolFactory(operator=world.operator, name="Third school", type_label="Gymnasium")
    SchoolFactory(operator=world.operator, name="Closed school", status=School.Status.CLOSED)
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("connectivity:campaign-schools", args=[campaign.pk])
    text = client.get(url).content.decode()
    assert "Third school" in text and "Far school" in text and "Closed school" not in text
    assert "OUTSIDE" not in text
    text = client.get(url, {"operator": world.operator.pk}).content.decode()
    assert "Third school" in text and "Far school" not in text
    text = client.get(url, {"school_type": "Gymnasium"}).content.decode()
    assert "Third school" in text and "INSIDE school" not in text
    # Among the INSIDE operator's schools choose the third only: the answered INSIDE school would
    # be removed and is refused; nothing changes.
    response = client.post(url, {"operator": world.operator.pk, "schools": [third.pk]})
    assert response.status_code == 400
    assert "These schools have answered and stay in the campaign: INSIDE school" in response.content.decode()
    assert set(campaign.campaign_schools.values_list("school_id", flat=True)) == {world.school.pk, second.pk}
    response = client.post(url, {"operator": world.operator.pk, "schools": [world.school.pk, third.pk]})
    assert response.status_code == 302
    # The other operator's school, not shown, keeps its place.
    assert set(campaign.campaign_schools.values_list("school_id", flat=True)) == {
        world.school.pk,
        second.pk,
        third.pk,
    }


def test_the_school_list_filters_to_an_operators_schools_not_answered(world, role_users, campaign):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("connectivity:campaign-detail", args=[campaign.pk])
    text = client.get(url).content.decode()
    second_operator = School.objects.get(name="Far school").operator
    assert f"?operator={second_operator.pk}&amp;state=none#schools-title" in text
    text = client.get(url, {"operator": second_operator.pk, "state": "none"}).content.decode()
    schools_part = text.split('id="schools-title"', 1)[1]
    assert "Far school" in schools_part and "INSIDE school" not in schools_part
    text = client.get(url, {"state": "submitted"}).content.decode()
    schools_part = text.split('id="schools-title"', 1)[1]
    assert "INSIDE school" in schools_part and "Far school" not in schools_part
    # Rubbish in the filter shows everything, no error.
    assert client.get(url, {"operator": "x", "state": "y", "page": "z"}).status_code == 200


def test_open_and_reminders_from_the_page(world, role_users, campaign, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from digileap.accounts.tests.factories import user_with_role

    far = School.objects.get(name="Far school")
    user_with_role(Role.SCHOOL_COORDINATOR, far, username="far-coordinator")
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.post(reverse("connectivity:campaign-remind", args=[campaign.pk]), follow=True)
    assert "1 school was reminded (1 e-mails)." in response.content.decode()
    assert [message.to for message in mail.outbox] == [["far-coordinator@example.org"]]
    assert CampaignReminder.objects.get().school == far
    response = client.post(reverse("connectivity:campaign-open", args=[campaign.pk]), follow=True)
    assert "The campaign is open already." in response.content.decode()
    client.post(reverse("connectivity:campaign-close", args=[campaign.pk]))
    response = client.post(reverse("connectivity:campaign-remind", args=[campaign.pk]), follow=True)
    assert "Reminders are sent for an open campaign from its first day only." in response.content.decode()
    assert "Reopen the campaign" in response.content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_the_progress_csv_for_every_role(role, role_users, campaign):
    response = client_for(role_users[role]).get(reverse("connectivity:campaign-progress", args=[campaign.pk]))
    if role in NO_ACCESS_ROLES:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == ("Group;Name;Schools;Answered;Answered (%);Draft;Draft (%);Not answered;Not answered (%)")
    if role in READERS:
        assert lines[1:] == [
            "All;SURVEY-24;2;1;50.0;0;0.0;1;50.0",
            "Operator;INSIDE operator;1;1;100.0;0;0.0;0;0.0",
            "Operator;Second operator;1;0;0.0;0;0.0;1;100.0",
            "Region;INSIDE authority;2;1;50.0;0;0.0;1;50.0",
        ]
    else:
        assert lines[1:] == [
            "All;SURVEY-24;1;1;100.0;0;0.0;0;0.0",
            "Operator;INSIDE operator;1;1;100.0;0;0.0;0;0.0",
            "Region;INSIDE authority;1;1;100.0;0;0.0;0;0.0",
        ]


def test_the_outside_campaign_is_not_found(world, role_users):
    outside = CampaignFactory(programme=ProgrammeFactory(authority=world.other_authority), code="OUTSIDE-X")
    CampaignSchoolFactory(campaign=outside, school=world.other_school)
    for role in Role:
        if role == Role.ADMINISTRATOR:
            continue
        client = client_for(role_users[role])
        assert client.get(reverse("connectivity:campaign-detail", args=[outside.pk])).status_code == 404
        assert "OUTSIDE" not in client.get(reverse("connectivity:campaign-list")).content.decode()
