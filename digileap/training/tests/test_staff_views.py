"""Staff pages: the list per role (scope, filters, the registry's teacher count), names shown only
with the setting, the new record and its edit, a second school and its end, the person's page
(enrolments and completions, never self-assessments), and OUTSIDE records answering 404."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.schools.models import StaffCount
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import CourseEnrolment, Membership, StaffMember
from .factories import (
    CompletionFactory,
    CourseEnrolmentFactory,
    CourseFactory,
    SelfAssessmentFactory,
    staff_at,
)

pytestmark = pytest.mark.django_db

LIST = reverse("training:staffmember-list")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(world):
    """Staff of the INSIDE school, a sibling school (same operator) and a far school (another
    operator of the same authority)."""
    sibling = SchoolFactory(operator=world.operator, name="Sibling school")
    far = SchoolFactory(operator=OperatorFactory(authority=world.authority, name="Far operator"), name="Far school")
    return {
        "colleague": staff_at(world.school, reference="COLLEAGUE", email="colleague@example.org"),
        "sibling": staff_at(sibling, reference="SIBLING"),
        "far": staff_at(far, reference="FAR"),
    }


def references(response) -> list[str]:
    """The references the list links to, in the fixture's order: matched as link text, so that a
    random token in the page (the CSRF token holds letters such as "FAR") never counts."""
    refs = ("INSIDE-teacher", "COLLEAGUE", "SIBLING", "FAR", "OUTSIDE-teacher")
    return [ref for ref in refs if f">{ref}</a>" in response.text]


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        (Role.SCHOOL_COORDINATOR, ["INSIDE-teacher", "COLLEAGUE"]),
        (Role.OPERATOR_STAFF, ["INSIDE-teacher", "COLLEAGUE", "SIBLING"]),
        (Role.PROGRAMME_OWNER, ["INSIDE-teacher", "COLLEAGUE", "SIBLING", "FAR"]),
        (Role.AUDITOR, []),  # the auditor sees pseudonyms, not references
        (Role.TEACHER, ["INSIDE-teacher"]),
        (Role.ADMINISTRATOR, ["INSIDE-teacher", "COLLEAGUE", "SIBLING", "FAR", "OUTSIDE-teacher"]),
    ],
)
def test_the_list_shows_the_roles_scope(role, seen, role_users, staff):
    response = client_for(role_users[role]).get(LIST)
    assert response.status_code == 200
    assert references(response) == seen


def test_the_auditor_sees_pseudonyms(role_users, staff, world):
    response = client_for(role_users[Role.AUDITOR]).get(LIST)
    assert world.staff.pseudonym in response.text and staff["far"].pseudonym in response.text
    assert "colleague@example.org" not in response.text
    assert world.other_staff.pseudonym not in response.text


def test_the_supplier_may_not_open_the_list(role_users):
    assert client_for(role_users[Role.SUPPLIER]).get(LIST).status_code == 403


def test_filters_and_the_registry_count(role_users, staff, world):
    StaffCount.objects.create(school=world.school, school_year="2023/24", teachers=30)
    StaffCount.objects.create(school=world.school, school_year="2024/25", teachers=32)
    owner = client_for(role_users[Role.PROGRAMME_OWNER])
    response = owner.get(LIST, {"school": world.school.pk})
    assert references(response) == ["INSIDE-teacher", "COLLEAGUE"]
    assert "INSIDE school: 2 staff records of 32 teachers in the registry (school year 2024/25)." in response.text
    assert references(owner.get(LIST, {"q": "colleague@example.org"})) == ["COLLEAGUE"]
    assert references(owner.get(LIST, {"q": "sibl"})) == ["SIBLING"]
    assert references(owner.get(LIST, {"has_account": "yes"})) == ["INSIDE-teacher"]
    assert references(owner.get(LIST, {"has_account": "no"})) == ["COLLEAGUE", "SIBLING", "FAR"]
    Membership.objects.filter(staff=staff["colleague"]).update(role="school_leader")
    assert references(owner.get(LIST, {"role": "school_leader"})) == ["COLLEAGUE"]
    # A school outside the scope is no filter choice: the list stays the user's own.
    response = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(LIST, {"school": world.other_school.pk})
    assert response.status_code == 200
    assert references(response) == ["INSIDE-teacher", "COLLEAGUE"]
    assert "OUTSIDE" not in response.text


def test_a_school_without_a_registry_count_says_so(role_users, world):
    response = client_for(role_users[Role.SCHOOL_COORDINATOR]).get(LIST, {"school": world.school.pk})
    assert "INSIDE school: 1 staff record; the registry has no teacher count for the school." in response.text


@override_settings(DIGILEAP_TRAINING_STAFF_NAMES=False)
def test_names_are_neither_asked_nor_shown_without_the_setting(role_users, world):
    StaffMember.objects.filter(pk=world.staff.pk).update(first_name="Anna", last_name="Peeters")
    coordinator = client_for(role_users[Role.SCHOOL_COORDINATOR])
    assert "Anna" not in coordinator.get(LIST).text
    assert "Anna" not in coordinator.get(reverse("training:staffmember-detail", args=[world.staff.pk])).text
    form = coordinator.get(reverse("training:staffmember-create"))
    assert 'name="first_name"' not in form.text and 'name="last_name"' not in form.text
    coordinator.post(
        reverse("training:staffmember-create"),
        {"school": world.school.pk, "role": "teacher", "reference": "T-9", "first_name": "Bert", "last_name": "B"},
    )
    assert StaffMember.objects.filter(reference="T-9").values_list("first_name", "last_name").get() == ("", "")


@override_settings(DIGILEAP_TRAINING_STAFF_NAMES=True)
def test_names_are_asked_and_shown_with_the_setting(role_users, world):
    coordinator = client_for(role_users[Role.SCHOOL_COORDINATOR])
    form = coordinator.get(reverse("training:staffmember-create"))
    assert 'name="first_name"' in form.text and 'name="last_name"' in form.text
    assert "common indicator 10" in form.text
    response = coordinator.post(
        reverse("training:staffmember-create"),
        {"school": world.school.pk, "role": "teacher", "reference": "T-9", "first_name": "Bert", "last_name": "Baert"},
    )
    staff = StaffMember.objects.get(reference="T-9")
    assert response["Location"] == reverse("training:staffmember-detail", args=[staff.pk])
    assert "Bert Baert" in coordinator.get(LIST).text
    assert "Bert Baert" in coordinator.get(reverse("training:staffmember-detail", args=[staff.pk])).text


def test_the_form_offers_only_the_users_schools_and_refuses_a_reference_in_use(role_users, world):
    coordinator = client_for(role_users[Role.SCHOOL_COORDINATOR])
    form = coordinator.get(reverse("training:staffmember-create"))
    assert "INSIDE school" in form.text and "OUTSIDE school" not in form.text
    response = coordinator.post(
        reverse("training:staffmember-create"), {"school": world.other_school.pk, "role": "teacher", "reference": "X"}
    )
    assert response.status_code == 400
    assert not StaffMember.objects.filter(reference="X").exists()
    response = coordinator.post(
        reverse("training:staffmember-create"),
        {"school": world.school.pk, "role": "teacher", "reference": "INSIDE-teacher"},
    )
    assert response.status_code == 400
    assert "The staff reference INSIDE-teacher is already on the staff of INSIDE school." in response.text
    for role in (Role.TEACHER, Role.AUDITOR, Role.SUPPLIER, Role.FUNDING_ADMINISTRATOR):
        assert client_for(role_users[role]).get(reverse("training:staffmember-create")).status_code == 403


def test_edit_a_record(role_users, world, staff):
    coordinator = client_for(role_users[Role.SCHOOL_COORDINATOR])
    url = reverse("training:staffmember-update", args=[staff["colleague"].pk])
    assert coordinator.get(url).status_code == 200
    response = coordinator.post(url, {"reference": "COLLEAGUE-2", "email": "", "gender": "male", "age_band": "55+"})
    assert response.status_code == 302
    staff["colleague"].refresh_from_db()
    assert (staff["colleague"].reference, staff["colleague"].email, staff["colleague"].gender) == (
        "COLLEAGUE-2",
        "",
        "male",
    )
    response = coordinator.post(url, {"reference": "INSIDE-teacher", "gender": "", "age_band": ""})
    assert response.status_code == 400
    assert "already used by another staff member of the authority" in response.text
    assert coordinator.get(reverse("training:staffmember-update", args=[staff["far"].pk])).status_code == 404
    assert coordinator.get(reverse("training:staffmember-update", args=[world.other_staff.pk])).status_code == 404
    teacher = client_for(role_users[Role.TEACHER])
    assert teacher.get(reverse("training:staffmember-update", args=[world.staff.pk])).status_code == 403


def test_add_a_school_and_end_it(role_users, world, staff):
    operator = client_for(role_users[Role.OPERATOR_STAFF])
    url = reverse("training:staffmember-membership", args=[staff["colleague"].pk])
    form = operator.get(url)
    assert "Sibling school" in form.text and "Far school" not in form.text
    sibling = Membership.objects.get(staff=staff["sibling"]).school
    assert operator.post(url, {"school": sibling.pk, "role": "ict_coordinator"}).status_code == 302
    membership = Membership.objects.get(staff=staff["colleague"], school=sibling)
    assert (membership.role, membership.is_active) == ("ict_coordinator", True)
    end = reverse("training:membership-end", args=[membership.pk])
    assert operator.post(end).status_code == 302
    membership.refresh_from_db()
    assert membership.is_active is False
    coordinator = client_for(role_users[Role.SCHOOL_COORDINATOR])
    other_end = reverse("training:membership-end", args=[Membership.objects.get(staff=world.other_staff).pk])
    assert coordinator.post(other_end).status_code == 404
    assert (
        client_for(role_users[Role.TEACHER])
        .post(reverse("training:membership-end", args=[Membership.objects.get(staff=world.staff).pk]))
        .status_code
        == 403
    )
    assert Membership.objects.get(staff=world.staff).is_active is True


def test_the_person_page_shows_enrolments_and_completions_never_self_assessments(role_users, world):
    course = CourseFactory(programme__authority=world.authority, title={"en": "Digital didactics"}, code="DD-1")
    waiting_course = CourseFactory(programme__authority=world.authority, title={"en": "Coding basics"}, code="CB-1")
    CourseEnrolmentFactory(course=course, staff=world.staff, school=world.school)
    CourseEnrolmentFactory(course=waiting_course, school=world.school)
    CourseEnrolmentFactory(
        course=waiting_course, staff=world.staff, school=world.school, state=CourseEnrolment.State.WAITING
    )
    CompletionFactory(course=course, staff=world.staff, school=world.school)
    SelfAssessmentFactory(round__programme=course.programme, round__name={"en": "Baseline round"}, staff=world.staff)
    coordinator = client_for(role_users[Role.SCHOOL_COORDINATOR])
    page = coordinator.get(reverse("training:staffmember-detail", args=[world.staff.pk]))
    assert page.status_code == 200
    assert "Digital didactics" in page.text and "Coding basics" in page.text
    assert "On the waiting list (place 1)" in page.text
    assert "Baseline round" not in page.text
    assert coordinator.get(reverse("training:staffmember-detail", args=[world.other_staff.pk])).status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_outside_records_answer_404(role, role_users, world):
    client = client_for(role_users[role])
    for name in ("staffmember-detail", "staffmember-update", "staffmember-membership", "staffmember-invite"):
        assert client.get(reverse(f"training:{name}", args=[world.other_staff.pk])).status_code == 404, name
