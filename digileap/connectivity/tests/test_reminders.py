"""Survey reminders: who gets which e-mail, when, in which language, once; the command and the task."""

import datetime
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..models import Campaign, CampaignReminder
from ..selectors.campaigns import survey_path
from ..services.reminders import campaign_remind, reminder_step, send_survey_reminders
from ..tasks import send_survey_reminders as reminders_task
from .factories import CampaignFactory, CampaignSchoolFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db

ENDS = datetime.date(2024, 3, 31)
LATVIAN_DAY = "2024. gada 31. martā"  # the month in the locative (config/formats/lv)


@pytest.fixture
def setup(world, settings):
    """An open campaign (reminders 14, 7, 1 days before 31 March) covering three schools of the
    INSIDE operator: one submitted, one with a draft and a coordinator (Latvian), one without a
    coordinator (its operator's staff get the reminder)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DIGILEAP_BASE_URL = "https://digileap.example.org/"
    programme = ProgrammeFactory(code="LV-CONN", authority=world.authority)
    campaign = CampaignFactory(
        programme=programme,
        code="SURVEY-24",
        name={"en": "Connectivity 2024", "lv": "Savienojamība 2024"},
        starts_on=datetime.date(2024, 3, 1),
        ends_on=ENDS,
        reminder_days=[14, 7, 1],
    )
    done = world.school
    draft = SchoolFactory(operator=world.operator, name="Draft school")
    silent = SchoolFactory(operator=world.operator, name="Silent school")
    for school in (done, draft, silent):
        CampaignSchoolFactory(campaign=campaign, school=school)
    SurveyResponseFactory(campaign=campaign, school=done)
    SurveyResponseFactory(campaign=campaign, school=draft, state="draft", submitted_at=None)
    coordinator = user_with_role(
        Role.SCHOOL_COORDINATOR, draft, username="anna", first_name="Anna", preferred_language="lv"
    )
    user_with_role(Role.SCHOOL_COORDINATOR, done, username="done-coordinator")
    staff = user_with_role(Role.OPERATOR_STAFF, world.operator, username="otto", first_name="Otto")
    user_with_role(Role.OPERATOR_STAFF, world.operator, username="no-mail", email="")
    user_with_role(Role.OPERATOR_STAFF, world.operator, username="gone", is_active=False)
    return campaign, draft, silent, coordinator, staff


def test_reminder_step():
    days = [14, 7, 1]
    assert reminder_step(ENDS, datetime.date(2024, 3, 16), days) is None
    assert reminder_step(ENDS, datetime.date(2024, 3, 17), days) == "14"
    assert reminder_step(ENDS, datetime.date(2024, 3, 26), days) == "7"
    assert reminder_step(ENDS, datetime.date(2024, 3, 31), days) == "1"
    assert reminder_step(ENDS, datetime.date(2024, 4, 1), days) == "overdue"
    assert reminder_step(ENDS, datetime.date(2024, 3, 31), []) is None


def test_nothing_before_the_first_step(setup):
    summary = send_survey_reminders(today=datetime.date(2024, 3, 16))
    assert dict(summary) == {"due": 0, "sent": 0, "emails": 0, "already_sent": 0, "without_recipients": 0}
    assert mail.outbox == []


def test_each_step_once_to_coordinators_else_operator_staff(setup):
    campaign, draft, silent, coordinator, staff = setup
    summary = send_survey_reminders(today=datetime.date(2024, 3, 17))
    assert dict(summary) == {"due": 2, "sent": 2, "emails": 2, "already_sent": 0, "without_recipients": 0}
    assert sorted(message.to[0] for message in mail.outbox) == ["anna@example.org", "otto@example.org"]
    english = next(message for message in mail.outbox if message.to == ["otto@example.org"])
    assert english.subject == "The connectivity survey Connectivity 2024 for Silent school is due on 31 March 2024"
    rows = sorted(CampaignReminder.objects.values_list("school_id", "key", "recipients"))
    assert rows == sorted([(draft.pk, "14", 1), (silent.pk, "14", 1)])
    # The same day again, and a later day on the same step: nothing new.
    assert send_survey_reminders(today=datetime.date(2024, 3, 17))["already_sent"] == 2
    assert send_survey_reminders(today=datetime.date(2024, 3, 20))["sent"] == 0
    assert len(mail.outbox) == 2
    # The next step, then overdue once.
    assert send_survey_reminders(today=datetime.date(2024, 3, 25))["sent"] == 2
    assert send_survey_reminders(today=datetime.date(2024, 4, 2))["sent"] == 2
    assert send_survey_reminders(today=datetime.date(2024, 4, 9))["sent"] == 0
    assert sorted(CampaignReminder.objects.filter(school=silent).values_list("key", flat=True)) == [
        "14",
        "7",
        "overdue",
    ]
    assert len(mail.outbox) == 6


def test_the_email_is_in_the_recipients_language_with_an_absolute_link(setup):
    campaign, draft, silent, coordinator, staff = setup
    send_survey_reminders(today=datetime.date(2024, 3, 26))
    by_recipient = {message.to[0]: message for message in mail.outbox}
    latvian = by_recipient["anna@example.org"]
    english = by_recipient["otto@example.org"]
    # The campaign's Latvian name and the date as Latvian writes it.
    assert "Savienojamība 2024" in latvian.subject and "Draft school" in latvian.subject
    assert LATVIAN_DAY in latvian.subject and "March" not in latvian.subject
    assert "Anna" in latvian.body
    assert english.body.startswith("Hello Otto,")
    assert "is due on 31 March 2024, in 5 days, and has not been submitted yet." in english.body
    assert f"https://digileap.example.org/connectivity/campaigns/{campaign.pk}/" in english.body
    assert f"https://digileap.example.org/connectivity/campaigns/{campaign.pk}/" in latvian.body
    # The link leads to the school's own survey page (the campaign page while the survey part has none).
    assert f"\nhttps://digileap.example.org{survey_path(campaign.pk, silent.pk)}\n" in english.body
    assert f"\nhttps://digileap.example.org{survey_path(campaign.pk, draft.pk)}\n" in latvian.body


def test_the_overdue_email_says_so(setup):
    send_survey_reminders(today=datetime.date(2024, 4, 3))
    english = next(message for message in mail.outbox if message.to == ["otto@example.org"])
    assert english.subject == (
        "Overdue: the connectivity survey Connectivity 2024 for Silent school was due on 31 March 2024"
    )
    assert "was due on 31 March 2024 and has not been submitted yet" in english.body


def test_dry_run_writes_and_sends_nothing(setup):
    summary = send_survey_reminders(today=datetime.date(2024, 3, 26), dry_run=True)
    assert summary["due"] == 2 and summary["sent"] == 0
    assert CampaignReminder.objects.count() == 0
    assert mail.outbox == []


def test_closed_draft_and_unstarted_campaigns_send_nothing(setup):
    campaign = setup[0]
    for state in (Campaign.State.CLOSED, Campaign.State.DRAFT):
        Campaign.objects.filter(pk=campaign.pk).update(state=state)
        assert send_survey_reminders(today=datetime.date(2024, 3, 26))["due"] == 0
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.OPEN, starts_on=datetime.date(2024, 3, 28))
    assert send_survey_reminders(today=datetime.date(2024, 3, 26))["due"] == 0
    assert mail.outbox == []


def test_a_school_without_anyone_to_write_to_is_counted(world, setup):
    campaign = setup[0]
    from digileap.schools.tests.factories import OperatorFactory

    lonely = SchoolFactory(operator=OperatorFactory(authority=world.authority), name="Lonely school")
    CampaignSchoolFactory(campaign=campaign, school=lonely)
    summary = send_survey_reminders(today=datetime.date(2024, 3, 26))
    assert summary["without_recipients"] == 1 and summary["sent"] == 2
    assert not CampaignReminder.objects.filter(school=lonely).exists()


def test_send_now_from_the_campaign_page_once_a_day(setup, role_users):
    campaign = setup[0]
    owner = role_users[Role.PROGRAMME_OWNER]
    today = datetime.date(2024, 3, 5)
    assert campaign_remind(actor=owner, campaign=campaign, today=today)["sent"] == 2
    assert campaign_remind(actor=owner, campaign=campaign, today=today)["already_sent"] == 2
    assert sorted(set(CampaignReminder.objects.values_list("key", flat=True))) == ["now-2024-03-05"]
    with pytest.raises(PermissionDenied):
        campaign_remind(actor=role_users[Role.AUDITOR], campaign=campaign, today=today)
    with pytest.raises(ValidationError):
        campaign_remind(actor=owner, campaign=campaign, today=datetime.date(2024, 2, 1))


def test_the_command_prints_one_line(setup):
    out = StringIO()
    call_command("send_survey_reminders", "--today", "2024-03-26", "--dry-run", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "today": "2024-03-26",
        "due": 2,
        "sent": 0,
        "emails": 0,
        "already_sent": 0,
        "without_recipients": 0,
        "dry_run": True,
    }
    assert len(out.getvalue().strip().splitlines()) == 1
    out = StringIO()
    call_command("send_survey_reminders", "--today", "2024-03-26", stdout=out)
    assert json.loads(out.getvalue())["sent"] == 2
    with pytest.raises(CommandError, match="is not a day like 2024-03-17"):
        call_command("send_survey_reminders", "--today", "26.03.2024")


def test_the_task_sends_too(setup):
    result = reminders_task.call(today="2024-03-26")
    assert result == {
        "today": "2024-03-26",
        "due": 2,
        "sent": 2,
        "emails": 2,
        "already_sent": 0,
        "without_recipients": 0,
        "dry_run": False,
    }
