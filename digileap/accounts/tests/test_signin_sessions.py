"""Signed-in sessions: they end after DIGILEAP_SESSION_IDLE_HOURS without activity, and responses to a
signed-in user are never cached."""

import time

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import PASSWORD, UserFactory, user_with_role
from digileap.core.middleware import IDLE_STAMP_SESSION_KEY

HOUR = 3600


def set_last_activity(client: Client, seconds_ago: int) -> None:
    """Move the session's activity stamp into the past (no sleeping, no clock)."""
    session = client.session
    session[IDLE_STAMP_SESSION_KEY] = int(time.time()) - seconds_ago
    session.save()


@pytest.fixture
def signed_in(db) -> Client:
    client = Client()
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert client.get("/accounts/password/").status_code == 200  # stamps the activity
    return client


def test_the_idle_time_defaults_to_8_hours(settings):
    assert settings.DIGILEAP_SESSION_IDLE_HOURS == 8


def test_a_request_stamps_the_activity(signed_in):
    stamp = signed_in.session[IDLE_STAMP_SESSION_KEY]
    assert isinstance(stamp, int)
    assert abs(stamp - time.time()) < 60


def test_a_session_idle_just_under_the_limit_lives_on(signed_in):
    set_last_activity(signed_in, 8 * HOUR - 60)
    assert signed_in.get("/accounts/password/").status_code == 200
    assert "_auth_user_id" in signed_in.session
    # The request renewed the stamp.
    assert abs(signed_in.session[IDLE_STAMP_SESSION_KEY] - time.time()) < 60


def test_an_idle_session_lands_on_the_sign_in_page_with_a_message(signed_in):
    set_last_activity(signed_in, 8 * HOUR + 1)
    response = signed_in.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/"
    assert "_auth_user_id" not in signed_in.session
    page = signed_in.get(response["Location"])
    assert page.status_code == 200
    assert [str(m) for m in page.context["messages"]] == ["You were signed out after 8 hours without activity."]
    assert "You were signed out after 8 hours without activity." in page.content.decode()


def test_the_idle_time_is_configurable(signed_in, settings):
    settings.DIGILEAP_SESSION_IDLE_HOURS = 1
    set_last_activity(signed_in, HOUR + 1)
    response = signed_in.get("/accounts/password/")
    assert response.status_code == 302
    page = signed_in.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["You were signed out after 1 hour without activity."]


def test_zero_hours_switches_the_idle_expiry_off(signed_in, settings):
    settings.DIGILEAP_SESSION_IDLE_HOURS = 0
    set_last_activity(signed_in, 1000 * HOUR)
    assert signed_in.get("/accounts/password/").status_code == 200


def test_an_idle_session_on_the_api_is_anonymous(signed_in):
    set_last_activity(signed_in, 8 * HOUR + 1)
    response = signed_in.get("/api/schools/")
    assert response.status_code in (401, 403)
    assert "_auth_user_id" not in signed_in.session


def test_an_unchanged_stamp_is_not_rewritten_within_a_minute(signed_in):
    set_last_activity(signed_in, 30)
    before = signed_in.session[IDLE_STAMP_SESSION_KEY]
    signed_in.get("/accounts/password/")
    assert signed_in.session[IDLE_STAMP_SESSION_KEY] == before


# No caching of what a signed-in user sees.


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_an_authenticated_page_is_no_store(signed_in):
    response = signed_in.get("/accounts/password/")
    assert response.status_code == 200
    assert cache_control(response) == {"no-store", "private"}


def test_an_authenticated_public_page_is_no_store_too(signed_in):
    response = signed_in.get("/")
    assert "no-store" in cache_control(response)
    assert "private" in cache_control(response)
    assert "public" not in cache_control(response)
    assert not any(part.startswith("max-age") for part in cache_control(response))


def test_the_anonymous_home_page_keeps_its_caching(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)
    assert "private" not in cache_control(response)


def test_static_files_keep_their_caching(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "probe.css").write_text("body {}")
    client = Client()  # a new client: WhiteNoise indexes STATIC_ROOT when its middleware starts
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    response = client.get("/static/probe.css")
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)
    assert "private" not in cache_control(response)
    assert any(part.startswith("max-age=") for part in cache_control(response))


def test_api_responses_to_a_token_are_no_store(db):
    token = Token.objects.create(user=user_with_role(Role.ADMINISTRATOR))
    response = Client().get("/api/schools/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert cache_control(response) == {"no-store", "private"}


def test_the_response_that_signs_in_is_no_store(client, db):
    signed = client.post("/accounts/login/", {"username": UserFactory().username, "password": PASSWORD})
    assert signed.status_code == 302
    assert cache_control(signed) == {"no-store", "private"}
