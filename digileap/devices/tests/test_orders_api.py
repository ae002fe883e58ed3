"""API of purchase orders and order lines for every role: reads and filters, a draft with lines,
``place`` and ``cancel`` with their refusals as 400s naming the field, ordered versus allocated."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent

from ..models import PurchaseOrder
from ..services import orders as services
from .factories import DeviceFactory
from .factories_catalogue import line_of, ordering_setup

pytestmark = pytest.mark.django_db
Status = PurchaseOrder.Status
ORDERS = "/api/purchase-orders/"
LINES = "/api/order-lines/"
COMPARE = "/api/purchase-orders/ordered-versus-allocated/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def s(world, role_users):
    s = ordering_setup(world)
    s.owner, s.staff = role_users[Role.PROGRAMME_OWNER], role_users[Role.OPERATOR_STAFF]
    s.placed = services.order_create(
        actor=s.staff,
        programme=s.programme,
        funding_source=s.funding,
        supplier=s.supplier,
        contract=s.contract,
        operator=s.operator,
        number="OP-1",
    )
    s.placed_line = services.order_line_add(
        actor=s.staff, order=s.placed, device_model=s.laptop, school=s.school, quantity=5
    )
    services.order_place(actor=s.staff, order=s.placed, ordered_on=datetime.date(2024, 9, 2))
    s.central = services.order_create(
        actor=s.owner, programme=s.programme, funding_source=s.funding_2, supplier=s.supplier, number="CENTRAL-1"
    )
    return s


def numbers(response):
    return [row["number"] for row in response.json()["results"]]


class TestReads:
    @pytest.mark.parametrize(
        "role, status, expected",
        [
            (Role.ADMINISTRATOR, 200, ["CENTRAL-1", "OP-1"]),
            (Role.PROGRAMME_OWNER, 200, ["CENTRAL-1", "OP-1"]),
            (Role.FUNDING_ADMINISTRATOR, 200, ["CENTRAL-1", "OP-1"]),
            (Role.OPERATOR_STAFF, 200, ["OP-1"]),
            (Role.SCHOOL_COORDINATOR, 403, None),
            (Role.SUPPLIER, 200, ["CENTRAL-1", "OP-1"]),
            (Role.AUDITOR, 200, ["CENTRAL-1", "OP-1"]),
        ],
    )
    def test_orders_per_role(self, s, role_users, role, status, expected):
        response = api(role_users[role]).get(ORDERS)
        assert response.status_code == status
        if expected is not None:
            assert numbers(response) == expected

    def test_an_order_reads_with_its_totals_and_filters(self, s):
        client = api(s.owner)
        body = client.get(f"{ORDERS}{s.placed.pk}/").json()
        assert {
            key: body[key] for key in ("number", "status", "ordered_on", "units", "amount", "contract_reference")
        } == {
            "number": "OP-1",
            "status": "placed",
            "ordered_on": "2024-09-02",
            "units": 5,
            "amount": "2100.00",
            "contract_reference": "FC-2024",
        }
        assert numbers(client.get(ORDERS, {"status": "draft"})) == ["CENTRAL-1"]
        assert numbers(client.get(ORDERS, {"operator": s.operator.pk})) == ["OP-1"]
        assert numbers(client.get(ORDERS, {"search": "central"})) == ["CENTRAL-1"]
        assert client.get(ORDERS, {"status": "lost"}).status_code == 400

    @pytest.mark.parametrize(
        "role, expected",
        [
            (Role.SCHOOL_COORDINATOR, [("1001", 5, 1)]),
            (Role.OPERATOR_STAFF, [("1001", 5, 1)]),
            (Role.SUPPLIER, [("1001", 5, 1)]),
            (Role.AUDITOR, [("1001", 5, 1)]),
        ],
    )
    def test_lines_per_role(self, s, role_users, role, expected):
        DeviceFactory(programme=s.programme, school=s.school, device_model=s.laptop, order_line=s.placed_line)
        response = api(role_users[role]).get(LINES)
        assert response.status_code == 200
        rows = [(row["school_number"], row["quantity"], row["delivered"]) for row in response.json()["results"]]
        assert rows == expected

    def test_an_order_outside_is_not_found(self, s, world, role_users):
        response = api(role_users[Role.OPERATOR_STAFF]).get(f"{ORDERS}{s.central.pk}/")
        assert response.status_code == 404


class TestWrites:
    def test_a_draft_with_a_line_placed_through_the_api(self, s):
        client = api(s.owner)
        response = client.post(
            ORDERS,
            {"programme": s.programme.pk, "funding_source": s.funding.pk, "supplier": s.supplier.pk,
             "contract": s.contract.pk},
            format="json",
        )  # fmt: skip
        assert response.status_code == 201, response.json()
        order_id = response.json()["id"]
        assert (response.json()["number"], response.json()["status"]) == ("PO-00001", "draft")
        response = client.post(
            f"{ORDERS}{order_id}/lines/",
            {"device_model": s.laptop.pk, "school": s.school.pk, "quantity": 3,
             "allocation_line": line_of(s.units_version, s.school).pk},
            format="json",
        )  # fmt: skip
        assert response.status_code == 201, response.json()
        assert (response.json()["unit_price"], response.json()["delivered"]) == ("420.00", 0)
        response = client.post(f"{ORDERS}{order_id}/place/", {"ordered_on": "2024-10-01"}, format="json")
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["amount"]) == ("placed", "1260.00")

    def test_refusals_are_400s_naming_the_field(self, s):
        client = api(s.owner)
        response = client.post(
            f"{ORDERS}{s.central.pk}/lines/",
            {"device_model": s.laptop.pk, "school": s.school.pk, "quantity": 0},
            format="json",
        )
        assert (response.status_code, response.json()) == (400, {"quantity": ["Order at least one device."]})
        response = client.post(f"{ORDERS}{s.central.pk}/place/", {}, format="json")
        assert (response.status_code, response.json()) == (
            400,
            {"non_field_errors": ["Add at least one line before placing the order."]},
        )
        response = client.post(f"{ORDERS}{s.placed.pk}/place/", {"ordered_on": "2024-10-01"}, format="json")
        assert response.json() == {"non_field_errors": ["Only a draft order can be placed; this one is Placed."]}
        response = client.post(
            ORDERS,
            {"programme": s.programme.pk, "funding_source": s.other_funding.pk, "supplier": s.supplier.pk},
            format="json",
        )
        assert (response.status_code, response.json()) == (
            400,
            {"funding_source": ["This funding source belongs to another programme."]},
        )
        response = client.post(f"{ORDERS}{s.placed.pk}/place/", {"ordered_on": "yesterday"}, format="json")
        assert response.status_code == 400 and "ordered_on" in response.json()

    def test_cancel(self, s):
        response = api(s.staff).post(f"{ORDERS}{s.placed.pk}/cancel/", {"reason": "moved"}, format="json")
        assert (response.status_code, response.json()["status"]) == (200, "cancelled")
        response = api(s.staff).post(f"{ORDERS}{s.placed.pk}/cancel/", {}, format="json")
        assert response.json() == {"non_field_errors": ["This order is already cancelled."]}

    def test_operator_staff_order_as_their_operator_for_their_schools(self, s):
        client = api(s.staff)
        data = {"programme": s.programme.pk, "funding_source": s.funding.pk, "supplier": s.supplier.pk}
        assert client.post(ORDERS, data, format="json").status_code == 403
        response = client.post(ORDERS, {**data, "operator": s.operator.pk}, format="json")
        assert response.status_code == 201
        order_id = response.json()["id"]
        response = client.post(
            f"{ORDERS}{order_id}/lines/",
            {"device_model": s.laptop.pk, "school": s.school_c.pk, "quantity": 1},
            format="json",
        )
        # School C is not the operator's: the staff do not even see it.
        assert response.status_code == 400 and "school" in response.json()
        assert client.post(f"{ORDERS}{s.central.pk}/place/", {}, format="json").status_code == 404

    @pytest.mark.parametrize("role", [Role.FUNDING_ADMINISTRATOR, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR])
    def test_read_only_roles_write_nothing(self, s, role_users, role):
        client = api(role_users[role])
        before = AuditEvent.objects.count()
        data = {"programme": s.programme.pk, "funding_source": s.funding.pk, "supplier": s.supplier.pk}
        assert client.post(ORDERS, data, format="json").status_code == 403
        for action in ("place", "cancel", "lines"):
            assert client.post(f"{ORDERS}{s.central.pk}/{action}/", {}, format="json").status_code in (403, 404)
        assert client.delete(f"{ORDERS}{s.central.pk}/").status_code in (403, 404, 405)
        assert AuditEvent.objects.count() == before


class TestComparison:
    def test_rows_for_the_owner(self, s):
        DeviceFactory(programme=s.programme, school=s.school, device_model=s.laptop, order_line=s.placed_line)
        response = api(s.owner).get(COMPARE, {"programme": s.programme.pk, "device_type": "laptop"})
        assert response.status_code == 200
        assert response.json()[0] == {
            "school": s.school.pk,
            "school_number": "1001",
            "school_name": "INSIDE school",
            "operator": "INSIDE operator",
            "allocated_units": "10.00",
            "ordered_units": 5,
            "delivered_units": 1,
            "units_left": "5.00",
            "allocated_eur": "5000.00",
            "ordered_eur": "2100.00",
            "eur_left": "2900.00",
        }
        assert [row["school_number"] for row in response.json()] == ["1001", "1002", "1003"]

    def test_bad_queries_are_400s(self, s, role_users, world):
        from digileap.programmes.tests.factories import ProgrammeFactory

        client = api(s.owner)
        assert client.get(COMPARE).json() == {"programme": ["This field is required."]}
        outside = ProgrammeFactory(authority=world.other_authority)
        response = client.get(COMPARE, {"programme": outside.pk})
        assert (response.status_code, response.json()) == (
            400,
            {"programme": [f'Invalid pk "{outside.pk}" - object does not exist.']},
        )
        response = client.get(COMPARE, {"programme": s.programme.pk, "device_type": "toaster"})
        assert response.json() == {"device_type": ['"toaster" is not a valid choice.']}
        # The supplier sees no programme to compare.
        assert api(role_users[Role.SUPPLIER]).get(COMPARE, {"programme": s.programme.pk}).status_code == 400


def test_an_order_line_keeps_its_price(s):
    line = s.placed_line
    assert (line.unit_price, line.quantity) == (Decimal("420.00"), 5)
