"""The attendance page: a tap with and without JavaScript, everyone present, refusals, scope and
the page's query count for 30 people."""

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..models import Attendance, CourseEnrolment
from .factories import CourseEnrolmentFactory, CourseFactory, SessionFactory, staff_at

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(day: int, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2024, 3, day, hour, 0))


@pytest.fixture
def course(world):
    programme = ProgrammeFactory(code="TRAIN", authority=world.authority)
    return CourseFactory(programme=programme, code="TAP-1", title={"en": "Tablet course"})


@pytest.fixture
def session(course):
    return SessionFactory(course=course, starts_at=at(4), ends_at=at(4, 12), capacity=40)


@pytest.fixture
def people(world, course):
    """Three enrolled people of the INSIDE school."""
    return [
        CourseEnrolmentFactory(course=course, school=world.school, staff=staff_at(world.school, reference=f"P{n}"))
        for n in range(1, 4)
    ]


def url(session) -> str:
    return reverse("training:session-attendance", kwargs={"pk": session.pk})


def test_the_page_lists_the_people_with_counts(role_users, session, people):
    response = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(url(session))
    assert response.status_code == 200
    text = response.content.decode()
    for person in ("P1", "P2", "P3"):
        assert person in text
    assert response.context["counts"] == {"people": 3, "present": 0, "absent": 0, "excused": 0, "unmarked": 3}
    assert 'name="status" value="present"' in text


def test_a_tap_without_javascript_is_a_form_post(role_users, session, people):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post(url(session), {"enrolment": people[0].pk, "status": "present", "minutes": ""})
    assert response.status_code == 302
    assert response["Location"] == f"{url(session)}#row-{people[0].pk}"
    attendance = Attendance.objects.get()
    assert (attendance.enrolment_id, attendance.status, attendance.minutes, attendance.source) == (
        people[0].pk,
        "present",
        180,
        "digileap",
    )
    assert attendance.recorded_by == role_users[Role.SCHOOL_COORDINATOR]


