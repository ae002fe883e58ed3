"""The people API (docs/people.md): who reaches it, what the lists hold, granting and revoking
through the services, invitations without their token in any response."""

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role, RoleAssignment, UserInvitation
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent

from .test_people_services import OPERATOR_ADMIN, operator_admin

pytestmark = pytest.mark.django_db

MANAGERS = {Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, OPERATOR_ADMIN}


@pytest.fixture
def actors(world, role_users):
    return {**role_users, OPERATOR_ADMIN: operator_admin(world.operator)}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_who_reaches_the_people_api(actors):
    for role, user in actors.items():
        client = signed_in(user)
        for name in ("user-list", "roleassignment-list", "userinvitation-list"):
            status = client.get(reverse(name)).status_code
            assert status == (200 if role in MANAGERS else 403), (role, name)


def test_the_user_list_holds_the_reach_with_visible_roles(actors, world):
    inside = user_with_role(Role.SCHOOL_COORDINATOR, world.school, username="in-coord")
    user_with_role(Role.SCHOOL_COORDINATOR, world.other_school, username="OUTSIDE-coord")
    data = signed_in(actors[OPERATOR_ADMIN]).get(reverse("user-list")).json()
    assert [row["username"] for row in data["results"]] == [
        "in-coord", "opadmin", "operator_staff-user", "school_coordinator-user", "teacher-user",
    ]  # fmt: skip
    row = data["results"][0]
    assert row["roles"] == [
        {
            "id": RoleAssignment.objects.get(user=inside).pk,
            "user": inside.pk,
            "role": "school_coordinator",
            "scope_kind": "school",
            "authority": None,
            "operator": None,
            "school": world.school.pk,
            "supplier": None,
            "staff": None,
            "scope_label": str(world.school),
            "is_administrator": False,
            "granted_by": None,
            "source": "manual",
            "created_at": row["roles"][0]["created_at"],
        }
    ]


def test_granting_and_revoking_through_the_api(actors, world):
    owner = actors[Role.PROGRAMME_OWNER]
    client = signed_in(owner)
    person = user_with_role(Role.SCHOOL_COORDINATOR, world.school, username="coord")
    created = post(
        client,
        reverse("roleassignment-list"),
        {"user": person.pk, "role": "operator_staff", "scope_kind": "operator", "operator": world.operator.pk,
         "is_administrator": True},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert (created.json()["role"], created.json()["is_administrator"], created.json()["granted_by"]) == (
        "operator_staff", True, owner.pk,
    )  # fmt: skip
    wider = post(
        client, reverse("roleassignment-list"), {"user": person.pk, "role": "administrator", "scope_kind": "all"}
    )
    assert wider.status_code == 403
    outside = post(
        client,
        reverse("roleassignment-list"),
        {"user": person.pk, "role": "school_coordinator", "scope_kind": "school", "school": world.other_school.pk},
    )
    assert outside.status_code == 400
    assert list(outside.json()) == ["school"]
    pk = created.json()["id"]
    assert client.delete(reverse("roleassignment-detail", args=[pk])).status_code == 204
    assert not RoleAssignment.objects.filter(pk=pk).exists()
    assert list(
        AuditEvent.objects.filter(object_type="accounts.roleassignment", actor_id=owner.pk)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["assign", "revoke"]


def test_invitations_through_the_api(actors, world):
    client = signed_in(actors[OPERATOR_ADMIN])
    created = post(
        client,
        reverse("userinvitation-list"),
        {"email": "coord@example.org", "role": "school_coordinator", "scope_kind": "school", "school": world.school.pk},
    )
    assert created.status_code == 201, created.content
    invitation = UserInvitation.objects.get()
    body = created.content.decode()
    assert "token" not in body and invitation.token_hash not in body
    assert len(mail.outbox) == 1
    refused = post(
        client,
        reverse("userinvitation-list"),
        {"email": "o@example.org", "role": "programme_owner", "scope_kind": "all"},
    )
    assert refused.status_code == 403
    withdrawn = client.post(reverse("userinvitation-withdraw", args=[invitation.pk]))
    assert withdrawn.status_code == 200
    assert withdrawn.json()["revoked_at"] is not None
    assert client.post(reverse("userinvitation-withdraw", args=[invitation.pk])).status_code == 400
    assert (
        signed_in(actors[Role.SUPPLIER]).post(reverse("userinvitation-withdraw", args=[invitation.pk])).status_code
        == 403
    )
