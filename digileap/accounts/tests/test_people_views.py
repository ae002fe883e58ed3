"""The people pages (docs/people.md): who opens them, what the forms offer each role, the public
invitation link, the buttons of a person's page, the waiting list, the menu entry and the
read-only admin."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts import services
from digileap.accounts.models import AccessRequest, Role, RoleAssignment, ScopeKind, User, UserInvitation
from digileap.accounts.tests.factories import UserFactory, user_with_role
from digileap.core.contributions import menu_for
from digileap.core.models import AuditEvent

from .test_people_services import OPERATOR_ADMIN, operator_admin

pytestmark = pytest.mark.django_db

MANAGERS = {Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, OPERATOR_ADMIN}
PASSPHRASE = "a long enough passphrase 42"


@pytest.fixture
def actors(world, role_users):
    return {**role_users, OPERATOR_ADMIN: operator_admin(world.operator)}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_who_opens_the_people_pages_and_sees_the_menu_entry(actors):
    pages = [
        "people:user-list",
        "people:userinvitation-list",
        "people:userinvitation-create",
        "people:accessrequest-list",
    ]
    for role, user in actors.items():
        client = signed_in(user)
        statuses = {client.get(reverse(name)).status_code for name in pages}
        assert statuses == ({200} if role in MANAGERS else {403}), role
        keys = [entry.key for entry in menu_for(user)]
        assert ("people" in keys) == (role in MANAGERS), role
    assert signed_in(actors[Role.PROGRAMME_OWNER]).get(reverse("people:user-list")).status_code == 200
    assert Client().get(reverse("people:user-list")).status_code == 302  # to the sign-in


def test_the_list_shows_only_people_in_reach(actors, world):
    user_with_role(Role.SCHOOL_COORDINATOR, world.school, username="in-coord")
    user_with_role(Role.SCHOOL_COORDINATOR, world.other_school, username="OUTSIDE-coord")
    body = signed_in(actors[Role.PROGRAMME_OWNER]).get(reverse("people:user-list")).content.decode()
    assert "in-coord" in body and "OUTSIDE" not in body
    filtered = signed_in(actors[Role.PROGRAMME_OWNER]).get(
        reverse("people:user-list"), {"role": Role.SCHOOL_COORDINATOR, "active": "yes"}
    )
    usernames = re.findall(r'<td class="mono">([^<]+)</td>', filtered.content.decode())
    assert usernames == ["in-coord", "school_coordinator-user"]


def _role_choices(user) -> list[str]:
    form = signed_in(user).get(reverse("people:userinvitation-create")).context["form"]
    return [value for value, _label in form.fields["role"].choices if value]


def test_the_invite_form_offers_only_what_the_actor_may_grant(actors, world):
    assert _role_choices(actors[Role.ADMINISTRATOR]) == [r for r in Role.values if r != Role.TEACHER]
    assert _role_choices(actors[Role.PROGRAMME_OWNER]) == [
        "programme_owner", "funding_administrator", "operator_staff", "school_coordinator", "auditor",
        "data_protection_officer",
    ]  # fmt: skip
    assert _role_choices(actors[OPERATOR_ADMIN]) == ["operator_staff", "school_coordinator"]
    form = signed_in(actors[OPERATOR_ADMIN]).get(reverse("people:userinvitation-create")).context["form"]
    assert list(form.fields["operator"].queryset) == [world.operator]
    assert list(form.fields["school"].queryset) == [world.school]
    assert "authority" not in form.fields and "supplier" not in form.fields


def test_inviting_through_the_form(actors, world):
    client = signed_in(actors[OPERATOR_ADMIN])
    refused = client.post(
        reverse("people:userinvitation-create"),
        {"email": "owner@example.org", "role": Role.PROGRAMME_OWNER, "school": world.school.pk},
    )
    assert refused.status_code == 400
    response = client.post(
        reverse("people:userinvitation-create"),
        {"email": "coord@example.org", "role": Role.SCHOOL_COORDINATOR, "school": world.school.pk},
    )
    assert response.status_code == 302
    invitation = UserInvitation.objects.get()
    assert (invitation.email, invitation.role, invitation.school_id, invitation.invited_by_id) == (
        "coord@example.org", "school_coordinator", world.school.pk, actors[OPERATOR_ADMIN].pk,
    )  # fmt: skip
    assert len(mail.outbox) == 1
    # Without DIGILEAP_BASE_URL the link takes the address the form was sent to: it opens from a mail program.
    token = re.search(r"invitation/([^/]+)/", mail.outbox[0].body).group(1)
    assert f"http://testserver/accounts/people/invitation/{token}/" in mail.outbox[0].body
    missing_scope = client.post(
        reverse("people:userinvitation-create"), {"email": "x@example.org", "role": Role.SCHOOL_COORDINATOR}
    )
    assert missing_scope.status_code == 400
    assert missing_scope.context["form"].errors == {"school": ["Choose the school."]}


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0).split("testserver", 1)[-1]


def test_the_invitation_link(actors, world, settings):
    settings.DIGILEAP_BASE_URL = "http://testserver"
    _, token = services.invite_user(
        actor=actors[Role.PROGRAMME_OWNER], email="new@example.org", role=Role.AUDITOR,
        scope_kind=ScopeKind.AUTHORITY, scope=world.authority,
    )  # fmt: skip
    url = _link(mail.outbox[0])
    assert url == reverse("people:userinvitation-accept", kwargs={"token": token})
    client = Client()
    page = client.get(url)
    assert (page.status_code, page["X-Robots-Tag"], page["Referrer-Policy"]) == (
        200,
        "noindex, nofollow",
        "same-origin",
    )
    mismatch = client.post(url, {"username": "new", "password": PASSPHRASE, "password_again": "other"})
    assert mismatch.status_code == 400
    done = client.post(url, {"username": "new", "password": PASSPHRASE, "password_again": PASSPHRASE})
    assert (done.status_code, done["Location"]) == (302, reverse("home"))
    user = User.objects.get(username="new")
    assert list(user.role_assignments.values_list("role", "authority")) == [("auditor", world.authority.pk)]
    assert Client().get(url).status_code == 410
    assert Client().get(reverse("people:userinvitation-accept", kwargs={"token": "forged"})).status_code == 404


def test_expired_and_withdrawn_links_say_so(actors, world):
    owner = actors[Role.PROGRAMME_OWNER]
    expired, expired_token = services.invite_user(
        actor=owner, email="e@example.org", role=Role.AUDITOR, scope_kind=ScopeKind.AUTHORITY, scope=world.authority
    )
    UserInvitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    page = Client().get(reverse("people:userinvitation-accept", kwargs={"token": expired_token}))
    assert page.status_code == 410
    assert "This invitation link has expired." in page.content.decode()
    withdrawn, withdrawn_token = services.invite_user(
        actor=owner, email="w@example.org", role=Role.AUDITOR, scope_kind=ScopeKind.AUTHORITY, scope=world.authority
    )
    response = signed_in(owner).post(reverse("people:userinvitation-withdraw", args=[withdrawn.pk]))
    assert response.status_code == 302
    page = Client().get(reverse("people:userinvitation-accept", kwargs={"token": withdrawn_token}))
    assert page.status_code == 410
    assert "This invitation was withdrawn." in page.content.decode()


def test_a_signed_in_person_takes_the_role_on_their_account(actors, world):
    existing = UserFactory(username="known", email="known@example.org")
    _, token = services.invite_user(
        actor=actors[Role.PROGRAMME_OWNER], email="known@example.org", role=Role.AUDITOR,
        scope_kind=ScopeKind.AUTHORITY, scope=world.authority,
    )  # fmt: skip
    url = reverse("people:userinvitation-accept", kwargs={"token": token})
    not_signed_in = Client().post(url, {"username": "again", "password": PASSPHRASE, "password_again": PASSPHRASE})
    assert not_signed_in.status_code == 200
    assert "An account with this e-mail address exists already" in not_signed_in.content.decode()
    response = signed_in(existing).post(url)
    assert response.status_code == 302
    assert list(existing.role_assignments.values_list("role", flat=True)) == ["auditor"]


def test_the_person_page_buttons_and_writes(actors, world):
    owner = actors[Role.PROGRAMME_OWNER]
    coordinator = user_with_role(Role.SCHOOL_COORDINATOR, world.school, username="coord")
    client = signed_in(owner)
    page = client.get(reverse("people:user-detail", args=[coordinator.pk])).content.decode()
    assignment = RoleAssignment.objects.get(user=coordinator)
    assert reverse("people:roleassignment-revoke", args=[assignment.pk]) in page
    assert reverse("people:user-deactivate", args=[coordinator.pk]) in page
    teacher_page = client.get(reverse("people:user-detail", args=[actors[Role.TEACHER].pk])).content.decode()
    assert "Managed in the training pages" in teacher_page
    assert (
        "/revoke/" not in teacher_page
        and reverse("people:user-deactivate", args=[actors[Role.TEACHER].pk]) not in teacher_page
    )

    change = client.post(
        reverse("people:roleassignment-change", args=[assignment.pk]),
        {"role": Role.OPERATOR_STAFF, "operator": world.operator.pk, "is_administrator": "on"},
    )
    assert change.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.role, assignment.operator_id, assignment.is_administrator) == (
        "operator_staff", world.operator.pk, True,
    )  # fmt: skip
    assert client.post(reverse("people:user-deactivate", args=[coordinator.pk])).status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.is_active is False
    assert client.post(reverse("people:roleassignment-revoke", args=[assignment.pk])).status_code == 302
    assert not RoleAssignment.objects.filter(user=coordinator).exists()
    actions = list(
        AuditEvent.objects.filter(object_type__in=["accounts.roleassignment", "accounts.user"], actor_id=owner.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["change", "deactivate", "revoke"]
    history = client.get(reverse("people:user-detail", args=[coordinator.pk]))
    assert history.status_code == 404  # no role left in the owner's reach: no longer theirs to see
    admin_page = signed_in(actors[Role.ADMINISTRATOR]).get(reverse("people:user-detail", args=[coordinator.pk]))
    assert [event.action for event in admin_page.context["history"]] == ["revoke", "deactivate", "change"]


def test_outside_the_reach_is_404_and_gets_no_write(actors, world):
    outsider = user_with_role(Role.SCHOOL_COORDINATOR, world.other_school, username="OUTSIDE-coord")
    assignment = RoleAssignment.objects.get(user=outsider)
    client = signed_in(actors[OPERATOR_ADMIN])
    assert client.get(reverse("people:user-detail", args=[outsider.pk])).status_code == 404
    assert client.post(reverse("people:user-deactivate", args=[outsider.pk])).status_code == 404
    assert client.post(reverse("people:roleassignment-revoke", args=[assignment.pk])).status_code == 404
    owner_role = RoleAssignment.objects.get(user=actors[Role.PROGRAMME_OWNER])
    assert client.get(reverse("people:roleassignment-change", args=[owner_role.pk])).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active and RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_waiting_for_a_role(actors, world):
    waiting = UserFactory(username="waiting", email="waiting@example.org")
    AccessRequest.objects.create(user=waiting, authority=world.authority)
    client = signed_in(actors[Role.PROGRAMME_OWNER])
    page = client.get(reverse("people:accessrequest-list")).content.decode()
    assert reverse("people:user-assign", args=[waiting.pk]) in page
    opadmin_page = signed_in(actors[OPERATOR_ADMIN]).get(reverse("people:accessrequest-list")).content.decode()
    assert reverse("people:user-assign", args=[waiting.pk]) not in opadmin_page
    response = client.post(
        reverse("people:user-assign", args=[waiting.pk]), {"role": Role.SCHOOL_COORDINATOR, "school": world.school.pk}
    )
    assert response.status_code == 302
    assert AccessRequest.objects.get(user=waiting).resolved_at is not None
    assert "Nobody waits for a role." in client.get(reverse("people:accessrequest-list")).content.decode()


def test_the_admin_is_read_only(actors):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = signed_in(admin)
    coordinator = actors[Role.SCHOOL_COORDINATOR]
    for model in ("user", "roleassignment", "userinvitation", "accessrequest"):
        changelist = client.get(reverse(f"admin:accounts_{model}_changelist"))
        assert changelist.status_code == 200, model
        assert "People pages" in changelist.content.decode(), model
        assert client.get(reverse(f"admin:accounts_{model}_add")).status_code == 403, model
    change = client.post(reverse("admin:accounts_user_change", args=[coordinator.pk]), {"username": "renamed"})
    assert change.status_code == 403
    password = reverse("admin:auth_user_password_change", args=[coordinator.pk])
    assert client.post(password, {"password1": PASSPHRASE, "password2": PASSPHRASE}).status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.username == "school_coordinator-user"
