"""E-mail reminders to the schools that have not answered an open survey campaign.

On each run (daily: ``manage.py send_survey_reminders`` or the task ``send_survey_reminders``), for
every OPEN campaign whose first day has come, each covered school without a submitted answer is
reminded:

- on the campaign's reminder days before its last day (``Campaign.reminder_days``, e.g. 14, 7, 1):
  the step of a run is the smallest that has been reached, so a first run 5 days before the end
  sends the 7-day reminder and not the 14-day one as well (key ``"7"``);
- once when the last day has passed (key ``overdue``).

Each (campaign, school, key) is sent once: the ``CampaignReminder`` row (unique) is written in the
same transaction as the e-mails are sent, so a rerun sends nothing and a failed send leaves no row.

Recipients: the school's coordinators; when the school has none, the staff of the school's
operator. Only active users with an e-mail address. Each gets a plain-text e-mail in their preferred
language (``User.preferred_language``, else the site's), with dates as that language writes them and
links made absolute with ``settings.DIGILEAP_BASE_URL``. Nobody to write to: no row, counted as
``without_recipients``.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from digileap.accounts.models import Role, RoleAssignment, User
from digileap.core import audit
from digileap.core.permissions import Action, authorize
from digileap.programmes.translation import localized
from digileap.schools.models import School

from ..models import Campaign, CampaignReminder, CampaignSchool, SurveyResponse
from ..selectors.campaigns import survey_path

OVERDUE = "overdue"
ACTOR = "survey reminders"
SUMMARY_KEYS = ("due", "sent", "emails", "already_sent", "without_recipients")


def reminder_step(ends_on: datetime.date, today: datetime.date, days: list[int]) -> str | None:
    """``overdue`` after the last day, else the smallest of ``days`` reached, else None."""
    left = (ends_on - today).days
    if left < 0:
        return OVERDUE
    reached = [int(day) for day in days or [] if left <= int(day)]
    return str(min(reached)) if reached else None


@dataclass
class Due:
    campaign: Campaign
    school: School
    key: str
    today: datetime.date
    recipients: list[User] = field(default_factory=list)


def _active_users(user_ids) -> dict[int, User]:
    users = User.objects.filter(pk__in=set(user_ids), is_active=True).exclude(email="")
    return {user.pk: user for user in users}


def recipients_by_school(schools: list[School]) -> dict[int, list[User]]:
    """Per school: its coordinators, else its operator's staff (active, with an e-mail address)."""
    school_ids = [school.pk for school in schools]
    operator_ids = {school.operator_id for school in schools}
    coordinators: dict[int, set[int]] = {}
    for school_id, user_id in RoleAssignment.objects.filter(
        role=Role.SCHOOL_COORDINATOR, school_id__in=school_ids
    ).values_list("school_id", "user_id"):
        coordinators.setdefault(school_id, set()).add(user_id)
    staff: dict[int, set[int]] = {}
    for operator_id, user_id in RoleAssignment.objects.filter(
        role=Role.OPERATOR_STAFF, operator_id__in=operator_ids
    ).values_list("operator_id", "user_id"):
        staff.setdefault(operator_id, set()).add(user_id)
    users = _active_users(
        [pk for ids in coordinators.values() for pk in ids] + [pk for ids in staff.values() for pk in ids]
    )

    def ordered(ids: set[int]) -> list[User]:
        return sorted((users[pk] for pk in ids if pk in users), key=lambda user: (user.email, user.pk))

    result = {}
    for school in schools:
        chosen = ordered(coordinators.get(school.pk, set()))
        result[school.pk] = chosen or ordered(staff.get(school.operator_id, set()))
    return result


def reminders_due(today: datetime.date, campaigns=None, key: str | None = None) -> list[Due]:
    """Every reminder a run on ``today`` would consider (sent ones included; the row tells).
    ``key`` given: every school not answered of ``campaigns`` under that key, whatever the day."""
    campaigns = (
        Campaign.objects.filter(state=Campaign.State.OPEN, starts_on__lte=today) if campaigns is None else campaigns
    )
    due: list[Due] = []
    for campaign in campaigns.select_related("programme").order_by("pk"):
        step = key or reminder_step(campaign.ends_on, today, campaign.reminder_days)
        if step is None:
            continue
        submitted = SurveyResponse.objects.filter(campaign=campaign, state=SurveyResponse.State.SUBMITTED).values(
            "school_id"
        )
        schools = [
            row.school
            for row in CampaignSchool.objects.filter(campaign=campaign)
            .exclude(school_id__in=submitted)
            .select_related("school")
            .order_by("school__name", "school_id")
        ]
        recipients = recipients_by_school(schools)
        due += [Due(campaign, school, step, today, recipients[school.pk]) for school in schools]
    return due


