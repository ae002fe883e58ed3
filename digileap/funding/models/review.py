"""The review of an application and its decision.

A programme owner assigns **reviewers** (funding administrators) to a call (``CallReviewer``); a
reviewer sees only the applications of the calls they are assigned to. Before opening an
application a reviewer declares that they have no conflict of interest (``ConflictDeclaration``);
anyone with a role at the applying operator is refused. The call's **checklist** (``ReviewItem``,
one list per stage: application, claim, proof of use) is answered yes, no or not applicable with a
note (``ReviewAnswer``), and optional **scored criteria** (``ScoringCriterion``) get a score per
application (``CriterionScore``).

A **decision** (``Decision``, append-only: an amendment is a new number) sets the approved funding
per cost line (``DecisionLine``; lower than requested only with a reason) and the conditions, and
keeps its **decision letter**: a PDF made from the call's ``LetterTemplate`` in the letter's
language, with its SHA-256. Four eyes: whoever answered the checklist or moved the application
through its formal check cannot decide it (``services.review``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from digileap.programmes.translation import localized, validate_translations

from .applications import APPLICATION_SCOPE, CALL_SCOPE, MONEY, Application, Call, CostLine, _not_negative, _under


class ReviewStage(models.TextChoices):
    APPLICATION = "application", _("Application")
    CLAIM = "claim", _("Claim")
    PROOF_OF_USE = "proof_of_use", _("Proof of use")


class CallReviewer(models.Model):
    """A user assigned to review the applications of a call."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_reviews")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))

    scope_paths = _under("call", CALL_SCOPE)

    class Meta:
        verbose_name = _("reviewer of a call")
        verbose_name_plural = _("reviewers of a call")
        ordering = ["call", "user__username"]
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="call_reviewer_once")]

    def __str__(self) -> str:
        return f"{self.call.code}: {self.user}"


