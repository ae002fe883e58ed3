"""Staff record services: creation in the actor's scope, the reference unique in the authority
(an existing one gets the school added), names kept only by the setting, memberships, edits,
scope of the selectors per role, and the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import Membership, StaffMember
from ..selectors.people import display_name, own_staff, staff_for, staff_schools
from ..services.people import add_membership, create_staff, end_membership, update_staff
from .factories import staff_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(role_users):
    return role_users[Role.SCHOOL_COORDINATOR]


def test_a_coordinator_makes_a_staff_record_at_their_school(world, coordinator):
    staff = create_staff(
        actor=coordinator,
        school=world.school,
        reference=" T-100 ",
        email="Anna@School.example",
        gender="female",
        age_band="30-54",
        role="ict_coordinator",
    )
    assert (staff.authority, staff.reference, staff.email, staff.gender, staff.age_band) == (
        world.authority,
        "T-100",
        "anna@school.example",
        "female",
        "30-54",
    )
    assert list(staff.memberships.values_list("school_id", "role", "is_active")) == [
        (world.school.pk, "ict_coordinator", True)
    ]
    events = AuditEvent.objects.filter(actor_id=coordinator.pk).order_by("pk")
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "training.staffmember"),
        ("create", "training.membership"),
    ]


def test_a_coordinator_cannot_make_a_record_at_another_school(world, coordinator):
    with pytest.raises(PermissionDenied):
        create_staff(actor=coordinator, school=world.other_school, reference="T-1")
    with pytest.raises(PermissionDenied):
        create_staff(
            actor=coordinator, school=SchoolFactory(operator=world.operator, name="Sibling school"), reference="T-1"
        )
    assert not StaffMember.objects.filter(reference="T-1").exists()


def test_the_teacher_and_the_auditor_make_no_records(world, role_users):
    for role in (Role.TEACHER, Role.AUDITOR, Role.FUNDING_ADMINISTRATOR, Role.SUPPLIER):
        with pytest.raises(PermissionDenied):
            create_staff(actor=role_users[role], school=world.school, reference=f"T-{role}")


def test_a_known_reference_gets_the_school_added(world, role_users):
    second = SchoolFactory(operator=world.operator, name="Second school")
    staff = create_staff(actor=role_users[Role.OPERATOR_STAFF], school=world.school, reference="T-7")
    again = create_staff(
        actor=role_users[Role.OPERATOR_STAFF], school=second, reference="t-7", email="t7@example.org", role="other"
    )
    assert again.pk == staff.pk
    assert again.email == "t7@example.org"  # an empty field is filled in
    assert sorted(again.memberships.values_list("school__name", "role")) == [
        ("INSIDE school", "teacher"),
        ("Second school", "other"),
    ]


def test_a_reference_already_at_the_school_is_a_clear_error(world, coordinator):
    with pytest.raises(ValidationError) as raised:
        create_staff(actor=coordinator, school=world.school, reference="inside-teacher")
    assert raised.value.message_dict == {
        "reference": ["The staff reference INSIDE-teacher is already on the staff of INSIDE school."]
    }


def test_an_edit_to_a_reference_in_use_is_a_clear_error(world, coordinator):
    staff = create_staff(actor=coordinator, school=world.school, reference="T-2")
    with pytest.raises(ValidationError) as raised:
        update_staff(actor=coordinator, staff=staff, reference="INSIDE-teacher")
    assert raised.value.message_dict == {
        "reference": ["The staff reference INSIDE-teacher is already used by another staff member of the authority."]
    }
    staff.refresh_from_db()
    assert staff.reference == "T-2"


def test_an_e_mail_in_use_in_the_authority_is_refused(world, coordinator):
    create_staff(actor=coordinator, school=world.school, reference="T-3", email="same@example.org")
    with pytest.raises(ValidationError) as raised:
        create_staff(actor=coordinator, school=world.school, reference="T-4", email="SAME@example.org")
    assert raised.value.message_dict == {
        "email": ["The e-mail address same@example.org is already on another staff record of the authority."]
    }
    # Another authority may hold the same address.
    create_staff(
        actor=user_with_role(Role.SCHOOL_COORDINATOR, world.other_school),
        school=world.other_school,
        reference="T-4",
        email="same@example.org",
    )


def test_names_are_not_stored_without_the_setting(world, coordinator):
    staff = create_staff(
        actor=coordinator, school=world.school, reference="T-5", first_name="Anna", last_name="Peeters"
    )
    assert (staff.first_name, staff.last_name) == ("", "")
    assert display_name(staff) == "T-5"


@override_settings(DIGILEAP_TRAINING_STAFF_NAMES=True)
def test_names_are_stored_and_shown_with_the_setting(world, coordinator):
    staff = create_staff(
        actor=coordinator, school=world.school, reference="T-6", first_name="Anna", last_name="Peeters"
    )
    assert (staff.first_name, staff.last_name) == ("Anna", "Peeters")
    assert display_name(staff) == "Anna Peeters"
    assert display_name(staff, user_with_role(Role.AUDITOR, world.authority)) == staff.pseudonym
    nameless = create_staff(actor=coordinator, school=world.school, reference="T-8")
    assert display_name(nameless) == "T-8"


def test_a_second_school_and_the_end_of_one(world, role_users):
    owner = role_users[Role.PROGRAMME_OWNER]
    second = SchoolFactory(operator=OperatorFactory(authority=world.authority), name="Far school")
    membership = add_membership(actor=owner, staff=world.staff, school=second, role="school_leader")
    assert (membership.school, membership.role, membership.is_active) == (second, "school_leader", True)
    with pytest.raises(ValidationError):
        add_membership(actor=owner, staff=world.staff, school=second, role="school_leader")
    end_membership(actor=owner, membership=membership)
    membership.refresh_from_db()
    assert membership.is_active is False
    with pytest.raises(ValidationError):
        end_membership(actor=owner, membership=membership)
    again = add_membership(actor=owner, staff=world.staff, school=second)
    assert (again.pk, again.is_active, again.role) == (membership.pk, True, "teacher")
    # A school of another authority is refused, and the coordinator cannot add the far school.
    with pytest.raises(PermissionDenied):
        add_membership(actor=owner, staff=world.staff, school=world.other_school)
    with pytest.raises(PermissionDenied):
        add_membership(actor=role_users[Role.SCHOOL_COORDINATOR], staff=world.staff, school=second)


def test_a_coordinator_cannot_end_another_schools_membership(world, role_users):
    with pytest.raises(PermissionDenied):
        end_membership(
            actor=role_users[Role.SCHOOL_COORDINATOR],
            membership=Membership.objects.get(staff=world.other_staff),
        )


def test_scope_of_the_staff_selector_per_role(world, role_users):
    sibling = SchoolFactory(operator=world.operator, name="Sibling school")
    sibling_staff = staff_at(sibling, reference="SIBLING")
    far = SchoolFactory(operator=OperatorFactory(authority=world.authority), name="Far school")
    far_staff = staff_at(far, reference="FAR")

    def seen(role):
        return sorted(staff_for(role_users[role]).values_list("reference", flat=True))

    assert seen(Role.SCHOOL_COORDINATOR) == ["INSIDE-teacher"]
    assert seen(Role.OPERATOR_STAFF) == ["INSIDE-teacher", "SIBLING"]
    assert seen(Role.PROGRAMME_OWNER) == ["FAR", "INSIDE-teacher", "SIBLING"]
    assert seen(Role.AUDITOR) == ["FAR", "INSIDE-teacher", "SIBLING"]
    assert seen(Role.TEACHER) == ["INSIDE-teacher"]
    assert seen(Role.SUPPLIER) == []
    assert seen(Role.ADMINISTRATOR) == ["FAR", "INSIDE-teacher", "OUTSIDE-teacher", "SIBLING"]
    assert own_staff(role_users[Role.TEACHER]) == world.staff
    assert own_staff(role_users[Role.SCHOOL_COORDINATOR]) is None
    assert list(staff_schools(role_users[Role.SCHOOL_COORDINATOR])) == [world.school]
    assert list(staff_schools(role_users[Role.TEACHER])) == []
    assert sibling_staff.pk and far_staff.pk


def test_update_keeps_unknown_fields_out(world, coordinator):
    with pytest.raises(ValidationError):
        update_staff(actor=coordinator, staff=world.staff, authority=world.other_authority)
    with pytest.raises(PermissionDenied):
        update_staff(actor=coordinator, staff=world.other_staff, email="x@example.org")
