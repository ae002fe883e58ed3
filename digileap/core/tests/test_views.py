import pytest
from django.conf import settings
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import PASSWORD, user_with_role
from digileap.core import audit
from digileap.schools import services
from digileap.schools.tests.factories import SchoolFactory


def _client(client, user):
    client.force_login(user)
    return client


def _tiles(response) -> list[tuple[str, int | None]]:
    return [(tile["key"], tile["count"]) for tile in response.context["tiles"]]


@pytest.mark.django_db
class TestHome:
    def test_anonymous_sees_what_digileap_is_and_a_sign_in_link(self, client):
        response = client.get("/")
        assert response.status_code == 200
        assert response.context["tiles"] == []
        content = response.content.decode()
        assert "school-digitalisation programmes" in content
        assert f'href="{reverse("login")}"' in content
        assert reverse("schools:school-list") not in content

    def test_tiles_per_role(self, client, world, role_users, settings):
        SchoolFactory(operator=world.operator, name="Second inside school")
        tiles = {role: _tiles(_client(client, user).get("/")) for role, user in role_users.items()}
        without_imports = {role: [tile for tile in found if tile[0] != "imports"] for role, found in tiles.items()}
        assert without_imports == {
            Role.ADMINISTRATOR: [
                ("schools", 3),
                ("operators", 2),
                ("audit", None),
                ("devices", 0),
                ("privacy", 0),
                ("api", None),
            ],
            Role.PROGRAMME_OWNER: [("schools", 2), ("operators", 1), ("devices", 0), ("api", None)],
            Role.FUNDING_ADMINISTRATOR: [("schools", 2), ("operators", 1), ("devices", 0), ("api", None)],
            Role.OPERATOR_STAFF: [("schools", 2), ("operators", 1), ("devices", 0), ("api", None)],
            Role.SCHOOL_COORDINATOR: [("schools", 1), ("operators", 1), ("devices", 0), ("api", None)],
            Role.SUPPLIER: [("devices", 0), ("api", None)],
            Role.TEACHER: [("api", None)],
            Role.DATA_PROTECTION_OFFICER: [("privacy", 0), ("api", None)],
            Role.AUDITOR: [("schools", 2), ("operators", 1), ("audit", None), ("devices", 0), ("api", None)],
        }
        # Imports only for those who may register schools.
        for role, found in tiles.items():
            if any(key == "imports" for key, _count in found):
                assert role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER)

    def test_navigation_shows_only_what_the_user_can_reach(self, client, world, role_users):
        supplier = _client(client, role_users[Role.SUPPLIER]).get("/").content.decode()
        assert reverse("schools:school-list") not in supplier
        assert reverse("audit-log") not in supplier
        admin = _client(client, role_users[Role.ADMINISTRATOR]).get("/").content.decode()
        assert f'href="{reverse("schools:school-list")}"' in admin
        assert f'href="{reverse("audit-log")}"' in admin
        assert "Administrator · Everything" in admin

    def test_layout_has_landmarks_skip_link_and_a_post_sign_out(self, client, world, role_users):
        content = _client(client, role_users[Role.AUDITOR]).get("/").content.decode()
        for marker in ('<header class="site-header">', "<nav ", '<main id="main"', "<footer", 'href="#main"'):
            assert marker in content
        assert f'method="post" action="{reverse("logout")}"' in content
        assert "<style" not in content
        assert "style=" not in content
        assert "<script>" not in content


