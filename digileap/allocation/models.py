"""Allocation rounds (a budget or a stock of devices split over schools by formula), their computed
versions and lines, the needs schools declare, roll-out plans with their versions and entries, and
change requests to a plan decided by a committee.

A round's definition (eligibility, formula, total) can change while it is not approved; each
computation is kept as a numbered version with one line per school, so versions can be compared.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from digileap.devices.models import DeviceType
from digileap.programmes.models import PROGRAMME_SCOPE
from digileap.schools.models import SCHOOL_YEAR_VALIDATOR

SCHOOL_SCOPE = {"authority": "school__authority", "operator": "school__operator", "school": "school"}


def _under(prefix: str, paths: dict[str, str]) -> dict[str, str]:
    return {kind: f"{prefix}__{path}" for kind, path in paths.items()}


class Method(models.TextChoices):
    LARGEST_REMAINDER = "largest_remainder", _("Largest remainder (Hamilton)")
    SAINTE_LAGUE = "sainte_lague", _("Sainte-Laguë (Webster)")


class AllocationRound(models.Model):
    """One resource (money in EUR, or units of a device type) split over the eligible schools of a
    programme by a documented formula. ``total`` empty: the formula's amounts are paid as they are."""

    class Resource(models.TextChoices):
        MONEY = "money", _("Money (EUR)")
        UNITS = "units", _("Devices (units)")

    class Distribution(models.TextChoices):
        PROPORTIONAL = "proportional", _("In proportion to the formula")
        PRIORITY = "priority", _("Most disadvantaged first, up to each school's limit")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPUTED = "computed", _("Computed")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="allocation_rounds", verbose_name=_("programme")
    )
    funding_source = models.ForeignKey(
        "programmes.FundingSource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocation_rounds",
        verbose_name=_("funding source"),
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    resource = models.CharField(_("resource"), max_length=8, choices=Resource.choices, default=Resource.MONEY)
    device_type = models.CharField(_("device type"), max_length=24, choices=DeviceType.choices, blank=True)
    total = models.DecimalField(
        _("total to split"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("EUR, or a whole number of devices. Empty: every school gets what the formula gives."),
    )
    school_year = models.CharField(_("school year"), max_length=7, validators=[SCHOOL_YEAR_VALIDATOR])
    method = models.CharField(
        _("rounding method"), max_length=24, choices=Method.choices, default=Method.LARGEST_REMAINDER
    )
    distribution = models.CharField(
        _("distribution"), max_length=16, choices=Distribution.choices, default=Distribution.PROPORTIONAL
    )
    eligibility = models.JSONField(_("eligibility"), default=dict, blank=True)
    formula = models.JSONField(_("formula"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_paths = _under("programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("allocation round")
        verbose_name_plural = _("allocation rounds")
        ordering = ["programme", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="allocation_round_code_unique"),
            models.CheckConstraint(name="allocation_round_total_non_negative", condition=Q(total__gte=0)),
            models.CheckConstraint(
                name="allocation_round_units_have_device_type",
                condition=Q(resource="money", device_type="") | (Q(resource="units") & ~Q(device_type="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    @property
    def is_locked(self) -> bool:
        """An approved (or published) round keeps its definition and versions as they are."""
        return self.status in {self.Status.APPROVED, self.Status.PUBLISHED}

    @property
    def is_units(self) -> bool:
        return self.resource == self.Resource.UNITS


class AllocationVersion(models.Model):
    """One computation of a round: the parameters it used, the totals, and who approved it."""

    class Status(models.TextChoices):
        COMPUTED = "computed", _("Computed")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    round = models.ForeignKey(AllocationRound, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.COMPUTED)
    parameters = models.JSONField(_("parameters"), default=dict)
    total = models.DecimalField(_("total allocated"), max_digits=14, decimal_places=2, default=0)
    schools_count = models.PositiveIntegerField(_("schools"), default=0)
    eligible_pupils = models.PositiveIntegerField(_("eligible pupils"), default=0)
    note = models.TextField(_("note"), blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    scope_paths = _under("round__programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("allocation version")
        verbose_name_plural = _("allocation versions")
        ordering = ["round", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="allocation_version_number_unique"),
            # A round has at most one approved version: the one that counts.
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(status__in=["approved", "published"]),
                name="allocation_version_one_approved",
            ),
            models.CheckConstraint(name="allocation_version_total_non_negative", condition=Q(total__gte=0)),
            models.CheckConstraint(
                name="allocation_version_approval_recorded",
                condition=Q(status="computed") | Q(approved_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round.code} v{self.number}"


class AllocationLine(models.Model):
    """A school's share in one version, and how it came about (``explanation``)."""

    class Bound(models.TextChoices):
        NONE = "", _("the formula")
        FLOOR = "floor", _("the floor")
        CAP_SCHOOL = "cap_school", _("the cap per school")
        CAP_PER_PUPIL = "cap_per_pupil", _("the cap per pupil")
        CAP_OPERATOR = "cap_operator", _("the operator's cap")
        NEED = "need", _("the declared need")
        BUDGET = "budget", _("the budget ran out")

    version = models.ForeignKey(AllocationVersion, on_delete=models.CASCADE, related_name="lines")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="allocation_lines")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    claim = models.DecimalField(_("formula value"), max_digits=18, decimal_places=4)
    eligible_pupils = models.PositiveIntegerField(_("eligible pupils"), default=0)
    bound = models.CharField(_("bound by"), max_length=16, choices=Bound.choices, blank=True, default="")
    explanation = models.JSONField(_("explanation"), default=dict)

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")
        ordering = ["version", "school"]
        constraints = [
            models.UniqueConstraint(fields=["version", "school"], name="allocation_line_one_per_school"),
            models.CheckConstraint(name="allocation_line_amount_non_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.school_id} {self.amount}"


class NeedDeclaration(models.Model):
    """What a school has and needs in one school year, declared by the school or its operator.
    One declaration per school and year; declaring again replaces it (the audit trail keeps the old)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="need_declarations")
    school_year = models.CharField(_("school year"), max_length=7, validators=[SCHOOL_YEAR_VALIDATOR])
    classrooms_without_wifi = models.PositiveIntegerField(_("classrooms without Wi-Fi"), default=0)
    note = models.TextField(_("note"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared at"))

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("need declaration")
        verbose_name_plural = _("need declarations")
        ordering = ["-school_year", "school"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="need_declaration_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year}"


class NeedLine(models.Model):
    """Devices of one type: those the school has, by age, and those it needs in addition."""

    declaration = models.ForeignKey(NeedDeclaration, on_delete=models.CASCADE, related_name="lines")
    device_type = models.CharField(_("device type"), max_length=24, choices=DeviceType.choices)
    owned_under_3_years = models.PositiveIntegerField(_("owned, under 3 years old"), default=0)
    owned_3_to_5_years = models.PositiveIntegerField(_("owned, 3 to 5 years old"), default=0)
    owned_over_5_years = models.PositiveIntegerField(_("owned, over 5 years old"), default=0)
    needed = models.PositiveIntegerField(_("needed in addition"), default=0)

    scope_paths = _under("declaration", SCHOOL_SCOPE)

    class Meta:
        verbose_name = _("need line")
        verbose_name_plural = _("need lines")
        ordering = ["declaration", "device_type"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "device_type"], name="need_line_one_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.device_type}: {self.needed}"

    @property
    def owned(self) -> int:
        return self.owned_under_3_years + self.owned_3_to_5_years + self.owned_over_5_years


class RolloutPlan(models.Model):
    """Which school of a programme is served in which year or wave (a roll-out plan, ROP)."""

    class PrioritySource(models.TextChoices):
        INDEX = "index", _("Socio-economic index (most disadvantaged first)")
        READINESS = "readiness", _("Readiness")
        OPERATOR_PREFERENCE = "operator_preference", _("The operator's preferred year")
        EQUAL = "equal", _("All schools equal")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="rollout_plans", verbose_name=_("programme")
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    cost_round = models.ForeignKey(
        AllocationRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rollout_plans",
        verbose_name=_("costs from allocation round"),
        help_text=_("Each school's cost is its line in this round's approved version; otherwise entered by hand."),
    )
    default_cost = models.DecimalField(
        _("cost per school when none is known"), max_digits=14, decimal_places=2, default=0
    )
    priority_source = models.CharField(
        _("priority"), max_length=24, choices=PrioritySource.choices, default=PrioritySource.INDEX
    )
    max_periods_per_operator = models.PositiveSmallIntegerField(
        _("at most this many years or waves per operator"), null=True, blank=True
    )
    relative_gap = models.DecimalField(_("optimality gap"), max_digits=6, decimal_places=5, default="0.001")
    time_limit_seconds = models.PositiveIntegerField(_("time limit (seconds)"), default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_paths = _under("programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("roll-out plan")
        verbose_name_plural = _("roll-out plans")
        ordering = ["programme", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="rollout_plan_code_unique"),
            models.CheckConstraint(name="rollout_plan_cost_non_negative", condition=Q(default_cost__gte=0)),
            models.CheckConstraint(
                name="rollout_plan_gap_in_range", condition=Q(relative_gap__gte=0, relative_gap__lt=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class RolloutPeriod(models.Model):
    """A year or wave of a plan, in order, with its budget cap (empty: no cap)."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="periods")
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("year or wave"), max_length=40)
    budget_cap = models.DecimalField(_("budget cap"), max_digits=14, decimal_places=2, null=True, blank=True)

    scope_paths = _under("plan__programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("roll-out period")
        verbose_name_plural = _("roll-out periods")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="rollout_period_position_unique"),
            models.UniqueConstraint(fields=["plan", "label"], name="rollout_period_label_unique"),
            models.CheckConstraint(name="rollout_period_cap_non_negative", condition=Q(budget_cap__gte=0)),
        ]

    def __str__(self) -> str:
        return self.label


class RolloutVersion(models.Model):
    """A numbered version of a plan. Editing happens on a draft; adopting a version makes it the plan
    in force; an approved change request adopts a new version. Every version is kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPTIMISING = "optimising", _("Optimising")
        ADOPTED = "adopted", _("In force")
        SUPERSEDED = "superseded", _("Superseded")

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("note"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    solver = models.JSONField(_("optimiser report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)

    scope_paths = _under("plan__programme", PROGRAMME_SCOPE)

    class Meta:
        verbose_name = _("roll-out plan version")
        verbose_name_plural = _("roll-out plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="rollout_version_number_unique"),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status="adopted"), name="rollout_version_one_in_force"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} v{self.number}"


class RolloutEntry(models.Model):
    """A school in a plan version: its period (empty: not served in this plan), cost and priority."""

    class Reason(models.TextChoices):
        NONE = "", _("Planned")
        NO_BUDGET = "no_budget", _("No budget left in any allowed year")
        CONSTRAINT = "constraint", _("The operator's limit on years or waves")
        NOT_CHOSEN = "not_chosen", _("Not chosen within the optimality gap")
        NOT_ALLOWED = "not_allowed", _("No year is allowed")
        BY_HAND = "by_hand", _("Taken out by hand")

    version = models.ForeignKey(RolloutVersion, on_delete=models.CASCADE, related_name="entries")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="rollout_entries")
    period = models.ForeignKey(RolloutPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2)
    priority = models.DecimalField(_("priority"), max_digits=12, decimal_places=4, default=0)
    readiness = models.PositiveSmallIntegerField(_("readiness (0–100)"), null=True, blank=True)
    preferred_period = models.ForeignKey(
        RolloutPeriod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    reason = models.CharField(_("why not planned"), max_length=16, choices=Reason.choices, blank=True, default="")

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("roll-out plan entry")
        verbose_name_plural = _("roll-out plan entries")
        ordering = ["version", "period__position", "school"]
        constraints = [
            models.UniqueConstraint(fields=["version", "school"], name="rollout_entry_one_per_school"),
            models.CheckConstraint(name="rollout_entry_cost_non_negative", condition=Q(cost__gte=0)),
            models.CheckConstraint(
                name="rollout_entry_pinned_has_period", condition=Q(is_pinned=False) | Q(period__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.school_id} → {self.period_id}"


class ChangeRequest(models.Model):
    """An operator's request to move a school to another year or wave, or to change its amount, and
    the committee's decision on it."""

    class Kind(models.TextChoices):
        MOVE = "move", _("Move to another year or wave")
        AMOUNT = "amount", _("Change the amount")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ON_AGENDA = "on_agenda", _("On the committee's agenda")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", pgettext_lazy("change request", "Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    plan = models.ForeignKey(RolloutPlan, on_delete=models.PROTECT, related_name="change_requests")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="change_requests")
    kind = models.CharField(_("request"), max_length=8, choices=Kind.choices)
    requested_period = models.ForeignKey(
        RolloutPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested year or wave"),
    )
    requested_cost = models.DecimalField(_("requested amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    justification = models.TextField(_("justification"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    committee = models.CharField(_("committee"), max_length=200, blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    minutes_reference = models.CharField(_("minutes reference"), max_length=120, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resulting_version = models.ForeignKey(
        RolloutVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests"
    )

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="change_request_kind_has_value",
                condition=Q(kind="move", requested_period__isnull=False)
                | Q(kind="amount", requested_cost__isnull=False, requested_cost__gte=0),
            ),
            models.CheckConstraint(
                name="change_request_decision_recorded",
                condition=~Q(status__in=["approved", "rejected"])
                | (Q(decided_on__isnull=False) & ~Q(minutes_reference="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}: {self.get_kind_display()} ({self.school_id})"
