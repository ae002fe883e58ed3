"""Reads of orders: ordered versus allocated per school (exact figures, per role, per device type,
a fixed number of queries), and what one may choose from when ordering."""

import datetime
from decimal import Decimal

import pytest

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.schools.tests.factories import SchoolFactory

from ..models import PurchaseOrder
from ..selectors import orders as selectors
from ..services import orders as services
from .factories import DeviceFactory, OrderLineFactory, PurchaseOrderFactory
from .factories_catalogue import ordering_setup

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 9, 2)
D = Decimal


@pytest.fixture
def s(world, role_users):
    s = ordering_setup(world)
    owner = role_users[Role.PROGRAMME_OWNER]

    def order(contract=None, operator=None):
        return services.order_create(
            actor=owner,
            programme=s.programme,
            funding_source=s.funding,
            supplier=s.supplier,
            contract=contract,
            operator=operator,
        )

    def line(order, device_model, school, quantity):
        return services.order_line_add(
            actor=owner, order=order, device_model=device_model, school=school, quantity=quantity
        )

    s.o1 = order(contract=s.contract)
    s.o1_laptops = line(s.o1, s.laptop, s.school, 4)  # 4 × 420.00
    line(s.o1, s.laptop, s.school_b, 6)  # 6 × 420.00
    line(s.o1, s.tablet, s.school, 2)  # 2 × 300.00 (list price: the contract offers laptops only)
    services.order_place(actor=owner, order=s.o1, ordered_on=DAY)
    draft = order()
    line(draft, s.laptop, s.school, 50)
    cancelled = order()
    line(cancelled, s.laptop, s.school_c, 9)
    services.order_place(actor=owner, order=cancelled, ordered_on=DAY)
    services.order_cancel(actor=owner, order=cancelled)
    s.o4 = order()
    s.o4_laptops = line(s.o4, s.laptop, s.school_c, 2)  # 2 × 450.00
    services.order_place(actor=owner, order=s.o4, ordered_on=DAY)
    for order_line, count in ((s.o1_laptops, 3), (s.o4_laptops, 1)):
        for _ in range(count):
            DeviceFactory(programme=s.programme, school=order_line.school, device_model=s.laptop, order_line=order_line)
    services.order_refresh_delivery_status(order=s.o1)
    # Another programme's order for the same school does not count.
    elsewhere = PurchaseOrderFactory(programme=s.other_programme, supplier=s.supplier)
    OrderLineFactory(order=elsewhere, device_model=s.laptop, school=s.school, quantity=8)
    return s


def figures(comparison):
    return [
        (
            row.number,
            row.allocated_units,
            row.ordered_units,
            row.delivered_units,
            row.units_left,
            row.allocated_eur,
            row.ordered_eur,
            row.eur_left,
        )
        for row in comparison.rows
    ]


