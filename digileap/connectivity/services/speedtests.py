"""The browser speed test: signed test links for staff without an account, the start of a test
(rate limits, one running test per link, a ticket for the ndt7 endpoint) and its finish (the
server's own figures, a ``Measurement`` row with source ``browser``). See docs/connectivity-speedtest.md.

No full IP address is stored: only the network with the host part removed (IPv4 /24, IPv6 /48),
and the browser as family and major version.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize

from .. import ndt7
from ..models import MAX_MBPS, Connection, Measurement, Source, SpeedTest, TestLink

LINK_SALT = "digileap.connectivity.testlink"
STALE_AFTER = datetime.timedelta(minutes=2)
MAX_LINK_DAYS = 366
MAX_LATENCY_MS = 60_000


class LinkError(Exception):
    """A test link that cannot be used: ``status`` 404 (forged or unknown) or 410 (expired or revoked)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class StartRefused(Exception):
    """A test that may not start now: ``status`` 429 (rate limit) or 409 (one is running)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Started:
    """A started test and what the page needs to run it."""

    test: SpeedTest
    ticket: str  # empty with an external server
    server: str  # host:port of the ndt7 server; empty: the page's own host
    verified: bool


# Links.


@transaction.atomic
def link_create(*, actor, school, site=None, label: str = "", days: int | None = None) -> TestLink:
    """A new test link for ``school`` (and ``site``), valid ``days`` (default
    ``DIGILEAP_SPEEDTEST_LINK_DAYS``)."""
    link = TestLink(school=school, site=site, label=(label or "").strip())
    authorize(actor, Action.ADD, link)
    days = settings.DIGILEAP_SPEEDTEST_LINK_DAYS if days in (None, "") else days
    errors = {}
    if site is not None and site.school_id != school.pk:
        errors["site"] = _("The site belongs to another school.")
    if not isinstance(days, int) or not 1 <= days <= MAX_LINK_DAYS:
        errors["days"] = _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_LINK_DAYS}
    if len(link.label) > 120:
        errors["label"] = _("At most 120 characters.")
    if errors:
        raise ValidationError(errors)
    link.key = secrets.token_urlsafe(32)
    link.expires_at = timezone.now() + datetime.timedelta(days=days)
    link.created_by = actor if getattr(actor, "pk", None) else None
    link.save()
    audit.record(actor=actor, action="create", instance=link, after=audit.snapshot(link, ["school", "site", "label"]))
    return link


def link_token(link: TestLink) -> str:
    return signing.Signer(salt=LINK_SALT).sign(link.key)


def link_url(link: TestLink) -> str:
    """The link's path (relative; the page makes it absolute): its key signed with the installation's secret."""
    return reverse("connectivity:testlink-run", kwargs={"token": link_token(link)})


@transaction.atomic
def link_revoke(*, actor, link: TestLink) -> TestLink:
    authorize(actor, Action.CHANGE, link)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="update", instance=link, after={"revoked_at": link.revoked_at})
    return link


def link_for_token(token: str, *, now: datetime.datetime | None = None) -> TestLink:
    """The link a token names, if it may be used now; raises ``LinkError`` (404 forged, 410 ended)."""
    try:
        key = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature:
        raise LinkError(404, _("This speed test link is not valid. Check that it was copied in full.")) from None
    link = TestLink.objects.select_related("school", "site").filter(key=key).first()
    if link is None:
        raise LinkError(404, _("This speed test link is not valid. Check that it was copied in full."))
    now = now or timezone.now()
    if link.revoked_at is not None:
        raise LinkError(410, _("This speed test link was withdrawn. Ask the school for a new one."))
    if link.expires_at <= now:
        raise LinkError(410, _("This speed test link has expired. Ask the school for a new one."))
    return link


# What is stored of the client.


def network_prefix(address: str) -> str:
    """The network of a client address with the host part removed: IPv4 /24, IPv6 /48."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


