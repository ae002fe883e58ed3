"""The speed test services: links (create, signed URL, revoke, expired, forged), the start (rate
limits per link and per network, one running test per link, stale tests, no full IP) and the
finish (the server's signed figures, exactly one Measurement, refusals that write nothing)."""

import datetime

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.connectivity import ndt7
from digileap.connectivity.models import Connection, DailyAggregate, Measurement, Source, SpeedTest
from digileap.connectivity.services import speedtests as services
from digileap.core.models import AuditEvent
from digileap.schools.tests.factories import SiteFactory

NOW = datetime.datetime(2024, 3, 4, 10, 0, tzinfo=datetime.UTC)
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36"


@pytest.fixture
def coordinator(role_users):
    return role_users[Role.SCHOOL_COORDINATOR]


@pytest.fixture
def link(world, coordinator):
    return services.link_create(actor=coordinator, school=world.school, label="Staff room", days=30)


def summaries(test, down=(125_000_000, 10_000_000), up=(25_000_000, 9_500_000)):
    return {
        "download": ndt7.make_summary(test_id=test.pk, direction="download", num_bytes=down[0], elapsed_us=down[1]),
        "upload": ndt7.make_summary(test_id=test.pk, direction="upload", num_bytes=up[0], elapsed_us=up[1]),
    }


# Links.


def test_a_link_is_made_signed_and_audited(world, coordinator, link):
    assert link.school == world.school and link.label == "Staff room" and link.created_by == coordinator
    assert datetime.timedelta(days=29, hours=23) < link.expires_at - timezone.now() <= datetime.timedelta(days=30)
    url = services.link_url(link)
    assert url.startswith("/connectivity/t/") and link.key in url
    token = url.removeprefix("/connectivity/t/").rstrip("/")
    assert services.link_for_token(token) == link
    assert AuditEvent.objects.filter(object_id=str(link.pk), action="create").count() == 1


def test_link_days_default_to_the_setting(world, coordinator, settings):
    settings.DIGILEAP_SPEEDTEST_LINK_DAYS = 7
    link = services.link_create(actor=coordinator, school=world.school)
    assert datetime.timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= datetime.timedelta(days=7)


def test_bad_link_input_names_the_field_and_writes_nothing(world, coordinator):
    other_site = SiteFactory(school=world.other_school)
    with pytest.raises(ValidationError) as error:
        services.link_create(actor=coordinator, school=world.school, site=other_site, days=0)
    assert set(error.value.message_dict) == {"site", "days"}
    assert error.value.message_dict["days"] == ["Enter a number of days from 1 to 366."]
    assert services.TestLink.objects.count() == 0


def test_a_link_outside_the_scope_is_refused(world, coordinator):
    with pytest.raises(PermissionDenied):
        services.link_create(actor=coordinator, school=world.other_school)
    assert services.TestLink.objects.count() == 0


def test_forged_revoked_and_expired_links(world, coordinator, link):
    token = services.link_token(link)
    with pytest.raises(services.LinkError) as forged:
        services.link_for_token(token[:-2] + ("xx" if not token.endswith("xx") else "yy"))
    assert forged.value.status == 404
    with pytest.raises(services.LinkError) as unknown:
        services.link_for_token(signing.Signer(salt=services.LINK_SALT).sign("no-such-key"))
    assert unknown.value.status == 404
    with pytest.raises(services.LinkError) as expired:
        services.link_for_token(token, now=link.expires_at)
    assert expired.value.status == 410 and "expired" in expired.value.message
    services.link_revoke(actor=coordinator, link=link)
    link.refresh_from_db()
    assert link.revoked_at is not None
    with pytest.raises(services.LinkError) as revoked:
        services.link_for_token(token)
    assert revoked.value.status == 410 and "withdrawn" in revoked.value.message


def test_the_auditor_cannot_revoke(role_users, link):
    with pytest.raises(PermissionDenied):
        services.link_revoke(actor=role_users[Role.AUDITOR], link=link)
    link.refresh_from_db()
    assert link.revoked_at is None


# What is stored of the client.


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.77", "192.0.2.0/24"),
        ("2001:db8:1234:5678::9", "2001:db8:1234::/48"),
        ("::ffff:198.51.100.23", "198.51.100.0/24"),
        ("not an address", ""),
        ("", ""),
    ],
)
def test_network_prefix_drops_the_host_part(address, network):
    assert services.network_prefix(address) == network


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (CHROME, "Chrome 131"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128"),
        (CHROME + " Edg/131.0.2903.70", "Edge 131"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari 17",
        ),
        ("curl/8.5.0", "Other"),
        ("", ""),
    ],
)
def test_browser_family_keeps_family_and_major_version(agent, family):
    assert services.browser_family(agent) == family


