"""Shared data of the completion, certificate and badge tests: one programme with a course aligned
to two competences, completions at the INSIDE school (the teacher's own and a colleague's), one
at a second school of the INSIDE operator, and one OUTSIDE."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..models import Completion, Source
from .factories import CompletionFactory, CourseFactory, ProviderFactory, small_framework, staff_at


@dataclass
class CompletionData:
    framework: object
    programme: object
    course: object
    own: Completion  # world.staff's, at world.school
    colleague: Completion  # at world.school, imported
    second_school: Completion  # at another school of world.operator
    outside: Completion
    second_school_obj: object


def make_completion_data(world) -> CompletionData:
    framework = small_framework(
        authority=world.authority,
        code="digcompedu",
        version="1.0",
        name={"en": "DigCompEdu", "de": "DigCompEdu"},
        source_url="https://example.org/digcompedu",
    )
    framework.competences.filter(code="1.1").update(
        name={"en": "Professional engagement", "de": "Berufliches Engagement"}
    )
    programme = ProgrammeFactory(
        authority=world.authority, code="TRAIN", name={"en": "Teacher training", "de": "Lehrerfortbildung"}
    )
    provider = ProviderFactory(authority=world.authority, name="Pedagogical centre")
    course = CourseFactory(
        programme=programme,
        provider=provider,
        code="DIDAC-1",
        title={"en": "Digital didactics", "de": "Digitale Didaktik"},
        hours=Decimal("6.00"),
        attendance_share=75,
    )
    course.competences.set(framework.competences.filter(code__in=["1.1", "2.1"]))
    own = CompletionFactory(
        course=course, school=world.school, staff=world.staff, completed_on=datetime.date(2024, 3, 25)
    )
    colleague = CompletionFactory(
        course=course,
        school=world.school,
        staff=staff_at(world.school, reference="COLLEAGUE-1", first_name="Ada", last_name="Lovelace"),
        completed_on=datetime.date(2024, 4, 2),
        source=Source.IMPORT,
    )
    second = SchoolFactory(operator=world.operator, name="INSIDE second school", number="1002")
    second_school = CompletionFactory(
        course=course,
        school=second,
        staff=staff_at(second, reference="SECOND-1"),
        completed_on=datetime.date(2024, 5, 6),
        source=Source.PLATFORM,
    )
    outside_programme = ProgrammeFactory(authority=world.other_authority, code="OUTSIDE-TRAIN")
    outside_course = CourseFactory(programme=outside_programme, code="OUTSIDE-C", title={"en": "OUTSIDE course"})
    outside = CompletionFactory(
        course=outside_course,
        school=world.other_school,
        staff=world.other_staff,
        completed_on=datetime.date(2024, 3, 1),
    )
    return CompletionData(framework, programme, course, own, colleague, second_school, outside, second)
