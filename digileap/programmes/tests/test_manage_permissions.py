"""Who reaches the programme administration pages: administrators everywhere, programme owners in
their authority. Whoever may read the programme but not change it gets 403, whoever may not read it
404; their POSTs change nothing. The links show only to those who may follow them."""

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.programmes.models import FundingSource, Objective, Programme

from .factories import FundingSourceFactory, ProgrammeFactory

# Roles that have no grants in this app (suppliers, teachers).
NO_ACCESS_ROLES = (Role.SUPPLIER, Role.TEACHER, Role.DATA_PROTECTION_OFFICER)

# The pages of one programme (and its source and objective), by route name and the object they take.
PAGES = [
    ("programme-update", "programme"),
    ("programme-sources", "programme"),
    ("programme-source-create", "programme"),
    ("fundingsource-update", "source"),
    ("programme-objectives", "programme"),
    ("programme-objective-create", "programme"),
    ("objective-update", "objective"),
    ("programme-publish", "programme"),
    ("programme-copy", "programme"),
]
# GET status of each role on the pages of a programme in its scope (INSIDE).
EXPECTED_INSIDE = {
    Role.ADMINISTRATOR: 200,
    Role.PROGRAMME_OWNER: 200,
    Role.FUNDING_ADMINISTRATOR: 403,
    Role.OPERATOR_STAFF: 403,
    Role.SCHOOL_COORDINATOR: 403,
    Role.SUPPLIER: 404,  # suppliers read only the public pages
    Role.TEACHER: 404,
    Role.DATA_PROTECTION_OFFICER: 404,
    Role.AUDITOR: 403,
}
EXPECTED_NEW = {**EXPECTED_INSIDE, Role.SUPPLIER: 403, Role.TEACHER: 403, Role.DATA_PROTECTION_OFFICER: 403}


@pytest.fixture
def objects(world):
    inside = ProgrammeFactory(code="INSIDE-programme", authority=world.authority, is_public=True)
    outside = ProgrammeFactory(code="OUTSIDE-programme", authority=world.other_authority, is_public=True)
    made = {}
    for side, programme in (("inside", inside), ("outside", outside)):
        made[side] = {
            "programme": programme,
            "source": FundingSourceFactory(programme=programme, position=1),
            "objective": Objective.objects.create(programme=programme, position=1, title={"en": f"{side} objective"}),
        }
    return made


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fingerprint():
    return (
        list(Programme.objects.order_by("pk").values()),
        list(FundingSource.objects.order_by("pk").values()),
        list(Objective.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_the_expected_status(role, role_users, objects):
    client = signed_in(role_users[role])
    statuses = {
        name: client.get(reverse(f"programmes:{name}", kwargs={"pk": objects["inside"][kind].pk})).status_code
        for name, kind in PAGES
    }
    assert statuses == {name: EXPECTED_INSIDE[role] for name, _kind in PAGES}
    assert client.get(reverse("programmes:programme-create")).status_code == EXPECTED_NEW[role]
    outside = {
        name: client.get(reverse(f"programmes:{name}", kwargs={"pk": objects["outside"][kind].pk})).status_code
        for name, kind in PAGES
    }
    expected_outside = 200 if role == Role.ADMINISTRATOR else 404
    assert outside == {name: expected_outside for name, _kind in PAGES}


@pytest.mark.parametrize("role", [r for r in Role if r not in {Role.ADMINISTRATOR, Role.PROGRAMME_OWNER}])
def test_posts_of_other_roles_are_refused_and_change_nothing(role, role_users, objects, world):
    client = signed_in(role_users[role])
    before = fingerprint()
    inside = objects["inside"]
    posts = {
        "programme-publish": {"is_public": "0"},
        "programme-copy": {"code": "COPIED"},
        "programme-update": {"code": "CHANGED", "name_en": "Changed", "country": "BE", "status": "planned"},
        "programme-source-create": {"kind": "national", "amount": "1", "position": "9"},
        "fundingsource-update": {"kind": "national", "amount": "1", "position": "1"},
        "programme-objective-create": {"position": "9", "title_en": "New"},
        "objective-update": {"position": "1", "title_en": "Changed"},
    }
    for name, data in posts.items():
        kind = dict(PAGES)[name]
        response = client.post(reverse(f"programmes:{name}", kwargs={"pk": inside[kind].pk}), data)
        assert response.status_code == EXPECTED_INSIDE[role], name
    response = client.post(
        reverse("programmes:programme-create"),
        {"code": "NEW", "name_en": "New", "authority": world.authority.pk, "country": "BE", "status": "planned"},
    )
    assert response.status_code == EXPECTED_NEW[role]
    assert fingerprint() == before


@pytest.mark.parametrize("role", list(Role))
def test_the_manage_links_show_only_to_those_who_may_follow_them(role, role_users, objects):
    programme = objects["inside"]["programme"]
    response = signed_in(role_users[role]).get(reverse("programmes:programme-detail", kwargs={"pk": programme.pk}))
    if role in NO_ACCESS_ROLES:
        assert response.status_code == 404
        return
    text = response.content.decode()
    links = [
        reverse(f"programmes:{name}", kwargs={"pk": programme.pk})
        for name in (
            "programme-update",
            "programme-sources",
            "programme-objectives",
            "programme-publish",
            "programme-copy",
        )
    ]
    shown = [f'href="{url}"' in text for url in links]
    may_manage = role in {Role.ADMINISTRATOR, Role.PROGRAMME_OWNER}
    assert shown == [may_manage] * len(links)
    if may_manage:
        assert ">Unpublish<" in text  # the programme is public
