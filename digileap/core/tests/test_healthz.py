from django.db import OperationalError, connection

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core import views


def test_healthz_tells_anonymous_callers_only_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_healthz_tells_administrators_the_database(client, db):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "vendor": connection.vendor}


def test_healthz_tells_other_roles_only_ok(client, role_users):
    for role, user in role_users.items():
        if role == Role.ADMINISTRATOR:
            continue
        client.force_login(user)
        assert client.get("/healthz").json() == {"status": "ok"}, role


def test_healthz_tells_the_details_to_the_monitoring_token(client, db, settings):
    settings.DIGILEAP_HEALTHZ_TOKEN = "s3cret-monitoring-token"
    response = client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="s3cret-monitoring-token")
    assert response.json() == {"status": "ok", "database": "ok", "vendor": connection.vendor}
    assert client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="wrong").json() == {"status": "ok"}


def test_an_empty_token_setting_opens_nothing(client, db, settings):
    settings.DIGILEAP_HEALTHZ_TOKEN = ""
    assert client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="").json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch, settings):
    class UnreachableDatabase:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}
    settings.DIGILEAP_HEALTHZ_TOKEN = "s3cret-monitoring-token"
    detailed = client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="s3cret-monitoring-token")
    assert detailed.status_code == 503
    assert detailed.json() == {"status": "error", "database": "unavailable", "vendor": "postgresql"}
