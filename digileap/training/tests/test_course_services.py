"""Course services: providers, courses, sessions and platform identifiers; exact values written,
every refusal (nothing written), the audit trail, and who may write."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.models import IscedLevel

from ..models import Course, CourseMapping, Provider, Session, StaffRole
from ..selectors.courses import course_capacity
from ..services import courses as services
from .factories import (
    AttendanceFactory,
    CourseEnrolmentFactory,
    CourseFactory,
    CourseMappingFactory,
    ProviderFactory,
    SessionFactory,
    small_framework,
)

pytestmark = pytest.mark.django_db

FIVE = {
    "en": "Digital didactics",
    "nl": "Digitale didactiek",
    "fr": "Didactique numérique",
    "de": "Digitale Didaktik",
    "lv": "Digitālā didaktika",
}


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2025, 3, day, hour, minute))


@pytest.fixture
def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="DIGI", authority=world.authority)


@pytest.fixture
def provider(world):
    return ProviderFactory(authority=world.authority, name="Pedagogical centre")


@pytest.fixture
def framework(world):
    return small_framework(authority=world.authority, code="own", name={"en": "Own framework"})


def make_course(owner, programme, provider, **fields):
    data = {"code": "DD-1", "title": FIVE, "hours": Decimal("6")}
    data.update(fields)
    return services.create_course(actor=owner, programme=programme, provider=provider, **data)


# Providers


def test_a_provider_is_created_and_audited(owner, world):
    provider = services.create_provider(
        actor=owner, authority=world.authority, name="  Hogeschool Gent ", website="https://hogent.be"
    )
    assert (provider.authority, provider.name, provider.website) == (
        world.authority,
        "Hogeschool Gent",
        "https://hogent.be",
    )
    event = AuditEvent.objects.get(object_type="training.provider", object_id=str(provider.pk))
    assert event.action == "create" and event.after["name"] == "Hogeschool Gent"


def test_a_provider_name_is_unique_within_its_authority(owner, world, provider):
    with pytest.raises(ValidationError) as caught:
        services.create_provider(actor=owner, authority=world.authority, name="PEDAGOGICAL centre")
    assert caught.value.message_dict == {"name": ["The authority already has a provider named PEDAGOGICAL centre."]}
    # Another authority may use the name.
    other = services.create_provider(actor=SystemActor(), authority=world.other_authority, name="Pedagogical centre")
    assert other.authority == world.other_authority
    assert Provider.objects.filter(name__iexact="pedagogical centre").count() == 2


@pytest.mark.parametrize(
    ("name", "website", "errors"),
    [
        ("", "", {"name": ["Give the provider a name."]}),
        ("X", "ftp://x.org", {"website": ["Give the website as an address starting with https:// or http://."]}),
    ],
)
def test_a_provider_with_bad_input_is_refused(owner, world, name, website, errors):
    with pytest.raises(ValidationError) as caught:
        services.create_provider(actor=owner, authority=world.authority, name=name, website=website)
    assert caught.value.message_dict == errors
    assert not Provider.objects.exists()


@pytest.mark.parametrize("role", [Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF, Role.TEACHER, Role.AUDITOR])
def test_only_owners_add_providers(role, role_users, world):
    with pytest.raises(PermissionDenied):
        services.create_provider(actor=role_users[role], authority=world.authority, name="X")


def test_an_owner_adds_no_provider_to_another_authority(owner, world):
    with pytest.raises(PermissionDenied):
        services.create_provider(actor=owner, authority=world.other_authority, name="X")


def test_a_provider_is_renamed(owner, provider):
    ProviderFactory(authority=provider.authority, name="Taken")
    updated = services.update_provider(actor=owner, provider=provider, name="Renamed", website="")
    assert updated.name == "Renamed"
    with pytest.raises(ValidationError) as caught:
        services.update_provider(actor=owner, provider=provider, name="taken")
    assert caught.value.message_dict == {"name": ["The authority already has a provider named taken."]}
    provider.refresh_from_db()
    assert provider.name == "Renamed"


# Courses


def test_a_course_is_created_with_every_field(owner, programme, provider, framework):
    competences = list(framework.competences.filter(code__in=["1.2", "2.1"]))
    course = make_course(
        owner,
        programme,
        provider,
        hours="12.5",
        mode=Course.Mode.BLENDED,
        competences=competences,
        target_levels=[IscedLevel.LOWER_SECONDARY, IscedLevel.PRIMARY, IscedLevel.PRIMARY],
        target_roles=[StaffRole.ICT_COORDINATOR, StaffRole.TEACHER],
        completion_rule=Course.Rule.BOTH,
        attendance_share=75,
        description={"en": "Two days", "nl": "Twee dagen"},
        state=Course.State.DRAFT,
    )
    course = Course.objects.get(pk=course.pk)
    assert course.title == FIVE
    assert course.description == {"en": "Two days", "nl": "Twee dagen"}
    assert course.hours == Decimal("12.50")
    assert (course.mode, course.completion_rule, course.attendance_share, course.state) == (
        "blended",
        "both",
        75,
        "draft",
    )
    assert course.target_levels == [1, 2]
    assert course.target_roles == ["teacher", "ict_coordinator"]
    assert sorted(course.competences.values_list("code", flat=True)) == ["1.2", "2.1"]
    assert course.created_by == owner
    event = AuditEvent.objects.get(object_type="training.course", object_id=str(course.pk))
    assert event.after["competences"] == ["1.2", "2.1"]
    assert event.after["title"] == FIVE


def test_the_defaults(owner, programme, provider):
    course = make_course(owner, programme, provider)
    assert (course.mode, course.completion_rule, course.attendance_share, course.state) == (
        "in_person",
        "attendance",
        80,
        "open",
    )
    assert (course.description, course.target_levels, course.target_roles) == ({}, [], [])
    assert list(course.competences.all()) == []


def test_shipped_framework_competences_are_allowed(owner, programme, provider):
    shipped = small_framework(code="shipped")
    course = make_course(owner, programme, provider, competences=list(shipped.competences.all()))
    assert course.competences.count() == 3


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"code": " "}, {"code": ["Give the course a code."]}),
        ({"title": {"en": "  "}}, {"title": ["Give the title in at least one language."]}),
        ({"title": {"xx": "Hello"}}, {"title": ["Unknown language codes: xx"]}),
        ({"hours": "-1"}, {"hours": ["The hours cannot be negative."]}),
        ({"hours": "six"}, {"hours": ["Give the hours as a number, for example 6 or 1.5."]}),
        ({"hours": "1.255"}, {"hours": ["Give the hours with at most two decimals."]}),
        ({"attendance_share": 0}, {"attendance_share": ["The attendance needed is a whole percentage from 1 to 100."]}),
        (
            {"attendance_share": 101},
            {"attendance_share": ["The attendance needed is a whole percentage from 1 to 100."]},
        ),
        ({"mode": "radio"}, {"mode": ["Choose the mode: in person, online or blended."]}),
        ({"state": "gone"}, {"state": ["Choose the state: draft, open for enrolment or closed."]}),
        (
            {"completion_rule": "luck"},
            {"completion_rule": ["Choose the completion rule: attendance, an assessment or both."]},
        ),
        ({"target_levels": [7]}, {"target_levels": ["7 is not a school level (ISCED 0 to 4)."]}),
        ({"target_roles": ["janitor"]}, {"target_roles": ["janitor is not a staff role."]}),
        ({"competences": [999999]}, {"competences": ["Some of the chosen competences do not exist."]}),
    ],
)
def test_a_course_with_bad_input_is_refused(owner, programme, provider, fields, errors):
    with pytest.raises(ValidationError) as caught:
        make_course(owner, programme, provider, **fields)
    assert caught.value.message_dict == errors
    assert not Course.objects.exists()


def test_competences_of_two_frameworks_are_refused(owner, programme, provider, framework):
    other = small_framework(code="shipped")
    chosen = [framework.competences.first(), other.competences.first()]
    with pytest.raises(ValidationError) as caught:
        make_course(owner, programme, provider, competences=chosen)
    assert caught.value.message_dict == {"competences": ["Choose the competences of one framework only."]}
    assert not Course.objects.exists()


def test_competences_of_another_authoritys_framework_are_refused(owner, programme, provider, world):
    foreign = small_framework(authority=world.other_authority, code="foreign")
    with pytest.raises(ValidationError) as caught:
        make_course(owner, programme, provider, competences=list(foreign.competences.all()))
    assert caught.value.message_dict == {
        "competences": [
            "The competences must come from a framework shipped with Digileap or of the programme's authority."
        ]
    }
    # Not even an administrator attaches them.
    with pytest.raises(ValidationError):
        make_course(SystemActor(), programme, provider, competences=list(foreign.competences.all()))


def test_the_code_is_unique_within_the_programme(owner, programme, provider, world):
    make_course(owner, programme, provider, code="DD-1")
    with pytest.raises(ValidationError) as caught:
        make_course(owner, programme, provider, code="dd-1")
    assert caught.value.message_dict == {"code": ["The programme already has a course with the code dd-1."]}
    other_programme = ProgrammeFactory(code="OTHER", authority=world.authority)
    assert make_course(owner, other_programme, provider, code="DD-1").programme == other_programme


def test_the_provider_belongs_to_the_programmes_authority(owner, programme, world):
    foreign = ProviderFactory(authority=world.other_authority, name="Far")
    with pytest.raises(ValidationError) as caught:
        make_course(owner, programme, foreign)
    assert caught.value.message_dict == {"provider": ["The provider must be one of the programme's authority."]}


@pytest.mark.parametrize(
    "role", [Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF, Role.TEACHER, Role.AUDITOR, Role.FUNDING_ADMINISTRATOR]
)
def test_only_owners_create_courses(role, role_users, programme, provider):
    with pytest.raises(PermissionDenied):
        make_course(role_users[role], programme, provider)
    assert not Course.objects.exists()


def test_an_owner_creates_no_course_in_another_authority(owner, world):
    programme = ProgrammeFactory(code="FAR", authority=world.other_authority)
    provider = ProviderFactory(authority=world.other_authority)
    with pytest.raises(PermissionDenied):
        make_course(owner, programme, provider)


def test_a_course_is_updated_and_only_changes_are_audited(owner, programme, provider, framework):
    course = make_course(owner, programme, provider, competences=[framework.competences.get(code="1.1")])
    updated = services.update_course(
        actor=owner,
        course=course,
        title={"en": "New"},
        hours=Decimal("3"),
        competences=list(framework.competences.filter(code__in=["1.1", "1.2"])),
        state=Course.State.CLOSED,
    )
    assert (updated.title, updated.hours, updated.state) == ({"en": "New"}, Decimal("3.00"), "closed")
    assert sorted(updated.competences.values_list("code", flat=True)) == ["1.1", "1.2"]
    event = AuditEvent.objects.filter(object_type="training.course", action="update").get()
    assert event.before == {"title": FIVE, "hours": "6.00", "state": "open", "competences": ["1.1"]}
    assert event.after == {"title": {"en": "New"}, "hours": "3.00", "state": "closed", "competences": ["1.1", "1.2"]}
    # Without competences given, they stay.
    services.update_course(actor=owner, course=course, hours=Decimal("3"))
    assert course.competences.count() == 2
    assert AuditEvent.objects.filter(object_type="training.course", action="update").count() == 1


def test_an_update_with_bad_input_writes_nothing(owner, programme, provider):
    course = make_course(owner, programme, provider)
    with pytest.raises(ValidationError):
        services.update_course(actor=owner, course=course, title={"en": "Changed"}, attendance_share=0)
    course.refresh_from_db()
    assert course.title == FIVE and course.attendance_share == 80
    with pytest.raises(ValidationError) as caught:
        services.update_course(actor=owner, course=course, programme=programme)
    assert caught.value.messages == ["These fields cannot be set here: programme"]


def test_a_coordinator_cannot_update_a_course(role_users, programme, provider, owner):
    course = make_course(owner, programme, provider)
    with pytest.raises(PermissionDenied):
        services.update_course(actor=role_users[Role.SCHOOL_COORDINATOR], course=course, hours=1)


# Sessions


def test_a_session_is_added(owner, programme, provider):
    course = make_course(owner, programme, provider)
    session = services.add_session(
        actor=owner,
        course=course,
        starts_at=at(4, 9),
        ends_at=at(4, 12, 30),
        capacity=18,
        place=" Room 2 ",
        trainer="A. Trainer",
    )
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at, session.capacity, session.place, session.link, session.trainer) == (
        at(4, 9),
        at(4, 12, 30),
        18,
        "Room 2",
        "",
        "A. Trainer",
    )
    assert session.minutes == 210
    assert AuditEvent.objects.filter(object_type="training.session", action="create").count() == 1
    assert course_capacity(course) == 18
    services.add_session(actor=owner, course=course, starts_at=at(11, 9), ends_at=at(11, 12), capacity=12, place="R")
    assert course_capacity(course) == 12


def test_a_course_without_sessions_has_no_capacity(owner, programme, provider):
    assert course_capacity(make_course(owner, programme, provider)) is None


@pytest.mark.parametrize(
    ("mode", "fields", "errors"),
    [
        ("in_person", {"ends_at": at(4, 9)}, {"ends_at": ["The session ends after it starts."]}),
        ("in_person", {"ends_at": at(4, 8)}, {"ends_at": ["The session ends after it starts."]}),
        ("in_person", {"capacity": 0}, {"capacity": ["A session takes at least one person."]}),
        ("in_person", {"place": ""}, {"place": ["The course is given in person: give the session's place."]}),
        ("online", {"place": "Room"}, {"link": ["The course is given online: give the session's link."]}),
        ("blended", {"place": ""}, {"place": ["The course is blended: give the session's place, its link or both."]}),
        (
            "online",
            {"link": "javascript:alert(1)"},
            {"link": ["Give the online link as an address starting with https:// or http://."]},
        ),
    ],
)
def test_a_session_with_bad_input_is_refused(owner, programme, provider, mode, fields, errors):
    course = make_course(owner, programme, provider, mode=mode)
    data = {"starts_at": at(4, 9), "ends_at": at(4, 12), "capacity": 10, "place": "Room 2"}
    data.update(fields)
    with pytest.raises(ValidationError) as caught:
        services.add_session(actor=owner, course=course, **data)
    assert caught.value.message_dict == errors
    assert not Session.objects.exists()


def test_online_and_blended_sessions(owner, programme, provider):
    online = make_course(owner, programme, provider, code="ON", mode="online")
    session = services.add_session(
        actor=owner,
        course=online,
        starts_at=at(4, 9),
        ends_at=at(4, 10),
        capacity=100,
        link="https://meet.example.org/x",
    )
    assert session.link == "https://meet.example.org/x"
    blended = make_course(owner, programme, provider, code="BL", mode="blended")
    assert (
        services.add_session(
            actor=owner, course=blended, starts_at=at(4, 9), ends_at=at(4, 10), capacity=5, place="Hall"
        ).place
        == "Hall"
    )


def test_a_capacity_below_the_enrolled_count_is_refused(owner, programme, provider, world):
    course = make_course(owner, programme, provider)
    for _ in range(3):
        CourseEnrolmentFactory(course=course, school=world.school)
    with pytest.raises(ValidationError) as caught:
        services.add_session(actor=owner, course=course, starts_at=at(4, 9), ends_at=at(4, 10), capacity=2, place="R")
    assert caught.value.message_dict == {
        "capacity": ["3 people are enrolled on the course: a session needs room for at least them."]
    }


def test_a_session_is_updated(owner, programme, provider):
    course = make_course(owner, programme, provider)
    session = services.add_session(
        actor=owner, course=course, starts_at=at(4, 9), ends_at=at(4, 12), capacity=10, place="R"
    )
    services.update_session(actor=owner, session=session, capacity=15, trainer="B. Trainer")
    session.refresh_from_db()
    assert (session.capacity, session.trainer) == (15, "B. Trainer")
    event = AuditEvent.objects.get(object_type="training.session", action="update")
    assert event.before == {"capacity": 10, "trainer": ""} and event.after == {"capacity": 15, "trainer": "B. Trainer"}
    with pytest.raises(ValidationError) as caught:
        services.update_session(actor=owner, session=session, ends_at=at(4, 8))
    assert caught.value.message_dict == {"ends_at": ["The session ends after it starts."]}
    session.refresh_from_db()
    assert session.ends_at == at(4, 12)


def test_a_session_is_deleted_unless_attendance_is_recorded(owner, programme, provider):
    course = make_course(owner, programme, provider)
    free = SessionFactory(course=course)
    taken = SessionFactory(course=course)
    AttendanceFactory(session=taken, enrolment=CourseEnrolmentFactory(course=course))
    services.delete_session(actor=owner, session=free)
    assert not Session.objects.filter(pk=free.pk).exists()
    assert AuditEvent.objects.filter(object_type="training.session", action="delete").count() == 1
    with pytest.raises(ValidationError) as caught:
        services.delete_session(actor=owner, session=taken)
    assert caught.value.messages == ["The session has attendance recorded for 1 people: it cannot be deleted."]
    assert Session.objects.filter(pk=taken.pk).exists()


@pytest.mark.parametrize("role", [Role.SCHOOL_COORDINATOR, Role.TEACHER, Role.AUDITOR])
def test_only_owners_write_sessions(role, role_users, world):
    course = CourseFactory(programme__authority=world.authority)
    session = SessionFactory(course=course)
    user = role_users[role]
    with pytest.raises(PermissionDenied):
        services.add_session(actor=user, course=course, starts_at=at(4, 9), ends_at=at(4, 10), capacity=1, place="R")
    with pytest.raises(PermissionDenied):
        services.update_session(actor=user, session=session, capacity=3)
    with pytest.raises(PermissionDenied):
        services.delete_session(actor=user, session=session)


def test_an_owner_writes_no_session_of_another_authority(owner, world):
    course = CourseFactory(programme__authority=world.other_authority)
    with pytest.raises(PermissionDenied):
        services.add_session(actor=owner, course=course, starts_at=at(4, 9), ends_at=at(4, 10), capacity=1, place="R")


# Platform identifiers


def test_a_mapping_is_set_once(owner, programme, provider):
    course = make_course(owner, programme, provider)
    mapping = services.set_course_mapping(actor=owner, course=course, system=" Moodle ", identifier=" DD-2025 ")
    assert (mapping.system, mapping.identifier, mapping.authority_id) == ("moodle", "DD-2025", programme.authority_id)
    again = services.set_course_mapping(actor=owner, course=course, system="moodle", identifier="DD-2025")
    assert again.pk == mapping.pk
    assert CourseMapping.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="training.coursemapping").count() == 1
    services.delete_course_mapping(actor=owner, mapping=mapping)
    assert not CourseMapping.objects.exists()


def test_a_mapping_of_another_course_is_refused(owner, programme, provider):
    first = make_course(owner, programme, provider, code="A")
    second = make_course(owner, programme, provider, code="B")
    services.set_course_mapping(actor=owner, course=first, system="xapi", identifier="https://lms/x")
    with pytest.raises(ValidationError) as caught:
        services.set_course_mapping(actor=owner, course=second, system="xapi", identifier="https://lms/x")
    assert caught.value.message_dict == {"identifier": ["xapi already knows the course A by this identifier."]}


@pytest.mark.parametrize(
    ("system", "identifier", "errors"),
    [
        ("scorm", "x", {"system": ["Choose the system: Moodle, xAPI or other."]}),
        ("moodle", "  ", {"identifier": ["Give the identifier the system uses for the course."]}),
    ],
)
def test_a_mapping_with_bad_input_is_refused(owner, programme, provider, system, identifier, errors):
    course = make_course(owner, programme, provider)
    with pytest.raises(ValidationError) as caught:
        services.set_course_mapping(actor=owner, course=course, system=system, identifier=identifier)
    assert caught.value.message_dict == errors


def test_a_coordinator_sets_no_mapping(role_users, world):
    mapping = CourseMappingFactory(course=CourseFactory(programme__authority=world.authority))
    with pytest.raises(PermissionDenied):
        services.set_course_mapping(
            actor=role_users[Role.SCHOOL_COORDINATOR], course=mapping.course, system="moodle", identifier="y"
        )
    with pytest.raises(PermissionDenied):
        services.delete_course_mapping(actor=role_users[Role.SCHOOL_COORDINATOR], mapping=mapping)