_BROWSERS = [
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"(?:OPR|Opera)/(\d+)")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/(\d+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS)/(\d+)")),
    ("Safari", re.compile(r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/")),
]


def browser_family(user_agent: str) -> str:
    """Family and major version of a browser's user agent (``Firefox 128``), nothing else of it."""
    for name, pattern in _BROWSERS:
        match = pattern.search(user_agent or "")
        if match:
            return f"{name} {match.group(1)}"
    return _("Other") if user_agent else ""


# Starting and finishing.


def _mark_stale(queryset, now) -> int:
    return queryset.filter(state=SpeedTest.State.RUNNING, started_at__lt=now - STALE_AFTER).update(
        state=SpeedTest.State.FAILED, finished_at=now, error="not finished in time"
    )


def external_server() -> str:
    return settings.DIGILEAP_SPEEDTEST_SERVER.strip()


@transaction.atomic
def speedtest_start(
    *,
    school,
    site=None,
    link: TestLink | None = None,
    actor=None,
    address: str = "",
    user_agent: str = "",
    connection: str = Connection.UNKNOWN,
    now: datetime.datetime | None = None,
) -> Started:
    """Start a test for ``school`` (and ``site``): by a signed-in ``actor`` (who must be allowed to add
    speed tests there) or through a ``link`` (already checked with ``link_for_token``).

    Refuses (``StartRefused``) past ``DIGILEAP_SPEEDTEST_TESTS_PER_LINK_HOUR`` tests of the link or
    ``..._PER_NETWORK_HOUR`` tests from the network in the last hour, or while the link has a test
    running (a test running for more than 2 minutes is marked failed first)."""
    now = now or timezone.now()
    if link is not None:
        school, site = link.school, link.site
    test = SpeedTest(school=school, site=site, link=link, started_at=now)
    if link is None:
        authorize(actor, Action.ADD, test)
        test.user = actor if getattr(actor, "pk", None) else None
    if site is not None and site.school_id != school.pk:
        raise ValidationError({"site": _("The site belongs to another school.")})
    if connection not in Connection.values:
        raise ValidationError({"connection": _("Choose wired or Wi-Fi.")})
    test.connection = connection
    test.network = network_prefix(address)
    test.browser = browser_family(user_agent)[:80]
    server = external_server()
    test.server = server
    hour_ago = now - datetime.timedelta(hours=1)
    if link is not None:
        TestLink.objects.select_for_update().filter(pk=link.pk).first()  # one start of a link at a time
        _mark_stale(SpeedTest.objects.filter(link=link), now)
        if SpeedTest.objects.filter(link=link, started_at__gte=hour_ago).count() >= (
            settings.DIGILEAP_SPEEDTEST_TESTS_PER_LINK_HOUR
        ):
            raise StartRefused(429, _("This link was used for as many tests as allowed in an hour. Try again later."))
        if SpeedTest.objects.filter(link=link, state=SpeedTest.State.RUNNING).exists():
            raise StartRefused(409, _("A test with this link is running. Wait until it has finished."))
    elif test.user is not None:
        _mark_stale(SpeedTest.objects.filter(user=test.user), now)
    if test.network and SpeedTest.objects.filter(network=test.network, started_at__gte=hour_ago).count() >= (
        settings.DIGILEAP_SPEEDTEST_TESTS_PER_NETWORK_HOUR
    ):
        raise StartRefused(429, _("As many tests as allowed in an hour came from this network. Try again later."))
    try:
        with transaction.atomic():
            test.save()
    except IntegrityError:
        raise StartRefused(409, _("A test with this link is running. Wait until it has finished.")) from None
    ticket = "" if server else ndt7.make_ticket(test_id=test.pk, max_bytes=settings.DIGILEAP_SPEEDTEST_MAX_BYTES)
    return Started(test=test, ticket=ticket, server=server, verified=not server)


def _mbps(num_bytes: int, elapsed_us: int) -> float:
    return num_bytes * 8 / elapsed_us


def _figure(data: dict, key: str, maximum: float, errors: dict, required: bool = False) -> float | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors[key] = _("This figure is missing.")
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[key] = _("Enter a number.")
        return None
    if not math.isfinite(number) or number < 0 or number > maximum:
        errors[key] = _("Enter a number from 0 to %(max)s.") % {"max": maximum}
        return None
    return number


def speedtest_finish(*, test: SpeedTest, data: dict, now: datetime.datetime | None = None) -> SpeedTest:
    """Record a running test's result and write its ``Measurement`` (source ``browser``).

    ``data``: ``download`` and ``upload``, the signed summaries of the installation's ndt7 endpoint
    (or, with an external server, ``download_mbps`` and ``upload_mbps`` as the browser measured
    them), ``latency_ms`` and ``jitter_ms`` (the page's round trips), ``error`` if the test failed in
    the browser. A bad summary or figure raises ``ValidationError`` naming the field; the test is
    then marked failed and nothing else is written."""
    now = now or timezone.now()
    try:
        return _finish(test=test, data=data, now=now)
    except ValidationError as error:
        if "test" not in getattr(error, "error_dict", {}):
            reason = "; ".join(f"{key}: {' '.join(messages)}" for key, messages in error.message_dict.items())
            SpeedTest.objects.filter(pk=test.pk, state=SpeedTest.State.RUNNING).update(
                state=SpeedTest.State.FAILED, finished_at=now, error=reason[:200]
            )
        raise


@transaction.atomic
def _finish(*, test: SpeedTest, data: dict, now: datetime.datetime) -> SpeedTest:
    test = SpeedTest.objects.select_for_update().get(pk=test.pk)
    if test.state != SpeedTest.State.RUNNING:
        raise ValidationError({"test": _("This test has finished already.")})
    errors: dict[str, str] = {}
    latency = _figure(data, "latency_ms", MAX_LATENCY_MS, errors)
    jitter = _figure(data, "jitter_ms", MAX_LATENCY_MS, errors)
    download = upload = None
    if data.get("error"):
        errors["error"] = str(data["error"])[:200]
    elif test.server:
        download = _figure(data, "download_mbps", MAX_MBPS, errors, required=True)
        upload = _figure(data, "upload_mbps", MAX_MBPS, errors)
    else:
        for direction in ("download", "upload"):
            summary = data.get(direction)
            if not summary and direction == "upload":
                continue  # the download alone makes a result
            try:
                figures = ndt7.read_summary(str(summary or ""), test_id=test.pk, direction=direction)
            except signing.BadSignature:
                errors[direction] = (
                    _("The server's summary of the download is missing or not valid.")
                    if direction == "download"
                    else _("The server's summary of the upload is not valid.")
                )
                continue
            speed = _mbps(figures["bytes"], figures["elapsed_us"])
            if speed > MAX_MBPS:
                errors[direction] = _("Enter a number from 0 to %(max)s.") % {"max": MAX_MBPS}
            elif direction == "download":
                test.bytes_down, download = figures["bytes"], speed
            else:
                test.bytes_up, upload = figures["bytes"], speed
    if errors:
        raise ValidationError(errors)
    assert download is not None  # else an error above
    test.state = SpeedTest.State.DONE
    test.finished_at = now
    test.verified = not test.server
    test.download_mbps = round(download, 3)
    test.upload_mbps = None if upload is None else round(upload, 3)
    test.latency_ms = None if latency is None else round(latency, 2)
    test.jitter_ms = None if jitter is None else round(jitter, 2)
    test.save()
    Measurement.objects.create(
        school_id=test.school_id,
        site_id=test.site_id,
        measured_at=test.started_at,
        download_mbps=test.download_mbps,
        upload_mbps=test.upload_mbps,
        latency_ms=test.latency_ms,
        connection=test.connection,
        source=Source.BROWSER,
    )
    # The school's day is summarised at once, so its page and the analysis see the test.
    from .aggregation import aggregate_days

    day = timezone.localdate(test.started_at)
    aggregate_days(start=day, end=day, schools=[test.school_id])
    return test
