"""The funding app's menu entry and home-page to-dos (``contributions.py``), per role, with exact
counts and links, and a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.contributions import menu_for, todos_for

from ..models import Application, ApplicationState, CallReviewer, ClaimState, Entitlement, ProofOfUse
from .factories import ApplicationFactory, CallFactory, ClaimFactory
from .reports_data import funded_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(world):
    return funded_call(world)


def funding_menu(user) -> list[tuple[str, str]]:
    return [(entry.label, entry.url) for entry in menu_for(user) if entry.key == "funding"]


def funding_todos(user) -> dict[str, tuple[int, str, str]]:
    return {
        todo.key: (todo.count, str(todo.label), todo.url) for todo in todos_for(user) if todo.key.startswith("funding")
    }


def test_operator_staff_land_on_their_operators_page(world, staff):
    url = reverse("funding:schooloperator-funding", kwargs={"pk": world.operator.pk})
    assert funding_menu(staff) == [("Funding", url)]


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR])
def test_other_roles_with_calls_get_the_list_of_calls(role_users, role):
    assert funding_menu(role_users[role]) == [("Funding", reverse("funding:call-list"))]


@pytest.mark.parametrize("role", [Role.SCHOOL_COORDINATOR, Role.SUPPLIER])
def test_roles_without_calls_get_no_entry(role_users, role):
    assert funding_menu(role_users[role]) == []


def test_visitors_get_no_entry():
    from django.contrib.auth.models import AnonymousUser

    assert funding_menu(AnonymousUser()) == []


def test_the_menu_entry_is_on_the_page(world, owner):
    client = Client()
    client.force_login(owner)
    html = client.get("/").content.decode()
    assert f'href="{reverse("funding:call-list")}"' in html
    assert ">Funding<" in html


def test_operator_staff_todos(funded, staff):
    url = reverse("funding:schooloperator-funding", kwargs={"pk": funded.inside.pk})
    # The funded call has an application of the operator: nothing to apply for there. A second
    # open call with a published entitlement and no application is one; a closed one is not.
    open_call = CallFactory(programme=funded.call.programme, funding_source=funded.call.funding_source)
    closed_call = CallFactory(
        programme=funded.call.programme,
        funding_source=funded.call.funding_source,
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    for call in (open_call, closed_call):
        call.eligibilities.create(operator=funded.inside)
        Entitlement.objects.create(
            call=call, operator=funded.inside, amount=Decimal("1.00"), source="typed", published_at=timezone.now()
        )
    assert funding_todos(staff) == {
        "funding-apply": (1, "open call with your entitlement and no application yet", url),
        "funding-claims-returned": (1, "claim returned", url),
        "funding-proofs-due": (1, "proof of use due", url),
    }


def test_an_unpublished_entitlement_and_a_far_proof_are_not_todos(funded, staff):
    open_call = CallFactory(programme=funded.call.programme, funding_source=funded.call.funding_source)
    open_call.eligibilities.create(operator=funded.inside)
    Entitlement.objects.create(call=open_call, operator=funded.inside, amount=Decimal("1.00"), source="typed")
    ProofOfUse.objects.filter(pk=funded.proof.pk).update(due_on=timezone.localdate() + datetime.timedelta(days=61))
    funded.claims[ClaimState.RETURNED].state = ClaimState.SUBMITTED
    funded.claims[ClaimState.RETURNED].save()
    assert funding_todos(staff) == {}


def test_a_returned_proof_of_use_is_a_todo(funded, staff):
    ProofOfUse.objects.filter(pk=funded.proof.pk).update(state="returned", due_on=None)
    assert funding_todos(staff)["funding-proofs-due"][0] == 1


def test_programme_owner_todos_per_call(funded, owner):
    Application.objects.filter(pk=funded.applications["draft"].pk).update(state=ApplicationState.REVIEW)
    ApplicationFactory(call=funded.call, operator=funded.beta, number=2, state=ApplicationState.RESUBMITTED)
    ApplicationFactory(call=funded.call, operator=funded.beta, number=3, state=ApplicationState.APPROVED)
    ClaimFactory(grant=funded.grant, number=9, state=ClaimState.SUBMITTED, amount=Decimal("1.00"))
    call = funded.call
    applications_url = reverse("funding:call-detail", kwargs={"pk": call.pk})
    todos = funding_todos(owner)
    assert todos[f"funding-applications-{call.pk}"] == (
        3,  # submitted, review, resubmitted
        "applications waiting for the formal check or the review in DP-26",
        applications_url,
    )
    assert todos["funding-claims-submitted"] == (
        2,
        "claims waiting for their check",
        f"{reverse('funding:claim-list')}?state=submitted",
    )
    assert set(todos) == {f"funding-applications-{call.pk}", "funding-claims-submitted"}


def test_a_funding_administrator_sees_the_applications_of_calls_they_review(funded, funding_admin):
    assert funding_todos(funding_admin) == {}
    CallReviewer.objects.create(call=funded.call, user=funding_admin, assigned_at=timezone.now())
    todos = funding_todos(funding_admin)
    assert todos[f"funding-applications-{funded.call.pk}"][0] == 1
    assert todos["funding-claims-submitted"][0] == 1


def test_another_authority_gets_no_todos(funded, world):
    outsider = user_with_role(Role.PROGRAMME_OWNER, world.other_authority, username="other-owner")
    assert funding_todos(outsider) == {}


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SCHOOL_COORDINATOR, Role.SUPPLIER, Role.ADMINISTRATOR])
def test_other_roles_get_no_funding_todos(funded, role_users, role):
    assert funding_todos(role_users[role]) == {}


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.PROGRAMME_OWNER])
def test_the_todos_cost_a_fixed_number_of_queries(funded, role_users, role):
    user = role_users[role]
    todos_for(user)  # the user's roles are read once
    with CaptureQueriesContext(connection) as first:
        todos_for(user)
    for number in range(10, 15):
        ClaimFactory(grant=funded.grant, number=number, state=ClaimState.RETURNED)
        ApplicationFactory(call=funded.call, operator=funded.beta, number=number, state=ApplicationState.SUBMITTED)
    with CaptureQueriesContext(connection) as second:
        todos_for(user)
    funding = [query for query in second.captured_queries if "funding_" in query["sql"]]
    assert len(second) == len(first)
    assert len(funding) <= 3
