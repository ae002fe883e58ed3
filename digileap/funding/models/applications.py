"""Funding calls, entitlements and applications (issue 12, capability C6 of the product brief).

A **call** of a programme's funding source says who may apply (``CallEligibility``), for what
(``CostCategory`` with a funding rate and optional caps), with which documents
(``RequiredDocument``) and until when. An **entitlement** is the most an operator may apply for in
a call. An **application** of an operator names some of its schools (``ApplicationSchool``) and
lists cost lines (``CostLine``) and documents (``ApplicationDocument``). Submitting freezes a
``ApplicationVersion`` with the SHA-256 of its canonical JSON; every change of state is an
append-only ``ApplicationEvent`` (the database refuses to update one, see migration 0002).

Money is EUR with two decimals. Rates and shares are percentages (0 to 100). Texts people type
for a call (titles, category and document names) are stored per language, as programmes do
(``{"en": ..., "de": ...}``, read with ``localized``).

Reviews and decisions are in ``review.py``; grants, claims, invoices, payments and proof of use in
``grants.py``.
"""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from digileap.programmes.translation import localized, validate_translations

PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}

# A call is reached from the authority of its programme and, for operator staff, from the
# operators that may apply to it.
CALL_SCOPE = {"authority": "programme__authority", "operator": "eligibilities__operator"}
# An application is reached from the call's authority and from the operator that made it.
APPLICATION_SCOPE = {"authority": "call__programme__authority", "operator": "operator"}


def _under(prefix: str, paths: dict[str, str]) -> dict[str, str]:
    return {kind: f"{prefix}__{path}" for kind, path in paths.items()}


def _percent_check(name: str, field: str, nullable: bool = False) -> models.CheckConstraint:
    condition = models.Q(**{f"{field}__gte": 0, f"{field}__lte": 100})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(name=name, condition=condition)


def _not_negative(name: str, field: str, nullable: bool = False) -> models.CheckConstraint:
    condition = models.Q(**{f"{field}__gte": 0})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(name=name, condition=condition)


