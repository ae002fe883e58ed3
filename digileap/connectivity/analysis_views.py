"""Pages of the analysis (docs/connectivity-analysis.md): a programme's benchmarks (list, add, edit,
delete, install the usual ones) and cost parameters; a campaign's analysis (run it, counts per
benchmark, totals per operator and region, the ranked proposals) and its CSV and XLSX export.

Reads go through the selectors, restricted to the user (outside the scope: 404); a missing right
is a 403. Every write is a POST that calls a service; a service's ``ValidationError`` goes back
onto the form and nothing is written.
"""

from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.contributions import reverse_or_none
from digileap.core.exports import export_response
from digileap.core.permissions import Action, can, permits, restrict
from digileap.programmes.selectors import programmes_for
from digileap.schools.selectors import operators_for

from .forms_analysis import BenchmarkForm, CostParametersForm, add_service_errors
from .models import AnalysisRun, Benchmark, Campaign, CostParameters, Proposal, Status
from .selectors.analysis import grand_total, latest_run, proposals_ranked, status_counts, totals
from .services import analysis as services

PROPOSAL_PAGE_ROWS = 50


def _status(form) -> int:
    """400 when a posted form is shown back with its errors."""
    return 400 if form.is_bound and form.errors else 200


def _programme(request, pk: int, action: str = Action.VIEW):
    """The programme (404 outside the scope) when the user may ``action`` its benchmarks (else 403)."""
    programme = get_object_or_404(programmes_for(request.user), pk=pk)
    if not permits(request.user, action, Benchmark(programme=programme)):
        raise PermissionDenied
    return programme


# Benchmarks.


