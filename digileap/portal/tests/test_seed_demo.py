import pytest
from django.core.management import call_command

from digileap.accounts.models import Role, RoleAssignment, User
from digileap.core import audit
from digileap.core.models import AuditEvent
from digileap.devices.models import Supplier
from digileap.portal.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    SCHOOL_YEARS,
    generate,
    registry_csv,
    registry_digest,
    seed_demo,
)
from digileap.schools.models import (
    Authority,
    EligibilityGroup,
    EligibleCount,
    Enrolment,
    School,
    SchoolOperator,
    Site,
    SocioEconomicIndex,
    StaffCount,
)

pytestmark = pytest.mark.django_db


def _wipe_demo_data() -> None:
    """Leave the database as fresh as a new one, as far as the demo data goes."""
    School.objects.all().delete()
    SchoolOperator.objects.all().delete()
    Authority.objects.all().delete()
    EligibilityGroup.objects.all().delete()
    User.objects.all().delete()
    Supplier.objects.all().delete()


def _counts() -> dict[str, int]:
    models = [
        Authority,
        SchoolOperator,
        School,
        Site,
        Enrolment,
        StaffCount,
        SocioEconomicIndex,
        EligibleCount,
        EligibilityGroup,
        Supplier,
        User,
        RoleAssignment,
        AuditEvent,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_generate_is_deterministic_and_depends_on_the_seed():
    first = registry_csv(generate(schools=120, seed=7), SCHOOL_YEARS[1])
    again = registry_csv(generate(schools=120, seed=7), SCHOOL_YEARS[1])
    other = registry_csv(generate(schools=120, seed=8), SCHOOL_YEARS[1])

    assert first == again
    assert first != other
    assert len(first.splitlines()) == 121


def test_the_same_seed_gives_the_same_registry_in_a_fresh_database():
    seed_demo(schools=50, seed=11)
    first = registry_digest()
    _wipe_demo_data()
    assert School.objects.count() == 0

    seed_demo(schools=50, seed=11)

    assert registry_digest() == first


def test_another_seed_gives_another_registry():
    seed_demo(schools=50, seed=11)
    first = registry_digest()
    _wipe_demo_data()

    seed_demo(schools=50, seed=12)

    assert registry_digest() != first


def test_counts_for_fifty_schools_are_exact():
    report = seed_demo(schools=50)

    assert _counts() == {
        "Authority": 3,
        "SchoolOperator": 13,
        "School": 50,
        "Site": 56,
        "Enrolment": 328,
        "StaffCount": 98,
        "SocioEconomicIndex": 98,
        "EligibleCount": 110,
        "EligibilityGroup": 3,
        "Supplier": 1,
        "User": 8,
        "RoleAssignment": 8,
        "AuditEvent": 143,
    }
    assert report.created["schools"] == 50
    by_authority = {
        code: School.objects.filter(authority__code=code).count() for code in ("DEMO-NH", "DEMO-BM", "DEMO-VZ")
    }
    assert by_authority == {"DEMO-NH": 25, "DEMO-BM": 15, "DEMO-VZ": 10}
    assert sum(Enrolment.objects.values_list("pupils", flat=True)) == 38758
    assert sum(StaffCount.objects.values_list("teachers", flat=True)) == 3129
    assert School.objects.filter(latitude__isnull=True).count() == 0
    assert Site.objects.filter(is_main=True).count() == 50
    assert audit.verify_chain().is_intact is True


def test_a_second_run_changes_nothing():
    seed_demo(schools=50)
    counts = _counts()
    digest = registry_digest()
    head = audit.chain_head_hash()

    report = seed_demo(schools=50)

    assert report.changed_anything is False
    assert report.created == {}
    assert _counts() == counts
    assert registry_digest() == digest
    assert audit.chain_head_hash() == head


def test_every_role_has_a_demo_user_who_can_sign_in():
    seed_demo(schools=50)

    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    # The teacher's demo user comes with the training demo (its scope is a staff record):
    # digileap/training/tests/test_demo_training.py.
    assert roles == set(Role.values) - {Role.TEACHER}
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.check_password(DEMO_PASSWORD)
        assert [(a.role, a.scope_kind) for a in user.role_assignments.all()] == [(spec.role, spec.scope)]


def test_demo_users_have_sensible_scopes():
    seed_demo(schools=50)

    operator_staff = RoleAssignment.objects.get(user__username="operator")
    coordinator = RoleAssignment.objects.get(user__username="coordinator")
    supplier = RoleAssignment.objects.get(user__username="supplier")
    owner = RoleAssignment.objects.get(user__username="owner")
    dpo = RoleAssignment.objects.get(user__username="dpo")

    assert owner.authority.code == "DEMO-NH"
    assert (dpo.role, dpo.authority_id) == (Role.DATA_PROTECTION_OFFICER, owner.authority_id)
    assert operator_staff.operator.authority.code == "DEMO-NH"
    # The demo operator user manages its operator's staff and its schools' coordinators.
    assert operator_staff.is_administrator is True
    assert RoleAssignment.objects.filter(is_administrator=True).count() == 1
    assert coordinator.school.operator_id == operator_staff.operator_id
    assert supplier.supplier.name == "Nordlicht IT-Service GmbH (demo)"


def test_the_socio_economic_index_spreads_over_its_scale():
    seed_demo(schools=240)

    hamburg_like = set(
        SocioEconomicIndex.objects.filter(scale__code="de-hh-sozialindex").values_list("value", flat=True)
    )
    assert {int(value) for value in hamburg_like} == {1, 2, 3, 4, 5, 6}


def test_commands_seed_and_print_the_sign_ins(capsys):
    call_command("seed_demo", "--schools", "20", "--seed", "3")
    call_command("seed_demo", "--schools", "20", "--seed", "3")
    call_command("demo_signins")

    out = capsys.readouterr().out
    assert "20 schools" in out
    assert "Demo data already present; nothing changed." in out
    for spec in DEMO_USERS:
        assert f"| {spec.username} " in out
    assert out.count(DEMO_PASSWORD) == len(DEMO_USERS)
