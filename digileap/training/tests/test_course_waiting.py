"""A session's larger capacity, or one session fewer, moves the waiting list up."""

import pytest

from digileap.core.permissions import SystemActor
from digileap.training.models import CourseEnrolment
from digileap.training.services.courses import delete_session, update_session
from digileap.training.services.enrolments import enrol

from .factories import CourseFactory, SessionFactory, staff_at

pytestmark = pytest.mark.django_db
ACTOR = SystemActor("test")


@pytest.fixture
def full_course(world):
    course = CourseFactory(programme__authority=world.authority)
    small = SessionFactory(course=course, capacity=1)
    large = SessionFactory(course=course, capacity=5)
    people = [staff_at(world.school, reference=f"T-{n}") for n in range(3)]
    for person in people:
        enrol(actor=ACTOR, course=course, staff=person, school=world.school)
    return course, small, large


def states(course) -> list[tuple[str, str]]:
    return list(course.enrolments.order_by("staff__reference").values_list("staff__reference", "state"))


def test_a_larger_capacity_moves_the_first_waiting_up(full_course):
    course, small, _large = full_course
    assert states(course) == [("T-0", "enrolled"), ("T-1", "waiting"), ("T-2", "waiting")]
    update_session(actor=ACTOR, session=small, capacity=2)
    assert states(course) == [("T-0", "enrolled"), ("T-1", "enrolled"), ("T-2", "waiting")]


def test_deleting_the_smallest_session_frees_places(full_course):
    course, small, _large = full_course
    delete_session(actor=ACTOR, session=small)
    assert states(course) == [("T-0", "enrolled"), ("T-1", "enrolled"), ("T-2", "enrolled")]
    assert CourseEnrolment.objects.filter(state="waiting").count() == 0
