"""Campaign services and selectors: create, edit, schools, states, answers accepted, progress."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.models import School
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import Campaign, CampaignSchool, SurveyResponse
from ..selectors.campaigns import (
    campaign_progress,
    campaigns_for,
    covered_schools,
    programmes_for_campaigns,
    response_rates,
)
from ..services.campaigns import (
    campaign_accepts_answers,
    campaign_close,
    campaign_create,
    campaign_open,
    campaign_set_schools,
    campaign_update,
    clean_reminder_days,
)
from .factories import CampaignFactory, CampaignSchoolFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db

DATA = {
    "code": "LV-2024",
    "name": {"en": "Connectivity 2024", "lv": "Savienojamība 2024"},
    "description": {"en": "Spring survey"},
    "starts_on": datetime.date(2024, 3, 1),
    "ends_on": datetime.date(2024, 4, 30),
    "reminder_days": "7, 14, 1, 7",
}


@pytest.fixture
def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="LV-CONN", authority=world.authority)


def test_create_covers_the_open_schools_of_the_authority(world, owner, programme):
    SchoolFactory(operator=world.operator, name="Closed school", status=School.Status.CLOSED)
    second = SchoolFactory(operator=world.operator, name="Second school")
    campaign = campaign_create(actor=owner, programme=programme, data=DATA)
    assert campaign.state == Campaign.State.DRAFT
    assert campaign.reminder_days == [14, 7, 1]
    assert campaign.created_by == owner
    assert sorted(campaign.campaign_schools.values_list("school_id", flat=True)) == sorted([world.school.pk, second.pk])
    assert AuditEvent.objects.filter(object_id=str(campaign.pk)).count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"ends_on": datetime.date(2024, 2, 1)},
            "ends_on",
            "The last day comes on or after the first day.",
        ),
        ({"name": {}}, "name", "Give the campaign a name in at least one language."),
        ({"code": "  "}, "code", "Give the campaign a code."),
        (
            {"reminder_days": "7, x"},
            "reminder_days",
            "x is not a whole number of days; give e.g. 14, 7, 1.",
        ),
        (
            {"reminder_days": [400]},
            "reminder_days",
            "A reminder day must be from 0 to 365 days before the last day, not 400.",
        ),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(owner, programme, change, field, message):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        campaign_create(actor=owner, programme=programme, data={**DATA, **change})
    assert raised.value.message_dict[field] == [message]
    assert Campaign.objects.count() == 0
    assert CampaignSchool.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_duplicate_code_is_a_field_error(owner, programme):
    campaign_create(actor=owner, programme=programme, data=DATA)
    with pytest.raises(ValidationError) as raised:
        campaign_create(actor=owner, programme=programme, data={**DATA, "code": "lv-2024"})
    assert raised.value.message_dict == {"code": ["The programme already has a campaign with the code lv-2024."]}
    assert Campaign.objects.count() == 1
    # Another programme may use the code.
    other = ProgrammeFactory(code="OTHER", authority=programme.authority)
    assert campaign_create(actor=owner, programme=other, data=DATA).code == "LV-2024"


def test_only_the_programme_owner_of_the_authority_creates(world, role_users, programme):
    outside = ProgrammeFactory(code="OUT", authority=world.other_authority)
    with pytest.raises(PermissionDenied):
        campaign_create(actor=role_users[Role.PROGRAMME_OWNER], programme=outside, data=DATA)
    for role in (Role.AUDITOR, Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR):
        with pytest.raises(PermissionDenied):
            campaign_create(actor=role_users[role], programme=programme, data=DATA)
    assert Campaign.objects.count() == 0


def test_update_changes_and_audits_and_refuses_bad_input(owner, programme):
    campaign = campaign_create(actor=owner, programme=programme, data=DATA)
    campaign_update(actor=owner, campaign=campaign, data={"name": {"en": "Renamed"}, "reminder_days": [3]})
    campaign.refresh_from_db()
    assert campaign.name == {"en": "Renamed"}
    assert campaign.reminder_days == [3]
    with pytest.raises(ValidationError) as raised:
        campaign_update(actor=owner, campaign=campaign, data={"starts_on": datetime.date(2024, 5, 1)})
    assert raised.value.message_dict == {"ends_on": ["The last day comes on or after the first day."]}
    campaign.refresh_from_db()
    assert campaign.starts_on == datetime.date(2024, 3, 1)


def test_a_closed_campaign_is_not_edited(owner, programme):
    campaign = CampaignFactory(programme=programme, state=Campaign.State.CLOSED)
    with pytest.raises(ValidationError) as raised:
        campaign_update(actor=owner, campaign=campaign, data={"code": "NEW"})
    assert raised.value.messages == ["The campaign is closed: reopen it to change it."]
    with pytest.raises(ValidationError):
        campaign_set_schools(actor=owner, campaign=campaign, schools=[])


def test_set_schools_adds_removes_and_keeps_answered(world, owner, programme):
    campaign = CampaignFactory(programme=programme, state=Campaign.State.DRAFT)
    other = SchoolFactory(operator=world.operator, name="Other school")
    third = SchoolFactory(operator=world.operator, name="Third school")
    assert campaign_set_schools(actor=owner, campaign=campaign, schools=[world.school, other, third]) == 3
    SurveyResponseFactory(campaign=campaign, school=other, state=SurveyResponse.State.DRAFT, submitted_at=None)
    with pytest.raises(ValidationError) as raised:
        campaign_set_schools(actor=owner, campaign=campaign, schools=[world.school])
    assert raised.value.message_dict == {
        "schools": ["These schools have answered and stay in the campaign: Other school"]
    }
    assert campaign.campaign_schools.count() == 3
    assert campaign_set_schools(actor=owner, campaign=campaign, schools=[other]) == 1
    assert list(campaign.campaign_schools.values_list("school_id", flat=True)) == [other.pk]
    with pytest.raises(ValidationError) as raised:
        campaign_set_schools(actor=owner, campaign=campaign, schools=[other, world.other_school])
    assert raised.value.message_dict == {
        "schools": ["These schools are not of the programme's authority: OUTSIDE school"]
    }


def test_state_transitions(world, owner, programme):
    campaign = CampaignFactory(programme=programme, state=Campaign.State.DRAFT)
    with pytest.raises(ValidationError) as raised:
        campaign_open(actor=owner, campaign=campaign)
    assert raised.value.message_dict == {"schools": ["The campaign covers no school: choose its schools first."]}
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT
    CampaignSchoolFactory(campaign=campaign, school=world.school)
    with pytest.raises(ValidationError) as raised:
        campaign_close(actor=owner, campaign=campaign)
    assert raised.value.message_dict == {"state": ["Only an open campaign can be closed."]}
    assert campaign_open(actor=owner, campaign=campaign).state == Campaign.State.OPEN
    with pytest.raises(ValidationError) as raised:
        campaign_open(actor=owner, campaign=campaign)
    assert raised.value.message_dict == {"state": ["The campaign is open already."]}
    assert campaign_close(actor=owner, campaign=campaign).state == Campaign.State.CLOSED
    assert campaign_open(actor=owner, campaign=campaign).state == Campaign.State.OPEN
    events = AuditEvent.objects.filter(object_id=str(campaign.pk), action="update")
    assert [event.after for event in events.order_by("pk")] == [
        {"state": "open"},
        {"state": "closed"},
        {"state": "open"},
    ]


def test_the_auditor_and_the_school_side_cannot_change_states(world, role_users, programme):
    campaign = CampaignFactory(programme=programme, state=Campaign.State.OPEN)
    CampaignSchoolFactory(campaign=campaign, school=world.school)
    for role in (Role.AUDITOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.FUNDING_ADMINISTRATOR):
        with pytest.raises(PermissionDenied):
            campaign_close(actor=role_users[role], campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.OPEN


def test_answers_are_accepted_only_while_open_from_the_first_day(programme):
    campaign = CampaignFactory(
        programme=programme, starts_on=datetime.date(2024, 3, 1), ends_on=datetime.date(2024, 3, 31)
    )
    assert campaign_accepts_answers(campaign, datetime.date(2024, 2, 29)) is False
    assert campaign_accepts_answers(campaign, datetime.date(2024, 3, 1)) is True
    assert campaign_accepts_answers(campaign, datetime.date(2024, 4, 15)) is True  # late, still open
    campaign.state = Campaign.State.CLOSED
    assert campaign_accepts_answers(campaign, datetime.date(2024, 3, 15)) is False
    campaign.state = Campaign.State.DRAFT
    assert campaign_accepts_answers(campaign, datetime.date(2024, 3, 15)) is False


def test_clean_reminder_days():
    assert clean_reminder_days("14; 7,1 , 7") == [14, 7, 1]
    assert clean_reminder_days("") == []
    assert clean_reminder_days([0, "3"]) == [3, 0]
    with pytest.raises(ValidationError):
        clean_reminder_days("-1")


@pytest.fixture
def progress_world(world, programme):
    """Two operators in a region, one without a region (the authority's name stands in):
    A (Vidzeme): 3 schools: submitted, draft, none; B (Vidzeme): 1 school submitted (a draft site
    answer as well); C (no region): 2 schools: none, none."""
    world.operator.region = "Vidzeme"
    world.operator.name = "A operator"
    world.operator.save()
    b = OperatorFactory(authority=world.authority, name="B operator", region="Vidzeme")
    c = OperatorFactory(authority=world.authority, name="C operator", region="")
    campaign = CampaignFactory(programme=programme)
    schools = {
        "a1": world.school,
        "a2": SchoolFactory(operator=world.operator, name="A2"),
        "a3": SchoolFactory(operator=world.operator, name="A3"),
        "b1": SchoolFactory(operator=b, name="B1"),
        "c1": SchoolFactory(operator=c, name="C1"),
        "c2": SchoolFactory(operator=c, name="C2"),
    }
    for school in schools.values():
        CampaignSchoolFactory(campaign=campaign, school=school)
    SurveyResponseFactory(campaign=campaign, school=schools["a1"])
    SurveyResponseFactory(campaign=campaign, school=schools["a2"], state="draft", submitted_at=None)
    SurveyResponseFactory(campaign=campaign, school=schools["b1"])
    from digileap.schools.tests.factories import SiteFactory

    SurveyResponseFactory(
        campaign=campaign,
        school=schools["b1"],
        site=SiteFactory(school=schools["b1"]),
        state="draft",
        submitted_at=None,
    )
    # An answer in another campaign does not count.
    SurveyResponseFactory(campaign=CampaignFactory(programme=programme), school=schools["c1"])
    return campaign, schools, (world.operator, b, c)


def _figures(row):
    return (row.label, row.total, row.submitted, row.draft, row.none, row.submitted_percent, row.none_percent)


def test_progress_per_operator_and_region_is_exact(world, owner, progress_world):
    campaign, _schools, (a, b, c) = progress_world
    progress = campaign_progress(campaign, owner)
    assert _figures(progress.total) == ("", 6, 2, 1, 3, 33.3, 50.0)
    assert [_figures(row) for row in progress.operators] == [
        ("A operator", 3, 1, 1, 1, 33.3, 33.3),
        ("B operator", 1, 1, 0, 0, 100.0, 0.0),
        ("C operator", 2, 0, 0, 2, 0.0, 100.0),
    ]
    assert [row.operator_id for row in progress.operators] == [a.pk, b.pk, c.pk]
    assert [_figures(row) for row in progress.regions] == [
        ("INSIDE authority", 2, 0, 0, 2, 0.0, 100.0),
        ("Vidzeme", 4, 2, 1, 1, 50.0, 25.0),
    ]
    assert response_rates(Campaign.objects.filter(pk=campaign.pk), owner) == {campaign.pk: (6, 2)}


def test_progress_is_scoped_to_the_users_schools(world, role_users, progress_world):
    campaign, schools, _operators = progress_world
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    progress = campaign_progress(campaign, coordinator)
    assert _figures(progress.total) == ("", 1, 1, 0, 0, 100.0, 0.0)
    assert [row.label for row in progress.operators] == ["A operator"]
    staff = role_users[Role.OPERATOR_STAFF]
    assert _figures(campaign_progress(campaign, staff).total) == ("", 3, 1, 1, 1, 33.3, 33.3)
    assert sorted(covered_schools(campaign, staff).values_list("school__name", flat=True)) == [
        "A2",
        "A3",
        "INSIDE school",
    ]
    assert campaign_progress(campaign, role_users[Role.SUPPLIER]).total.total == 0


def test_campaigns_for_each_role(world, role_users, programme):
    inside = CampaignFactory(programme=programme, code="IN")
    CampaignSchoolFactory(campaign=inside, school=world.school)
    uncovered = CampaignFactory(programme=programme, code="UNCOVERED")
    outside = CampaignFactory(programme=ProgrammeFactory(authority=world.other_authority), code="OUT")
    CampaignSchoolFactory(campaign=outside, school=world.other_school)
    expected = {
        Role.ADMINISTRATOR: {"IN", "UNCOVERED", "OUT"},
        Role.PROGRAMME_OWNER: {"IN", "UNCOVERED"},
        Role.FUNDING_ADMINISTRATOR: {"IN", "UNCOVERED"},
        Role.AUDITOR: {"IN", "UNCOVERED"},
        Role.OPERATOR_STAFF: {"IN"},
        Role.SCHOOL_COORDINATOR: {"IN"},
        Role.SUPPLIER: set(),
    }
    for role, codes in expected.items():
        assert set(campaigns_for(role_users[role]).values_list("code", flat=True)) == codes, role
    assert uncovered.pk and list(programmes_for_campaigns(role_users[Role.PROGRAMME_OWNER])) == [programme]
    assert list(programmes_for_campaigns(role_users[Role.AUDITOR])) == []
    owner_elsewhere = user_with_role(Role.PROGRAMME_OWNER, world.other_authority, username="elsewhere")
    assert list(programmes_for_campaigns(owner_elsewhere)) == [outside.programme]
