"""Pages of roll-out plans: the list, a plan with its years or waves and versions, a version per
year or wave with the remaining budget, the optimiser (in the background, with progress), hand
adjustment of a draft, adoption, copies and exports. Reads go through selectors/plans.py (a plan
or version outside the scope is a 404); writes through services/plans.py."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.exports import export_response
from digileap.core.permissions import Action, can, permits

from ..forms.plans import EntryForm, EntryMoveForm, NoteForm, RolloutPlanForm, period_formset
from ..models import RolloutPlan, RolloutVersion
from ..selectors import plans as selectors
from ..services import plans as services

ENTRIES_PER_PAGE = 200
SOLVER_STATUS = {
    "optimal": gettext_lazy("within the optimality gap"),
    "time_limit": gettext_lazy("stopped at the time limit"),
    "infeasible": gettext_lazy("no plan exists"),
    "unbounded": gettext_lazy("unbounded"),
    "error": gettext_lazy("solver error"),
}


@dataclass(frozen=True)
class VersionFigures:
    """A version of the plan's list with its schools, the schools planned in a year or wave and
    their cost (of the entries the user sees)."""

    version: RolloutVersion
    schools: int
    planned: int
    planned_cost: Decimal | int


def _service_error(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if (
        target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
        and target.startswith("/")
    ):
        return target
    return fallback


# --- plans ----------------------------------------------------------------------------------------


@login_required
@require_GET
def rolloutplan_list(request):
    plans = (
        selectors.plans_for(request.user)
        .annotate(period_count=Count("periods", distinct=True))
        .order_by("programme__code", "code")
    )
    adopted = {
        version.plan_id: version
        for version in selectors.versions_for(request.user).filter(plan__in=plans, status=RolloutVersion.Status.ADOPTED)
    }
    rows = [(plan, adopted.get(plan.pk)) for plan in plans]
    context = {"rows": rows, "may_create": can(request.user, Action.ADD, RolloutPlan)}
    return render(request, "allocation/plan_list.html", context)


def _add_plan_errors(form: RolloutPlanForm, error: ValidationError) -> list[str]:
    """Show a service's errors on the form's fields; return those about the years or waves."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return []
    period_errors = []
    for field, texts in error.message_dict.items():
        if field == "periods":
            period_errors.extend(texts)
            continue
        field = "gap_percent" if field == "relative_gap" else field
        form.add_error(field if field in form.fields else None, texts)
    return period_errors


