"""Fixtures shared by every app's tests."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.devices.tests.factories import SupplierFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

# CI runs the property tests with a fixed seed and no example database: a run is reproducible, and
# a failure found there fails the same way on a developer's machine (HYPOTHESIS_PROFILE=ci).
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI") or os.environ.get("HYPOTHESIS_PROFILE") == "ci":
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _language():
    """Each test starts in the default language and leaves none behind: a request in Latvian
    (LocaleMiddleware activates it for the thread) must not make the next test's services speak
    Latvian."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rate-limit counters (the public agreement page allows a
    few requests a minute per address) must not carry over from the previous test in the process."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    """Two authorities with an operator and a school each: one inside test users' scopes, one outside.

    Names carry the markers INSIDE and OUTSIDE so that tests can prove the outside never shows.
    """
    operator = OperatorFactory(name="INSIDE operator", authority__name="INSIDE authority", authority__code="IN")
    school = SchoolFactory(operator=operator, name="INSIDE school", number="1001")
    other_operator = OperatorFactory(
        name="OUTSIDE operator", authority__name="OUTSIDE authority", authority__code="OUT"
    )
    other_school = SchoolFactory(operator=other_operator, name="OUTSIDE school", number="2002")
    supplier = SupplierFactory(name="INSIDE supplier")
    other_supplier = SupplierFactory(name="OUTSIDE supplier")

    class World:
        pass

    w = World()
    w.authority, w.operator, w.school = operator.authority, operator, school
    w.other_authority, w.other_operator, w.other_school = other_operator.authority, other_operator, other_school
    w.supplier, w.other_supplier = supplier, other_supplier
    # A teacher on each side's staff (training): the teacher role's scope is their own record.
    from digileap.training.tests.factories import staff_at

    w.staff = staff_at(school, reference="INSIDE-teacher")
    w.other_staff = staff_at(other_school, reference="OUTSIDE-teacher")
    return w


ROLE_SCOPES = {
    Role.ADMINISTRATOR: None,
    Role.PROGRAMME_OWNER: "authority",
    Role.FUNDING_ADMINISTRATOR: "authority",
    Role.OPERATOR_STAFF: "operator",
    Role.SCHOOL_COORDINATOR: "school",
    Role.SUPPLIER: "supplier",
    Role.AUDITOR: "authority",
    Role.TEACHER: "staff",
    Role.DATA_PROTECTION_OFFICER: "authority",
}


@pytest.fixture
def role_users(world):
    """One user per role, scoped to the INSIDE objects of ``world`` (the administrator sees all)."""
    users = {}
    for role, scope_name in ROLE_SCOPES.items():
        scope = getattr(world, scope_name) if scope_name else None
        users[role] = user_with_role(role, scope, username=f"{role}-user")
    world.staff.user = users[Role.TEACHER]
    world.staff.save(update_fields=["user"])
    return users
