"""Invitations end to end: the e-mail and its link, the account it makes (role teacher scoped to
the staff record), the link working once, withdrawn, expired and forged links, a person with an
account, bad usernames and passwords, and the audit trail without the token."""

import datetime
import hashlib
import re
import smtplib

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role, RoleAssignment
from digileap.accounts.tests.test_invitation_mail import MESSAGE as MAIL_REFUSED
from digileap.accounts.tests.test_invitation_mail import REFUSING_BACKEND, RefusingBackend
from digileap.core.models import AuditEvent

from ..models import Invitation
from ..services.people import accept_invitation, invitation_language, invite
from .factories import InvitationFactory, staff_at

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Kalender-Fietsbel-42"


@pytest.fixture
def newcomer(world):
    return staff_at(world.school, reference="T-NEW", email="newcomer@school.example")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def link_of(message) -> str:
    return re.search(r"https://digileap\.example\.org(/\S+)", message.body).group(1)


@override_settings(DIGILEAP_BASE_URL="https://digileap.example.org/", DIGILEAP_TRAINING_INVITATION_DAYS=14)
def test_the_invitation_flow_end_to_end(world, role_users, newcomer):
    coordinator = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    page = coordinator.get(reverse("training:staffmember-invite", args=[newcomer.pk]))
    assert page.status_code == 200
    assert 'value="newcomer@school.example"' in page.text
    response = coordinator.post(
        reverse("training:staffmember-invite", args=[newcomer.pk]), {"email": "newcomer@school.example"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@school.example"]
    # In the language of the person's school (the world's schools teach in German).
    assert message.subject == "Ihre Einladung zu den Fortbildungsseiten von Digileap (INSIDE authority)"
    path = link_of(message)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    invitation = Invitation.objects.get(staff=newcomer)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert abs(invitation.expires_at - (timezone.now() + datetime.timedelta(days=14))) < datetime.timedelta(minutes=1)
    assert "T-NEW" in message.body

    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert "INSIDE authority" in page.text and "T-NEW" in page.text
    assert page["Referrer-Policy"] == "same-origin"
    done = visitor.post(
        path, {"username": "anna.peeters", "password": PASSWORD, "password_again": PASSWORD}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("training:my-training")
    user = User.objects.get(username="anna.peeters")
    assert (user.email, user.preferred_language, user.check_password(PASSWORD)) == (
        "newcomer@school.example",
        "nl",
        True,
    )
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", "scope_kind", "staff_id")) == [
        ("teacher", "staff", newcomer.pk)
    ]
    newcomer.refresh_from_db()
    assert newcomer.user == user
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    home = visitor.get(reverse("training:my-training"))
    assert home.status_code == 200
    assert "T-NEW" in home.text

    # The link works once.
    again = Client().post(path, {"username": "someone", "password": PASSWORD, "password_again": PASSWORD})
    assert again.status_code == 410
    assert "used already" in again.text
    assert not User.objects.filter(username="someone").exists()
    assert Client().get(path).status_code == 410

    # The audit trail records the invitation and the account, never the token or its hash.
    events = AuditEvent.objects.filter(object_type__in=["training.invitation", "accounts.user"]).order_by("pk")
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "training.invitation"),
        ("create", "accounts.user"),
        ("update", "training.invitation"),
    ]
    for event in AuditEvent.objects.all():
        text = f"{event.before} {event.after} {event.object_repr}"
        assert token not in text and invitation.token_hash not in text and PASSWORD not in text


def test_a_new_invitation_withdraws_the_older_link(world, role_users, newcomer):
    actor = role_users[Role.OPERATOR_STAFF]
    first, first_token = invite(actor=actor, staff=newcomer)
    second, second_token = invite(actor=actor, staff=newcomer)
    first.refresh_from_db()
    assert first.withdrawn_at is not None and second.withdrawn_at is None
    response = Client().get(reverse("training:invitation-accept", args=[first_token]))
    assert response.status_code == 410
    assert "replaced by a newer one" in response.text
    with pytest.raises(ValidationError):
        accept_invitation(token=first_token, username="x1", password=PASSWORD)
    assert not User.objects.filter(username="x1").exists()
    user = accept_invitation(token=second_token, username="x2", password=PASSWORD)
    assert user.staff_member == newcomer


