"""The speed test pages per role, the start and finish routes (signed in and by link), the test
links page, the public page behind a link (forged, expired, withdrawn) and the ping."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.connectivity import ndt7
from digileap.connectivity.models import Measurement, SpeedTest
from digileap.connectivity.services import speedtests as services
from digileap.schools.tests.factories import SiteFactory

from .factories import SpeedTestFactory

PAGE_STATUS = {
    Role.ADMINISTRATOR: 200,
    Role.PROGRAMME_OWNER: 200,
    Role.FUNDING_ADMINISTRATOR: 403,
    Role.OPERATOR_STAFF: 200,
    Role.SCHOOL_COORDINATOR: 200,
    Role.SUPPLIER: 404,
    Role.TEACHER: 404,
    Role.DATA_PROTECTION_OFFICER: 404,
    Role.AUDITOR: 403,
}
LINKS_STATUS = {**PAGE_STATUS, Role.FUNDING_ADMINISTRATOR: 200, Role.AUDITOR: 200}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coordinator(role_users):
    return role_users[Role.SCHOOL_COORDINATOR]


def page_url(school):
    return reverse("connectivity:school-speedtest", kwargs={"pk": school.pk})


def start(client, school, **data):
    return client.post(reverse("connectivity:school-speedtest-start", kwargs={"pk": school.pk}), data)


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def summaries(test_id, down=(125_000_000, 10_000_000), up=(25_000_000, 10_000_000)):
    return {
        "download": ndt7.make_summary(test_id=test_id, direction="download", num_bytes=down[0], elapsed_us=down[1]),
        "upload": ndt7.make_summary(test_id=test_id, direction="upload", num_bytes=up[0], elapsed_us=up[1]),
    }


# The school's page.


@pytest.mark.parametrize("role", list(Role))
def test_the_test_page_per_role(role, role_users, world):
    SpeedTestFactory(school=world.school, browser="Firefox 128")
    response = signed_in(role_users[role]).get(page_url(world.school))
    assert response.status_code == PAGE_STATUS[role]
    if response.status_code == 200:
        text = response.content.decode()
        assert "Speed test of INSIDE school" in text
        assert "Firefox 128" in text  # the recent tests
        assert ("Test links for staff" in text) == (role != Role.AUDITOR)
        assert 'data-start-url="/connectivity/schools/' in text
        assert "/static/connectivity/vendor/ndt7/ndt7-download-worker.js" in text


def test_the_page_of_a_school_outside_the_scope_is_not_found(coordinator, world):
    assert signed_in(coordinator).get(page_url(world.other_school)).status_code == 404


def test_recent_tests_are_the_schools_own(coordinator, world):
    SpeedTestFactory(school=world.school, browser="INSIDE browser")
    SpeedTestFactory(school=world.other_school, browser="OUTSIDE browser")
    text = signed_in(coordinator).get(page_url(world.school)).content.decode()
    assert "INSIDE browser" in text and "OUTSIDE" not in text


def test_the_site_page(coordinator, world):
    site = SiteFactory(school=world.school, name="Annex")
    response = signed_in(coordinator).get(reverse("connectivity:site-speedtest", kwargs={"pk": site.pk}))
    assert response.status_code == 200
    assert f'<option value="{site.pk}" selected>Annex</option>' in response.content.decode()
    other = SiteFactory(school=world.other_school)
    outside = reverse("connectivity:site-speedtest", kwargs={"pk": other.pk})
    assert signed_in(coordinator).get(outside).status_code == 404


def test_the_page_lets_a_separate_ndt7_server_through_the_csp(coordinator, world, settings):
    settings.DIGILEAP_SPEEDTEST_OWN_SERVER = "127.0.0.1:8913"
    response = signed_in(coordinator).get(page_url(world.school))
    directives = [directive.strip() for directive in response["Content-Security-Policy"].split(";")]
    assert [d for d in directives if d.startswith("connect-src")] == ["connect-src 'self' ws://127.0.0.1:8913"]
    assert "worker-src 'self'" in response["Content-Security-Policy"]


# Start and finish, signed in.


def test_start_and_finish_as_the_coordinator(coordinator, world):
    client = signed_in(coordinator)
    site = SiteFactory(school=world.school)
    response = start(client, world.school, connection="wired", site=site.pk)
    assert response.status_code == 200
    data = response.json()
    test = SpeedTest.objects.get()
    assert (test.user, test.site, test.connection, test.state, test.network) == (
        coordinator,
        site,
        "wired",
        "running",
        "127.0.0.0/24",
    )
    assert data["test"] == test.pk and data["server"] == "testserver" and data["protocol"] == "ws"
    assert data["verified"] is True and ndt7.read_ticket(data["ticket"])["t"] == test.pk
    assert data["finish_url"] == reverse("connectivity:speedtest-finish", kwargs={"pk": test.pk})
    finish = post_json(client, data["finish_url"], {**summaries(test.pk), "latency_ms": 8.25, "jitter_ms": 0.75})
    assert finish.status_code == 200
    result = finish.json()
    assert "100.0 Mbit/s" in result["result_html"] and "20.0 Mbit/s" in result["result_html"]
    assert "counted by this installation's server" in result["result_html"]
    assert "data-speedtest-recent" in result["recent_html"] and "100.0" in result["recent_html"]
    assert Measurement.objects.get().download_mbps == 100.0
    # Finished: a second post is refused and writes nothing.
    assert post_json(client, data["finish_url"], summaries(test.pk)).status_code == 404
    assert Measurement.objects.count() == 1


def test_start_without_the_connection_names_the_field(coordinator, world):
    response = start(signed_in(coordinator), world.school)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["connection"]
    assert SpeedTest.objects.count() == 0


def test_start_is_refused_to_the_auditor_and_outside_the_scope(role_users, coordinator, world):
    assert start(signed_in(role_users[Role.AUDITOR]), world.school, connection="wired").status_code == 403
    assert start(signed_in(coordinator), world.other_school, connection="wired").status_code == 404
    assert SpeedTest.objects.count() == 0


def test_another_users_test_cannot_be_finished(role_users, coordinator, world):
    start(signed_in(coordinator), world.school, connection="wifi")
    test = SpeedTest.objects.get()
    url = reverse("connectivity:speedtest-finish", kwargs={"pk": test.pk})
    assert post_json(signed_in(role_users[Role.OPERATOR_STAFF]), url, summaries(test.pk)).status_code == 404
    test.refresh_from_db()
    assert test.state == "running"


def test_a_forged_result_is_refused_with_the_field_named(coordinator, world):
    client = signed_in(coordinator)
    data = start(client, world.school, connection="wifi").json()
    response = post_json(client, data["finish_url"], {"download": "forged", "latency_ms": 5})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["download"]
    assert Measurement.objects.count() == 0
    assert SpeedTest.objects.get().state == "failed"


def test_an_external_server_is_named_in_the_start(coordinator, world, settings):
    settings.DIGILEAP_SPEEDTEST_SERVER = "ndt.example.org:4443"
    data = start(signed_in(coordinator), world.school, connection="wired").json()
    assert (data["server"], data["protocol"], data["ticket"], data["verified"]) == (
        "ndt.example.org:4443",
        "wss",
        "",
        False,
    )


# Test links.


@pytest.mark.parametrize("role", list(Role))
def test_the_links_page_per_role(role, role_users, world):
    services.link_create(actor=role_users[Role.SCHOOL_COORDINATOR], school=world.school, label="Staff room")
    response = signed_in(role_users[role]).get(
        reverse("connectivity:testlink-list", kwargs={"school_pk": world.school.pk})
    )
    assert response.status_code == LINKS_STATUS[role]
    if response.status_code == 200:
        text = response.content.decode()
        assert "Staff room" in text and "http://testserver/connectivity/t/" in text
        may_change = role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR)
        assert ("Make the link" in text) == may_change
        assert ("Withdraw" in text) == may_change


def test_make_copy_and_withdraw_a_link(coordinator, world):
    client = signed_in(coordinator)
    url = reverse("connectivity:testlink-create", kwargs={"school_pk": world.school.pk})
    response = client.post(url, {"label": "ICT lab", "site": "", "days": "14"})
    link = services.TestLink.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("connectivity:testlink-list", kwargs={"school_pk": world.school.pk}) + (
        f"#link-{link.pk}"
    )
    assert (link.label, link.site, link.created_by) == ("ICT lab", None, coordinator)
    assert link.expires_at.date() == (timezone.now() + datetime.timedelta(days=14)).date()
    page = client.get(response["Location"]).content.decode()
    assert f'value="http://testserver{services.link_url(link)}"' in page
    revoke = client.post(reverse("connectivity:testlink-revoke", kwargs={"pk": link.pk}))
    assert revoke.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_a_bad_link_form_names_the_field_and_writes_nothing(coordinator, world):
    url = reverse("connectivity:testlink-create", kwargs={"school_pk": world.school.pk})
    response = signed_in(coordinator).post(url, {"label": "x", "days": "400"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"days": ["Ensure this value is less than or equal to 366."]}
    assert services.TestLink.objects.count() == 0


def test_links_are_refused_to_the_auditor_and_outside_the_scope(role_users, coordinator, world):
    url = reverse("connectivity:testlink-create", kwargs={"school_pk": world.school.pk})
    assert signed_in(role_users[Role.AUDITOR]).post(url, {"days": "5"}).status_code == 403
    outside = reverse("connectivity:testlink-create", kwargs={"school_pk": world.other_school.pk})
    assert signed_in(coordinator).post(outside, {"days": "5"}).status_code == 404
    other = services.link_create(actor=role_users[Role.ADMINISTRATOR], school=world.other_school)
    revoke = reverse("connectivity:testlink-revoke", kwargs={"pk": other.pk})
    assert signed_in(coordinator).post(revoke).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert services.TestLink.objects.count() == 1


# The public page behind a link.


@pytest.fixture
def link(world, coordinator):
    site = SiteFactory(school=world.school, name="Main building")
    return services.link_create(actor=coordinator, school=world.school, site=site, label="Staff room")


def test_the_public_page_shows_the_school_and_site_only(client, link):
    response = client.get(services.link_url(link))
    assert response.status_code == 200
    text = response.content.decode()
    assert "INSIDE school" in text and "Main building" in text
    assert "INSIDE operator" not in text and "Staff room" not in text
    assert "Start the test" in text and "no-cache" in response["Cache-Control"]


def test_a_forged_link_is_not_found(client, link):
    response = client.get(reverse("connectivity:testlink-run", kwargs={"token": link.key + ":forged"}))
    assert response.status_code == 404
    assert "not valid" in response.content.decode() and "Start the test" not in response.content.decode()


def test_an_expired_or_withdrawn_link_is_gone(client, link, coordinator):
    services.TestLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(services.link_url(link))
    assert response.status_code == 410 and "has expired" in response.content.decode()
    start_url = reverse("connectivity:testlink-start", kwargs={"token": services.link_token(link)})
    refused = client.post(start_url, {"connection": "wired"})
    assert refused.status_code == 410 and "has expired" in refused.json()["message"]
    assert SpeedTest.objects.count() == 0


def test_a_run_through_a_link(client, link):
    token = services.link_token(link)
    response = client.post(
        reverse("connectivity:testlink-start", kwargs={"token": token}),
        {"connection": "wifi"},
        HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0",
        REMOTE_ADDR="198.51.100.99",
    )
    assert response.status_code == 200
    data = response.json()
    test = SpeedTest.objects.get()
    assert (test.link, test.site, test.user, test.network, test.browser) == (
        link,
        link.site,
        None,
        "198.51.100.0/24",
        "Firefox 128",
    )
    # One running test per link.
    second = client.post(reverse("connectivity:testlink-start", kwargs={"token": token}), {"connection": "wifi"})
    assert second.status_code == 409
    finish = post_json(client, data["finish_url"], {"test": test.pk, **summaries(test.pk), "latency_ms": 20})
    assert finish.status_code == 200 and "recent_html" not in finish.json()
    measurement = Measurement.objects.get()
    assert (measurement.site, measurement.connection, measurement.download_mbps) == (link.site, "wifi", 100.0)
    # A finished test cannot be posted again.
    again = post_json(client, data["finish_url"], {"test": test.pk, **summaries(test.pk)})
    assert again.status_code == 400 and list(again.json()["errors"]) == ["test"]
    assert Measurement.objects.count() == 1


def test_a_link_cannot_finish_another_links_test(client, link, world, coordinator):
    other = services.link_create(actor=coordinator, school=world.school)
    started = services.speedtest_start(school=world.school, link=other)
    url = reverse("connectivity:testlink-finish", kwargs={"token": services.link_token(link)})
    response = post_json(client, url, {"test": started.test.pk, **summaries(started.test.pk)})
    assert response.status_code == 400
    assert SpeedTest.objects.get().state == "running" and Measurement.objects.count() == 0


def test_the_links_rate_limit_answers_429(client, link, settings):
    settings.DIGILEAP_SPEEDTEST_TESTS_PER_LINK_HOUR = 1
    url = reverse("connectivity:testlink-start", kwargs={"token": services.link_token(link)})
    assert client.post(url, {"connection": "wired"}).status_code == 200
    SpeedTest.objects.update(state="failed")
    limited = client.post(url, {"connection": "wired"})
    assert limited.status_code == 429 and "in an hour" in limited.json()["message"]


def test_the_ping_is_empty_and_not_cached(client):
    response = client.get(reverse("connectivity:speedtest-ping"))
    assert response.status_code == 204 and response.content == b""
    assert "no-cache" in response["Cache-Control"]
