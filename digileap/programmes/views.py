"""Staff pages of programmes. Reads go through selectors, so a programme outside the user's scope
is a 404. The public pages (``/p/``) are in ``public_views.py``."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from digileap.core.exports import export_response
from digileap.core.permissions import Action, can, permits

from . import budget as budgets
from . import dashboard, selectors
from .charts import burn_up_svg, map_svg
from .models import EvidencePack, FundingSource, Programme, Target


@login_required
def programme_list(request):
    # Subqueries, not joins: joining sources and targets at once would count each source once per
    # target (a budget of 12 M with six targets read 72 M).
    budget = (
        FundingSource.objects.filter(programme=OuterRef("pk"))
        .order_by()
        .values("programme")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    target_count = (
        Target.objects.filter(programme=OuterRef("pk"))
        .order_by()
        .values("programme")
        .annotate(count=Count("pk"))
        .values("count")
    )
    programmes = (
        selectors.programmes_for(request.user)
        .annotate(budget=Subquery(budget), target_count=Coalesce(Subquery(target_count), 0))
        .order_by("code")
    )
    context = {
        "programmes": programmes,
        "may_add": can(request.user, Action.ADD, Programme),
        "changeable": set(selectors.programmes_for(request.user, Action.CHANGE).values_list("pk", flat=True)),
    }
    return render(request, "programmes/programme_list.html", context)


@login_required
def programme_detail(request, pk: int):
    programme = selectors.programme_get(request.user, pk)
    today = timezone.localdate()
    targets = selectors.targets_for(request.user).filter(programme=programme).order_by("due_date", "position")
    budget = selectors.budget_by_source(programme, selectors.funding_transactions_for(request.user))
    context = {
        "programme": programme,
        "today": today,
        "progress": selectors.target_progress(targets, today),
        "budget": budget,
        "budget_total": sum((row["budget"] for row in budget), 0),
        "objectives": programme.objectives.order_by("position"),
        "may_change": permits(request.user, Action.CHANGE, programme),
        "over_budget": budgets.over_budget(
            budgets.source_budgets(programme, selectors.funding_transactions_for(request.user))
        ),
    }
    return render(request, "programmes/programme_detail.html", context)


BREAKDOWN_PAGE_ROWS = 25


@login_required
@require_GET
def programme_dashboard(request, pk: int):
    """Key figures, progress bars, burn-up charts, budget and the map. The breakdowns by operator
    and by school read the whole ledger, so they come as fragments of their own after the page
    (``programme_operators``, ``programme_schools``)."""
    programme = selectors.programme_get(request.user, pk)
    today = timezone.localdate()
    targets = selectors.targets_for(request.user).filter(programme=programme).order_by("due_date", "position")
    progress = selectors.target_progress(targets, today)
    budget = selectors.budget_by_source(programme, selectors.funding_transactions_for(request.user))
    counts = dashboard.bucket_counts(request.user, programme)
    charts = dashboard.burn_ups(progress, today)
    for index, item in enumerate(charts):
        item["svg"] = burn_up_svg(item["chart"], f"burn-up-{index}")
    context = {
        "programme": programme,
        "today": today,
        "figures": dashboard.key_figures(request.user, programme, budget, progress, counts),
        "progress": progress,
        "charts": charts,
        "budget": budget,
        "buckets": [(key, label, counts[key]) for key, label in dashboard.BUCKETS],
        "unplaced": counts["unplaced"],
        "placed": counts["schools"] - counts["unplaced"],
        "may_read_evidence": permits(request.user, Action.VIEW, EvidencePack(target=Target(programme=programme))),
        "may_change": permits(request.user, Action.CHANGE, programme),
        "over_budget": budgets.over_budget(
            budgets.source_budgets(programme, selectors.funding_transactions_for(request.user))
        ),
    }
    return render(request, "programmes/programme_dashboard.html", context)


def _breakdown_fragment(request, pk: int, by: str):
    programme = selectors.programme_get(request.user, pk)
    builder = dashboard.operator_breakdown if by == "operator" else dashboard.school_breakdown
    breakdown = builder(request.user, programme, limit=BREAKDOWN_PAGE_ROWS)
    context = {"programme": programme, "breakdown": breakdown, "by": by}
    return render(request, "programmes/_breakdown.html", context)


@login_required
@require_GET
def programme_operators(request, pk: int):
    """The dashboard's breakdown by school operator: the 25 with the most money committed (htmx)."""
    return _breakdown_fragment(request, pk, "operator")


@login_required
@require_GET
def programme_schools(request, pk: int):
    """The dashboard's breakdown by school: the 25 with the most money committed (htmx)."""
    return _breakdown_fragment(request, pk, "school")


@login_required
@require_GET
def programme_breakdown(request, pk: int):
    """The breakdown by school (``?by=school``) or by operator (``?by=operator``) as CSV or XLSX."""
    programme = selectors.programme_get(request.user, pk)
    by = "operator" if request.GET.get("by") == "operator" else "school"
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    builder = dashboard.operator_breakdown if by == "operator" else dashboard.school_breakdown
    breakdown = builder(request.user, programme)
    return export_response(file_format, f"{programme.code}-by-{by}", breakdown.columns, breakdown.rows)


@login_required
@require_GET
def programme_map(request, pk: int):
    """The schools of the programme as an SVG image, coloured by progress (no tiles)."""
    programme = selectors.programme_get(request.user, pk)
    points, counts = dashboard.map_points(request.user, programme)
    description = "; ".join(f"{label}: {counts[key]}" for key, label in dashboard.BUCKETS)
    svg = map_svg(points, _("Schools of %(programme)s by progress") % {"programme": programme}, description)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=60"
    return response
