"""Competence frameworks as versioned data: DigCompEdu ships with Digileap, an authority may load
its own variant. A framework has areas, competences and proficiency levels; each competence says
in one statement per level what a person at that level does (the self-assessment's choices)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from digileap.programmes.translation import localized, validate_translations


class Framework(models.Model):
    """One version of a competence framework. ``authority`` is empty for the frameworks Digileap
    ships (readable by everyone); an authority's own variant belongs to it."""

    authority = models.ForeignKey(
        "schools.Authority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competence_frameworks",
        verbose_name=_("authority"),
    )
    code = models.CharField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    description = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_translations])
    source_url = models.URLField(_("source"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # An authority's own variant is read across that authority; shipped frameworks (no authority) are
    # read by everyone through ``selectors.frameworks.frameworks_for``.
    scope_paths = {
        "authority": "authority",
        "operator": "authority__operators",
        "school": "authority__schools",
        "staff": "authority__staff_members",
    }

    class Meta:
        verbose_name = _("competence framework")
        verbose_name_plural = _("competence frameworks")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], condition=Q(authority__isnull=True), name="framework_shipped_unique"
            ),
            models.UniqueConstraint(
                fields=["authority", "code", "version"],
                condition=Q(authority__isnull=False),
                name="framework_unique_in_authority",
            ),
        ]

    def __str__(self) -> str:
        return f"{localized(self.name) or self.code} {self.version}"


class FrameworkLevel(models.Model):
    """A proficiency level of a framework (DigCompEdu: A1 Newcomer to C2 Pioneer); ``rank`` orders them from 1."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    code = models.CharField(_("code"), max_length=8)
    rank = models.PositiveSmallIntegerField(_("rank"))
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    description = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_translations])

    scope_paths = {"authority": "framework__authority"}

    class Meta:
        verbose_name = _("proficiency level")
        verbose_name_plural = _("proficiency levels")
        ordering = ["framework", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="framework_level_code_unique"),
            models.UniqueConstraint(fields=["framework", "rank"], name="framework_level_rank_unique"),
            models.CheckConstraint(name="framework_level_rank_positive", condition=Q(rank__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.code} {localized(self.name)}".strip()


class Area(models.Model):
    """An area of a framework (DigCompEdu has six)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("code"), max_length=16)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    description = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_translations])

    scope_paths = {"authority": "framework__authority"}

    class Meta:
        verbose_name = _("competence area")
        verbose_name_plural = _("competence areas")
        ordering = ["framework", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="area_code_unique_in_framework")]

    def __str__(self) -> str:
        return f"{self.code} {localized(self.name)}".strip()


class Competence(models.Model):
    """A competence of an area (DigCompEdu has 22). ``framework`` repeats the area's for filtering."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competences")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="competences")
    code = models.CharField(_("code"), max_length=16)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.JSONField(_("name"), default=dict, validators=[validate_translations])
    description = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_translations])

    scope_paths = {"authority": "framework__authority"}

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="competence_code_unique_in_framework")
        ]

    def __str__(self) -> str:
        return f"{self.code} {localized(self.name)}".strip()


class CompetenceLevel(models.Model):
    """What a person at one level does in one competence: the level's descriptor for that
    competence, and the statement a teacher picks in the self-assessment."""

    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="level_statements")
    level = models.ForeignKey(FrameworkLevel, on_delete=models.CASCADE, related_name="+")
    statement = models.JSONField(_("statement"), default=dict, validators=[validate_translations])

    scope_paths = {"authority": "competence__framework__authority"}

    class Meta:
        verbose_name = _("level statement")
        verbose_name_plural = _("level statements")
        ordering = ["competence", "level__rank"]
        constraints = [models.UniqueConstraint(fields=["competence", "level"], name="competence_level_unique")]

    def __str__(self) -> str:
        return f"{self.competence_id}/{self.level_id}"
