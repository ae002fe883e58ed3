"""The connectivity charts: the pure figures (exact), their SVG and sentences in the page's
language, and the charts page per role."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from digileap.accounts.models import Role

from ..charts import (
    BandwidthPerPupil,
    ComparedSchool,
    ShareBin,
    TypeSpread,
    bandwidth_per_pupil_by_type,
    bandwidth_summary,
    bandwidth_svg,
    contracted_summary,
    contracted_svg,
    measured_vs_contracted,
)
from .factories_map import analysed_campaign

BANDWIDTH_ROWS = [
    ("Primary", 100.0, 400),
    ("Primary", 50.0, 100),
    ("Primary", 30.0, 100),
    ("Secondary", 20.0, 40),
    ("", 10.0, 10),
    ("Primary", None, 100),
    ("Secondary", 10.0, 0),
    ("Secondary", 10.0, None),
]
CONTRACTED_ROWS = [
    ("1", "A", 90.0, 100.0),
    ("2", "B", 50.0, 100.0),
    ("3", "C", 100.0, 50.0),
    ("4", "D", None, 100.0),
    ("5", "E", 10.0, None),
    ("6", "F", 10.0, 0),
    ("7", "G", 80.0, 100.0),
]


def test_bandwidth_per_pupil_by_type_is_exact():
    assert bandwidth_per_pupil_by_type(BANDWIDTH_ROWS) == BandwidthPerPupil(
        groups=[
            TypeSpread("Primary", 3, 0.25, 0.26, 0.275, 0.3, 0.4, 0.46, 0.5),
            TypeSpread("Secondary", 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5),
            TypeSpread("", 1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
        ],
        left_out=3,
    )


def test_bandwidth_of_nothing():
    result = bandwidth_per_pupil_by_type([])
    assert result == BandwidthPerPupil([], 0)
    assert bandwidth_summary(result) == "No school has both a measured speed and a number of pupils."


def test_measured_vs_contracted_is_exact():
    result = measured_vs_contracted(CONTRACTED_ROWS, 80)
    assert result.schools == [
        ComparedSchool("1", "A", 90.0, 100.0, 90.0),
        ComparedSchool("2", "B", 50.0, 100.0, 50.0),
        ComparedSchool("3", "C", 100.0, 50.0, 200.0),
        ComparedSchool("7", "G", 80.0, 100.0, 80.0),
    ]
    assert result.bins == [
        ShareBin(0, 20, 0, False),
        ShareBin(20, 40, 0, False),
        ShareBin(40, 60, 1, False),
        ShareBin(60, 80, 0, False),
        ShareBin(80, 100, 2, True),
        ShareBin(100, None, 1, True),
    ]
    assert (result.meeting, result.without_contract, result.share_meeting) == (3, 2, 75.0)
    assert contracted_summary(result) == (
        "3 of 4 schools (75.0 %) reach at least 80 % of their contracted download speed."
    )


def test_another_share_moves_the_count_not_the_bins():
    result = measured_vs_contracted(CONTRACTED_ROWS, 85)
    assert result.meeting == 2
    assert [share_bin.reaches_share for share_bin in result.bins] == [False, False, False, False, False, True]
    assert measured_vs_contracted([], 80).share_meeting is None


def test_the_svg_says_every_figure_in_the_pages_language():
    bandwidth = bandwidth_per_pupil_by_type(BANDWIDTH_ROWS)
    compared = measured_vs_contracted(CONTRACTED_ROWS, 80)
    svg = bandwidth_svg(bandwidth, title="Per pupil", element_id="b")
    assert svg.count("<text ") == 3
    assert "Primary (3 schools): median 0.30 Mbit/s per pupil" in svg
    assert "No school type (1 school): median 1.00 Mbit/s per pupil" in svg
    assert '<title id="b-title">Per pupil</title>' in svg
    assert 'aria-labelledby="b-title b-desc"' in svg
    # The box over the middle half: from 0.275 to 0.4 of a scale up to 1.05 (the largest 90th percentile).
    assert '<rect class="connectivity-chart__box" x="26.19%" y="22" width="11.91%"' in svg
    bins = contracted_svg(compared, title="Contract", element_id="c")
    assert "80 to 100 % of the contract: 2 schools" in bins
    assert "100 % or more of the contract: 1 school" in bins
    assert bins.count("connectivity-chart__bar--meets") == 2
    # The bars' lengths: the largest bin (2 schools) is the whole width.
    assert 'connectivity-chart__bar--meets" x="0" y="212" width="100%" height="18"/>' in bins
    assert 'connectivity-chart__bar--meets" x="0" y="260" width="50%" height="18"/>' in bins
    assert 'connectivity-chart__bar--below" x="0" y="116" width="50%" height="18"/>' in bins
    with translation.override("de"):
        german = bandwidth_svg(bandwidth, title="Je Schüler", element_id="b")
        assert "Primary (3 Schulen): Median 0,30 Mbit/s je Schülerin bzw. Schüler" in german
        assert bandwidth_summary(bandwidth).startswith(
            "Primary: Median 0,30 Mbit/s je Schülerin bzw. Schüler über 3 Schulen (mittlere Hälfte von 0,28 bis 0,40)."
        )


def test_texts_in_the_svg_are_escaped():
    svg = bandwidth_svg(bandwidth_per_pupil_by_type([("<b>", 10.0, 10)]), title="<i>", element_id="x")
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert "<i>" not in svg


@pytest.fixture
def analysed(world):
    return analysed_campaign(world)


def charts_page(user, campaign, language="en", **query):
    client = Client()
    client.force_login(user)
    return client.get(reverse("connectivity:campaign-charts", args=[campaign.pk]), query, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.django_db
def test_the_charts_page_for_the_programme_owner(analysed, role_users):
    response = charts_page(role_users[Role.PROGRAMME_OWNER], analysed.campaign)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["bandwidth_summary"] == (
        "Primary: median 6.11 Mbit/s per pupil over 2 schools (middle half from 3.17 to 9.06)."
    )
    assert response.context["compared_summary"] == (
        "1 of 2 schools (50.0 %) reach at least 80 % of their contracted download speed."
    )
    assert [(share_bin.lower, share_bin.schools) for share_bin in response.context["compared"].bins] == [
        (0, 0),
        (20, 0),
        (40, 0),
        (60, 1),
        (80, 1),
        (100, 0),
    ]
    assert 'data-testid="bandwidth"' in html and 'data-testid="contracted"' in html
    assert html.count("<details open>") == 2
    assert "<svg" in html and "style=" not in html.split("<main", 1)[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status", "schools"),
    [
        (Role.ADMINISTRATOR, 200, 2),
        (Role.PROGRAMME_OWNER, 200, 2),
        (Role.FUNDING_ADMINISTRATOR, 200, 2),
        (Role.AUDITOR, 200, 2),
        (Role.OPERATOR_STAFF, 200, 2),
        (Role.SCHOOL_COORDINATOR, 200, 1),
        (Role.SUPPLIER, 404, None),
    ],
)
def test_the_charts_page_per_role(analysed, role_users, role, status, schools):
    response = charts_page(role_users[role], analysed.campaign)
    assert response.status_code == status
    if schools is not None:
        assert len(response.context["compared"].schools) == schools
        assert sum(group.schools for group in response.context["bandwidth"].groups) == schools


@pytest.mark.django_db
def test_a_coordinator_sees_only_their_schools_figures(analysed, role_users):
    response = charts_page(role_users[Role.SCHOOL_COORDINATOR], analysed.campaign)
    assert response.context["bandwidth_summary"] == (
        "Primary: median 0.23 Mbit/s per pupil over 1 school (middle half from 0.23 to 0.23)."
    )
    assert response.context["compared_summary"] == (
        "1 of 1 school (100.0 %) reaches at least 80 % of its contracted download speed."
    )
    assert "Second school" not in response.content.decode()


@pytest.mark.django_db
def test_the_charts_in_german(analysed, role_users):
    response = charts_page(role_users[Role.PROGRAMME_OWNER], analysed.campaign, "de", benchmark=analysed.gigabit.pk)
    html = response.content.decode()
    assert "6,113" in html  # the median per pupil in the table, three decimals


@pytest.mark.django_db
def test_a_bad_benchmark_on_the_charts_page_is_a_400(analysed, role_users):
    response = charts_page(role_users[Role.PROGRAMME_OWNER], analysed.campaign, benchmark="nope")
    assert response.status_code == 400
    assert 'id="id_benchmark"' in response.content.decode()
    assert "<svg" not in response.content.decode().split("<main", 1)[1]
