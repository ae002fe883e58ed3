"""The status map: its JSON (exact, per role), the page with its legend and table, the filter and
its errors (docs/connectivity-map.md)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.contributions import reverse_or_none

from ..models import Status
from .factories import AnalysisRunFactory, CampaignFactory, CampaignSchoolFactory, SchoolStatusFactory
from .factories_map import analysed_campaign

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def analysed(world):
    return analysed_campaign(world)


def map_data(user, campaign, **query):
    response = client_for(user).get(reverse("connectivity:campaign-mapdata", args=[campaign.pk]), query)
    assert response.status_code == 200, response.content
    return response.json()


STATUSES = [
    {"key": "meets", "label": "Meets", "colour": "#1a9641"},
    {"key": "moderate", "label": "Moderate", "colour": "#fdae61"},
    {"key": "below", "label": "Below", "colour": "#d7191c"},
    {"key": "insufficient", "label": "Insufficient data", "colour": "#a0aec0"},
]
OPTIONS = [
    {"key": "none", "label": "No uplink change needed"},
    {"key": "upgrade", "label": "Upgrade the contract"},
    {"key": "fibre", "label": "Connect to fibre"},
]
COLUMNS = [
    "id",
    "number",
    "name",
    "latitude",
    "longitude",
    "status",
    "measured",
    "required",
    "tests",
    "days",
    "option",
    "gap",
    "classrooms_without_wifi",
    "total",
]


def test_map_data_is_exact_for_the_programme_owner(analysed, role_users):
    first, second, _third = analysed.schools
    data = map_data(role_users[Role.PROGRAMME_OWNER], analysed.campaign)
    texts = data.pop("texts")
    assert texts["measured"] == "Measured download"
    # The links of the parts whose pages exist (the school's page always does).
    links = data["links"]
    assert links["school"] == {"label": "School", "url": "/schools/{id}/"}
    measurements = reverse_or_none("connectivity:school-measurements", kwargs={"pk": 987654321})
    if measurements:
        assert links["measurements"]["url"] == measurements.replace("987654321", "{id}")
    assert data == {
        "campaign": {"id": analysed.campaign.pk, "code": "LV-2024", "name": "Latvia 2024"},
        "map": {
            "boundaries": "/static/vendor/boundaries/europe-50m.geojson",
            "tile_url": "",
            "tile_attribution": "",
            "country": "428",
        },
        "run": {"id": analysed.run.pk, "as_of": "2024-04-02"},
        "benchmark": {"id": analysed.gigabit.pk, "code": "gigabit", "name": "Gigabit", "kind": "absolute"},
        "columns": COLUMNS,
        "statuses": STATUSES,
        "options": OPTIONS,
        "schools": [
            [first.pk, "1001", "INSIDE school", 56.946, 24.105, 2, 90.25, 1000, 12, 4, 2, 950, 8, 44200],
            [second.pk, "1002", "Second school", 57.1, 24.3, 0, 1200, 1000, 12, 4, 0, 0, 2, 1800],
        ],
        "unplaced": 1,
        "links": links,
        "summary": "2 schools on the map. 1 school has no position and is not shown; the table lists it.",
    }


def test_map_data_for_another_benchmark_status_and_operator(analysed, role_users):
    first, second, _third = analysed.schools
    owner = role_users[Role.PROGRAMME_OWNER]
    data = map_data(owner, analysed.campaign, benchmark=analysed.contracted.pk)
    assert data["benchmark"]["code"] == "contracted"
    assert [(row[1], row[5], row[7]) for row in data["schools"]] == [("1001", 0, 80), ("1002", 2, 1600)]
    data = map_data(owner, analysed.campaign, status="meets")
    assert [row[1] for row in data["schools"]] == ["1002"]
    data = map_data(owner, analysed.campaign, operator=analysed.other_operator.pk)
    assert (data["schools"], data["unplaced"]) == ([], 1)


def test_a_coordinator_sees_only_their_school(analysed, role_users):
    data = map_data(role_users[Role.SCHOOL_COORDINATOR], analysed.campaign)
    assert [row[1] for row in data["schools"]] == ["1001"]
    assert data["unplaced"] == 0


def test_operator_staff_see_their_operators_schools(analysed, role_users):
    data = map_data(role_users[Role.OPERATOR_STAFF], analysed.campaign)
    assert [row[1] for row in data["schools"]] == ["1001", "1002"]
    assert data["unplaced"] == 0  # the other operator's school is not theirs


def test_the_latest_run_counts_even_if_an_older_one_has_a_larger_id(analysed, role_users):
    AnalysisRunFactory(campaign=analysed.campaign, computed_at=analysed.old_run.computed_at)
    data = map_data(role_users[Role.PROGRAMME_OWNER], analysed.campaign)
    assert data["run"]["id"] == analysed.run.pk


@pytest.mark.parametrize(
    ("query", "field"),
    [({"benchmark": "999999"}, "benchmark"), ({"status": "great"}, "status"), ({"operator": "x"}, "operator")],
)
def test_a_bad_filter_is_a_400_naming_the_field(analysed, role_users, query, field):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.get(reverse("connectivity:campaign-mapdata", args=[analysed.campaign.pk]), query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    page = client.get(reverse("connectivity:campaign-map", args=[analysed.campaign.pk]), query)
    assert page.status_code == 400
    assert f'id="id_{field}"' in page.content.decode()
    assert 'data-testid="schools"' not in page.content.decode()


def test_an_unchanged_answer_is_not_sent_twice(analysed, role_users):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("connectivity:campaign-mapdata", args=[analysed.campaign.pk])
    first = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, {"status": "meets"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_map_data_is_compressed_for_browsers_that_ask(analysed, role_users):
    import gzip
    import json

    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("connectivity:campaign-mapdata", args=[analysed.campaign.pk])
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content)) == plain.json()


def test_a_campaign_without_a_run(world, role_users):
    campaign = CampaignFactory(programme__authority=world.authority)
    CampaignSchoolFactory(campaign=campaign, school=world.school)
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    data = client.get(reverse("connectivity:campaign-mapdata", args=[campaign.pk])).json()
    assert (data["run"], data["schools"], data["summary"]) == (
        None,
        [],
        "No analysis has been run for this campaign yet.",
    )
    page = client.get(reverse("connectivity:campaign-map", args=[campaign.pk]))
    assert page.status_code == 200
    assert 'data-testid="no-run"' in page.content.decode()


def test_the_map_page_for_the_programme_owner(analysed, role_users):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).get(
        reverse("connectivity:campaign-map", args=[analysed.campaign.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    # The map, then the legend in words with counts, then the table.
    assert (
        html.index("data-connectivity-map") < html.index('data-testid="legend"') < html.index('data-testid="schools"')
    )
    legend = [(item["key"], item["count"]) for item in response.context["legend"]]
    assert legend == [("meets", 1), ("moderate", 0), ("below", 1), ("insufficient", 1)]
    assert "Insufficient data</strong>: 1 school" in html
    numbers = [row.status.school.number for row, _links in response.context["rows"]]
    assert numbers == ["1001", "1002", "1003"]
    assert "44,200.00" in html
    assert f'href="/schools/{analysed.schools[0].pk}/"' in html
    assert "style=" not in html.split("<main", 1)[1]
    assert f'data-url="/connectivity/campaigns/{analysed.campaign.pk}/map.json"' in html


def test_the_map_page_in_german_formats_numbers(analysed, role_users):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    with translation.override("de"):
        response = client.get(
            reverse("connectivity:campaign-map", args=[analysed.campaign.pk]), HTTP_ACCEPT_LANGUAGE="de"
        )
    html = response.content.decode()
    assert "44.200,00" in html
    assert "90,3" in html  # 90.25 Mbit/s to one decimal, rounded half up


def test_the_table_passes_the_filter_on_to_the_map(analysed, role_users):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).get(
        reverse("connectivity:campaign-map", args=[analysed.campaign.pk]), {"status": "insufficient"}
    )
    html = response.content.decode()
    assert [row.status.school.number for row, _links in response.context["rows"]] == ["1003"]
    assert f'data-url="/connectivity/campaigns/{analysed.campaign.pk}/map.json?status=insufficient"' in html
    assert "No proposal" in html


@pytest.mark.parametrize(
    ("role", "status", "numbers"),
    [
        (Role.ADMINISTRATOR, 200, ["1001", "1002", "1003"]),
        (Role.PROGRAMME_OWNER, 200, ["1001", "1002", "1003"]),
        (Role.FUNDING_ADMINISTRATOR, 200, ["1001", "1002", "1003"]),
        (Role.AUDITOR, 200, ["1001", "1002", "1003"]),
        (Role.OPERATOR_STAFF, 200, ["1001", "1002"]),
        (Role.SCHOOL_COORDINATOR, 200, ["1001"]),
        (Role.SUPPLIER, 404, None),
    ],
)
def test_the_map_page_per_role(analysed, role_users, role, status, numbers):
    client = client_for(role_users[role])
    response = client.get(reverse("connectivity:campaign-map", args=[analysed.campaign.pk]))
    assert response.status_code == status
    data = client.get(reverse("connectivity:campaign-mapdata", args=[analysed.campaign.pk]))
    assert data.status_code == status
    if numbers is not None:
        assert [row.status.school.number for row, _links in response.context["rows"]] == numbers
        placed = [number for number in numbers if number != "1003"]
        assert [row[1] for row in data.json()["schools"]] == placed


def test_another_authoritys_campaign_is_a_404(analysed, world):
    outsider = user_with_role(Role.PROGRAMME_OWNER, world.other_authority)
    client = client_for(outsider)
    for name in ("campaign-map", "campaign-mapdata", "campaign-charts"):
        assert client.get(reverse(f"connectivity:{name}", args=[analysed.campaign.pk])).status_code == 404


def test_signing_in_is_required(analysed):
    response = Client().get(reverse("connectivity:campaign-mapdata", args=[analysed.campaign.pk]))
    assert response.status_code == 302


def test_the_table_is_paged(analysed, role_users):
    from digileap.schools.tests.factories import SchoolFactory

    for index in range(55):
        school = SchoolFactory(operator=analysed.schools[0].operator, number=f"2{index:03d}")
        SchoolStatusFactory(run=analysed.run, school=school, benchmark=analysed.gigabit, status=Status.BELOW)
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("connectivity:campaign-map", args=[analysed.campaign.pk])
    first = client.get(url)
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.num_pages == 2
    last = client.get(url, {"page": 2})
    assert [row.status.school.number for row, _links in last.context["rows"]] == [f"2{n:03d}" for n in range(47, 55)]
    assert "Rows 51–58 of 58" in last.content.decode()


def test_the_css_colours_are_the_jsons(analysed):
    from pathlib import Path

    from ..selectors.map import STATUS_COLOURS

    css = (Path(__file__).parents[1] / "static" / "connectivity" / "map.css").read_text()
    for status, colour in STATUS_COLOURS.items():
        assert f".connectivity-swatch--{status} {{ background: {colour}; }}" in css
