"""What the portal keeps of its own: which steps of the seed scenarios have been played."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScenarioStep(models.Model):
    """One step of a seed scenario (``portal/scenarios``) played in this database, at one scale.

    The row is written in the same transaction as the step's data, so a step is either played and
    marked, or neither: a second run skips the marked steps and changes nothing, and a run that
    failed half-way goes on from the step that failed."""

    scenario = models.CharField(_("scenario"), max_length=40)
    step = models.CharField(_("step"), max_length=80)
    scale = models.CharField(_("scale"), max_length=16)
    created = models.JSONField(_("rows created"), default=dict, blank=True)
    completed_at = models.DateTimeField(_("completed at"))

    class Meta:
        verbose_name = _("scenario step")
        verbose_name_plural = _("scenario steps")
        ordering = ["scenario", "id"]
        constraints = [models.UniqueConstraint(fields=["scenario", "step"], name="scenario_step_unique")]

    def __str__(self) -> str:
        return f"{self.scenario}: {self.step} ({self.scale})"