class ReviewItem(models.Model):
    """A question of a call's checklist for one stage, answered yes, no or not applicable."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="review_items")
    stage = models.CharField(_("stage"), max_length=16, choices=ReviewStage.choices)
    code = models.SlugField(_("code"), max_length=40)
    text = models.JSONField(_("question"), default=dict, validators=[validate_translations])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    scope_paths = _under("call", CALL_SCOPE)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["call", "stage", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "stage", "code"], name="review_item_code_unique"),
            models.CheckConstraint(name="review_item_stage_known", condition=models.Q(stage__in=ReviewStage.values)),
        ]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        return localized(self.text) or self.code


class ReviewAnswer(models.Model):
    """The answer to a checklist item for exactly one application, claim or proof of use."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    item = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, related_name="answers")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="review_answers"
    )
    claim = models.ForeignKey(
        "funding.Claim", on_delete=models.CASCADE, null=True, blank=True, related_name="review_answers"
    )
    proof_of_use = models.ForeignKey(
        "funding.ProofOfUse", on_delete=models.CASCADE, null=True, blank=True, related_name="review_answers"
    )
    answer = models.CharField(_("answer"), max_length=16, choices=Answer.choices)
    note = models.TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"))

    scope_paths = _under("item__call", CALL_SCOPE)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["item__stage", "item__position", "id"]
        constraints = [
            models.CheckConstraint(
                name="review_answer_known", condition=models.Q(answer__in=["yes", "no", "not_applicable"])
            ),
            models.CheckConstraint(
                name="review_answer_one_subject",
                condition=models.Q(application__isnull=False, claim__isnull=True, proof_of_use__isnull=True)
                | models.Q(application__isnull=True, claim__isnull=False, proof_of_use__isnull=True)
                | models.Q(application__isnull=True, claim__isnull=True, proof_of_use__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["item", "application"],
                condition=models.Q(application__isnull=False),
                name="review_answer_once_per_application",
            ),
            models.UniqueConstraint(
                fields=["item", "claim"],
                condition=models.Q(claim__isnull=False),
                name="review_answer_once_per_claim",
            ),
            models.UniqueConstraint(
                fields=["item", "proof_of_use"],
                condition=models.Q(proof_of_use__isnull=False),
                name="review_answer_once_per_proof",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.answer}"


class ScoringCriterion(models.Model):
    """An optional scored criterion of a call: a score from 0 to ``max_score``, weighted."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=10)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    scope_paths = _under("call", CALL_SCOPE)

    class Meta:
        verbose_name = _("scored criterion")
        verbose_name_plural = _("scored criteria")
        ordering = ["call", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="scoring_criterion_code_unique"),
            models.CheckConstraint(name="scoring_criterion_max_positive", condition=models.Q(max_score__gt=0)),
            _not_negative("scoring_criterion_weight_not_negative", "weight"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self.name) or self.code


class CriterionScore(models.Model):
    """A reviewer's score of an application on one criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ScoringCriterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"))
    note = models.TextField(_("note"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scored_at = models.DateTimeField(_("scored at"))

    scope_paths = _under("application", APPLICATION_SCOPE)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["application", "criterion__position"]
        constraints = [models.UniqueConstraint(fields=["application", "criterion"], name="criterion_score_once")]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.score}"


class ConflictDeclaration(models.Model):
    """A reviewer's declaration on an application, made before opening it: no conflict of interest
    (``has_conflict`` false) lets them review; a declared conflict keeps them out. Append-only."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflict_declarations")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    has_conflict = models.BooleanField(_("has a conflict of interest"), default=False)
    statement = models.TextField(_("statement"), blank=True)
    declared_at = models.DateTimeField(_("declared at"))

    scope_paths = _under("application", APPLICATION_SCOPE)

    class Meta:
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        ordering = ["application", "declared_at"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="conflict_declaration_once")]

    def __str__(self) -> str:
        return f"{self.application}: {self.reviewer}"


class LetterTemplate(models.Model):
    """The text of a call's decision letter in one language (the placeholders are documented in
    docs/funding.md). A call without a template for a language uses the shipped default."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="letter_templates")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = _under("call", CALL_SCOPE)

    class Meta:
        verbose_name = _("decision letter template")
        verbose_name_plural = _("decision letter templates")
        ordering = ["call", "language"]
        constraints = [models.UniqueConstraint(fields=["call", "language"], name="letter_template_once")]

    def __str__(self) -> str:
        return f"{self.call.code} ({self.language})"


def decision_letter_path(instance, filename: str) -> str:
    return f"funding/decisions/{instance.application_id}/{filename}"


class Decision(models.Model):
    """A decision on an application; number 1 is the first, later numbers are amendments. Frozen
    once made: the database refuses to update a row (migration 0004)."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PARTLY_APPROVED = "partly_approved", _("Partly approved")
        REJECTED = "rejected", _("Rejected")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveIntegerField(_("version"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    conditions = models.TextField(_("conditions"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    requested_total = models.DecimalField(_("funding requested (EUR)"), **MONEY)
    approved_total = models.DecimalField(_("funding approved (EUR)"), **MONEY)
    language = models.CharField(_("language of the letter"), max_length=8, choices=settings.LANGUAGES)
    letter = models.FileField(_("decision letter"), upload_to=decision_letter_path, blank=True)
    letter_sha256 = models.CharField(_("SHA-256 of the letter"), max_length=64, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))

    scope_paths = _under("application", APPLICATION_SCOPE)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="decision_number_unique"),
            models.CheckConstraint(name="decision_number_positive", condition=models.Q(number__gt=0)),
            models.CheckConstraint(
                name="decision_outcome_known",
                condition=models.Q(outcome__in=["approved", "partly_approved", "rejected"]),
            ),
            models.CheckConstraint(
                name="decision_approved_within_requested",
                condition=models.Q(approved_total__gte=0, approved_total__lte=models.F("requested_total")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} D{self.number}"

    @property
    def is_amendment(self) -> bool:
        return self.number > 1


class DecisionLine(models.Model):
    """The funding a decision approves for one cost line: at most what was requested, and lower
    only with a reason."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="lines")
    cost_line = models.ForeignKey(CostLine, on_delete=models.PROTECT, related_name="decision_lines")
    requested = models.DecimalField(_("funding requested (EUR)"), **MONEY)
    approved = models.DecimalField(_("funding approved (EUR)"), **MONEY)
    reason = models.TextField(_("reason"), blank=True)

    scope_paths = _under("decision__application", APPLICATION_SCOPE)

    class Meta:
        verbose_name = _("decision line")
        verbose_name_plural = _("decision lines")
        ordering = ["decision", "cost_line__position"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "cost_line"], name="decision_line_once"),
            models.CheckConstraint(
                name="decision_line_approved_within_requested",
                condition=models.Q(approved__gte=0, approved__lte=models.F("requested")),
            ),
            models.CheckConstraint(
                name="decision_line_reduction_has_reason",
                condition=models.Q(approved=models.F("requested")) | ~models.Q(reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision}: {self.cost_line.position} {self.approved}"
