"""The home page and the menu of every demo role, on the demo data (``seed_demo``): every menu
entry and every page of a section's menu opens (200) for the role that sees it, every to-do links
to a list that shows exactly the counted items, and the demo coordinator (one school) reaches the
school's hand-out straight from the menu and the home page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import User
from digileap.allocation.demo import seed_demo_allocation
from digileap.core.contributions import menu_for, section_pages, todos_for
from digileap.devices.demo import seed_demo_devices
from digileap.portal.demo import DEMO_USERS, seed_demo
from digileap.programmes.demo import seed_demo_programmes

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)


@pytest.fixture
def demo():
    seed_demo(schools=20)
    seed_demo_programmes(today=TODAY)
    seed_demo_allocation()
    seed_demo_devices(today=TODAY)
    return {spec.username: User.objects.get(username=spec.username) for spec in DEMO_USERS}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_menu_entry_of_every_demo_role_opens(demo):
    opened = {}
    for username, user in demo.items():
        client = _client(user)
        assert client.get(reverse("home")).status_code == 200, username
        entries = menu_for(user) + section_pages("devices", user)
        for entry in entries:
            status = client.get(entry.url).status_code
            assert status == 200, f"{username}: {entry.key} {entry.url} answers {status}"
        opened[username] = [entry.key for entry in menu_for(user)]
    assert opened["auditor"] == [
        "home", "programmes", "funding", "allocation", "needs", "plans", "change-requests", "connectivity",
        "training", "devices", "schools", "operators", "audit", "api",
    ]  # fmt: skip
    assert opened["supplier"] == ["home", "devices", "imports", "api"]
    assert opened["coordinator"][:3] == ["home", "programmes", "allocation"]
    assert "handout" in opened["coordinator"]
    assert "audit" not in opened["coordinator"] and "operators" in opened["operator"]
    # Data protection (the pupil-data access log): the data-protection officer and the administrator.
    assert opened["dpo"] == ["home", "privacy", "api"]
    assert {name for name, keys in opened.items() if "privacy" in keys} == {"admin", "dpo"}
    # People: for those who manage people (the demo operator user is an operator administrator).
    assert {name for name, keys in opened.items() if "people" in keys} == {"admin", "owner", "operator"}


def test_anonymous_menu_is_home_and_the_public_pages(client):
    from django.contrib.auth.models import AnonymousUser

    assert [entry.key for entry in menu_for(AnonymousUser())] == ["home", "public"]


def test_each_to_do_links_to_a_list_of_exactly_its_items(demo):
    seen = {}
    for username, user in demo.items():
        client = _client(user)
        for todo in todos_for(user):
            response = client.get(todo.url)
            assert response.status_code == 200, f"{username}: {todo.key} {todo.url}"
            if "page" in response.context:
                assert response.context["page"].paginator.count == todo.count, f"{username}: {todo.key}"
            seen.setdefault(username, {})[todo.key] = todo.count
    overdue_tickets = {"tickets-overdue": 2}
    assert seen == {
        "admin": {
            "targets-brussels-digitale-omkeer": 2,
            "targets-demo-nordhafen-digitalpakt": 6,
            "targets-ghent-digisprong": 1,
            "targets-latvia-dators-ikvienam-bernam": 2,
            "rounds-to-approve": 1,
            "change-requests-submitted": 1,
            "deliveries-to-accept": 3,
            **overdue_tickets,
            "agreements-overdue": 10,
        },
        "owner": {"targets-demo-nordhafen-digitalpakt": 6, "rounds-to-approve": 1, **overdue_tickets},
        "funding": {"change-requests-submitted": 1, **overdue_tickets},
        "operator": {"deliveries-to-accept": 1, **overdue_tickets, "agreements-overdue": 6},
        "coordinator": {"deliveries-to-accept": 1, **overdue_tickets, "agreements-overdue": 6},
        "supplier": overdue_tickets,
        "auditor": overdue_tickets,
    }


def test_the_demo_coordinator_lands_in_the_schools_hand_out(demo):
    from digileap.devices.contributions import handout_schools

    coordinator = demo["coordinator"]
    (school,) = handout_schools(coordinator)
    url = reverse("devices:assignment-handout", kwargs={"school_pk": school.pk})
    assert [entry.url for entry in menu_for(coordinator) if entry.key == "handout"] == [url]
    client = _client(coordinator)
    home = client.get(reverse("home"))
    assert f'href="{url}"' in home.content.decode()
    assert client.get(url).status_code == 200
    # Several schools: no direct entry in the menu; the recipient list chooses the school.
    assert [entry for entry in menu_for(demo["operator"]) if entry.key == "handout"] == []
