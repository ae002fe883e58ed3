"""The OpenAPI description of the API: complete, valid, and free of generator warnings."""

import pytest
import yaml
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from digileap.accounts.tests.factories import UserFactory


def test_the_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    # --fail-on-warn raises on any warning: an unresolvable field, an enum collision, a view
    # without a serializer. --validate checks the result against the OpenAPI 3 specification.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Digileap API"


@pytest.mark.django_db
def test_the_schema_is_served_and_describes_the_registry(client):
    client.force_login(UserFactory())
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    school_list = schema["paths"]["/api/schools/"]["get"]
    parameters = {parameter["name"] for parameter in school_list["parameters"]}
    assert {"number", "q", "search", "ordering", "operator", "authority", "status", "level", "page"} <= parameters
    # Schools are closed, never deleted: there is no DELETE.
    assert set(schema["paths"]["/api/schools/{id}/"]) == {"get", "put", "patch"}
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}
    assert "/api/audit-events/" in schema["paths"]
    assert "/api/auth/token/" in schema["paths"]


@pytest.mark.django_db
def test_the_schema_and_the_docs_need_a_sign_in(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 401
    assert "paths" not in schema.json()
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"] == "/accounts/login/?next=/api/docs/"
    script = client.get("/api/docs/?script=")
    assert script.status_code == 302


@pytest.mark.django_db
def test_a_token_opens_the_schema(client):
    token = Token.objects.create(user=UserFactory())
    response = client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 200
    assert "/api/schools/" in response.json()["paths"]


@pytest.mark.django_db
def test_a_setting_makes_the_schema_and_the_docs_public(client, settings):
    settings.DIGILEAP_API_DOCS_PUBLIC = True
    assert client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 200
    assert client.get("/api/docs/").status_code == 200
