"""The analysis: benchmarks and cost parameters a programme sets, and each analysis run's results
(a status per school and benchmark, a costed proposal per school). A run stores what it computed,
so the map, the report and the indicators read the same figures, and the same run gives the same
report bytes."""

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from digileap.programmes.translation import localized, validate_translations

PROGRAMME_SCOPE = {"authority": "programme__authority"}
SCHOOL_SCOPE = {"authority": "school__authority", "operator": "school__operator", "school": "school"}
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class Benchmark(models.Model):
    """A named yardstick for a school's measured download speed (the median of its daily medians).

    - ``absolute``: at least ``threshold_mbps`` per school (the EU gigabit aim: 1000);
    - ``per_pupil``: at least ``threshold_mbps`` per pupil (the FCC/SETDA goal: 1);
    - ``tiers``: good from ``threshold_mbps``, none under ``lower_mbps``, moderate between (Giga: 20 and 1);
    - ``contracted``: at least ``share_percent`` of the contracted download speed.

    A school gets a status only with at least ``min_tests`` tests on ``min_days`` days in the
    window; otherwise its status is "insufficient data"."""

    class Kind(models.TextChoices):
        ABSOLUTE = "absolute", _("Download speed per school")
        PER_PUPIL = "per_pupil", _("Download speed per pupil")
        TIERS = "tiers", _("Good, moderate or none")
        CONTRACTED = "contracted", _("Measured against contracted speed")

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="benchmarks")
    code = models.CharField(_("code"), max_length=40)
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    threshold_mbps = models.DecimalField(
        _("threshold (Mbit/s)"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    lower_mbps = models.DecimalField(
        _("lower threshold (Mbit/s)"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    share_percent = models.DecimalField(
        _("share of contracted speed (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    min_tests = models.PositiveSmallIntegerField(_("at least this many tests"), default=5)
    min_days = models.PositiveSmallIntegerField(_("on at least this many days"), default=3)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    scope_paths = PROGRAMME_SCOPE

    class Meta:
        verbose_name = _("benchmark")
        verbose_name_plural = _("benchmarks")
        ordering = ["programme", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="benchmark_code_unique_in_programme"),
            models.CheckConstraint(
                name="benchmark_has_its_figures",
                condition=Q(kind="contracted", share_percent__isnull=False)
                | Q(kind__in=["absolute", "per_pupil"], threshold_mbps__isnull=False)
                | Q(kind="tiers", threshold_mbps__isnull=False, lower_mbps__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return localized(self.name) or self.code


class CostParameters(models.Model):
    """What improvements cost in a programme, for the costed proposals: a fibre connection (per km
    plus the connection), a contract upgrade (per Mbit/s per month), Wi-Fi per classroom and a
    switch per site, over ``years``; the benchmark whose speed a proposal must reach; and how
    proposals are ranked."""

    class Priority(models.TextChoices):
        SES = "ses", _("Socio-economic index (most disadvantaged first)")
        GAP_PER_PUPIL = "gap_per_pupil", _("Gap per pupil (largest first)")
        GAP = "gap", _("Gap (largest first)")

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="connectivity_costs"
    )
    target_benchmark = models.ForeignKey(
        Benchmark,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("benchmark to reach"),
    )
    fibre_per_km = models.DecimalField(_("fibre per km (EUR)"), **MONEY)
    fibre_connection = models.DecimalField(_("fibre connection (EUR)"), **MONEY)
    fibre_default_km = models.DecimalField(
        _("fibre distance when not known (km)"),
        max_digits=7,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
    )
    fibre_monthly = models.DecimalField(_("fibre line per month (EUR)"), **MONEY)
    upgrade_per_mbps_month = models.DecimalField(_("contract upgrade per Mbit/s per month (EUR)"), **MONEY)
    wifi_per_classroom = models.DecimalField(_("Wi-Fi per classroom (EUR)"), **MONEY)
    switch_per_site = models.DecimalField(_("switches per site (EUR)"), **MONEY)
    switch_max_age_years = models.PositiveSmallIntegerField(_("switches are replaced after (years)"), default=8)
    technology_limits = models.JSONField(
        _("fastest speed per technology (Mbit/s)"),
        default=dict,
        blank=True,
        help_text=_("How far a contract upgrade can go on each technology; beyond it only fibre closes the gap."),
    )
    years = models.PositiveSmallIntegerField(_("years of running costs"), default=5, validators=[MinValueValidator(1)])
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, default=Priority.GAP_PER_PUPIL)

    scope_paths = PROGRAMME_SCOPE

    class Meta:
        verbose_name = _("cost parameters")
        verbose_name_plural = _("cost parameters")

    def __str__(self) -> str:
        return f"{self.programme}"


class AnalysisRun(models.Model):
    """One analysis of a campaign on a day: the benchmarks and cost parameters it used (a copy in
    ``parameters``) and a digest of its results."""

    campaign = models.ForeignKey("connectivity.Campaign", on_delete=models.CASCADE, related_name="analyses")
    as_of = models.DateField(_("as of"))
    window_start = models.DateField(_("measurements from"))
    computed_at = models.DateTimeField(_("computed"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    schools = models.PositiveIntegerField(_("schools"), default=0)
    digest = models.CharField(_("digest"), max_length=64, blank=True)

    scope_paths = {
        "authority": "campaign__programme__authority",
        "operator": "campaign__schools__operator",
        "school": "campaign__schools",
    }

    class Meta:
        verbose_name = _("connectivity analysis")
        verbose_name_plural = _("connectivity analyses")
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign} {self.as_of.isoformat()}"


class Status(models.TextChoices):
    """A school's status for a benchmark."""

    MEETS = "meets", _("Meets")
    MODERATE = "moderate", _("Moderate")
    BELOW = "below", _("Below")
    INSUFFICIENT = "insufficient", _("Insufficient data")


class SchoolStatus(models.Model):
    """A school's status for one benchmark in one run, with what it rests on."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="statuses")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    measured_mbps = models.FloatField(_("measured download (Mbit/s)"), null=True, blank=True)
    required_mbps = models.FloatField(_("required download (Mbit/s)"), null=True, blank=True)
    tests = models.PositiveIntegerField(_("tests"), default=0)
    days = models.PositiveIntegerField(_("days with tests"), default=0)

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("school status")
        verbose_name_plural = _("school statuses")
        constraints = [
            models.UniqueConstraint(fields=["run", "school", "benchmark"], name="status_one_per_school_benchmark")
        ]
        indexes = [models.Index(fields=["run", "benchmark", "status"], name="status_run_benchmark_idx")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.benchmark_id} {self.status}"


class Proposal(models.Model):
    """A school's costed proposal in one run: the uplink gap and the classrooms without Wi-Fi, the
    cheapest option that closes the gap, its costs, and the school's rank by the programme's
    priority (1 first)."""

    class Option(models.TextChoices):
        NONE = "none", _("No uplink change needed")
        UPGRADE = "upgrade", _("Upgrade the contract")
        FIBRE = "fibre", _("Connect to fibre")

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="proposals")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    gap_mbps = models.DecimalField(_("uplink gap (Mbit/s)"), max_digits=10, decimal_places=2)
    classrooms_without_wifi = models.PositiveIntegerField(_("classrooms without Wi-Fi"))
    sites_needing_switches = models.PositiveIntegerField(_("sites needing switches"), default=0)
    option = models.CharField(_("uplink option"), max_length=16, choices=Option.choices)
    uplink_capex = models.DecimalField(_("uplink, one-off (EUR)"), **MONEY)
    uplink_opex_year = models.DecimalField(_("uplink, per year (EUR)"), **MONEY)
    wifi_capex = models.DecimalField(_("Wi-Fi, one-off (EUR)"), **MONEY)
    switch_capex = models.DecimalField(_("switches, one-off (EUR)"), **MONEY)
    total = models.DecimalField(_("total over the years (EUR)"), **MONEY)
    priority_value = models.DecimalField(_("priority value"), max_digits=14, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"))

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("improvement proposal")
        verbose_name_plural = _("improvement proposals")
        ordering = ["run", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "school"], name="proposal_one_per_school"),
            models.CheckConstraint(name="proposal_gap_not_negative", condition=Q(gap_mbps__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.option} {self.total}"
