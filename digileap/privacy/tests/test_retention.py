"""Retention: what is due per kind, the dry run against the real run, and the command."""

import datetime
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from digileap.accounts.models import Role, SingleSignOnFailure
from digileap.core.models import AuditEvent, ImportJob
from digileap.devices.models import Assignment, Recipient
from digileap.devices.tests.factories import RecipientFactory
from digileap.devices.tests.factories_agreements import hand_out
from digileap.privacy.models import Erasure, PupilDataAccess
from digileap.privacy.retention import apply_retention, due_recipients, years_before
from digileap.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 12, 7, 12, 0))


def _ago(**delta) -> datetime.datetime:
    if "years" in delta:
        return years_before(NOW, delta.pop("years")) - datetime.timedelta(**delta)
    return NOW - datetime.timedelta(**delta)


def _set(model, pk, **fields):
    model.objects.filter(pk=pk).update(**fields)


@pytest.fixture
def records(world, role_users, settings):
    settings.DIGILEAP_RETENTION = {
        "pupil_records_years_after_last_assignment": 2,
        "pupil_data_access_log_years": 5,
        "sso_failures_days": 90,
        "import_files_days": 30,
    }
    programme = ProgrammeFactory(authority=world.authority)
    made = {}
    # Returned 2 years and a day ago: due. Returned 2 years less a day ago: not yet.
    for name, returned in (("returned_long_ago", _ago(years=2, days=1)), ("returned_lately", _ago(years=2, days=-1))):
        assignment = hand_out(programme=programme, school=world.school, reference=name, assigned_at=_ago(years=4))
        _set(Assignment, assignment.pk, returned_at=returned)
        made[name] = assignment.recipient
    # An old pupil who still holds a device: never due.
    holding = hand_out(programme=programme, school=world.school, reference="holding", assigned_at=_ago(years=5))
    made["holding"] = holding.recipient
    # Two devices, the second returned lately: the last return counts.
    first = hand_out(programme=programme, school=world.school, reference="two_devices", assigned_at=_ago(years=6))
    _set(Assignment, first.pk, returned_at=_ago(years=5))
    second = hand_out(programme=programme, school=world.school, reference="other", assigned_at=_ago(years=4))
    Assignment.objects.filter(pk=second.pk).update(recipient=first.recipient, returned_at=_ago(days=10))
    Recipient.objects.filter(pk=second.recipient_id).delete()
    made["two_devices"] = first.recipient
    # Never had a device: counted from the record's creation.
    for name, created in (("never_old", _ago(years=3)), ("never_new", _ago(days=100))):
        recipient = RecipientFactory(school=world.school, reference=name)
        _set(Recipient, recipient.pk, created_at=created)
        made[name] = recipient
    # At the other authority, due as well.
    far = RecipientFactory(school=world.other_school, reference="far_old")
    _set(Recipient, far.pk, created_at=_ago(years=3))
    made["far_old"] = far
    for recipient in Recipient.objects.exclude(reference__in=["never_old", "never_new", "far_old"]):
        _set(Recipient, recipient.pk, created_at=_ago(years=7))

    for when in (_ago(years=5, days=1), _ago(years=5, days=2), _ago(years=4)):
        read = PupilDataAccess.objects.create(actor_label="x", channel="page", what="w", rows=1, recipient_ids=[1])
        _set(PupilDataAccess, read.pk, occurred_at=when)
    for when in (_ago(days=91), _ago(days=89)):
        failure = SingleSignOnFailure.objects.create(identity="someone@example.org", reason="unknown_email")
        _set(SingleSignOnFailure, failure.pk, occurred_at=when)
    for name, status, when in (
        ("old_done", "done", _ago(days=31)),
        ("old_failed", "failed", _ago(days=40)),
        ("old_running", "committing", _ago(days=40)),
        ("new_done", "done", _ago(days=29)),
    ):
        job = ImportJob.objects.create(
            target="recipients",
            profile="class_list",
            file=ContentFile(b"reference;group\nP1;5A\n", name=f"{name}.csv"),
            original_filename=f"{name}.csv",
            sha256="0" * 64,
            size_bytes=20,
            created_by=role_users[Role.SCHOOL_COORDINATOR],
            status=status,
        )
        _set(ImportJob, job.pk, created_at=when)
        made[name] = job
    return made


