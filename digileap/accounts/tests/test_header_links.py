"""The header's account links: the second factor's set-up for administrators and programme owners
only, "Change password" only for users who have a password."""

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role

pytestmark = pytest.mark.django_db

SECOND_FACTOR = f'href="{reverse("otp-setup")}"'
PASSWORD = f'href="{reverse("password_change")}"'


@pytest.mark.parametrize("role", list(Role))
def test_the_second_factor_link_per_role(role, role_users):
    client = Client()
    client.force_login(role_users[role])
    text = client.get(reverse("home"), follow=True).content.decode()
    assert (SECOND_FACTOR in text) == (role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER))


def test_no_password_link_without_a_password(role_users):
    user = role_users[Role.PROGRAMME_OWNER]
    client = Client()
    client.force_login(user)
    assert PASSWORD in client.get(reverse("home")).content.decode()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    client.force_login(user)
    assert PASSWORD not in client.get(reverse("home")).content.decode()
