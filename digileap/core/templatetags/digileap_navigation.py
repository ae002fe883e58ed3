"""The base layout's navigation: only the sections the signed-in user can reach.

The entries come from each app's contributions (``digileap.core.contributions``); this module knows
no domain app.
"""

from dataclasses import dataclass

from django import template

from digileap.core.contributions import menu_for, section_pages_for
from digileap.core.types import Text

register = template.Library()


@dataclass(frozen=True)
class NavigationItem:
    key: str
    label: str
    url: str
    is_current: bool = False


def sections_for(user) -> list[tuple[str, Text, str]]:
    """(key, label, url) of every section ``user`` may open, in menu order."""
    return [(entry.key, entry.label, entry.url) for entry in menu_for(user)]


@register.simple_tag(takes_context=True)
def section_navigation(context) -> list[NavigationItem]:
    """The pages of the current section, for sections that have several (devices)."""
    request = context.get("request")
    path = getattr(request, "path", "")
    pages = section_pages_for(getattr(request, "user", None), path)
    current = max((entry.url for entry in pages if path.startswith(entry.url)), key=len, default=None)
    return [NavigationItem(entry.key, str(entry.label), entry.url, entry.url == current) for entry in pages]


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


@register.simple_tag(takes_context=True)
def second_factor_offered(context) -> bool:
    """Whether the header links to the second factor's set-up (administrators, programme owners)."""
    from digileap.accounts.otp import may_set_up

    user = getattr(context.get("request"), "user", None)
    return user is not None and may_set_up(user)
