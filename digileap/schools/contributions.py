"""What the schools app adds to the menu (see ``digileap.core.contributions``): the registry of
schools and of school operators."""

from django.utils.translation import gettext_lazy as _

from digileap.core.contributions import MenuEntry, register_menu, reverse_or_none
from digileap.core.permissions import Action, can


def _menu(user) -> list[MenuEntry]:
    from .models import School, SchoolOperator

    if user is None or not user.is_authenticated:
        return []
    entries = []
    schools_url = reverse_or_none("schools:school-list")
    if schools_url and can(user, Action.VIEW, School):
        entries.append(MenuEntry("schools", _("Schools"), schools_url))
    operators_url = reverse_or_none("schools:operator-list")
    if operators_url and can(user, Action.VIEW, SchoolOperator):
        entries.append(MenuEntry("operators", _("School operators"), operators_url))
    return entries


def register() -> None:
    register_menu("schools", 400, _menu)