def language_of(user: User) -> str:
    code = (user.preferred_language or "").lower()
    languages = dict(settings.LANGUAGES)
    if code in languages:
        return code
    if code.split("-")[0] in languages:
        return code.split("-")[0]
    return settings.LANGUAGE_CODE


def render_email(item: Due, user: User) -> EmailMessage:
    """The e-mail to one recipient, in their language."""
    with translation.override(language_of(user)):
        base = settings.DIGILEAP_BASE_URL.rstrip("/")
        overdue = item.key == OVERDUE
        values = {
            "campaign": localized(item.campaign.name) or item.campaign.code,
            "school": item.school.name,
            "day": formats.date_format(item.campaign.ends_on, "DATE_FORMAT"),
        }
        if overdue:
            subject = _("Overdue: the connectivity survey %(campaign)s for %(school)s was due on %(day)s") % values
        else:
            subject = _("The connectivity survey %(campaign)s for %(school)s is due on %(day)s") % values
        context = {
            "user": user,
            "campaign": item.campaign,
            "campaign_name": values["campaign"],
            "school": item.school,
            "ends_on": item.campaign.ends_on,
            "overdue": overdue,
            "days_left": (item.campaign.ends_on - item.today).days,
            "survey_url": base + survey_path(item.campaign.pk, item.school.pk),
            "campaign_url": base + reverse("connectivity:campaign-detail", args=[item.campaign.pk]),
        }
        body = render_to_string("connectivity/emails/survey_reminder.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def send_survey_reminders(*, today: datetime.date | None = None, dry_run: bool = False, campaigns=None) -> Counter:
    """Send every survey reminder that is due and not sent yet. Returns the counts: ``due``
    (reminders to send now), ``sent``, ``emails``, ``already_sent``, ``without_recipients``.
    ``dry_run`` counts only: nothing is sent or written. ``campaigns`` narrows the run (the
    campaign page's button)."""
    today = today or timezone.localdate()
    return _send(reminders_due(today, campaigns), dry_run=dry_run)


def campaign_remind(*, actor, campaign: Campaign, today: datetime.date | None = None) -> Counter:
    """The campaign page's "send reminders now": every covered school without a submitted answer
    is reminded now, at most once a day (key ``now-<day>``), whatever the reminder days say. Only
    an open campaign whose first day has come."""
    today = today or timezone.localdate()
    authorize(actor, Action.CHANGE, campaign)
    if campaign.state != Campaign.State.OPEN or campaign.starts_on > today:
        raise ValidationError(_("Reminders are sent for an open campaign from its first day only."))
    items = reminders_due(today, Campaign.objects.filter(pk=campaign.pk), key=f"now-{today.isoformat()}")
    return _send(items, dry_run=False)


def _send(items: list[Due], *, dry_run: bool) -> Counter:
    summary: Counter = Counter({key: 0 for key in SUMMARY_KEYS})
    sent = set(
        CampaignReminder.objects.filter(campaign_id__in={item.campaign.pk for item in items}).values_list(
            "campaign_id", "school_id", "key"
        )
    )
    connection = None
    for item in items:
        if (item.campaign.pk, item.school.pk, item.key) in sent:
            summary["already_sent"] += 1
            continue
        if not item.recipients:
            summary["without_recipients"] += 1
            continue
        summary["due"] += 1
        if dry_run:
            continue
        connection = connection or get_connection()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    reminder = CampaignReminder.objects.create(
                        campaign=item.campaign,
                        school=item.school,
                        key=item.key,
                        recipients=len(item.recipients),
                        sent_at=timezone.now(),
                    )
            except IntegrityError:
                # Another run sent it a moment ago.
                summary["already_sent"] += 1
                summary["due"] -= 1
                continue
            messages = [render_email(item, user) for user in item.recipients]
            connection.send_messages(messages)
            audit.record(
                actor=ACTOR,
                action="create",
                instance=reminder,
                after={**audit.snapshot(reminder), "to": [user.email for user in item.recipients]},
            )
        summary["sent"] += 1
        summary["emails"] += len(messages)
    return summary
