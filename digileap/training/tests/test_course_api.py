"""The read-only course API: providers, courses (titles in every language, competence codes,
sessions, identifiers) and sessions, each restricted like the pages; no writes."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.programmes.tests.factories import ProgrammeFactory

from ..models import Course
from .factories import (
    CourseEnrolmentFactory,
    CourseFactory,
    CourseMappingFactory,
    ProviderFactory,
    SessionFactory,
    small_framework,
)

pytestmark = pytest.mark.django_db

TITLE = {"en": "Digital didactics", "nl": "Digitale didactiek", "lv": "Digitālā didaktika"}


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def course(world):
    framework = small_framework(authority=world.authority, code="own")
    course = CourseFactory(
        programme=ProgrammeFactory(code="DIGI", authority=world.authority),
        provider=ProviderFactory(authority=world.authority, name="Pedagogical centre"),
        code="DD-1",
        title=TITLE,
        hours=Decimal("6.5"),
        target_levels=[1],
        target_roles=["teacher"],
    )
    course.competences.set(framework.competences.filter(code__in=["2.1", "1.1"]))
    SessionFactory(
        course=course,
        starts_at=timezone.make_aware(datetime.datetime(2025, 3, 4, 9)),
        ends_at=timezone.make_aware(datetime.datetime(2025, 3, 4, 12)),
        capacity=12,
        place="Room 2",
    )
    CourseMappingFactory(course=course, system="moodle", identifier="DD-MOODLE")
    CourseEnrolmentFactory(course=course, school=world.school, staff=world.staff)
    return course


@pytest.fixture
def outside(world):
    return CourseFactory(
        programme=ProgrammeFactory(code="FAR", authority=world.other_authority),
        provider=ProviderFactory(authority=world.other_authority, name="OUTSIDE provider"),
        code="OUTSIDE-1",
    )


def test_a_course_in_full(role_users, course):
    response = api_for(role_users[Role.SCHOOL_COORDINATOR]).get(reverse("course-detail", args=[course.pk]))
    assert response.status_code == 200
    data = response.json()
    session = course.sessions.get()
    assert data == {
        "id": course.pk,
        "programme": course.programme_id,
        "programme_code": "DIGI",
        "provider": course.provider_id,
        "provider_name": "Pedagogical centre",
        "code": "DD-1",
        "title": TITLE,
        "description": {},
        "hours": "6.50",
        "mode": "in_person",
        "framework": "own 1.0",
        "competences": ["1.1", "2.1"],
        "target_levels": [1],
        "target_roles": ["teacher"],
        "completion_rule": "attendance",
        "attendance_share": 80,
        "state": "open",
        "capacity": 12,
        "enrolled": 1,
        "sessions": [
            {
                "id": session.pk,
                "starts_at": data["sessions"][0]["starts_at"],
                "ends_at": data["sessions"][0]["ends_at"],
                "minutes": 180,
                "place": "Room 2",
                "link": "",
                "trainer": "A. Trainer",
                "capacity": 12,
            }
        ],
        "identifiers": [{"system": "moodle", "identifier": "DD-MOODLE"}],
        "created_at": data["created_at"],
    }


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_its_own_only(role, role_users, course, outside):
    client = api_for(role_users[role])
    if role in (Role.SUPPLIER, Role.DATA_PROTECTION_OFFICER):  # no training grants
        for name in ("course-list", "session-list", "provider-list"):
            assert client.get(reverse(name)).status_code == 403
        return
    courses = client.get(reverse("course-list")).json()
    sessions = client.get(reverse("session-list")).json()
    providers = client.get(reverse("provider-list")).json()
    codes = [row["code"] for row in courses["results"]]
    names = [row["name"] for row in providers["results"]]
    if role == Role.ADMINISTRATOR:
        assert codes == ["DD-1", "OUTSIDE-1"] and names == ["OUTSIDE provider", "Pedagogical centre"]
    else:
        assert codes == ["DD-1"] and names == ["Pedagogical centre"]
        assert client.get(reverse("course-detail", args=[outside.pk])).status_code == 404
    assert [row["enrolled"] for row in sessions["results"]] == [1]


def test_drafts_only_for_those_who_change_them(role_users, course):
    course.state = Course.State.DRAFT
    course.save()
    assert api_for(role_users[Role.PROGRAMME_OWNER]).get(reverse("course-list")).json()["count"] == 1
    assert api_for(role_users[Role.TEACHER]).get(reverse("course-list")).json()["count"] == 0


def test_the_list_filters(role_users, course):
    CourseFactory(programme=course.programme, provider=course.provider, code="ONLINE", mode="online")
    client = api_for(role_users[Role.PROGRAMME_OWNER])
    assert [row["code"] for row in client.get(reverse("course-list"), {"mode": "online"}).json()["results"]] == [
        "ONLINE"
    ]
    assert [row["code"] for row in client.get(reverse("course-list"), {"q": "didaktika"}).json()["results"]] == ["DD-1"]


def test_no_writes(role_users, course):
    client = api_for(role_users[Role.PROGRAMME_OWNER])
    assert client.post(reverse("course-list"), {"code": "X"}, format="json").status_code == 405
    assert client.patch(reverse("course-detail", args=[course.pk]), {"code": "X"}, format="json").status_code == 405
    assert client.delete(reverse("session-detail", args=[course.sessions.get().pk])).status_code == 405


def test_the_course_list_costs_the_same_for_many_courses(role_users, course, django_assert_max_num_queries):
    client = api_for(role_users[Role.PROGRAMME_OWNER])
    for number in range(5):
        extra = CourseFactory(programme=course.programme, provider=course.provider, code=f"X-{number}")
        SessionFactory(course=extra)
        CourseMappingFactory(course=extra)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("course-list")).json()["count"] == 6
