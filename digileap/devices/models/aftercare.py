"""Aftercare: repair tickets measured against the contract's service levels, and Wi-Fi access
points installed at a school's site and verified by the school."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .catalogue import FrameworkContract, Supplier
from .devices import SCHOOL_SCOPE, Device


class Ticket(models.Model):
    """A problem with a device: category, description, the supplier that works it, the response and
    repair deadlines from the contract's service levels, its status, and a replacement device."""

    class Category(models.TextChoices):
        HARDWARE = "hardware", _("Hardware defect")
        SOFTWARE = "software", _("Software")
        DAMAGE = "damage", _("Damage")
        THEFT = "theft", _("Theft")
        LOSS = "loss", _("Loss")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_REPAIR = "in_repair", _("In repair")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("device"))
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("school")
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", verbose_name=_("supplier")
    )
    contract = models.ForeignKey(
        FrameworkContract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("framework contract"),
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response_due = models.DateTimeField(_("response due"), null=True, blank=True)
    repair_due = models.DateTimeField(_("repair due"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    replacement_device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacement_for",
        verbose_name=_("replacement device"),
    )
    resolution = models.TextField(_("resolution"), blank=True)

    scope_paths = {**SCHOOL_SCOPE, "supplier": "supplier"}

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="ticket_closed_has_date", condition=~Q(status="closed") | Q(closed_at__isnull=False)
            ),
            models.CheckConstraint(
                name="ticket_replacement_is_another_device",
                condition=Q(replacement_device__isnull=True) | ~Q(replacement_device=models.F("device")),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status"], name="ticket_school_status_idx"),
            models.Index(fields=["status", "repair_due"], name="ticket_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} · {self.device_id}"


class AccessPointInstallation(models.Model):
    """A Wi-Fi access point installed at a school's site, in a building and room, on a date, and the
    school's verification of it. Verified installations count toward hotspot targets."""

    device = models.OneToOneField(
        Device, on_delete=models.PROTECT, related_name="installation", verbose_name=_("access point")
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="access_points", verbose_name=_("school")
    )
    site = models.ForeignKey(
        "schools.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    building = models.CharField(_("building"), max_length=120, blank=True)
    room = models.CharField(_("room"), max_length=120)
    installed_on = models.DateField(_("installed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    scope_paths = {**SCHOOL_SCOPE, "supplier": "device__supplier"}

    class Meta:
        verbose_name = _("access point installation")
        verbose_name_plural = _("access point installations")
        ordering = ["school", "building", "room"]
        indexes = [models.Index(fields=["school", "installed_on"], name="access_point_school_idx")]

    def __str__(self) -> str:
        return f"{self.device_id} @ {self.building} {self.room}"
