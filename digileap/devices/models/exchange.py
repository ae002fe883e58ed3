"""Exchange with device-management tools: an Intune or Google Admin device export, imported to
reconcile which funded devices are enrolled and which enrolled devices are unknown."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .devices import Device


class ManagementReport(models.Model):
    """One device export from a management tool, for an operator (optionally one school)."""

    class Source(models.TextChoices):
        INTUNE = "intune", _("Microsoft Intune")
        GOOGLE = "google", _("Google Admin")

    source = models.CharField(_("tool"), max_length=8, choices=Source.choices)
    operator = models.ForeignKey(
        "schools.SchoolOperator",
        on_delete=models.PROTECT,
        related_name="management_reports",
        verbose_name=_("operator"),
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="management_reports",
        verbose_name=_("school"),
    )
    original_filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    matched = models.PositiveIntegerField(_("funded and enrolled"), default=0)
    unknown = models.PositiveIntegerField(_("enrolled but unknown"), default=0)
    not_enrolled = models.PositiveIntegerField(_("funded but not enrolled"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    scope_paths = {"authority": "operator__authority", "operator": "operator", "school": "school"}

    class Meta:
        verbose_name = _("management report")
        verbose_name_plural = _("management reports")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.original_filename}"


class ManagedDevice(models.Model):
    """One row of a management report: a device the tool knows, matched to a funded device by
    manufacturer and serial where one exists."""

    report = models.ForeignKey(ManagementReport, on_delete=models.CASCADE, related_name="managed_devices")
    serial = models.CharField(_("serial number"), max_length=64)
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    model_name = models.CharField(_("model"), max_length=200, blank=True)
    device_name = models.CharField(_("device name"), max_length=200, blank=True)
    last_sync_at = models.DateTimeField(_("last check-in"), null=True, blank=True)
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("funded device")
    )

    scope_paths = {
        "authority": "report__operator__authority",
        "operator": "report__operator",
        "school": "report__school",
    }

    class Meta:
        verbose_name = _("managed device")
        verbose_name_plural = _("managed devices")
        ordering = ["report", "serial"]
        indexes = [models.Index(fields=["report", "device"], name="managed_device_report_idx")]

    def __str__(self) -> str:
        return self.serial
