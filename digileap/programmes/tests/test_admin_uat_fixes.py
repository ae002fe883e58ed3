"""Fixes from the acceptance walk of the programme administration pages (issue 11)."""

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.permissions import Action, permits

from .factories import FundingSourceFactory, ProgrammeFactory


def client_for(user) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def test_a_single_authority_is_preselected_without_an_empty_choice(world, role_users):
    form = client_for(role_users[Role.PROGRAMME_OWNER]).get(reverse("programmes:programme-create")).context["form"]
    choices = [(str(value), label) for value, label in form.fields["authority"].choices]
    assert choices == [(str(world.authority.pk), str(world.authority))]
    assert form["authority"].value() == world.authority.pk
    html = str(form["authority"])
    assert "---------" not in html
    assert f'<option value="{world.authority.pk}" selected>' in html


def test_several_authorities_keep_the_empty_choice(world, role_users):
    form = client_for(role_users[Role.ADMINISTRATOR]).get(reverse("programmes:programme-create")).context["form"]
    labels = [label for _value, label in form.fields["authority"].choices]
    assert labels[0] == "---------"
    assert len(labels) >= 3
    assert form["authority"].value() is None


@pytest.mark.parametrize("page", ["programmes:programme-detail", "programmes:programme-dashboard"])
def test_a_programme_without_funding_source_says_so_and_offers_to_add_one(world, role_users, page):
    programme = ProgrammeFactory(authority=world.authority)
    add_url = reverse("programmes:programme-source-create", args=[programme.pk])
    link = f'<a href="{add_url}">Add a funding source</a>'

    owner_page = client_for(role_users[Role.PROGRAMME_OWNER]).get(reverse(page, args=[programme.pk]))
    html = owner_page.content.decode()
    assert "No funding source is recorded yet. " + link in html
    assert "state no budget" not in html

    reader = role_users[Role.FUNDING_ADMINISTRATOR]
    assert not permits(reader, Action.CHANGE, programme)
    reader_html = client_for(reader).get(reverse(page, args=[programme.pk])).content.decode()
    assert "No funding source is recorded yet." in reader_html
    assert add_url not in reader_html


def test_a_programme_with_a_funding_source_does_not_say_none_is_recorded(world, role_users):
    programme = FundingSourceFactory(programme__authority=world.authority).programme
    html = (
        client_for(role_users[Role.PROGRAMME_OWNER])
        .get(reverse("programmes:programme-detail", args=[programme.pk]))
        .content.decode()
    )
    assert "No funding source is recorded yet." not in html
