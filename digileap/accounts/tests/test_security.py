"""Sign-in rate limits, security headers, production settings and the optional OIDC sign-in."""

import json
import os
import secrets
import string
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from digileap.accounts.oidc import DigileapOIDCBackend
from digileap.accounts.tests.factories import PASSWORD, UserFactory

LOGIN_URL = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    # DRF's throttle history lives in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def sign_in(client: Client, username: str, password: str, ip: str = "203.0.113.7"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# Password guessing on the sign-in page (django-axes).


@pytest.mark.django_db
def test_a_wrong_password_keeps_the_form():
    user = UserFactory()
    response = sign_in(Client(), user.username, "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.django_db
def test_after_the_failure_limit_the_right_password_is_refused():
    user = UserFactory()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, user.username, "wrong").status_code == 200
    locked = sign_in(client, user.username, "wrong")
    assert locked.status_code == 429
    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_the_lockout_spares_other_users_and_other_addresses():
    victim, other = UserFactory(), UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), victim.username, "wrong", ip="203.0.113.7")
    assert sign_in(Client(), victim.username, PASSWORD, ip="203.0.113.7").status_code == 429

    same_address = Client()
    assert sign_in(same_address, other.username, PASSWORD, ip="203.0.113.7").status_code == 302
    assert is_signed_in(same_address)

    other_address = Client()
    assert sign_in(other_address, victim.username, PASSWORD, ip="198.51.100.20").status_code == 302
    assert is_signed_in(other_address)


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_count():
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(Client(), user.username, "wrong")
    assert sign_in(Client(), user.username, PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(Client(), user.username, "wrong")
    assert sign_in(Client(), user.username, PASSWORD).status_code == 302


# Password guessing on the API token endpoint (DRF throttle scope "login").


@pytest.mark.django_db
def test_the_token_endpoint_is_throttled():
    user = UserFactory()
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])
    client = APIClient()
    # Spread over usernames so that it is the throttle, not the account lockout, that answers.
    for n in range(limit):
        response = client.post("/api/auth/token/", {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="192.0.2.1")
        assert response.status_code == 400
    response = client.post(
        "/api/auth/token/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 429
    assert "token" not in response.json()
    other = client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.2")
    assert other.status_code == 200
    assert list(other.json()) == ["token"]


# Security headers.


@pytest.mark.django_db
def test_security_headers_on_pages(client):
    response = client.get("/")
    policy = dict((directive.split(" ", 1) + [""])[:2] for directive in response["Content-Security-Policy"].split("; "))
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in policy["style-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_api_docs_allow_inline_styles_but_not_inline_scripts(client):
    client.force_login(UserFactory())  # the docs need a sign-in (docs/security.md)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";"
    assert "style-src 'self' 'unsafe-inline'" in policy
    html = response.content.decode()
    assert "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


# Production settings.


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "DJANGO_", "SECRET_KEY", "DEBUG"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env={**clean_env, **env},
        cwd=settings.BASE_DIR,
        check=False,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=random_secret_key(),
        ALLOWED_HOSTS="digileap.example.org",
        DIGILEAP_VAR_DIR=str(tmp_path),
        DIGILEAP_AUDIT_KEY=random_secret_key(),  # without it: digileap.E100 (docs/audit.md)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_refuses_a_weak_secret_key(tmp_path):
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="short",
        DIGILEAP_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 1
    assert "Set SECRET_KEY to a random string of at least 50 characters." in result.stderr


PROBE_SETTINGS = """
import json
import django
from django.conf import settings
from django.urls import reverse
django.setup()
print(json.dumps({
    "backends": settings.AUTHENTICATION_BACKENDS,
    "installed": "mozilla_django_oidc" in settings.INSTALLED_APPS,
    "enabled": settings.OIDC_ENABLED,
    "create_user": getattr(settings, "OIDC_CREATE_USER", None),
    "client_id": getattr(settings, "OIDC_RP_CLIENT_ID", None),
    "urls": [reverse(name) for name in ("oidc_authentication_init", "oidc_authentication_callback")]
    if settings.OIDC_ENABLED else [],
}))
"""


def probe_settings(**env: str) -> dict:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE_SETTINGS],
        capture_output=True,
        text=True,
        env={**clean_env, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
        cwd=settings.BASE_DIR,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


OIDC_ENV = {
    "OIDC_RP_CLIENT_ID": "digileap",
    "OIDC_RP_CLIENT_SECRET": "s3cret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.org/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.org/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example.org/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.org/jwks",
}


def test_oidc_is_off_without_configuration():
    probe = probe_settings()
    assert probe == {
        "backends": ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"],
        "installed": False,
        "enabled": False,
        "create_user": None,
        "client_id": None,
        "urls": [],
    }


def test_oidc_is_switched_on_by_configuration():
    probe = probe_settings(**OIDC_ENV)
    assert probe == {
        "backends": [
            "axes.backends.AxesStandaloneBackend",
            "digileap.accounts.oidc.DigileapOIDCBackend",
            "django.contrib.auth.backends.ModelBackend",
        ],
        "installed": True,
        "enabled": True,
        "create_user": False,
        "client_id": "digileap",
        "urls": ["/oidc/authenticate/", "/oidc/callback/"],
    }


@pytest.fixture
def oidc_backend(settings):
    for name, value in OIDC_ENV.items():
        setattr(settings, name, value)
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_CREATE_USER = False
    return DigileapOIDCBackend()


@pytest.mark.django_db
def test_oidc_matches_active_users_by_email_only(oidc_backend):
    match = UserFactory(username="anna", email="Anna.Berg@example.org")
    UserFactory(username="anna.berg@example.org", email="someone@example.org")  # username is no match
    UserFactory(username="old-anna", email="anna.berg@example.org", is_active=False)
    users = oidc_backend.filter_users_by_claims(
        {"email": "anna.berg@EXAMPLE.org", "preferred_username": "anna.berg@example.org", "sub": "anna"}
    )
    assert list(users) == [match]


@pytest.mark.django_db
def test_oidc_without_a_usable_email_matches_nobody(oidc_backend):
    UserFactory(email="")
    UserFactory(email="anna@example.org")
    assert list(oidc_backend.filter_users_by_claims({"sub": "x", "email": ""})) == []
    assert list(oidc_backend.filter_users_by_claims({"sub": "x"})) == []
    unverified = {"email": "anna@example.org", "email_verified": False}
    assert list(oidc_backend.filter_users_by_claims(unverified)) == []
    assert oidc_backend.verify_claims(unverified) is False
    assert oidc_backend.verify_claims({"email": "anna@example.org", "email_verified": True}) is True
