"""Pages of the survey (docs/connectivity-survey.md):

- the user's surveys to answer (campaigns that accept answers and their schools in scope);
- a school's answers in a campaign, one per site when it has several sites;
- the answer form: the internal network, the problems and the uplinks (a formset; "add another
  uplink" works without JavaScript through empty rows, the script only adds rows in place);
- an answer read alone, with its history; the answers of a campaign with CSV and XLSX export.

Reads go through the selectors (outside the scope: 404); a missing right is a 403. Every write is a
POST that calls ``response_save``; its ``ValidationError`` goes back onto the form, nothing written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digileap.core.audit import history_for
from digileap.core.exports import export_response
from digileap.core.permissions import Action, can, permits
from digileap.schools.models import Site

from .forms_survey import (
    SurveyResponseForm,
    UplinkFormSet,
    add_service_errors,
    error_summary,
    uplink_initial,
)
from .models import Campaign, Problem, SurveyResponse
from .selectors.survey import (
    answer_places,
    campaign_get,
    campaign_responses,
    campaign_school_get,
    campaigns_for,
    open_assignments,
    response_get,
)
from .services.survey import accepts_answers, response_save, survey_prefill

PER_PAGE = 50


@login_required
@require_GET
def surveyresponse_todo(request):
    """The surveys the user answers: every campaign accepting answers, with its schools in scope."""
    today = timezone.localdate()
    campaigns = campaigns_for(request.user).filter(state=Campaign.State.OPEN, starts_on__lte=today)
    rows = [
        {"pair": pair, "answers": answers, "submitted": sum(a.state == SurveyResponse.State.SUBMITTED for a in answers)}
        for pair, answers in open_assignments(request.user, campaigns)
        if accepts_answers(pair.campaign, today)
    ]
    can_answer = can(request.user, Action.ADD, SurveyResponse)
    return render(request, "connectivity/survey_todo.html", {"rows": rows, "can_answer": can_answer})


@login_required
@require_GET
def surveyresponse_school(request, campaign_pk: int, school_pk: int):
    """A school's answers in a campaign: one per site when it has several, else one for the
    school (then straight to its form when it may be answered)."""
    campaign = campaign_get(request.user, campaign_pk)
    school = campaign_school_get(request.user, campaign, school_pk)
    places = answer_places(campaign, school)
    is_open = accepts_answers(campaign)
    may_answer = permits(request.user, Action.ADD, SurveyResponse(campaign=campaign, school=school))
    if len(places) == 1 and places[0].site is None and is_open and may_answer:
        return redirect("connectivity:surveyresponse-answer-school", campaign_pk=campaign.pk, school_pk=school.pk)
    context = {
        "campaign": campaign,
        "school": school,
        "places": places,
        "is_open": is_open,
        "may_answer": may_answer,
    }
    return render(request, "connectivity/survey_school.html", context)


def _site_of(school, site_pk: int | None):
    if site_pk is None:
        return None
    site = Site.objects.filter(pk=site_pk, school=school).first()
    if site is None:
        raise Http404
    return site


@login_required
@require_http_methods(["GET", "POST"])
def surveyresponse_answer(request, campaign_pk: int, school_pk: int, site_pk: int | None = None):
    """Answer (or correct) the survey for a school, or for one of its sites."""
    campaign = campaign_get(request.user, campaign_pk)
    school = campaign_school_get(request.user, campaign, school_pk)
    site = _site_of(school, site_pk)
    response = SurveyResponse.objects.filter(campaign=campaign, school=school, site=site).first()
    if response is not None:
        if not permits(request.user, Action.CHANGE, response):
            raise PermissionDenied
    elif not permits(request.user, Action.ADD, SurveyResponse(campaign=campaign, school=school, site=site)):
        raise PermissionDenied
    if not accepts_answers(campaign):
        if response is not None:
            return redirect("connectivity:surveyresponse-detail", pk=response.pk)
        messages.error(request, _("The campaign %(campaign)s does not accept answers now.") % {"campaign": campaign})
        return redirect("connectivity:surveyresponse-answer", campaign_pk=campaign.pk, school_pk=school.pk)

    prefill = None
    if response is not None:
        initial, uplinks = SurveyResponseForm.initial_for(response), uplink_initial(response.uplinks.order_by("id"))
    else:
        prefill = survey_prefill(school=school, site=site, campaign=campaign)
        initial, uplinks = prefill["data"], prefill["uplinks"]
    is_post = request.method == "POST"
    form = SurveyResponseForm(request.POST if is_post else None, initial=initial)
    formset = UplinkFormSet(request.POST if is_post else None, initial=uplinks, prefix="uplinks")
    if is_post and form.is_valid() & formset.is_valid():
        submit = "submit" in request.POST or (response is not None and response.state == SurveyResponse.State.SUBMITTED)
        try:
            saved = response_save(
                actor=request.user,
                campaign=campaign,
                school=school,
                site=site,
                data=form.response_data(),
                uplinks=formset.uplinks(),
                submit=submit,
            )
        except ValidationError as error:
            add_service_errors(error, form, formset)
        else:
            if saved.state == SurveyResponse.State.SUBMITTED:
                messages.success(request, _("The answer was submitted. You may correct it while the survey is open."))
            else:
                messages.success(request, _("The answer was saved as a draft. Submit it when it is complete."))
            return redirect("connectivity:surveyresponse-detail", pk=saved.pk)
    context = {
        "campaign": campaign,
        "school": school,
        "site": site,
        "response": response,
        "form": form,
        "formset": formset,
        "prefill": prefill,
        "errors": error_summary(form, formset) if is_post else [],
    }
    return render(request, "connectivity/survey_form.html", context, status=400 if is_post else 200)


@login_required
@require_http_methods(["GET", "POST"])
def surveyresponse_edit(request, pk: int):
    """The form of an existing answer."""
    response = response_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, response):
        raise PermissionDenied
    return surveyresponse_answer(
        request, campaign_pk=response.campaign_id, school_pk=response.school_id, site_pk=response.site_id
    )


@login_required
@require_GET
def surveyresponse_detail(request, pk: int):
    response = response_get(request.user, pk)
    is_open = accepts_answers(response.campaign)
    problems = dict(Problem.choices)
    context = {
        "response": response,
        "uplinks": list(response.uplinks.order_by("id")),
        "problems": [problems.get(code, code) for code in response.problems],
        "events": history_for(response)[:50],
        "can_edit": is_open and permits(request.user, Action.CHANGE, response),
        "is_open": is_open,
    }
    return render(request, "connectivity/survey_detail.html", context)


@login_required
@require_GET
def surveyresponse_list(request, campaign_pk: int):
    """The answers of a campaign the user may see, by school, with their uplinks."""
    campaign = campaign_get(request.user, campaign_pk)
    state = request.GET.get("state", "")
    if state not in SurveyResponse.State.values:
        state = ""
    responses = campaign_responses(request.user, campaign, state=state)
    page = Paginator(responses, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "campaign": campaign,
        "page": page,
        "state": state,
        "states": SurveyResponse.State.choices,
        "total": page.paginator.count,
    }
    return render(request, "connectivity/survey_list.html", context)


EXPORT_HEADERS = [
    "campaign",
    "school_number",
    "school_name",
    "operator",
    "site",
    "state",
    "submitted_at",
    "classrooms",
    "classrooms_wifi",
    "access_points",
    "switches",
    "switch_age_years",
    "cabling",
    "fibre_distance_km",
    "problems",
    "problems_text",
    "uplink",
    "technology",
    "provider",
    "download_mbps",
    "upload_mbps",
    "monthly_cost",
    "contract_start",
    "contract_end",
]


def export_rows(responses):
    """One row per answer and uplink; an answer without uplinks gives one row."""
    for response in responses:
        start = [
            response.campaign.code,
            response.school.number,
            response.school.name,
            response.school.operator.name,
            response.site.name if response.site_id else "",
            response.state,
            response.submitted_at,
            response.classrooms,
            response.classrooms_wifi,
            response.access_points,
            response.switches,
            response.switch_age_years,
            response.cabling,
            response.fibre_distance_km,
            " ".join(response.problems),
            response.problems_text,
        ]
        uplinks = list(response.uplinks.all())
        if not uplinks:
            yield [*start, "", "", "", "", "", "", "", ""]
        for number, uplink in enumerate(uplinks, start=1):
            yield [
                *start,
                number,
                uplink.technology,
                uplink.provider,
                uplink.download_mbps,
                uplink.upload_mbps,
                uplink.monthly_cost,
                uplink.contract_start,
                uplink.contract_end,
            ]


@login_required
@require_GET
def surveyresponse_export(request, campaign_pk: int):
    """The campaign's answers the user may see (``?state=`` as the list), as CSV or ``?format=xlsx``."""
    campaign = campaign_get(request.user, campaign_pk)
    state = request.GET.get("state", "")
    responses = campaign_responses(request.user, campaign, state=state if state in SurveyResponse.State.values else "")
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return export_response(file_format, f"survey-{campaign.code}", EXPORT_HEADERS, export_rows(responses))