def test_an_expired_link_is_gone(world, role_users, newcomer):
    invitation, token = invite(actor=role_users[Role.SCHOOL_COORDINATOR], staff=newcomer)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = Client().post(
        reverse("training:invitation-accept", args=[token]),
        {"username": "late", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert response.status_code == 410
    assert "has expired" in response.text
    assert not User.objects.filter(username="late").exists()


def test_a_forged_link_is_not_found(world, role_users, newcomer):
    invite(actor=role_users[Role.SCHOOL_COORDINATOR], staff=newcomer)
    before = User.objects.count()
    url = reverse("training:invitation-accept", args=["forged-token"])
    assert Client().get(url).status_code == 404
    response = Client().post(url, {"username": "forger", "password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 404
    assert "not known" in response.text
    assert User.objects.count() == before
    with pytest.raises(Invitation.DoesNotExist):
        accept_invitation(token="forged-token", username="forger", password=PASSWORD)


def test_a_person_with_an_account_is_told_to_sign_in(world, role_users, newcomer):
    invitation, token = invite(actor=role_users[Role.SCHOOL_COORDINATOR], staff=newcomer)
    newcomer.user = User.objects.create_user("already", password=PASSWORD)
    newcomer.save()
    response = Client().get(reverse("training:invitation-accept", args=[token]))
    assert response.status_code == 200
    assert "sign in" in response.text and reverse("login") in response.text
    assert 'name="username"' not in response.text
    with pytest.raises(ValidationError):
        invite(actor=role_users[Role.SCHOOL_COORDINATOR], staff=newcomer)
    # The teacher of the conftest world has an account: the staff page offers no invitation.
    page = signed_in(role_users[Role.SCHOOL_COORDINATOR]).get(
        reverse("training:staffmember-detail", args=[world.staff.pk])
    )
    assert reverse("training:staffmember-invite", args=[world.staff.pk]) not in page.text


def test_bad_username_and_password_are_shown_and_nothing_is_made(world, role_users, newcomer):
    _invitation, token = invite(actor=role_users[Role.SCHOOL_COORDINATOR], staff=newcomer)
    url = reverse("training:invitation-accept", args=[token])
    response = Client().post(url, {"username": "teacher-user", "password": "short", "password_again": "short"})
    assert response.status_code == 400
    assert "The username teacher-user is taken: choose another." in response.text
    assert "This password is too short." in response.text
    response = Client().post(url, {"username": "new one!", "password": PASSWORD, "password_again": PASSWORD + "x"})
    assert response.status_code == 400
    assert "The two passwords differ." in response.text
    response = Client().post(url, {"username": "bad name!", "password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 400
    assert "Enter a valid username" in response.text
    assert not RoleAssignment.objects.filter(staff=newcomer).exists()
    newcomer.refresh_from_db()
    assert newcomer.user is None


def test_invitations_stay_in_scope(world, role_users, newcomer):
    for role in (Role.TEACHER, Role.AUDITOR, Role.FUNDING_ADMINISTRATOR):
        with pytest.raises(PermissionDenied):
            invite(actor=role_users[role], staff=newcomer)
    with pytest.raises(PermissionDenied):
        invite(actor=role_users[Role.SCHOOL_COORDINATOR], staff=world.other_staff)
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).post(
        reverse("training:staffmember-invite", args=[world.other_staff.pk]), {"email": "x@example.org"}
    )
    assert response.status_code == 404
    response = signed_in(role_users[Role.AUDITOR]).post(
        reverse("training:staffmember-invite", args=[newcomer.pk]), {"email": "x@example.org"}
    )
    assert response.status_code == 403
    assert mail.outbox == []
    assert not Invitation.objects.filter(staff=newcomer).exists()


def test_an_invitation_needs_an_address_and_keeps_a_new_one(world, role_users):
    nameless = staff_at(world.school, reference="T-NOMAIL")
    actor = role_users[Role.SCHOOL_COORDINATOR]
    with pytest.raises(ValidationError) as raised:
        invite(actor=actor, staff=nameless)
    assert raised.value.message_dict == {"email": ["Give the e-mail address the invitation goes to."]}
    invitation, _token = invite(actor=actor, staff=nameless, email="Given@Example.org")
    nameless.refresh_from_db()
    assert (invitation.email, nameless.email) == ("given@example.org", "given@example.org")


def test_the_e_mail_speaks_the_schools_language_else_the_inviters(world, role_users, newcomer):
    inviter = role_users[Role.SCHOOL_COORDINATOR]
    inviter.preferred_language = "fr"
    world.school.language = ""
    world.school.save()
    assert invitation_language(newcomer, inviter) == "fr"
    world.school.language = "nl"
    world.school.save()
    assert invitation_language(newcomer, inviter) == "nl"
    assert invitation_language(newcomer, None) == "nl"


@pytest.mark.parametrize(
    "refusal",
    [
        smtplib.SMTPRecipientsRefused({"newcomer@school.example": (550, b"no")}),
        ConnectionRefusedError(111, "Connection refused"),
    ],
)
def test_a_mail_server_refusal_keeps_no_invitation(world, role_users, newcomer, refusal, settings, caplog, monkeypatch):
    settings.EMAIL_BACKEND = REFUSING_BACKEND
    monkeypatch.setattr(RefusingBackend, "refusal", refusal)
    older = InvitationFactory(staff=newcomer, email=newcomer.email)
    newcomer.email = ""
    newcomer.save()
    events = AuditEvent.objects.count()
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).post(
        reverse("training:staffmember-invite", args=[newcomer.pk]), {"email": "newcomer@school.example"}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [MAIL_REFUSED]
    assert MAIL_REFUSED in response.text
    # Nothing written: no new invitation, the older one still open, the record's e-mail not set, no audit event.
    assert list(Invitation.objects.filter(staff=newcomer).values_list("pk", "withdrawn_at")) == [(older.pk, None)]
    newcomer.refresh_from_db()
    assert newcomer.email == ""
    assert AuditEvent.objects.count() == events
    assert [(r.name, r.levelname, type(r.exc_info[1])) for r in caplog.records if r.name.startswith("digileap")] == [
        ("digileap.accounts.invitations", "WARNING", type(refusal))
    ]
