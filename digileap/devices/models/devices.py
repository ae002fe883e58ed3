"""Deliveries, the devices they bring (or that schools buy themselves), and the append-only
lifecycle events a device's status is derived from."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .catalogue import DeviceModel, DeviceType, OrderLine, PurchaseOrder, Supplier

SCHOOL_SCOPE = {"authority": "school__authority", "operator": "school__operator", "school": "school"}


class DeviceStatus(models.TextChoices):
    """Where a device is in its life. Only ``digileap.devices.lifecycle`` moves a device between them."""

    ORDERED = "ordered", _("Ordered")
    IN_STOCK = "in_stock", _("In stock")
    DELIVERED = "delivered", _("Delivered")
    DEPLOYED = "deployed", _("Deployed")
    IN_REPAIR = "in_repair", _("In repair")
    LOANED_OUT = "loaned_out", _("Loaned out as a replacement")
    LOST_STOLEN = "lost_stolen", _("Lost or stolen")
    RETURNED = "returned", _("Returned")
    RETIRED = "retired", _("Retired")


class Condition(models.TextChoices):
    NEW = "new", _("New")
    REFURBISHED = "refurbished", _("Refurbished")


class Delivery(models.Model):
    """One delivery note: devices a supplier (or the operator) brought to one school, and the
    school's acceptance of them: who accepted, when, and with which discrepancies."""

    class Acceptance(models.TextChoices):
        PENDING = "pending", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        ACCEPTED_WITH_DISCREPANCIES = "accepted_with_discrepancies", _("Accepted with discrepancies")

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries", verbose_name=_("supplier")
    )
    order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("purchase order"),
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("programme")
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("school")
    )
    site = models.ForeignKey(
        "schools.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    note_number = models.CharField(_("delivery note"), max_length=80)
    delivered_on = models.DateField(_("delivered on"))
    import_job = models.ForeignKey(
        "core.ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("import")
    )
    acceptance = models.CharField(
        _("acceptance"), max_length=32, choices=Acceptance.choices, default=Acceptance.PENDING
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    acceptance_note = models.TextField(_("acceptance note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_paths = {**SCHOOL_SCOPE, "supplier": "supplier"}

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-delivered_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "note_number", "school"], name="delivery_note_unique"),
            models.CheckConstraint(
                name="delivery_acceptance_recorded",
                condition=Q(acceptance="pending", accepted_at__isnull=True)
                | (~Q(acceptance="pending") & Q(accepted_at__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["school", "acceptance"], name="delivery_school_acceptance_idx")]

    def __str__(self) -> str:
        return f"{self.note_number} → {self.school}"


class SelfPurchase(models.Model):
    """Devices a school bought itself against its per-pupil funding (the Digisprong model): the
    invoice, and the serials (devices with ``purchase`` set to it)."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="self_purchases", verbose_name=_("programme")
    )
    funding_source = models.ForeignKey(
        "programmes.FundingSource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_purchases",
        verbose_name=_("funding source"),
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="self_purchases", verbose_name=_("school")
    )
    invoice_reference = models.CharField(_("invoice reference"), max_length=80)
    invoice_date = models.DateField(_("invoice date"))
    vendor = models.CharField(_("bought from"), max_length=200)
    amount = models.DecimalField(_("invoice amount (EUR)"), max_digits=12, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    scope_paths = SCHOOL_SCOPE

    class Meta:
        verbose_name = _("self-bought purchase")
        verbose_name_plural = _("self-bought purchases")
        ordering = ["-invoice_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "invoice_reference"], name="self_purchase_invoice_unique"),
            models.CheckConstraint(name="self_purchase_amount_non_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_reference} ({self.school})"


class Device(models.Model):
    """One device with its serial number. ``status`` is derived from its ``DeviceEvent`` rows: only
    ``lifecycle.device_transition`` (which appends the event) writes it, in the same transaction.

    Serial numbers are unique per manufacturer (a database constraint); the serial is kept
    upper-case without surrounding spaces, the manufacturer as the catalogue names it. The model's
    manufacturer and type are repeated here so that lists and indicators over millions of devices
    need no join.
    """

    class Discrepancy(models.TextChoices):
        MISSING = "missing", _("Missing")
        DAMAGED = "damaged", _("Damaged")
        WRONG_MODEL = "wrong_model", _("Wrong model")

    serial = models.CharField(_("serial number"), max_length=64)
    manufacturer = models.CharField(_("manufacturer"), max_length=100)
    device_model = models.ForeignKey(
        DeviceModel, on_delete=models.PROTECT, related_name="devices", verbose_name=_("device model")
    )
    device_type = models.CharField(_("device type"), max_length=24, choices=DeviceType.choices)
    condition = models.CharField(_("condition"), max_length=12, choices=Condition.choices, default=Condition.NEW)
    asset_tag = models.CharField(_("asset tag"), max_length=64, blank=True)
    mac_address = models.CharField(_("MAC address"), max_length=17, blank=True)
    autopilot_hash = models.TextField(_("Autopilot hardware hash"), blank=True)
    windows_product_id = models.CharField(_("Windows product ID"), max_length=40, blank=True)
    google_device_id = models.CharField(_("Google device ID"), max_length=80, blank=True)
    # Indexed by device_programme_type_idx (programme first): no index of its own.
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name=_("programme"),
        db_index=False,
    )
    funding_source = models.ForeignKey(
        "programmes.FundingSource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("funding source"),
    )
    # Indexed by device_school_status_idx and device_school_serial_idx (school first).
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="devices", verbose_name=_("school"), db_index=False
    )
    # Site, order line and purchase are empty for most devices: partial indexes (device_site_idx, ...).
    site = models.ForeignKey(
        "schools.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("site"),
        db_index=False,
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="devices", verbose_name=_("supplier")
    )
    delivery = models.ForeignKey(
        Delivery, on_delete=models.PROTECT, null=True, blank=True, related_name="devices", verbose_name=_("delivery")
    )
    order_line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("order line"),
        db_index=False,
    )
    purchase = models.ForeignKey(
        SelfPurchase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("self-bought purchase"),
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.ORDERED)
    status_changed_at = models.DateTimeField(_("status since"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    first_deployed_on = models.DateField(_("first deployed on"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    discrepancy = models.CharField(_("discrepancy"), max_length=12, choices=Discrepancy.choices, blank=True)
    created_at = models.DateTimeField(_("created at"))

    scope_paths = {**SCHOOL_SCOPE, "supplier": "supplier"}

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["serial", "id"]
        constraints = [
            models.UniqueConstraint(fields=["manufacturer", "serial"], name="device_serial_unique_per_manufacturer"),
            models.CheckConstraint(name="device_serial_not_blank", condition=~Q(serial="")),
            models.CheckConstraint(
                name="device_comes_from_one_source",
                condition=Q(delivery__isnull=True) | Q(purchase__isnull=True),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status", "serial"], name="device_school_status_idx"),
            models.Index(fields=["school", "serial"], name="device_school_serial_idx"),
            models.Index(fields=["status", "serial"], name="device_status_serial_idx"),
            models.Index(fields=["serial"], name="device_serial_idx"),
            models.Index(fields=["programme", "device_type", "status"], name="device_programme_type_idx"),
            models.Index(fields=["programme", "delivered_on"], name="device_programme_delivered_idx"),
            models.Index(fields=["site"], name="device_site_idx", condition=Q(site__isnull=False)),
            models.Index(fields=["order_line"], name="device_order_line_idx", condition=Q(order_line__isnull=False)),
            models.Index(fields=["purchase"], name="device_purchase_idx", condition=Q(purchase__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.serial} ({self.device_model})"


class DeviceEvent(models.Model):
    """One step of a device's life, append-only: the status it moved to (from which), who, when
    and why. The actor is kept as an id and a label, as in the audit trail."""

    # Indexed by device_event_device_idx (device first): no index of its own.
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="events", verbose_name=_("device"), db_index=False
    )
    status = models.CharField(_("status"), max_length=16, choices=DeviceStatus.choices)
    previous_status = models.CharField(_("previous status"), max_length=16, choices=DeviceStatus.choices, blank=True)
    occurred_at = models.DateTimeField(_("time"))
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    scope_paths = {
        "authority": "device__school__authority",
        "operator": "device__school__operator",
        "school": "device__school",
        "supplier": "device__supplier",
    }

    class Meta:
        verbose_name = _("device event")
        verbose_name_plural = _("device events")
        ordering = ["device", "occurred_at", "id"]
        indexes = [models.Index(fields=["device", "occurred_at", "id"], name="device_event_device_idx")]

    def __str__(self) -> str:
        return f"{self.device_id}: {self.previous_status or '-'} → {self.status}"


class DeliveryDiscrepancy(models.Model):
    """A discrepancy the school recorded when accepting a delivery: a device missing, damaged or of
    the wrong model (``device`` empty: e.g. fewer devices than the note says)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="discrepancies")
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="discrepancies", verbose_name=_("device")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Device.Discrepancy.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    scope_paths = {
        "authority": "delivery__school__authority",
        "operator": "delivery__school__operator",
        "school": "delivery__school",
        "supplier": "delivery__supplier",
    }

    class Meta:
        verbose_name = _("delivery discrepancy")
        verbose_name_plural = _("delivery discrepancies")
        ordering = ["delivery", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.device or self.note}"