def test_what_is_due(records, role_users):
    due = {r.reference for r in due_recipients(now=NOW)}
    assert due == {"returned_long_ago", "never_old", "far_old"}
    officer = role_users[Role.DATA_PROTECTION_OFFICER]
    assert {r.reference for r in due_recipients(now=NOW, scope_user=officer)} == {"returned_long_ago", "never_old"}


def test_the_dry_run_counts_and_changes_nothing(records):
    events = AuditEvent.objects.count()
    report = apply_retention(dry_run=True, now=NOW)
    assert report.as_dict() == {
        "dry_run": True,
        "removed": {"pupil_records": 3, "pupil_data_access_log": 2, "sso_failures": 1, "import_files": 2},
        "skipped": {},
    }
    assert Erasure.objects.count() == 0
    assert (PupilDataAccess.objects.count(), SingleSignOnFailure.objects.count()) == (3, 2)
    assert ImportJob.objects.exclude(file="").count() == 4
    assert AuditEvent.objects.count() == events


def test_the_run_removes_what_the_dry_run_counted(records):
    dry = apply_retention(dry_run=True, now=NOW)
    events = AuditEvent.objects.count()
    report = apply_retention(now=NOW)
    assert report.removed == dry.removed
    erased = {(e.recipient_id, e.reason, e.erased_by_id) for e in Erasure.objects.all()}
    assert erased == {
        (records[name].pk, Erasure.Reason.RETENTION, None) for name in ("returned_long_ago", "never_old", "far_old")
    }
    assert set(Recipient.objects.filter(erased_at__isnull=True).values_list("reference", flat=True)) == {
        "returned_lately",
        "holding",
        "two_devices",
        "never_new",
    }
    assert PupilDataAccess.objects.count() == 1
    assert SingleSignOnFailure.objects.count() == 1
    files = dict(ImportJob.objects.values_list("original_filename", "file"))
    assert {name: bool(value) for name, value in files.items()} == {
        "old_done.csv": False,
        "old_failed.csv": False,
        "old_running.csv": True,
        "new_done.csv": True,
    }
    run = AuditEvent.objects.filter(object_type="privacy.retention").get()
    assert (run.action, run.actor_label, run.after) == (
        "delete",
        "retention",
        {
            "removed": {"pupil_records": 3, "pupil_data_access_log": 2, "sso_failures": 1, "import_files": 2},
            "not_erased": 0,
        },
    )
    # One event for the run, one per erased pupil (erase_recipient's own).
    assert AuditEvent.objects.count() == events + 1 + 3
    # Nothing is due any more: a second run removes nothing and records nothing.
    again = apply_retention(now=NOW)
    assert sum(again.removed.values()) == 0
    assert AuditEvent.objects.count() == events + 4


def test_a_rule_from_the_environment(monkeypatch):
    import importlib

    from config.settings import base

    monkeypatch.setenv("DIGILEAP_RETENTION_SSO_FAILURES_DAYS", "30")
    try:
        assert importlib.reload(base).DIGILEAP_RETENTION == {
            "pupil_records_years_after_last_assignment": 2,
            "pupil_data_access_log_years": 5,
            "sso_failures_days": 30,
            "import_files_days": 30,
        }
    finally:
        monkeypatch.delenv("DIGILEAP_RETENTION_SSO_FAILURES_DAYS")
        importlib.reload(base)


def test_the_command_reports_per_kind(records, monkeypatch):
    from digileap.privacy import retention

    monkeypatch.setattr(retention.timezone, "now", lambda: NOW)
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "pupil_records: 3 due",
        "pupil_data_access_log: 2 due",
        "sso_failures: 1 due",
        "import_files: 2 due",
    ]
    out = io.StringIO()
    call_command("apply_retention", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "dry_run": False,
        "removed": {"pupil_records": 3, "pupil_data_access_log": 2, "sso_failures": 1, "import_files": 2},
        "skipped": {},
    }
