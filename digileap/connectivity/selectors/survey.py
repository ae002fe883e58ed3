"""Reads of the survey: campaigns and schools a user answers for, answers and their uplinks, each
restricted to the user's scope (``digileap.core.permissions.restrict``)."""

from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404

from digileap.core.permissions import Action, restrict
from digileap.schools.models import School, Site

from ..models import Campaign, CampaignSchool, SurveyResponse, Uplink


def campaigns_for(user, action: str = Action.VIEW) -> QuerySet:
    return restrict(Campaign.objects.select_related("programme"), user, action)


def responses_for(user, action: str = Action.VIEW) -> QuerySet:
    """The answers the user may see (or take ``action`` on), with their school and site."""
    return restrict(
        SurveyResponse.objects.select_related("campaign", "school", "school__operator", "site"), user, action
    )


def uplinks_for(user, action: str = Action.VIEW) -> QuerySet:
    return restrict(Uplink.objects.select_related("response"), user, action)


def response_get(user, pk: int) -> SurveyResponse:
    """One answer the user may see, or 404."""
    response = responses_for(user).prefetch_related("uplinks").filter(pk=pk).first()
    if response is None:
        raise Http404
    return response


def campaign_get(user, pk: int) -> Campaign:
    campaign = campaigns_for(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def campaign_school_get(user, campaign: Campaign, school_pk: int) -> School:
    """A school the campaign covers and the user may see, or 404."""
    covered = restrict(CampaignSchool.objects.filter(campaign=campaign, school_id=school_pk), user)
    school = School.objects.select_related("operator").filter(pk=school_pk, pk__in=covered.values("school_id")).first()
    if school is None:
        raise Http404
    return school


def school_sites(school: School) -> list[Site]:
    return list(Site.objects.filter(school=school).order_by("-is_main", "name", "pk"))


@dataclass
class Place:
    """Where an answer belongs: the school as a whole (``site`` None) or one of its sites."""

    site: Site | None
    response: SurveyResponse | None


def answer_places(campaign: Campaign, school: School) -> list[Place]:
    """The answers a school gives: one per site when it has several sites, else one for the whole
    school; a whole-school answer given anyway is listed too."""
    responses = {
        response.site_id: response
        for response in SurveyResponse.objects.filter(campaign=campaign, school=school).prefetch_related("uplinks")
    }
    sites = school_sites(school)
    places = []
    if len(sites) < 2 or None in responses:
        places.append(Place(None, responses.get(None)))
    if len(sites) >= 2:
        places += [Place(site, responses.get(site.pk)) for site in sites]
    return places


def open_assignments(user, campaigns: QuerySet) -> list[tuple[CampaignSchool, list[SurveyResponse]]]:
    """The (campaign, school) pairs the user may answer for, each with its answers so far."""
    pairs = list(
        restrict(CampaignSchool.objects.filter(campaign__in=campaigns), user)
        .select_related("campaign", "campaign__programme", "school")
        .order_by("campaign__ends_on", "school__name", "pk")
    )
    answers: dict[tuple[int, int], list[SurveyResponse]] = {}
    responses = SurveyResponse.objects.filter(
        campaign__in={pair.campaign_id for pair in pairs}, school__in={pair.school_id for pair in pairs}
    ).select_related("site")
    for response in responses:
        answers.setdefault((response.campaign_id, response.school_id), []).append(response)
    return [(pair, answers.get((pair.campaign_id, pair.school_id), [])) for pair in pairs]


def campaign_responses(user, campaign: Campaign, *, state: str = "") -> QuerySet:
    """The answers of ``campaign`` the user may see, with their uplinks, in school order."""
    responses = responses_for(user).filter(campaign=campaign)
    if state:
        responses = responses.filter(state=state)
    return responses.prefetch_related(Prefetch("uplinks", queryset=Uplink.objects.order_by("id"))).order_by(
        "school__name", "school__number", F("site__name").asc(nulls_first=True), "pk"
    )
