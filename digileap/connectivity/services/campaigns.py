"""Writes to survey campaigns: the campaign itself, the schools it covers, opening and closing.

Programme owners of the programme's authority run campaigns (grants in ``permissions.py``). Every
write authorises first, validates (a ``ValidationError`` naming the field, nothing written), writes
and records an audit event.

States: a campaign is made as a draft; ``campaign_open`` opens a draft (or reopens a closed one) that
covers at least one school; ``campaign_close`` closes an open one. A closed campaign takes no
answers (``campaign_accepts_answers``) and is not edited; an open one still takes late answers after
its last day until it is closed (the reminders then say it is overdue).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.core.services import create_audited, update_audited
from digileap.programmes.models import Programme
from digileap.schools.models import School

from ..models import Campaign, CampaignSchool, SurveyResponse

CAMPAIGN_FIELDS = ("code", "name", "description", "starts_on", "ends_on", "reminder_days")
# Reminders may be sent at most this many days before the last day.
MAX_REMINDER_DAYS = 365


def clean_reminder_days(value) -> list[int]:
    """The reminder days as whole numbers from 0 to 365, largest first, each once; a list or a
    text like ``"14, 7, 1"``. A ``ValidationError`` on anything else."""
    if value is None or value == "":
        return []
    items = value.replace(";", ",").split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ValidationError(_("Give the reminder days as whole numbers separated by commas, e.g. 14, 7, 1."))
    days: set[int] = set()
    for item in items:
        text = str(item).strip()
        if text == "":
            continue
        try:
            day = int(text)
        except ValueError:
            raise ValidationError(
                _("%(value)s is not a whole number of days; give e.g. 14, 7, 1.") % {"value": text}
            ) from None
        if day < 0 or day > MAX_REMINDER_DAYS:
            raise ValidationError(
                _("A reminder day must be from 0 to %(max)s days before the last day, not %(value)s.")
                % {"max": MAX_REMINDER_DAYS, "value": day}
            )
        days.add(day)
    return sorted(days, reverse=True)


def _check_campaign(campaign: Campaign) -> None:
    errors: dict[str, list[str]] = {}
    campaign.code = (campaign.code or "").strip()
    if not campaign.code:
        errors["code"] = [_("Give the campaign a code.")]
    name = campaign.name if isinstance(campaign.name, dict) else {}
    if not any(isinstance(text, str) and text.strip() for text in name.values()):
        errors["name"] = [_("Give the campaign a name in at least one language.")]
    if not isinstance(campaign.starts_on, datetime.date):
        errors["starts_on"] = [_("Give the first day of the campaign.")]
    if not isinstance(campaign.ends_on, datetime.date):
        errors["ends_on"] = [_("Give the last day of the campaign.")]
    elif isinstance(campaign.starts_on, datetime.date) and campaign.ends_on < campaign.starts_on:
        errors["ends_on"] = [_("The last day comes on or after the first day.")]
    try:
        campaign.reminder_days = clean_reminder_days(campaign.reminder_days)
    except ValidationError as error:
        errors["reminder_days"] = error.messages
    if campaign.code and campaign.programme_id:
        taken = Campaign.objects.filter(programme_id=campaign.programme_id, code__iexact=campaign.code)
        if campaign.pk is not None:
            taken = taken.exclude(pk=campaign.pk)
        if taken.exists():
            errors["code"] = [
                _("The programme already has a campaign with the code %(code)s.") % {"code": campaign.code}
            ]
    if errors:
        raise ValidationError(errors)


def open_schools_of(programme: Programme):
    """The schools a new campaign covers: every open school of the programme's authority."""
    return School.objects.filter(authority_id=programme.authority_id, status=School.Status.OPEN)


@transaction.atomic
def campaign_create(*, actor, programme: Programme, data: dict[str, Any]) -> Campaign:
    """A new draft campaign of ``programme`` covering every open school of its authority
    (``campaign_set_schools`` changes that)."""
    instance = Campaign(programme=programme, created_by=actor if getattr(actor, "pk", None) else None)
    authorize(actor, Action.ADD, instance)
    try:
        with transaction.atomic():
            campaign = create_audited(
                actor=actor, instance=instance, data=data, allowed=CAMPAIGN_FIELDS, check=_check_campaign
            )
    except IntegrityError:
        # Another request took the code a moment ago.
        raise ValidationError(
            {"code": [_("The programme already has a campaign with the code %(code)s.") % {"code": data.get("code")}]}
        ) from None
    schools = list(open_schools_of(programme).values_list("pk", flat=True))
    CampaignSchool.objects.bulk_create([CampaignSchool(campaign=campaign, school_id=pk) for pk in schools])
    if schools:
        audit.record(
            actor=actor, action="update", instance=campaign, before={"schools": 0}, after={"schools": len(schools)}
        )
    return campaign