class TestOrderedVersusAllocated:
    def test_every_type_for_the_owner(self, s, role_users):
        comparison = selectors.ordered_versus_allocated(role_users[Role.PROGRAMME_OWNER], s.programme)
        assert figures(comparison) == [
            ("1001", D(13), 6, 3, D(7), D("5000.00"), D("2280.00"), D("2720.00")),
            ("1002", D(5), 6, 0, D(-1), D(0), D("2520.00"), D("-2520.00")),
            ("1003", D(0), 2, 1, D(-2), D("2500.00"), D("900.00"), D("1600.00")),
        ]
        assert [(row.name, row.operator) for row in comparison.rows] == [
            ("INSIDE school", "INSIDE operator"),
            ("INSIDE school B", "INSIDE operator"),
            ("INSIDE school C", "INSIDE operator 2"),
        ]
        totals = comparison.totals
        assert (
            totals.allocated_units,
            totals.ordered_units,
            totals.delivered_units,
            totals.allocated_eur,
            totals.ordered_eur,
            totals.eur_left,
        ) == (D(18), 14, 4, D("7500.00"), D("5700.00"), D("1800.00"))

    def test_filtered_by_device_type(self, s, role_users):
        owner = role_users[Role.PROGRAMME_OWNER]
        assert figures(selectors.ordered_versus_allocated(owner, s.programme, "laptop")) == [
            ("1001", D(10), 4, 3, D(6), D("5000.00"), D("1680.00"), D("3320.00")),
            ("1002", D(5), 6, 0, D(-1), D(0), D("2520.00"), D("-2520.00")),
            ("1003", D(0), 2, 1, D(-2), D("2500.00"), D("900.00"), D("1600.00")),
        ]
        # Money is not of a type: money rounds show whatever the type.
        assert figures(selectors.ordered_versus_allocated(owner, s.programme, "tablet")) == [
            ("1001", D(3), 2, 0, D(1), D("5000.00"), D("600.00"), D("4400.00")),
            ("1003", D(0), 0, 0, D(0), D("2500.00"), D(0), D("2500.00")),
        ]
        assert figures(selectors.ordered_versus_allocated(owner, s.programme, "projector")) == [
            ("1001", D(0), 0, 0, D(0), D("5000.00"), D(0), D("5000.00")),
            ("1003", D(0), 0, 0, D(0), D("2500.00"), D(0), D("2500.00")),
        ]

    def test_operator_staff_see_their_schools_and_published_rounds_only(self, s, role_users):
        # The laptop round's version is approved, not published: narrow scopes do not read it yet.
        comparison = selectors.ordered_versus_allocated(role_users[Role.OPERATOR_STAFF], s.programme)
        assert figures(comparison) == [
            ("1001", D(3), 6, 3, D(-3), D("5000.00"), D("2280.00"), D("2720.00")),
            ("1002", D(0), 6, 0, D(-6), D(0), D("2520.00"), D("-2520.00")),
        ]

    def test_the_coordinator_sees_the_school(self, s, role_users):
        comparison = selectors.ordered_versus_allocated(role_users[Role.SCHOOL_COORDINATOR], s.programme)
        assert figures(comparison) == [("1001", D(3), 6, 3, D(-3), D("5000.00"), D("2280.00"), D("2720.00"))]

    def test_the_supplier_sees_its_own_orders_only(self, s, role_users, world):
        comparison = selectors.ordered_versus_allocated(role_users[Role.SUPPLIER], s.programme)
        assert figures(comparison) == [
            ("1001", D(0), 6, 3, D(-6), D(0), D("2280.00"), D("-2280.00")),
            ("1002", D(0), 6, 0, D(-6), D(0), D("2520.00"), D("-2520.00")),
            ("1003", D(0), 2, 1, D(-2), D(0), D("900.00"), D("-900.00")),
        ]
        other = user_with_role(Role.SUPPLIER, world.other_supplier)
        assert figures(selectors.ordered_versus_allocated(other, s.programme)) == []

    def test_the_number_of_queries_does_not_grow_with_schools(self, s, role_users, django_assert_num_queries):
        owner = role_users[Role.PROGRAMME_OWNER]
        selectors.ordered_versus_allocated(owner, s.programme)  # the role assignments are cached now
        with django_assert_num_queries(5):
            selectors.ordered_versus_allocated(owner, s.programme)
        for number in range(20):
            school = SchoolFactory(operator=s.operator, number=f"9{number:03d}")
            OrderLineFactory(order=s.o1, device_model=s.laptop, school=school, quantity=1)
        with django_assert_num_queries(5):
            assert len(selectors.ordered_versus_allocated(owner, s.programme).rows) == 23


class TestChoices:
    def test_programmes_one_may_order_for(self, s, role_users, world):
        owner_programmes = set(selectors.orderable_programmes(role_users[Role.PROGRAMME_OWNER]))
        assert {s.programme, s.other_programme} <= owner_programmes
        assert all(programme.authority == world.authority for programme in owner_programmes)
        assert set(selectors.orderable_programmes(role_users[Role.OPERATOR_STAFF])) == owner_programmes
        for role in (Role.FUNDING_ADMINISTRATOR, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR):
            assert list(selectors.orderable_programmes(role_users[role])) == []

    def test_buyers_and_schools(self, s, role_users):
        owner, staff = role_users[Role.PROGRAMME_OWNER], role_users[Role.OPERATOR_STAFF]
        operators, central = selectors.buying_operators(owner, s.programme)
        assert (sorted(o.name for o in operators), central) == (["INSIDE operator", "INSIDE operator 2"], True)
        operators, central = selectors.buying_operators(staff, s.programme)
        assert ([o.name for o in operators], central) == (["INSIDE operator"], False)
        assert [school.number for school in selectors.orderable_schools(owner, s.o1)] == ["1001", "1002", "1003"]
        assert [school.number for school in selectors.orderable_schools(staff, s.o1)] == ["1001", "1002"]
        s.o1.operator = s.operator_2
        assert [school.number for school in selectors.orderable_schools(owner, s.o1)] == ["1003"]

    def test_operator_staff_order_under_their_authoritys_contracts(self, s, role_users):
        staff = role_users[Role.OPERATOR_STAFF]
        assert list(selectors.ordering_contracts(s.programme).order_by("reference")) == [s.contract, s.other_contract]
        assert set(selectors.ordering_suppliers(staff, s.programme)) == {s.supplier, s.other_contract.supplier}

    def test_allocation_lines_for_ordering(self, s, role_users):
        owner = role_users[Role.PROGRAMME_OWNER]
        lines = selectors.allocation_lines_for_ordering(owner, s.o1, s.school)
        assert [(line.version.round.code, line.amount) for line in lines] == [
            ("LAPTOPS", D("10.00")),
            ("MONEY", D("5000.00")),
            ("TABLETS", D("3.00")),
        ]

    def test_lines_with_their_deliveries(self, s):
        assert [(line.quantity, line.delivered) for line in selectors.lines_of(s.o1)] == [(4, 3), (6, 0), (2, 0)]
        assert selectors.order_total(s.o1) == D("4800.00")
        assert PurchaseOrder.objects.get(pk=s.o1.pk).status == "partly_delivered"
