"""Course pages for every role: the list with its filters, the course page, the forms (owners
inside their authority write; the school side and teachers read; outside is a 404), sessions,
platform identifiers, providers, and the list's and page's query counts."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.programmes.tests.factories import ProgrammeFactory

from ..models import Course, CourseMapping, Provider, Session
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

WRITERS = [Role.ADMINISTRATOR, Role.PROGRAMME_OWNER]
READERS = [Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.TEACHER]
FIVE = {
    "en": "Digital didactics",
    "nl": "Digitale didactiek",
    "fr": "Didactique numérique",
    "de": "Digitale Didaktik",
    "lv": "Digitālā didaktika",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(day: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2025, 3, day, hour, 0))


@pytest.fixture
def framework(world):
    return small_framework(authority=world.authority, code="own", name={"en": "Own framework"})


@pytest.fixture
def course(world, framework):
    programme = ProgrammeFactory(code="DIGI", authority=world.authority)
    provider = ProviderFactory(authority=world.authority, name="Pedagogical centre", website="https://pc.example.org")
    course = CourseFactory(
        programme=programme,
        provider=provider,
        code="DD-1",
        title=FIVE,
        description={"en": "Two mornings", "nl": "Twee ochtenden"},
        hours=Decimal("6.5"),
        target_levels=[1, 2],
        target_roles=["teacher"],
    )
    course.competences.set(framework.competences.filter(code__in=["1.1", "2.1"]))
    SessionFactory(
        course=course, starts_at=at(4, 9), ends_at=at(4, 12), capacity=12, place="Room 2", trainer="A. Trainer"
    )
    SessionFactory(course=course, starts_at=at(11, 9), ends_at=at(11, 12), capacity=10, place="Room 3")
    CourseEnrolmentFactory(course=course, school=world.school, staff=world.staff)
    CourseMappingFactory(course=course, system="moodle", identifier="DD-MOODLE")
    return course


@pytest.fixture
def outside_course(world):
    programme = ProgrammeFactory(code="FAR", authority=world.other_authority)
    return CourseFactory(
        programme=programme,
        provider=ProviderFactory(authority=world.other_authority, name="OUTSIDE provider"),
        code="OUTSIDE-1",
        title={"en": "OUTSIDE course"},
    )


@pytest.mark.parametrize("role", list(Role))
def test_the_list_for_every_role(role, role_users, course, outside_course):
    response = client_for(role_users[role]).get(reverse("training:course-list"))
    if role in (Role.SUPPLIER, Role.DATA_PROTECTION_OFFICER):  # no training grants
        assert response.status_code == 403
        return
    assert response.status_code == 200
    text = response.content.decode()
    assert "Digital didactics" in text and "Pedagogical centre" in text
    assert ("OUTSIDE" in text) == (role == Role.ADMINISTRATOR)
    assert ("New course" in text) == (role in WRITERS)
    # Hours, sessions, enrolled / the smallest session's capacity.
    assert '<td class="numeric">6.5</td>' in text
    assert '<td class="numeric">2</td>' in text
    assert "1 / 10" in text


def test_the_list_speaks_the_users_language(role_users, course):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.get(reverse("training:course-list"), HTTP_ACCEPT_LANGUAGE="lv")
    assert "Digitālā didaktika" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"q": "didactiek"}, True),
        ({"q": "dd-1"}, True),
        ({"q": "nothing"}, False),
        ({"mode": "online"}, False),
        ({"mode": "in_person"}, True),
        ({"state": "open"}, True),
        ({"state": "closed"}, False),
        ({"level": "1"}, True),
        ({"level": "3"}, False),
    ],
)
def test_the_list_filters(role_users, course, query, shown):
    other = CourseFactory(
        programme=course.programme,
        provider=course.provider,
        code="OTHER-2",
        title={"en": "Spreadsheets"},
        target_levels=[3],
        mode="online",
    )
    response = client_for(role_users[Role.PROGRAMME_OWNER]).get(reverse("training:course-list"), query)
    assert response.status_code == 200
    text = response.content.decode()
    assert ("Digital didactics" in text) == shown
    assert other.title["en"] not in text or query in ({"mode": "online"}, {"level": "3"}, {"state": "open"})


def test_courses_without_levels_are_for_every_level(role_users, course):
    CourseFactory(programme=course.programme, provider=course.provider, code="ALL-LEVELS", target_levels=[])
    response = client_for(role_users[Role.PROGRAMME_OWNER]).get(reverse("training:course-list"), {"level": "4"})
    text = response.content.decode()
    assert "ALL-LEVELS" in text and "DD-1" not in text


def test_the_list_filters_by_competence_area(role_users, course, framework):
    area_two = framework.areas.get(code="2")
    other = CourseFactory(programme=course.programme, provider=course.provider, code="ONLY-1")
    other.competences.set(framework.competences.filter(code="1.2"))
    response = client_for(role_users[Role.PROGRAMME_OWNER]).get(reverse("training:course-list"), {"area": area_two.pk})
    text = response.content.decode()
    assert "DD-1" in text and "ONLY-1" not in text


def test_drafts_are_seen_by_those_who_change_them(role_users, course):
    CourseFactory(programme=course.programme, provider=course.provider, code="DRAFTY", state=Course.State.DRAFT)
    for role in list(Role):
        if role in (Role.SUPPLIER, Role.DATA_PROTECTION_OFFICER):  # no training grants
            continue
        text = client_for(role_users[role]).get(reverse("training:course-list")).content.decode()
        assert ("DRAFTY" in text) == (role in WRITERS), role


@pytest.mark.parametrize("role", list(Role))
def test_the_course_page_for_every_role(role, role_users, course, outside_course):
    client = client_for(role_users[role])
    response = client.get(reverse("training:course-detail", args=[course.pk]))
    outside = client.get(reverse("training:course-detail", args=[outside_course.pk]))
    if role in (Role.SUPPLIER, Role.DATA_PROTECTION_OFFICER):  # no training grants
        assert response.status_code == 404
        return
    assert outside.status_code == (200 if role == Role.ADMINISTRATOR else 404)
    assert response.status_code == 200
    text = response.content.decode()
    for shown in (
        "Digital didactics",
        "Two mornings",
        "Pedagogical centre",
        "6.5",
        "Room 2",
        "A. Trainer",
        "Competence 1.1",
        "Competence 2.1",
        "Primary (ISCED 1)",
        "Lower secondary (ISCED 2)",
        "DD-MOODLE",
        "at least 80 % of the minutes attended",
    ):
        assert shown in text, shown
    assert "Competence 1.2" not in text
    assert "<dt>Staff roles</dt><dd>Teacher</dd>" in text
    assert ("Edit the course" in text) == (role in WRITERS)
    assert ("Add a session" in text) == (role in WRITERS)
    assert ("Add an identifier" in text) == (role in WRITERS)
    assert ("Remove</button>" in text) == (role in WRITERS)


def test_the_course_page_in_latvian(role_users, course):
    response = client_for(role_users[Role.TEACHER]).get(
        reverse("training:course-detail", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="lv"
    )
    text = response.content.decode()
    assert "Digitālā didaktika" in text


def test_the_course_page_links_enrolment_and_attendance_once_they_exist(role_users, course):
    from django.urls import NoReverseMatch

    text = (
        client_for(role_users[Role.SCHOOL_COORDINATOR])
        .get(reverse("training:course-detail", args=[course.pk]))
        .content.decode()
    )
    try:
        enrol = reverse("training:course-enrol", kwargs={"pk": course.pk})
    except NoReverseMatch:
        enrol = None
    if enrol:
        assert enrol in text
    session = course.sessions.order_by("starts_at").first()
    try:
        attendance = reverse("training:session-attendance", kwargs={"pk": session.pk})
    except NoReverseMatch:
        attendance = None
    if attendance:
        assert attendance in text
    # A teacher neither enrols others nor takes attendance: no attendance link.
    teacher = (
        client_for(role_users[Role.TEACHER]).get(reverse("training:course-detail", args=[course.pk])).content.decode()
    )
    if attendance:
        assert attendance not in teacher


# Forms


def course_post(programme, provider, competences=(), **overrides) -> dict:
    data = {
        "programme": programme.pk,
        "provider": provider.pk,
        "code": "NEW-1",
        **{f"title_{code}": text for code, text in FIVE.items()},
        "description_en": "About it",
        "hours": "4",
        "mode": "online",
        "competences": [c.pk for c in competences],
        "target_levels": ["0", "1"],
        "target_roles": ["teacher", "school_leader"],
        "completion_rule": "both",
        "attendance_share": "90",
        "state": "open",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", list(Role))
def test_the_new_course_form_for_every_role(role, role_users, course, outside_course):
    response = client_for(role_users[role]).get(reverse("training:course-create"))
    if role not in WRITERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    text = response.content.decode()
    assert "Pedagogical centre" in text and "Competence 1.1" in text
    assert ("OUTSIDE" in text) == (role == Role.ADMINISTRATOR)


def test_an_owner_makes_a_course_with_its_five_titles(role_users, course, framework):
    competences = list(framework.competences.filter(code__in=["1.1", "1.2"]))
    response = client_for(role_users[Role.PROGRAMME_OWNER]).post(
        reverse("training:course-create"), course_post(course.programme, course.provider, competences)
    )
    made = Course.objects.get(code="NEW-1")
    assert response.status_code == 302 and response["Location"] == reverse("training:course-detail", args=[made.pk])
    assert made.title == FIVE
    assert made.description == {"en": "About it"}
    assert (made.hours, made.mode, made.completion_rule, made.attendance_share, made.state) == (
        Decimal("4.00"),
        "online",
        "both",
        90,
        "open",
    )
    assert (made.target_levels, made.target_roles) == ([0, 1], ["teacher", "school_leader"])
    assert sorted(made.competences.values_list("code", flat=True)) == ["1.1", "1.2"]


def test_a_taken_code_is_shown_on_its_field(role_users, course):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).post(
        reverse("training:course-create"), course_post(course.programme, course.provider, code="dd-1")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["The programme already has a course with the code dd-1."]
    assert Course.objects.count() == 1


def test_competences_of_two_frameworks_are_shown_as_an_error(role_users, course, framework):
    shipped = small_framework(code="shipped", name={"en": "Shipped"})
    chosen = [framework.competences.first(), shipped.competences.first()]
    response = client_for(role_users[Role.PROGRAMME_OWNER]).post(
        reverse("training:course-create"), course_post(course.programme, course.provider, chosen)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["competences"] == ["Choose the competences of one framework only."]


def test_an_outside_programme_is_not_a_choice(role_users, course, outside_course):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).post(
        reverse("training:course-create"), course_post(outside_course.programme, outside_course.provider)
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"programme", "provider"}
    assert not Course.objects.filter(code="NEW-1").exists()


def test_an_owner_edits_a_course(role_users, course, framework):
    url = reverse("training:course-update", args=[course.pk])
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    form = client.get(url)
    assert form.status_code == 200 and 'value="Digitālā didaktika"' in form.content.decode()
    data = course_post(course.programme, course.provider, list(framework.competences.filter(code="1.2")), code="DD-1")
    data.pop("programme")
    data["title_de"] = ""
    response = client.post(url, data)
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == {key: value for key, value in FIVE.items() if key != "de"}
    assert list(course.competences.values_list("code", flat=True)) == ["1.2"]


@pytest.mark.parametrize("role", READERS)
def test_readers_do_not_edit(role, role_users, course):
    client = client_for(role_users[role])
    assert client.get(reverse("training:course-update", args=[course.pk])).status_code == 403
    response = client.post(reverse("training:course-update", args=[course.pk]), {"code": "X"})
    assert response.status_code == 403
    assert client.get(reverse("training:session-create", args=[course.pk])).status_code == 403
    session = course.sessions.first()
    assert client.post(reverse("training:session-update", args=[session.pk]), {"capacity": 3}).status_code == 403
    assert client.post(reverse("training:session-delete", args=[session.pk])).status_code == 403
    assert (
        client.post(
            reverse("training:coursemapping-create", args=[course.pk]), {"system": "xapi", "identifier": "x"}
        ).status_code
        == 403
    )
    mapping = course.mappings.first()
    assert client.post(reverse("training:coursemapping-delete", args=[mapping.pk])).status_code == 403
    course.refresh_from_db()
    assert course.code == "DD-1" and Session.objects.filter(course=course).count() == 2
    assert CourseMapping.objects.filter(course=course).count() == 1


def test_an_owner_writes_nothing_outside(role_users, outside_course):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    session = SessionFactory(course=outside_course)
    assert client.get(reverse("training:course-update", args=[outside_course.pk])).status_code == 404
    assert client.get(reverse("training:session-create", args=[outside_course.pk])).status_code == 404
    assert client.post(reverse("training:session-delete", args=[session.pk])).status_code == 404
    assert Session.objects.filter(pk=session.pk).exists()


# Sessions


def test_an_owner_adds_edits_and_deletes_a_session(role_users, course):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.post(
        reverse("training:session-create", args=[course.pk]),
        {
            "starts_at": "2025-04-01T09:00",
            "ends_at": "2025-04-01T12:30",
            "place": "Hall",
            "trainer": "C",
            "capacity": "15",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(place="Hall")
    assert (session.starts_at, session.ends_at, session.capacity) == (
        timezone.make_aware(datetime.datetime(2025, 4, 1, 9, 0)),
        timezone.make_aware(datetime.datetime(2025, 4, 1, 12, 30)),
        15,
    )
    response = client.post(
        reverse("training:session-update", args=[session.pk]),
        {"starts_at": "2025-04-01T09:00", "ends_at": "2025-04-01T08:00", "place": "Hall", "capacity": "15"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ends_at"] == ["The session ends after it starts."]
    response = client.post(
        reverse("training:session-update", args=[session.pk]),
        {"starts_at": "2025-04-01T09:00", "ends_at": "2025-04-01T12:00", "place": "", "capacity": "15"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["place"] == ["The course is given in person: give the session's place."]
    assert client.get(reverse("training:session-delete", args=[session.pk])).status_code == 200
    assert client.post(reverse("training:session-delete", args=[session.pk])).status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()


def test_a_session_with_attendance_is_not_deleted(role_users, course, world):
    session = course.sessions.order_by("starts_at").first()
    AttendanceFactory(session=session, enrolment=course.enrolments.get())
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    page = client.get(reverse("training:session-delete", args=[session.pk])).content.decode()
    assert "It has attendance recorded for 1 person: it cannot be deleted." in page
    response = client.post(reverse("training:session-delete", args=[session.pk]), follow=True)
    assert "The session has attendance recorded for 1 people: it cannot be deleted." in response.content.decode()
    assert Session.objects.filter(pk=session.pk).exists()


# Identifiers


def test_an_owner_adds_and_removes_an_identifier(role_users, course):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.post(
        reverse("training:coursemapping-create", args=[course.pk]), {"system": "xapi", "identifier": "https://lms/dd"}
    )
    assert response.status_code == 302
    mapping = CourseMapping.objects.get(system="xapi")
    assert (mapping.course, mapping.identifier) == (course, "https://lms/dd")
    other = CourseFactory(programme=course.programme, provider=course.provider, code="OTHER")
    response = client.post(
        reverse("training:coursemapping-create", args=[other.pk]),
        {"system": "xapi", "identifier": "https://lms/dd"},
        follow=True,
    )
    assert "xapi already knows the course DD-1 by this identifier." in response.content.decode()
    assert client.post(reverse("training:coursemapping-delete", args=[mapping.pk])).status_code == 302
    assert not CourseMapping.objects.filter(pk=mapping.pk).exists()


# Providers


@pytest.mark.parametrize("role", list(Role))
def test_the_providers_for_every_role(role, role_users, course, outside_course):
    response = client_for(role_users[role]).get(reverse("training:provider-list"))
    if role in (Role.SUPPLIER, Role.DATA_PROTECTION_OFFICER):  # no training grants
        assert response.status_code == 403
        return
    text = response.content.decode()
    assert response.status_code == 200 and "Pedagogical centre" in text
    assert ("OUTSIDE" in text) == (role == Role.ADMINISTRATOR)
    assert ("New provider" in text) == (role in WRITERS)
    create = client_for(role_users[role]).get(reverse("training:provider-create"))
    assert create.status_code == (200 if role in WRITERS else 403)


def test_an_owner_adds_and_renames_a_provider(role_users, world, course):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    response = client.post(
        reverse("training:provider-create"), {"authority": world.authority.pk, "name": "Hogeschool", "website": ""}
    )
    assert response.status_code == 302
    provider = Provider.objects.get(name="Hogeschool")
    duplicate = client.post(
        reverse("training:provider-create"), {"authority": world.authority.pk, "name": "hogeschool"}
    )
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors["name"] == ["The authority already has a provider named hogeschool."]
    response = client.post(reverse("training:provider-update", args=[provider.pk]), {"name": "Hogeschool Gent"})
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.name == "Hogeschool Gent"
    coordinator = client_for(role_users[Role.SCHOOL_COORDINATOR])
    assert coordinator.post(reverse("training:provider-update", args=[provider.pk]), {"name": "X"}).status_code == 403


# Query counts: one query for the rows whatever their number.


def _queries_of(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_list_costs_the_same_for_one_or_many_courses(role_users, course, django_assert_num_queries):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    url = reverse("training:course-list")
    client.get(url)
    one = _queries_of(client, url)
    for number in range(6):
        extra = CourseFactory(programme=course.programme, provider=course.provider, code=f"EXTRA-{number}")
        SessionFactory(course=extra)
        CourseEnrolmentFactory(course=extra, school=course.enrolments.get().school)
    with django_assert_num_queries(one):
        assert client.get(url).status_code == 200


def test_the_course_page_costs_the_same_for_few_or_many_sessions(role_users, course, django_assert_num_queries):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("training:course-detail", args=[course.pk])
    client.get(url)
    few = _queries_of(client, url)
    for day in range(12, 20):
        SessionFactory(course=course, starts_at=at(day, 14), ends_at=at(day, 16))
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


def test_an_inactive_frameworks_competences_stay_offered_on_its_courses(role_users, course, framework):
    framework.is_active = False
    framework.save()
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    assert "Competence 1.1" not in client.get(reverse("training:course-create")).content.decode()
    form = client.get(reverse("training:course-update", args=[course.pk])).context["form"]
    offered = [value for _group, options in form.fields["competences"].choices for value, _label in options]
    assert set(framework.competences.values_list("pk", flat=True)) <= set(offered)
    assert sorted(form.initial["competences"]) == sorted(course.competences.values_list("pk", flat=True))
