from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceType(models.TextChoices):
    """The kinds of equipment a programme buys; allocation rounds in units and needs use them too."""

    LAPTOP = "laptop", _("Laptop")
    CHROMEBOOK = "chromebook", _("Chromebook")
    TABLET = "tablet", _("Tablet")
    INTERACTIVE_DISPLAY = "interactive_display", _("Interactive display")
    PROJECTOR = "projector", _("Projector")
    ACCESS_POINT = "access_point", _("Wi-Fi access point")
    NETWORK_SWITCH = "network_switch", _("Network switch")
    OTHER = "other", _("Other")


class Supplier(models.Model):
    """A company that delivers devices and works aftercare tickets. Supplier users are scoped to one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    vat_number = models.CharField(_("VAT number"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    # Suppliers are kept by the authorities that hold contracts with them; a supplier user sees itself.
    scope_paths = {"authority": "contracts__authority", "supplier": "pk"}

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


SUPPLIER_SCOPE = {"supplier": "supplier"}


class DeviceModel(models.Model):
    """A model in the catalogue: who makes it, what it is, its list price and warranty.

    ``code`` is how delivery files and orders name it (``dell-lat3440``); the manufacturer's name
    is the one serial numbers are unique under (see ``Device``).
    """

    authority = models.ForeignKey(
        "schools.Authority", on_delete=models.PROTECT, related_name="device_models", verbose_name=_("authority")
    )
    code = models.SlugField(_("code"), max_length=60)
    manufacturer = models.CharField(_("manufacturer"), max_length=100)
    name = models.CharField(_("model"), max_length=200)
    device_type = models.CharField(_("device type"), max_length=24, choices=DeviceType.choices)
    specifications = models.JSONField(
        _("specifications"), default=dict, blank=True, help_text=_("Processor, memory, storage, screen, ...")
    )
    unit_price = models.DecimalField(_("list price (EUR)"), max_digits=10, decimal_places=2, default=0)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=24)
    is_active = models.BooleanField(_("orderable"), default=True)

    # An authority keeps its own catalogue; its operators and schools read it, suppliers read the
    # models their contracts offer.
    scope_paths = {
        "authority": "authority",
        "operator": "authority__operators",
        "school": "authority__schools",
        "supplier": "contract_items__contract__supplier",
    }

    class Meta:
        verbose_name = _("device model")
        verbose_name_plural = _("device models")
        ordering = ["manufacturer", "name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "code"], name="device_model_code_unique"),
            models.UniqueConstraint(fields=["authority", "manufacturer", "name"], name="device_model_name_unique"),
            models.CheckConstraint(name="device_model_price_non_negative", condition=models.Q(unit_price__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.name}"


class FrameworkContract(models.Model):
    """A framework contract with a supplier: its term, its prices (``ContractItem``) and the service
    levels aftercare tickets are measured against."""

    authority = models.ForeignKey(
        "schools.Authority", on_delete=models.PROTECT, related_name="framework_contracts", verbose_name=_("authority")
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("supplier")
    )
    reference = models.CharField(_("reference"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    ceiling = models.DecimalField(
        _("ceiling (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True, help_text=_("Empty: no ceiling.")
    )
    response_hours = models.PositiveIntegerField(
        _("response time (hours)"), default=8, help_text=_("Service level: first response to a ticket.")
    )
    repair_hours = models.PositiveIntegerField(
        _("repair time (hours)"), default=72, help_text=_("Service level: device repaired or replaced.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_paths = {"authority": "authority", **SUPPLIER_SCOPE}

    class Meta:
        verbose_name = _("framework contract")
        verbose_name_plural = _("framework contracts")
        ordering = ["-starts_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "reference"], name="contract_reference_unique"),
            models.CheckConstraint(
                name="contract_term_ordered", condition=models.Q(ends_on__gte=models.F("starts_on"))
            ),
            models.CheckConstraint(
                name="contract_ceiling_non_negative",
                condition=models.Q(ceiling__isnull=True) | models.Q(ceiling__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class ContractItem(models.Model):
    """A device model a contract offers, at the contract's unit price."""

    contract = models.ForeignKey(FrameworkContract, on_delete=models.CASCADE, related_name="items")
    device_model = models.ForeignKey(
        DeviceModel, on_delete=models.PROTECT, related_name="contract_items", verbose_name=_("device model")
    )
    unit_price = models.DecimalField(_("unit price (EUR)"), max_digits=10, decimal_places=2)

    scope_paths = {"authority": "contract__authority", "supplier": "contract__supplier"}

    class Meta:
        verbose_name = _("contract item")
        verbose_name_plural = _("contract items")
        ordering = ["contract", "device_model"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "device_model"], name="contract_item_unique"),
            models.CheckConstraint(name="contract_item_price_non_negative", condition=models.Q(unit_price__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.device_model} @ {self.unit_price}"


class PurchaseOrder(models.Model):
    """An order to a supplier, paid from one funding source of one programme. ``operator`` is the
    buyer where an operator buys (empty: the programme's authority buys centrally)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PLACED = "placed", _("Placed")
        PARTLY_DELIVERED = "partly_delivered", _("Partly delivered")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("programme")
    )
    funding_source = models.ForeignKey(
        "programmes.FundingSource",
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("funding source"),
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier")
    )
    contract = models.ForeignKey(
        FrameworkContract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchase_orders",
        verbose_name=_("framework contract"),
    )
    operator = models.ForeignKey(
        "schools.SchoolOperator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchase_orders",
        verbose_name=_("buying operator"),
    )
    number = models.CharField(_("order number"), max_length=60)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    ordered_on = models.DateField(_("ordered on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_paths = {"authority": "programme__authority", "operator": "operator", **SUPPLIER_SCOPE}

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="purchase_order_number_unique"),
            models.CheckConstraint(
                name="purchase_order_placed_has_date",
                condition=models.Q(status="draft") | models.Q(status="cancelled") | models.Q(ordered_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """Devices of one model ordered for one school, at a unit price; linked to the allocation line
    that funds them where there is one, so that ordered and allocated can be compared per school."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    device_model = models.ForeignKey(
        DeviceModel, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("device model")
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("school")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price (EUR)"), max_digits=10, decimal_places=2)
    allocation_line = models.ForeignKey(
        "allocation.AllocationLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
        verbose_name=_("allocation line"),
    )

    scope_paths = {
        "authority": "school__authority",
        "operator": "school__operator",
        "school": "school",
        "supplier": "order__supplier",
    }

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "school", "id"]
        constraints = [
            models.CheckConstraint(name="order_line_quantity_positive", condition=models.Q(quantity__gt=0)),
            models.CheckConstraint(name="order_line_price_non_negative", condition=models.Q(unit_price__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.device_model} → {self.school}"

    @property
    def amount(self):
        return self.quantity * self.unit_price
