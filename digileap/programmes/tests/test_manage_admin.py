"""The administrator who opens Django's admin to add a programme reaches the programme pages
instead of a 403 (issue 11: "Today an administrator gets 403 on the admin page")."""

from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role


def staff_administrator():
    # As the demo's administrator: staff and superuser, with the administrator role over everything.
    return user_with_role(Role.ADMINISTRATOR, None, username="demo-admin", is_staff=True, is_superuser=True)


def test_adding_a_programme_in_the_admin_leads_to_the_programme_pages(world):
    client = Client()
    client.force_login(staff_administrator())
    response = client.get("/admin/programmes/programme/add/")
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:programme-create")
    assert client.get(response["Location"]).status_code == 200
    index = client.get("/admin/").content.decode()
    assert 'href="/admin/programmes/programme/add/"' in index
    response = client.get("/admin/programmes/target/add/")
    assert (response.status_code, response["Location"]) == (302, reverse("programmes:programme-list"))


def test_the_admin_stays_closed_to_role_users(role_users):
    client = Client()
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    response = client.get("/admin/programmes/programme/add/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
