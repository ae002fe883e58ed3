"""The programme list: its figures (issue 11, defect 1) and its "New programme" entry point."""

from decimal import Decimal

from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role

from .factories import FundingSourceFactory, ProgrammeFactory, TargetFactory

D = Decimal


def test_the_budget_is_not_multiplied_by_the_number_of_targets(world, role_users):
    """Nordhafen showed 72 M against its 12 M: a join of sources and targets counted each source once
    per target."""
    nordhafen = ProgrammeFactory(code="A-NORDHAFEN", authority=world.authority)
    FundingSourceFactory(programme=nordhafen, amount=D("7000000.00"))
    FundingSourceFactory(programme=nordhafen, amount=D("5000000.00"))
    for _ in range(6):
        TargetFactory(programme=nordhafen)
    other = ProgrammeFactory(code="B-OTHER", authority=world.authority)
    for amount in ("1000000.50", "2000000.25", "3000000.25"):
        FundingSourceFactory(programme=other, amount=D(amount))
    TargetFactory(programme=other)
    TargetFactory(programme=other)
    no_sources = ProgrammeFactory(code="C-EMPTY", authority=world.authority)
    TargetFactory(programme=no_sources)
    ProgrammeFactory(code="D-NOTHING", authority=world.authority)

    client = Client()
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    response = client.get(reverse("programmes:programme-list"))
    rows = [(p.code, p.budget, p.target_count) for p in response.context["programmes"]]
    assert rows == [
        ("A-NORDHAFEN", D("12000000.00"), 6),
        ("B-OTHER", D("6000001.00"), 2),
        ("C-EMPTY", None, 1),
        ("D-NOTHING", None, 0),
    ]
    text = response.content.decode()
    assert "12,000,000.00" in text and "72,000,000.00" not in text
    assert "6,000,001.00" in text


def test_new_programme_shows_only_for_those_who_may_add_one(world, role_users):
    url = reverse("programmes:programme-create")
    for role in Role:
        client = Client()
        client.force_login(role_users[role])
        response = client.get(reverse("programmes:programme-list"))
        shows = f'href="{url}"' in response.content.decode()
        assert shows == (role in {Role.ADMINISTRATOR, Role.PROGRAMME_OWNER}), role


def test_each_programme_the_user_may_change_has_an_edit_link(world, role_users):
    inside = ProgrammeFactory(code="INSIDE-p", authority=world.authority)
    outside = ProgrammeFactory(code="OUTSIDE-p", authority=world.other_authority)
    edit = {p: f'href="{reverse("programmes:programme-update", kwargs={"pk": p.pk})}"' for p in (inside, outside)}
    expected = {
        Role.ADMINISTRATOR: [True, True],
        Role.PROGRAMME_OWNER: [True, False],
        Role.FUNDING_ADMINISTRATOR: [False, False],
        Role.AUDITOR: [False, False],
    }
    for role, shown in expected.items():
        client = Client()
        client.force_login(role_users[role])
        text = client.get(reverse("programmes:programme-list")).content.decode()
        assert [edit[inside] in text, edit[outside] in text] == shown, role
