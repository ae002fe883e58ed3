"""Core's own entries of the main menu: home, imports, the audit log and the API documentation.

The domain apps add theirs from their ``contributions.py`` (see ``digileap.core.contributions``).
"""

from django.utils.translation import gettext_lazy as _

from digileap.accounts.models import Role
from digileap.core.contributions import MenuEntry, register_menu, reverse_or_none
from digileap.core.permissions import has_role

# The import pages belong to another module; the link shows once one of these routes exists.
IMPORT_ROUTE_NAMES = ("import-list", "importjob-list", "imports:import-list", "imports:importjob-list")


def imports_url() -> str | None:
    return reverse_or_none(*IMPORT_ROUTE_NAMES)


def _may_import_something(user) -> bool:
    """Schools for the registry's keepers; deliveries, recipients and device reports for others."""
    from digileap.core.tabular.engine import import_targets, may_import

    return any(may_import(user, target) for target in import_targets())


def _home(user) -> list[MenuEntry]:
    url = reverse_or_none("home")
    return [MenuEntry("home", _("Home"), url)] if url else []


def _tools(user) -> list[MenuEntry]:
    if user is None or not user.is_authenticated:
        return []
    entries = []
    url = imports_url()
    if url and _may_import_something(user):
        entries.append(MenuEntry("imports", _("Imports"), url))
    if has_role(user, Role.ADMINISTRATOR, Role.AUDITOR) and (audit_log := reverse_or_none("audit-log")):
        entries.append(MenuEntry("audit", _("Audit log"), audit_log))
    if api_docs := reverse_or_none("api-docs"):
        entries.append(MenuEntry("api", _("API"), api_docs))
    return entries


def register() -> None:
    register_menu("core.home", 0, _home)
    register_menu("core.tools", 900, _tools)
