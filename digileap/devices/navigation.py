"""The devices section's own menu: only the pages the user may open."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from digileap.core.contributions import reverse_or_none
from digileap.core.permissions import Action, can
from digileap.core.types import Text

# The devices pages, in menu order: (key, label, model label, route). A page shows once its route exists.
DEVICE_PAGES = [
    ("devices", _("Devices"), "devices.device", "devices:device-list"),
    ("orders", _("Orders"), "devices.purchaseorder", "devices:purchaseorder-list"),
    ("order-lines", _("Ordered for your schools"), "devices.orderline", "devices:orderline-list"),
    ("comparison", _("Ordered and allocated"), "devices.orderline", "devices:purchaseorder-comparison"),
    ("deliveries", _("Deliveries"), "devices.delivery", "devices:delivery-list"),
    ("self-purchases", _("Self-bought"), "devices.selfpurchase", "devices:selfpurchase-list"),
    ("recipients", _("Recipients and hand-out"), "devices.recipient", "devices:recipient-list"),
    ("agreements", _("User agreements"), "devices.useragreement", "devices:useragreement-list"),
    ("agreement-templates", _("Agreement templates"), "devices.agreementtemplate", "devices:agreementtemplate-list"),
    ("board", _("Roll-out board"), "devices.schoolrollout", "devices:schoolrollout-list"),
    ("tickets", _("Tickets"), "devices.ticket", "devices:ticket-list"),
    ("access-points", _("Access points"), "devices.accesspointinstallation", "devices:accesspointinstallation-list"),
    ("management", _("Device management"), "devices.managementreport", "devices:managementreport-list"),
    ("autopilot", _("Windows Autopilot"), "devices.device", "devices:school-autopilot-choose"),
    ("catalogue", _("Catalogue"), "devices.devicemodel", "devices:devicemodel-list"),
    ("contracts", _("Contracts"), "devices.frameworkcontract", "devices:frameworkcontract-list"),
    ("suppliers", _("Suppliers"), "devices.supplier", "devices:supplier-list"),
]


def device_sections(user) -> list[tuple[str, Text, str]]:
    """(key, label, url) of the devices pages ``user`` may open."""
    if user is None or not user.is_authenticated:
        return []
    sections: list[tuple[str, Text, str]] = []
    sees_orders = can(user, Action.VIEW, apps.get_model("devices.purchaseorder"))
    for key, label, model_label, route in DEVICE_PAGES:
        url = reverse_or_none(route)
        action = Action.CHANGE if key == "autopilot" else Action.VIEW
        if not url or not can(user, action, apps.get_model(model_label)):
            continue
        if key == "order-lines" and sees_orders:
            continue  # the orders themselves list their lines
        sections.append((key, label, url))
    return sections
