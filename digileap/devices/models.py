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

    scope_paths = {"supplier": "pk"}

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
