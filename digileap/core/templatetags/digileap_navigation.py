"""The base layout's navigation: only the sections the signed-in user can reach."""

from dataclasses import dataclass

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from digileap.accounts.models import Role
from digileap.core.permissions import Action, can, has_role

register = template.Library()

# The import pages belong to another module; the link shows once one of these routes exists.
IMPORT_ROUTE_NAMES = ("import-list", "importjob-list", "imports:import-list", "imports:importjob-list")


@dataclass(frozen=True)
class NavigationItem:
    key: str
    label: str
    url: str
    is_current: bool = False


def _reverse_first(*names: str) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def imports_url() -> str | None:
    return _reverse_first(*IMPORT_ROUTE_NAMES)


def sections_for(user) -> list[tuple[str, str, str]]:
    """(key, label, url) of every section ``user`` may open, in menu order."""
    from digileap.programmes.models import Programme
    from digileap.schools.models import School, SchoolOperator

    sections = [("home", _("Home"), reverse("home"))]
    if user is None or not user.is_authenticated:
        sections.append(("public", _("Public programmes"), reverse("public:index")))
        return sections
    if can(user, Action.VIEW, Programme):
        sections.append(("programmes", _("Programmes"), reverse("programmes:programme-list")))
    sections.extend(_allocation_sections(user))
    devices_url = _reverse_first("devices:device-overview")
    if devices_url and device_sections(user):
        sections.append(("devices", _("Devices"), devices_url))
    if can(user, Action.VIEW, School):
        sections.append(("schools", _("Schools"), reverse("schools:school-list")))
    if can(user, Action.VIEW, SchoolOperator):
        sections.append(("operators", _("School operators"), reverse("schools:operator-list")))
    url = imports_url()
    if url and _may_import_something(user):
        sections.append(("imports", _("Imports"), url))
    if has_role(user, Role.ADMINISTRATOR, Role.AUDITOR):
        sections.append(("audit", _("Audit log"), reverse("audit-log")))
    sections.append(("api", _("API"), reverse("api-docs")))
    return sections


def _may_import_something(user) -> bool:
    """Schools for the registry's keepers; deliveries, recipients and device reports for others."""
    from digileap.core.tabular.engine import import_targets, may_import

    return any(may_import(user, target) for target in import_targets())


def _allocation_sections(user) -> list[tuple[str, str, str]]:
    """Allocation rounds, needs, roll-out plans and change requests, for those who may read them."""
    from digileap.allocation.models import AllocationRound, ChangeRequest, NeedDeclaration, RolloutPlan

    entries = [
        ("allocation", _("Allocation"), AllocationRound, "allocation:allocationround-list"),
        ("needs", _("Needs"), NeedDeclaration, "allocation:needdeclaration-list"),
        ("plans", _("Roll-out plans"), RolloutPlan, "allocation:rolloutplan-list"),
        ("change-requests", _("Change requests"), ChangeRequest, "allocation:changerequest-list"),
    ]
    sections = []
    for key, label, model, route in entries:
        url = _reverse_first(route)
        if url and can(user, Action.VIEW, model):
            sections.append((key, label, url))
    return sections


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


def device_sections(user) -> list[tuple[str, str, str]]:
    """(key, label, url) of the devices pages ``user`` may open."""
    from django.apps import apps

    if user is None or not user.is_authenticated:
        return []
    sections = []
    sees_orders = can(user, Action.VIEW, apps.get_model("devices.purchaseorder"))
    for key, label, model_label, route in DEVICE_PAGES:
        url = _reverse_first(route)
        action = Action.CHANGE if key == "autopilot" else Action.VIEW
        if not url or not can(user, action, apps.get_model(model_label)):
            continue
        if key == "order-lines" and sees_orders:
            continue  # the orders themselves list their lines
        sections.append((key, label, url))
    return sections


@register.simple_tag(takes_context=True)
def section_navigation(context) -> list[NavigationItem]:
    """The pages of the current section, for sections that have several (devices)."""
    request = context.get("request")
    path = getattr(request, "path", "")
    overview = _reverse_first("devices:device-overview")
    if not overview or not path.startswith(overview):
        return []
    sections = device_sections(getattr(request, "user", None))
    current = max((url for _key, _label, url in sections if path.startswith(url)), key=len, default=None)
    return [NavigationItem(key, str(label), url, url == current) for key, label, url in sections]


@register.simple_tag(takes_context=True)
def main_navigation(context) -> list[NavigationItem]:
    request = context.get("request")
    user = getattr(request, "user", None)
    path = getattr(request, "path", "")
    sections = sections_for(user)
    # The longest matching prefix is the current section (operators live under /schools/operators/).
    current = max((url for _key, _label, url in sections if url != "/" and path.startswith(url)), key=len, default=None)
    if current is None and path == "/":
        current = "/"
    return [NavigationItem(key, str(label), url, url == current) for key, label, url in sections]


@register.simple_tag(takes_context=True)
def user_roles(context) -> list[str]:
    """The signed-in user's roles with their scopes, for the header."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    assignments = user.role_assignments.select_related("authority", "operator", "school", "supplier")
    return [str(assignment) for assignment in assignments]
