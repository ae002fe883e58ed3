"""Need declarations: the service (declare, replace, audit, permissions, validation), the selectors,
and a round that reads a declared need as its cap."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import EnrolmentFactory, OperatorFactory, SchoolFactory

from ..models import AllocationRound, NeedDeclaration, NeedLine
from ..selectors.needs import declaration_get, declarations_for, need_summary, schools_declarable
from ..services.needs import need_declare
from ..services.rounds import round_compute, round_create


def line(device_type="laptop", under_3=0, three_to_5=0, over_5=0, needed=0) -> dict:
    return {
        "device_type": device_type,
        "owned_under_3_years": under_3,
        "owned_3_to_5_years": three_to_5,
        "owned_over_5_years": over_5,
        "needed": needed,
    }


def lines_of(declaration) -> dict:
    return {
        item.device_type: (item.owned_under_3_years, item.owned_3_to_5_years, item.owned_over_5_years, item.needed)
        for item in NeedLine.objects.filter(declaration=declaration)
    }


def rows_written() -> tuple[int, int, int]:
    return NeedDeclaration.objects.count(), NeedLine.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def neighbours(world):
    """Another school of the INSIDE operator, and a school of another operator of the INSIDE authority."""
    sibling = SchoolFactory(operator=world.operator, name="Sibling school", number="1002")
    other_operator = OperatorFactory(authority=world.authority, name="Second operator")
    foreign = SchoolFactory(operator=other_operator, name="Second operator's school", number="1003")
    return sibling, foreign


def declare(actor, school, **overrides):
    arguments = {
        "actor": actor,
        "school": school,
        "school_year": "2024/25",
        "classrooms_without_wifi": 3,
        "note": "Old laptops in the library",
        "lines": [line("laptop", 10, 5, 20, 30), line("tablet", 2, 0, 0, 8)],
    }
    arguments.update(overrides)
    return need_declare(**arguments)


# Declaring and re-declaring.


def test_declare_creates_the_declaration_its_lines_and_an_audit_event(world, role_users):
    operator_staff = role_users[Role.OPERATOR_STAFF]
    declaration = declare(operator_staff, world.school)

    declaration = NeedDeclaration.objects.get(pk=declaration.pk)
    assert (declaration.school_id, declaration.school_year) == (world.school.pk, "2024/25")
    assert declaration.classrooms_without_wifi == 3
    assert declaration.note == "Old laptops in the library"
    assert declaration.declared_by == operator_staff
    assert declaration.declared_at is not None
    assert lines_of(declaration) == {"laptop": (10, 5, 20, 30), "tablet": (2, 0, 0, 8)}

    event = AuditEvent.objects.get(object_type="allocation.needdeclaration", object_id=str(declaration.pk))
    assert event.action == "create"
    assert event.actor_id == operator_staff.pk
    assert event.before is None
    assert event.after == {
        "school": world.school.pk,
        "school_year": "2024/25",
        "classrooms_without_wifi": 3,
        "note": "Old laptops in the library",
        "declared_by": operator_staff.pk,
        "declared_at": declaration.declared_at.isoformat(),
        "lines": {
            "laptop": {"owned_under_3_years": 10, "owned_3_to_5_years": 5, "owned_over_5_years": 20, "needed": 30},
            "tablet": {"owned_under_3_years": 2, "owned_3_to_5_years": 0, "owned_over_5_years": 0, "needed": 8},
        },
    }


def test_declaring_again_replaces_fields_and_lines_and_the_audit_shows_before_and_after(world, role_users):
    operator_staff, coordinator = role_users[Role.OPERATOR_STAFF], role_users[Role.SCHOOL_COORDINATOR]
    first = declare(operator_staff, world.school)
    first_declared_at = NeedDeclaration.objects.get(pk=first.pk).declared_at

    second = declare(
        coordinator,
        world.school,
        classrooms_without_wifi=1,
        note="",
        lines=[line("laptop", 10, 5, 20, 12), line("interactive_display", 0, 1, 3, 4)],
    )

    assert second.pk == first.pk
    assert NeedDeclaration.objects.filter(school=world.school).count() == 1
    second = NeedDeclaration.objects.get(pk=first.pk)
    assert (second.classrooms_without_wifi, second.note, second.declared_by) == (1, "", coordinator)
    # The tablet line is gone, the laptop line changed, the display line is new.
    assert lines_of(second) == {"laptop": (10, 5, 20, 12), "interactive_display": (0, 1, 3, 4)}
    assert NeedLine.objects.count() == 2

    events = AuditEvent.objects.filter(object_type="allocation.needdeclaration", object_id=str(first.pk))
    assert [event.action for event in events.order_by("id")] == ["create", "update"]
    update = events.get(action="update")
    assert update.actor_id == coordinator.pk
    assert update.before["lines"] == {
        "laptop": {"owned_under_3_years": 10, "owned_3_to_5_years": 5, "owned_over_5_years": 20, "needed": 30},
        "tablet": {"owned_under_3_years": 2, "owned_3_to_5_years": 0, "owned_over_5_years": 0, "needed": 8},
    }
    assert update.after["lines"] == {
        "interactive_display": {
            "owned_under_3_years": 0,
            "owned_3_to_5_years": 1,
            "owned_over_5_years": 3,
            "needed": 4,
        },
        "laptop": {"owned_under_3_years": 10, "owned_3_to_5_years": 5, "owned_over_5_years": 20, "needed": 12},
    }
    assert (update.before["classrooms_without_wifi"], update.after["classrooms_without_wifi"]) == (3, 1)
    assert (update.before["note"], update.after["note"]) == ("Old laptops in the library", "")
    assert (update.before["declared_by"], update.after["declared_by"]) == (operator_staff.pk, coordinator.pk)
    assert update.before["declared_at"] == first_declared_at.isoformat()


def test_another_school_year_is_another_declaration(world, role_users):
    operator_staff = role_users[Role.OPERATOR_STAFF]
    first = declare(operator_staff, world.school)
    second = declare(operator_staff, world.school, school_year="2025/26", lines=[line("laptop", needed=5)])
    assert first.pk != second.pk
    assert lines_of(first) == {"laptop": (10, 5, 20, 30), "tablet": (2, 0, 0, 8)}
    assert lines_of(second) == {"laptop": (0, 0, 0, 5)}


def test_a_declaration_without_lines_keeps_the_classrooms_without_wifi(world, role_users):
    declaration = declare(role_users[Role.SCHOOL_COORDINATOR], world.school, classrooms_without_wifi=7, lines=[])
    assert NeedDeclaration.objects.get(pk=declaration.pk).classrooms_without_wifi == 7
    assert lines_of(declaration) == {}


def test_missing_counts_are_zero(world, role_users):
    declaration = declare(role_users[Role.ADMINISTRATOR], world.school, lines=[{"device_type": "projector"}])
    assert lines_of(declaration) == {"projector": (0, 0, 0, 0)}


# Who may declare.


def test_operator_staff_declare_for_their_operators_schools_only(world, role_users, neighbours):
    operator_staff = role_users[Role.OPERATOR_STAFF]
    sibling, foreign = neighbours
    assert declare(operator_staff, sibling).school == sibling
    for school in (foreign, world.other_school):
        with pytest.raises(PermissionDenied):
            declare(operator_staff, school)
    assert set(NeedDeclaration.objects.values_list("school__number", flat=True)) == {"1002"}


def test_a_school_coordinator_declares_for_their_school_only(world, role_users, neighbours):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    sibling, foreign = neighbours
    assert declare(coordinator, world.school).school == world.school
    for school in (sibling, foreign, world.other_school):
        with pytest.raises(PermissionDenied):
            declare(coordinator, school)
    assert set(NeedDeclaration.objects.values_list("school__number", flat=True)) == {"1001"}


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.SUPPLIER])
def test_roles_that_only_read_or_see_nothing_cannot_declare(world, role_users, role):
    with pytest.raises(PermissionDenied):
        declare(role_users[role], world.school)
    assert rows_written() == (0, 0, 0)


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR, Role.SUPPLIER])
def test_roles_that_only_read_cannot_replace_a_declaration(world, role_users, role):
    declaration = declare(role_users[Role.OPERATOR_STAFF], world.school)
    before = rows_written()
    with pytest.raises(PermissionDenied):
        declare(role_users[role], world.school, lines=[])
    assert rows_written() == before
    assert lines_of(declaration) == {"laptop": (10, 5, 20, 30), "tablet": (2, 0, 0, 8)}


def test_the_administrator_declares_anywhere(world, role_users):
    assert declare(role_users[Role.ADMINISTRATOR], world.other_school).school == world.other_school


def test_an_auditor_with_scope_all_cannot_declare(world):
    auditor = user_with_role(Role.AUDITOR, None, username="auditor-all")
    with pytest.raises(PermissionDenied):
        declare(auditor, world.school)


def test_schools_declarable_follow_the_scope(world, role_users, neighbours):
    sibling, foreign = neighbours
    numbers = {
        role: set(schools_declarable(role_users[role]).values_list("number", flat=True))
        for role in (Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.PROGRAMME_OWNER, Role.SUPPLIER)
    }
    assert numbers == {
        Role.OPERATOR_STAFF: {"1001", "1002"},
        Role.SCHOOL_COORDINATOR: {"1001"},
        Role.PROGRAMME_OWNER: set(),
        Role.SUPPLIER: set(),
    }
    assert set(schools_declarable(role_users[Role.ADMINISTRATOR]).values_list("number", flat=True)) == {
        "1001",
        "1002",
        "1003",
        "2002",
    }


# Bad input: clear errors, nothing written.


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"lines": [line("laptop", needed=3), line("tablet", needed=-1)]},
            {"lines[1].needed": ["Needed in addition must be a whole number from 0 to 1000000."]},
        ),
        (
            {"lines": [line("laptop", needed=3), line("tablet"), line("laptop", needed=4)]},
            {"lines[2].device_type": ["Laptop is given more than once (lines 1 and 3)."]},
        ),
        (
            {"lines": [line("phone", needed=3)]},
            {
                "lines[0].device_type": [
                    "'phone' is not a known device type. Use one of: laptop, chromebook, tablet, "
                    "interactive_display, projector, access_point, network_switch, other."
                ]
            },
        ),
        (
            {"lines": [line("laptop", under_3="4", three_to_5=2.5, over_5=True)]},
            {
                "lines[0].owned_under_3_years": ["Owned, under 3 years old must be a whole number from 0 to 1000000."],
                "lines[0].owned_3_to_5_years": ["Owned, 3 to 5 years old must be a whole number from 0 to 1000000."],
                "lines[0].owned_over_5_years": ["Owned, over 5 years old must be a whole number from 0 to 1000000."],
            },
        ),
        (
            {"lines": [{"device_type": "laptop", "needed": 2, "colour": "red"}]},
            {"lines[0].colour": ["Unknown field."]},
        ),
        ({"lines": "laptop"}, {"lines": ["Give the lines as a list."]}),
        ({"lines": ["laptop"]}, {"lines[0]": ["Give each line as an object."]}),
        (
            {"classrooms_without_wifi": -2},
            {"classrooms_without_wifi": ["Classrooms without Wi-Fi must be a whole number from 0 to 1000000."]},
        ),
        ({"school_year": "2024-25"}, {"school_year": ["Use the form 2024/25."]}),
        ({"school_year": "2024/26"}, {"school_year": ["The second year must follow the first, as in 2024/25."]}),
        ({"note": None}, {"note": ["Give the note as text."]}),
    ],
)
def test_bad_input_names_the_problem_and_writes_nothing(world, role_users, overrides, errors):
    with pytest.raises(ValidationError) as raised:
        declare(role_users[Role.OPERATOR_STAFF], world.school, **overrides)
    assert raised.value.message_dict == errors
    assert rows_written() == (0, 0, 0)


def test_a_bad_replacement_leaves_the_declaration_as_it_was(world, role_users):
    operator_staff = role_users[Role.OPERATOR_STAFF]
    declaration = declare(operator_staff, world.school)
    before = rows_written()
    with pytest.raises(ValidationError):
        declare(operator_staff, world.school, classrooms_without_wifi=9, lines=[line("laptop", needed=-5)])
    assert rows_written() == before
    declaration = NeedDeclaration.objects.get(pk=declaration.pk)
    assert declaration.classrooms_without_wifi == 3
    assert lines_of(declaration) == {"laptop": (10, 5, 20, 30), "tablet": (2, 0, 0, 8)}


def test_the_scope_is_checked_before_the_input(world, role_users):
    """An outsider gets a refusal, not a list of what is wrong with the input."""
    with pytest.raises(PermissionDenied):
        declare(role_users[Role.OPERATOR_STAFF], world.other_school, lines=[line("phone")])


# Selectors.


@pytest.fixture
def declared(world, role_users, neighbours):
    administrator = role_users[Role.ADMINISTRATOR]
    sibling, foreign = neighbours
    return {
        "inside": declare(administrator, world.school),
        "sibling": declare(
            administrator,
            sibling,
            classrooms_without_wifi=2,
            lines=[line("laptop", 1, 2, 3, 4), line("access_point", 0, 0, 6, 5)],
        ),
        "sibling-next-year": declare(administrator, sibling, school_year="2025/26", lines=[line("laptop", needed=50)]),
        "foreign": declare(administrator, foreign, classrooms_without_wifi=4, lines=[line("tablet", 1, 1, 1, 1)]),
        "outside": declare(administrator, world.other_school, lines=[line("laptop", needed=1000)]),
    }


def test_declarations_for_follow_the_scope(role_users, declared):
    def visible(role):
        return {
            (declaration.school.number, declaration.school_year) for declaration in declarations_for(role_users[role])
        }

    inside_authority = {("1001", "2024/25"), ("1002", "2024/25"), ("1002", "2025/26"), ("1003", "2024/25")}
    assert visible(Role.PROGRAMME_OWNER) == inside_authority
    assert visible(Role.FUNDING_ADMINISTRATOR) == inside_authority
    assert visible(Role.AUDITOR) == inside_authority
    assert visible(Role.OPERATOR_STAFF) == {("1001", "2024/25"), ("1002", "2024/25"), ("1002", "2025/26")}
    assert visible(Role.SCHOOL_COORDINATOR) == {("1001", "2024/25")}
    assert visible(Role.SUPPLIER) == set()
    assert visible(Role.ADMINISTRATOR) == inside_authority | {("2002", "2024/25")}


def test_declaration_get_is_a_404_outside_the_scope(role_users, declared):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    assert declaration_get(coordinator, declared["inside"].pk) == declared["inside"]
    for key in ("sibling", "foreign", "outside"):
        with pytest.raises(Http404):
            declaration_get(coordinator, declared[key].pk)
    with pytest.raises(Http404):
        declaration_get(role_users[Role.SUPPLIER], declared["inside"].pk)


def test_need_summary_by_device_type_over_the_scope_and_year(role_users, declared):
    summary = need_summary(role_users[Role.OPERATOR_STAFF], school_year="2024/25")
    assert summary == {
        "rows": [
            {
                "device_type": "laptop",
                "label": "Laptop",
                "schools": 2,
                "owned_under_3_years": 11,
                "owned_3_to_5_years": 7,
                "owned_over_5_years": 23,
                "needed": 34,
                "owned": 41,
            },
            {
                "device_type": "tablet",
                "label": "Tablet",
                "schools": 1,
                "owned_under_3_years": 2,
                "owned_3_to_5_years": 0,
                "owned_over_5_years": 0,
                "needed": 8,
                "owned": 2,
            },
            {
                "device_type": "access_point",
                "label": "Wi-Fi access point",
                "schools": 1,
                "owned_under_3_years": 0,
                "owned_3_to_5_years": 0,
                "owned_over_5_years": 6,
                "needed": 5,
                "owned": 6,
            },
        ],
        "total": {
            "owned_under_3_years": 13,
            "owned_3_to_5_years": 7,
            "owned_over_5_years": 29,
            "needed": 47,
            "owned": 49,
        },
        "declarations": 2,
        "classrooms_without_wifi": 5,
    }


def test_need_summary_of_the_programme_owner_covers_the_authority_and_every_year(role_users, declared):
    summary = need_summary(role_users[Role.PROGRAMME_OWNER])
    assert [(row["device_type"], row["schools"], row["needed"]) for row in summary["rows"]] == [
        ("laptop", 2, 84),
        ("tablet", 2, 9),
        ("access_point", 1, 5),
    ]
    assert (summary["declarations"], summary["classrooms_without_wifi"]) == (4, 12)
    assert need_summary(role_users[Role.SUPPLIER]) == {
        "rows": [],
        "total": {
            "owned_under_3_years": 0,
            "owned_3_to_5_years": 0,
            "owned_over_5_years": 0,
            "needed": 0,
            "owned": 0,
        },
        "declarations": 0,
        "classrooms_without_wifi": 0,
    }


# A round reads the declared need.


def test_a_units_round_with_need_as_cap_reads_the_declared_need(world, role_users):
    owner = user_with_role(Role.PROGRAMME_OWNER, world.authority, username="owner")
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    other = SchoolFactory(operator=world.operator, number="1004", name="Second school")
    for school in (world.school, other):
        EnrolmentFactory(school=school, level=1, pupils=100)
    need_declare(
        actor=coordinator,
        school=world.school,
        school_year="2024/25",
        lines=[line("laptop", 40, 0, 0, 5), line("tablet", needed=90)],
    )
    need_declare(
        actor=role_users[Role.OPERATOR_STAFF], school=other, school_year="2024/25", lines=[line("laptop", needed=50)]
    )
    programme = ProgrammeFactory(authority=world.authority, code="laptops")
    allocation_round = round_create(
        actor=owner,
        programme=programme,
        data={
            "code": "LAPTOPS",
            "name": "Laptops by pupils, up to the declared need",
            "school_year": "2024/25",
            "resource": AllocationRound.Resource.UNITS,
            "device_type": "laptop",
            "total": Decimal(20),
            "formula": {"per_pupil": [{"amount": "1"}], "need": "cap"},
        },
    )
    version = round_compute(actor=owner, allocation_round=allocation_round)
    lines = {item.school.number: item for item in version.lines.select_related("school")}
    # 10 and 10 by pupils; the first school declared 5 laptops (its tablets do not count), and the
    # 5 its cap frees up go to the other school.
    assert {number: item.amount for number, item in lines.items()} == {"1001": Decimal(5), "1004": Decimal(15)}
    assert (lines["1001"].bound, lines["1004"].bound) == ("need", "")
    assert version.total == Decimal(20)
