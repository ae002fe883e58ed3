"""An invitation whose e-mail the mail server does not take is refused cleanly: nothing is saved (no
invitation, no audit event), the invite page shows why in words and the API answers 503; the
shared pieces of both invitation flows (``digileap.accounts.invitations``)."""

import json
import logging

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.urls import reverse

from digileap.accounts import invitations, services
from digileap.accounts.models import Role, UserInvitation
from digileap.core.models import AuditEvent

from .test_people_services import operator_admin

pytestmark = pytest.mark.django_db

REFUSING_BACKEND = "digileap.accounts.tests.test_invitation_mail.RefusingBackend"
MESSAGE = (
    "The invitation e-mail could not be sent (the mail server did not answer). Nothing was saved; "
    "try again later or ask your administrator to check the e-mail settings."
)


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down (or, with ``refusal`` patched, one that refuses otherwise)."""

    refusal: Exception = ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, email_messages):
        raise self.refusal


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_of_operator(world):
    return operator_admin(world.operator)


def _invite_data(world) -> dict:
    return {"email": "coord@example.org", "role": Role.SCHOOL_COORDINATOR, "school": world.school.pk}


@override_settings(EMAIL_BACKEND=REFUSING_BACKEND)
def test_the_invite_page_says_the_mail_server_did_not_answer_and_keeps_nothing(world, admin_of_operator, caplog):
    client = signed_in(admin_of_operator)
    events = AuditEvent.objects.count()
    with caplog.at_level(logging.WARNING, logger="digileap.accounts.invitations"):
        response = client.post(reverse("people:userinvitation-create"), _invite_data(world))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [MESSAGE]
    assert MESSAGE in response.content.decode()
    assert "Connection refused" not in response.content.decode()
    assert UserInvitation.objects.count() == 0
    assert AuditEvent.objects.count() == events
    assert [(r.name, r.levelname, type(r.exc_info[1])) for r in caplog.records if r.name.startswith("digileap")] == [
        ("digileap.accounts.invitations", "WARNING", ConnectionRefusedError)
    ]


@override_settings(EMAIL_BACKEND=REFUSING_BACKEND)
def test_the_api_answers_503_and_keeps_nothing(world, admin_of_operator):
    events = AuditEvent.objects.count()
    response = signed_in(admin_of_operator).post(
        reverse("userinvitation-list"),
        json.dumps(
            {
                "email": "coord@example.org",
                "role": "school_coordinator",
                "scope_kind": "school",
                "school": world.school.pk,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response.json() == {"detail": MESSAGE}
    assert UserInvitation.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_the_same_invitation_goes_through_once_the_mail_server_answers(world, admin_of_operator):
    with override_settings(EMAIL_BACKEND=REFUSING_BACKEND):
        refused = signed_in(admin_of_operator).post(reverse("people:userinvitation-create"), _invite_data(world))
    assert refused.status_code == 400
    response = signed_in(admin_of_operator).post(reverse("people:userinvitation-create"), _invite_data(world))
    assert response.status_code == 302
    assert UserInvitation.objects.get().email == "coord@example.org"
    assert len(mail.outbox) == 1
    assert list(AuditEvent.objects.filter(object_type="accounts.userinvitation").values_list("action", flat=True)) == [
        "invite"
    ]


@override_settings(EMAIL_BACKEND=REFUSING_BACKEND)
def test_the_service_raises_the_mail_error(world, role_users):
    with pytest.raises(invitations.InvitationMailError) as refused:
        services.invite_user(
            actor=role_users[Role.ADMINISTRATOR],
            email="owner@example.org",
            role=Role.PROGRAMME_OWNER,
            scope_kind="authority",
            scope=world.authority,
        )
    assert refused.value.messages == [MESSAGE]
    assert isinstance(refused.value, ValidationError)
    assert UserInvitation.objects.count() == 0


def test_the_token_and_its_hash():
    token, hashed = invitations.new_token()
    assert len(token) == 43 and len(hashed) == 64
    assert hashed == invitations.token_hash(token) == services.token_hash(token)
    assert invitations.new_token()[0] != token
    assert invitations.token_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(
    ("codes", "chosen"),
    [(("de-AT", "fr"), "de"), (("xx", "FR"), "fr"), (("", "xx"), "en"), ((), "en")],
)
def test_the_language_is_the_first_the_installation_speaks(codes, chosen):
    assert invitations.choose_language(*codes) == chosen


def test_the_gone_error_keeps_its_state_and_message():
    gone = invitations.InvitationGone(invitations.used_message(), "accepted")
    assert (gone.state, gone.messages) == (
        "accepted",
        ["This invitation link has been used already. Sign in with the account it made."],
    )
    assert services.InvitationGone is invitations.InvitationGone
