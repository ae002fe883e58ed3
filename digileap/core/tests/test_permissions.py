import pytest

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import assign_role, user_with_role
from digileap.core.permissions import Action, can, permits, restrict
from digileap.schools.models import Authority, Enrolment, School, SchoolOperator, Site
from digileap.schools.tests.factories import EnrolmentFactory, SchoolFactory, SiteFactory

pytestmark = pytest.mark.django_db


def names(queryset) -> list[str]:
    return sorted(queryset.values_list("name", flat=True))


def test_each_scope_kind_restricts_schools(world):
    third = SchoolFactory(operator=world.operator, name="INSIDE second school")
    expectations = {
        (Role.ADMINISTRATOR, None): ["INSIDE school", "INSIDE second school", "OUTSIDE school"],
        (Role.PROGRAMME_OWNER, world.authority): ["INSIDE school", "INSIDE second school"],
        (Role.OPERATOR_STAFF, world.operator): ["INSIDE school", "INSIDE second school"],
        (Role.SCHOOL_COORDINATOR, world.school): ["INSIDE school"],
        (Role.SUPPLIER, world.supplier): [],
        (Role.AUDITOR, None): ["INSIDE school", "INSIDE second school", "OUTSIDE school"],
    }
    for (role, scope), expected in expectations.items():
        user = user_with_role(role, scope)
        assert names(restrict(School.objects.all(), user)) == expected, role
    assert third.pk


def test_reverse_paths_do_not_repeat_rows(world):
    SchoolFactory(operator=world.operator)
    SchoolFactory(operator=world.operator)
    user = user_with_role(Role.OPERATOR_STAFF, world.operator)
    assert list(restrict(Authority.objects.all(), user).values_list("code", flat=True)) == ["IN"]
    assert names(restrict(SchoolOperator.objects.all(), user)) == ["INSIDE operator"]


def test_child_objects_follow_their_school(world):
    inside = SiteFactory(school=world.school, name="Hall A")
    SiteFactory(school=world.other_school, name="Hall B")
    EnrolmentFactory(school=world.school, pupils=10)
    EnrolmentFactory(school=world.other_school, pupils=20)
    coordinator = user_with_role(Role.SCHOOL_COORDINATOR, world.school)
    assert names(restrict(Site.objects.all(), coordinator)) == ["Hall A"]
    assert list(restrict(Enrolment.objects.all(), coordinator).values_list("pupils", flat=True)) == [10]
    assert permits(coordinator, Action.CHANGE, inside)
    assert not permits(coordinator, Action.CHANGE, world.school)


def test_several_assignments_add_up(world):
    user = user_with_role(Role.SCHOOL_COORDINATOR, world.school)
    assign_role(user, Role.SCHOOL_COORDINATOR, world.other_school)
    assert names(restrict(School.objects.all(), user)) == ["INSIDE school", "OUTSIDE school"]


def test_auditor_reads_everything_and_writes_nothing(world):
    auditor = user_with_role(Role.AUDITOR)
    assert restrict(School.objects.all(), auditor).count() == 2
    for action in (Action.ADD, Action.CHANGE, Action.DELETE):
        assert not can(auditor, action, School)
        assert restrict(School.objects.all(), auditor, action).count() == 0
        assert not permits(auditor, action, world.school)


def test_unsaved_objects_are_judged_by_their_parents(world):
    owner = user_with_role(Role.PROGRAMME_OWNER, world.authority)
    assert permits(owner, Action.ADD, School(authority=world.authority, operator=world.operator))
    assert not permits(owner, Action.ADD, School(authority=world.other_authority, operator=world.other_operator))
    staff = user_with_role(Role.OPERATOR_STAFF, world.operator)
    assert not permits(staff, Action.ADD, School(authority=world.authority, operator=world.operator))
    assert permits(staff, Action.ADD, Site(school=world.school))
    assert not permits(staff, Action.ADD, Site(school=world.other_school))


def test_anonymous_and_inactive_users_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert restrict(School.objects.all(), AnonymousUser()).count() == 0
    admin = user_with_role(Role.ADMINISTRATOR)
    admin.is_active = False
    assert restrict(School.objects.all(), admin).count() == 0
