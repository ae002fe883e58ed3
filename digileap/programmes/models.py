"""Programmes, their budget by funding source, objectives, milestones and targets, and the data
their indicators are computed from (funding transactions, evidence documents, manual values).

Texts that people type (names, descriptions, verification mechanisms) are stored per language as
``{"en": ..., "nl": ...}`` and read with ``localized`` (see ``translation.py``).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .translation import localized, validate_translations

PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]

# Operators and schools see the programmes of their authority: they take part in them, and the
# targets say what is expected of them. Suppliers see only the public pages.
PROGRAMME_SCOPE = {"authority": "authority", "operator": "authority__operators", "school": "authority__schools"}


def _under(prefix: str, paths: dict[str, str]) -> dict[str, str]:
    return {kind: f"{prefix}__{path}" for kind, path in paths.items()}


def validate_sdgs(value) -> None:
    """A list of distinct numbers of the UN Sustainable Development Goals, 1 to 17."""
    if not isinstance(value, list):
        raise ValidationError(_("Give the SDGs as a list of numbers from 1 to 17."))
    for number in value:
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 17:
            raise ValidationError(_("%(value)r is not an SDG number (1 to 17).") % {"value": number})
    if len(set(value)) != len(value):
        raise ValidationError(_("Each SDG is listed once."))


def validate_tags(value) -> None:
    if not isinstance(value, list) or any(not isinstance(tag, str) or not tag.strip() for tag in value):
        raise ValidationError(_("Give the tags as a list of texts."))


class Programme(models.Model):
    """A publicly funded programme: who is responsible, where, when, its budget and its targets."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    description = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_translations])
    authority = models.ForeignKey(
        "schools.Authority",
        on_delete=models.PROTECT,
        related_name="programmes",
        verbose_name=_("responsible authority"),
    )
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code"))
    region = models.CharField(_("region"), max_length=120, blank=True)
    period_start = models.DateField(_("start"), null=True, blank=True)
    period_end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    is_public = models.BooleanField(_("public"), default=False)
    # Empty when the programme's documents do not state them (not the same as 0 %).
    climate_contribution = models.DecimalField(
        _("climate contribution (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    digital_contribution = models.DecimalField(
        _("digital contribution (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    sdgs = models.JSONField(_("sustainable development goals"), default=list, blank=True, validators=[validate_sdgs])
    tags = models.JSONField(_("tags"), default=list, blank=True, validators=[validate_tags])
    gender_equality_impact = models.JSONField(
        _("gender-equality impact"), default=dict, blank=True, validators=[validate_translations]
    )
    end_goal = models.JSONField(_("end goal"), default=dict, blank=True, validators=[validate_translations])
    source_url = models.URLField(_("source"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = PROGRAMME_SCOPE

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="programme_period_in_order",
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
            ),
            models.CheckConstraint(
                name="programme_contributions_are_percentages",
                condition=(
                    models.Q(climate_contribution__isnull=True)
                    | models.Q(climate_contribution__gte=0, climate_contribution__lte=100)
                )
                & (
                    models.Q(digital_contribution__isnull=True)
                    | models.Q(digital_contribution__gte=0, digital_contribution__lte=100)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        return localized(self.name)

    @property
    def display_description(self) -> str:
        return localized(self.description)

    @property
    def display_gender_equality_impact(self) -> str:
        return localized(self.gender_equality_impact)

    @property
    def display_end_goal(self) -> str:
        return localized(self.end_goal)


class FundingSource(models.Model):
    """One line of a programme's budget: where the money comes from, how much, at what rate."""

    class Kind(models.TextChoices):
        EU_RRF = "eu_rrf", _("EU Recovery and Resilience Facility")
        REACT_EU = "react_eu", _("REACT-EU")
        ERDF = "erdf", _("European Regional Development Fund")
        NATIONAL = "national", _("National budget")
        REGIONAL = "regional", _("Regional budget")
        OPERATOR_COFINANCING = "operator_cofinancing", _("Operators' co-financing")
        PRIVATE = "private", _("Private")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="funding_sources")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.JSONField(_("name"), default=dict, blank=True, validators=[validate_translations])
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    cofinancing_rate = models.DecimalField(
        _("co-financing rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text=_("The share of eligible costs this source pays, where the rules set one."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    note = models.JSONField(_("note"), default=dict, blank=True, validators=[validate_translations])

    scope_paths = _under("programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["programme", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="funding_source_position_unique"),
            models.CheckConstraint(name="funding_source_amount_not_negative", condition=models.Q(amount__gte=0)),
            models.CheckConstraint(
                name="funding_source_rate_is_percentage",
                condition=models.Q(cofinancing_rate__isnull=True)
                | models.Q(cofinancing_rate__gte=0, cofinancing_rate__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self.name) or str(self.get_kind_display())


class Objective(models.Model):
    """One of a programme's objectives, in the order the programme lists them."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.JSONField(_("title"), default=dict, validators=[validate_translations])
    description = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_translations])

    scope_paths = _under("programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="objective_position_unique"),
        ]

    def __str__(self) -> str:
        return localized(self.title)


class IndicatorDefinition(models.Model):
    """How a target's value is computed: a kind from the indicator registry and its parameters."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=64)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)

    scope_paths = _under("programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["programme", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.parameters}" if self.parameters else self.kind


class Target(models.Model):
    """A milestone (qualitative) or target (quantitative) with its number, indicator and deadline.

    A milestone is met when its indicator reaches 1 (for example a document is approved); a target
    when its indicator reaches ``target_value``. Cumulative targets count everything up to the
    day; per-period targets count from ``period_start``. Where a plan names only a quarter or a
    year, ``due_date`` is that period's last day and ``due_label`` says what the plan says.
    """

    class Kind(models.TextChoices):
        MILESTONE = "milestone", _("Milestone (qualitative)")
        TARGET = "target", _("Target (quantitative)")

    class Accumulation(models.TextChoices):
        CUMULATIVE = "cumulative", _("Cumulative")
        PER_PERIOD = "per_period", _("Per period")

    class ReportedStatus(models.TextChoices):
        TO_DO = "to_do", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TARGET)
    position = models.PositiveSmallIntegerField(_("position"))
    number = models.CharField(_("number"), max_length=32, blank=True, help_text=_("As the plan numbers it, e.g. 401."))
    title = models.JSONField(_("title"), default=dict, validators=[validate_translations])
    description = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_translations])
    indicator = models.ForeignKey(
        IndicatorDefinition, on_delete=models.PROTECT, null=True, blank=True, related_name="targets"
    )
    baseline = models.DecimalField(_("baseline"), max_digits=18, decimal_places=2, default=0)
    target_value = models.DecimalField(_("target value"), max_digits=18, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    accumulation = models.CharField(
        _("counting"), max_length=16, choices=Accumulation.choices, default=Accumulation.CUMULATIVE
    )
    period_start = models.DateField(
        _("counting starts"), null=True, blank=True, help_text=_("Per-period targets count from this day.")
    )
    due_date = models.DateField(_("due date"))
    due_label = models.CharField(_("due as stated"), max_length=40, blank=True)
    verification = models.JSONField(
        _("verification mechanism"), default=dict, blank=True, validators=[validate_translations]
    )
    reported_status = models.CharField(
        _("reported status"),
        max_length=16,
        choices=ReportedStatus.choices,
        default=ReportedStatus.TO_DO,
        help_text=_("The status the plan's owner reports officially; the computed status comes from the data."),
    )

    scope_paths = _under("programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("milestone or target")
        verbose_name_plural = _("milestones and targets")
        ordering = ["programme", "due_date", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="target_position_unique"),
            models.UniqueConstraint(
                fields=["programme", "number"], condition=~models.Q(number=""), name="target_number_unique"
            ),
            models.CheckConstraint(
                name="target_differs_from_baseline", condition=~models.Q(target_value=models.F("baseline"))
            ),
            models.CheckConstraint(
                name="per_period_target_has_start",
                condition=models.Q(accumulation="cumulative")
                | models.Q(accumulation="per_period", period_start__isnull=False),
            ),
            models.CheckConstraint(
                name="target_period_before_due",
                condition=models.Q(period_start__isnull=True) | models.Q(period_start__lte=models.F("due_date")),
            ),
        ]

    def __str__(self) -> str:
        title = localized(self.title)
        return f"{self.number} {title}" if self.number else title

    @property
    def display_title(self) -> str:
        return localized(self.title)

    @property
    def display_description(self) -> str:
        return localized(self.description)

    @property
    def display_verification(self) -> str:
        return localized(self.verification)

    @property
    def is_cumulative(self) -> bool:
        return self.accumulation == self.Accumulation.CUMULATIVE

    @property
    def defined_indicator(self) -> IndicatorDefinition:
        """The target's indicator, for code that only reads targets that have one (a kind computing
        its value, the map of a measured target)."""
        assert self.indicator is not None, f"Target {self.pk} has no indicator."
        return self.indicator

    def counting_window(self, as_of: datetime.date) -> tuple[datetime.date | None, datetime.date]:
        """The days whose data count toward the value on ``as_of``: (first day or None, last day)."""
        start = None if self.is_cumulative else self.period_start
        return start, as_of


class IndicatorSnapshot(models.Model):
    """A target's computed value and status on one day: the points of the trend and the burn-up chart."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    status = models.CharField(_("status"), max_length=16)
    computed_at = models.DateTimeField(_("computed at"))

    scope_paths = _under("target__programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        ordering = ["target", "date"]
        constraints = [
            models.UniqueConstraint(fields=["target", "date"], name="snapshot_unique_per_target_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.date}: {self.value}"


def evidence_upload_to(instance: "EvidenceDocument", filename: str) -> str:
    return f"programmes/{instance.programme_id}/evidence/{filename}"


class EvidenceDocument(models.Model):
    """A document that proves a milestone (a report, a decision). Counts once it is approved."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="evidence_documents")
    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence_documents"
    )
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to=evidence_upload_to)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    scope_paths = _under("programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        ordering = ["programme", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                name="evidence_approver_only_when_approved",
                condition=models.Q(approved_at__isnull=False) | models.Q(approved_by__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class ManualValue(models.Model):
    """A value typed in for an indicator declared manual, with who entered it and when."""

    indicator = models.ForeignKey(IndicatorDefinition, on_delete=models.CASCADE, related_name="manual_values")
    as_of = models.DateField(_("value on"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))

    scope_paths = _under("indicator__programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("manual value")
        verbose_name_plural = _("manual values")
        ordering = ["indicator", "as_of", "id"]
        indexes = [models.Index(fields=["indicator", "as_of"], name="manual_value_day_idx")]

    def __str__(self) -> str:
        return f"{self.as_of}: {self.value}"


class FundingTransaction(models.Model):
    """Money committed to or paid from one funding source, for a school where it is known.

    A small ledger, so that money can be recorded before allocation rounds and grants exist; it is
    never edited (a correction is a further transaction with its own reference).
    """

    class Kind(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        PAID = "paid", _("Paid")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="transactions")
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    date = models.DateField(_("date"))
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="funding_transactions"
    )
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    scope_paths = {
        "authority": "programme__authority",
        "operator": "school__operator",
        "school": "school",
    }

    class Meta:
        verbose_name = _("funding transaction")
        verbose_name_plural = _("funding transactions")
        ordering = ["programme", "date", "id"]
        constraints = [
            models.CheckConstraint(name="funding_transaction_amount_not_zero", condition=~models.Q(amount=0)),
        ]
        # The dashboard, the public page and the indicators read a programme's whole ledger; these
        # two hold every column those sums read, so the database never visits the table rows:
        # by kind and day (money committed or paid up to a day, the budget by source), and by
        # school (schools reached, each school's committed and paid amounts).
        indexes = [
            models.Index(
                fields=["programme", "kind", "date", "school", "source", "amount"], name="funding_tx_prog_kind_day_idx"
            ),
            models.Index(fields=["programme", "school", "kind", "amount", "date"], name="funding_tx_prog_school_idx"),
            models.Index(fields=["school", "date"], name="funding_tx_school_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} EUR {self.date}"


def evidence_pack_upload_to(instance: "EvidencePack", filename: str) -> str:
    return f"programmes/evidence-packs/{instance.target_id}/{filename}"


class EvidencePack(models.Model):
    """An evidence pack prepared in the background for a target on a day, with its progress.

    The pack's bytes depend only on the data (see ``evidence.py``); this row keeps the file so
    that a large pack is made once and downloaded many times.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="evidence_packs")
    as_of = models.DateField(_("day"))
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=evidence_pack_upload_to, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=120, blank=True)

    scope_paths = _under("target__programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("evidence pack")
        verbose_name_plural = _("evidence packs")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(name="evidence_pack_progress_is_percentage", condition=models.Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.as_of}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
