"""Factories of the training app. Tests of a workflow go through the services instead; these
make rows directly for tests of pages, selectors and the permission walk.

``FrameworkFactory`` makes a small framework of its own (two areas, three competences, levels A1
to C2) so tests do not depend on the shipped DigCompEdu data; ``small_framework()`` returns it
with its parts."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import AuthorityFactory, SchoolFactory

from ..models import (
    Area,
    AssessmentAnswer,
    AssessmentRound,
    Attendance,
    Competence,
    CompetenceLevel,
    Completion,
    Course,
    CourseEnrolment,
    CourseMapping,
    Framework,
    FrameworkLevel,
    Invitation,
    Membership,
    Provider,
    SelfAssessment,
    Session,
    StaffIdentifier,
    StaffMember,
)

LEVEL_CODES = ["A1", "A2", "B1", "B2", "C1", "C2"]


class FrameworkFactory(DjangoModelFactory):
    class Meta:
        model = Framework

    authority = None
    code = factory.Sequence(lambda n: f"framework-{n}")
    version = "1.0"
    name = factory.Sequence(lambda n: {"en": f"Framework {n}"})


class FrameworkLevelFactory(DjangoModelFactory):
    class Meta:
        model = FrameworkLevel

    framework = factory.SubFactory(FrameworkFactory)
    rank = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: LEVEL_CODES[(o.rank - 1) % 6] if o.rank <= 6 else f"L{o.rank}")
    name = factory.LazyAttribute(lambda o: {"en": f"Level {o.code}"})


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: str(n + 1))
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: {"en": f"Area {n + 1}"})


class CompetenceFactory(DjangoModelFactory):
    class Meta:
        model = Competence

    area = factory.SubFactory(AreaFactory)
    framework = factory.SelfAttribute("area.framework")
    code = factory.Sequence(lambda n: f"C{n + 1}")
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: {"en": f"Competence {n + 1}"})


class CompetenceLevelFactory(DjangoModelFactory):
    class Meta:
        model = CompetenceLevel

    competence = factory.SubFactory(CompetenceFactory)
    level = factory.SubFactory(FrameworkLevelFactory, framework=factory.SelfAttribute("..competence.framework"))
    statement = factory.LazyAttribute(lambda o: {"en": f"At {o.level.code} I do {o.competence.code}"})


def small_framework(**fields) -> Framework:
    """A framework with levels A1–C2, areas 1 and 2, competences 1.1 and 1.2 (area 1) and 2.1
    (area 2), each with six level statements."""
    framework = FrameworkFactory(**fields)
    levels = [
        FrameworkLevel.objects.create(framework=framework, code=code, rank=rank, name={"en": f"Level {code}"})
        for rank, code in enumerate(LEVEL_CODES, start=1)
    ]
    order = 0  # numbered through the framework, as the shipped and loaded ones are
    for area_code, competence_codes in (("1", ["1.1", "1.2"]), ("2", ["2.1"])):
        area = Area.objects.create(
            framework=framework, code=area_code, order=int(area_code), name={"en": f"Area {area_code}"}
        )
        for code in competence_codes:
            order += 1
            competence = Competence.objects.create(
                framework=framework, area=area, code=code, order=order, name={"en": f"Competence {code}"}
            )
            for level in levels:
                CompetenceLevel.objects.create(
                    competence=competence, level=level, statement={"en": f"{code} at {level.code}"}
                )
    return framework


class StaffMemberFactory(DjangoModelFactory):
    class Meta:
        model = StaffMember

    authority = factory.SubFactory(AuthorityFactory)
    reference = factory.Sequence(lambda n: f"STAFF-{n:05d}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    staff = factory.SubFactory(StaffMemberFactory)
    school = factory.SubFactory(SchoolFactory, operator__authority=factory.SelfAttribute("...staff.authority"))


def staff_at(school, **fields) -> StaffMember:
    """A staff member of ``school``'s authority who works at ``school``."""
    staff = StaffMemberFactory(authority=school.authority, **fields)
    Membership.objects.create(staff=staff, school=school)
    return staff


class StaffIdentifierFactory(DjangoModelFactory):
    class Meta:
        model = StaffIdentifier

    staff = factory.SubFactory(StaffMemberFactory)
    authority = factory.SelfAttribute("staff.authority")
    system = "moodle"
    identifier = factory.Sequence(lambda n: f"user-{n}")


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    staff = factory.SubFactory(StaffMemberFactory)
    email = factory.Sequence(lambda n: f"teacher{n}@example.org")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Provider {n}")


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    programme = factory.SubFactory(ProgrammeFactory)
    provider = factory.SubFactory(ProviderFactory, authority=factory.SelfAttribute("..programme.authority"))
    code = factory.Sequence(lambda n: f"COURSE-{n}")
    title = factory.Sequence(lambda n: {"en": f"Course {n}"})
    hours = Decimal("6.00")
    mode = Course.Mode.IN_PERSON
    state = Course.State.OPEN
    completion_rule = Course.Rule.ATTENDANCE
    attendance_share = 80


class CourseMappingFactory(DjangoModelFactory):
    class Meta:
        model = CourseMapping

    course = factory.SubFactory(CourseFactory)
    authority = factory.SelfAttribute("course.programme.authority")
    system = "moodle"
    identifier = factory.Sequence(lambda n: f"course-{n}")


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.Sequence(
        lambda n: timezone.make_aware(datetime.datetime(2024, 3, 4, 9, 0)) + datetime.timedelta(days=7 * n)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    place = "Pedagogical centre, room 2"
    trainer = "A. Trainer"
    capacity = 20


class CourseEnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = CourseEnrolment

    course = factory.SubFactory(CourseFactory)
    school = factory.SubFactory(
        SchoolFactory, operator__authority=factory.SelfAttribute("...course.programme.authority")
    )
    staff = factory.LazyAttribute(lambda o: staff_at(o.school))
    state = CourseEnrolment.State.ENROLLED


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    enrolment = factory.SubFactory(CourseEnrolmentFactory)
    session = factory.SubFactory(SessionFactory, course=factory.SelfAttribute("..enrolment.course"))
    status = Attendance.Status.PRESENT
    minutes = 180


class CompletionFactory(DjangoModelFactory):
    class Meta:
        model = Completion

    course = factory.SubFactory(CourseFactory)
    school = factory.SubFactory(
        SchoolFactory, operator__authority=factory.SelfAttribute("...course.programme.authority")
    )
    staff = factory.LazyAttribute(lambda o: staff_at(o.school))
    completed_on = datetime.date(2024, 3, 25)


class AssessmentRoundFactory(DjangoModelFactory):
    class Meta:
        model = AssessmentRound

    programme = factory.SubFactory(ProgrammeFactory)
    framework = factory.LazyFunction(small_framework)
    code = factory.Sequence(lambda n: f"round-{n}")
    name = factory.Sequence(lambda n: {"en": f"Self-assessment {n}"})
    opens_on = datetime.date(2024, 1, 1)
    closes_on = datetime.date(2024, 12, 31)


class SelfAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = SelfAssessment

    round = factory.SubFactory(AssessmentRoundFactory)
    staff = factory.SubFactory(StaffMemberFactory, authority=factory.SelfAttribute("..round.programme.authority"))
    submitted_at = factory.LazyFunction(timezone.now)


class AssessmentAnswerFactory(DjangoModelFactory):
    class Meta:
        model = AssessmentAnswer

    assessment = factory.SubFactory(SelfAssessmentFactory)
    competence = factory.LazyAttribute(lambda o: o.assessment.round.framework.competences.first())
    rank = 3
