"""What accounts adds to the menu (``digileap.core.contributions``): "People" for those who manage
people (administrators, programme owners and operator administrators; docs/people.md), and the
number of people waiting for a role on their home page."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from digileap.core.contributions import MenuEntry, Todo, register_menu, register_todos, reverse_or_none


def _menu(user: Any) -> list[MenuEntry]:
    from .selectors import manages_people

    if user is None or not user.is_authenticated:
        return []
    url = reverse_or_none("people:user-list")
    if url is None or not manages_people(user):
        return []
    return [MenuEntry("people", _("People"), url)]


def _todos(user: Any) -> list[Todo]:
    from .selectors import manages_people, open_requests

    if not manages_people(user):
        return []
    count = open_requests(user).count()
    url = reverse_or_none("people:accessrequest-list")
    if not url:
        return []
    text = ngettext("%(count)s person waits for a role.", "%(count)s people wait for a role.", count) % {"count": count}
    return [Todo("people-waiting", str(_("Waiting for a role")), count, url, text)]


def register() -> None:
    register_menu("accounts.people", 850, _menu)
    register_todos("accounts.people", 850, _todos)
