"""E-mail reminders of a call's deadlines: who gets which e-mail, when, in which language, once."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.programmes.tests.factories import FundingSourceFactory, ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory

from ..models import ApplicationState, CallReviewer, ClaimState, ProofState, Reminder
from ..services.reminders import funding_reminders_send, reminder_step
from ..tasks import send_funding_reminders
from .factories import (
    ApplicationFactory,
    CallFactory,
    ClaimFactory,
    DecisionFactory,
    GrantFactory,
    GrantLineFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    ProofOfUseFactory,
)

pytestmark = pytest.mark.django_db

DECISIONS = datetime.date(2027, 3, 31)
CLAIMS = datetime.date(2027, 9, 30)
PROOFS = datetime.date(2028, 3, 31)


@pytest.fixture
def setting(settings):
    settings.DIGILEAP_FUNDING_REMINDER_DAYS = [30, 7, 1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def call(world, setting):
    programme = ProgrammeFactory(code="REM", authority=world.authority)
    return CallFactory(
        programme=programme,
        funding_source=FundingSourceFactory(programme=programme),
        code="DP-REM",
        title={"en": "DigitalPakt reminders", "de": "DigitalPakt Erinnerungen"},
        decision_deadline=DECISIONS,
        claim_deadline=CLAIMS,
        proof_of_use_deadline=PROOFS,
    )


def _grant(call, operator, *, claimed: Decimal | None, number: str):
    application = ApplicationFactory(call=call, operator=operator, state=ApplicationState.APPROVED)
    grant = GrantFactory(decision=DecisionFactory(application=application), number=number)
    line = GrantLineFactory(grant=grant)  # EUR 900 approved
    if claimed is not None:
        InvoiceLineFactory(
            invoice=InvoiceFactory(
                claim=ClaimFactory(grant=grant, state=ClaimState.SUBMITTED, amount=claimed),
                number=f"{number}-R",
                number_key=f"{number}-r",
            ),
            grant_line=line,
            claimed=claimed,
        )
    return grant


@pytest.fixture
def people(world, call, role_users):
    """Recipients and non-recipients. role_users already holds INSIDE's programme owner
    (programme_owner-user@example.org) and operator staff (operator_staff-user@example.org)."""
    reviewer = user_with_role(Role.FUNDING_ADMINISTRATOR, world.authority, username="reviewer", preferred_language="de")
    CallReviewer.objects.create(call=call, user=reviewer, assigned_at=timezone.now())
    role_users[Role.PROGRAMME_OWNER].preferred_language = "en"
    role_users[Role.PROGRAMME_OWNER].save()
    user_with_role(Role.FUNDING_ADMINISTRATOR, world.authority, username="not-a-reviewer")
    user_with_role(Role.PROGRAMME_OWNER, world.other_authority, username="outside-owner")
    user_with_role(Role.OPERATOR_STAFF, world.operator, username="staff-fr", preferred_language="fr")
    user_with_role(Role.OPERATOR_STAFF, world.operator, username="staff-no-mail", email="")
    user_with_role(Role.OPERATOR_STAFF, world.operator, username="staff-gone", is_active=False)
    user_with_role(Role.OPERATOR_STAFF, world.other_operator, username="outside-staff")
    return reviewer


def sent() -> list[tuple[list[str], str]]:
    return sorted((message.to, message.subject) for message in mail.outbox)


def test_steps():
    due = datetime.date(2027, 3, 31)
    days = [30, 7, 1]
    assert reminder_step(due, datetime.date(2027, 2, 28), days) is None  # 31 days before
    assert reminder_step(due, datetime.date(2027, 3, 1), days) == "30"
    assert reminder_step(due, datetime.date(2027, 3, 26), days) == "7"  # 5 days before: the 7-day step
    assert reminder_step(due, datetime.date(2027, 3, 31), days) == "1"  # on the day
    assert reminder_step(due, datetime.date(2027, 4, 1), days) == "overdue"


def test_decisions_due_go_to_reviewers_and_programme_owners_once(call, people, world):
    ApplicationFactory(call=call, operator=world.operator, state=ApplicationState.REVIEW, number=7)
    ApplicationFactory(call=call, operator=world.operator, state=ApplicationState.REJECTED, number=8)
    summary = funding_reminders_send(today=datetime.date(2027, 3, 24))  # 7 days before
    assert summary == {
        "today": "2027-03-24",
        "due": 1,
        "sent": 1,
        "emails": 2,
        "already_sent": 0,
        "without_recipients": 0,
        "dry_run": False,
    }
    assert [to for to, _subject in sent()] == [["programme_owner-user@example.org"], ["reviewer@example.org"]]
    assert sent()[0][1] == "Decisions on DP-REM are due on 31 March 2027"
    english = next(message for message in mail.outbox if message.to == ["programme_owner-user@example.org"])
    assert "1 application is not decided yet:" in english.body
    assert "INSIDE operator, application 7" in english.body
    assert "application 8" not in english.body
    html = english.alternatives[0]
    assert html[1] == "text/html"
    assert "<li>INSIDE operator, application 7</li>" in html[0]
    reminder = Reminder.objects.get()
    assert (reminder.key, reminder.kind, reminder.recipients) == (f"decisions:{call.pk}:2027-03-31:7", "decisions", 2)
    mail.outbox.clear()
    again = funding_reminders_send(today=datetime.date(2027, 3, 24))
    assert (again["sent"], again["already_sent"], mail.outbox) == (0, 1, [])
    again = funding_reminders_send(today=datetime.date(2027, 3, 26))  # still the 7-day step
    assert (again["sent"], mail.outbox) == (0, [])


def test_the_reviewer_reads_german(call, people, world):
    ApplicationFactory(call=call, operator=world.operator, state=ApplicationState.SUBMITTED)
    funding_reminders_send(today=datetime.date(2027, 3, 30))
    german = next(message for message in mail.outbox if message.to == ["reviewer@example.org"])
    # The date as German writes it (the sentence follows once the translators have it).
    assert "DP-REM" in german.subject
    assert "31. März 2027" in german.subject
    assert "31. März 2027" in german.body


def test_no_decision_reminder_when_everything_is_decided(call, people, world):
    ApplicationFactory(call=call, operator=world.operator, state=ApplicationState.APPROVED)
    summary = funding_reminders_send(today=datetime.date(2027, 3, 24))
    assert (summary["due"], mail.outbox) == (0, [])


def test_claims_due_go_to_staff_of_operators_with_unclaimed_funding(call, people, world):
    _grant(call, world.operator, claimed=Decimal("400.00"), number="G-IN")  # EUR 500 not claimed
    _grant(call, world.other_operator, claimed=Decimal("900.00"), number="G-OUT")  # all claimed
    summary = funding_reminders_send(today=datetime.date(2027, 9, 29))  # 1 day before
    assert (summary["sent"], summary["emails"]) == (1, 2)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "operator_staff-user@example.org",
        "staff-fr@example.org",
    ]
    english = next(message for message in mail.outbox if message.to == ["operator_staff-user@example.org"])
    assert english.subject == "Claims of DP-REM are due on 30 September 2027"
    assert "INSIDE operator has EUR 500.00 of approved funding not claimed yet." in english.body
    assert "Grants: G-IN" in english.body
    french = next(message for message in mail.outbox if message.to == ["staff-fr@example.org"])
    assert "500,00" in french.body
    assert Reminder.objects.get().key == f"claims:{call.pk}:{world.operator.pk}:2027-09-30:1"
    mail.outbox.clear()
    assert funding_reminders_send(today=datetime.date(2027, 9, 30))["sent"] == 0
    assert mail.outbox == []


def test_proofs_due_and_overdue_once(call, people, world):
    # Everything claimed: no claim reminders, only the proofs'.
    grant = _grant(call, world.operator, claimed=Decimal("900.00"), number="G-P")
    proof = ProofOfUseFactory(grant=grant, due_on=PROOFS)
    other = _grant(call, world.other_operator, claimed=Decimal("900.00"), number="G-P-OUT")
    ProofOfUseFactory(grant=other, due_on=PROOFS, state=ProofState.SUBMITTED)  # nothing to do
    first = funding_reminders_send(today=datetime.date(2028, 3, 1))  # 30 days before
    assert (first["sent"], first["emails"]) == (1, 2)
    message = next(message for message in mail.outbox if message.to == ["operator_staff-user@example.org"])
    assert message.subject == "The proof of use of DP-REM is due on 31 March 2028"
    assert "Grant G-P" in message.body
    assert f"/funding/proofs/{proof.pk}/" in message.body
    mail.outbox.clear()
    overdue = funding_reminders_send(today=datetime.date(2028, 4, 2))
    assert overdue["sent"] == 1
    assert {message.subject for message in mail.outbox if message.to[0] == "operator_staff-user@example.org"} == {
        "Overdue: the proof of use of DP-REM was due on 31 March 2028"
    }
    mail.outbox.clear()
    assert funding_reminders_send(today=datetime.date(2028, 4, 3))["sent"] == 0
    assert mail.outbox == []
    assert sorted(Reminder.objects.filter(kind="proofs").values_list("key", flat=True)) == [
        f"proofs:{call.pk}:{world.operator.pk}:2028-03-31:30",
        f"proofs:{call.pk}:{world.operator.pk}:2028-03-31:overdue",
    ]


def test_dry_run_sends_and_records_nothing(call, people, world):
    ApplicationFactory(call=call, operator=world.operator, state=ApplicationState.REVIEW)
    summary = funding_reminders_send(today=datetime.date(2027, 3, 24), dry_run=True)
    assert (summary["due"], summary["sent"], summary["dry_run"]) == (1, 0, True)
    assert (mail.outbox, Reminder.objects.count()) == ([], 0)


def test_an_operator_without_anyone_to_write_to(call, setting, world):
    operator = OperatorFactory(authority=world.authority, name="Nobody there")
    _grant(call, operator, claimed=None, number="G-NOBODY")
    summary = funding_reminders_send(today=datetime.date(2027, 9, 29))
    assert (summary["without_recipients"], summary["sent"], Reminder.objects.count()) == (1, 0, 0)


def test_the_command_prints_a_json_summary(call, people, world):
    ApplicationFactory(call=call, operator=world.operator, state=ApplicationState.REVIEW)
    out = StringIO()
    call_command("send_funding_reminders", "--today", "2027-03-24", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "today": "2027-03-24",
        "due": 1,
        "sent": 1,
        "emails": 2,
        "already_sent": 0,
        "without_recipients": 0,
        "dry_run": False,
    }
    with pytest.raises(CommandError, match="is not a day like 2027-03-01"):
        call_command("send_funding_reminders", "--today", "24.03.2027", stdout=StringIO())


def test_the_task_runs_the_same(call, people, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ApplicationFactory(call=call, operator=world.operator, state=ApplicationState.REVIEW)
    result = send_funding_reminders.enqueue(today="2027-03-24")
    assert result.return_value["sent"] == 1
    assert len(mail.outbox) == 2
