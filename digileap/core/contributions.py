"""What each app contributes to the pages that gather every app: the menu, the sections' own pages,
the home page's to-dos and the school page's panels.

``core`` knows no domain app. Each app registers its providers here from its ``AppConfig.ready()``
(in its ``contributions.py``); the menu, the home page (``digileap.portal``) and the school page
(``digileap.schools``) only read this registry. A provider is called with the signed-in user (or
the request and the school, for a panel) and returns only what that user may open: an entry whose
page would answer 403 is not shown.

Registering again under the same name replaces the provider, so a reloaded app does not count twice.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString

from .types import Text


@dataclass(frozen=True)
class MenuEntry:
    """One link of the main menu or of a section's own menu."""

    key: str
    label: Text
    url: str


@dataclass(frozen=True)
class Todo:
    """One pending item on the home page: how many, and the list filtered to them."""

    key: str
    label: Text
    count: int
    url: str
    text: Text = ""


@dataclass(frozen=True)
class Action:
    """A direct way into a page the user works in every day (a school's hand-out)."""

    key: str
    label: Text
    url: str
    text: Text = ""


@dataclass(frozen=True)
class Tile:
    """A part of the platform on the home page: its title, how many (or None), a line, its page."""

    key: str
    title: Text
    count: int | None
    text: Text
    href: str


@dataclass(frozen=True)
class Panel:
    """A part of the school page that belongs to another app: a template and its context."""

    key: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    context: dict[str, Any]
    html: SafeString


@dataclass(frozen=True)
class Section:
    """A menu entry with pages of its own (devices): ``url`` is the section's first page, and every
    page under it shows ``pages(user)`` as a second menu."""

    key: str
    url: Callable[[], str | None]
    pages: Callable[[Any], list[MenuEntry]]


MenuProvider = Callable[[Any], Iterable[MenuEntry]]
TodoProvider = Callable[[Any], Iterable[Todo]]
ActionProvider = Callable[[Any], Iterable[Action]]
PanelProvider = Callable[[Any, Any], Panel | None]
TileProvider = Callable[[Any], Iterable[Tile]]

_menu: dict[str, tuple[int, MenuProvider]] = {}
_todos: dict[str, tuple[int, TodoProvider]] = {}
_actions: dict[str, tuple[int, ActionProvider]] = {}
_school_panels: dict[str, tuple[int, PanelProvider]] = {}
_tiles: dict[str, tuple[int, TileProvider]] = {}
_sections: dict[str, Section] = {}


def reverse_or_none(*names: str, **kwargs) -> str | None:
    """The first of ``names`` that resolves (a page shows once its route exists), else None."""
    for name in names:
        try:
            return reverse(name, **kwargs)
        except NoReverseMatch:
            continue
    return None


def register_menu(name: str, order: int, provider: MenuProvider) -> None:
    """``provider(user)`` gives the main-menu entries of one app; ``order`` places them (lowest first)."""
    _menu[name] = (order, provider)


def register_todos(name: str, order: int, provider: TodoProvider) -> None:
    """``provider(user)`` gives the user's pending items of one app, counted, with their filtered lists."""
    _todos[name] = (order, provider)


def register_actions(name: str, order: int, provider: ActionProvider) -> None:
    """``provider(user)`` gives the home page's direct links into the user's daily work."""
    _actions[name] = (order, provider)


def register_tiles(name: str, order: int, provider: TileProvider) -> None:
    """``provider(user)`` gives the home page's tiles of one app (only parts the user may open)."""
    _tiles[name] = (order, provider)


def register_school_panel(name: str, order: int, provider: PanelProvider) -> None:
    """``provider(request, school)`` gives one panel of the school page, or None when it has nothing."""
    _school_panels[name] = (order, provider)


def register_section(section: Section) -> None:
    _sections[section.key] = section


def _ordered(registry: dict[str, tuple[int, Callable]]) -> list[Callable]:
    return [provider for _order, _name, provider in sorted((o, n, p) for n, (o, p) in registry.items())]


def menu_for(user) -> list[MenuEntry]:
    """The main menu of ``user`` (anonymous included), in order."""
    return [entry for provider in _ordered(_menu) for entry in provider(user)]


def todos_for(user) -> list[Todo]:
    """The pending items of ``user``, in order; only those with something pending."""
    if user is None or not user.is_authenticated:
        return []
    return [todo for provider in _ordered(_todos) for todo in provider(user) if todo.count > 0]


def actions_for(user) -> list[Action]:
    if user is None or not user.is_authenticated:
        return []
    return [action for provider in _ordered(_actions) for action in provider(user)]


def tiles_for(user) -> list[Tile]:
    if user is None or not user.is_authenticated:
        return []
    return [tile for provider in _ordered(_tiles) for tile in provider(user)]


def section_pages_for(user, path: str) -> list[MenuEntry]:
    """The pages of the section ``path`` lies in, for sections that have several; else none."""
    for section in _sections.values():
        url = section.url()
        if url and path.startswith(url):
            return section.pages(user)
    return []


def section_pages(key: str, user) -> list[MenuEntry]:
    section = _sections.get(key)
    return section.pages(user) if section else []


def school_panels_for(request, school) -> list[RenderedPanel]:
    """The other apps' panels of the school page, rendered, in order."""
    rendered = []
    for provider in _ordered(_school_panels):
        panel = provider(request, school)
        if panel is None:
            continue
        html = render_to_string(panel.template, panel.context, request=request)
        rendered.append(RenderedPanel(panel.key, panel.context, SafeString(html)))
    return rendered
