"""Enrolments: capacity, the waiting list's order and promotion, refusals, scope, the enrol page
and the enrolment list with its export."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..models import Course, CourseEnrolment, Membership
from ..selectors.enrolments import course_capacity, waiting_position, waiting_positions
from ..services.enrolments import cancel_enrolment, enrol, promote_waiting
from .factories import CourseFactory, SessionFactory, staff_at

pytestmark = pytest.mark.django_db

ENROLLED, WAITING, CANCELLED = (CourseEnrolment.State.ENROLLED, CourseEnrolment.State.WAITING, "cancelled")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(day: int, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2024, 3, day, hour, 0))


@pytest.fixture
def course(world):
    programme = ProgrammeFactory(code="TRAIN", authority=world.authority)
    course = CourseFactory(programme=programme, code="DIGI-1", title={"en": "Digital classroom"})
    SessionFactory(course=course, starts_at=at(4), ends_at=at(4, 12), capacity=5)
    SessionFactory(course=course, starts_at=at(11), ends_at=at(11, 12), capacity=2)
    return course


@pytest.fixture
def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


def test_capacity_is_the_smallest_session_capacity(course):
    assert course_capacity(course) == 2
    assert course_capacity(CourseFactory(programme=course.programme)) is None


def test_the_waiting_list_fills_in_order_and_moves_up_on_cancelling(world, course, owner):
    people = [staff_at(world.school, reference=f"T{n}", email=f"t{n}@example.org") for n in range(1, 6)]
    enrolments = [enrol(actor=owner, course=course, staff=person, school=world.school) for person in people]
    assert [e.state for e in enrolments] == [ENROLLED, ENROLLED, WAITING, WAITING, WAITING]
    assert [waiting_position(e) for e in enrolments] == [None, None, 1, 2, 3]
    assert waiting_positions(course) == {enrolments[2].pk: 1, enrolments[3].pk: 2, enrolments[4].pk: 3}

    # Cancelling someone waiting moves nobody up; the places behind close up.
    cancel_enrolment(actor=owner, enrolment=enrolments[3])
    assert waiting_positions(course) == {enrolments[2].pk: 1, enrolments[4].pk: 2}
    assert mail.outbox == []

    # Cancelling an enrolled person gives the place to the first waiting, who is told.
    with pytest.raises(ValidationError):
        cancel_enrolment(actor=owner, enrolment=enrolments[3])
    with_commit = cancel_enrolment
    with_commit(actor=owner, enrolment=enrolments[0])
    states = dict(CourseEnrolment.objects.filter(course=course).values_list("staff__reference", "state"))
    assert states == {"T1": CANCELLED, "T2": ENROLLED, "T3": ENROLLED, "T4": CANCELLED, "T5": WAITING}
    assert waiting_positions(course) == {enrolments[4].pk: 1}
    assert AuditEvent.objects.filter(action="promote", object_id=str(enrolments[2].pk)).count() == 1


def test_promotion_mails_the_person(world, course, owner, django_capture_on_commit_callbacks):
    people = [staff_at(world.school, reference=f"M{n}", email=f"m{n}@example.org") for n in range(1, 4)]
    enrolments = [enrol(actor=owner, course=course, staff=person, school=world.school) for person in people]
    with django_capture_on_commit_callbacks(execute=True):
        cancel_enrolment(actor=owner, enrolment=enrolments[1])
    assert [message.to for message in mail.outbox] == [["m3@example.org"]]
    assert "Digital classroom" in mail.outbox[0].subject
    assert "DIGI-1" in mail.outbox[0].body


def test_promotion_without_an_e_mail_sends_nothing(world, course, owner, django_capture_on_commit_callbacks):
    people = [staff_at(world.school, reference=f"N{n}") for n in range(1, 4)]
    enrolments = [enrol(actor=owner, course=course, staff=person, school=world.school) for person in people]
    with django_capture_on_commit_callbacks(execute=True):
        cancel_enrolment(actor=owner, enrolment=enrolments[0])
    assert CourseEnrolment.objects.get(pk=enrolments[2].pk).state == ENROLLED
    assert mail.outbox == []


def test_a_raised_capacity_moves_the_waiting_list_up(world, course, owner):
    people = [staff_at(world.school, reference=f"R{n}") for n in range(1, 5)]
    enrolments = [enrol(actor=owner, course=course, staff=person, school=world.school) for person in people]
    course.sessions.update(capacity=3)
    promoted = promote_waiting(actor=owner, course=course)
    assert [e.pk for e in promoted] == [enrolments[2].pk]
    assert waiting_positions(course) == {enrolments[3].pk: 1}


def test_a_course_without_sessions_has_no_limit(world, owner):
    course = CourseFactory(programme=ProgrammeFactory(authority=world.authority))
    people = [staff_at(world.school) for _ in range(4)]
    assert {enrol(actor=owner, course=course, staff=p, school=world.school).state for p in people} == {ENROLLED}


def test_a_cancelled_person_enrolling_again_queues_at_the_end(world, course, owner):
    people = [staff_at(world.school, reference=f"Q{n}") for n in range(1, 5)]
    enrolments = [enrol(actor=owner, course=course, staff=person, school=world.school) for person in people]
    cancel_enrolment(actor=owner, enrolment=enrolments[2])  # waiting, place 1
    again = enrol(actor=owner, course=course, staff=people[2], school=world.school)
    assert again.pk == enrolments[2].pk
    assert again.state == WAITING
    assert waiting_positions(course) == {enrolments[3].pk: 1, enrolments[2].pk: 2}


@pytest.mark.parametrize(
    "case, message",
    [
        ("closed", "not open for enrolment"),
        ("draft", "not open for enrolment"),
        ("not_working_there", "does not work at"),
        ("left_the_school", "does not work at"),
        ("twice", "already enrolled"),
    ],
)
def test_refusals_write_nothing(world, course, owner, case, message):
    person = staff_at(world.school, reference="REF-1")
    school = world.school
    if case in ("closed", "draft"):
        Course.objects.filter(pk=course.pk).update(state=case)
    elif case == "not_working_there":
        school = SchoolFactory(operator=world.operator, name="Second school")
    elif case == "left_the_school":
        Membership.objects.filter(staff=person).update(is_active=False)
    elif case == "twice":
        enrol(actor=owner, course=course, staff=person, school=school)
    before = CourseEnrolment.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        enrol(actor=owner, course=course, staff=person, school=school)
    assert message in " ".join(raised.value.messages)
    assert (CourseEnrolment.objects.count(), AuditEvent.objects.count()) == before


def test_scope_of_enrolling(world, course, role_users):
    other_school = SchoolFactory(operator=world.operator, name="Neighbour school")
    neighbour = staff_at(other_school, reference="NEIGHBOUR")
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    with pytest.raises(PermissionDenied):
        enrol(actor=coordinator, course=course, staff=neighbour, school=other_school)
    # Operator staff reach every school of their operator.
    assert enrol(actor=role_users[Role.OPERATOR_STAFF], course=course, staff=neighbour, school=other_school).state == (
        ENROLLED
    )
    # A teacher enrols themself, nobody else.
    teacher = role_users[Role.TEACHER]
    with pytest.raises(PermissionDenied):
        enrol(actor=teacher, course=course, staff=staff_at(world.school), school=world.school)
    assert enrol(actor=teacher, course=course, staff=world.staff, school=world.school).state == ENROLLED
    for role in (Role.AUDITOR, Role.FUNDING_ADMINISTRATOR, Role.SUPPLIER):
        with pytest.raises(PermissionDenied):
            enrol(actor=role_users[role], course=course, staff=staff_at(world.school), school=world.school)


def test_the_enrol_page_of_a_coordinator(world, course, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    first, second = staff_at(world.school, reference="PAGE-1"), staff_at(world.school, reference="PAGE-2")
    client = client_for(coordinator)
    url = reverse("training:course-enrol", kwargs={"pk": course.pk})
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "PAGE-1" in text and "INSIDE-teacher" in text and "OUTSIDE" not in text
    memberships = [Membership.objects.get(staff=person) for person in (first, second, world.staff)]
    response = client.post(url, {"membership": [m.pk for m in memberships]})
    assert response.status_code == 302
    states = dict(CourseEnrolment.objects.filter(course=course).values_list("staff__reference", "state"))
    # Enrolled in the page's order (by reference): two places, the third waits.
    assert states == {"INSIDE-teacher": ENROLLED, "PAGE-1": ENROLLED, "PAGE-2": WAITING}
    again = client.get(url).content.decode()
    assert "Waiting, place 1" in again
    # Nothing chosen: a clear error.
    assert "Choose at least one person" in client.post(url, {}).content.decode()


def test_the_enrol_page_is_all_or_nothing(world, course, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    person = staff_at(world.school, reference="ALL-1")
    Course.objects.filter(pk=course.pk).update(state=Course.State.CLOSED)
    response = client_for(coordinator).post(
        reverse("training:course-enrol", kwargs={"pk": course.pk}),
        {"membership": [Membership.objects.get(staff=person).pk]},
    )
    assert response.status_code == 400
    assert "not open for enrolment" in response.content.decode()
    assert not CourseEnrolment.objects.exists()


def test_a_teacher_enrols_themself_on_the_page(world, course, role_users):
    other = staff_at(world.school, reference="COLLEAGUE")
    client = client_for(role_users[Role.TEACHER])
    url = reverse("training:course-enrol", kwargs={"pk": course.pk})
    page = client.get(url).content.decode()
    assert "INSIDE-teacher" in page and "COLLEAGUE" not in page
    own = Membership.objects.get(staff=world.staff)
    # Someone else's membership in the post is ignored: only the teacher's own is offered.
    client.post(url, {"membership": [own.pk, Membership.objects.get(staff=other).pk]})
    assert list(CourseEnrolment.objects.values_list("staff__reference", flat=True)) == ["INSIDE-teacher"]


def test_outside_courses_are_not_found(world, role_users):
    outside = CourseFactory(programme=ProgrammeFactory(authority=world.other_authority))
    for role in (Role.PROGRAMME_OWNER, Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF, Role.TEACHER):
        client = client_for(role_users[role])
        for name in ("course-enrol", "course-enrolments", "course-enrolments-export"):
            assert client.get(reverse(f"training:{name}", kwargs={"pk": outside.pk})).status_code == 404


def test_the_enrolment_list_and_its_export(world, course, owner, role_users):
    people = [staff_at(world.school, reference=f"L{n}") for n in range(1, 4)]
    other_school = SchoolFactory(operator=world.operator, name="Other school", number="1999")
    far = staff_at(other_school, reference="FAR")
    for person in people:
        enrol(actor=owner, course=course, staff=person, school=world.school)
    enrol(actor=owner, course=course, staff=far, school=other_school)
    page = client_for(owner).get(reverse("training:course-enrolments", kwargs={"pk": course.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Enrolled (2)" in text and "Waiting list (2)" in text
    export = client_for(owner).get(reverse("training:course-enrolments-export", kwargs={"pk": course.pk}))
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "course;person;school_number;school;state;waiting_position;enrolled_at;assessment_passed;score"
    assert [line.split(";")[1:6] for line in lines[1:]] == [
        ["L1", "1001", "INSIDE school", "enrolled", ""],
        ["L2", "1001", "INSIDE school", "enrolled", ""],
        ["L3", "1001", "INSIDE school", "waiting", "1"],
        ["FAR", "1999", "Other school", "waiting", "2"],
    ]
    # The coordinator sees their school's people only, with their true places.
    coordinator_export = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(
        reverse("training:course-enrolments-export", kwargs={"pk": course.pk})
    )
    rows = b"".join(coordinator_export.streaming_content).decode("utf-8-sig").splitlines()[1:]
    assert [line.split(";")[1] for line in rows] == ["L1", "L2", "L3"]


def test_cancel_on_the_page_and_scope(world, course, owner, role_users):
    person = staff_at(world.school, reference="C1")
    other_school = SchoolFactory(operator=world.operator, name="Elsewhere")
    elsewhere = enrol(actor=owner, course=course, staff=staff_at(other_school), school=other_school)
    enrolment = enrol(actor=owner, course=course, staff=person, school=world.school)
    coordinator = client_for(role_users[Role.SCHOOL_COORDINATOR])
    assert coordinator.get(reverse("training:courseenrolment-cancel", kwargs={"pk": enrolment.pk})).status_code == 405
    assert coordinator.post(reverse("training:courseenrolment-cancel", kwargs={"pk": elsewhere.pk})).status_code == 404
    assert CourseEnrolment.objects.get(pk=elsewhere.pk).state == ENROLLED
    auditor = client_for(role_users[Role.AUDITOR])
    assert auditor.post(reverse("training:courseenrolment-cancel", kwargs={"pk": enrolment.pk})).status_code == 403
    response = coordinator.post(reverse("training:courseenrolment-cancel", kwargs={"pk": enrolment.pk}))
    assert response.status_code == 302
    assert CourseEnrolment.objects.get(pk=enrolment.pk).state == CANCELLED
