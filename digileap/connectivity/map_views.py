"""The campaign's status map, its JSON and the charts (docs/connectivity-map.md).

- ``campaign-map``: the filter form (benchmark, operator, status), the map (drawn by
  ``static/connectivity/map.js`` from ``campaign-mapdata``), the legend in words with the number of
  schools per status, and a paged table of the same schools with their costed proposals;
- ``campaign-mapdata``: the placed schools as compact JSON (one array per school, the columns
  named once), for the same filter;
- ``campaign-charts``: bandwidth per pupil by school type, and measured against contracted speed,
  each as an SVG with its table and a sentence.

The campaign is read through ``selectors.map.campaign_get`` (outside the scope: 404) and every row
through the school's scope. A bad filter value is a 400 naming the field.
"""

import hashlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from digileap.core.contributions import reverse_or_none
from digileap.core.formatting import format_number
from digileap.core.forms import choice_field
from digileap.programmes.maps import map_settings
from digileap.programmes.translation import localized

from . import charts
from .selectors import map as selectors

PAGE_SIZE = 50


class MapFilterForm(forms.Form):
    """The map's, the table's and the charts' filter (a GET form)."""

    benchmark = forms.TypedChoiceField(label=gettext_lazy("Benchmark"), coerce=int, required=False)
    operator = forms.TypedChoiceField(label=gettext_lazy("School operator"), coerce=int, required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, data, *, benchmarks, operators, with_status: bool = True):
        super().__init__(data)
        self.benchmarks = {benchmark.pk: benchmark for benchmark in benchmarks}
        self.operators = {operator.pk: operator for operator in operators}
        choice_field(self, "benchmark").choices = [(pk, str(benchmark)) for pk, benchmark in self.benchmarks.items()]
        choice_field(self, "operator").choices = [("", _("All operators"))] + [
            (pk, operator.name) for pk, operator in self.operators.items()
        ]
        choice_field(self, "status").choices = [("", _("All statuses"))] + [
            (str(status), status.label) for status in selectors.STATUS_ORDER
        ]
        if not with_status:
            del self.fields["status"]

    def selection(self, run) -> "selectors.MapFilter":
        data = self.cleaned_data
        benchmark = self.benchmarks.get(data.get("benchmark")) or next(iter(self.benchmarks.values()))
        return selectors.MapFilter(
            run=run,
            benchmark=benchmark,
            operator=self.operators.get(data.get("operator")) if data.get("operator") not in ("", None) else None,
            status=data.get("status") or "",
        )


def _context(request, pk: int, *, with_status: bool = True) -> dict:
    """The campaign, its latest run, the filter form and the selection (None without a run or
    with a bad filter value)."""
    campaign = selectors.campaign_get(request.user, pk)
    run = selectors.latest_run(campaign)
    benchmarks = selectors.run_benchmarks(run) if run else []
    form = MapFilterForm(
        request.GET,
        benchmarks=benchmarks,
        operators=selectors.operators_for_map(request.user, campaign) if benchmarks else [],
        with_status=with_status,
    )
    selection = form.selection(run) if benchmarks and form.is_valid() else None
    return {
        "campaign": campaign,
        "campaign_url": reverse_or_none("connectivity:campaign-detail", kwargs={"pk": campaign.pk}),
        "campaigns_url": reverse_or_none("connectivity:campaign-list"),
        "run": run,
        "benchmarks": benchmarks,
        "form": form,
        "selection": selection,
    }


def _school_links(templates: dict[str, dict[str, str]], school_id: int) -> list[tuple[str, str]]:
    """Links to the school's measurements and survey answers (and the school), where those pages exist."""
    return [(link["label"], link["url"].replace("{id}", str(school_id))) for link in templates.values()]


def _link_templates() -> dict[str, dict[str, str]]:
    """The same links for the map's popups: each with ``0`` where the school's id goes."""
    sentinel = 987654321
    templates = {}
    for key, (label, url) in zip(("measurements", "survey", "school"), _labelled_links(sentinel), strict=True):
        if url:
            templates[key] = {"label": label, "url": url.replace(str(sentinel), "{id}")}
    return templates


def _labelled_links(school_id: int) -> list[tuple[str, str | None]]:
    return [
        (
            _("Measurements"),
            reverse_or_none(
                "connectivity:school-measurements", "connectivity:school-connectivity", kwargs={"pk": school_id}
            ),
        ),
        (_("Survey answers"), reverse_or_none("connectivity:school-survey", kwargs={"pk": school_id})),
        (_("School"), reverse_or_none("schools:school-detail", kwargs={"pk": school_id})),
    ]


def _legend(counts: dict[str, int]) -> list[dict]:
    return [
        {
            "key": str(status),
            "label": status.label,
            "help": selectors.STATUS_HELP[status],
            "colour": selectors.STATUS_COLOURS[status],
            "count": counts.get(str(status), 0),
        }
        for status in selectors.STATUS_ORDER
    ]


