"""Reminders for missing user agreements: which are due (exact dates), the e-mail per school, the
counts on each agreement, the command's JSON line and the background task."""

import datetime
import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.devices.models import UserAgreement
from digileap.devices.selectors.agreements import agreement_reminders_due
from digileap.devices.services.agreements import agreement_reminders_send, reminder_addresses
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories_agreements import AgreementTemplateFactory, agreement_for, hand_out

UTC = datetime.UTC
NOW = datetime.datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
WEEK_AGO = NOW - datetime.timedelta(days=7)


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="AGR", authority=world.authority)


@pytest.fixture
def template(programme):
    return AgreementTemplateFactory(programme=programme)


@pytest.fixture
def make(world, programme, template):
    def make(reference, *, sent_at, school=None, group="5A", **fields):
        assignment = hand_out(
            programme=programme, school=school or world.school, reference=reference, group=group, assigned_at=sent_at
        )
        return agreement_for(assignment, template, sent_at=sent_at, **fields)

    return make


def test_which_agreements_are_due(make):
    due_now = make("A-exactly-7-days", sent_at=WEEK_AGO)
    make("B-a-second-short", sent_at=WEEK_AGO + datetime.timedelta(seconds=1))
    reminded_a_week_ago = make(
        "C-reminded-7-days-ago", sent_at=NOW - datetime.timedelta(days=20), last_reminded_at=WEEK_AGO, reminder_count=1
    )
    make(
        "D-reminded-6-days-ago",
        sent_at=NOW - datetime.timedelta(days=20),
        last_reminded_at=NOW - datetime.timedelta(days=6),
        reminder_count=1,
    )
    make(
        "E-accepted",
        sent_at=NOW - datetime.timedelta(days=30),
        status=UserAgreement.Status.ACCEPTED,
        accepted_at=NOW - datetime.timedelta(days=29),
        accepted_via=UserAgreement.Via.IN_APP,
        signed_by="parent",
    )
    returned = make("F-returned", sent_at=NOW - datetime.timedelta(days=30))
    returned.assignment.returned_at = NOW - datetime.timedelta(days=29)
    returned.assignment.save()

    due = agreement_reminders_due(now=NOW)
    assert sorted(due.values_list("pk", flat=True)) == sorted([due_now.pk, reminded_a_week_ago.pk])
    # Other intervals: first after 8 days, then every 5.
    due = agreement_reminders_due(now=NOW, after_days=8, every_days=5)
    assert sorted(a.assignment.recipient.reference for a in due) == ["C-reminded-7-days-ago", "D-reminded-6-days-ago"]


def test_reminder_addresses(world):
    world.school.email = " Office@Inside.example "
    world.school.save()
    user_with_role(Role.SCHOOL_COORDINATOR, world.school, username="coord", email="coord@inside.example")
    user_with_role(Role.SCHOOL_COORDINATOR, world.school, username="coord-no-mail", email="")
    user_with_role(Role.SCHOOL_COORDINATOR, world.school, username="gone", email="gone@inside.example", is_active=False)
    user_with_role(Role.OPERATOR_STAFF, world.operator, username="staff", email="staff@inside.example")
    user_with_role(Role.SCHOOL_COORDINATOR, world.other_school, username="other", email="other@outside.example")
    assert reminder_addresses(world.school) == ["coord@inside.example", "office@inside.example"]
    assert reminder_addresses(world.other_school) == ["other@outside.example"]


def test_sending_reminders(world, make, settings):
    settings.DEFAULT_FROM_EMAIL = "digileap@example.org"
    world.school.email = "office@inside.example"
    world.school.language = "en"  # the e-mail is written in the school's language
    world.school.save()
    first = make("P-002", sent_at=WEEK_AGO, group="5B")
    second = make("P-001", sent_at=WEEK_AGO - datetime.timedelta(days=1), group="5B")
    third = make("P-003", sent_at=NOW - datetime.timedelta(days=9), group="5A")
    make("P-004", sent_at=NOW - datetime.timedelta(days=1), group="5A")  # not yet due
    nowhere = make("Q-001", sent_at=WEEK_AGO, school=world.other_school)  # the other school has no address

    summary = agreement_reminders_send(now=NOW)
    assert summary == {
        "due": 4,
        "schools": 2,
        "emails": 1,
        "reminded": 3,
        "schools_without_address": 1,
        "dry_run": False,
    }
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["office@inside.example"]
    assert message.from_email == "digileap@example.org"
    assert message.subject == "3 user agreements are still missing at INSIDE school"
    assert message.body.splitlines()[:4] == [
        "The following user agreements at INSIDE school are not accepted yet (on 2025-03-10):",
        "",
        "5A: P-003",
        "5B: P-001, P-002",
    ]
    for agreement in (first, second, third):
        agreement.refresh_from_db()
        assert (agreement.reminder_count, agreement.last_reminded_at) == (1, NOW)
    nowhere.refresh_from_db()
    assert (nowhere.reminder_count, nowhere.last_reminded_at) == (0, None)
    events = AuditEvent.objects.filter(action="remind").order_by("id")
    assert sorted(int(e.object_id) for e in events) == sorted([first.pk, second.pk, third.pk])
    assert events[0].actor_label == "agreement reminders"
    assert events[0].after["to"] == ["office@inside.example"]

    # The same day again: nothing is due any more.
    again = agreement_reminders_send(now=NOW + datetime.timedelta(hours=1))
    assert (again["due"], again["emails"], again["reminded"]) == (1, 0, 0)  # only the school without address
    # A week later: reminded a second time, with P-004, now 8 days old.
    later = agreement_reminders_send(now=NOW + datetime.timedelta(days=7))
    assert (later["emails"], later["reminded"]) == (1, 4)
    first.refresh_from_db()
    assert (first.reminder_count, first.last_reminded_at) == (2, NOW + datetime.timedelta(days=7))


