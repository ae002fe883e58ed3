"""The connectivity API: what each role reads from each collection, objects outside the scope not
found, the filters, and that nothing can be written."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.schools.tests.factories import SchoolFactory

from .factories import (
    AnalysisRunFactory,
    BenchmarkFactory,
    CampaignFactory,
    CampaignSchoolFactory,
    DailyAggregateFactory,
    MeasurementFactory,
    ProposalFactory,
    SchoolStatusFactory,
    SpeedTestFactory,
    SurveyResponseFactory,
    UplinkFactory,
)

BASENAMES = [
    "campaign",
    "surveyresponse",
    "speedtest",
    "measurement",
    "dailyaggregate",
    "benchmark",
    "analysisrun",
    "schoolstatus",
    "proposal",
]


@pytest.fixture
def data(world):
    """Per side a campaign with an answer, a test, a measurement, a summary and an analysis; inside
    also a second school of the same operator, which the school coordinator does not see."""
    from digileap.programmes.tests.factories import ProgrammeFactory

    made = {}
    neighbour = SchoolFactory(operator=world.operator, name="Neighbour school")
    for side, authority, schools in (
        ("inside", world.authority, [world.school, neighbour]),
        ("outside", world.other_authority, [world.other_school]),
    ):
        programme = ProgrammeFactory(authority=authority)
        campaign = CampaignFactory(programme=programme, code=f"{side}-survey")
        benchmark = BenchmarkFactory(programme=programme)
        run = AnalysisRunFactory(campaign=campaign)
        for number, school in enumerate(schools):
            CampaignSchoolFactory(campaign=campaign, school=school)
            response = SurveyResponseFactory(campaign=campaign, school=school)
            UplinkFactory(response=response, provider=f"{side}-{number}")
            SpeedTestFactory(school=school)
            MeasurementFactory(school=school, measured_at=datetime.datetime(2024, 2, 1, 9, tzinfo=datetime.UTC))
            MeasurementFactory(school=school, measured_at=datetime.datetime(2024, 2, 2, 9, tzinfo=datetime.UTC))
            DailyAggregateFactory(school=school, day=datetime.date(2024, 2, 1))
            DailyAggregateFactory(school=school, day=datetime.date(2024, 2, 2))
            SchoolStatusFactory(run=run, school=school, benchmark=benchmark)
            ProposalFactory(run=run, school=school, rank=number + 1)
        made[side] = {"campaign": campaign, "run": run, "benchmark": benchmark}
    made["neighbour"] = neighbour
    return made


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def listed(client, basename, **query):
    response = client.get(reverse(f"{basename}-list"), query)
    assert response.status_code == 200, response.content
    return response.json()


# Rows each role sees per collection: (campaign, surveyresponse, speedtest, measurement,
# dailyaggregate, benchmark, analysisrun, schoolstatus, proposal).
COUNTS = {
    Role.ADMINISTRATOR: (2, 3, 3, 6, 6, 2, 2, 3, 3),
    Role.PROGRAMME_OWNER: (1, 2, 2, 4, 4, 1, 1, 2, 2),
    Role.FUNDING_ADMINISTRATOR: (1, 2, 2, 4, 4, 1, 1, 2, 2),
    Role.AUDITOR: (1, 2, 2, 4, 4, 1, 1, 2, 2),
    # Benchmarks are the programme's set-up: the school side has no right to them (403).
    Role.OPERATOR_STAFF: (1, 2, 2, 4, 4, 403, 1, 2, 2),
    Role.SCHOOL_COORDINATOR: (1, 1, 1, 2, 2, 403, 1, 1, 1),
}


def count_or_status(client, basename):
    response = client.get(reverse(f"{basename}-list"))
    return response.json()["count"] if response.status_code == 200 else response.status_code


@pytest.mark.parametrize("role", list(COUNTS))
def test_each_role_reads_its_scope(role, data, world, role_users):
    client = client_for(role_users[role])
    counts = tuple(count_or_status(client, basename) for basename in BASENAMES)
    assert counts == COUNTS[role]
    if role != Role.ADMINISTRATOR:
        outside = data["outside"]
        for basename, obj in (
            ("campaign", outside["campaign"]),
            ("analysisrun", outside["run"]),
            ("benchmark", outside["benchmark"]),
            ("surveyresponse", outside["campaign"].responses.get()),
        ):
            expected = 403 if COUNTS[role][BASENAMES.index(basename)] == 403 else 404
            assert client.get(reverse(f"{basename}-detail", kwargs={"pk": obj.pk})).status_code == expected


def test_the_school_coordinator_sees_only_their_school(data, world, role_users):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    for basename in ("surveyresponse", "speedtest", "measurement", "dailyaggregate", "schoolstatus", "proposal"):
        assert {row["school"] for row in listed(client, basename)["results"]} == {world.school.pk}
    neighbour_answer = data["inside"]["campaign"].responses.get(school=data["neighbour"])
    assert client.get(reverse("surveyresponse-detail", kwargs={"pk": neighbour_answer.pk})).status_code == 404


def test_the_supplier_is_refused(data, role_users):
    client = client_for(role_users[Role.SUPPLIER])
    for basename in BASENAMES:
        assert client.get(reverse(f"{basename}-list")).status_code == 403


def test_an_answer_comes_with_its_uplinks(data, world, role_users):
    answer = data["inside"]["campaign"].responses.get(school=world.school)
    body = client_for(role_users[Role.AUDITOR]).get(reverse("surveyresponse-detail", kwargs={"pk": answer.pk})).json()
    assert body["school_number"] == "1001"
    assert (body["state"], body["classrooms"], body["classrooms_wifi"], body["access_points"]) == (
        "submitted",
        20,
        12,
        8,
    )
    assert [
        (uplink["technology"], uplink["provider"], uplink["download_mbps"], uplink["monthly_cost"])
        for uplink in body["uplinks"]
    ] == [("dsl", "inside-0", "100.00", "45.00")]


def test_filters(data, world, role_users):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    campaign = data["inside"]["campaign"]
    assert listed(client, "surveyresponse", campaign=campaign.pk)["count"] == 2
    assert listed(client, "surveyresponse", school=world.school.pk)["count"] == 1
    assert listed(client, "surveyresponse", school=world.other_school.pk)["count"] == 0  # outside: none
    assert listed(client, "measurement", day="2024-02-01")["count"] == 2
    assert listed(client, "measurement", day_from="2024-02-02", school=world.school.pk)["count"] == 1
    assert listed(client, "dailyaggregate", day="2024-02-02")["count"] == 2
    assert listed(client, "dailyaggregate", day_to="2024-02-01", school=world.school.pk)["count"] == 1
    assert listed(client, "schoolstatus", run=data["inside"]["run"].pk, school=world.school.pk)["count"] == 1
    assert [row["rank"] for row in listed(client, "proposal", run=data["inside"]["run"].pk)["results"]] == [1, 2]
    assert listed(client, "analysisrun", campaign=campaign.pk)["count"] == 1
    assert listed(client, "campaign", state="open")["count"] == 1


@pytest.mark.parametrize("basename", BASENAMES)
def test_nothing_is_written(basename, data, role_users):
    client = client_for(role_users[Role.ADMINISTRATOR])
    assert client.post(reverse(f"{basename}-list"), {}, format="json").status_code == 405
    first = listed(client, basename)["results"][0]
    detail = reverse(f"{basename}-detail", kwargs={"pk": first["id"]})
    assert client.patch(detail, {}, format="json").status_code == 405
    assert client.delete(detail).status_code == 405