@login_required
@require_GET
def campaign_map(request, pk: int):
    context = _context(request, pk)
    selection = context["selection"]
    if selection is not None:
        counts = selectors.status_counts(request.user, selection)
        total = counts[selection.status] if selection.status else sum(counts.values())
        statuses = selectors.table_statuses(request.user, selection)
        paginator = Paginator(statuses, PAGE_SIZE)
        paginator.count = total  # known from the counts: one count query fewer
        page = paginator.get_page(request.GET.get("page"))
        rows = selectors.table_rows(request.user, selection, list(page.object_list))
        links = _link_templates()  # reversed once, not per row
        context.update(
            legend=_legend(counts),
            total=total,
            page=page,
            rows=[(row, _school_links(links, row.status.school_id)) for row in rows],
            data_url=reverse("connectivity:campaign-mapdata", kwargs={"pk": context["campaign"].pk}),
            query=request.GET.urlencode(),
            charts_url=reverse_or_none("connectivity:campaign-charts", kwargs={"pk": context["campaign"].pk}),
        )
    status = 400 if context["form"].is_bound and context["form"].errors else 200
    return render(request, "connectivity/map_page.html", context, status=status)


@login_required
@require_GET
@gzip_page  # 40,000 schools are about 4.5 MB of JSON, a tenth of it compressed; no secret is echoed
def campaign_mapdata(request, pk: int):
    context = _context(request, pk)
    form, selection, run = context["form"], context["selection"], context["run"]
    if form.errors:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    campaign = context["campaign"]
    etag = None
    if run is not None:
        # The same run, filter, user and language give the same answer.
        key = f"{run.pk}:{run.computed_at.isoformat()}:{request.user.pk}:{get_language()}:{request.GET.urlencode()}"
        etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
        if request.headers.get("If-None-Match") == etag:
            return HttpResponseNotModified()
    data: dict[str, object] = {
        "campaign": {"id": campaign.pk, "code": campaign.code, "name": localized(campaign.name) or campaign.code},
        "map": map_settings(campaign.programme),
        "run": None,
        "benchmark": None,
        "columns": selectors.MAP_COLUMNS,
        "statuses": [
            {"key": str(status), "label": str(status.label), "colour": selectors.STATUS_COLOURS[status]}
            for status in selectors.STATUS_ORDER
        ],
        "options": [{"key": str(option), "label": str(option.label)} for option in selectors.OPTION_ORDER],
        "schools": [],
        "unplaced": 0,
        "links": _link_templates(),
        "texts": _texts(),
    }
    placed, unplaced = 0, 0
    if selection is not None:
        rows, unplaced = selectors.map_rows(request.user, selection)
        placed = len(rows)
        benchmark = selection.benchmark
        data.update(
            run={"id": run.pk, "as_of": run.as_of.isoformat()},
            benchmark={"id": benchmark.pk, "code": benchmark.code, "name": str(benchmark), "kind": benchmark.kind},
            schools=rows,
            unplaced=unplaced,
        )
    data["summary"] = _summary(placed, unplaced, run)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Cache-Control"] = "private, max-age=60"
    if etag:
        response["ETag"] = etag
    return response


def _summary(placed: int, unplaced: int, run) -> str:
    if run is None:
        return _("No analysis has been run for this campaign yet.")
    text = ngettext("%(count)s school on the map.", "%(count)s schools on the map.", placed) % {
        "count": format_number(placed)
    }
    if unplaced:
        text += " " + ngettext(
            "%(count)s school has no position and is not shown; the table lists it.",
            "%(count)s schools have no position and are not shown; the table lists them.",
            unplaced,
        ) % {"count": format_number(unplaced)}
    return text


def _texts() -> dict[str, str]:
    return {
        "measured": _("Measured download"),
        "required": _("Required download"),
        "tests": _("Tests"),
        "days": _("Days with tests"),
        "option": _("Proposal"),
        "gap": _("Uplink gap"),
        "classrooms_without_wifi": _("Classrooms without Wi-Fi"),
        "total": _("Total over the years"),
        "status": _("Status"),
        "no_proposal": _("No proposal"),
        "unknown": _("not known"),
        "mbps": _("Mbit/s"),
        "eur": _("EUR"),
    }


@login_required
@require_GET
def campaign_charts(request, pk: int):
    context = _context(request, pk, with_status=False)
    selection = context["selection"]
    if selection is not None:
        bandwidth = charts.bandwidth_per_pupil_by_type(selectors.bandwidth_rows(request.user, selection))
        compared = charts.measured_vs_contracted(
            selectors.contracted_rows(request.user, selection),
            selectors.contracted_share(context["benchmarks"]),
        )
        context.update(
            bandwidth=bandwidth,
            bandwidth_rows=[(charts.type_label(group.school_type), group) for group in bandwidth.groups],
            bandwidth_svg=charts.bandwidth_svg(
                bandwidth, title=_("Bandwidth per pupil by school type"), element_id="chart-bandwidth"
            ),
            bandwidth_summary=charts.bandwidth_summary(bandwidth),
            compared=compared,
            compared_rows=[(charts.bin_label(share_bin), share_bin) for share_bin in compared.bins],
            compared_svg=charts.contracted_svg(
                compared, title=_("Measured against contracted download speed"), element_id="chart-contracted"
            ),
            compared_summary=charts.contracted_summary(compared),
            map_url=reverse_or_none("connectivity:campaign-map", kwargs={"pk": context["campaign"].pk}),
        )
    status = 400 if context["form"].is_bound and context["form"].errors else 200
    return render(request, "connectivity/charts_page.html", context, status=status)
