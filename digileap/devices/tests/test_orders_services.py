"""Purchase-order services: drafts, lines, placing, cancelling, the delivery status; every refusal
with its message, who may do what, and nothing half-written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.audit import verify_chain
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import FundingSourceFactory

from ..models import Device, OrderLine, PurchaseOrder
from ..services import orders as services
from .factories import DeviceFactory, FrameworkContractFactory, SupplierFactory
from .factories_catalogue import line_of, ordering_setup

pytestmark = pytest.mark.django_db
Status = PurchaseOrder.Status
DAY = datetime.date(2024, 9, 2)


@pytest.fixture
def s(world):
    return ordering_setup(world)


@pytest.fixture
def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


@pytest.fixture
def staff(role_users):
    return role_users[Role.OPERATOR_STAFF]


def draft(s, actor, **kwargs):
    data = {"programme": s.programme, "funding_source": s.funding, "supplier": s.supplier, "contract": s.contract}
    data.update(kwargs)
    return services.order_create(actor=actor, **data)


def messages_of(error: ValidationError) -> dict:
    return error.value.message_dict


class TestCreate:
    def test_an_owner_creates_a_numbered_draft(self, s, owner):
        first = draft(s, owner, note="  first  ")
        second = draft(s, owner, contract=None)
        assert (first.number, first.status, first.ordered_on, first.note, first.created_by) == (
            "PO-00001",
            Status.DRAFT,
            None,
            "first",
            owner,
        )
        assert second.number == "PO-00002"
        event = AuditEvent.objects.get(object_type="devices.purchaseorder", object_id=str(first.pk))
        assert (event.action, event.actor_label, event.after["number"], event.after["status"]) == (
            "create",
            "programme_owner-user",
            "PO-00001",
            "draft",
        )

    def test_a_given_number_is_kept_and_must_be_free(self, s, owner):
        assert draft(s, owner, number=" ERP-7 ").number == "ERP-7"
        with pytest.raises(ValidationError) as error:
            draft(s, owner, number="ERP-7")
        assert messages_of(error) == {"number": ["The programme already has an order numbered ERP-7."]}

    def test_numbering_continues_after_the_highest(self, s, owner):
        draft(s, owner, number="PO-00041")
        assert draft(s, owner).number == "PO-00042"

    def test_the_funding_source_must_be_the_programmes(self, s, owner):
        with pytest.raises(ValidationError) as error:
            draft(s, owner, funding_source=s.other_funding)
        assert messages_of(error) == {"funding_source": ["This funding source belongs to another programme."]}
        assert PurchaseOrder.objects.count() == 0

    def test_the_contract_must_be_the_authoritys_and_the_suppliers(self, s, owner, world):
        with pytest.raises(ValidationError) as error:
            draft(s, owner, contract=s.other_contract)
        assert messages_of(error) == {
            "contract": [f"This contract is with {s.other_contract.supplier.name}, not with INSIDE supplier."]
        }
        foreign = FrameworkContractFactory(authority=world.other_authority, supplier=s.supplier)
        with pytest.raises(ValidationError) as error:
            draft(s, owner, contract=foreign)
        assert messages_of(error) == {"contract": ["This contract belongs to another authority than the programme's."]}

    def test_the_buying_operator_must_be_in_the_authority(self, s, owner, world):
        with pytest.raises(ValidationError) as error:
            draft(s, user_with_role(Role.ADMINISTRATOR), operator=world.other_operator)
        assert messages_of(error) == {"operator": ["This operator is not in the programme's authority."]}

    def test_operator_staff_order_as_their_operator_only(self, s, staff):
        order = draft(s, staff, operator=s.operator)
        assert order.operator == s.operator
        with pytest.raises(PermissionDenied):
            draft(s, staff)
        with pytest.raises(PermissionDenied):
            draft(s, staff, operator=s.operator_2)

    @pytest.mark.parametrize("role", [Role.FUNDING_ADMINISTRATOR, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR])
    def test_other_roles_may_not_order(self, s, role_users, role):
        with pytest.raises(PermissionDenied):
            draft(s, role_users[role], operator=s.operator)
        assert PurchaseOrder.objects.count() == 0

    def test_an_owner_of_another_authority_may_not(self, s, world):
        stranger = user_with_role(Role.PROGRAMME_OWNER, world.other_authority)
        with pytest.raises(PermissionDenied):
            draft(s, stranger)


class TestUpdate:
    def test_a_draft_changes_and_the_change_is_audited(self, s, owner):
        order = draft(s, owner)
        services.order_update(actor=owner, order=order, data={"funding_source": s.funding_2, "note": " later "})
        order.refresh_from_db()
        assert (order.funding_source, order.note) == (s.funding_2, "later")
        event = AuditEvent.objects.filter(object_id=str(order.pk), action="update").get()
        assert (event.before, event.after) == (
            {"funding_source": s.funding.pk, "note": ""},
            {"funding_source": s.funding_2.pk, "note": "later"},
        )

    def test_a_placed_order_does_not_change(self, s, owner):
        order = draft(s, owner)
        services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=1)
        services.order_place(actor=owner, order=order, ordered_on=DAY)
        with pytest.raises(ValidationError) as error:
            services.order_update(actor=owner, order=order, data={"note": "x"})
        assert error.value.messages == ["Only a draft order can be changed; this one is Placed."]

    def test_the_buyer_must_run_the_schools_of_the_lines(self, s, owner):
        order = draft(s, owner)
        services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school_c, quantity=1)
        with pytest.raises(ValidationError) as error:
            services.order_update(actor=owner, order=order, data={"operator": s.operator})
        assert messages_of(error) == {"operator": ["The line for INSIDE school C is for a school of another operator."]}

    def test_unknown_fields_are_refused(self, s, owner):
        order = draft(s, owner)
        with pytest.raises(ValidationError) as error:
            services.order_update(actor=owner, order=order, data={"status": "placed"})
        assert error.value.messages == ["These fields cannot be set here: status"]


class TestLines:
    def test_prices_default_to_the_contract_then_the_list(self, s, owner):
        order = draft(s, owner)
        laptops = services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=4)
        tablets = services.order_line_add(actor=owner, order=order, device_model=s.tablet, school=s.school, quantity=2)
        priced = services.order_line_add(
            actor=owner, order=order, device_model=s.laptop, school=s.school_b, quantity=1, unit_price=Decimal("399.99")
        )
        assert [line.unit_price for line in (laptops, tablets, priced)] == [
            Decimal("420.00"),
            Decimal("300.00"),
            Decimal("399.99"),
        ]
        without_contract = draft(s, owner, contract=None)
        line = services.order_line_add(
            actor=owner, order=without_contract, device_model=s.laptop, school=s.school, quantity=1
        )
        assert line.unit_price == Decimal("450.00")
        event = AuditEvent.objects.get(object_type="devices.orderline", object_id=str(laptops.pk))
        assert (event.action, event.after["order"], event.after["quantity"], event.after["unit_price"]) == (
            "create",
            order.pk,
            4,
            "420.00",
        )

    def test_every_refusal_names_its_field(self, s, owner, world):
        order = draft(s, owner, operator=s.operator)
        cases = [
            ({"device_model": s.outside_model}, {"device_model": ["This device model is not in the catalogue of the programme's authority."]}),
            ({"school": world.other_school}, {"school": ["This school is not in the programme's authority (INSIDE authority)."]}),
            ({"school": s.school_c}, {"school": ["This school is not run by the buying operator INSIDE operator."]}),
            ({"quantity": 0}, {"quantity": ["Order at least one device."]}),
            ({"unit_price": Decimal("-1")}, {"unit_price": ["The unit price cannot be negative."]}),
        ]  # fmt: skip
        for change, expected in cases:
            data = {"device_model": s.laptop, "school": s.school, "quantity": 1, **change}
            with pytest.raises(ValidationError) as error:
                services.order_line_add(actor=owner, order=order, **data)
            assert messages_of(error) == expected
        s.tablet.is_active = False
        s.tablet.save()
        with pytest.raises(ValidationError) as error:
            services.order_line_add(actor=owner, order=order, device_model=s.tablet, school=s.school, quantity=1)
        assert messages_of(error) == {"device_model": ["Lenovo Tab 10 is no longer orderable."]}
        assert OrderLine.objects.count() == 0

    def test_the_allocation_line_must_fit(self, s, owner):
        order = draft(s, owner)

        def refused(allocation_line, device_model=None, school=None):
            with pytest.raises(ValidationError) as error:
                services.order_line_add(
                    actor=owner,
                    order=order,
                    device_model=device_model or s.laptop,
                    school=school or s.school,
                    quantity=1,
                    allocation_line=allocation_line,
                )
            return messages_of(error)["allocation_line"]

        assert refused(line_of(s.other_version, s.school)) == ["This allocation line belongs to another programme."]
        assert refused(line_of(s.draft_version, s.school)) == [
            "This allocation line is of a version that is not approved."
        ]
        assert refused(line_of(s.units_version, s.school_b)) == [
            "This allocation line is for another school (INSIDE school B)."
        ]
        assert refused(line_of(s.tablet_version, s.school)) == ["This allocation is of Tablet, not of Laptop."]
        # An approved units round of the type and a published money round both fund a line.
        units = services.order_line_add(
            actor=owner,
            order=order,
            device_model=s.laptop,
            school=s.school,
            quantity=2,
            allocation_line=line_of(s.units_version, s.school),
        )
        money = services.order_line_add(
            actor=owner,
            order=order,
            device_model=s.tablet,
            school=s.school,
            quantity=2,
            allocation_line=line_of(s.money_version, s.school),
        )
        assert (units.allocation_line.version, money.allocation_line.version) == (s.units_version, s.money_version)

    def test_operator_staff_order_only_for_their_schools(self, s, staff, owner):
        order = draft(s, staff, operator=s.operator)
        services.order_line_add(actor=staff, order=order, device_model=s.laptop, school=s.school_b, quantity=1)
        # The owner's central order: operator staff may not touch it.
        central = draft(s, owner)
        with pytest.raises(PermissionDenied):
            services.order_line_add(actor=staff, order=central, device_model=s.laptop, school=s.school, quantity=1)

    def test_an_owner_orders_for_every_school_of_the_authority(self, s, owner):
        order = draft(s, owner)
        for school in (s.school, s.school_b, s.school_c):
            services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=school, quantity=1)
        assert order.lines.count() == 3

    def test_lines_change_only_on_drafts(self, s, owner):
        order = draft(s, owner)
        line = services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=1)
        services.order_place(actor=owner, order=order, ordered_on=DAY)
        with pytest.raises(ValidationError) as error:
            services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=1)
        assert error.value.messages == ["Lines can be added only to a draft order; this one is Placed."]
        with pytest.raises(ValidationError) as error:
            services.order_line_remove(actor=owner, line=line)
        assert error.value.messages == ["Lines can be removed only from a draft order; this one is Placed."]

    def test_a_removed_line_is_audited(self, s, owner):
        order = draft(s, owner)
        line = services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=3)
        services.order_line_remove(actor=owner, line=line)
        assert not OrderLine.objects.exists()
        event = AuditEvent.objects.get(object_type="devices.orderline", action="delete")
        assert (event.before["quantity"], event.before["order"]) == (3, order.pk)


class TestPlace:
    def _with_line(self, s, owner, quantity=10, **kwargs):
        order = draft(s, owner, **kwargs)
        services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=quantity)
        return order

    def test_placing_dates_the_order_and_audits_the_total(self, s, owner):
        order = self._with_line(s, owner)
        services.order_place(actor=owner, order=order, ordered_on=DAY)
        order.refresh_from_db()
        assert (order.status, order.ordered_on) == (Status.PLACED, DAY)
        event = AuditEvent.objects.get(object_id=str(order.pk), action="place")
        assert (event.before, event.after) == (
            {"status": "draft", "ordered_on": None},
            {"status": "placed", "ordered_on": "2024-09-02", "total": "4200.00"},
        )
        assert verify_chain().is_intact

    def test_an_order_needs_a_line(self, s, owner):
        order = draft(s, owner)
        with pytest.raises(ValidationError) as error:
            services.order_place(actor=owner, order=order, ordered_on=DAY)
        assert error.value.messages == ["Add at least one line before placing the order."]

    def test_only_a_draft_is_placed(self, s, owner):
        order = self._with_line(s, owner)
        services.order_place(actor=owner, order=order, ordered_on=DAY)
        with pytest.raises(ValidationError) as error:
            services.order_place(actor=owner, order=order, ordered_on=DAY)
        assert error.value.messages == ["Only a draft order can be placed; this one is Placed."]

    def test_the_date_must_be_within_the_contract_term(self, s, owner):
        order = self._with_line(s, owner)
        with pytest.raises(ValidationError) as error:
            services.order_place(actor=owner, order=order, ordered_on=datetime.date(2028, 1, 1))
        assert messages_of(error) == {
            "ordered_on": ["The contract FC-2024 runs from 2024-01-01 to 2027-12-31: 2028-01-01 is outside its term."]
        }
        order.refresh_from_db()
        assert (order.status, order.ordered_on) == (Status.DRAFT, None)

    def test_the_ceiling_counts_placed_orders_only(self, s, owner):
        first = self._with_line(s, owner, quantity=20)  # 8,400.00
        services.order_place(actor=owner, order=first, ordered_on=DAY)
        cancelled = self._with_line(s, owner, quantity=3)
        services.order_place(actor=owner, order=cancelled, ordered_on=DAY)
        services.order_cancel(actor=owner, order=cancelled)
        self._with_line(s, owner, quantity=100)  # a draft commits nothing
        fits = self._with_line(s, owner, quantity=3)  # 8,400 + 1,260 = 9,660
        services.order_place(actor=owner, order=fits, ordered_on=DAY)
        too_much = self._with_line(s, owner, quantity=1)  # 9,660 + 420 = 10,080
        with pytest.raises(ValidationError) as error:
            services.order_place(actor=owner, order=too_much, ordered_on=DAY)
        assert messages_of(error) == {
            "contract": [
                "This order of EUR 420.00 would take the orders under FC-2024 to EUR 10080.00, "
                "above its ceiling of EUR 10000.00."
            ]
        }

    def test_lines_must_still_fit_the_programme(self, s, owner, world):
        order = self._with_line(s, owner)
        # A line that came in another way (data import, an earlier rule) is caught when placing.
        OrderLine.objects.create(
            order=order, device_model=s.laptop, school=world.other_school, quantity=1, unit_price=Decimal("1")
        )
        OrderLine.objects.create(
            order=order,
            device_model=s.laptop,
            school=s.school_b,
            quantity=1,
            unit_price=Decimal("1"),
            allocation_line=line_of(s.units_version, s.school),
        )
        with pytest.raises(ValidationError) as error:
            services.order_place(actor=owner, order=order, ordered_on=DAY)
        assert messages_of(error) == {
            "lines": [
                "Line 2: OUTSIDE school is not in the programme's authority (INSIDE authority).",
                "Line 3: This allocation line is for another school (INSIDE school).",
            ]
        }

    def test_the_date_defaults_to_today(self, s, owner):
        from django.utils import timezone

        order = self._with_line(s, owner, contract=None)
        services.order_place(actor=owner, order=order)
        order.refresh_from_db()
        assert order.ordered_on == timezone.localdate()

    def test_the_auditor_and_the_supplier_may_not_place(self, s, owner, role_users):
        order = self._with_line(s, owner)
        for role in (Role.AUDITOR, Role.SUPPLIER, Role.FUNDING_ADMINISTRATOR):
            with pytest.raises(PermissionDenied):
                services.order_place(actor=role_users[role], order=order, ordered_on=DAY)
        order.refresh_from_db()
        assert order.status == Status.DRAFT


class TestCancel:
    def test_a_draft_or_placed_order_is_cancelled_with_a_reason(self, s, owner):
        order = draft(s, owner)
        services.order_cancel(actor=owner, order=order, reason=" duplicate ")
        order.refresh_from_db()
        assert order.status == Status.CANCELLED
        event = AuditEvent.objects.get(object_id=str(order.pk), action="cancel")
        assert (event.before, event.after) == ({"status": "draft"}, {"status": "cancelled", "reason": "duplicate"})
        with pytest.raises(ValidationError) as error:
            services.order_cancel(actor=owner, order=order)
        assert error.value.messages == ["This order is already cancelled."]

    def test_an_order_with_devices_is_not_cancelled(self, s, owner):
        order = draft(s, owner)
        line = services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=2)
        services.order_place(actor=owner, order=order, ordered_on=DAY)
        DeviceFactory(programme=s.programme, school=s.school, device_model=s.laptop, order_line=line)
        with pytest.raises(ValidationError) as error:
            services.order_cancel(actor=owner, order=order)
        assert error.value.messages == ["Devices were delivered against this order: it can no longer be cancelled."]
        services.order_refresh_delivery_status(order=order)
        with pytest.raises(ValidationError) as error:
            services.order_cancel(actor=owner, order=order)
        assert error.value.messages == ["Devices were delivered against this order: it can no longer be cancelled."]


class TestDeliveryStatus:
    def test_the_status_follows_the_devices_per_line(self, s, owner):
        order = draft(s, owner)
        laptops = services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=2)
        tablets = services.order_line_add(actor=owner, order=order, device_model=s.tablet, school=s.school, quantity=1)
        assert services.order_refresh_delivery_status(order=order).status == Status.DRAFT
        services.order_place(actor=owner, order=order, ordered_on=DAY)
        assert services.order_refresh_delivery_status(order=order).status == Status.PLACED

        def deliver(line, count):
            for _ in range(count):
                DeviceFactory(programme=s.programme, school=s.school, device_model=line.device_model, order_line=line)

        deliver(laptops, 2)
        assert services.order_refresh_delivery_status(order=order, actor=owner).status == Status.PARTLY_DELIVERED
        deliver(tablets, 1)
        assert services.order_refresh_delivery_status(order=order).status == Status.DELIVERED
        events = list(
            AuditEvent.objects.filter(object_id=str(order.pk), action="delivery_status")
            .order_by("id")
            .values_list("actor_label", "before", "after")
        )
        assert events == [
            ("programme_owner-user", {"status": "placed"}, {"status": "partly_delivered"}),
            ("system", {"status": "partly_delivered"}, {"status": "delivered"}),
        ]
        # Nothing changes, nothing is recorded.
        services.order_refresh_delivery_status(order=order)
        assert AuditEvent.objects.filter(object_id=str(order.pk), action="delivery_status").count() == 2
        # A device taken off the line again (a wrong scan): back to partly delivered.
        Device.objects.filter(order_line=tablets).update(order_line=None)
        assert services.order_refresh_delivery_status(order=order).status == Status.PARTLY_DELIVERED

    def test_exact_status_for_0_100_186_of_186_and_more(self, s, owner):
        """Issue 11, defect 11: "partly delivered" with 186 of 186 delivered."""
        order = draft(s, owner, contract=None)
        line = services.order_line_add(
            actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=186, unit_price=Decimal("1")
        )
        services.order_place(actor=owner, order=order, ordered_on=DAY)

        def delivered_up_to(total):
            missing = total - Device.objects.filter(order_line=line).count()
            DeviceFactory.create_batch(
                missing, programme=s.programme, school=s.school, device_model=s.laptop, order_line=line
            )
            order.refresh_from_db()
            return services.delivery_status(order), services.order_refresh_delivery_status(order=order).status

        assert delivered_up_to(0) == (Status.PLACED, Status.PLACED)
        assert delivered_up_to(100) == (Status.PARTLY_DELIVERED, Status.PARTLY_DELIVERED)
        assert delivered_up_to(186) == (Status.DELIVERED, Status.DELIVERED)
        assert delivered_up_to(190) == (Status.DELIVERED, Status.DELIVERED)

    def test_a_cancelled_order_stays_cancelled(self, s, owner):
        order = draft(s, owner)
        services.order_cancel(actor=owner, order=order)
        assert services.order_refresh_delivery_status(order=order).status == Status.CANCELLED


def test_an_order_to_another_supplier_needs_that_suppliers_contract(s, owner):
    supplier = SupplierFactory(name="Another supplier")
    order = draft(
        s, owner, supplier=supplier, contract=None, funding_source=FundingSourceFactory(programme=s.programme)
    )
    assert (order.supplier, order.contract) == (supplier, None)
