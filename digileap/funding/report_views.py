"""The funding app's report pages: a call's overview (applications per state, money against the
budget with a chart, a table per operator) and an operator's funding page (per call: entitlement,
applied, approved, claimed, paid, and what is due next), plus the call's exports in CSV and XLSX.

Everything is read through ``selectors.reports`` and restricted to the user: a call or operator
outside the scope is a 404, and operator staff see their own operator's figures only.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from digileap.core.contributions import reverse_or_none
from digileap.core.exports import export_response
from digileap.core.formatting import format_money
from digileap.schools.selectors import operators_for

from .exports import TABLES
from .models import ProofState
from .report_charts import Bar, money_bars_svg
from .selectors import calls_for
from .selectors.reports import (
    CallReader,
    DueItem,
    OperatorCall,
    call_figures,
    may_see_funding,
    operator_calls,
    operator_due,
    operator_page,
)

EXPORT_FORMATS = ("csv", "xlsx")


def _call_or_404(request, pk: int):
    if not may_see_funding(request.user):
        raise PermissionDenied
    return get_object_or_404(calls_for(request.user), pk=pk)


def _sort_links(used: str) -> dict[str, dict[str, str | None]]:
    """For each sortable column: the sort a click asks for and the column's aria-sort."""
    key = used.lstrip("-")
    descending = used.startswith("-")
    links: dict[str, dict[str, str | None]] = {}
    for column in ("name", "entitlement", "requested", "approved", "claimed", "paid", "applications"):
        if column == key:
            links[column] = {
                "sort": column if descending else f"-{column}",
                "aria": "descending" if descending else "ascending",
            }
        else:
            # Names read A to Z first; amounts largest first.
            links[column] = {"sort": column if column == "name" else f"-{column}", "aria": None}
    return links


@login_required
@require_GET
def call_overview(request, pk: int):
    call = _call_or_404(request, pk)
    user = request.user
    reader = CallReader(user, call)
    figures = call_figures(user, call, reader)
    page, used = operator_page(
        user, call, sort=request.GET.get("sort", "name"), page=request.GET.get("page"), reader=reader
    )
    money = [
        ("budget", _("Budget"), figures.budget),
        ("requested", pgettext("funding", "Requested"), figures.requested),
        ("approved", _("Approved"), figures.approved),
        ("claimed", _("Claimed"), figures.claimed),
        ("paid", _("Paid"), figures.paid),
    ]
    chart = money_bars_svg(
        [Bar(key, label, amount) for key, label, amount in money],
        title=_("Money of the call %(code)s against its budget") % {"code": call.code},
        element_id="call-money-chart",
    )
    exports = [
        (label, reverse_or_none(f"funding:call-export-{table}", kwargs={"pk": call.pk}))
        for table, label in (
            ("applications", _("Applications")),
            ("lines", _("Cost lines")),
            ("claims", _("Claims and invoices")),
            ("payments", _("Payments")),
        )
    ]
    return render(
        request,
        "funding/reports/call_overview.html",
        {
            "call": call,
            "figures": figures,
            "money": [(key, label, amount, figures.share(amount)) for key, label, amount in money],
            "chart": chart,
            "operators": page,
            "sort": used,
            "sort_links": _sort_links(used),
            "exports": exports,
        },
    )


def _due_items(row, today: datetime.date, now) -> list[DueItem]:
    """What a call itself sets for the operator: its closing while open, and the claim and proof
    of use deadlines once something was approved."""
    call = row.call
    items = []
    if call.is_open_at(now):
        items.append(
            DueItem(
                "call-closes",
                _("Applications close"),
                timezone.localtime(call.closes_at).date(),
                reverse_or_none("funding:call-detail", kwargs={"pk": call.pk}),
                call.pk,
            )
        )
    if row.approved > 0:
        if call.claim_deadline and call.claim_deadline >= today:
            items.append(DueItem("claims-due", _("Claims due"), call.claim_deadline, None, call.pk))
        if call.proof_of_use_deadline and call.proof_of_use_deadline >= today:
            items.append(DueItem("proof-due", _("Proof of use due"), call.proof_of_use_deadline, None, call.pk))
    return items


def _grant_url(grant) -> str | None:
    return reverse_or_none("funding:grant-detail", kwargs={"pk": grant.pk})


@login_required
@require_GET
def schooloperator_funding(request, pk: int):
    """An operator's funding: per call the figures, and what is due next."""
    user = request.user
    if not may_see_funding(user):
        raise PermissionDenied
    operator = get_object_or_404(operators_for(user), pk=pk)
    now = timezone.now()
    today = timezone.localdate()
    rows = []
    for call in operator_calls(user, operator):
        row = OperatorCall(
            call=call,
            entitlement=call.entitlement,
            applied=call.applied,
            approved=call.approved,
            claimed=call.claimed,
            paid=call.paid,
            applications=call.application_count,
        )
        row.due = _due_items(row, today, now)
        rows.append(row)
    open_work = operator_due(user, operator)
    due = [item for row in rows for item in row.due]
    for claim in open_work["claims"]:
        due.append(
            DueItem(
                "claim-returned",
                _("Claim %(claim)s was returned") % {"claim": claim},
                None,
                reverse_or_none("funding:claim-detail", kwargs={"pk": claim.pk}) or _grant_url(claim.grant),
                claim.grant.call_id,
            )
        )
    for proof in open_work["proofs"]:
        text = (
            _("Proof of use of %(grant)s was returned")
            if proof.state == ProofState.RETURNED
            else _("Proof of use of %(grant)s is due")
        ) % {"grant": proof.grant}
        due.append(
            DueItem(
                f"proof-{proof.state}",
                text,
                proof.due_on,
                reverse_or_none("funding:proofofuse-detail", kwargs={"pk": proof.pk}) or _grant_url(proof.grant),
                proof.grant.call_id,
            )
        )
    for repayment in open_work["repayments"]:
        due.append(
            DueItem(
                "repayment-open",
                _("Repayment of EUR %(amount)s on %(grant)s")
                % {"amount": format_money(repayment.amount), "grant": repayment.grant},
                repayment.due_on,
                reverse_or_none("funding:repaymentclaim-detail", kwargs={"pk": repayment.pk})
                or _grant_url(repayment.grant),
                repayment.grant.call_id,
            )
        )
    codes: dict[int | None, str] = {row.call.pk: row.call.code for row in rows}
    for item in due:
        item.call_code = codes.get(item.call_id, "")
    due.sort(key=lambda item: (item.due_on is None, item.due_on or today, item.text))
    return render(
        request,
        "funding/reports/operator_funding.html",
        {
            "operator": operator,
            "rows": rows,
            "due": due,
            "today": today,
            "totals": {
                name: sum((getattr(row, name) for row in rows), start=0)
                for name in ("applied", "approved", "claimed", "paid")
            },
        },
    )


def _export(request, pk: int, table: str):
    call = _call_or_404(request, pk)
    file_format = request.GET.get("format", "csv")
    if file_format not in EXPORT_FORMATS:
        file_format = "csv"
    export = TABLES[table](request.user, call)
    return export_response(file_format, export.filename, export.headers, export.rows)


@login_required
@require_GET
def call_export_applications(request, pk: int):
    return _export(request, pk, "applications")


@login_required
@require_GET
def call_export_lines(request, pk: int):
    return _export(request, pk, "lines")


@login_required
@require_GET
def call_export_claims(request, pk: int):
    return _export(request, pk, "claims")


@login_required
@require_GET
def call_export_payments(request, pk: int):
    return _export(request, pk, "payments")
