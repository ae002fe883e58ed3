"""Password guessing: the lock-out per address (one wrong password each for many user names), the
token endpoint's lock-out answer, and sign-ins without a password (SSO) left to the SSO lock-out."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from digileap.accounts.tests.factories import PASSWORD, UserFactory

LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/auth/token/"
ADDRESS = "203.0.113.7"
OTHER_ADDRESS = "198.51.100.20"


def sign_in(username: str, password: str, ip: str = ADDRESS, client: Client | None = None):
    return (client or Client()).post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def ask_token(username: str, password: str, ip: str = ADDRESS):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def address_limit_5(settings):
    settings.DIGILEAP_ADDRESS_FAILURE_LIMIT = 5


def test_the_settings_count_per_name_and_address_and_per_address(settings):
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.DIGILEAP_ADDRESS_FAILURE_LIMIT == 20
    assert settings.AXES_COOLOFF_TIME == 0.25


@pytest.mark.django_db
def test_one_wrong_password_each_for_6_user_names_from_one_address_gets_locked(address_limit_5):
    users = [UserFactory() for _ in range(6)]
    for user in users[:4]:
        assert sign_in(user.username, "wrong").status_code == 200
    fifth = sign_in(users[4].username, "wrong")  # the fifth failure from the address locks it
    assert fifth.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in fifth.templates]
    # The sixth user name is refused, even with its right password, with the lock-out page.
    client = Client()
    locked = sign_in(users[5].username, PASSWORD, client=client)
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "Please try again in 15 minutes." in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert sign_in(users[0].username, PASSWORD, ip=OTHER_ADDRESS).status_code == 302


@pytest.mark.django_db
def test_the_address_limit_is_separate_from_the_per_name_limit():
    """Default: 5 per user name and address, 20 per address."""
    users = [UserFactory() for _ in range(20)]
    for user in users[:19]:
        assert sign_in(user.username, "wrong").status_code == 200
    assert sign_in(users[19].username, PASSWORD).status_code == 302  # 19 < 20: still open
    assert sign_in(users[19].username, "wrong").status_code == 429  # the 20th failure locks the address
    assert sign_in(users[19].username, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_a_good_sign_in_forgets_only_its_own_failures(address_limit_5):
    mine, others = UserFactory(), [UserFactory() for _ in range(3)]
    for user in others:
        sign_in(user.username, "wrong")
    sign_in(mine.username, "wrong")
    assert sign_in(mine.username, PASSWORD).status_code == 302
    assert sorted(AccessAttempt.objects.values_list("username", flat=True)) == sorted(u.username for u in others)
    # The three failures of the others still count: two more lock the address.
    sign_in("nobody-1", "wrong")
    assert sign_in("nobody-2", "wrong").status_code == 429


@pytest.mark.django_db
def test_a_locked_user_on_the_token_endpoint_gets_the_lock_out_message():
    user = UserFactory()
    for _ in range(4):
        response = ask_token(user.username, "wrong")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    fifth = ask_token(user.username, "wrong")
    assert fifth.status_code == 429
    expected = {
        "detail": "Sign-in is paused after too many failed attempts from your network or for this account. "
        "Please try again in 15 minutes.",
        "retry_after": 900,
    }
    assert fifth.json() == expected
    assert fifth["Retry-After"] == "900"
    locked = ask_token(user.username, PASSWORD)
    assert locked.status_code == 429
    assert locked.json() == expected
    assert "token" not in locked.json()
    # The same lock-out holds on the sign-in page, and another address is not affected.
    assert sign_in(user.username, PASSWORD).status_code == 429
    assert ask_token(user.username, PASSWORD, ip=OTHER_ADDRESS).status_code == 200


@pytest.mark.django_db
def test_failures_on_the_sign_in_page_lock_the_token_endpoint_too():
    user = UserFactory()
    for _ in range(5):
        sign_in(user.username, "wrong")
    response = ask_token(user.username, PASSWORD)
    assert response.status_code == 429
    assert response.json()["retry_after"] == 900


def _sso_failure(ip: str = ADDRESS):
    """What a rejected OpenID Connect callback does: authenticate() with a nonce and a code verifier,
    no user name and no password (mozilla-django-oidc's OIDCAuthenticationCallbackView)."""
    request = RequestFactory().get("/oidc/callback/", REMOTE_ADDR=ip)
    return request, authenticate(request=request, nonce="n0nce", code_verifier="verifier")


@pytest.mark.django_db
def test_sso_failures_are_not_counted_per_address(address_limit_5):
    for _ in range(10):
        request, user = _sso_failure()
        assert user is None
        assert not getattr(request, "axes_locked_out", False)
    assert AccessAttempt.objects.count() == 0
    # Password users behind the same address are not locked by them.
    password_user = UserFactory()
    assert sign_in(password_user.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_password_storm_does_not_refuse_sso_sign_ins_from_that_address(address_limit_5):
    for n in range(5):
        sign_in(f"guess{n}", "wrong")
    assert sign_in("guess5", "wrong").status_code == 429
    request, _ = _sso_failure()
    # Axes let the SSO attempt through to the backends (it did not refuse it as locked out).
    assert not getattr(request, "axes_locked_out", False)
