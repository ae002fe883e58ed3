"""The measurement pages as every role: a school's measurements (scoped: a coordinator sees only
their school; OUTSIDE never shows) and the import page (programme owners and administrators)."""

import datetime

import pytest
from django.urls import reverse

from digileap.accounts.models import Role

from .factories import DailyAggregateFactory, MeasurementFactory

SCHOOL_PAGE = {
    Role.ADMINISTRATOR: (200, 200),
    Role.PROGRAMME_OWNER: (200, 404),
    Role.FUNDING_ADMINISTRATOR: (200, 404),
    Role.OPERATOR_STAFF: (200, 404),
    Role.SCHOOL_COORDINATOR: (200, 404),
    Role.SUPPLIER: (403, 403),
    Role.AUDITOR: (200, 404),
}
IMPORT_PAGE = {
    Role.ADMINISTRATOR: 200,
    Role.PROGRAMME_OWNER: 200,
    Role.FUNDING_ADMINISTRATOR: 403,
    Role.OPERATOR_STAFF: 403,
    Role.SCHOOL_COORDINATOR: 403,
    Role.SUPPLIER: 403,
    Role.AUDITOR: 403,
}


@pytest.fixture
def measured(world):
    DailyAggregateFactory(school=world.school, day=datetime.date(2026, 11, 3), tests=7, download_median=48.25)
    MeasurementFactory(
        school=world.school, measured_at=datetime.datetime(2026, 11, 3, 9, tzinfo=datetime.UTC), download_mbps=61.5
    )
    DailyAggregateFactory(school=world.other_school, day=datetime.date(2026, 11, 3), download_median=999.5)
    MeasurementFactory(school=world.other_school, download_mbps=777.5)


@pytest.mark.parametrize("role", list(SCHOOL_PAGE))
def test_school_measurements_page_per_role(client, world, role_users, measured, role):
    client.force_login(role_users[role])
    inside, outside = SCHOOL_PAGE[role]
    response = client.get(reverse("connectivity:school-measurements", kwargs={"pk": world.school.pk}))
    assert response.status_code == inside
    if inside == 200:
        text = response.content.decode()
        assert "48.2" in text or "48.3" in text
        assert "61.5" in text
        assert "999.5" not in text and "777.5" not in text
        assert ("Import a measurement file" in text) == (role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER))
    response = client.get(reverse("connectivity:school-measurements", kwargs={"pk": world.other_school.pk}))
    assert response.status_code == outside
    if outside == 200:
        assert "999.5" in response.content.decode()


@pytest.mark.parametrize("role", list(IMPORT_PAGE))
def test_import_page_per_role(client, world, role_users, role):
    client.force_login(role_users[role])
    response = client.get(reverse("connectivity:measurement-import"))
    assert response.status_code == IMPORT_PAGE[role]
    if response.status_code == 200:
        assert "/imports/new/?target=measurements&amp;profile=giga" in response.content.decode()


def test_pages_need_sign_in(client, world):
    for url in (
        reverse("connectivity:school-measurements", kwargs={"pk": world.school.pk}),
        reverse("connectivity:measurement-import"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"] or "login" in response["Location"]


def test_empty_school_page(client, world, role_users):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    response = client.get(reverse("connectivity:school-measurements", kwargs={"pk": world.school.pk}))
    assert "No measurements summarised yet." in response.content.decode()


def test_engine_offers_the_measurements_target(client, world, role_users):
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    response = client.get(reverse("importjob-create") + "?target=measurements")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Connectivity measurements (speed tests)" in text
