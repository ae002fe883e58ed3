"""The menu's "Training", the home page's training to-dos per role and the school page's panel."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.contributions import menu_for, todos_for
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.models import StaffCount
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..contributions import school_figures, school_year_start
from ..models import Course
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


def _training(user) -> list[tuple[str, str]]:
    return [(str(entry.label), entry.url) for entry in menu_for(user) if entry.key == "training"]


def _todos(user) -> list[tuple]:
    return [(todo.key, todo.label, todo.count, todo.url) for todo in todos_for(user) if todo.key.startswith("training")]


@pytest.mark.parametrize("role", list(Role))
def test_the_menu_entry_per_role(role, role_users):
    entries = _training(role_users[role])
    if role in (Role.SUPPLIER, Role.DATA_PROTECTION_OFFICER):  # no training grants
        assert entries == []
    elif role == Role.TEACHER:
        assert entries == [("Training", reverse("training:my-training"))]
    else:
        assert entries == [("Training", reverse("training:index"))]


def test_no_menu_entry_when_signed_out():
    assert _training(AnonymousUser()) == []


def test_a_teacher_is_asked_to_answer_the_open_rounds_not_answered(world, role_users):
    today = timezone.localdate()
    programme = ProgrammeFactory(authority=world.authority)
    open_round = AssessmentRoundFactory(
        programme=programme, code="before", name={"en": "Before the courses"}, opens_on=today, closes_on=today
    )
    answered = AssessmentRoundFactory(programme=programme, code="after", opens_on=today, closes_on=today)
    SelfAssessmentFactory(round=answered, staff=world.staff)
    AssessmentRoundFactory(programme=programme, code="closed", opens_on=today - datetime.timedelta(days=9),
                           closes_on=today - datetime.timedelta(days=1))  # fmt: skip
    AssessmentRoundFactory(programme=ProgrammeFactory(authority=world.other_authority), code="outside",
                           opens_on=today, closes_on=today)  # fmt: skip
    assert _todos(role_users[Role.TEACHER]) == [
        (
            f"training-self-assessment-{open_round.pk}",
            "Self-assessment Before the courses to answer",
            1,
            reverse("training:assessmentround-answer", kwargs={"pk": open_round.pk}),
        )
    ]
    for role in (Role.SCHOOL_COORDINATOR, Role.AUDITOR, Role.SUPPLIER):
        assert _todos(role_users[role]) == []


def test_a_coordinator_is_asked_for_todays_missing_attendance(world, role_users):
    now = timezone.localtime()
    today_at = now.replace(hour=9, minute=0, second=0, microsecond=0)
    course = CourseFactory(programme=ProgrammeFactory(authority=world.authority), code="DIG-1")
    session = SessionFactory(course=course, starts_at=today_at, ends_at=today_at + datetime.timedelta(hours=3))
    SessionFactory(course=course, starts_at=today_at - datetime.timedelta(days=1),
                   ends_at=today_at - datetime.timedelta(days=1, hours=-3))  # fmt: skip
    taken = CourseEnrolmentFactory(course=course, school=world.school)
    AttendanceFactory(session=session, enrolment=taken)
    CourseEnrolmentFactory(course=course, school=world.school)
    CourseEnrolmentFactory(course=course, school=world.school)
    CourseEnrolmentFactory(course=course, school=world.school, state="cancelled")
    # A school of the same authority under another operator: neither the coordinator's nor the operator's.
    CourseEnrolmentFactory(course=course, school=SchoolFactory(operator=OperatorFactory(authority=world.authority)))
    url = reverse("training:session-attendance", kwargs={"pk": session.pk})
    expected = [(f"training-attendance-{session.pk}", "people without attendance today in DIG-1", 2, url)]
    assert _todos(role_users[Role.SCHOOL_COORDINATOR]) == expected
    assert _todos(role_users[Role.OPERATOR_STAFF]) == expected
    assert _todos(role_users[Role.TEACHER]) == []


def test_an_owner_is_told_of_open_courses_without_sessions(world, role_users):
    programme = ProgrammeFactory(authority=world.authority)
    CourseFactory(programme=programme, code="EMPTY-1")
    CourseFactory(programme=programme, code="EMPTY-2")
    CourseFactory(programme=programme, code="DRAFT", state=Course.State.DRAFT)
    SessionFactory(course=CourseFactory(programme=programme, code="PLANNED"))
    CourseFactory(programme=ProgrammeFactory(authority=world.other_authority), code="OUTSIDE")
    assert _todos(role_users[Role.PROGRAMME_OWNER]) == [
        ("training-courses-without-sessions", "open courses without sessions", 2,
         reverse("training:course-list") + "?state=open"),
    ]  # fmt: skip
    assert _todos(role_users[Role.AUDITOR]) == []


def test_the_school_panel_counts_in_one_query(world, role_users, django_assert_num_queries):
    today = timezone.localdate()
    course = CourseFactory(programme=ProgrammeFactory(authority=world.authority))
    CompletionFactory(course=course, school=world.school, staff=world.staff, completed_on=today)
    CompletionFactory(course=course, school=world.school, completed_on=today)
    CompletionFactory(
        course=course, school=world.school, completed_on=school_year_start(today) - datetime.timedelta(days=1)
    )
    staff_at(world.school)
    StaffCount.objects.create(school=world.school, school_year="2019/20", teachers=30)
    StaffCount.objects.create(school=world.school, school_year="2020/21", teachers=32)
    user = role_users[Role.SCHOOL_COORDINATOR]
    school_figures(user, world.school)  # the user's roles are read once a request
    with django_assert_num_queries(1):
        figures = school_figures(user, world.school)
    # The INSIDE teacher, the two other completing teachers (staff_at), one more staff record.
    assert figures == {
        "completions_count": 2,
        "staff_count": 4,
        "registry_teachers": 32,
        "since": school_year_start(today),
    }


def _panel(client, user, school) -> str:
    client.force_login(user)
    response = client.get(reverse("schools:school-detail", kwargs={"pk": school.pk}))
    assert response.status_code == 200
    text = response.content.decode()
    start = text.find('id="training-title"')
    return "" if start < 0 else text[start : text.index("</section>", start)]


def test_the_school_panel_per_role(client, world, role_users):
    StaffCount.objects.create(school=world.school, school_year="2020/21", teachers=32)
    panel = _panel(client, role_users[Role.SCHOOL_COORDINATOR], world.school)
    assert "Staff records" in panel and "Teachers in the registry" in panel and ">32<" in panel
    assert reverse("training:staffmember-list") + f"?school={world.school.pk}" in panel
    auditor = _panel(client, role_users[Role.AUDITOR], world.school)
    assert "Teachers in the registry" in auditor
    # The teacher (who does not open school pages) and the supplier get no panel.
    from django.test import RequestFactory

    from ..contributions import _school_panel

    for role in (Role.TEACHER, Role.SUPPLIER):
        request = RequestFactory().get("/")
        request.user = role_users[role]
        assert _school_panel(request, world.school) is None
