"""What the funding app adds to the menu and the home page (see ``digileap.core.contributions``).

- The menu's "Funding": operator staff of one operator land on their operator's funding page;
  everyone else who may see calls (the authority's roles, the auditor) on the list of calls.
- To-dos of operator staff: an open call with a published entitlement and no application yet, a
  claim returned, a proof of use due within ``PROOF_DUE_DAYS`` days (or overdue) or returned.
- To-dos of programme owners and funding administrators: per call, applications waiting for the
  formal check or the review (the call's page); claims submitted and waiting for their check (the
  list of claims filtered to them).

Each to-do is one SQL count (or one grouped count for the per-call ones), so the home page stays
fast whatever the number of calls, applications and claims.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from digileap.accounts.models import Role
from digileap.core.contributions import MenuEntry, Todo, register_menu, register_todos, reverse_or_none
from digileap.core.permissions import Action, assignments_for, can

# A proof of use shows on the home page this many days before it is due.
PROOF_DUE_DAYS = 60
# The application states in which the authority has the next step.
AWAITING_AUTHORITY = ("submitted", "resubmitted", "formal_check", "review")


def own_operator_id(user) -> int | None:
    """The one operator an operator-staff user works for, or None (another role, or several)."""
    from .models import Application

    operators = {
        assignment.scope_id
        for assignment in assignments_for(user, Action.ADD, Application)
        if assignment.role == Role.OPERATOR_STAFF and assignment.scope_kind == "operator"
    }
    return operators.pop() if len(operators) == 1 else None


def funding_home_url(user) -> str | None:
    """Where "Funding" leads the user: their operator's funding page, or the list of calls."""
    operator_id = own_operator_id(user)
    if operator_id is not None:
        url = reverse_or_none("funding:schooloperator-funding", kwargs={"pk": operator_id})
        if url:
            return url
    return reverse_or_none("funding:call-list")


def _menu(user) -> list[MenuEntry]:
    from .models import Call

    if user is None or not user.is_authenticated or not can(user, Action.VIEW, Call):
        return []
    url = funding_home_url(user)
    return [MenuEntry("funding", _("Funding"), url)] if url else []


def _with_query(url: str | None, **query) -> str | None:
    return f"{url}?{urlencode(query)}" if url and query else url


def _operator_todos(user) -> list[Todo]:
    from .models import ClaimState, ProofState
    from .selectors.grants import claims_for
    from .selectors.proofs import proofs_for
    from .selectors.reports import open_calls_without_application

    url = funding_home_url(user)
    if not url:
        return []
    todos = []
    count = open_calls_without_application(user).count()
    todos.append(
        Todo(
            "funding-apply",
            ngettext(
                "open call with your entitlement and no application yet",
                "open calls with your entitlement and no application yet",
                count,
            ),
            count,
            url,
            _("The entitlement is published and the call is open: apply before it closes."),
        )
    )
    count = claims_for(user).filter(state=ClaimState.RETURNED).count()
    todos.append(
        Todo(
            "funding-claims-returned",
            ngettext("claim returned", "claims returned", count),
            count,
            url,
            _("Correct it as the reasons say and submit it again."),
        )
    )
    soon = timezone.localdate() + datetime.timedelta(days=PROOF_DUE_DAYS)
    due = Q(state=ProofState.RETURNED) | Q(state=ProofState.DUE, due_on__lte=soon)
    count = proofs_for(user).filter(due).count()
    todos.append(
        Todo(
            "funding-proofs-due",
            ngettext("proof of use due", "proofs of use due", count),
            count,
            url,
            _("Due within %(days)s days, overdue, or returned for corrections.") % {"days": PROOF_DUE_DAYS},
        )
    )
    return todos


def _authority_todos(user) -> list[Todo]:
    from .models import ClaimState
    from .selectors.applications import applications_for
    from .selectors.grants import claims_for

    todos = []
    waiting = (
        applications_for(user)
        .filter(state__in=AWAITING_AUTHORITY)
        .order_by()
        .values("call_id", "call__code")
        .annotate(count=Count("pk"))
        .order_by("call__code")
    )
    for row in waiting:
        url = reverse_or_none("funding:call-detail", kwargs={"pk": row["call_id"]})
        if url:
            count = row["count"]
            todos.append(
                Todo(
                    f"funding-applications-{row['call_id']}",
                    ngettext(
                        "application waiting for the formal check or the review in %(call)s",
                        "applications waiting for the formal check or the review in %(call)s",
                        count,
                    )
                    % {"call": row["call__code"]},
                    count,
                    url,
                    _("Submitted or resubmitted, in the formal check or in review."),
                )
            )
    count = claims_for(user).filter(state=ClaimState.SUBMITTED).count()
    url = _with_query(reverse_or_none("funding:claim-list"), state=ClaimState.SUBMITTED)
    if url:
        todos.append(
            Todo(
                "funding-claims-submitted",
                ngettext("claim waiting for its check", "claims waiting for their check", count),
                count,
                url,
                _("Submitted by the operator: check the invoices, then approve or return."),
            )
        )
    return todos


def _todos(user) -> list[Todo]:
    from .models import Application, Call

    if not can(user, Action.VIEW, Call):
        return []
    todos = []
    if own_operator_id(user) is not None or (can(user, Action.ADD, Application) and not can(user, Action.CHANGE, Call)):
        todos += _operator_todos(user)
    if can(user, Action.CHANGE, Call) and any(
        assignment.role in (Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR)
        for assignment in assignments_for(user, Action.CHANGE, Call)
    ):
        todos += _authority_todos(user)
    return todos


def register() -> None:
    register_menu("funding", 150, _menu)
    register_todos("funding", 150, _todos)
