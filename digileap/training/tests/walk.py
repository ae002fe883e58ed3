"""INSIDE and OUTSIDE objects of every training model for the permission walk
(digileap/core/tests/test_permission_walk.py): per side an authority's own framework variant,
a provider, a programme with a course (with an identifier and a session), the side's teacher
(``world.staff``, the INSIDE one is the walk's teacher user) enrolled, attending and completed, a
platform identifier and an invitation, and a self-assessment round with the teacher's answers.
OUTSIDE ones carry the marker. Parts that need more add ``walk_<part>.py`` with
``extend(*, side, made, world, role_users) -> dict[label, instance]`` (see ``PARTS``)."""

from importlib import import_module
from importlib.util import find_spec

from digileap.programmes.tests.factories import ProgrammeFactory

from ..models import Membership
from .factories import (
    AssessmentAnswerFactory,
    AssessmentRoundFactory,
    AttendanceFactory,
    CompletionFactory,
    CourseEnrolmentFactory,
    CourseFactory,
    CourseMappingFactory,
    InvitationFactory,
    ProviderFactory,
    SelfAssessmentFactory,
    SessionFactory,
    StaffIdentifierFactory,
    small_framework,
)

PARTS = ["framework", "course", "staff", "attendance", "completion", "certificate", "selfassessment", "teacher"]


def _parts():
    for part in PARTS:
        name = f"{__package__}.walk_{part}"
        if find_spec(name) is not None:
            yield import_module(name)


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    for side, authority, school, staff in (
        ("INSIDE", world.authority, world.school, world.staff),
        ("OUTSIDE", world.other_authority, world.other_school, world.other_staff),
    ):
        framework = small_framework(authority=authority, code=f"{side}-framework", name={"en": f"{side} framework"})
        programme = ProgrammeFactory(
            code=f"{side}-training", name={"en": f"{side} training programme"}, authority=authority
        )
        provider = ProviderFactory(authority=authority, name=f"{side} provider")
        course = CourseFactory(
            programme=programme, provider=provider, code=f"{side}-course", title={"en": f"{side} course"}
        )
        course.competences.set(framework.competences.all()[:2])
        mapping = CourseMappingFactory(course=course, identifier=f"https://lms.example.org/{side}-course")
        session = SessionFactory(course=course, place=f"{side} room", trainer=f"{side} trainer")
        enrolment = CourseEnrolmentFactory(course=course, school=school, staff=staff)
        attendance = AttendanceFactory(enrolment=enrolment, session=session)
        completion = CompletionFactory(course=course, school=school, staff=staff, session=session)
        identifier = StaffIdentifierFactory(staff=staff, identifier=f"{side}-moodle-user")
        invitation = InvitationFactory(staff=staff, email=f"{side.lower()}-teacher@example.org")
        round_ = AssessmentRoundFactory(
            programme=programme, framework=framework, code=f"{side}-round", name={"en": f"{side} round"}
        )
        assessment = SelfAssessmentFactory(round=round_, staff=staff, school=school)
        answer = AssessmentAnswerFactory(assessment=assessment, competence=framework.competences.first(), rank=3)
        made = {
            "training.framework": framework,
            "training.frameworklevel": framework.levels.first(),
            "training.area": framework.areas.first(),
            "training.competence": framework.competences.first(),
            "training.competencelevel": framework.competences.first().level_statements.first(),
            "training.staffmember": staff,
            "training.membership": Membership.objects.get(staff=staff, school=school),
            "training.staffidentifier": identifier,
            "training.invitation": invitation,
            "training.provider": provider,
            "training.course": course,
            "training.coursemapping": mapping,
            "training.session": session,
            "training.courseenrolment": enrolment,
            "training.attendance": attendance,
            "training.completion": completion,
            "training.assessmentround": round_,
            "training.selfassessment": assessment,
            "training.assessmentanswer": answer,
        }
        for part in _parts():
            made.update(part.extend(side=side, made=made, world=world, role_users=role_users))
        for label, instance in made.items():
            objects.setdefault(label, []).append(instance)
    return {label: tuple(pair) for label, pair in objects.items()}
