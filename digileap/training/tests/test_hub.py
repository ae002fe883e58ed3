"""The training front page: each role sees the parts it may open, with counts in its scope."""

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role

pytestmark = pytest.mark.django_db

PARTS = {
    Role.ADMINISTRATOR: ["courses", "providers", "staff", "completions", "rounds", "frameworks", "import"],
    Role.PROGRAMME_OWNER: ["courses", "providers", "staff", "completions", "rounds", "frameworks", "import"],
    Role.FUNDING_ADMINISTRATOR: ["courses", "providers", "staff", "completions", "rounds", "frameworks"],
    Role.OPERATOR_STAFF: ["courses", "providers", "staff", "completions", "rounds", "frameworks", "import"],
    Role.SCHOOL_COORDINATOR: ["courses", "providers", "staff", "completions", "rounds", "frameworks", "import"],
    Role.AUDITOR: ["courses", "providers", "staff", "completions", "rounds", "frameworks"],
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", list(PARTS))
def test_the_parts_each_role_may_open(role, role_users, registry_objects):
    response = client_for(role_users[role]).get(reverse("training:index"))
    assert response.status_code == 200
    assert [part.key for part in response.context["parts"]] == PARTS[role]
    counts = {part.key: part.count for part in response.context["parts"]}
    # The walk's objects: one course, staff member and completion inside, one of each outside.
    expected = 2 if role == Role.ADMINISTRATOR else 1
    assert (counts["courses"], counts["staff"], counts["completions"]) == (expected, expected, expected)
    assert "OUTSIDE" not in response.content.decode() or role == Role.ADMINISTRATOR


def test_a_teacher_goes_to_their_own_page(role_users):
    response = client_for(role_users[Role.TEACHER]).get(reverse("training:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:my-training")


def test_a_supplier_is_refused(role_users):
    assert client_for(role_users[Role.SUPPLIER]).get(reverse("training:index")).status_code == 403


@pytest.fixture
def registry_objects(world, role_users):
    from .walk import walk_objects

    return walk_objects(world=world, role_users=role_users)
