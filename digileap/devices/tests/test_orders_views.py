"""Pages of purchase orders for every role: the list, a new order, lines (with the allocation choices
that follow the school), placing and cancelling with their refusals on the page, the lines for
one's schools, and ordered versus allocated with its CSV and XLSX exports."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent

from ..models import OrderLine, PurchaseOrder
from ..services import orders as services
from .factories import DeviceFactory
from .factories_catalogue import line_of, ordering_setup

pytestmark = pytest.mark.django_db
Status = PurchaseOrder.Status
LIST = reverse("devices:purchaseorder-list")
CREATE = reverse("devices:purchaseorder-create")
LINES = reverse("devices:orderline-list")
COMPARE = reverse("devices:purchaseorder-comparison")
EXPORT = reverse("devices:purchaseorder-comparison-export")
DAY = datetime.date(2024, 9, 2)


def _as(client, user):
    client.force_login(user)
    return client


def url(name, obj):
    return reverse(f"devices:{name}", kwargs={"pk": obj.pk})


@pytest.fixture
def s(world, role_users):
    s = ordering_setup(world)
    s.owner = role_users[Role.PROGRAMME_OWNER]
    s.staff = role_users[Role.OPERATOR_STAFF]
    # A placed order bought by the INSIDE operator, a central draft by the owner.
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
    services.order_place(actor=s.staff, order=s.placed, ordered_on=DAY)
    s.central = services.order_create(
        actor=s.owner, programme=s.programme, funding_source=s.funding_2, supplier=s.supplier, number="CENTRAL-1"
    )
    return s


def numbers(response):
    return [order.number for order in response.context["page"].object_list]


class TestList:
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
    def test_each_role_sees_its_orders(self, client, s, role_users, role, status, expected):
        response = _as(client, role_users[role]).get(LIST)
        assert response.status_code == status
        if expected is not None:
            assert numbers(response) == expected
            assert response.context["can_add"] is (
                role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.OPERATOR_STAFF)
            )

    def test_totals_and_filters(self, client, s):
        client = _as(client, s.owner)
        response = client.get(LIST)
        placed = [order for order in response.context["page"].object_list if order.number == "OP-1"][0]
        assert (placed.units, placed.amount) == (5, Decimal("2100.00"))
        assert numbers(client.get(LIST, {"status": "draft"})) == ["CENTRAL-1"]
        assert numbers(client.get(LIST, {"q": "op-"})) == ["OP-1"]
        assert numbers(client.get(LIST, {"programme": s.other_programme.pk})) == []
        response = client.get(LIST, {"status": "lost"})
        assert response.status_code == 200 and numbers(response) == ["CENTRAL-1", "OP-1"]


class TestCreate:
    def test_the_owner_chooses_the_programme_then_the_header(self, client, s):
        client = _as(client, s.owner)
        page = client.get(CREATE)
        assert "programme_form" in page.context
        page = client.get(CREATE, {"programme": s.programme.pk})
        form = page.context["form"]
        assert list(form.fields["funding_source"].queryset) == [s.funding, s.funding_2]
        assert [c.reference for c in form.fields["contract"].queryset] == ["FC-2024", "FC-OTHER"]
        assert form.fields["operator"].required is False
        response = client.post(
            CREATE,
            {"programme": s.programme.pk, "funding_source": s.funding.pk, "supplier": s.supplier.pk,
             "contract": s.other_contract.pk, "operator": "", "number": "", "note": ""},
        )  # fmt: skip
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "contract": [f"This contract is with {s.other_contract.supplier.name}, not with INSIDE supplier."]
        }
        response = client.post(
            CREATE,
            {"programme": s.programme.pk, "funding_source": s.funding.pk, "supplier": s.supplier.pk,
             "contract": s.contract.pk, "operator": "", "number": "", "note": "For the autumn"},
        )  # fmt: skip
        order = PurchaseOrder.objects.get(number="PO-00001")
        assert response["Location"] == url("purchaseorder-detail", order)
        assert (order.status, order.note, order.operator) == (Status.DRAFT, "For the autumn", None)

    def test_operator_staff_buy_as_their_operator(self, client, s, world):
        client = _as(client, s.staff)
        form = client.get(CREATE, {"programme": s.programme.pk}).context["form"]
        assert (list(form.fields["operator"].queryset), form.fields["operator"].required) == ([s.operator], True)
        data = {"programme": s.programme.pk, "funding_source": s.funding.pk, "supplier": s.supplier.pk,
                "contract": "", "number": "OP-2", "note": ""}  # fmt: skip
        response = client.post(CREATE, {**data, "operator": s.operator_2.pk})
        assert "operator" in response.context["form"].errors
        assert client.post(CREATE, {**data, "operator": s.operator.pk}).status_code == 302
        assert PurchaseOrder.objects.get(number="OP-2").operator == s.operator

    def test_a_programme_outside_is_not_a_choice(self, client, s, world):
        from digileap.programmes.tests.factories import ProgrammeFactory

        outside = ProgrammeFactory(authority=world.other_authority)
        response = _as(client, s.owner).get(CREATE, {"programme": outside.pk})
        assert response.status_code == 200
        assert "programme" in response.context["programme_form"].errors

    @pytest.mark.parametrize("role", [Role.FUNDING_ADMINISTRATOR, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR])
    def test_other_roles_may_not_order(self, client, s, role_users, role):
        client = _as(client, role_users[role])
        assert client.get(CREATE).status_code == 403
        response = client.post(
            CREATE, {"programme": s.programme.pk, "funding_source": s.funding.pk, "supplier": s.supplier.pk}
        )
        assert response.status_code == 403
        assert PurchaseOrder.objects.count() == 2


class TestDetailAndLines:
    @pytest.mark.parametrize(
        "role, status",
        [
            (Role.PROGRAMME_OWNER, 200),
            (Role.FUNDING_ADMINISTRATOR, 200),
            (Role.OPERATOR_STAFF, 200),
            (Role.SCHOOL_COORDINATOR, 404),
            (Role.SUPPLIER, 200),
            (Role.AUDITOR, 200),
        ],
    )
    def test_the_placed_order_per_role(self, client, s, role_users, role, status):
        response = _as(client, role_users[role]).get(url("purchaseorder-detail", s.placed))
        assert response.status_code == status
        if status == 200:
            context = response.context
            may = role in (Role.PROGRAMME_OWNER, Role.OPERATOR_STAFF)
            assert (context["can_edit"], context["can_place"], context["can_cancel"]) == (False, False, may)
            assert (context["units"], context["total"], context["delivered"]) == (5, Decimal("2100.00"), 0)
            assert [event.action for event in context["events"]] == ["place", "create", "create"]

    def test_a_draft_is_edited(self, client, s):
        client = _as(client, s.owner)
        edit = url("purchaseorder-update", s.central)
        page = client.get(edit)
        assert page.status_code == 200 and page.context["form"]["number"].value() == "CENTRAL-1"
        data = {"funding_source": s.funding.pk, "supplier": s.supplier.pk, "contract": s.contract.pk,
                "operator": "", "number": "CENTRAL-2", "note": "Moved to RRF"}  # fmt: skip
        assert client.post(edit, data).status_code == 302
        s.central.refresh_from_db()
        assert (s.central.number, s.central.funding_source, s.central.contract) == ("CENTRAL-2", s.funding, s.contract)
        response = client.post(url("purchaseorder-update", s.placed), {**data, "number": "OP-1"})
        assert response.context["form"].errors == {
            "__all__": ["Only a draft order can be changed; this one is Placed."]
        }

    def test_operator_staff_do_not_see_the_central_order(self, client, s):
        assert _as(client, s.staff).get(url("purchaseorder-detail", s.central)).status_code == 404

    def test_lines_are_added_with_their_refusals_on_the_page(self, client, s):
        client = _as(client, s.owner)
        add = url("purchaseorder-line-add", s.central)
        form = client.get(add).context["form"]
        assert [m.code for m in form.fields["device_model"].queryset] == ["lat-14", "tab-10"]
        assert [school.number for school in form.fields["school"].queryset] == ["1001", "1002", "1003"]
        response = client.post(
            add,
            {"device_model": s.laptop.pk, "school": s.school_b.pk, "quantity": "2",
             "allocation_line": line_of(s.units_version, s.school).pk},
        )  # fmt: skip
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "allocation_line": ["This allocation line is for another school (INSIDE school)."]
        }
        response = client.post(
            add,
            {"device_model": s.laptop.pk, "school": s.school.pk, "quantity": "2", "unit_price": "",
             "allocation_line": line_of(s.units_version, s.school).pk, "add_another": "1"},
        )  # fmt: skip
        assert response["Location"] == add
        line = OrderLine.objects.get(order=s.central)
        assert (line.quantity, line.unit_price, line.allocation_line.school) == (2, Decimal("450.00"), s.school)
        detail = client.get(url("purchaseorder-detail", s.central))
        assert (detail.context["can_place"], detail.context["can_remove_lines"]) == (True, True)
        assert client.get(url("orderline-remove", line)).status_code == 200
        assert client.post(url("orderline-remove", line)).status_code == 302
        assert not OrderLine.objects.filter(order=s.central).exists()

    def test_the_allocation_choices_follow_the_school(self, client, s):
        client = _as(client, s.owner)
        choices = url("purchaseorder-allocation-choices", s.central)
        response = client.get(choices, {"school": s.school_c.pk}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert [line.version.round.code for line in response.context["form"].fields["allocation_line"].queryset] == [
            "MONEY"
        ]
        assert "MONEY v1 · INSIDE school C: 2,500.00 EUR" in response.content.decode()
        empty = client.get(choices, {"school": "x"})
        assert list(empty.context["form"].fields["allocation_line"].queryset) == []

    def test_operator_staff_add_lines_for_their_schools_only(self, client, s):
        draft = services.order_create(
            actor=s.staff, programme=s.programme, funding_source=s.funding, supplier=s.supplier, operator=s.operator
        )
        client = _as(client, s.staff)
        add = url("purchaseorder-line-add", draft)
        assert [school.number for school in client.get(add).context["form"].fields["school"].queryset] == [
            "1001",
            "1002",
        ]
        response = client.post(add, {"device_model": s.laptop.pk, "school": s.school_c.pk, "quantity": "1"})
        assert "school" in response.context["form"].errors
        assert not draft.lines.exists()
        assert client.get(url("purchaseorder-line-add", s.central)).status_code == 404

    def test_place_and_its_refusals(self, client, s):
        client = _as(client, s.owner)
        place = url("purchaseorder-place", s.central)
        response = client.post(place, {"ordered_on": "2024-09-03"})
        assert response.context["form"].errors == {"__all__": ["Add at least one line before placing the order."]}
        order = services.order_create(
            actor=s.owner, programme=s.programme, funding_source=s.funding, supplier=s.supplier, contract=s.contract
        )
        services.order_line_add(actor=s.owner, order=order, device_model=s.laptop, school=s.school, quantity=19)
        place = url("purchaseorder-place", order)
        assert client.get(place).status_code == 200
        response = client.post(place, {"ordered_on": "2024-09-03"})
        assert response.context["form"].errors == {
            "__all__": [
                "This order of EUR 7980.00 would take the orders under FC-2024 to EUR 10080.00, above its ceiling "
                "of EUR 10000.00."
            ]
        }
        response = client.post(place, {"ordered_on": "2030-01-01"})
        assert response.context["form"].errors["ordered_on"] == [
            "The contract FC-2024 runs from 2024-01-01 to 2027-12-31: 2030-01-01 is outside its term."
        ]
        order.lines.update(quantity=18)
        response = client.post(place, {"ordered_on": "2024-09-03"})
        assert response.status_code == 302
        order.refresh_from_db()
        assert (order.status, order.ordered_on) == (Status.PLACED, datetime.date(2024, 9, 3))

    def test_cancel(self, client, s, role_users):
        assert _as(client, role_users[Role.SUPPLIER]).post(url("purchaseorder-cancel", s.placed)).status_code == 403
        client = _as(client, s.staff)
        assert client.get(url("purchaseorder-cancel", s.placed)).status_code == 200
        response = client.post(url("purchaseorder-cancel", s.placed), {"reason": "Budget moved"})
        assert response.status_code == 302
        s.placed.refresh_from_db()
        assert s.placed.status == Status.CANCELLED
        response = client.post(url("purchaseorder-cancel", s.placed), {"reason": ""})
        assert response.context["form"].errors == {"__all__": ["This order is already cancelled."]}

    @pytest.mark.parametrize("role", [Role.FUNDING_ADMINISTRATOR, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR])
    def test_read_only_roles_write_nothing(self, client, s, role_users, role):
        client = _as(client, role_users[role])
        before = AuditEvent.objects.count()
        for name in ("purchaseorder-update", "purchaseorder-line-add", "purchaseorder-place", "purchaseorder-cancel"):
            assert client.post(url(name, s.central), {"quantity": "1", "ordered_on": "2024-09-03"}).status_code in (
                403,
                404,
            )
        assert client.post(url("orderline-remove", s.placed_line)).status_code in (403, 404)
        assert AuditEvent.objects.count() == before


class TestLinesForSchools:
    @pytest.mark.parametrize(
        "role, expected",
        [
            (Role.SCHOOL_COORDINATOR, [("INSIDE school", 5, 1)]),
            (Role.OPERATOR_STAFF, [("INSIDE school", 5, 1)]),
            (Role.SUPPLIER, [("INSIDE school", 5, 1)]),
        ],
    )
    def test_placed_lines_with_deliveries(self, client, s, role_users, role, expected):
        DeviceFactory(programme=s.programme, school=s.school, device_model=s.laptop, order_line=s.placed_line)
        services.order_line_add(actor=s.owner, order=s.central, device_model=s.laptop, school=s.school, quantity=9)
        response = _as(client, role_users[role]).get(LINES)
        assert response.status_code == 200
        rows = [(line.school.name, line.quantity, line.delivered) for line in response.context["page"].object_list]
        assert rows == expected  # drafts are not listed


class TestComparison:
    def test_the_page_and_its_exports(self, client, s):
        DeviceFactory(programme=s.programme, school=s.school, device_model=s.laptop, order_line=s.placed_line)
        client = _as(client, s.owner)
        response = client.get(COMPARE, {"programme": s.programme.pk, "device_type": "laptop"})
        assert response.status_code == 200
        rows = [(row.number, row.allocated_units, row.ordered_units, row.delivered_units, row.units_left)
                for row in response.context["comparison"].rows]  # fmt: skip
        assert rows == [
            ("1001", Decimal("10.00"), 5, 1, Decimal("5.00")),
            ("1002", Decimal("5.00"), 0, 0, Decimal("5.00")),
            ("1003", Decimal("0"), 0, 0, Decimal("0")),
        ]
        text = response.content.decode()
        assert "Ordered versus allocated in Digital schools" in text and "Laptop" in text
        csv = client.get(EXPORT, {"programme": s.programme.pk, "device_type": "laptop", "format": "csv"})
        assert csv["Content-Disposition"] == 'attachment; filename="ordered-versus-allocated-digi-laptop.csv"'
        lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
        assert lines == [
            "school_number;school;operator;allocated_units;ordered_units;delivered_units;units_left;"
            "allocated_eur;ordered_eur;eur_left",
            "1001;INSIDE school;INSIDE operator;10;5;1;5;5000.00;2100.00;2900.00",
            "1002;INSIDE school B;INSIDE operator;5;0;0;5;0.00;0.00;0.00",
            "1003;INSIDE school C;INSIDE operator 2;0;0;0;0;2500.00;0.00;2500.00",
        ]
        xlsx = client.get(EXPORT, {"programme": s.programme.pk, "format": "xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[1] == ["1001", "INSIDE school", "INSIDE operator", 13, 5, 1, 8, 5000, 2100, 2900]
        assert len(values) == 4

    def test_one_programme_opens_at_once_and_bad_input_is_shown(self, client, s, role_users):
        coordinator = _as(client, role_users[Role.SCHOOL_COORDINATOR])
        response = coordinator.get(COMPARE, {"programme": "nope"})
        assert response.status_code == 200
        assert response.context["comparison"] is None
        assert "programme" in response.context["form"].errors
        response = coordinator.get(EXPORT, {"programme": "nope"})
        assert response.status_code == 302 and response["Location"].startswith(COMPARE)

    def test_the_supplier_has_no_programme_to_compare(self, client, s, role_users):
        response = _as(client, role_users[Role.SUPPLIER]).get(COMPARE)
        assert response.status_code == 200
        assert "You see no programme to compare." in response.content.decode()
        response = _as(client, role_users[Role.SUPPLIER]).get(COMPARE, {"programme": s.programme.pk})
        assert response.context["comparison"] is None
