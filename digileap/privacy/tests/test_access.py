"""The pupil-data access log: one row and one INSERT per read, whatever the number of pupils, on every
page, export and API route that shows pupils."""

import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from digileap.accounts.models import Role
from digileap.core.context import request_id_var
from digileap.devices.models import Recipient
from digileap.devices.tests.factories import RecipientFactory
from digileap.privacy import access
from digileap.privacy.access import Channel, log_pupil_read
from digileap.privacy.models import PupilDataAccess

from .access_world import CLASS_SIZE, class_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(world):
    return class_of(world.school)


def _reads():
    return list(PupilDataAccess.objects.order_by("pk"))


def test_log_pupil_read_writes_one_row_with_the_ids_once_each(world, role_users):
    user = role_users[Role.SCHOOL_COORDINATOR]
    token = request_id_var.set("req-42")
    try:
        read = log_pupil_read(
            user=user,
            what="devices:recipient-list",
            channel=Channel.PAGE,
            recipient_ids=[7, 3, 7, 5],
            path="/devices/recipients/?group=5A",
            school=world.school,
        )
    finally:
        request_id_var.reset(token)
    assert _reads() == [read]
    read.refresh_from_db()
    assert (read.user, read.actor_label, read.channel, read.what, read.path) == (
        user,
        "school_coordinator-user",
        "page",
        "devices:recipient-list",
        "/devices/recipients/?group=5A",
    )
    assert (read.rows, read.recipient_ids, read.school, read.authority, read.request_id) == (
        3,
        [7, 3, 5],
        world.school,
        world.authority,
        "req-42",
    )


def test_a_read_of_no_pupil_writes_nothing(world, role_users):
    user = role_users[Role.SCHOOL_COORDINATOR]
    assert log_pupil_read(user=user, what="x", channel=Channel.PAGE, recipient_ids=[]) is None
    response = _client(user).get(reverse("devices:recipient-list"))
    assert response.status_code == 200
    assert _reads() == []


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# (route, how to fill it, rows, channel, who reads); "a" is the first assignment of the class.
HOOKS = [
    ("devices:recipient-list", lambda a: {}, "", CLASS_SIZE, "page"),
    ("devices:recipient-detail", lambda a: {"pk": a.recipient_id}, "", 1, "page"),
    ("devices:recipient-edit", lambda a: {"pk": a.recipient_id}, "", 1, "page"),
    ("devices:assignment-handout", lambda a: {"school_pk": a.recipient.school_id}, "group=5A", 8, "page"),
    ("devices:assignment-return", lambda a: {"pk": a.pk}, "", 1, "page"),
    ("devices:device-detail", lambda a: {"pk": a.device_id}, "", 1, "page"),
    ("devices:useragreement-list", lambda a: {}, "", CLASS_SIZE, "page"),
    ("devices:useragreement-detail", lambda a: {"pk": a.agreement.pk}, "", 1, "page"),
    ("devices:useragreement-record", lambda a: {"pk": a.agreement.pk}, "", 1, "page"),
    ("devices:useragreement-pdf", lambda a: {"pk": a.agreement.pk}, "", 1, "export"),
    ("recipient-list", lambda a: {}, "", CLASS_SIZE, "api"),
    ("recipient-detail", lambda a: {"pk": a.recipient_id}, "", 1, "api"),
    ("assignment-list", lambda a: {}, "", CLASS_SIZE, "api"),
    ("assignment-detail", lambda a: {"pk": a.pk}, "", 1, "api"),
    ("useragreement-list", lambda a: {}, "", CLASS_SIZE, "api"),
    ("useragreement-detail", lambda a: {"pk": a.agreement.pk}, "", 1, "api"),
]


def _what(route: str, kwargs: dict) -> str:
    if route.startswith("devices:"):
        return route
    return f"api:{route}" if route.endswith("-list") else f"api:{route.replace('-detail', '-retrieve')}"


