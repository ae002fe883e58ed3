"""Speed measurements: signed test links, browser test runs, raw measurement rows and their daily
aggregates per school and site.

Raw rows (``Measurement``) are kept for ``DIGILEAP_MEASUREMENT_RETENTION_DAYS``; the analysis reads
only ``DailyAggregate`` (count, median and 95th percentile per school, site and day), so that a
national programme's 58 million rows a year never have to be read twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .campaigns import MAX_MBPS, SCHOOL_SCOPE


class Connection(models.TextChoices):
    """How the testing device was connected, as the person says."""

    WIRED = "wired", _("Wired")
    WIFI = "wifi", _("Wi-Fi")
    UNKNOWN = "unknown", _("Not known")


class Source(models.TextChoices):
    """Where a measurement row comes from: the browser test, or an import profile."""

    BROWSER = "browser", _("Browser test")
    GENERIC = "generic", _("Import (generic)")
    GIGA = "giga", _("Import (Giga Meter / Daily Check App)")


class TestLink(models.Model):
    """A signed link with which staff without an account run the speed test for one school (and
    site). The URL carries ``key`` signed with the installation's secret; the link ends at
    ``expires_at`` or when revoked."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        "schools.Site", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    label = models.CharField(
        _("label"), max_length=120, blank=True, help_text=_("Who or where it is for, e.g. staff room, ICT lab.")
    )
    key = models.CharField(_("key"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("speed test link")
        verbose_name_plural = _("speed test links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or str(self.pk)


class SpeedTest(models.Model):
    """One run of the browser speed test. It is ``running`` from its start until its result is
    posted (or it is found stale); at most one runs per link at a time (a constraint)."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        "schools.Site", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    link = models.ForeignKey(TestLink, on_delete=models.CASCADE, null=True, blank=True, related_name="tests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    network = models.CharField(
        _("network"),
        max_length=50,
        blank=True,
        help_text=_("The network the test came from with the host part removed (IPv4 /24, IPv6 /48)."),
    )
    browser = models.CharField(_("browser"), max_length=80, blank=True)
    connection = models.CharField(
        _("connection"), max_length=16, choices=Connection.choices, default=Connection.UNKNOWN
    )
    server = models.CharField(
        _("test server"), max_length=200, blank=True, help_text=_("Empty: this installation's own ndt7 endpoint.")
    )
    verified = models.BooleanField(
        _("counted by the server"),
        default=False,
        help_text=_("The speeds were counted by this installation's server, not reported by the browser."),
    )
    download_mbps = models.FloatField(_("download (Mbit/s)"), null=True, blank=True)
    upload_mbps = models.FloatField(_("upload (Mbit/s)"), null=True, blank=True)
    latency_ms = models.FloatField(_("latency (ms)"), null=True, blank=True)
    jitter_ms = models.FloatField(_("jitter (ms)"), null=True, blank=True)
    bytes_down = models.BigIntegerField(_("bytes received"), null=True, blank=True)
    bytes_up = models.BigIntegerField(_("bytes sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("speed test")
        verbose_name_plural = _("speed tests")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["link"], condition=Q(state="running", link__isnull=False), name="speedtest_one_running_per_link"
            ),
            models.CheckConstraint(
                name="speedtest_done_has_figures",
                condition=~Q(state="done") | Q(download_mbps__isnull=False, finished_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["link", "started_at"], name="speedtest_link_started_idx"),
            models.Index(fields=["network", "started_at"], name="speedtest_network_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.started_at.isoformat()}"


class Measurement(models.Model):
    """A raw measurement row: a time, a school (and site), download, upload and latency. A row is
    identified by school, time and source, so a re-import of the same file adds nothing."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        "schools.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    measured_at = models.DateTimeField(_("measured"))
    download_mbps = models.FloatField(_("download (Mbit/s)"))
    upload_mbps = models.FloatField(_("upload (Mbit/s)"), null=True, blank=True)
    latency_ms = models.FloatField(_("latency (ms)"), null=True, blank=True)
    connection = models.CharField(
        _("connection"), max_length=16, choices=Connection.choices, default=Connection.UNKNOWN
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(fields=["school", "measured_at", "source"], name="measurement_unique_row"),
            models.CheckConstraint(
                name="measurement_speeds_in_range",
                condition=Q(download_mbps__gte=0, download_mbps__lte=MAX_MBPS)
                & (Q(upload_mbps__isnull=True) | Q(upload_mbps__gte=0, upload_mbps__lte=MAX_MBPS))
                & (Q(latency_ms__isnull=True) | Q(latency_ms__gte=0)),
            ),
        ]
        indexes = [models.Index(fields=["measured_at"], name="measurement_time_idx")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.measured_at.isoformat()} {self.download_mbps}"


class DailyAggregate(models.Model):
    """A school's (and site's) measurements of one day: how many, median and 95th percentile."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        "schools.Site", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    day = models.DateField(_("day"))
    tests = models.PositiveIntegerField(_("tests"))
    download_median = models.FloatField(_("download, median (Mbit/s)"))
    download_p95 = models.FloatField(_("download, 95th percentile (Mbit/s)"))
    upload_median = models.FloatField(_("upload, median (Mbit/s)"), null=True, blank=True)
    upload_p95 = models.FloatField(_("upload, 95th percentile (Mbit/s)"), null=True, blank=True)
    latency_median = models.FloatField(_("latency, median (ms)"), null=True, blank=True)
    latency_p95 = models.FloatField(_("latency, 95th percentile (ms)"), null=True, blank=True)

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("daily measurement summary")
        verbose_name_plural = _("daily measurement summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "site", "day"], condition=Q(site__isnull=False), name="aggregate_one_per_site_day"
            ),
            models.UniqueConstraint(
                fields=["school", "day"], condition=Q(site__isnull=True), name="aggregate_one_per_school_day"
            ),
            models.CheckConstraint(name="aggregate_has_tests", condition=Q(tests__gte=1)),
        ]
        indexes = [models.Index(fields=["day", "school"], name="aggregate_day_school_idx")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.day.isoformat()}"
