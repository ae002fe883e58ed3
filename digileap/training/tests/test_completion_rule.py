"""The completion rule: attendance share, assessment, both; completed_on and session exact; the
completion made by Digileap withdrawn when the rule stops holding, never one from an import."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import ProgrammeFactory

from ..models import Completion, Course
from ..services.attendance import record_assessment, record_attendance
from ..services.completions import create_completion, evaluate_completion, rule_outcome
from .factories import CourseEnrolmentFactory, CourseFactory, SessionFactory, staff_at

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2024, 3, day, hour, 0))


def make_course(world, rule=Course.Rule.ATTENDANCE, share=60):
    course = CourseFactory(
        programme=ProgrammeFactory(authority=world.authority),
        code=f"RULE-{rule}",
        completion_rule=rule,
        attendance_share=share,
    )
    # Three sessions of 180 minutes: 540 in all; 60 % is 324 minutes.
    sessions = [SessionFactory(course=course, starts_at=at(day), ends_at=at(day, 12)) for day in (4, 11, 18)]
    enrolment = CourseEnrolmentFactory(course=course, school=world.school, staff=staff_at(world.school, reference="R1"))
    return course, sessions, enrolment


@pytest.fixture
def coordinator(role_users):
    return role_users[Role.SCHOOL_COORDINATOR]


def test_the_share_is_reached_and_corrected(world, coordinator):
    course, sessions, enrolment = make_course(world)
    record_attendance(actor=coordinator, session=sessions[0], enrolment=enrolment, status="present")
    assert not Completion.objects.exists()
    record_attendance(actor=coordinator, session=sessions[1], enrolment=enrolment, status="present", minutes=143)
    assert not Completion.objects.exists()  # 323 of 540 minutes: 59.8 %
    record_attendance(actor=coordinator, session=sessions[1], enrolment=enrolment, status="present", minutes=144)
    completion = Completion.objects.get()  # 324 of 540: 60 %
    assert (completion.completed_on, completion.session, completion.source, completion.school) == (
        datetime.date(2024, 3, 11),
        sessions[1],
        "digileap",
        world.school,
    )
    assert rule_outcome(enrolment)["share"] == Decimal("60.0")
    # The third session attended: the completion follows the last attended session.
    record_attendance(actor=coordinator, session=sessions[2], enrolment=enrolment, status="present")
    completion.refresh_from_db()
    assert (completion.completed_on, completion.session) == (datetime.date(2024, 3, 18), sessions[2])
    # Corrected: absent on the first two, the share is gone, and so is the completion.
    record_attendance(actor=coordinator, session=sessions[0], enrolment=enrolment, status="absent")
    assert Completion.objects.filter(pk=completion.pk).exists()  # 324 of 540 still
    record_attendance(actor=coordinator, session=sessions[1], enrolment=enrolment, status="absent")
    assert not Completion.objects.exists()
    withdrawn = AuditEvent.objects.get(action="withdraw", object_type="training.completion")
    assert withdrawn.before["completed_on"] == "2024-03-18"
    assert withdrawn.after == {"reason": "the completion rule no longer holds"}


def test_an_imported_completion_is_never_withdrawn(world, coordinator, role_users):
    course, sessions, enrolment = make_course(world)
    imported = create_completion(
        actor=role_users[Role.PROGRAMME_OWNER],
        course=course,
        staff=enrolment.staff,
        school=world.school,
        completed_on=datetime.date(2024, 2, 1),
        source="import",
        source_detail="moodle.csv",
    )
    record_attendance(actor=coordinator, session=sessions[0], enrolment=enrolment, status="absent")
    assert evaluate_completion(actor=coordinator, enrolment=enrolment) == imported
    imported.refresh_from_db()
    assert (imported.completed_on, imported.source) == (datetime.date(2024, 2, 1), "import")


def test_the_assessment_rule(world, coordinator):
    course, sessions, enrolment = make_course(world, rule=Course.Rule.ASSESSMENT)
    record_attendance(actor=coordinator, session=sessions[0], enrolment=enrolment, status="absent")
    assert not Completion.objects.exists()
    record_assessment(actor=coordinator, enrolment=enrolment, passed=True, score="17,5")
    completion = Completion.objects.get()
    assert (completion.completed_on, completion.session, completion.assessment_passed, completion.score) == (
        timezone.localdate(),
        None,
        True,
        Decimal("17.50"),
    )
    record_assessment(actor=coordinator, enrolment=enrolment, passed=False, score="8")
    assert not Completion.objects.exists()


def test_the_both_rule(world, coordinator):
    course, sessions, enrolment = make_course(world, rule=Course.Rule.BOTH, share=50)
    record_assessment(actor=coordinator, enrolment=enrolment, passed=True)
    assert not Completion.objects.exists()  # passed, but no attendance
    for session in sessions[:2]:
        record_attendance(actor=coordinator, session=session, enrolment=enrolment, status="present")
    completion = Completion.objects.get()
    # The assessment day (today) is after the last attended session (11 March 2024).
    assert (completion.completed_on, completion.session, completion.assessment_passed) == (
        timezone.localdate(),
        sessions[1],
        True,
    )
    record_attendance(actor=coordinator, session=sessions[1], enrolment=enrolment, status="excused")
    assert not Completion.objects.exists()  # 180 of 540 minutes: 33 %
    record_attendance(actor=coordinator, session=sessions[2], enrolment=enrolment, status="present")
    assert Completion.objects.get().session == sessions[2]
    record_assessment(actor=coordinator, enrolment=enrolment, passed=False)
    assert not Completion.objects.exists()


def test_bad_assessment_input(world, coordinator, role_users):
    course, sessions, enrolment = make_course(world, rule=Course.Rule.ASSESSMENT)
    with pytest.raises(ValidationError):
        record_assessment(actor=coordinator, enrolment=enrolment, passed=True, score="-3")
    with pytest.raises(ValidationError):
        record_assessment(actor=coordinator, enrolment=enrolment, passed=True, score="a lot")
    with pytest.raises(PermissionDenied):
        record_assessment(actor=role_users[Role.AUDITOR], enrolment=enrolment, passed=True)
    assert not Completion.objects.exists()
    assert enrolment.__class__.objects.get(pk=enrolment.pk).assessment_passed is None


def test_the_assessment_on_the_enrolments_page(world, coordinator):
    course, sessions, enrolment = make_course(world, rule=Course.Rule.ASSESSMENT)
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("training:course-enrolments", kwargs={"pk": course.pk}))
    assert f'action="{reverse("training:courseenrolment-assessment", kwargs={"pk": enrolment.pk})}"' in (
        page.content.decode()
    )
    url = reverse("training:courseenrolment-assessment", kwargs={"pk": enrolment.pk})
    assert client.post(url, {"result": "passed", "score": "12"}).status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.assessment_passed, enrolment.assessment_score) == (True, Decimal("12.00"))
    assert Completion.objects.get().staff == enrolment.staff


def test_create_completion_refusals(world, role_users):
    course, sessions, enrolment = make_course(world)
    owner = role_users[Role.PROGRAMME_OWNER]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        create_completion(actor=owner, course=course, staff=enrolment.staff, school=world.school, completed_on=tomorrow)
    assert "completed_on" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        create_completion(
            actor=owner,
            course=course,
            staff=enrolment.staff,
            school=world.school,
            completed_on=datetime.date(2024, 3, 1),
            session=SessionFactory(),
        )
    assert "session" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        create_completion(
            actor=owner,
            course=course,
            staff=world.other_staff,
            school=world.other_school,
            completed_on=datetime.date(2024, 3, 1),
        )
    assert not Completion.objects.exists()
    first = create_completion(
        actor=owner, course=course, staff=enrolment.staff, school=world.school, completed_on=datetime.date(2024, 3, 1)
    )
    events = AuditEvent.objects.count()
    again = create_completion(
        actor=owner, course=course, staff=enrolment.staff, school=world.school, completed_on=datetime.date(2024, 3, 1)
    )
    assert again.pk == first.pk
    assert AuditEvent.objects.count() == events