def campaign_update(*, actor, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    """Change the code, name, description, period or reminder days (not of a closed campaign)."""

    def check(instance: Campaign) -> None:
        if instance.state == Campaign.State.CLOSED:
            raise ValidationError(_("The campaign is closed: reopen it to change it."))
        _check_campaign(instance)

    return update_audited(actor=actor, instance=campaign, data=data, allowed=CAMPAIGN_FIELDS, check=check)


@transaction.atomic
def campaign_set_schools(*, actor, campaign: Campaign, schools) -> int:
    """Exactly ``schools`` are covered by ``campaign``: missing ones are added, others removed
    (unless they have answered). The schools must belong to the programme's authority. Returns the
    number of schools covered."""
    campaign = Campaign.objects.select_for_update().select_related("programme").get(pk=campaign.pk)
    authorize(actor, Action.CHANGE, campaign)
    if campaign.state == Campaign.State.CLOSED:
        raise ValidationError({"schools": [_("The campaign is closed: reopen it to change its schools.")]})
    wanted = {school.pk: school for school in schools}
    outside = sorted(
        school.name for school in wanted.values() if school.authority_id != campaign.programme.authority_id
    )
    if outside:
        raise ValidationError(
            {
                "schools": [
                    _("These schools are not of the programme's authority: %(names)s") % {"names": ", ".join(outside)}
                ]
            }
        )
    current = set(campaign.campaign_schools.values_list("school_id", flat=True))
    removed = current - set(wanted)
    answered = sorted(
        SurveyResponse.objects.filter(campaign=campaign, school_id__in=removed)
        .values_list("school__name", flat=True)
        .distinct()
    )
    if answered:
        raise ValidationError(
            {
                "schools": [
                    _("These schools have answered and stay in the campaign: %(names)s")
                    % {"names": ", ".join(answered)}
                ]
            }
        )
    added = [CampaignSchool(campaign=campaign, school_id=pk) for pk in sorted(set(wanted) - current)]
    CampaignSchool.objects.bulk_create(added)
    if removed:
        CampaignSchool.objects.filter(campaign=campaign, school_id__in=removed).delete()
    if added or removed:
        audit.record(
            actor=actor,
            action="update",
            instance=campaign,
            before={"schools": len(current)},
            after={
                "schools": len(wanted),
                "added": sorted(row.school_id for row in added),
                "removed": sorted(removed),
            },
        )
    return len(wanted)


def _set_state(*, actor, campaign: Campaign, allowed_from: tuple[str, ...], to: str, refusal: str) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    authorize(actor, Action.CHANGE, campaign)
    if campaign.state not in allowed_from:
        raise ValidationError({"state": [refusal]})
    before = campaign.state
    campaign.state = to
    campaign.save(update_fields=["state"])
    audit.record(actor=actor, action="update", instance=campaign, before={"state": before}, after={"state": to})
    return campaign


@transaction.atomic
def campaign_open(*, actor, campaign: Campaign) -> Campaign:
    """Open a draft (or reopen a closed) campaign: its schools may answer from its first day."""
    state = Campaign.objects.filter(pk=campaign.pk).values_list("state", flat=True).first()
    if state == Campaign.State.OPEN:
        refusal = _("The campaign is open already.")
    else:
        refusal = _("Only a draft or a closed campaign can be opened.")
    opened = _set_state(
        actor=actor,
        campaign=campaign,
        allowed_from=(Campaign.State.DRAFT, Campaign.State.CLOSED),
        to=Campaign.State.OPEN,
        refusal=refusal,
    )
    if not opened.campaign_schools.exists():
        raise ValidationError({"schools": [_("The campaign covers no school: choose its schools first.")]})
    return opened


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign) -> Campaign:
    """Close an open campaign: it takes no more answers and sends no more reminders."""
    return _set_state(
        actor=actor,
        campaign=campaign,
        allowed_from=(Campaign.State.OPEN,),
        to=Campaign.State.CLOSED,
        refusal=_("Only an open campaign can be closed."),
    )


def campaign_accepts_answers(campaign: Campaign, today: datetime.date | None = None) -> bool:
    """Whether schools may save or submit answers on ``today``: the campaign is open and its first
    day has come. Answers after the last day are taken (late) until the campaign is closed."""
    from django.utils import timezone

    today = today or timezone.localdate()
    return campaign.state == Campaign.State.OPEN and today >= campaign.starts_on
