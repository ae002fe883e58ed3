"""Retention: how long each kind of record is kept, what is due, and the run that removes it.

The rules are ``settings.DIGILEAP_RETENTION`` (each overridable by an environment variable, see
config/settings/base.py and docs/privacy.md):

- ``pupil_records_years_after_last_assignment``: a recipient is erased (``erase_recipient``, reason
  "retention period over") this many years after their last assignment ended, i.e. the last return
  of a device; a recipient who never had a device, this many years after their record was made.
  A recipient who holds a device now is never due, nor one already erased;
- ``pupil_data_access_log_years``: reads of the access log older than this are deleted;
- ``sso_failures_days``: rejected single sign-ons older than this are deleted (they hold e-mail
  addresses and network addresses);
- ``import_files_days``: the uploaded files of finished imports (class lists hold pupils) are deleted
  this many days after the upload; the import's record and its summary stay.

``apply_retention`` removes what is due and records one audit event per run with the counts per
kind; ``dry_run`` counts and changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from digileap.core import audit
from digileap.core.permissions import Action, SystemActor, assignments_for

from .models import Erasure, PupilDataAccess

KINDS = ("pupil_records", "pupil_data_access_log", "sso_failures", "import_files")
FINISHED_IMPORTS = ("done", "failed", "cancelled")
RUN_OBJECT_TYPE = "privacy.retention"


def rule(key: str) -> int:
    return int(settings.DIGILEAP_RETENTION[key])


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    """The same calendar moment ``years`` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def _recipient_scope(user: Any) -> Q | None:
    """The recipients whose erasure ``user`` answers for (None: all): the data-protection officer's
    authority, the administrator everything."""
    condition = Q(pk__in=[])
    for assignment in assignments_for(user, Action.ADD, Erasure):
        if assignment.scope_kind == "all":
            return None
        if assignment.scope_kind == "authority":
            condition |= Q(school__authority_id=assignment.scope_id)
        elif assignment.scope_kind == "school":
            condition |= Q(school_id=assignment.scope_id)
    return condition


def due_recipients(*, now: datetime.datetime | None = None, scope_user: Any = None) -> QuerySet:
    """The recipients past their retention period, oldest end first; ``scope_user`` narrows them to
    those that user may erase."""
    from digileap.devices.models import Assignment, Recipient

    now = now or timezone.now()
    cutoff = years_before(now, rule("pupil_records_years_after_last_assignment"))
    last_return = (
        Assignment.objects.filter(recipient=OuterRef("pk"))
        .order_by()
        .values("recipient")
        .annotate(last=Max("returned_at"))
        .values("last")
    )
    holding = Assignment.objects.filter(recipient=OuterRef("pk"), returned_at__isnull=True)
    recipients = (
        Recipient.objects.filter(erased_at__isnull=True)
        .exclude(Exists(Erasure.objects.filter(recipient=OuterRef("pk"))))
        .exclude(Exists(holding))
        .annotate(
            retained_from=Greatest(
                Coalesce(Subquery(last_return, output_field=DateTimeField()), F("created_at")), F("created_at")
            )
        )
        .filter(retained_from__lt=cutoff)
        .order_by("retained_from", "pk")
    )
    if scope_user is not None:
        condition = _recipient_scope(scope_user)
        if condition is not None:
            recipients = recipients.filter(condition)
    return recipients


def due_access_reads(now: datetime.datetime) -> QuerySet[PupilDataAccess]:
    return PupilDataAccess.objects.filter(occurred_at__lt=years_before(now, rule("pupil_data_access_log_years")))


def due_sso_failures(now: datetime.datetime) -> QuerySet:
    from digileap.accounts.models import SingleSignOnFailure

    cutoff = now - datetime.timedelta(days=rule("sso_failures_days"))
    return SingleSignOnFailure.objects.filter(occurred_at__lt=cutoff)


def due_import_files(now: datetime.datetime) -> QuerySet:
    from digileap.core.models import ImportJob

    cutoff = now - datetime.timedelta(days=rule("import_files_days"))
    return ImportJob.objects.filter(created_at__lt=cutoff, status__in=FINISHED_IMPORTS).exclude(file="")


@dataclass
class RetentionReport:
    """What a run removed (or, dry, would remove) per kind, and the pupils it could not erase."""

    dry_run: bool
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    skipped: dict[str, str] = field(default_factory=dict)  # recipient id → why not

    def as_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "removed": dict(self.removed), "skipped": dict(self.skipped)}


def apply_retention(
    *, actor: Any = None, dry_run: bool = False, now: datetime.datetime | None = None
) -> RetentionReport:
    """Remove every record past its retention period; with ``dry_run``, only count them.

    Pupils are erased one by one (``erase_recipient``, each in its own transaction, so that one that
    fails, e.g. handed a device meanwhile, is reported and the others go on). One audit event
    per run that removed anything, with the counts per kind."""
    from .services import erase_recipient

    actor = actor or SystemActor("retention")
    now = now or timezone.now()
    report = RetentionReport(dry_run=dry_run)
    recipients = list(due_recipients(now=now))
    access_reads = due_access_reads(now)
    sso_failures = due_sso_failures(now)
    import_jobs = list(due_import_files(now))
    if dry_run:
        report.removed.update(
            pupil_records=len(recipients),
            pupil_data_access_log=access_reads.count(),
            sso_failures=sso_failures.count(),
            import_files=len(import_jobs),
        )
        return report
    for recipient in recipients:
        try:
            erase_recipient(actor=actor, recipient=recipient, reason=Erasure.Reason.RETENTION)
        except ValidationError as error:
            report.skipped[str(recipient.pk)] = " ".join(error.messages)
        else:
            report.removed["pupil_records"] += 1
    with transaction.atomic():
        report.removed["pupil_data_access_log"] = access_reads.delete()[0]
        report.removed["sso_failures"] = sso_failures.delete()[0]
    for job in import_jobs:
        job.file.delete(save=False)
        type(job).objects.filter(pk=job.pk).update(file="")
        report.removed["import_files"] += 1
    if any(report.removed.values()) or report.skipped:
        audit.record_many(
            actor=actor,
            changes=[
                audit.Change(
                    action="delete",
                    object_type=RUN_OBJECT_TYPE,
                    object_id="run",
                    object_repr="retention",
                    after={"removed": dict(report.removed), "not_erased": len(report.skipped)},
                )
            ],
        )
    return report