class Call(models.Model):
    """A call for applications under one funding source of a programme."""

    class CofinancingPayer(models.TextChoices):
        APPLICANT = "applicant", _("The applicant")
        STATE = "state", _("The state")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="funding_calls", verbose_name=_("programme")
    )
    funding_source = models.ForeignKey(
        "programmes.FundingSource",
        on_delete=models.PROTECT,
        related_name="funding_calls",
        verbose_name=_("funding source"),
    )
    code = models.CharField(_("code"), max_length=40)
    title = models.JSONField(_("title"), default=dict, validators=[validate_translations])
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    cofinancing_rate = models.DecimalField(
        _("co-financing rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=PERCENT_VALIDATORS,
        help_text=_("The share of each eligible cost that is not funded by the call."),
    )
    cofinancing_payer = models.CharField(
        _("co-financing paid by"), max_length=16, choices=CofinancingPayer.choices, default=CofinancingPayer.APPLICANT
    )
    uses_entitlements = models.BooleanField(
        _("entitlements limit the applications"),
        default=True,
        help_text=_("Each operator may apply for at most its published entitlement."),
    )
    entitlement_definition = models.JSONField(
        _("entitlement rule"),
        default=dict,
        blank=True,
        help_text=_("How entitlements are computed (docs/funding.md); empty when they are typed in."),
    )
    decision_deadline = models.DateField(_("decisions due by"), null=True, blank=True)
    claim_deadline = models.DateField(_("claims due by"), null=True, blank=True)
    proof_of_use_deadline = models.DateField(_("proof of use due by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = CALL_SCOPE

    class Meta:
        verbose_name = _("funding call")
        verbose_name_plural = _("funding calls")
        ordering = ["-opens_at", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="funding_call_code_unique_in_programme"),
            models.CheckConstraint(
                name="funding_call_closes_after_opening", condition=models.Q(closes_at__gt=models.F("opens_at"))
            ),
            _percent_check("funding_call_cofinancing_is_percentage", "cofinancing_rate"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_title}"

    @property
    def display_title(self) -> str:
        return localized(self.title)

    def is_open_at(self, moment) -> bool:
        return self.opens_at <= moment < self.closes_at


class CallEligibility(models.Model):
    """An operator's eligibility for a call: the operator may apply to it. (Not named
    ``CallOperator``: route and kwarg names ending in "operator" must keep meaning the school operator.)"""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="eligibilities")
    operator = models.ForeignKey("schools.SchoolOperator", on_delete=models.PROTECT, related_name="funding_calls")

    scope_paths = {"authority": "call__programme__authority", "operator": "operator"}

    class Meta:
        verbose_name = _("operator of a call")
        verbose_name_plural = _("operators of a call")
        ordering = ["call", "operator__name"]
        constraints = [models.UniqueConstraint(fields=["call", "operator"], name="call_eligibility_once")]

    def __str__(self) -> str:
        return f"{self.call.code}: {self.operator}"


class CostCategory(models.Model):
    """A kind of eligible cost in a call, with its funding rate and optional caps on the funding.

    Caps apply to the funding requested (the cost times the funding rate), never to the cost:
    ``cap_absolute`` per application, ``cap_per_school`` per school, ``cap_per_pupil`` times a
    school's pupils per school, ``cap_share_of_application`` a percentage of the application's
    funding, ``cap_share_of_entitlement`` a percentage of the operator's entitlement.
    """

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="cost_categories")
    code = models.SlugField(_("code"), max_length=40)
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    funding_rate = models.DecimalField(
        _("funding rate (%)"), max_digits=5, decimal_places=2, default=100, validators=PERCENT_VALIDATORS
    )
    cap_absolute = models.DecimalField(_("cap per application (EUR)"), null=True, blank=True, **MONEY)
    cap_per_school = models.DecimalField(_("cap per school (EUR)"), null=True, blank=True, **MONEY)
    cap_per_pupil = models.DecimalField(_("cap per pupil (EUR)"), null=True, blank=True, **MONEY)
    cap_share_of_application = models.DecimalField(
        _("cap as a share of the application (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    cap_share_of_entitlement = models.DecimalField(
        _("cap as a share of the entitlement (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )

    scope_paths = _under("call", CALL_SCOPE)

    class Meta:
        verbose_name = _("cost category")
        verbose_name_plural = _("cost categories")
        ordering = ["call", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="cost_category_code_unique_in_call"),
            _percent_check("cost_category_rate_is_percentage", "funding_rate"),
            _not_negative("cost_category_cap_absolute_not_negative", "cap_absolute", nullable=True),
            _not_negative("cost_category_cap_school_not_negative", "cap_per_school", nullable=True),
            _not_negative("cost_category_cap_pupil_not_negative", "cap_per_pupil", nullable=True),
            _percent_check("cost_category_share_app_is_percentage", "cap_share_of_application", nullable=True),
            _percent_check("cost_category_share_ent_is_percentage", "cap_share_of_entitlement", nullable=True),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self.name) or self.code


def template_path(instance, filename: str) -> str:
    return f"funding/templates/{instance.call_id}/{filename}"


class RequiredDocument(models.Model):
    """A document a call requires: one per operator (a media development plan), per school (a
    media concept) or per application (a technical concept), valid for some months if limited."""

    class Scope(models.TextChoices):
        OPERATOR = "operator", _("One per operator")
        SCHOOL = "school", _("One per school")
        APPLICATION = "application", _("One per application")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="required_documents")
    code = models.SlugField(_("code"), max_length=40)
    scope = models.CharField(_("required"), max_length=16, choices=Scope.choices)
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    template = models.FileField(_("template"), upload_to=template_path, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True, help_text=_("Empty: valid without limit.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    scope_paths = _under("call", CALL_SCOPE)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["call", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="required_document_code_unique_in_call"),
            models.CheckConstraint(
                name="required_document_scope_known",
                condition=models.Q(scope__in=["operator", "school", "application"]),
            ),
            models.CheckConstraint(
                name="required_document_validity_positive",
                condition=models.Q(validity_months__isnull=True) | models.Q(validity_months__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self.name) or self.code


class Entitlement(models.Model):
    """The most an operator may apply for in a call: computed by the call's rule or typed in.
    Operator staff see it once it is published (``published_at``)."""

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Computed")
        TYPED = "typed", _("Typed in")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="entitlements")
    operator = models.ForeignKey("schools.SchoolOperator", on_delete=models.PROTECT, related_name="entitlements")
    amount = models.DecimalField(_("entitlement (EUR)"), **MONEY)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = {"authority": "call__programme__authority", "operator": "operator"}

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        ordering = ["call", "operator__name"]
        constraints = [
            models.UniqueConstraint(fields=["call", "operator"], name="entitlement_once_per_operator"),
            _not_negative("entitlement_amount_not_negative", "amount"),
            models.CheckConstraint(
                name="entitlement_source_known", condition=models.Q(source__in=["computed", "typed"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call.code}: {self.operator} {self.amount}"


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    FORMAL_CHECK = "formal_check", _("Formal check")
    MORE_INFORMATION = "more_information", _("More information requested")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    REVIEW = "review", _("In review")
    APPROVED = "approved", _("Approved")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    """An operator's application in a call. Its ``state`` changes only through
    ``services.applications.application_transition``, which appends an ``ApplicationEvent``."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    operator = models.ForeignKey(
        "schools.SchoolOperator", on_delete=models.PROTECT, related_name="funding_applications"
    )
    number = models.PositiveIntegerField(_("number"), help_text=_("Counts the operator's applications in the call."))
    title = models.CharField(_("title"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    rollout_year = models.PositiveSmallIntegerField(
        _("roll-out year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The year the roll-out plan puts the schools in once the application is approved."),
    )
    declarations_confirmed_at = models.DateTimeField(_("declarations confirmed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = APPLICATION_SCOPE

    class Meta:
        verbose_name = _("funding application")
        verbose_name_plural = _("funding applications")
        ordering = ["call", "operator__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["call", "operator", "number"], name="application_number_unique"),
            models.CheckConstraint(
                name="application_state_known", condition=models.Q(state__in=ApplicationState.values)
            ),
            models.CheckConstraint(
                name="application_year_in_range",
                condition=models.Q(rollout_year__isnull=True)
                | models.Q(rollout_year__gte=2000, rollout_year__lte=2100),
            ),
        ]
        indexes = [models.Index(fields=["call", "state"], name="application_call_state_idx")]

    def __str__(self) -> str:
        return f"{self.call.code}/{self.operator.code}/{self.number}"


class ApplicationSchool(models.Model):
    """A school an application is for, with the registry's figures at the time it was added."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="application_schools")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="funding_applications")
    pupils = models.PositiveIntegerField(_("pupils"), default=0)

    scope_paths = _under("application", APPLICATION_SCOPE)

    class Meta:
        verbose_name = _("school of an application")
        verbose_name_plural = _("schools of an application")
        ordering = ["application", "school__name"]
        constraints = [models.UniqueConstraint(fields=["application", "school"], name="application_school_once")]

    def __str__(self) -> str:
        return str(self.school)


class CostLine(models.Model):
    """One cost of an application: for a school, or for the operator as a whole (``school`` empty).
    ``amount`` is quantity times unit price, rounded half up to the cent; ``funding`` is what the
    call pays of it (``rules.line_figures``), kept so that sums over many lines stay in SQL."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cost_lines")
    position = models.PositiveIntegerField(_("line"))
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="cost_lines")
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="funding_cost_lines"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("unit price (EUR)"), **MONEY)
    amount = models.DecimalField(_("amount (EUR)"), **MONEY)
    funding = models.DecimalField(
        _("funding requested (EUR)"),
        help_text=_("The amount times the category's funding rate, rounded down."),
        **MONEY,
    )

    scope_paths = _under("application", APPLICATION_SCOPE)

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="cost_line_position_unique"),
            models.CheckConstraint(name="cost_line_quantity_positive", condition=models.Q(quantity__gt=0)),
            _not_negative("cost_line_unit_price_not_negative", "unit_price"),
            _not_negative("cost_line_amount_not_negative", "amount"),
            models.CheckConstraint(
                name="cost_line_funding_within_amount",
                condition=models.Q(funding__gte=0, funding__lte=models.F("amount")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.description}"


def document_path(instance, filename: str) -> str:
    return f"funding/applications/{instance.application_id}/{filename}"


class ApplicationDocument(models.Model):
    """A document uploaded for a required document: for the operator, a school or the application.
    Its validity runs from ``issued_on`` for the required document's months."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    required_document = models.ForeignKey(RequiredDocument, on_delete=models.PROTECT, related_name="uploads")
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="funding_documents"
    )
    file = models.FileField(_("file"), upload_to=document_path)
    original_filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope_paths = _under("application", APPLICATION_SCOPE)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["application", "required_document", "school", "-uploaded_at"]

    def __str__(self) -> str:
        return self.original_filename


class ApplicationVersion(models.Model):
    """A submitted application, frozen: its canonical JSON and that JSON's SHA-256. Append-only."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("frozen at"))

    scope_paths = _under("application", APPLICATION_SCOPE)

    class Meta:
        verbose_name = _("application version")
        verbose_name_plural = _("application versions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="application_version_number_unique"),
            models.CheckConstraint(name="application_version_number_positive", condition=models.Q(number__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.application} v{self.number}"


class ApplicationEvent(models.Model):
    """One change of an application's state: from, to, who, when and why. Append-only: the
    database refuses to update a row (migration 0002), and no code deletes one."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField(_("previous state"), max_length=20, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField(_("new state"), max_length=20, choices=ApplicationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("changed by"), max_length=150, blank=True)
    occurred_at = models.DateTimeField(_("changed at"))
    reason = models.TextField(_("reason"), blank=True)
    version = models.ForeignKey(
        ApplicationVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )

    scope_paths = _under("application", APPLICATION_SCOPE)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["application", "occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="application_event_to_state_known", condition=models.Q(to_state__in=ApplicationState.values)
            ),
            models.CheckConstraint(
                name="application_event_changes_state", condition=~models.Q(from_state=models.F("to_state"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.from_state or '-'} → {self.to_state}"
