"""``response_save`` and ``survey_prefill``: exact stored values, every bad input named at its field
with nothing written, the roles and scopes, the audit trail, and the prefill from the devices app."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.devices.models import DeviceType
from digileap.schools.tests.factories import SchoolFactory, SiteFactory

from ..models import Campaign, Problem, SurveyResponse, Uplink
from ..services.survey import response_save, survey_prefill
from .factories import CampaignFactory, SurveyResponseFactory, UplinkFactory
from .factories_survey import install_access_point, open_campaign

DATA = {
    "classrooms": 24,
    "classrooms_wifi": 10,
    "access_points": 6,
    "switches": 3,
    "switch_age_years": 9,
    "cabling": "cat5",
    "fibre_distance_km": Decimal("2.5"),
    "problems": ["outages", "slow_at_peak"],
    "problems_text": "The hall has no signal.",
}
FIBRE = {
    "technology": "fibre",
    "provider": "Tet",
    "download_mbps": Decimal("300"),
    "upload_mbps": Decimal("100"),
    "monthly_cost": Decimal("89.90"),
    "contract_start": datetime.date(2024, 1, 1),
    "contract_end": datetime.date(2026, 12, 31),
}
MOBILE = {"technology": "mobile", "provider": "LMT", "download_mbps": "50", "upload_mbps": "10.5"}


@pytest.fixture
def campaign(world):
    return open_campaign(world.school, authority=world.authority)


@pytest.fixture
def coordinator(role_users):
    return role_users[Role.SCHOOL_COORDINATOR]


def rows() -> tuple[int, int, int]:
    return SurveyResponse.objects.count(), Uplink.objects.count(), AuditEvent.objects.count()


def save(actor, campaign, school, **kwargs):
    kwargs.setdefault("data", DATA)
    kwargs.setdefault("uplinks", [FIBRE, MOBILE])
    return response_save(actor=actor, campaign=campaign, school=school, **kwargs)


def test_a_draft_stores_exactly_what_was_given(campaign, world, coordinator):
    response = save(coordinator, campaign, world.school)
    response.refresh_from_db()
    assert response.state == "draft"
    assert response.site_id is None
    assert response.submitted_at is None and response.submitted_by is None
    assert (response.classrooms, response.classrooms_wifi, response.access_points) == (24, 10, 6)
    assert (response.switches, response.switch_age_years, response.cabling) == (3, 9, "cat5")
    assert response.fibre_distance_km == Decimal("2.50")
    # Stored in the order of the choices, whatever the order ticked.
    assert response.problems == ["slow_at_peak", "outages"]
    assert response.problems_text == "The hall has no signal."
    uplinks = list(response.uplinks.order_by("id").values(*FIBRE))
    assert uplinks == [
        {
            "technology": "fibre",
            "provider": "Tet",
            "download_mbps": Decimal("300.00"),
            "upload_mbps": Decimal("100.00"),
            "monthly_cost": Decimal("89.90"),
            "contract_start": datetime.date(2024, 1, 1),
            "contract_end": datetime.date(2026, 12, 31),
        },
        {
            "technology": "mobile",
            "provider": "LMT",
            "download_mbps": Decimal("50.00"),
            "upload_mbps": Decimal("10.50"),
            "monthly_cost": None,
            "contract_start": None,
            "contract_end": None,
        },
    ]
    events = list(AuditEvent.objects.order_by("id").values_list("action", "object_type"))
    assert events == [
        ("create", "connectivity.surveyresponse"),
        ("create", "connectivity.uplink"),
        ("create", "connectivity.uplink"),
    ]


def test_submit_then_correct_keeps_the_uplink_rows_and_audits_only_changes(campaign, world, coordinator):
    response = save(coordinator, campaign, world.school, submit=True)
    assert response.state == "submitted"
    assert response.submitted_by == coordinator and response.submitted_at is not None
    first_id = response.uplinks.order_by("id").first().pk
    before = AuditEvent.objects.count()

    corrected = save(
        coordinator,
        campaign,
        world.school,
        data={**DATA, "classrooms_wifi": 12},
        uplinks=[{**FIBRE, "download_mbps": "500"}],
    )

    assert corrected.pk == response.pk
    assert corrected.state == "submitted"  # a correction never takes the answer back to a draft
    assert SurveyResponse.objects.count() == 1
    assert list(corrected.uplinks.values_list("pk", "download_mbps")) == [(first_id, Decimal("500.00"))]
    events = list(AuditEvent.objects.filter(pk__gt=0).order_by("id")[before:].values("action", "object_type", "after"))
    assert events == [
        {"action": "update", "object_type": "connectivity.surveyresponse", "after": {"classrooms_wifi": 12}},
        {"action": "update", "object_type": "connectivity.uplink", "after": {"download_mbps": "500.00"}},
        {"action": "delete", "object_type": "connectivity.uplink", "after": None},
    ]


def test_a_site_has_its_own_answer(campaign, world, coordinator):
    first, second = SiteFactory(school=world.school), SiteFactory(school=world.school)
    whole = save(coordinator, campaign, world.school)
    on_first = save(coordinator, campaign, world.school, site=first)
    on_second = save(coordinator, campaign, world.school, site=second, uplinks=[MOBILE])
    assert len({whole.pk, on_first.pk, on_second.pk}) == 3
    assert (on_first.site, on_second.site, whole.site) == (first, second, None)
    assert on_second.uplinks.count() == 1


BAD_INPUTS = [
    ({"classrooms_wifi": 30}, [], "classrooms_wifi", "More classrooms with Wi-Fi (30) than classrooms (24)."),
    ({"classrooms": -1}, [], "classrooms", "Enter 0 or more."),
    ({"classrooms": "many"}, [], "classrooms", "Enter a whole number."),
    ({"classrooms": None}, [], "classrooms", "This field is required."),
    ({"problems": ["outages", "pigeons"]}, [], "problems", "Unknown problem: pigeons."),
    ({"cabling": "copper"}, [], "cabling", "copper is not one of the choices."),
    ({"fibre_distance_km": "-2"}, [], "fibre_distance_km", "Enter 0 or more."),
    ({"switch_age_years": 150}, [], "switch_age_years", "Enter at most 100."),
    ({"colour": "blue"}, [], "__all__", "These fields cannot be set here: colour"),
    (
        {},
        [{**FIBRE, "download_mbps": "-5"}],
        "uplinks-0-download_mbps",
        "Enter 0 or more.",
    ),
    (
        {},
        [MOBILE, {**FIBRE, "upload_mbps": "100001"}],
        "uplinks-1-upload_mbps",
        "At most 100000 Mbit/s: a higher figure is a typing or unit error.",
    ),
    ({}, [{**FIBRE, "download_mbps": "fast"}], "uplinks-0-download_mbps", "Enter a number."),
    ({}, [{**FIBRE, "technology": "pigeon"}], "uplinks-0-technology", "pigeon is not one of the choices."),
    ({}, [{**FIBRE, "technology": ""}], "uplinks-0-technology", "This field is required."),
    (
        {},
        [{**FIBRE, "contract_start": datetime.date(2025, 1, 1), "contract_end": datetime.date(2024, 12, 31)}],
        "uplinks-0-contract_end",
        "The contract ends (2024-12-31) before it starts (2025-01-01).",
    ),
    ({}, [{**FIBRE, "contract_end": "31.12.2024"}], "uplinks-0-contract_end", "Enter a date as YYYY-MM-DD."),
    ({}, [{**FIBRE, "monthly_cost": "-1"}], "uplinks-0-monthly_cost", "Enter 0 or more."),
]


@pytest.mark.parametrize(("data", "uplinks", "field", "message"), BAD_INPUTS)
def test_bad_input_is_named_at_its_field_and_nothing_is_written(
    campaign, world, coordinator, data, uplinks, field, message
):
    before = rows()
    with pytest.raises(ValidationError) as error:
        save(coordinator, campaign, world.school, data={**DATA, **data}, uplinks=uplinks or [FIBRE])
    assert error.value.message_dict == {field: [message]}
    assert rows() == before


@pytest.mark.parametrize(("data", "uplinks", "field", "message"), BAD_INPUTS[:3] + BAD_INPUTS[9:11])
def test_bad_input_on_an_answer_changes_nothing(campaign, world, coordinator, data, uplinks, field, message):
    response = save(coordinator, campaign, world.school, submit=True)
    stored = list(Uplink.objects.order_by("id").values())
    before = rows()
    with pytest.raises(ValidationError) as error:
        save(coordinator, campaign, world.school, data={**DATA, **data}, uplinks=uplinks or [FIBRE])
    assert error.value.message_dict == {field: [message]}
    assert rows() == before
    response.refresh_from_db()
    assert (response.classrooms, response.classrooms_wifi) == (24, 10)
    assert list(Uplink.objects.order_by("id").values()) == stored


def test_a_submitted_answer_needs_an_uplink(campaign, world, coordinator):
    with pytest.raises(ValidationError) as error:
        save(coordinator, campaign, world.school, uplinks=[], submit=True)
    assert error.value.message_dict == {"uplinks": ["A submitted answer needs at least one uplink."]}
    assert rows() == (0, 0, 0)
    # A draft may have none yet; once submitted, a correction may not remove them all.
    save(coordinator, campaign, world.school, uplinks=[])
    save(coordinator, campaign, world.school, uplinks=[MOBILE], submit=True)
    before = rows()
    with pytest.raises(ValidationError) as error:
        save(coordinator, campaign, world.school, uplinks=[])
    assert error.value.message_dict == {"uplinks": ["A submitted answer needs at least one uplink."]}
    assert rows() == before


def test_every_error_is_given_at_once(campaign, world, coordinator):
    with pytest.raises(ValidationError) as error:
        save(
            coordinator,
            campaign,
            world.school,
            data={**DATA, "classrooms_wifi": 25, "problems": ["x"]},
            uplinks=[{**FIBRE, "download_mbps": "200000"}],
        )
    assert sorted(error.value.message_dict) == ["classrooms_wifi", "problems", "uplinks-0-download_mbps"]


def test_closed_draft_or_finished_campaigns_take_no_answers(campaign, world, coordinator):
    for state in (Campaign.State.DRAFT, Campaign.State.CLOSED):
        Campaign.objects.filter(pk=campaign.pk).update(state=state)
        campaign.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            save(coordinator, campaign, world.school)
        assert error.value.message_dict == {"__all__": ["The campaign SURVEY-2026 does not accept answers now."]}
    assert rows() == (0, 0, 0)


def test_a_school_the_campaign_does_not_cover_and_a_foreign_site_are_refused(campaign, world, coordinator):
    owner = user_with_role(Role.PROGRAMME_OWNER, world.authority)
    uncovered = SchoolFactory(operator=world.operator)
    with pytest.raises(ValidationError) as error:
        save(owner, campaign, uncovered)
    assert error.value.message_dict == {"school": ["The campaign SURVEY-2026 does not cover this school."]}
    foreign = SiteFactory(school=uncovered, name="Annex")
    with pytest.raises(ValidationError) as error:
        save(coordinator, campaign, world.school, site=foreign)
    assert error.value.message_dict == {"site": ["The site Annex is not one of this school's sites."]}
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize("role", [Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF, Role.PROGRAMME_OWNER])
def test_the_answering_roles_may_save(role, campaign, world, role_users):
    response = save(role_users[role], campaign, world.school, submit=True)
    assert response.submitted_by == role_users[role]


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.AUDITOR, Role.FUNDING_ADMINISTRATOR])
def test_the_other_roles_may_not(role, campaign, world, role_users):
    with pytest.raises(PermissionDenied):
        save(role_users[role], campaign, world.school)
    assert rows() == (0, 0, 0)


def test_nobody_answers_outside_the_scope(world, role_users):
    outside = open_campaign(world.other_school, authority=world.other_authority, code="OUT")
    for role in (Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF, Role.PROGRAMME_OWNER):
        with pytest.raises(PermissionDenied):
            save(role_users[role], outside, world.other_school)
    # A coordinator of one school does not answer for another school of the same operator.
    neighbour = SchoolFactory(operator=world.operator)
    campaign = open_campaign(neighbour, authority=world.authority, code="NEIGHBOUR")
    with pytest.raises(PermissionDenied):
        save(role_users[Role.SCHOOL_COORDINATOR], campaign, neighbour)
    assert rows() == (0, 0, 0)
    # Nor corrects another school's answer.
    answer = SurveyResponseFactory(campaign=campaign, school=neighbour)
    with pytest.raises(PermissionDenied):
        save(role_users[Role.SCHOOL_COORDINATOR], campaign, neighbour)
    answer.refresh_from_db()
    assert answer.classrooms == 20


# Prefill.


def test_prefill_counts_the_verified_access_points_installed_there(world):
    hall, annex = SiteFactory(school=world.school), SiteFactory(school=world.school)
    install_access_point(school=world.school, site=hall)
    install_access_point(school=world.school, site=hall)
    install_access_point(school=world.school, site=annex)
    install_access_point(school=world.school, site=annex, verified=False)  # not verified: not counted
    install_access_point(school=world.school, device_type=DeviceType.LAPTOP)  # not an access point
    install_access_point(school=world.other_school)
    whole = survey_prefill(school=world.school)
    assert whole == {"data": {"access_points": 3}, "uplinks": [], "access_points_installed": 3, "previous": None}
    assert survey_prefill(school=world.school, site=hall)["access_points_installed"] == 2
    assert survey_prefill(school=world.school, site=annex)["data"] == {"access_points": 1}
    assert survey_prefill(school=world.other_school)["access_points_installed"] == 1


def test_prefill_takes_the_previous_campaigns_answer(world, campaign):
    earlier = CampaignFactory(programme=campaign.programme, code="SURVEY-2024", starts_on=datetime.date(2024, 1, 15))
    previous = SurveyResponseFactory(
        campaign=earlier,
        school=world.school,
        classrooms=18,
        classrooms_wifi=9,
        access_points=2,
        problems=["outages"],
        problems_text="Storms",
        cabling="cat6",
    )
    UplinkFactory(response=previous, technology="dsl", provider="Old", download_mbps=Decimal("30"))
    SurveyResponseFactory(
        campaign=earlier, school=world.school, state="draft", submitted_at=None, site=SiteFactory(school=world.school)
    )
    install_access_point(school=world.school)
    install_access_point(school=world.school)
    install_access_point(school=world.school)

    prefill = survey_prefill(school=world.school, campaign=campaign)

    assert prefill["previous"] == previous
    assert prefill["access_points_installed"] == 3
    assert prefill["data"] == {
        "classrooms": 18,
        "classrooms_wifi": 9,
        "access_points": 3,  # the programme installed more than the last answer counted
        "switches": 2,
        "switch_age_years": 6,
        "cabling": "cat6",
        "fibre_distance_km": None,
        "problems": ["outages"],
        "problems_text": "Storms",
    }
    assert prefill["uplinks"] == [
        {
            "technology": "dsl",
            "provider": "Old",
            "download_mbps": Decimal("30.00"),
            "upload_mbps": Decimal("20.00"),
            "monthly_cost": Decimal("45.00"),
            "contract_start": None,
            "contract_end": None,
        }
    ]
    # The answer to the campaign itself is not "previous".
    assert survey_prefill(school=world.school, campaign=earlier)["previous"] is None
    # The prefilled values are a valid answer as they stand.
    saved = response_save(
        actor=user_with_role(Role.SCHOOL_COORDINATOR, world.school),
        campaign=campaign,
        school=world.school,
        data=prefill["data"],
        uplinks=prefill["uplinks"],
        submit=True,
    )
    assert saved.uplinks.get().download_mbps == Decimal("30.00")


def test_problem_choices_are_the_models(campaign, world, coordinator):
    response = save(coordinator, campaign, world.school, data={**DATA, "problems": list(reversed(Problem.values))})
    assert response.problems == Problem.values