def test_a_tap_with_javascript_answers_json_and_changes_exactly_one_row(role_users, session, people):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    client.post(url(session), {"enrolment": people[1].pk, "status": "absent"})
    before = list(Attendance.objects.values_list("pk", "enrolment_id", "status", "minutes"))
    response = client.post(
        url(session), {"enrolment": people[0].pk, "status": "present", "minutes": "100"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "enrolment": people[0].pk,
        "status": "present",
        "minutes": 100,
        "completed": False,
        "counts": {"people": 3, "present": 1, "absent": 1, "excused": 0, "unmarked": 1},
    }
    after = list(Attendance.objects.order_by("pk").values_list("pk", "enrolment_id", "status", "minutes"))
    assert after[: len(before)] == before
    assert after[len(before) :] == [(after[-1][0], people[0].pk, "present", 100)]
    # A second tap on the same row changes that row only.
    response = client.post(
        url(session), {"enrolment": people[0].pk, "status": "excused"}, HTTP_ACCEPT="application/json"
    )
    assert response.json()["counts"] == {"people": 3, "present": 0, "absent": 1, "excused": 1, "unmarked": 1}
    assert sorted(Attendance.objects.values_list("enrolment_id", "status", "minutes")) == sorted(
        [(people[0].pk, "excused", 0), (people[1].pk, "absent", 0)]
    )


def test_a_tap_reaching_the_share_shows_the_completion(role_users, session, people):
    response = client_for(role_users[Role.SCHOOL_COORDINATOR]).post(
        url(session), {"enrolment": people[2].pk, "status": "present"}, HTTP_ACCEPT="application/json"
    )
    assert response.json()["completed"] is True


def test_everyone_present(role_users, session, people):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    client.post(url(session), {"enrolment": people[1].pk, "status": "excused"})
    response = client.post(url(session), {"action": "all_present"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["counts"] == {"people": 3, "present": 2, "absent": 0, "excused": 1, "unmarked": 0}
    assert sorted(Attendance.objects.values_list("enrolment_id", "status", "minutes")) == sorted(
        [(people[0].pk, "present", 180), (people[1].pk, "excused", 0), (people[2].pk, "present", 180)]
    )
    # Without JavaScript: back to the page.
    assert client.post(url(session), {"action": "all_present"}).status_code == 302


@pytest.mark.parametrize("accept", ["", "application/json"])
@pytest.mark.parametrize(
    "case, message",
    [
        ("waiting", "is not enrolled on the course (on the waiting list)"),
        ("cancelled", "is not enrolled on the course (cancelled)"),
        ("too_long", "181 minutes is more than the session&#x27;s length of 180 minutes"),
        ("negative", "Minutes cannot be negative (-5)"),
        ("other_course", "The session is one of another course than the enrolment&#x27;s"),
        ("bad_status", "Select a valid choice"),
        ("future", "has not taken place yet"),
    ],
)
def test_bad_taps_write_nothing(world, role_users, course, session, people, case, message, accept):
    data = {"enrolment": people[0].pk, "status": "present", "minutes": ""}
    if case in ("waiting", "cancelled"):
        CourseEnrolment.objects.filter(pk=people[0].pk).update(state=case)
    elif case == "too_long":
        data["minutes"] = "181"
    elif case == "negative":
        data["minutes"] = "-5"
    elif case == "other_course":
        other = CourseEnrolmentFactory(
            course=CourseFactory(programme=course.programme), school=world.school, staff=staff_at(world.school)
        )
        data["enrolment"] = other.pk
    elif case == "bad_status":
        data["status"] = "late"
    elif case == "future":
        tomorrow = timezone.now() + datetime.timedelta(days=1)
        session.starts_at, session.ends_at = tomorrow, tomorrow + datetime.timedelta(hours=3)
        session.save()
    before = AuditEvent.objects.count()
    response = client_for(role_users[Role.SCHOOL_COORDINATOR]).post(url(session), data, HTTP_ACCEPT=accept)
    assert response.status_code == 400
    if accept:
        assert message.replace("&#x27;", "'") in " ".join(response.json()["errors"])
    else:
        assert message in response.content.decode()
    assert not Attendance.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_coordinator_cannot_record_another_schools_teacher(world, role_users, course, session, people):
    other_school = SchoolFactory(operator=world.operator, name="Neighbour school")
    neighbour = CourseEnrolmentFactory(course=course, school=other_school, staff=staff_at(other_school, reference="NB"))
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    page = client.get(url(session)).content.decode()
    assert "NB" not in page and "Neighbour school" not in page
    response = client.post(url(session), {"enrolment": neighbour.pk, "status": "present"})
    assert response.status_code == 404
    assert not Attendance.objects.exists()
    # Operator staff of that operator see and record both schools.
    operator = client_for(role_users[Role.OPERATOR_STAFF])
    assert "NB" in operator.get(url(session)).content.decode()
    assert operator.post(url(session), {"enrolment": neighbour.pk, "status": "present"}).status_code == 302
    assert Attendance.objects.get().enrolment_id == neighbour.pk


def test_outside_sessions_are_not_found(world, role_users):
    outside_course = CourseFactory(programme=ProgrammeFactory(authority=world.other_authority))
    outside = SessionFactory(course=outside_course)
    enrolment = CourseEnrolmentFactory(course=outside_course, school=world.other_school, staff=world.other_staff)
    for role in (Role.PROGRAMME_OWNER, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.AUDITOR, Role.TEACHER):
        client = client_for(role_users[role])
        assert client.get(url(outside)).status_code == 404
        assert client.post(url(outside), {"enrolment": enrolment.pk, "status": "present"}).status_code == 404
        signin = reverse("training:session-signin", kwargs={"pk": outside.pk})
        assert client.get(signin).status_code == 404
    assert not Attendance.objects.exists()


def test_who_may_take_attendance(role_users, session, people):
    for role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR):
        response = client_for(role_users[role]).post(url(session), {"enrolment": people[0].pk, "status": "absent"})
        assert response.status_code == 302, role
    Attendance.objects.all().delete()
    for role in (Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.TEACHER):
        client = client_for(role_users[role])
        assert client.get(url(session)).status_code == 200
        assert client.post(url(session), {"enrolment": people[0].pk, "status": "absent"}).status_code == 403
        assert client.get(reverse("training:session-signin", kwargs={"pk": session.pk})).status_code == 403
    assert client_for(role_users[Role.SUPPLIER]).get(url(session)).status_code in (403, 404)
    assert not Attendance.objects.exists()


def test_the_page_reads_thirty_people_in_two_queries(world, role_users, course, session):
    enrolments = [
        CourseEnrolmentFactory(course=course, school=world.school, staff=staff_at(world.school, reference=f"Q{n:02d}"))
        for n in range(30)
    ]
    for enrolment in enrolments[:10]:
        Attendance.objects.create(session=session, enrolment=enrolment, status="present", minutes=180)
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    client.get(url(session))  # the session and the user are cached after the first request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(session))
    assert response.status_code == 200
    assert response.context["counts"] == {"people": 30, "present": 10, "absent": 0, "excused": 0, "unmarked": 20}
    training = [q["sql"] for q in queries.captured_queries if "training_" in q["sql"]]
    # One query for the session (with its course), one for the people with their attendance and completion.
    assert len(training) == 2, json.dumps(training, indent=1)
    # And the request as a whole: the sign-in session, the user, their roles, those two, and the
    # site header's two (the user's roles with their scopes, the school of the scope).
    assert len(queries.captured_queries) <= 7, json.dumps([q["sql"] for q in queries.captured_queries], indent=1)