@pytest.mark.django_db
class TestSignIn:
    def test_sign_in_and_out(self, client, world):
        user = user_with_role(Role.AUDITOR, world.authority, username="reader")
        assert client.get(reverse("login")).status_code == 200
        response = client.post(reverse("login"), {"username": "reader", "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert int(client.session["_auth_user_id"]) == user.pk
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session

    def test_wrong_password_shows_an_error(self, client, world):
        user_with_role(Role.AUDITOR, world.authority, username="reader")
        response = client.post(reverse("login"), {"username": "reader", "password": "wrong"})
        assert response.status_code == 200
        assert "did not match" in response.content.decode()

    def test_repeated_failures_lock_the_account_for_a_while(self, client, world):
        user_with_role(Role.AUDITOR, world.authority, username="reader")
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("login"), {"username": "reader", "password": "wrong"})
        response = client.post(reverse("login"), {"username": "reader", "password": PASSWORD})
        assert response.status_code == 429
        assert "accounts/locked_out.html" in [t.name for t in response.templates]
        assert "Please try again in 15 minutes." in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_password_change(self, client, world):
        user = user_with_role(Role.AUDITOR, world.authority, username="reader")
        client.force_login(user)
        page = client.get(reverse("password_change"))
        assert page.status_code == 200
        # Digileap's own page with its layout, not the Django admin's template of the same name.
        assert [t.name for t in page.templates][0] == "accounts/password_change_form.html"
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "a much longer passphrase",
                "new_password2": "a much longer passphrase",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("password_change_done")
        user.refresh_from_db()
        assert user.check_password("a much longer passphrase")


@pytest.mark.django_db
class TestLanguage:
    def test_switcher_offers_the_five_languages(self, client):
        content = client.get("/").content.decode()
        assert f'action="{reverse("set_language")}"' in content
        for code in ("en", "nl", "fr", "de", "lv"):
            assert f'<option value="{code}" lang="{code}"' in content

    def test_switching_sets_the_language(self, client):
        response = client.post(reverse("set_language"), {"language": "de", "next": "/schools/"})
        assert response.status_code == 302
        assert response["Location"] == "/schools/"
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
        page = client.get("/")
        assert page.context["LANGUAGE_CODE"] == "de"
        assert '<html lang="de">' in page.content.decode()


@pytest.mark.django_db
class TestAuditLog:
    def _events(self, world, role_users):
        admin = role_users[Role.ADMINISTRATOR]
        services.school_update(actor=admin, school=world.school, data={"city": "Inside city"})
        services.school_update(actor=admin, school=world.other_school, data={"city": "Outside city"})
        audit.record(actor="system", action="import", instance=world.school, after={"rows": 1})

    def test_administrator_sees_every_event(self, client, world, role_users):
        self._events(world, role_users)
        response = _client(client, role_users[Role.ADMINISTRATOR]).get(reverse("audit-log"))
        assert response.status_code == 200
        events = list(response.context["page"].object_list)
        assert [(event.action, event.object_repr) for event in events] == [
            ("import", "INSIDE school (1001)"),
            ("update", "OUTSIDE school (2002)"),
            ("update", "INSIDE school (1001)"),
        ]

    def test_scoped_auditor_sees_only_events_in_scope(self, client, world, role_users):
        self._events(world, role_users)
        response = _client(client, role_users[Role.AUDITOR]).get(reverse("audit-log"))
        assert [event.action for event in response.context["page"].object_list] == ["import", "update"]
        assert "OUTSIDE" not in response.content.decode()

    def test_filters(self, client, world, role_users):
        self._events(world, role_users)
        user_client = _client(client, role_users[Role.ADMINISTRATOR])
        by_action = user_client.get(reverse("audit-log"), {"action": "import"})
        assert [event.action for event in by_action.context["page"].object_list] == ["import"]
        by_actor = user_client.get(reverse("audit-log"), {"actor": "system"})
        assert [event.actor_label for event in by_actor.context["page"].object_list] == ["system"]
        by_type = user_client.get(reverse("audit-log"), {"object_type": "schools.site"})
        assert list(by_type.context["page"].object_list) == []
        by_object = user_client.get(
            reverse("audit-log"), {"object_type": "schools.school", "object_id": world.other_school.pk}
        )
        assert [event.object_repr for event in by_object.context["page"].object_list] == ["OUTSIDE school (2002)"]
        bad = user_client.get(reverse("audit-log"), {"object_type": "nonsense", "page": "x"})
        assert bad.status_code == 200
        assert len(bad.context["page"].object_list) == 3

    @pytest.mark.parametrize(
        "role",
        [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.SUPPLIER],
    )
    def test_other_roles_may_not_open_it(self, client, world, role_users, role):
        assert _client(client, role_users[role]).get(reverse("audit-log")).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client):
        assert client.get(reverse("audit-log")).status_code == 302


@pytest.mark.django_db
def test_english_dates_are_written_the_european_way():
    import datetime

    from django.utils import formats, translation

    moment = datetime.datetime(2026, 11, 22, 21, 3)
    with translation.override("en"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "22/11/2026 21:03"
        assert formats.date_format(moment, "DATE_FORMAT") == "22 November 2026"
    with translation.override("de"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "22.11.2026 21:03"
