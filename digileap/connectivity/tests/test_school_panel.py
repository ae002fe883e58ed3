"""The school page's connectivity panel: the latest daily summary and the links each role may open."""

import datetime

import pytest
from django.urls import reverse

from digileap.accounts.models import Role

from .factories import DailyAggregateFactory

pytestmark = pytest.mark.django_db


def _panel(client, user, school) -> str:
    client.force_login(user)
    response = client.get(reverse("schools:school-detail", kwargs={"pk": school.pk}))
    assert response.status_code == 200
    text = response.content.decode()
    start = text.find('id="connectivity-title"')
    return "" if start < 0 else text[start : text.index("</section>", start)]


def test_a_coordinator_sees_the_latest_day_and_the_speed_test(client, world, role_users):
    DailyAggregateFactory(school=world.school, day=datetime.date(2024, 2, 1), tests=3, download_median=48.25)
    DailyAggregateFactory(school=world.school, day=datetime.date(2024, 2, 2), tests=4, download_median=51.5)
    panel = _panel(client, role_users[Role.SCHOOL_COORDINATOR], world.school)
    assert "Latest day measured: 2 February 2024, 4 tests, median download 51.5 Mbit/s." in panel
    assert reverse("connectivity:school-measurements", kwargs={"pk": world.school.pk}) in panel
    assert reverse("connectivity:school-speedtest", kwargs={"pk": world.school.pk}) in panel
    assert reverse("connectivity:testlink-list", kwargs={"school_pk": world.school.pk}) in panel


def test_without_measurements_the_panel_says_so_and_the_auditor_gets_no_test_links(client, world, role_users):
    panel = _panel(client, role_users[Role.AUDITOR], world.school)
    assert "No speed measurements yet." in panel
    assert reverse("connectivity:school-measurements", kwargs={"pk": world.school.pk}) in panel
    assert "speedtest" not in panel and "test-links" not in panel