# The start.


def start_by_link(link, address="192.0.2.77", now=NOW, connection=Connection.WIFI):
    return services.speedtest_start(
        school=link.school, link=link, address=address, user_agent=CHROME, connection=connection, now=now
    )


def test_a_start_by_link_stores_no_full_address_and_hands_out_a_ticket(link, settings):
    settings.DIGILEAP_SPEEDTEST_MAX_BYTES = 123_456
    started = start_by_link(link)
    test = SpeedTest.objects.get()
    assert started.test == test and started.verified is True and started.server == ""
    assert (test.state, test.network, test.browser, test.connection) == (
        "running",
        "192.0.2.0/24",
        "Chrome 131",
        "wifi",
    )
    assert test.link == link and test.user is None and test.school == link.school
    assert "192.0.2.77" not in repr(SpeedTest.objects.values().get())
    ticket = ndt7.read_ticket(started.ticket)
    assert (ticket["t"], ticket["b"]) == (test.pk, 123_456)


def test_one_running_test_per_link(link):
    start_by_link(link)
    with pytest.raises(services.StartRefused) as refused:
        start_by_link(link, now=NOW + datetime.timedelta(seconds=30))
    assert refused.value.status == 409
    assert SpeedTest.objects.count() == 1


def test_a_running_test_older_than_two_minutes_is_marked_failed_first(link):
    first = start_by_link(link).test
    second = start_by_link(link, now=NOW + datetime.timedelta(minutes=2, seconds=1)).test
    first.refresh_from_db()
    assert (first.state, first.error) == ("failed", "not finished in time")
    assert second.state == "running"


def test_the_database_allows_one_running_test_per_link(link):
    from django.db import IntegrityError, transaction

    start_by_link(link)
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeedTest.objects.create(school=link.school, link=link, started_at=NOW)


def test_tests_per_link_and_hour_are_limited(link, settings):
    settings.DIGILEAP_SPEEDTEST_TESTS_PER_LINK_HOUR = 2
    for minute in (0, 10):
        test = start_by_link(link, address=f"192.0.{minute}.1", now=NOW + datetime.timedelta(minutes=minute)).test
        SpeedTest.objects.filter(pk=test.pk).update(state="failed")
    with pytest.raises(services.StartRefused) as refused:
        start_by_link(link, address="198.51.100.1", now=NOW + datetime.timedelta(minutes=59))
    assert refused.value.status == 429
    assert SpeedTest.objects.count() == 2
    # An hour after the first, one more may start.
    start_by_link(link, now=NOW + datetime.timedelta(minutes=60, seconds=1))
    assert SpeedTest.objects.count() == 3


def test_tests_per_network_and_hour_are_limited(world, role_users, settings):
    settings.DIGILEAP_SPEEDTEST_TESTS_PER_NETWORK_HOUR = 2
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    for second in (0, 1):
        services.speedtest_start(
            school=world.school, actor=coordinator, address=f"203.0.113.{second + 5}", now=NOW, connection="wired"
        )
    with pytest.raises(services.StartRefused) as refused:
        services.speedtest_start(school=world.school, actor=coordinator, address="203.0.113.200", now=NOW)
    assert refused.value.status == 429
    # Another /24 is another network.
    services.speedtest_start(school=world.school, actor=coordinator, address="203.0.114.1", now=NOW)
    assert SpeedTest.objects.filter(network="203.0.113.0/24").count() == 2


def test_a_signed_in_start_needs_the_right_and_the_scope(world, role_users):
    with pytest.raises(PermissionDenied):
        services.speedtest_start(school=world.other_school, actor=role_users[Role.SCHOOL_COORDINATOR])
    with pytest.raises(PermissionDenied):
        services.speedtest_start(school=world.school, actor=role_users[Role.AUDITOR])
    started = services.speedtest_start(school=world.school, actor=role_users[Role.OPERATOR_STAFF], now=NOW)
    assert started.test.user == role_users[Role.OPERATOR_STAFF] and started.test.link is None
    assert SpeedTest.objects.count() == 1


