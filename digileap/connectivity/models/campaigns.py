"""Survey campaigns and the schools' answers: uplinks, the internal network and the problems seen."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from digileap.programmes.translation import localized, validate_translations

# The fastest speed a row may state: anything above 100 Gbit/s is a typing or unit error.
MAX_MBPS = 100_000
SPEED_VALIDATORS = [MinValueValidator(0), MaxValueValidator(MAX_MBPS)]

CAMPAIGN_SCOPE = {"authority": "programme__authority", "operator": "schools__operator", "school": "schools"}
SCHOOL_SCOPE = {"authority": "school__authority", "operator": "school__operator", "school": "school"}


class Campaign(models.Model):
    """A survey of the schools' connectivity within a programme: a period, the schools it covers
    and the days before its end on which schools that have not answered are reminded."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="connectivity_campaigns"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    description = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_translations])
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    reminder_days = models.JSONField(
        _("reminder days"),
        default=list,
        blank=True,
        help_text=_("Days before the last day on which schools that have not answered are reminded, e.g. 14, 7, 1."),
    )
    schools = models.ManyToManyField(
        "schools.School", through="CampaignSchool", related_name="connectivity_campaigns", verbose_name=_("schools")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_paths = CAMPAIGN_SCOPE

    class Meta:
        verbose_name = _("connectivity campaign")
        verbose_name_plural = _("connectivity campaigns")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="campaign_code_unique_in_programme"),
            models.CheckConstraint(name="campaign_ends_after_start", condition=Q(ends_on__gte=F("starts_on"))),
        ]

    def __str__(self) -> str:
        return localized(self.name) or self.code


class CampaignSchool(models.Model):
    """A school a campaign covers."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="campaign_schools")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")

    scope_paths = {"authority": "campaign__programme__authority", "operator": "school__operator", "school": "school"}

    class Meta:
        verbose_name = _("school of a campaign")
        verbose_name_plural = _("schools of a campaign")
        constraints = [models.UniqueConstraint(fields=["campaign", "school"], name="campaign_school_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.school_id}"


class Problem(models.TextChoices):
    """The problems a school may tick in the survey (plus free text)."""

    SLOW_AT_PEAK = "slow_at_peak", _("Slow when many use it at once")
    OUTAGES = "outages", _("Outages")
    WIFI_COVERAGE = "wifi_coverage", _("Wi-Fi does not reach every classroom")
    WIFI_CAPACITY = "wifi_capacity", _("Wi-Fi slows down with a class of devices")
    OLD_EQUIPMENT = "old_equipment", _("Old network equipment")
    NO_SUPPORT = "no_support", _("No one to look after the network")
    TOO_EXPENSIVE = "too_expensive", _("The connection costs too much")
    FILTERING = "filtering", _("Filtering blocks what lessons need")


class Cabling(models.TextChoices):
    UNKNOWN = "unknown", _("Not known")
    NONE = "none", _("No structured cabling")
    CAT5 = "cat5", _("Category 5 or older")
    CAT6 = "cat6", _("Category 6 or 6A")
    FIBRE = "fibre", _("Fibre backbone with copper to the rooms")
    MIXED = "mixed", _("Mixed")


class SurveyResponse(models.Model):
    """A school's answer for one site (``site`` empty: the school as a whole). Drafts may be saved;
    a submitted answer may be corrected until the campaign closes (each change is audited)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "schools.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    classrooms = models.PositiveIntegerField(_("classrooms"))
    classrooms_wifi = models.PositiveIntegerField(_("classrooms with usable Wi-Fi"))
    access_points = models.PositiveIntegerField(_("Wi-Fi access points"), default=0)
    switches = models.PositiveIntegerField(_("network switches"), default=0)
    switch_age_years = models.PositiveSmallIntegerField(
        _("age of the switches (years)"), null=True, blank=True, help_text=_("The oldest switch in use, in years.")
    )
    cabling = models.CharField(_("cabling"), max_length=16, choices=Cabling.choices, default=Cabling.UNKNOWN)
    fibre_distance_km = models.DecimalField(
        _("distance to the nearest fibre (km)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("If known: how far the nearest fibre connection point is; used to cost a fibre connection."),
    )
    problems = models.JSONField(_("problems seen"), default=list, blank=True)
    problems_text = models.TextField(_("other problems"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["campaign", "school", "site"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "school", "site"], condition=Q(site__isnull=False), name="response_one_per_site"
            ),
            models.UniqueConstraint(
                fields=["campaign", "school"], condition=Q(site__isnull=True), name="response_one_per_school"
            ),
            models.CheckConstraint(
                name="response_wifi_within_classrooms", condition=Q(classrooms_wifi__lte=F("classrooms"))
            ),
            models.CheckConstraint(
                name="response_fibre_distance_positive",
                condition=Q(fibre_distance_km__isnull=True) | Q(fibre_distance_km__gte=0),
            ),
            models.CheckConstraint(
                name="response_submitted_has_time",
                condition=Q(state="draft") | Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} {self.school_id}/{self.site_id or '-'}"


class Uplink(models.Model):
    """One internet connection of the school (or site) as contracted."""

    class Technology(models.TextChoices):
        FIBRE = "fibre", _("Fibre")
        CABLE = "cable", _("Cable")
        DSL = "dsl", _("DSL")
        MOBILE = "mobile", _("Mobile (4G/5G)")
        SATELLITE = "satellite", _("Satellite")
        RADIO = "radio", _("Radio link")

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="uplinks")
    technology = models.CharField(_("technology"), max_length=16, choices=Technology.choices)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    download_mbps = models.DecimalField(
        _("contracted download (Mbit/s)"), max_digits=9, decimal_places=2, validators=SPEED_VALIDATORS
    )
    upload_mbps = models.DecimalField(
        _("contracted upload (Mbit/s)"), max_digits=9, decimal_places=2, validators=SPEED_VALIDATORS
    )
    monthly_cost = models.DecimalField(
        _("monthly cost (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)

    scope_paths = {kind: f"response__{path}" for kind, path in SCHOOL_SCOPE.items()}

    class Meta:
        verbose_name = _("uplink")
        verbose_name_plural = _("uplinks")
        ordering = ["response", "id"]
        constraints = [
            models.CheckConstraint(
                name="uplink_speeds_in_range",
                condition=Q(download_mbps__gte=0, download_mbps__lte=MAX_MBPS, upload_mbps__gte=0)
                & Q(upload_mbps__lte=MAX_MBPS),
            ),
            models.CheckConstraint(
                name="uplink_cost_not_negative", condition=Q(monthly_cost__isnull=True) | Q(monthly_cost__gte=0)
            ),
            models.CheckConstraint(
                name="uplink_contract_ends_after_start",
                condition=Q(contract_start__isnull=True)
                | Q(contract_end__isnull=True)
                | Q(contract_end__gte=F("contract_start")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_technology_display()} {self.download_mbps}/{self.upload_mbps}"


class CampaignReminder(models.Model):
    """A reminder sent to a school that had not answered: one per campaign, school and key (the
    days before the end, or ``overdue``), so a reminder run twice sends nothing new."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("reminder"), max_length=16)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"))

    scope_paths = {"authority": "campaign__programme__authority", "operator": "school__operator", "school": "school"}

    class Meta:
        verbose_name = _("survey reminder")
        verbose_name_plural = _("survey reminders")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "school", "key"], name="campaign_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.school_id} {self.key}"
