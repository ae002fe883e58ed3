"""Pages of the catalogue: device models, suppliers, framework contracts and their items, for every
role; errors shown on the page with nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent

from ..models import ContractItem, DeviceModel, FrameworkContract, Supplier
from .factories_catalogue import ordering_setup

pytestmark = pytest.mark.django_db

MODELS = reverse("devices:devicemodel-list")
SUPPLIERS = reverse("devices:supplier-list")
CONTRACTS = reverse("devices:frameworkcontract-list")
ALL_ROLES = list(Role)


@pytest.fixture
def s(world):
    return ordering_setup(world)


def _as(client, user):
    client.force_login(user)
    return client


def url(name, obj):
    return reverse(f"devices:{name}", kwargs={"pk": obj.pk})


def listed(response):
    return [str(obj) for obj in response.context["page"].object_list]


MODEL_FORM = {
    "code": "hp-450",
    "manufacturer": "HP",
    "name": "ProBook 450",
    "device_type": "laptop",
    "specifications": "Memory: 16 GB\n\nScreen: 15.6 inch",
    "unit_price": "610.00",
    "warranty_months": "36",
    "is_active": "on",
}


class TestDeviceModelList:
    @pytest.mark.parametrize(
        "role, expected",
        [
            (Role.ADMINISTRATOR, ["Dell Latitude 14", "Lenovo OUTSIDE model", "Lenovo Tab 10"]),
            (Role.PROGRAMME_OWNER, ["Dell Latitude 14", "Lenovo Tab 10"]),
            (Role.FUNDING_ADMINISTRATOR, ["Dell Latitude 14", "Lenovo Tab 10"]),
            (Role.OPERATOR_STAFF, ["Dell Latitude 14", "Lenovo Tab 10"]),
            (Role.SCHOOL_COORDINATOR, ["Dell Latitude 14", "Lenovo Tab 10"]),
            (Role.SUPPLIER, ["Dell Latitude 14"]),
            (Role.AUDITOR, ["Dell Latitude 14", "Lenovo Tab 10"]),
        ],
    )
    def test_each_role_sees_its_catalogue(self, client, s, role_users, role, expected):
        response = _as(client, role_users[role]).get(MODELS)
        assert response.status_code == 200
        assert listed(response) == expected
        assert response.context["can_add"] is (role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER))

    def test_search_and_filters(self, client, s, role_users):
        client = _as(client, role_users[Role.PROGRAMME_OWNER])
        assert listed(client.get(MODELS, {"q": "lat"})) == ["Dell Latitude 14"]
        assert listed(client.get(MODELS, {"q": "lenovo 10"})) == ["Lenovo Tab 10"]
        assert listed(client.get(MODELS, {"device_type": "tablet"})) == ["Lenovo Tab 10"]
        assert listed(client.get(MODELS, {"manufacturer": "Dell"})) == ["Dell Latitude 14"]
        assert listed(client.get(MODELS, {"orderable": "no"})) == []
        response = client.get(MODELS, {"manufacturer": "Lenovo"})
        # The OUTSIDE model's manufacturer is Lenovo too, but only the owner's catalogue is listed.
        assert listed(response) == ["Lenovo Tab 10"]
        response = client.get(MODELS, {"device_type": "toaster"})
        assert response.status_code == 200
        assert response.context["filter_form"].errors == {
            "device_type": ["Select a valid choice. toaster is not one of the available choices."]
        }

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(MODELS)
        assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={MODELS}")


class TestDeviceModelPages:
    def test_detail_shows_specifications_and_contract_prices(self, client, s, role_users):
        response = _as(client, role_users[Role.PROGRAMME_OWNER]).get(url("devicemodel-detail", s.laptop))
        text = response.content.decode()
        assert response.status_code == 200
        assert "<dt>Memory</dt><dd>8 GB</dd>" in text
        assert "FC-2024" in text and "420.00" in text
        assert response.context["can_change"] is True
        # Operator staff read the catalogue; contracts are the authority's and the supplier's.
        response = _as(client, role_users[Role.OPERATOR_STAFF]).get(url("devicemodel-detail", s.laptop))
        assert response.status_code == 200
        assert "No framework contract you can see offers this model." in response.content.decode()
        assert response.context["can_change"] is False
        assert (
            _as(client, role_users[Role.OPERATOR_STAFF]).get(url("devicemodel-detail", s.outside_model)).status_code
            == 404
        )

    def test_an_owner_adds_a_model(self, client, s, role_users, world):
        client = _as(client, role_users[Role.PROGRAMME_OWNER])
        assert client.get(reverse("devices:devicemodel-create")).status_code == 200
        response = client.post(reverse("devices:devicemodel-create"), {**MODEL_FORM, "authority": world.authority.pk})
        device_model = DeviceModel.objects.get(code="hp-450")
        assert response.status_code == 302 and response["Location"] == url("devicemodel-detail", device_model)
        assert device_model.specifications == {"Memory": "16 GB", "Screen": "15.6 inch"}

    def test_errors_are_shown_and_nothing_is_written(self, client, s, role_users, world):
        client = _as(client, role_users[Role.PROGRAMME_OWNER])
        create = reverse("devices:devicemodel-create")
        response = client.post(create, {**MODEL_FORM, "authority": world.authority.pk, "code": "lat-14"})
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "code": ["The catalogue of INSIDE authority already has a model with the code lat-14."]
        }
        response = client.post(create, {**MODEL_FORM, "authority": world.authority.pk, "specifications": "Memory 8"})
        assert response.context["form"].errors == {
            "specifications": ["Line 1: write a name, a colon and the value, e.g. “Memory: 8 GB”."]
        }
        response = client.post(create, {**MODEL_FORM, "authority": world.authority.pk, "specifications": "A: 1\nA: 2"})
        assert response.context["form"].errors == {"specifications": ["Line 2: A is given twice."]}
        response = client.post(create, {**MODEL_FORM, "authority": world.other_authority.pk})
        assert "authority" in response.context["form"].errors
        assert not DeviceModel.objects.filter(code="hp-450").exists()

    @pytest.mark.parametrize(
        "role",
        [Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR],
    )
    def test_other_roles_may_not_add_or_edit(self, client, s, role_users, world, role):
        client = _as(client, role_users[role])
        assert client.get(reverse("devices:devicemodel-create")).status_code == 403
        response = client.post(reverse("devices:devicemodel-create"), {**MODEL_FORM, "authority": world.authority.pk})
        assert response.status_code == 403
        assert client.post(url("devicemodel-update", s.laptop), MODEL_FORM).status_code == 403
        assert not DeviceModel.objects.filter(code="hp-450").exists()

    def test_an_owner_edits_a_model(self, client, s, role_users):
        client = _as(client, role_users[Role.PROGRAMME_OWNER])
        page = client.get(url("devicemodel-update", s.laptop))
        assert page.context["form"]["specifications"].value() == "Memory: 8 GB"
        assert "Memory: 8 GB" in page.content.decode()
        response = client.post(
            url("devicemodel-update", s.laptop), {**MODEL_FORM, "code": "lat-14", "unit_price": "440.00"}
        )
        assert response.status_code == 302
        s.laptop.refresh_from_db()
        assert (s.laptop.unit_price, s.laptop.name, s.laptop.specifications) == (
            Decimal("440.00"),
            "ProBook 450",
            {"Memory": "16 GB", "Screen": "15.6 inch"},
        )
        assert client.get(url("devicemodel-update", s.outside_model)).status_code == 404


class TestSuppliers:
    @pytest.mark.parametrize(
        "role, status, expected",
        [
            (Role.ADMINISTRATOR, 200, ["INSIDE supplier", "OUTSIDE supplier", "Supplier"]),
            (Role.PROGRAMME_OWNER, 200, ["INSIDE supplier", "Supplier"]),
            (Role.FUNDING_ADMINISTRATOR, 200, ["INSIDE supplier", "Supplier"]),
            (Role.OPERATOR_STAFF, 403, None),
            (Role.SCHOOL_COORDINATOR, 403, None),
            (Role.SUPPLIER, 200, ["INSIDE supplier"]),
            (Role.AUDITOR, 200, ["INSIDE supplier", "Supplier"]),
        ],
    )
    def test_each_role_sees_its_suppliers(self, client, s, role_users, role, status, expected):
        response = _as(client, role_users[role]).get(SUPPLIERS)
        assert response.status_code == status
        if expected is not None:
            assert [
                name.rsplit(" ", 1)[0] if name.startswith("Supplier ") else name for name in listed(response)
            ] == expected

    def test_an_owner_adds_a_supplier_with_its_first_contract(self, client, s, role_users, world):
        client = _as(client, role_users[Role.PROGRAMME_OWNER])
        form = {
            "name": "Bechtle",
            "vat_number": "DE1",
            "email": "",
            "authority": world.authority.pk,
            "reference": "FC-B",
            "title": "Displays",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
            "ceiling": "",
            "response_hours": "4",
            "repair_hours": "24",
        }
        response = client.post(reverse("devices:supplier-create"), {**form, "ends_on": "2024-12-31"})
        assert response.context["form"].errors == {"ends_on": ["The contract cannot end before it starts."]}
        assert not Supplier.objects.filter(name="Bechtle").exists()
        response = client.post(reverse("devices:supplier-create"), form)
        supplier = Supplier.objects.get(name="Bechtle")
        assert response["Location"] == url("supplier-detail", supplier)
        contract = FrameworkContract.objects.get(supplier=supplier)
        assert (contract.authority, contract.ceiling, contract.response_hours) == (world.authority, None, 4)
        page = client.get(url("supplier-detail", supplier))
        assert page.status_code == 200 and "FC-B" in page.content.decode()

    def test_only_owners_add_suppliers(self, client, s, role_users):
        for role in (Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SUPPLIER, Role.AUDITOR):
            assert _as(client, role_users[role]).get(reverse("devices:supplier-create")).status_code == 403

    def test_edit_and_scope(self, client, s, role_users, world):
        client = _as(client, role_users[Role.PROGRAMME_OWNER])
        response = client.post(url("supplier-update", s.supplier), {"name": "INSIDE supplier", "email": "a@b.example"})
        assert response.status_code == 302
        s.supplier.refresh_from_db()
        assert s.supplier.email == "a@b.example"
        assert client.get(url("supplier-detail", world.other_supplier)).status_code == 404
        supplier_client = _as(client, role_users[Role.SUPPLIER])
        page = supplier_client.get(url("supplier-detail", s.supplier))
        assert page.status_code == 200 and page.context["can_change"] is False
        assert supplier_client.post(url("supplier-update", s.supplier), {"name": "Mine now"}).status_code == 403


CONTRACT_FORM = {
    "supplier": "",
    "reference": "FC-T",
    "title": "Tablets",
    "starts_on": "2025-01-01",
    "ends_on": "2026-12-31",
    "ceiling": "20000",
    "response_hours": "8",
    "repair_hours": "72",
}


class TestContracts:
    @pytest.mark.parametrize(
        "role, status, expected",
        [
            (Role.PROGRAMME_OWNER, 200, ["FC-2024", "FC-OTHER"]),
            (Role.FUNDING_ADMINISTRATOR, 200, ["FC-2024", "FC-OTHER"]),
            (Role.OPERATOR_STAFF, 403, None),
            (Role.SCHOOL_COORDINATOR, 403, None),
            (Role.SUPPLIER, 200, ["FC-2024"]),
            (Role.AUDITOR, 200, ["FC-2024", "FC-OTHER"]),
        ],
    )
    def test_each_role_sees_its_contracts(self, client, s, role_users, role, status, expected):
        response = _as(client, role_users[role]).get(CONTRACTS)
        assert response.status_code == status
        if expected is not None:
            assert sorted(contract.reference for contract in response.context["page"].object_list) == expected

    def test_detail_shows_prices_committed_and_remaining(self, client, s, role_users):
        response = _as(client, role_users[Role.SUPPLIER]).get(url("frameworkcontract-detail", s.contract))
        assert response.status_code == 200
        assert (response.context["committed"], response.context["remaining"]) == (Decimal("0.00"), Decimal("10000.00"))
        assert [item.device_model.code for item in response.context["items"]] == ["lat-14"]
        assert (response.context["can_change"], response.context["can_add_item"]) == (False, False)
        owner_page = _as(client, role_users[Role.PROGRAMME_OWNER]).get(url("frameworkcontract-detail", s.contract))
        assert (owner_page.context["can_change"], owner_page.context["can_add_item"]) == (True, True)

    def test_an_owner_adds_and_edits_a_contract(self, client, s, role_users, world):
        client = _as(client, role_users[Role.PROGRAMME_OWNER])
        form = {**CONTRACT_FORM, "authority": world.authority.pk, "supplier": s.supplier.pk}
        response = client.post(reverse("devices:frameworkcontract-create"), {**form, "reference": "FC-2024"})
        assert response.context["form"].errors == {"reference": ["INSIDE authority already has a contract FC-2024."]}
        response = client.post(reverse("devices:frameworkcontract-create"), form)
        contract = FrameworkContract.objects.get(reference="FC-T")
        assert response["Location"] == url("frameworkcontract-detail", contract)
        response = client.post(url("frameworkcontract-update", contract), {**form, "title": "Tablets and pens"})
        assert response.status_code == 302
        contract.refresh_from_db()
        assert contract.title == "Tablets and pens"
        # The OUTSIDE supplier is not a choice.
        response = client.post(
            reverse("devices:frameworkcontract-create"),
            {**form, "supplier": world.other_supplier.pk, "reference": "FC-X"},
        )
        assert "supplier" in response.context["form"].errors

    def test_items_are_added_repriced_and_removed_on_the_page(self, client, s, role_users):
        client = _as(client, role_users[Role.PROGRAMME_OWNER])
        add = url("frameworkcontract-item-add", s.contract)
        page = client.get(add)
        assert [m.code for m in page.context["form"].fields["device_model"].queryset] == ["tab-10"]
        response = client.post(add, {"device_model": s.tablet.pk, "unit_price": "-1"})
        assert response.context["form"].errors == {"unit_price": ["The unit price cannot be negative."]}
        response = client.post(add, {"device_model": s.tablet.pk, "unit_price": "280"})
        assert response.status_code == 302
        item = ContractItem.objects.get(contract=s.contract, device_model=s.tablet)
        assert client.post(url("contractitem-update", item), {"unit_price": "275"}).status_code == 302
        item.refresh_from_db()
        assert item.unit_price == Decimal("275.00")
        assert client.get(url("contractitem-remove", item)).status_code == 200
        assert client.post(url("contractitem-remove", item)).status_code == 302
        assert not ContractItem.objects.filter(pk=item.pk).exists()
        history = client.get(url("frameworkcontract-detail", s.contract)).context["events"]
        assert [event.action for event in history][:3] == ["delete", "update", "create"]

    @pytest.mark.parametrize(
        "role", [Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.AUDITOR]
    )
    def test_other_roles_change_no_contract(self, client, s, role_users, world, role):
        client = _as(client, role_users[role])
        before = AuditEvent.objects.count()
        form = {**CONTRACT_FORM, "authority": world.authority.pk, "supplier": s.supplier.pk}
        assert client.post(reverse("devices:frameworkcontract-create"), form).status_code == 403
        assert client.post(url("frameworkcontract-update", s.contract), form).status_code in (403, 404)
        assert client.post(
            url("frameworkcontract-item-add", s.contract), {"device_model": s.tablet.pk, "unit_price": "1"}
        ).status_code in (403, 404)
        assert client.post(url("contractitem-update", s.item), {"unit_price": "1"}).status_code in (403, 404)
        assert client.post(url("contractitem-remove", s.item)).status_code in (403, 404)
        assert AuditEvent.objects.count() == before
        s.contract.refresh_from_db()
        assert (s.contract.title, s.contract.items.count()) == ("Laptops", 1)
        assert s.contract.ends_on == datetime.date(2027, 12, 31)