def test_an_external_server_gets_no_ticket(link, settings):
    settings.DIGILEAP_SPEEDTEST_SERVER = "ndt.example.org"
    started = start_by_link(link)
    assert (started.ticket, started.server, started.verified) == ("", "ndt.example.org", False)
    assert started.test.server == "ndt.example.org"


# The finish.


def test_the_finish_records_the_servers_figures_and_one_measurement(link):
    test = start_by_link(link).test
    data = {**summaries(test), "latency_ms": 12.345, "jitter_ms": 1.5, "download_mbps": 9999}
    finished = services.speedtest_finish(test=test, data=data, now=NOW + datetime.timedelta(seconds=25))
    finished.refresh_from_db()
    assert finished.state == "done" and finished.verified is True
    assert finished.download_mbps == 100.0  # 125,000,000 bytes in 10 s
    assert finished.upload_mbps == 21.053  # 25,000,000 bytes in 9.5 s
    assert (finished.bytes_down, finished.bytes_up) == (125_000_000, 25_000_000)
    assert (finished.latency_ms, finished.jitter_ms) == (12.35, 1.5)
    measurement = Measurement.objects.get()
    assert (measurement.school, measurement.site, measurement.measured_at) == (link.school, None, NOW)
    assert (measurement.download_mbps, measurement.upload_mbps, measurement.latency_ms) == (100.0, 21.053, 12.35)
    assert (measurement.source, measurement.connection) == (Source.BROWSER, "wifi")
    summary = DailyAggregate.objects.get()  # the school's day is summarised at once
    assert (summary.school, summary.day, summary.tests) == (link.school, timezone.localdate(NOW), 1)
    assert (summary.download_median, summary.upload_median, summary.latency_median) == (100.0, 21.053, 12.35)
    with pytest.raises(ValidationError) as again:
        services.speedtest_finish(test=test, data=data)
    assert list(again.value.message_dict) == ["test"]
    assert Measurement.objects.count() == 1


def test_a_forged_summary_fails_the_test_and_writes_no_measurement(link):
    test = start_by_link(link).test
    other = ndt7.make_summary(test_id=test.pk + 1, direction="download", num_bytes=10**9, elapsed_us=10**6)
    with pytest.raises(ValidationError) as error:
        services.speedtest_finish(test=test, data={"download": other, "latency_ms": 10})
    assert list(error.value.message_dict) == ["download"]
    test.refresh_from_db()
    assert test.state == "failed" and test.download_mbps is None and test.error.startswith("download:")
    assert Measurement.objects.count() == 0


def test_bad_figures_are_named(link):
    test = start_by_link(link).test
    with pytest.raises(ValidationError) as error:
        services.speedtest_finish(test=test, data={**summaries(test), "latency_ms": "fast", "jitter_ms": -1})
    assert error.value.message_dict == {
        "latency_ms": ["Enter a number."],
        "jitter_ms": ["Enter a number from 0 to 60000."],
    }
    assert Measurement.objects.count() == 0


def test_an_absurd_speed_is_refused(link):
    test = start_by_link(link).test
    absurd = summaries(test, down=(10**12, 1_000_000))  # 8,000,000 Mbit/s
    with pytest.raises(ValidationError) as error:
        services.speedtest_finish(test=test, data=absurd)
    assert list(error.value.message_dict) == ["download"]
    assert Measurement.objects.count() == 0


def test_a_test_that_failed_in_the_browser_is_kept_as_failed(link):
    test = start_by_link(link).test
    with pytest.raises(ValidationError):
        services.speedtest_finish(test=test, data={"error": "websocket closed"})
    test.refresh_from_db()
    assert test.state == "failed" and "websocket closed" in test.error
    # The link may start the next test at once.
    start_by_link(link, now=NOW + datetime.timedelta(seconds=40))


def test_with_an_external_server_the_browsers_figures_are_recorded_unverified(link, settings):
    settings.DIGILEAP_SPEEDTEST_SERVER = "ndt.example.org"
    test = start_by_link(link).test
    finished = services.speedtest_finish(
        test=test, data={"download_mbps": 88.8, "upload_mbps": 22.2, "latency_ms": 30, "jitter_ms": 2}
    )
    assert (finished.verified, finished.server, finished.download_mbps, finished.upload_mbps) == (
        False,
        "ndt.example.org",
        88.8,
        22.2,
    )
    assert Measurement.objects.get().download_mbps == 88.8