@login_required
@require_GET
def benchmark_list(request, programme_pk: int):
    programme = _programme(request, programme_pk)
    benchmarks = restrict(Benchmark.objects.filter(programme=programme), request.user).order_by("position", "code")
    costs = restrict(CostParameters.objects.filter(programme=programme), request.user).first()
    return render(
        request,
        "connectivity/benchmark_list.html",
        {
            "programme": programme,
            "benchmarks": benchmarks,
            "costs": costs,
            "target": (costs.target_benchmark if costs and costs.target_benchmark_id else None),
            "can_change": permits(request.user, Action.ADD, Benchmark(programme=programme)),
            "can_costs": permits(request.user, Action.ADD, CostParameters(programme=programme)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def benchmark_create(request, programme_pk: int):
    programme = _programme(request, programme_pk, Action.ADD)
    position = (programme.benchmarks.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    form = BenchmarkForm(request.POST or None, initial={"position": position, "min_tests": 5, "min_days": 3})
    if request.method == "POST" and form.is_valid():
        try:
            benchmark = services.benchmark_save(actor=request.user, programme=programme, data=form.benchmark_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The benchmark %(name)s was added.") % {"name": benchmark})
            return redirect("connectivity:benchmark-list", programme_pk=programme.pk)
    return render(
        request,
        "connectivity/benchmark_form.html",
        {"programme": programme, "form": form, "benchmark": None},
        status=_status(form),
    )


def _benchmark(request, pk: int, action: str) -> Benchmark:
    benchmark = get_object_or_404(
        restrict(Benchmark.objects.filter(programme__in=programmes_for(request.user)), request.user).select_related(
            "programme"
        ),
        pk=pk,
    )
    if not permits(request.user, action, benchmark):
        raise PermissionDenied
    return benchmark


@login_required
@require_http_methods(["GET", "POST"])
def benchmark_update(request, pk: int):
    benchmark = _benchmark(request, pk, Action.CHANGE)
    form = BenchmarkForm(request.POST or None, initial=BenchmarkForm.initial_for(benchmark))
    if request.method == "POST" and form.is_valid():
        try:
            services.benchmark_save(
                actor=request.user, programme=benchmark.programme, data=form.benchmark_data(), benchmark=benchmark
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The benchmark was saved."))
            return redirect("connectivity:benchmark-list", programme_pk=benchmark.programme_id)
    return render(
        request,
        "connectivity/benchmark_form.html",
        {"programme": benchmark.programme, "form": form, "benchmark": benchmark},
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def benchmark_delete(request, pk: int):
    benchmark = _benchmark(request, pk, Action.DELETE)
    error = None
    if request.method == "POST":
        try:
            services.benchmark_delete(actor=request.user, benchmark=benchmark)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _("The benchmark was deleted."))
            return redirect("connectivity:benchmark-list", programme_pk=benchmark.programme_id)
    return render(
        request,
        "connectivity/benchmark_confirm_delete.html",
        {"programme": benchmark.programme, "benchmark": benchmark, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def benchmark_install(request, programme_pk: int):
    """Add the usual benchmarks (EU gigabit, per pupil, Giga, 80 % of contracted) that are missing."""
    programme = _programme(request, programme_pk, Action.ADD)
    before = programme.benchmarks.count()
    services.benchmarks_install_defaults(actor=request.user, programme=programme)
    added = programme.benchmarks.count() - before
    messages.success(
        request,
        ngettext("%(count)s benchmark was added.", "%(count)s benchmarks were added.", added) % {"count": added},
    )
    return redirect("connectivity:benchmark-list", programme_pk=programme.pk)


# Cost parameters.


@login_required
@require_http_methods(["GET", "POST"])
def costparameters_edit(request, programme_pk: int):
    programme = get_object_or_404(programmes_for(request.user), pk=programme_pk)
    current = restrict(CostParameters.objects.filter(programme=programme), request.user).first()
    if not permits(request.user, Action.ADD, CostParameters(programme=programme)):
        raise PermissionDenied
    form = CostParametersForm(
        request.POST or None, programme=programme, initial=CostParametersForm.initial_for(current)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_parameters_save(actor=request.user, programme=programme, data=form.cost_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The cost parameters were saved."))
            return redirect("connectivity:benchmark-list", programme_pk=programme.pk)
    return render(
        request,
        "connectivity/costparameters_form.html",
        {"programme": programme, "form": form, "costs": current},
        status=_status(form),
    )


# A campaign's analysis.


def _campaign(request, pk: int) -> Campaign:
    campaign = get_object_or_404(restrict(Campaign.objects.select_related("programme"), request.user), pk=pk)
    if not can(request.user, Action.VIEW, AnalysisRun):
        raise PermissionDenied
    return campaign


def _operator_filter(request, run):
    """The operator chosen in the filter (one the user may see), or None."""
    raw = request.GET.get("operator", "")
    if not raw.isdigit() or run is None:
        return None
    return operators_for(request.user).filter(pk=int(raw)).first()


@login_required
@require_GET
def campaign_analysis(request, pk: int):
    campaign = _campaign(request, pk)
    run = latest_run(campaign, request.user)
    operator = _operator_filter(request, run)
    context = {
        "campaign": campaign,
        "run": run,
        "operator": operator,
        "can_run": permits(request.user, Action.ADD, AnalysisRun(campaign=campaign)),
        "campaign_url": reverse_or_none("connectivity:campaign-detail", kwargs={"pk": campaign.pk}),
        "setup_url": (
            reverse_or_none("connectivity:benchmark-list", kwargs={"programme_pk": campaign.programme_id})
            if can(request.user, Action.VIEW, Benchmark)
            else None
        ),
        "statuses": Status,
    }
    if run is not None:
        by_operator = totals(run, request.user, by="operator", operator=operator)
        proposals = proposals_ranked(run, request.user, operator=operator)
        page = Paginator(proposals, PROPOSAL_PAGE_ROWS).get_page(request.GET.get("page"))
        context.update(
            {
                "counts": status_counts(run, request.user),
                "by_operator": by_operator,
                "by_region": totals(run, request.user, by="region", operator=operator),
                "grand_total": grand_total(by_operator),
                "page": page,
                "operators": operators_for(request.user)
                .filter(schools__in=proposals_ranked(run, request.user).values("school"))
                .distinct()
                .order_by("name"),
                "years": (run.parameters.get("costs") or {}).get("years"),
                "target_code": (run.parameters.get("costs") or {}).get("target_benchmark"),
            }
        )
    return render(request, "connectivity/analysis_campaign.html", context)


@login_required
@require_POST
def campaign_analysis_run(request, pk: int):
    campaign = _campaign(request, pk)
    if not permits(request.user, Action.ADD, AnalysisRun(campaign=campaign)):
        raise PermissionDenied
    try:
        run = services.analysis_run(actor=request.user, campaign=campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "The analysis of %(count)s school is done.", "The analysis of %(count)s schools is done.", run.schools
            )
            % {"count": run.schools},
        )
    return redirect("connectivity:campaign-analysis", pk=campaign.pk)


def proposal_table(run: AnalysisRun, user, operator=None) -> tuple[list[str], Iterator[list[object]]]:
    """Headers and rows of the proposals export, in the page's language."""
    headers = [
        _("Rank"),
        _("School number"),
        _("School"),
        _("Operator"),
        _("Uplink gap (Mbit/s)"),
        _("Classrooms without Wi-Fi"),
        _("Sites needing switches"),
        _("Uplink option"),
        _("Uplink, one-off (EUR)"),
        _("Uplink, per year (EUR)"),
        _("Wi-Fi, one-off (EUR)"),
        _("Switches, one-off (EUR)"),
        _("Total over the years (EUR)"),
        _("Priority value"),
    ]
    options = dict(Proposal.Option.choices)

    def rows() -> Iterator[list[object]]:
        for proposal in proposals_ranked(run, user, operator=operator).iterator(chunk_size=2000):
            yield [
                proposal.rank,
                proposal.school.number,
                proposal.school.name,
                proposal.school.operator.name,
                proposal.gap_mbps,
                proposal.classrooms_without_wifi,
                proposal.sites_needing_switches,
                str(options.get(proposal.option, proposal.option)),
                proposal.uplink_capex,
                proposal.uplink_opex_year,
                proposal.wifi_capex,
                proposal.switch_capex,
                proposal.total,
                proposal.priority_value,
            ]

    return headers, rows()


def _export(request, pk: int, file_format: str):
    campaign = _campaign(request, pk)
    run = latest_run(campaign, request.user)
    if run is None:
        raise Http404
    headers, rows = proposal_table(run, request.user, _operator_filter(request, run))
    return export_response(file_format, f"{campaign.code}-proposals-{run.as_of.isoformat()}", headers, rows)


@login_required
@require_GET
def campaign_proposals_csv(request, pk: int):
    return _export(request, pk, "csv")


@login_required
@require_GET
def campaign_proposals_xlsx(request, pk: int):
    return _export(request, pk, "xlsx")
