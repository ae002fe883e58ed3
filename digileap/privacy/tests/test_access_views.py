"""The data-protection officer's pages of the access log: who may open them, what each role sees,
the filters, the export and the reads per user and month."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.devices.tests.factories import RecipientFactory
from digileap.privacy.models import PupilDataAccess

pytestmark = pytest.mark.django_db

PAGES = ["privacy:pupildataaccess-list", "privacy:pupildataaccess-export", "privacy:pupildataaccess-summary"]


def _at(day: str, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00:00"))


def _read(*, who, school, ids, when, channel="page", what="devices:recipient-list"):
    read = PupilDataAccess.objects.create(
        actor_label=who,
        channel=channel,
        what=what,
        path="/devices/recipients/",
        rows=len(ids),
        recipient_ids=ids,
        school=school,
        authority=school.authority,
        request_id=f"req-{who}-{when:%m%d}",
    )
    PupilDataAccess.objects.filter(pk=read.pk).update(occurred_at=when)
    return read


@pytest.fixture
def log(world):
    anna = RecipientFactory(school=world.school, reference="ANNA-1")
    ben = RecipientFactory(school=world.school, reference="BEN-2")
    far = RecipientFactory(school=world.other_school, reference="ANNA-1")  # same reference elsewhere
    return {
        "anna": anna,
        "ben": ben,
        "far": far,
        "reads": [
            _read(who="coord", school=world.school, ids=[anna.pk, ben.pk], when=_at("2026-10-05")),
            _read(who="coord", school=world.school, ids=[ben.pk], when=_at("2026-11-02"), channel="export"),
            _read(who="owner", school=world.school, ids=[anna.pk], when=_at("2026-11-20"), channel="api"),
            _read(who="OUTSIDE-coord", school=world.other_school, ids=[far.pk], when=_at("2026-11-21")),
        ],
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _shown(response) -> list[str]:
    return [f"{read.actor_label} {read.occurred_at:%Y-%m-%d}" for read in response.context["page"].object_list]


@pytest.mark.parametrize("route", PAGES)
def test_only_the_data_protection_officer_and_the_administrator_open_the_log(route, role_users, log):
    statuses = {role: _client(user).get(reverse(route)).status_code for role, user in role_users.items()}
    assert statuses == {
        role: 200 if role in (Role.DATA_PROTECTION_OFFICER, Role.ADMINISTRATOR) else 403 for role in Role
    }
    response = Client().get(reverse(route))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_officer_sees_their_authority_and_the_administrator_everything(role_users, log):
    url = reverse("privacy:pupildataaccess-list")
    officer = _client(role_users[Role.DATA_PROTECTION_OFFICER]).get(url)
    assert _shown(officer) == ["owner 2026-11-20", "coord 2026-11-02", "coord 2026-10-05"]
    assert "OUTSIDE" not in officer.content.decode()
    admin = _client(role_users[Role.ADMINISTRATOR]).get(url)
    assert _shown(admin) == ["OUTSIDE-coord 2026-11-21", "owner 2026-11-20", "coord 2026-11-02", "coord 2026-10-05"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"user": "COORD"}, ["coord 2026-11-02", "coord 2026-10-05"]),
        ({"channel": "api"}, ["owner 2026-11-20"]),
        ({"date_from": "2026-11-01", "date_to": "2026-11-20"}, ["owner 2026-11-20", "coord 2026-11-02"]),
        ({"date_to": "2026-10-31"}, ["coord 2026-10-05"]),
        ({"min_rows": "2"}, ["coord 2026-10-05"]),
        ({"reference": "ANNA-1"}, ["owner 2026-11-20", "coord 2026-10-05"]),
        ({"reference": "BEN-2", "channel": "export"}, ["coord 2026-11-02"]),
        ({"reference": "NOBODY"}, []),
    ],
)
def test_filters(filters, expected, role_users, log):
    response = _client(role_users[Role.DATA_PROTECTION_OFFICER]).get(reverse("privacy:pupildataaccess-list"), filters)
    assert response.status_code == 200
    assert _shown(response) == expected


def test_a_reference_at_two_schools_is_narrowed_by_the_school(role_users, log, world):
    client = _client(role_users[Role.ADMINISTRATOR])
    url = reverse("privacy:pupildataaccess-list")
    assert _shown(client.get(url, {"reference": "ANNA-1"})) == [
        "OUTSIDE-coord 2026-11-21",
        "owner 2026-11-20",
        "coord 2026-10-05",
    ]
    narrowed = client.get(url, {"reference": "ANNA-1", "school": world.other_school.pk})
    assert _shown(narrowed) == ["OUTSIDE-coord 2026-11-21"]


def test_an_end_before_the_start_is_refused(role_users, log):
    response = _client(role_users[Role.DATA_PROTECTION_OFFICER]).get(
        reverse("privacy:pupildataaccess-list"), {"date_from": "2026-11-02", "date_to": "2026-11-01"}
    )
    assert response.context["form"].errors == {"date_to": ["The end comes before the start."]}


def test_the_export_is_the_filtered_log_and_is_not_itself_logged(role_users, log):
    response = _client(role_users[Role.DATA_PROTECTION_OFFICER]).get(
        reverse("privacy:pupildataaccess-export"), {"user": "coord"}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    anna, ben = log["anna"].pk, log["ben"].pk
    assert text.splitlines() == [
        "time;user;channel;what;what_label;address;pupils_shown;pupil_ids;school_number;school;authority;request_id",
        f"2026-11-02T10:00:00+01:00;coord;export;devices:recipient-list;Pupils and recipients (list);"
        f"/devices/recipients/;1;{ben};1001;INSIDE school;INSIDE authority;req-coord-1102",
        f"2026-10-05T10:00:00+02:00;coord;page;devices:recipient-list;Pupils and recipients (list);"
        f"/devices/recipients/;2;{anna} {ben};1001;INSIDE school;INSIDE authority;req-coord-1005",
    ]
    assert PupilDataAccess.objects.count() == 4


def test_reads_per_user_and_month(role_users, log):
    response = _client(role_users[Role.DATA_PROTECTION_OFFICER]).get(reverse("privacy:pupildataaccess-summary"))
    lines = [
        (line["month"].strftime("%Y-%m"), line["actor_label"], line["reads"], line["pupils"])
        for line in response.context["page"].object_list
    ]
    assert lines == [("2026-11", "coord", 1, 1), ("2026-11", "owner", 1, 1), ("2026-10", "coord", 1, 2)]


def test_menu_tile_and_to_dos_of_the_officer(role_users, world):
    from digileap.core.contributions import menu_for, tiles_for, todos_for

    officer = role_users[Role.DATA_PROTECTION_OFFICER]
    _read(who="old", school=world.school, ids=list(range(1, 201)), when=timezone.now() - datetime.timedelta(days=40))
    _read(who="outside", school=world.other_school, ids=list(range(1, 201)), when=timezone.now())
    _read(
        who="exporter",
        school=world.school,
        ids=list(range(1, 121)),
        when=timezone.now() - datetime.timedelta(days=1),
        channel="export",
    )
    assert [e.label for e in menu_for(officer) if e.key == "privacy"] == ["Data protection"]
    assert [e.key for e in menu_for(role_users[Role.AUDITOR]) if e.key == "privacy"] == []
    assert [(t.key, t.count) for t in tiles_for(officer) if t.key == "privacy"] == [("privacy", 1)]
    todos = {t.key: (t.count, str(t.label)) for t in todos_for(officer) if t.key.startswith("privacy")}
    assert todos == {"privacy-large-reads": (1, "1 large read of pupils' data this week")}


def test_the_log_names_pages_in_words(role_users, world):
    from digileap.privacy.models import PupilDataAccess

    read = PupilDataAccess.objects.create(
        user=role_users[Role.SCHOOL_COORDINATOR],
        actor_label="coordinator",
        channel="page",
        what="devices:recipient-list",
        rows=1,
        recipient_ids=[1],
        authority=world.authority,
    )
    assert read.what_label == "Pupils and recipients (list)"
    read.what = "api:recipient-list"
    assert read.what_label == "API: pupils and recipients (list)"
    read.what = "api:recipient-retrieve"
    assert read.what_label == "API: a pupil or recipient"
    read.what = "api:assignment-list"
    assert read.what_label == "API: hand-outs of devices (list)"
    read.what = "api:assignment-retrieve"
    assert read.what_label == "API: a hand-out of a device"
    read.what = "api:useragreement-list"
    assert read.what_label == "API: user agreements (list)"
    read.what = "api:useragreement-retrieve"
    assert read.what_label == "API: a user agreement"
    read.what = "api:ticket-list"  # a route without words: shown as stored
    assert read.what_label == "api:ticket-list"


def test_every_logged_api_route_has_a_name_in_words():
    from config.api_urls import router
    from digileap.privacy.access import PupilReadLogMixin
    from digileap.privacy.models import WHAT_LABELS

    logged = sorted(
        f"api:{basename}-{action}"
        for _prefix, viewset, basename in router.registry
        if issubclass(viewset, PupilReadLogMixin)
        for action in ("list", "retrieve")
    )
    assert logged == [
        "api:assignment-list",
        "api:assignment-retrieve",
        "api:recipient-list",
        "api:recipient-retrieve",
        "api:useragreement-list",
        "api:useragreement-retrieve",
    ]
    assert [route for route in logged if route not in WHAT_LABELS] == []


def test_the_list_and_the_export_name_an_api_read_in_words(role_users, world):
    read = _read(who="api-user", school=world.school, ids=[7], when=_at("2026-11-03"), what="api:recipient-list")
    client = _client(role_users[Role.DATA_PROTECTION_OFFICER])
    page = client.get(reverse("privacy:pupildataaccess-list")).content.decode()
    assert "<td>API: pupils and recipients (list)<br>" in page
    response = client.get(reverse("privacy:pupildataaccess-export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1] == (
        "2026-11-03T10:00:00+01:00;api-user;page;api:recipient-list;API: pupils and recipients (list);"
        f"/devices/recipients/;1;7;1001;INSIDE school;INSIDE authority;{read.request_id}"
    )
