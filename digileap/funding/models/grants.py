"""Grants, claims with invoices, payments, proof of use and repayment claims.

An approved (or partly approved) application becomes a **grant** (``Grant``) with one
``GrantLine`` per cost line and the funding approved for it; the approval records the commitment
on the funding source (``programmes.FundingTransaction`` of kind committed), so "committed" moves
on the programme's dashboard and public page.

A **claim** (Mittelabruf) lists **invoices** (``Invoice``: number, date, supplier, total, a scan),
and each invoice's lines (``InvoiceLine``) say which grant line they draw on, with the cost and
the funding claimed, and may link devices from Digileap's deliveries. Per grant line, the funding
claimed by claims that are not returned never exceeds the line's approved funding
(``services.claims`` locks the grant lines; tested under concurrency on PostgreSQL). An invoice
number is used once per supplier and operator (a database constraint on the normalised keys).
A paid claim records its payment (``programmes.FundingTransaction`` of kind paid).

At the end, the **proof of use** (Verwendungsnachweis) is prefilled from the claims, invoices,
deliveries and devices, and accepted or returned; unused or ineligible funding becomes a
**repayment claim**. Every change of state of a claim or a proof of use is an append-only
``GrantEvent`` (the database refuses updates, migration 0004).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .applications import MONEY, Application, Call, CostCategory, CostLine, _not_negative, _under
from .review import Decision

# A grant is reached from the call's authority and from the operator that holds it.
GRANT_SCOPE = {"authority": "call__programme__authority", "operator": "operator"}


class Grant(models.Model):
    """The funding granted on an approved application. ``approved_amount`` follows the latest
    decision (amendments change it); ``commitment`` is the ledger entry the approval recorded."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="grant")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="grants")
    operator = models.ForeignKey("schools.SchoolOperator", on_delete=models.PROTECT, related_name="funding_grants")
    number = models.CharField(_("grant number"), max_length=60)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    approved_amount = models.DecimalField(_("funding approved (EUR)"), **MONEY)
    commitment = models.ForeignKey(
        "programmes.FundingTransaction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rollout_note = models.TextField(_("roll-out plan note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("granted at"))

    scope_paths = GRANT_SCOPE

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["call", "number"]
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="grant_number_unique_in_call"),
            _not_negative("grant_approved_not_negative", "approved_amount"),
        ]
        indexes = [models.Index(fields=["call", "operator"], name="grant_call_operator_idx")]

    def __str__(self) -> str:
        return self.number


class GrantLine(models.Model):
    """A cost line of a grant with the funding approved for it (a row lock on it serialises claims)."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="lines")
    cost_line = models.ForeignKey(CostLine, on_delete=models.PROTECT, related_name="grant_lines")
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="grant_lines")
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="funding_grant_lines"
    )
    position = models.PositiveIntegerField(_("line"))
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("eligible cost (EUR)"), **MONEY)
    approved = models.DecimalField(_("funding approved (EUR)"), **MONEY)

    scope_paths = _under("grant", GRANT_SCOPE)

    class Meta:
        verbose_name = _("grant line")
        verbose_name_plural = _("grant lines")
        ordering = ["grant", "position"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "cost_line"], name="grant_line_once"),
            models.UniqueConstraint(fields=["grant", "position"], name="grant_line_position_unique"),
            _not_negative("grant_line_amount_not_negative", "amount"),
            models.CheckConstraint(
                name="grant_line_approved_within_amount",
                condition=models.Q(approved__gte=0, approved__lte=models.F("amount")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant}: {self.position}"


class ClaimState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


class Claim(models.Model):
    """A claim for funding against a grant (Mittelabruf). ``amount`` is the funding its invoice
    lines claim, kept so that sums stay in SQL. Paid claims record the payment in the ledger."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="claims")
    number = models.PositiveIntegerField(_("number"))
    state = models.CharField(_("state"), max_length=16, choices=ClaimState.choices, default=ClaimState.DRAFT)
    amount = models.DecimalField(_("funding claimed (EUR)"), default=0, **MONEY)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=120, blank=True)
    payment = models.ForeignKey(
        "programmes.FundingTransaction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    scope_paths = _under("grant", GRANT_SCOPE)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="claim_number_unique_in_grant"),
            models.CheckConstraint(name="claim_state_known", condition=models.Q(state__in=ClaimState.values)),
            _not_negative("claim_amount_not_negative", "amount"),
            models.CheckConstraint(
                name="claim_paid_has_date_and_reference",
                condition=~models.Q(state="paid") | (models.Q(paid_on__isnull=False) & ~models.Q(payment_reference="")),
            ),
        ]
        indexes = [models.Index(fields=["grant", "state"], name="claim_grant_state_idx")]

    def __str__(self) -> str:
        return f"{self.grant}/C{self.number}"


def invoice_path(instance, filename: str) -> str:
    return f"funding/invoices/{instance.claim_id}/{filename}"


