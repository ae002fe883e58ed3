"""The home page: for visitors, what Digileap is; for a signed-in user, what to do next (each app's
pending items, counted, with links to the filtered lists), direct ways into their daily work, and a
tile for each part they can reach."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from digileap.accounts.models import Role
from digileap.core.contributions import actions_for, tiles_for, todos_for
from digileap.core.menu import imports_url
from digileap.core.permissions import Action, can, has_role
from digileap.schools import selectors as school_selectors
from digileap.schools.models import School, SchoolOperator


def _tiles(user) -> list[dict]:
    tiles = []
    if can(user, Action.VIEW, School):
        tiles.append(
            {
                "key": "schools",
                "title": _("Schools"),
                "count": school_selectors.schools_for(user).count(),
                "text": _("The registry: enrolment, socio-economic index, sites and history."),
                "href": reverse("schools:school-list"),
            }
        )
    if can(user, Action.VIEW, SchoolOperator):
        tiles.append(
            {
                "key": "operators",
                "title": _("School operators"),
                "count": school_selectors.operators_for(user).count(),
                "text": _("The bodies that run schools, with their schools."),
                "href": reverse("schools:operator-list"),
            }
        )
    url = imports_url()
    if url and can(user, Action.ADD, School):
        tiles.append(
            {
                "key": "imports",
                "title": _("Imports"),
                "count": None,
                "text": _("Load the official school lists from CSV or XLSX, with a preview."),
                "href": url,
            }
        )
    if has_role(user, Role.ADMINISTRATOR, Role.AUDITOR):
        tiles.append(
            {
                "key": "audit",
                "title": _("Audit log"),
                "count": None,
                "text": _("Every change: who, when, before and after. Tamper-evident."),
                "href": reverse("audit-log"),
            }
        )
    # The apps' own parts (devices), each shown only to those who may open it.
    tiles.extend(vars(tile) for tile in tiles_for(user))
    tiles.append(
        {
            "key": "api",
            "title": _("API documentation"),
            "count": None,
            "text": _("The REST API with its OpenAPI schema, for exchange with other systems."),
            "href": reverse("api-docs"),
        }
    )
    return tiles


def home(request):
    user = request.user
    if not user.is_authenticated:
        return render(request, "portal/home.html", {"tiles": [], "todos": [], "actions": []})
    if not user.is_superuser and not has_role(user, *Role.values):
        return redirect("waiting_for_role")  # nothing to show: say who gives a role (single sign-on)
    context = {"todos": todos_for(user), "actions": actions_for(user), "tiles": _tiles(user)}
    return render(request, "portal/home.html", context)
