"""Fixes from the acceptance walk of the programme administration pages (issue 11)."""

from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role


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
