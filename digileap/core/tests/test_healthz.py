from django.db import OperationalError, connection

from digileap.core import views


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "vendor": connection.vendor}


def test_healthz_needs_no_sign_in(client, db):
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    class UnreachableDatabase:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "vendor": "postgresql"}