def _plan_form_page(request, plan: RolloutPlan | None):
    form = RolloutPlanForm(
        request.POST or None,
        instance=RolloutPlan.objects.get(pk=plan.pk) if plan else None,
        user=request.user,
        programme=plan.programme if plan else None,
    )
    periods = period_formset(request.POST or None, plan=plan)
    period_errors: list[str] = []
    if request.method == "POST":
        form_valid = form.is_valid()
        periods_valid = periods.is_valid()
        if form_valid and periods_valid:
            try:
                if plan is None:
                    plan = services.plan_create(
                        actor=request.user,
                        programme=form.cleaned_data["programme"],
                        data=form.service_data(),
                        periods=periods.periods(),
                    )
                    messages.success(request, _("The roll-out plan %(code)s was created.") % {"code": plan.code})
                else:
                    services.plan_update(
                        actor=request.user, plan=plan, data=form.service_data(), periods=periods.periods()
                    )
                    messages.success(request, _("Your changes were saved."))
            except ValidationError as error:
                period_errors = _add_plan_errors(form, error)
            else:
                return redirect("allocation:rolloutplan-detail", pk=plan.pk)
    context = {"form": form, "periods": periods, "period_errors": period_errors, "plan": plan}
    return render(request, "allocation/plan_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rolloutplan_create(request):
    if not can(request.user, Action.ADD, RolloutPlan):
        raise PermissionDenied
    return _plan_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def rolloutplan_update(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, plan):
        raise PermissionDenied
    return _plan_form_page(request, plan)


@login_required
@require_GET
def rolloutplan_detail(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    versions = list(selectors.versions_for(request.user).filter(plan=plan).order_by("-number"))
    figures = {
        row["version"]: row
        for row in selectors.entries_for(request.user)
        .filter(version__plan=plan)
        .order_by()
        .values("version")
        .annotate(
            schools=Count("id"),
            planned=Count("id", filter=Q(period__isnull=False)),
            planned_cost=Sum("cost", filter=Q(period__isnull=False)),
        )
    }
    rows = []
    for version in versions:
        row: Mapping[str, Any] = figures.get(version.pk, {})
        rows.append(
            VersionFigures(
                version=version,
                schools=row.get("schools", 0),
                planned=row.get("planned", 0),
                planned_cost=row.get("planned_cost") or 0,
            )
        )
    adopted = next((v for v in versions if v.status == RolloutVersion.Status.ADOPTED), None)
    context = {
        "plan": plan,
        "periods": plan.periods.order_by("position"),
        "versions": rows,
        "adopted": adopted,
        "may_change": permits(request.user, Action.CHANGE, plan),
        "may_add_version": permits(request.user, Action.ADD, RolloutVersion(plan=plan)),
        "note_form": NoteForm(),
        "gap_percent": plan.relative_gap * 100,
    }
    return render(request, "allocation/plan_detail.html", context)


@login_required
@require_POST
def rolloutplan_build(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        version = services.plan_version_build(actor=request.user, plan=plan, note=note)
    except ValidationError as error:
        _service_error(request, error)
        return redirect("allocation:rolloutplan-detail", pk=plan.pk)
    messages.success(
        request,
        _("Version %(number)s was built with %(count)s schools.")
        % {"number": version.number, "count": version.entries.count()},
    )
    return redirect("allocation:rolloutversion-detail", pk=version.pk)


# --- versions -------------------------------------------------------------------------------------


def _solver_report(version: RolloutVersion) -> dict | None:
    solver: dict[str, Any] = version.solver or {}
    if not solver:
        return None
    gap = solver.get("mip_gap")
    status = solver.get("status")
    return {
        **solver,
        "status_label": SOLVER_STATUS.get(status, status) if isinstance(status, str) else status,
        "gap_percent": None if gap is None else gap * 100,
        "target_gap_percent": float(solver.get("relative_gap") or 0) * 100,
    }


def _filtered_entries(request, version: RolloutVersion):
    entries = selectors.entries_for(request.user).filter(version=version)
    show = request.GET.get("show", "")
    if show == "out":
        entries = entries.filter(period__isnull=True)
    elif show.isdigit():
        entries = entries.filter(period_id=int(show))
    else:
        show = ""
    query = request.GET.get("q", "").strip()[:100]
    if query:
        entries = entries.filter(
            Q(school__name__icontains=query)
            | Q(school__number__icontains=query)
            | Q(school__operator__name__icontains=query)
        )
    entries = entries.order_by(F("period__position").asc(nulls_last=True), "-priority", "school__name", "pk")
    return entries, show, query


@login_required
@require_GET
def rolloutversion_detail(request, pk: int):
    version = selectors.version_get(request.user, pk)
    plan = version.plan
    entries, show, query = _filtered_entries(request, version)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    may_change = permits(request.user, Action.CHANGE, version)
    is_draft = version.status == RolloutVersion.Status.DRAFT
    periods = list(plan.periods.order_by("position"))
    summary = selectors.version_summary(request.user, version)
    context = {
        "version": version,
        "plan": plan,
        "periods": periods,
        "summary": summary,
        "page": page,
        "show": show,
        "query": query,
        "may_edit": may_change and is_draft,
        "may_optimise": may_change and is_draft,
        "may_adopt": may_change and is_draft,
        "may_copy": permits(request.user, Action.ADD, RolloutVersion(plan=plan)),
        # The report's totals cover every school: shown to those who see every school.
        "report": _solver_report(version) if summary.is_complete else None,
        "here": request.get_full_path(),
    }
    return render(request, "allocation/plan_version_detail.html", context)


@login_required
@require_GET
def rolloutversion_progress(request, pk: int):
    """The optimiser's progress, polled by htmx while the version is optimising; once done, the
    page reloads to show the result."""
    version = selectors.version_get(request.user, pk)
    response = render(request, "allocation/_plan_version_status.html", {"version": version})
    if request.htmx and version.status != RolloutVersion.Status.OPTIMISING:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def rolloutversion_optimise(request, pk: int):
    version = selectors.version_get(request.user, pk)
    try:
        services.plan_optimise(actor=request.user, version=version)
    except ValidationError as error:
        _service_error(request, error)
    else:
        messages.success(request, _("The optimiser is placing the schools."))
    return redirect("allocation:rolloutversion-detail", pk=version.pk)


@login_required
@require_POST
def rolloutversion_copy(request, pk: int):
    version = selectors.version_get(request.user, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        copy = services.version_copy(actor=request.user, version=version, note=note)
    except ValidationError as error:
        _service_error(request, error)
        return redirect("allocation:rolloutversion-detail", pk=version.pk)
    messages.success(
        request,
        _("Version %(number)s is a new draft copied from version %(source)s.")
        % {"number": copy.number, "source": version.number},
    )
    return redirect("allocation:rolloutversion-detail", pk=copy.pk)


@login_required
@require_POST
def rolloutversion_adopt(request, pk: int):
    version = selectors.version_get(request.user, pk)
    try:
        services.version_adopt(actor=request.user, version=version)
    except ValidationError as error:
        messages.error(request, _("Version %(number)s was not adopted.") % {"number": version.number})
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Version %(number)s is now the plan in force.") % {"number": version.number})
    return redirect("allocation:rolloutversion-detail", pk=version.pk)


def export_columns() -> list[str]:
    return [
        _("School number"),
        _("School"),
        _("Operator"),
        _("Year or wave"),
        _("Cost (EUR)"),
        _("Priority"),
        _("Readiness"),
        _("Preferred year or wave"),
        _("Pinned"),
        _("Why not planned"),
    ]


@login_required
@require_GET
def rolloutversion_export(request, pk: int):
    """The version's entries (those the user may see) as CSV, or XLSX with ``?format=xlsx``."""
    version = selectors.version_get(request.user, pk)
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    entries = (
        selectors.entries_for(request.user)
        .filter(version=version)
        .order_by(F("period__position").asc(nulls_last=True), "school__number", "pk")
    )
    rows = (
        (
            entry.school.number,
            entry.school.name,
            entry.school.operator.name,
            entry.period.label if entry.period else "",
            entry.cost,
            entry.priority,
            entry.readiness if entry.readiness is not None else "",
            entry.preferred_period.label if entry.preferred_period else "",
            _("yes") if entry.is_pinned else _("no"),
            entry.get_reason_display() if entry.period_id is None else "",
        )
        for entry in entries.iterator(chunk_size=2000)
    )
    return export_response(file_format, f"{version.plan.code}-v{version.number}", export_columns(), rows)


# --- entries --------------------------------------------------------------------------------------


@login_required
@require_POST
def rolloutentry_move(request, pk: int):
    entry = selectors.entry_get(request.user, pk)
    fallback = reverse("allocation:rolloutversion-detail", kwargs={"pk": entry.version_id}) + f"#entry-{entry.pk}"
    form = EntryMoveForm(request.POST, plan=entry.version.plan)
    if not form.is_valid():
        messages.error(request, _("Choose a year or wave of this plan."))
        return redirect(_next_url(request, fallback))
    period = form.cleaned_data["period"]
    try:
        services.entry_move(actor=request.user, entry=entry, period=period, pin=form.cleaned_data["pin"])
    except ValidationError as error:
        _service_error(request, error)
    else:
        if period is None:
            text = _("%(school)s was taken out of the plan.")
        elif form.cleaned_data["pin"]:
            text = _("%(school)s was pinned to %(period)s.")
        else:
            text = _("%(school)s was moved to %(period)s.")
        messages.success(request, text % {"school": entry.school.name, "period": period})
    return redirect(_next_url(request, fallback))


@login_required
@require_http_methods(["GET", "POST"])
def rolloutentry_update(request, pk: int):
    entry = selectors.entry_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, entry):
        raise PermissionDenied
    initial = {"cost": entry.cost, "readiness": entry.readiness, "preferred_period": entry.preferred_period}
    form = EntryForm(request.POST or None, initial=initial, plan=entry.version.plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(actor=request.user, entry=entry, data=form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, texts in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, texts)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect(
                reverse("allocation:rolloutversion-detail", kwargs={"pk": entry.version_id}) + f"#entry-{entry.pk}"
            )
    return render(request, "allocation/plan_entry_form.html", {"form": form, "entry": entry, "version": entry.version})
