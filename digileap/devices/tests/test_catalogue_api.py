"""API of the catalogue for every role: device models, suppliers and framework contracts are read-only,
scoped like the pages, filtered with django-filter."""

import pytest
from rest_framework.test import APIClient

from digileap.accounts.models import Role

from .factories_catalogue import ordering_setup

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def s(world):
    return ordering_setup(world)


def results(response, key):
    return [row[key] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "role, models, suppliers, contracts",
    [
        (Role.ADMINISTRATOR, ["lat-14", "out-1", "tab-10"], 3, ["FC-2024", "FC-OTHER"]),
        (Role.PROGRAMME_OWNER, ["lat-14", "tab-10"], 2, ["FC-2024", "FC-OTHER"]),
        (Role.FUNDING_ADMINISTRATOR, ["lat-14", "tab-10"], 2, ["FC-2024", "FC-OTHER"]),
        (Role.OPERATOR_STAFF, ["lat-14", "tab-10"], None, None),
        (Role.SCHOOL_COORDINATOR, ["lat-14", "tab-10"], None, None),
        (Role.SUPPLIER, ["lat-14"], 1, ["FC-2024"]),
        (Role.AUDITOR, ["lat-14", "tab-10"], 2, ["FC-2024", "FC-OTHER"]),
    ],
)
def test_each_role_reads_its_catalogue(s, role_users, role, models, suppliers, contracts):
    client = api(role_users[role])
    response = client.get("/api/device-models/", {"ordering": "code"})
    assert results(response, "code") == models
    response = client.get("/api/suppliers/")
    if suppliers is None:
        # Suppliers and contracts are reached from authorities and suppliers, not from operators or schools.
        assert response.status_code == 403
    else:
        assert response.json()["count"] == suppliers
    response = client.get("/api/framework-contracts/", {"ordering": "reference"})
    if contracts is None:
        assert response.status_code == 403
    else:
        assert results(response, "reference") == contracts


def test_models_and_contracts_read_in_full_and_filter(s, role_users):
    client = api(role_users[Role.PROGRAMME_OWNER])
    body = client.get(f"/api/device-models/{s.laptop.pk}/").json()
    assert body == {
        "id": s.laptop.pk,
        "authority": s.authority.pk,
        "code": "lat-14",
        "manufacturer": "Dell",
        "name": "Latitude 14",
        "device_type": "laptop",
        "specifications": {"Memory": "8 GB"},
        "unit_price": "450.00",
        "warranty_months": 36,
        "is_active": True,
    }
    assert results(client.get("/api/device-models/", {"device_type": "tablet"}), "code") == ["tab-10"]
    assert results(client.get("/api/device-models/", {"manufacturer": "Dell"}), "code") == ["lat-14"]
    assert results(client.get("/api/device-models/", {"search": "tab"}), "code") == ["tab-10"]
    contract = client.get(f"/api/framework-contracts/{s.contract.pk}/").json()
    assert (contract["ceiling"], contract["response_hours"], contract["items"]) == (
        "10000.00",
        8,
        [{"id": s.item.pk, "device_model": s.laptop.pk, "device_model_code": "lat-14", "unit_price": "420.00"}],
    )
    assert results(client.get("/api/framework-contracts/", {"supplier": s.supplier.pk}), "reference") == ["FC-2024"]
    assert client.get(f"/api/device-models/{s.outside_model.pk}/").status_code == 404


def test_the_catalogue_is_read_only(s, role_users):
    client = api(role_users[Role.PROGRAMME_OWNER])
    assert client.post("/api/device-models/", {"code": "x"}, format="json").status_code == 405
    assert client.patch(f"/api/suppliers/{s.supplier.pk}/", {"name": "x"}, format="json").status_code == 405
    assert client.delete(f"/api/framework-contracts/{s.contract.pk}/").status_code == 405
