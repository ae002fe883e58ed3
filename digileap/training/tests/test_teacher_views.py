"""The teacher's "My training": only for the teacher role and only their own record; their
schools, enrolments with sessions, attendance and waiting-list place, completions, self-assessment
rounds and the courses open to them (by school level and role)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.contributions import reverse_or_none
from digileap.programmes.tests.factories import ProgrammeFactory

from ..models import Attendance, Course, CourseEnrolment, Membership
from ..teacher_views import course_fits
from .factories import (
    AssessmentRoundFactory,
    AttendanceFactory,
    CompletionFactory,
    CourseEnrolmentFactory,
    CourseFactory,
    SelfAssessmentFactory,
    SessionFactory,
    staff_at,
)

pytestmark = pytest.mark.django_db

URL = reverse("training:my-training")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [r for r in Role if r != Role.TEACHER])
def test_only_a_teacher_has_my_training(role, role_users):
    assert client_for(role_users[role]).get(URL).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_my_training_shows_the_teachers_own_records(role_users, world):
    world.school.isced_1 = True
    world.school.save()
    programme = ProgrammeFactory(authority=world.authority, code="DIGI")
    course = CourseFactory(programme=programme, code="DD-1", title={"en": "Digital didactics"})
    first = SessionFactory(
        course=course, starts_at=timezone.make_aware(datetime.datetime(2024, 3, 4, 9)), place="Room 2"
    )
    second = SessionFactory(course=course, starts_at=timezone.make_aware(datetime.datetime(2024, 3, 11, 9)))
    enrolment = CourseEnrolmentFactory(course=course, staff=world.staff, school=world.school)
    AttendanceFactory(enrolment=enrolment, session=first, status=Attendance.Status.PRESENT, minutes=170)
    AttendanceFactory(enrolment=enrolment, session=second, status=Attendance.Status.EXCUSED, minutes=0)
    full = CourseFactory(programme=programme, code="FULL", title={"en": "Popular course"})
    for _ in range(2):
        CourseEnrolmentFactory(course=full, school=world.school, state=CourseEnrolment.State.WAITING)
    CourseEnrolmentFactory(course=full, staff=world.staff, school=world.school, state=CourseEnrolment.State.WAITING)
    done = CourseFactory(programme=programme, code="DONE", title={"en": "Finished course"})
    completion = CompletionFactory(course=done, staff=world.staff, school=world.school)
    today = timezone.localdate()
    open_round = AssessmentRoundFactory(
        programme=programme, name={"en": "Baseline"}, opens_on=today, closes_on=today + datetime.timedelta(days=9)
    )
    answered_round = AssessmentRoundFactory(
        programme=programme,
        name={"en": "Last year"},
        opens_on=datetime.date(2023, 1, 1),
        closes_on=datetime.date(2023, 2, 1),
    )
    SelfAssessmentFactory(round=answered_round, staff=world.staff, school=world.school)
    AssessmentRoundFactory(
        programme=programme,
        name={"en": "Missed round"},
        opens_on=datetime.date(2022, 1, 1),
        closes_on=datetime.date(2022, 2, 1),
    )
    CourseFactory(programme=programme, code="FIT", title={"en": "Primary course"}, target_levels=[1])
    CourseFactory(programme=programme, code="UNFIT", title={"en": "Upper secondary course"}, target_levels=[3])
    CourseFactory(programme=programme, code="LEAD", title={"en": "Leaders only"}, target_roles=["school_leader"])
    CourseFactory(programme=programme, code="DRAFT", title={"en": "Draft course"}, state=Course.State.DRAFT)
    CourseFactory(title={"en": "OUTSIDE course"}, code="OUT")

    response = client_for(role_users[Role.TEACHER]).get(URL)
    assert response.status_code == 200
    text = response.text
    assert "INSIDE-teacher" in text and "INSIDE school" in text
    assert "Digital didactics" in text and "Room 2" in text
    assert "Present (170 min)" in text and "Excused" in text
    assert "place 3 on the waiting list" in text
    assert "Finished course" in text
    certificate = reverse_or_none("training:completion-certificate", kwargs={"pk": completion.pk})
    assert (certificate or completion.certificate_number) in text
    assert "Baseline" in text and "Last year" in text and "Missed round" not in text
    assert "Primary course" in text
    for absent in ("Upper secondary course", "Leaders only", "Draft course", "OUTSIDE"):
        assert absent not in text, absent
    assert open_round.pk


def test_a_course_fits_by_level_and_role():
    course = Course(target_levels=[1, 2], target_roles=["teacher"])
    assert course_fits(course, {2}, {"teacher"}) is True
    assert course_fits(course, {3}, {"teacher"}) is False
    assert course_fits(course, {1}, {"other"}) is False
    assert course_fits(Course(target_levels=[], target_roles=[]), set(), set()) is True


def test_a_teacher_opens_only_their_own_staff_page(role_users, world):
    colleague = staff_at(world.school, reference="COLLEAGUE")
    teacher = client_for(role_users[Role.TEACHER])
    assert teacher.get(reverse("training:staffmember-detail", args=[world.staff.pk])).status_code == 200
    assert teacher.get(reverse("training:staffmember-detail", args=[colleague.pk])).status_code == 404
    assert teacher.get(reverse("training:staffmember-detail", args=[world.other_staff.pk])).status_code == 404
    assert Membership.objects.filter(staff=colleague).exists()
