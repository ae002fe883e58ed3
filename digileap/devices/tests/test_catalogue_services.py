"""Catalogue services: device models, suppliers (with their first contract), framework contracts and
their items; every refusal with its message, who may do what, audit events, nothing half-written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent

from ..models import ContractItem, DeviceModel, FrameworkContract, PurchaseOrder, Supplier
from ..selectors import catalogue as selectors
from ..services import catalogue as services
from ..services import orders as order_services
from .factories import DeviceFactory, SupplierFactory
from .factories_catalogue import ordering_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(world):
    return ordering_setup(world)


@pytest.fixture
def owner(role_users):
    return role_users[Role.PROGRAMME_OWNER]


def model_data(**changes):
    data = {
        "code": "hp-450",
        "manufacturer": "HP",
        "name": "ProBook 450",
        "device_type": "laptop",
        "specifications": {"Memory": "16 GB", "Screen": 15.6},
        "unit_price": Decimal("610.00"),
        "warranty_months": 36,
        "is_active": True,
    }
    data.update(changes)
    return data


def contract_data(**changes):
    data = {
        "reference": "FC-9",
        "title": "Tablets",
        "starts_on": datetime.date(2025, 1, 1),
        "ends_on": datetime.date(2026, 12, 31),
        "ceiling": Decimal("50000.00"),
        "response_hours": 8,
        "repair_hours": 48,
    }
    data.update(changes)
    return data


class TestDeviceModels:
    def test_an_owner_adds_a_model_to_the_authoritys_catalogue(self, s, owner, world):
        device_model = services.device_model_create(
            actor=owner, authority=world.authority, **model_data(code=" hp-450 ", name=" ProBook 450 ")
        )
        assert (device_model.code, device_model.name, device_model.specifications) == (
            "hp-450",
            "ProBook 450",
            {"Memory": "16 GB", "Screen": "15.6"},
        )
        event = AuditEvent.objects.get(object_type="devices.devicemodel", object_id=str(device_model.pk))
        assert (event.action, event.after["unit_price"], event.after["authority"]) == (
            "create",
            "610.00",
            world.authority.pk,
        )

    def test_every_refusal_names_its_field(self, s, owner, world):
        cases = [
            ({"code": "lat-14"}, {"code": ["The catalogue of INSIDE authority already has a model with the code lat-14."]}),
            ({"manufacturer": "Dell", "name": "Latitude 14"}, {"name": ["The catalogue of INSIDE authority already has Dell Latitude 14."]}),
            ({"unit_price": Decimal("-0.01")}, {"unit_price": ["The list price cannot be negative."]}),
            ({"specifications": ["8 GB"]}, {"specifications": ["Give the specifications as pairs of a name and a value."]}),
            ({"specifications": {" ": "x"}}, {"specifications": ["Give the specifications as pairs of a name and a value."]}),
            ({"specifications": {"Ports": ["USB"]}}, {"specifications": ["The value of Ports must be a text or a number."]}),
            ({"code": "not a slug"}, {"code": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."]}),
            ({"device_type": "toaster"}, {"device_type": ["Value 'toaster' is not a valid choice."]}),
        ]  # fmt: skip
        for change, expected in cases:
            with pytest.raises(ValidationError) as error:
                services.device_model_create(actor=owner, authority=world.authority, **model_data(**change))
            assert error.value.message_dict == expected, change
        assert DeviceModel.objects.filter(code="hp-450").count() == 0

    def test_the_same_code_in_another_authority_is_fine(self, s, world):
        admin = user_with_role(Role.ADMINISTRATOR)
        device_model = services.device_model_create(
            actor=admin, authority=world.other_authority, **model_data(code="lat-14")
        )
        assert device_model.authority == world.other_authority

    @pytest.mark.parametrize(
        "role", [Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR]
    )
    def test_other_roles_may_not_add(self, s, role_users, world, role):
        with pytest.raises(PermissionDenied):
            services.device_model_create(actor=role_users[role], authority=world.authority, **model_data())

    def test_an_owner_may_not_add_to_another_catalogue(self, s, owner, world):
        with pytest.raises(PermissionDenied):
            services.device_model_create(actor=owner, authority=world.other_authority, **model_data())

    def test_an_edit_is_audited_field_by_field(self, s, owner):
        services.device_model_update(
            actor=owner, device_model=s.laptop, data={"unit_price": Decimal("430.00"), "is_active": False}
        )
        s.laptop.refresh_from_db()
        assert (s.laptop.unit_price, s.laptop.is_active) == (Decimal("430.00"), False)
        event = AuditEvent.objects.get(object_type="devices.devicemodel", action="update")
        assert (event.before, event.after) == (
            {"unit_price": "450.00", "is_active": True},
            {"unit_price": "430.00", "is_active": False},
        )

    def test_the_authority_does_not_change(self, s, owner, world):
        with pytest.raises(ValidationError) as error:
            services.device_model_update(actor=owner, device_model=s.laptop, data={"authority": world.other_authority})
        assert error.value.messages == ["These fields cannot be set here: authority"]

    def test_manufacturer_and_type_stay_once_devices_exist(self, s, owner):
        DeviceFactory(programme=s.programme, device_model=s.laptop, school=s.school)
        with pytest.raises(ValidationError) as error:
            services.device_model_update(
                actor=owner, device_model=s.laptop, data={"manufacturer": "Dell Inc.", "device_type": "tablet"}
            )
        assert error.value.message_dict == {
            "manufacturer": ["Devices of this model are registered under Dell: the manufacturer cannot change."],
            "device_type": ["Devices of this model are registered: its type cannot change."],
        }
        # Without devices, the tablet may be renamed and retyped.
        services.device_model_update(
            actor=owner, device_model=s.tablet, data={"manufacturer": "Acer", "device_type": "chromebook"}
        )
        s.tablet.refresh_from_db()
        assert (s.tablet.manufacturer, s.tablet.device_type) == ("Acer", "chromebook")


class TestSuppliers:
    def test_an_owner_adds_a_supplier_with_its_first_contract(self, owner, world):
        contract = services.supplier_create_with_contract(
            actor=owner,
            supplier={"name": " Bechtle ", "vat_number": "DE123", "email": "orders@bechtle.example"},
            contract={"authority": world.authority, **contract_data()},
        )
        supplier = contract.supplier
        assert (supplier.name, supplier.vat_number, contract.authority) == ("Bechtle", "DE123", world.authority)
        assert list(selectors.suppliers_for(owner).filter(pk=supplier.pk)) == [supplier]
        actions = list(AuditEvent.objects.order_by("id").values_list("object_type", "action"))
        assert actions[-2:] == [("devices.supplier", "create"), ("devices.frameworkcontract", "create")]

    def test_a_bad_contract_leaves_no_supplier(self, owner, world):
        with pytest.raises(ValidationError) as error:
            services.supplier_create_with_contract(
                actor=owner,
                supplier={"name": "Bechtle"},
                contract={"authority": world.authority, **contract_data(ends_on=datetime.date(2024, 1, 1))},
            )
        assert error.value.message_dict == {"ends_on": ["The contract cannot end before it starts."]}
        assert not Supplier.objects.filter(name="Bechtle").exists()

    def test_a_contract_for_another_authority_is_refused_and_leaves_no_supplier(self, owner, world):
        with pytest.raises(PermissionDenied):
            services.supplier_create_with_contract(
                actor=owner,
                supplier={"name": "Bechtle"},
                contract={"authority": world.other_authority, **contract_data()},
            )
        assert not Supplier.objects.filter(name="Bechtle").exists()

    def test_names_are_unique_whatever_the_case(self, owner, world):
        with pytest.raises(ValidationError) as error:
            services.supplier_create(actor=owner, name="inside SUPPLIER")
        assert error.value.message_dict == {"name": ["A supplier named inside SUPPLIER already exists."]}
        with pytest.raises(ValidationError) as error:
            services.supplier_create(actor=owner, name="  ")
        assert error.value.message_dict == {"name": ["Enter the supplier's name."]}
        with pytest.raises(ValidationError) as error:
            services.supplier_create(actor=owner, name="Bechtle", email="not an address")
        assert error.value.message_dict == {"email": ["Enter a valid email address."]}

    @pytest.mark.parametrize(
        "role", [Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR]
    )
    def test_creation_is_authorised_by_role(self, role_users, role):
        with pytest.raises(PermissionDenied):
            services.supplier_create(actor=role_users[role], name="Bechtle")
        assert not Supplier.objects.filter(name="Bechtle").exists()

    def test_an_owner_edits_a_supplier_under_contract_with_its_authority(self, s, owner):
        services.supplier_update(actor=owner, supplier=s.supplier, data={"email": "sales@inside.example"})
        s.supplier.refresh_from_db()
        assert s.supplier.email == "sales@inside.example"
        lonely = SupplierFactory(name="No contract yet")
        with pytest.raises(PermissionDenied):
            services.supplier_update(actor=owner, supplier=lonely, data={"email": "x@example.org"})
        with pytest.raises(ValidationError) as error:
            services.supplier_update(actor=owner, supplier=s.supplier, data={"name": "No contract yet"})
        assert error.value.message_dict == {"name": ["A supplier named No contract yet already exists."]}


class TestContracts:
    def test_an_owner_adds_a_contract(self, s, owner, world):
        contract = services.contract_create(
            actor=owner, authority=world.authority, supplier=s.supplier, **contract_data(reference=" FC-9 ")
        )
        assert (contract.reference, contract.ceiling, contract.repair_hours) == ("FC-9", Decimal("50000.00"), 48)
        assert AuditEvent.objects.filter(object_type="devices.frameworkcontract", action="create").count() == 1

    def test_every_refusal_names_its_field(self, s, owner, world):
        cases = [
            ({"reference": "FC-2024"}, {"reference": ["INSIDE authority already has a contract FC-2024."]}),
            ({"reference": " "}, {"reference": ["Enter the contract's reference."]}),
            ({"ends_on": datetime.date(2024, 12, 31)}, {"ends_on": ["The contract cannot end before it starts."]}),
            ({"ceiling": Decimal("-1")}, {"ceiling": ["The ceiling cannot be negative."]}),
            ({"response_hours": 0}, {"response_hours": ["Give the response time in whole hours, at least 1."]}),
            ({"repair_hours": 4}, {"repair_hours": ["The repair time cannot be shorter than the response time."]}),
        ]  # fmt: skip
        for change, expected in cases:
            with pytest.raises(ValidationError) as error:
                services.contract_create(
                    actor=owner, authority=world.authority, supplier=s.supplier, **contract_data(**change)
                )
            assert error.value.message_dict == expected, change
        assert FrameworkContract.objects.count() == 2

    def test_an_edit_keeps_the_orders_under_the_contract_valid(self, s, owner):
        order = order_services.order_create(
            actor=owner, programme=s.programme, funding_source=s.funding, supplier=s.supplier, contract=s.contract
        )
        order_services.order_line_add(actor=owner, order=order, device_model=s.laptop, school=s.school, quantity=10)
        order_services.order_place(actor=owner, order=order, ordered_on=datetime.date(2024, 3, 1))
        with pytest.raises(ValidationError) as error:
            services.contract_update(
                actor=owner,
                contract=s.contract,
                data={
                    "supplier": s.other_contract.supplier,
                    "ceiling": Decimal("4199.99"),
                    "starts_on": datetime.date(2024, 6, 1),
                },
            )
        assert error.value.message_dict == {
            "supplier": ["Orders were made under this contract: its supplier cannot change."],
            "ceiling": ["Orders of EUR 4200.00 are already placed under this contract: the ceiling cannot be lower."],
            "starts_on": [f"The order {order.number} was placed on 2024-03-01: the term must include that day."],
        }
        with pytest.raises(ValidationError) as error:
            services.contract_update(actor=owner, contract=s.contract, data={"ends_on": datetime.date(2024, 2, 1)})
        assert error.value.message_dict == {
            "ends_on": [f"The order {order.number} was placed on 2024-03-01: the term must include that day."]
        }
        services.contract_update(actor=owner, contract=s.contract, data={"ceiling": Decimal("4200.00"), "title": "L"})
        s.contract.refresh_from_db()
        assert (s.contract.ceiling, s.contract.title) == (Decimal("4200.00"), "L")
        PurchaseOrder.objects.filter(pk=order.pk).update(status="cancelled")
        services.contract_update(actor=owner, contract=s.contract, data={"ceiling": Decimal("0")})

    def test_funding_administrators_and_operators_may_not_edit(self, s, role_users):
        for role in (Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SUPPLIER, Role.AUDITOR):
            with pytest.raises(PermissionDenied):
                services.contract_update(actor=role_users[role], contract=s.contract, data={"title": "x"})


class TestItems:
    def test_items_are_added_repriced_and_removed(self, s, owner):
        item = services.contract_item_add(
            actor=owner, contract=s.contract, device_model=s.tablet, unit_price=Decimal("280")
        )
        services.contract_item_update(actor=owner, item=item, unit_price=Decimal("275.50"))
        item.refresh_from_db()
        assert item.unit_price == Decimal("275.50")
        services.contract_item_remove(actor=owner, item=item)
        assert not ContractItem.objects.filter(pk=item.pk).exists()
        events = list(
            AuditEvent.objects.filter(object_type="devices.contractitem", object_id=str(item.pk))
            .order_by("id")
            .values_list("action", "before", "after")
        )
        assert events[0][0] == "create"
        assert events[1] == ("update", {"unit_price": "280.00"}, {"unit_price": "275.50"})
        assert events[2][0] == "delete" and events[2][1]["unit_price"] == "275.50"
        assert [event.action for event in selectors.contract_history(s.contract)] == ["delete", "update", "create"]

    def test_every_refusal_names_its_field(self, s, owner):
        cases = [
            ({"device_model": s.outside_model}, {"device_model": ["This device model is in another authority's catalogue than the contract."]}),
            ({"device_model": s.laptop}, {"device_model": ["The contract already offers Dell Latitude 14."]}),
            ({"unit_price": Decimal("-5")}, {"unit_price": ["The unit price cannot be negative."]}),
            ({"unit_price": None}, {"unit_price": ["Enter the contract's unit price."]}),
        ]  # fmt: skip
        for change, expected in cases:
            data = {"device_model": s.tablet, "unit_price": Decimal("1"), **change}
            with pytest.raises(ValidationError) as error:
                services.contract_item_add(actor=owner, contract=s.contract, **data)
            assert error.value.message_dict == expected
        assert s.contract.items.count() == 1

    def test_suppliers_and_operators_may_not_change_prices(self, s, role_users):
        for role in (Role.SUPPLIER, Role.OPERATOR_STAFF, Role.AUDITOR):
            with pytest.raises(PermissionDenied):
                services.contract_item_update(actor=role_users[role], item=s.item, unit_price=Decimal("1"))
            with pytest.raises(PermissionDenied):
                services.contract_item_remove(actor=role_users[role], item=s.item)
        s.item.refresh_from_db()
        assert s.item.unit_price == Decimal("420.00")