class Invoice(models.Model):
    """An invoice in a claim, with its scan. ``supplier_key`` and ``number_key`` are the supplier's
    name and the invoice number normalised (case, spaces), so that "ACME GmbH" and "acme  gmbh"
    are one supplier; one operator claims an invoice number of a supplier once."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="invoices")
    operator = models.ForeignKey("schools.SchoolOperator", on_delete=models.PROTECT, related_name="+")
    supplier_name = models.CharField(_("supplier"), max_length=200)
    supplier_key = models.CharField(max_length=200)
    number = models.CharField(_("invoice number"), max_length=80)
    number_key = models.CharField(max_length=80)
    issued_on = models.DateField(_("invoice date"))
    total = models.DecimalField(_("invoice total (EUR)"), **MONEY)
    file = models.FileField(_("scan"), upload_to=invoice_path, blank=True)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    scope_paths = _under("claim__grant", GRANT_SCOPE)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["claim", "issued_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "supplier_key", "number_key"], name="invoice_number_once_per_supplier"
            ),
            models.CheckConstraint(name="invoice_total_positive", condition=models.Q(total__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_name} {self.number}"


class InvoiceLine(models.Model):
    """Part of an invoice drawn on one grant line: the cost, the funding claimed for it (at most
    the cost), and the devices it paid for, where Digileap knows them."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    grant_line = models.ForeignKey(GrantLine, on_delete=models.PROTECT, related_name="invoice_lines")
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount = models.DecimalField(_("cost (EUR)"), **MONEY)
    claimed = models.DecimalField(_("funding claimed (EUR)"), **MONEY)
    devices = models.ManyToManyField("devices.Device", blank=True, related_name="invoice_lines")

    scope_paths = _under("invoice__claim__grant", GRANT_SCOPE)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "id"]
        constraints = [
            models.CheckConstraint(name="invoice_line_amount_positive", condition=models.Q(amount__gt=0)),
            models.CheckConstraint(
                name="invoice_line_claimed_within_amount",
                condition=models.Q(claimed__gte=0, claimed__lte=models.F("amount")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.claimed}"


class ProofState(models.TextChoices):
    DUE = "due", _("Due")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class ProofOfUse(models.Model):
    """A grant's proof of use (Verwendungsnachweis): prefilled from its claims, invoices,
    deliveries and devices, with the operator's narrative; submitted, then accepted or returned.
    ``content`` and ``sha256`` freeze what was submitted."""

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="proof_of_use")
    state = models.CharField(_("state"), max_length=16, choices=ProofState.choices, default=ProofState.DUE)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    content = models.JSONField(_("content"), default=dict, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    spent = models.DecimalField(_("funding used (EUR)"), default=0, **MONEY)
    unused = models.DecimalField(_("funding not used (EUR)"), default=0, **MONEY)
    ineligible = models.DecimalField(_("funding found ineligible (EUR)"), default=0, **MONEY)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    scope_paths = _under("grant", GRANT_SCOPE)

    class Meta:
        verbose_name = _("proof of use")
        verbose_name_plural = _("proofs of use")
        ordering = ["grant"]
        constraints = [
            models.CheckConstraint(name="proof_state_known", condition=models.Q(state__in=ProofState.values)),
            _not_negative("proof_spent_not_negative", "spent"),
            _not_negative("proof_unused_not_negative", "unused"),
            _not_negative("proof_ineligible_not_negative", "ineligible"),
        ]

    def __str__(self) -> str:
        return f"{self.grant}: {self.get_state_display()}"


class RepaymentClaim(models.Model):
    """Funding an operator pays back: unused or found ineligible in the proof of use."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        REPAID = "repaid", _("Repaid")
        WAIVED = "waived", _("Waived")

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="repayment_claims")
    proof_of_use = models.ForeignKey(
        ProofOfUse, on_delete=models.PROTECT, null=True, blank=True, related_name="repayment_claims"
    )
    amount = models.DecimalField(_("amount (EUR)"), **MONEY)
    reason = models.TextField(_("reason"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    transaction = models.ForeignKey(
        "programmes.FundingTransaction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    scope_paths = _under("grant", GRANT_SCOPE)

    class Meta:
        verbose_name = _("repayment claim")
        verbose_name_plural = _("repayment claims")
        ordering = ["grant", "created_at"]
        constraints = [
            models.CheckConstraint(name="repayment_amount_positive", condition=models.Q(amount__gt=0)),
            models.CheckConstraint(
                name="repayment_state_known", condition=models.Q(state__in=["open", "repaid", "waived"])
            ),
            models.CheckConstraint(name="repayment_has_reason", condition=~models.Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.grant}: {self.amount}"


class GrantEvent(models.Model):
    """One change of state of a grant's claim or proof of use (or of the grant itself: approval,
    amendment, closing): from, to, who, when and why. Append-only (migration 0004)."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="events")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    proof_of_use = models.ForeignKey(ProofOfUse, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    from_state = models.CharField(_("previous state"), max_length=20, blank=True)
    to_state = models.CharField(_("new state"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("changed by"), max_length=150, blank=True)
    occurred_at = models.DateTimeField(_("changed at"))
    reason = models.TextField(_("reason"), blank=True)

    scope_paths = _under("grant", GRANT_SCOPE)

    class Meta:
        verbose_name = _("grant event")
        verbose_name_plural = _("grant events")
        ordering = ["grant", "occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="grant_event_changes_state", condition=~models.Q(from_state=models.F("to_state"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant}: {self.from_state or '-'} → {self.to_state}"


class Reminder(models.Model):
    """An e-mail reminder of a deadline that was sent, once per ``key`` (for example
    ``claim:grant:12:2027-03-31``), so that a rerun of the reminder job sends nothing twice."""

    key = models.CharField(max_length=200, unique=True)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reminders")
    operator = models.ForeignKey(
        "schools.SchoolOperator", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=32)
    due_on = models.DateField(_("due on"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent at"))

    scope_paths = {"authority": "call__programme__authority", "operator": "operator"}

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key