@pytest.mark.parametrize(("route", "kwargs_of", "query", "rows", "channel"), HOOKS, ids=[h[0] for h in HOOKS])
def test_each_read_of_pupils_is_one_row_and_one_query(
    route, kwargs_of, query, rows, channel, pupils, role_users, monkeypatch
):
    user = role_users[Role.SCHOOL_COORDINATOR]
    client = _client(user)
    url = reverse(route, kwargs=kwargs_of(pupils[0])) + (f"?{query}" if query else "")
    assert client.get(url).status_code == 200  # warm: sessions, caches
    PupilDataAccess.objects.all().delete()

    # The page without its log line, then with it: exactly one query more, the INSERT.
    view_module = sys.modules[resolve(url.split("?")[0]).func.__module__]
    with monkeypatch.context() as patch:
        for module in (view_module, access):
            if hasattr(module, "log_recipients_shown"):
                patch.setattr(module, "log_recipients_shown", lambda *args, **kwargs: [])
        with CaptureQueriesContext(connection) as without_log:
            assert client.get(url).status_code == 200
    assert _reads() == []
    with CaptureQueriesContext(connection) as with_log:
        response = client.get(url)
    assert response.status_code == 200
    assert len(with_log) == len(without_log) + 1
    inserts = [q["sql"] for q in with_log if q["sql"].startswith('INSERT INTO "privacy_pupildataaccess"')]
    assert len(inserts) == 1

    [read] = _reads()
    expected_ids = {
        CLASS_SIZE: [a.recipient_id for a in pupils],
        8: [a.recipient_id for a in reversed(pupils)][:8],  # the hand-out's latest eight, newest first
        1: [pupils[0].recipient_id],
    }[rows]
    if route in ("assignment-list", "useragreement-list"):  # newest hand-out first
        expected_ids.reverse()
    assert (read.rows, read.channel, read.what, read.user_id) == (rows, channel, _what(route, {}), user.pk)
    assert read.recipient_ids == expected_ids
    assert (read.school_id, read.authority_id) == (
        pupils[0].recipient.school_id,
        pupils[0].recipient.school.authority_id,
    )


def test_printing_a_class_agreements_is_one_export_read(pupils, role_users, world):
    user = role_users[Role.SCHOOL_COORDINATOR]
    response = _client(user).get(reverse("devices:useragreement-print"), {"school": world.school.pk, "group": "5A"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    [read] = _reads()
    assert (read.rows, read.channel, read.what) == (CLASS_SIZE, "export", "devices:useragreement-print")
    assert sorted(read.recipient_ids) == sorted(a.recipient_id for a in pupils)


def test_a_read_across_authorities_is_one_insert_with_a_row_per_authority(world, role_users):
    inside = [RecipientFactory(school=world.school, reference=f"IN{n}") for n in range(3)]
    outside = [RecipientFactory(school=world.other_school, reference=f"OUT{n}") for n in range(2)]
    with CaptureQueriesContext(connection) as queries:
        response = _client(role_users[Role.ADMINISTRATOR]).get(reverse("devices:recipient-list"))
    assert response.status_code == 200
    assert len([q for q in queries if q["sql"].startswith('INSERT INTO "privacy_pupildataaccess"')]) == 1
    by_authority = {read.authority_id: (read.rows, sorted(read.recipient_ids), read.school_id) for read in _reads()}
    assert by_authority == {
        world.authority.pk: (3, sorted(r.pk for r in inside), world.school.pk),
        world.other_authority.pk: (2, sorted(r.pk for r in outside), world.other_school.pk),
    }


def test_a_recipient_without_its_school_loaded_gets_its_authority_from_the_insert(world, rf, role_users):
    recipient = Recipient.objects.get(pk=RecipientFactory(school=world.school).pk)  # school not loaded
    request = rf.get("/somewhere/")
    request.user = role_users[Role.ADMINISTRATOR]
    with CaptureQueriesContext(connection) as queries:
        [read] = access.log_recipients_shown(request, [recipient], what="test")
    assert len(queries) == 1
    read = PupilDataAccess.objects.get(pk=read.pk) if read.pk else PupilDataAccess.objects.get()
    assert (read.authority_id, read.school_id, read.rows, read.path) == (
        world.authority.pk,
        world.school.pk,
        1,
        "/somewhere/",
    )


def test_the_public_acceptance_page_logs_no_token(pupils):
    from django.test import Client

    agreement = pupils[0].agreement
    response = Client().get(reverse("devices:useragreement-accept", kwargs={"token": agreement.token}))
    assert response.status_code == 200
    [read] = _reads()
    assert (read.user_id, read.actor_label, read.path, read.rows) == (None, "anonymous", "", 1)
