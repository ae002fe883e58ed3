"""Pages of survey campaigns (docs/connectivity-campaigns.md): the list, a new campaign and its
edit, the schools it covers, opening and closing, the campaign page with its progress per
operator and region and its schools' answer states, the progress as CSV, and "send reminders now".

Reads go through the selectors (outside the scope: 404); a missing right is a 403. Every write is
a POST that calls a service; a service's ``ValidationError`` goes back onto the form (or into a
message) and nothing is written.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.exports import csv_response
from digileap.core.permissions import Action, can, permits
from digileap.programmes.translation import localized
from digileap.schools.models import School

from .forms_campaigns import CampaignForm, CampaignSchoolsForm, SchoolFilterForm, SchoolStateFilterForm
from .models import Benchmark, Campaign, Measurement
from .selectors.campaigns import (
    NONE,
    CoveredSchool,
    answer_state_q,
    campaign_progress,
    campaigns_for,
    covered_schools,
    programmes_for_campaigns,
    response_rates,
    state_of,
    survey_link,
)
from .services import campaigns as services
from .services.reminders import campaign_remind as remind_schools

SCHOOLS_PER_PAGE = 100


def _status(form) -> int:
    """400 when a posted form is shown back with its errors."""
    return 400 if form.is_bound and form.errors else 200


def _campaign(request, pk: int, action: str = Action.VIEW) -> Campaign:
    campaign = get_object_or_404(campaigns_for(request.user), pk=pk)
    if action != Action.VIEW and not permits(request.user, action, campaign):
        raise PermissionDenied
    return campaign


@login_required
@require_GET
def campaign_list(request):
    if not can(request.user, Action.VIEW, Campaign):
        raise PermissionDenied
    campaigns = list(campaigns_for(request.user).order_by("-starts_on", "code"))
    rates = response_rates(campaigns_for(request.user), request.user)
    rows = []
    for campaign in campaigns:
        total, done = rates.get(campaign.pk, (0, 0))
        rows.append(
            {
                "campaign": campaign,
                "schools": total,
                "submitted": done,
                "percent": round(100 * done / total, 1) if total else 0,
            }
        )
    return render(
        request,
        "connectivity/campaign_list.html",
        {"rows": rows, "can_add": programmes_for_campaigns(request.user).exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    programmes = programmes_for_campaigns(request.user)
    if not programmes.exists():
        raise PermissionDenied
    form = CampaignForm(request.POST or None, programmes=programmes, initial={"reminder_days": "14, 7, 1"})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=request.user, programme=form.cleaned_data["programme"], data=form.service_data()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            count = campaign.campaign_schools.count()
            messages.success(
                request,
                ngettext(
                    "The campaign %(code)s was made as a draft; it covers %(count)s school.",
                    "The campaign %(code)s was made as a draft; it covers %(count)s schools.",
                    count,
                )
                % {"code": campaign.code, "count": count},
            )
            return redirect("connectivity:campaign-detail", pk=campaign.pk)
    return render(request, "connectivity/campaign_form.html", {"form": form, "campaign": None}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def campaign_update(request, pk: int):
    campaign = _campaign(request, pk, Action.CHANGE)
    form = CampaignForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(actor=request.user, campaign=campaign, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("connectivity:campaign-detail", pk=campaign.pk)
    return render(
        request, "connectivity/campaign_form.html", {"form": form, "campaign": campaign}, status=_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_schools(request, pk: int):
    """The schools the campaign covers: the authority's open schools, narrowed by operator and
    school type; saving changes only the schools shown."""
    campaign = _campaign(request, pk, Action.CHANGE)
    source = request.POST if request.method == "POST" else request.GET
    filters = SchoolFilterForm(
        {"operator": source.get("operator", ""), "school_type": source.get("school_type", "")}, campaign=campaign
    )
    shown = filters.schools()
    current = set(campaign.campaign_schools.values_list("school_id", flat=True))
    form = CampaignSchoolsForm(
        request.POST if request.method == "POST" else None,
        shown=shown,
        initial={"schools": [pk for pk in shown.values_list("pk", flat=True) if pk in current]},
    )
    if request.method == "POST" and form.is_valid():
        shown_ids = set(shown.values_list("pk", flat=True))
        chosen = {school.pk: school for school in form.cleaned_data["schools"]}
        kept = current - shown_ids
        wanted = list(School.objects.filter(pk__in=kept)) + list(chosen.values())
        try:
            count = services.campaign_set_schools(actor=request.user, campaign=campaign, schools=wanted)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                ngettext("The campaign covers %(count)s school.", "The campaign covers %(count)s schools.", count)
                % {"count": count},
            )
            return redirect("connectivity:campaign-detail", pk=campaign.pk)
    return render(
        request,
        "connectivity/campaign_schools.html",
        {
            "campaign": campaign,
            "form": form,
            "filters": filters,
            "covered_count": len(current),
            "shown_count": shown.count(),
        },
        status=_status(form),
    )


def _transition(request, pk: int, service, done: str):
    campaign = _campaign(request, pk, Action.CHANGE)
    try:
        service(actor=request.user, campaign=campaign)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("connectivity:campaign-detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_open(request, pk: int):
    return _transition(
        request, pk, services.campaign_open, _("The campaign is open: its schools may answer from its first day.")
    )


@login_required
@require_POST
def campaign_close(request, pk: int):
    return _transition(request, pk, services.campaign_close, _("The campaign is closed: it takes no more answers."))


@login_required
@require_POST
def campaign_remind(request, pk: int):
    """Remind now every school of the campaign that has not submitted (once a day at most)."""
    campaign = _campaign(request, pk, Action.CHANGE)
    try:
        summary = remind_schools(actor=request.user, campaign=campaign)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            ngettext(
                "%(sent)s school was reminded (%(emails)s e-mails).",
                "%(sent)s schools were reminded (%(emails)s e-mails).",
                summary["sent"],
            )
            % {"sent": summary["sent"], "emails": summary["emails"]},
        )
        if summary["already_sent"]:
            messages.info(
                request,
                ngettext(
                    "%(count)s school had been reminded today already.",
                    "%(count)s schools had been reminded today already.",
                    summary["already_sent"],
                )
                % {"count": summary["already_sent"]},
            )
        if summary["without_recipients"]:
            messages.warning(
                request,
                ngettext(
                    "%(count)s school has no coordinator or operator staff with an e-mail address.",
                    "%(count)s schools have no coordinator or operator staff with an e-mail address.",
                    summary["without_recipients"],
                )
                % {"count": summary["without_recipients"]},
            )
    return redirect("connectivity:campaign-detail", pk=campaign.pk)


def campaign_parts(user, campaign: Campaign) -> list[tuple[str, str]]:
    """Links to what else concerns the campaign, each only for those who may open it: answers,
    analysis, map, charts, report, benchmarks and cost parameters, measurement imports."""
    from .selectors.report import may_read_reports

    pk = {"pk": campaign.pk}
    parts = [
        (_("Answers"), reverse("connectivity:surveyresponse-list", kwargs={"campaign_pk": campaign.pk})),
        (_("Analysis and proposals"), reverse("connectivity:campaign-analysis", kwargs=pk)),
        (_("Status map"), reverse("connectivity:campaign-map", kwargs=pk)),
        (_("Charts"), reverse("connectivity:campaign-charts", kwargs=pk)),
    ]
    if may_read_reports(user):
        parts.append((_("Report"), reverse("connectivity:campaign-report", kwargs=pk)))
    if can(user, Action.VIEW, Benchmark):
        programme = {"programme_pk": campaign.programme_id}
        parts.append((_("Benchmarks"), reverse("connectivity:benchmark-list", kwargs=programme)))
    if can(user, Action.ADD, Measurement):
        parts.append((_("Import measurements"), reverse("connectivity:measurement-import")))
    return parts


@login_required
@require_GET
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    progress = campaign_progress(campaign, request.user)
    operators = [(row.operator_id, row.label) for row in progress.operators]
    filters = SchoolStateFilterForm(request.GET or None, operators=operators)
    schools = covered_schools(campaign, request.user).select_related("school", "school__operator")
    if filters.is_bound and filters.is_valid():
        if filters.cleaned_data["operator"]:
            schools = schools.filter(school__operator_id=filters.cleaned_data["operator"])
        if filters.cleaned_data["state"]:
            schools = schools.filter(answer_state_q(filters.cleaned_data["state"]))
    page = Paginator(schools.order_by("school__name", "school_id"), SCHOOLS_PER_PAGE).get_page(request.GET.get("page"))
    # The page's rows keep the answer flags (mypy loses them through the paginator).
    rows: list[CoveredSchool] = list(page.object_list)
    school_rows = [
        {
            "school": row.school,
            "state": state_of(row.has_submitted, row.has_answer),
            "survey_url": survey_link(campaign.pk, row.school_id),
        }
        for row in rows
    ]
    query = urlencode({key: value for key, value in request.GET.items() if key in ("operator", "state") and value})
    can_change = permits(request.user, Action.CHANGE, campaign)
    return render(
        request,
        "connectivity/campaign_detail.html",
        {
            "campaign": campaign,
            "description": localized(campaign.description),
            "progress": progress,
            "filters": filters,
            "page": page,
            "school_rows": school_rows,
            "query": query,
            "not_answered": NONE,
            "can_change": can_change,
            "can_open": can_change and campaign.state != Campaign.State.OPEN,
            "can_close": can_change and campaign.state == Campaign.State.OPEN,
            "can_remind": can_change
            and campaign.state == Campaign.State.OPEN
            and campaign.starts_on <= timezone.localdate(),
            "can_edit": can_change and campaign.state != Campaign.State.CLOSED,
            "parts": campaign_parts(request.user, campaign),
            "accepts_answers": services.campaign_accepts_answers(campaign),
        },
    )


@login_required
@require_GET
def campaign_progress_csv(request, pk: int):
    """The progress per operator and per region as CSV (the schools the user may see)."""
    campaign = _campaign(request, pk)
    progress = campaign_progress(campaign, request.user)
    headers = [
        _("Group"),
        _("Name"),
        _("Schools"),
        _("Answered"),
        _("Answered (%)"),
        _("Draft"),
        _("Draft (%)"),
        _("Not answered"),
        _("Not answered (%)"),
    ]

    def rows():
        for group, items in (
            (_("All"), [progress.total]),
            (_("Operator"), progress.operators),
            (_("Region"), progress.regions),
        ):
            for item in items:
                yield [
                    group,
                    item.label or campaign.code,
                    item.total,
                    item.submitted,
                    item.submitted_percent,
                    item.draft,
                    item.draft_percent,
                    item.none,
                    item.none_percent,
                ]

    return csv_response(f"{campaign.code}-progress", headers, rows())