def test_reminders_are_in_the_schools_language(world, make, monkeypatch):
    from django.utils import translation

    from digileap.devices.services import agreements as services

    world.school.email = "office@inside.example"
    world.school.language = "NL"
    world.school.save()
    make("P-001", sent_at=WEEK_AGO)
    languages = []
    compose = services._reminder_text

    def recording(*args):
        languages.append(translation.get_language())
        return compose(*args)

    monkeypatch.setattr(services, "_reminder_text", recording)
    agreement_reminders_send(now=NOW)
    world.school.language = "Klingon"
    world.school.save()
    agreement_reminders_send(now=NOW + datetime.timedelta(days=7))
    assert languages == ["nl", "en"]


def test_a_dry_run_sends_and_marks_nothing(world, make):
    world.school.email = "office@inside.example"
    world.school.save()
    agreement = make("P-001", sent_at=WEEK_AGO)
    summary = agreement_reminders_send(now=NOW, dry_run=True)
    assert summary == {
        "due": 1,
        "schools": 1,
        "emails": 0,
        "reminded": 0,
        "schools_without_address": 0,
        "dry_run": True,
    }
    assert mail.outbox == []
    agreement.refresh_from_db()
    assert agreement.reminder_count == 0


def test_a_failed_email_marks_nothing(world, make, monkeypatch):
    world.school.email = "office@inside.example"
    world.school.save()
    agreement = make("P-001", sent_at=WEEK_AGO)

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("digileap.devices.services.agreements.send_mail", broken)
    with pytest.raises(OSError):
        agreement_reminders_send(now=NOW)
    agreement.refresh_from_db()
    assert (agreement.reminder_count, agreement.last_reminded_at) == (0, None)
    assert not AuditEvent.objects.filter(action="remind").exists()


def test_the_command_prints_one_json_line(world, make):
    world.school.email = "office@inside.example"
    world.school.save()
    make("P-001", sent_at=WEEK_AGO)
    make("P-002", sent_at=NOW - datetime.timedelta(days=2))
    out = io.StringIO()
    call_command("send_agreement_reminders", "--as-of", "2025-03-10T08:00:00+00:00", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {
        "due": 1,
        "schools": 1,
        "emails": 1,
        "reminded": 1,
        "schools_without_address": 0,
        "dry_run": False,
    }
    out = io.StringIO()
    call_command("send_agreement_reminders", "--as-of", "2025-03-10T08:00:00+00:00", "--after-days", "1", stdout=out)
    assert json.loads(out.getvalue()) == {
        "due": 1,
        "schools": 1,
        "emails": 1,
        "reminded": 1,
        "schools_without_address": 0,
        "dry_run": False,
    }


def test_the_command_refuses_bad_options(db):
    with pytest.raises(CommandError) as error:
        call_command("send_agreement_reminders", "--as-of", "yesterday")
    assert str(error.value) == "--as-of 'yesterday' is not a time like 2025-03-01T08:00:00+01:00"
    with pytest.raises(CommandError):
        call_command("send_agreement_reminders", "--after-days", "0")


def test_the_background_task(world, make):
    world.school.email = "office@inside.example"
    world.school.save()
    make("P-001", sent_at=WEEK_AGO)
    from digileap.devices.tasks import send_agreement_reminders

    result = send_agreement_reminders.enqueue(as_of=NOW.isoformat())
    assert result.return_value == {
        "due": 1,
        "schools": 1,
        "emails": 1,
        "reminded": 1,
        "schools_without_address": 0,
        "dry_run": False,
    }
    out = io.StringIO()
    call_command("send_agreement_reminders", "--enqueue", stdout=out)
    assert set(json.loads(out.getvalue())) == {"enqueued"}


def test_the_reminder_is_in_the_schools_language(world, make):
    world.school.email = "office@inside.example"
    world.school.language = "de"
    world.school.save()
    make("P-001", sent_at=WEEK_AGO, group="5A")
    agreement_reminders_send(now=NOW)
    assert mail.outbox[0].subject == "An INSIDE school fehlen noch 1 Nutzungsvereinbarungen"
