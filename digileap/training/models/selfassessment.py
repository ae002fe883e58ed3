"""Self-assessment rounds and answers. Answers are personal: only the teacher reads their own;
everyone else sees results of groups of at least ``DIGILEAP_TRAINING_MIN_GROUP`` teachers."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from digileap.programmes.translation import localized, validate_translations

from .courses import AUTHORITY_WIDE


class AssessmentRound(models.Model):
    """A period in which a programme's teachers assess themselves on a framework ("before", "after")."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="assessment_rounds", verbose_name=_("programme")
    )
    framework = models.ForeignKey(
        "training.Framework", on_delete=models.PROTECT, related_name="rounds", verbose_name=_("framework")
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_paths = AUTHORITY_WIDE

    class Meta:
        verbose_name = _("self-assessment round")
        verbose_name_plural = _("self-assessment rounds")
        ordering = ["-opens_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="round_code_unique_in_programme"),
            models.CheckConstraint(name="round_closes_after_opening", condition=Q(closes_on__gte=F("opens_on"))),
        ]

    def __str__(self) -> str:
        return localized(self.name) or self.code


class SelfAssessment(models.Model):
    """One teacher's answers in one round. Answering again replaces the answers (the audit trail
    keeps both). ``school`` is where they worked when answering, for group results."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="assessments")
    staff = models.ForeignKey("training.StaffMember", on_delete=models.CASCADE, related_name="self_assessments")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))

    # Personal: only the person's own scope reaches it; others read groups through selectors.
    scope_paths = {"staff": "staff"}

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [models.UniqueConstraint(fields=["round", "staff"], name="self_assessment_once_per_round")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.staff_id}"


class AssessmentAnswer(models.Model):
    """The level a teacher chose for one competence (the rank of the framework level)."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    competence = models.ForeignKey("training.Competence", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("level"))

    scope_paths = {"staff": "assessment__staff"}

    class Meta:
        verbose_name = _("self-assessment answer")
        verbose_name_plural = _("self-assessment answers")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "competence"], name="answer_once_per_competence"),
            models.CheckConstraint(name="answer_rank_positive", condition=Q(rank__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.competence_id}={self.rank}"
