"""What the allocation app adds to the menu, the home page and the school page (see
``digileap.core.contributions``): its four lists, the rounds awaiting approval and the change
requests to schedule or decide, and the school's lines of the allocation versions."""

from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from digileap.core.contributions import MenuEntry, Panel, Todo, register_menu, register_school_panel, register_todos
from digileap.core.contributions import reverse_or_none as _reverse
from digileap.core.permissions import Action, can

# The school page shows the newest lines of the versions the user may see.
SCHOOL_LINES_MAX = 50


def _filtered(route: str, **query) -> str | None:
    url = _reverse(route)
    return f"{url}?{urlencode(query)}" if url and query else url


def _menu(user) -> list[MenuEntry]:
    from .models import AllocationRound, ChangeRequest, NeedDeclaration, RolloutPlan

    if user is None or not user.is_authenticated:
        return []
    pages = [
        ("allocation", _("Allocation"), AllocationRound, "allocation:allocationround-list"),
        ("needs", _("Needs"), NeedDeclaration, "allocation:needdeclaration-list"),
        ("plans", _("Roll-out plans"), RolloutPlan, "allocation:rolloutplan-list"),
        ("change-requests", _("Change requests"), ChangeRequest, "allocation:changerequest-list"),
    ]
    entries = []
    for key, label, model, route in pages:
        url = _reverse(route)
        if url and can(user, Action.VIEW, model):
            entries.append(MenuEntry(key, label, url))
    return entries


def _todos(user) -> list[Todo]:
    from .models import AllocationRound, ChangeRequest
    from .selectors.change_requests import change_requests_for
    from .selectors.rounds import rounds_for

    todos = []
    if can(user, Action.CHANGE, AllocationRound):
        count = rounds_for(user).filter(status=AllocationRound.Status.COMPUTED).count()
        url = _filtered("allocation:allocationround-list", status=AllocationRound.Status.COMPUTED)
        if url:
            todos.append(
                Todo(
                    "rounds-to-approve",
                    ngettext("allocation round to approve", "allocation rounds to approve", count),
                    count,
                    url,
                    _("Computed and waiting for your approval."),
                )
            )
    if can(user, Action.CHANGE, ChangeRequest):
        requests = change_requests_for(user)
        submitted = requests.filter(status=ChangeRequest.Status.SUBMITTED).count()
        on_agenda = requests.filter(status=ChangeRequest.Status.ON_AGENDA).count()
        for key, status, count, label, text in (
            (
                "change-requests-submitted",
                ChangeRequest.Status.SUBMITTED,
                submitted,
                ngettext("change request to put on an agenda", "change requests to put on an agenda", submitted),
                _("Submitted by operators; schedule them for a committee meeting."),
            ),
            (
                "change-requests-on-agenda",
                ChangeRequest.Status.ON_AGENDA,
                on_agenda,
                ngettext("change request to decide", "change requests to decide", on_agenda),
                _("On a committee's agenda; record the committee's decision."),
            ),
        ):
            url = _filtered("allocation:changerequest-list", status=status)
            if url:
                todos.append(Todo(key, label, count, url, text))
    return todos


def _school_panel(request, school) -> Panel:
    from .selectors.rounds import lines_for_school

    return Panel(
        "allocation",
        "allocation/_round_school_lines.html",
        {"lines": lines_for_school(request.user, school)[:SCHOOL_LINES_MAX]},
    )


def register() -> None:
    register_menu("allocation", 200, _menu)
    register_todos("allocation", 200, _todos)
    register_school_panel("allocation", 200, _school_panel)
