"""Import jobs: an uploaded file on its way through preview and commit, run as background tasks.

    import_job_create   store the upload, check the actor may import, audit, schedule the preview
    import_job_preview  dry run of the engine: what would be created, updated, unchanged, rejected
    import_job_confirm  the user confirms the preview: schedule the commit
    import_job_commit   the real import, in one transaction; a failure leaves the database unchanged
    import_job_cancel   stop a queued or running job (the worker stops at its next progress point)
    import_job_retry    a new job for the same file, profile and options as a failed or cancelled one

Progress (``phase``, ``rows_processed``, ``rows_total``) is saved outside the import's transaction,
so that the progress page sees it while the job runs. The job's final state is written inside the
commit's transaction: a job is DONE exactly when its rows are in the database.

Every progress write stamps the job's heartbeat (``core.jobs.beat``) and changes the row only while
the job is alive: a cancelled job, or one marked failed because its worker stopped answering, stops
its worker at the next progress point; inside the commit's transaction that rolls the import back.
Two imports of the same rows at once: the one that writes second fails with "The data changed while
this import was prepared; run it again." and writes nothing. Commits of one target run one after the
other (``_one_commit_at_a_time``): the one that waited finds the data changed since it started.
"""

import csv
import hashlib
import io
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit
from .jobs import JobStopped, beat
from .models import ImportJob
from .tabular.engine import ImportRejected, ImportResult, importer_for, may_import, run_import
from .tabular.errors import ImportFileError, RowError
from .tabular.profiles import ProfileError, get_profile

logger = logging.getLogger(__name__)

MAX_STORED_REJECTED_ROWS = 1000
# The statuses a worker may still write over; any other (cancelled, failed, done) stops it.
ALIVE = (
    ImportJob.Status.UPLOADED,
    ImportJob.Status.PREVIEWING,
    ImportJob.Status.PREVIEWED,
    ImportJob.Status.COMMITTING,
)
CANCELLABLE = ALIVE
RETRYABLE = (ImportJob.Status.FAILED, ImportJob.Status.CANCELLED)
# The phase of a job that failed because its file was refused (unreadable, a wrong header, rejected
# rows): run again, it would fail the same way, so it is not retried. A job that failed otherwise (its
# worker stopped answering, an unexpected or a database error, a lost race) has the phase "failed".
REFUSED = "refused"
REJECTED_COLUMNS = ["line", "column", "message", "value"]


def _authorize_import(actor, target: str) -> None:
    if not may_import(actor, target):
        raise PermissionDenied(_("Your role may not import %(target)s.") % {"target": target})


@transaction.atomic
def import_job_create(
    *,
    actor,
    target: str,
    profile: str,
    uploaded_file,
    skip_invalid: bool = False,
    school_year: str = "",
    overrides: dict[str, str] | None = None,
) -> ImportJob:
    """Store an uploaded file as a new import job and schedule its preview.

    ``overrides`` are field values every row gets (``{"school": "1001"}`` for a class list whose
    school was chosen on the form); they are kept on the job and passed to the engine."""
    importer_for(target)
    _authorize_import(actor, target)
    try:
        get_profile(target, profile)
    except ProfileError as error:
        raise ValidationError({"profile": str(error)}) from None
    if school_year:
        from digileap.core.validators import SCHOOL_YEAR_VALIDATOR

        SCHOOL_YEAR_VALIDATOR(school_year)
    size = uploaded_file.size
    if size > settings.IMPORT_MAX_FILE_BYTES:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; the largest file this installation accepts is %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMPORT_MAX_FILE_BYTES)}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    original_name = os.path.basename(uploaded_file.name or "upload")[:255]
    job = ImportJob(
        target=target,
        profile=profile,
        original_filename=original_name,
        sha256=digest.hexdigest(),
        size_bytes=size,
        created_by=actor,
        skip_invalid=skip_invalid,
        school_year=school_year,
        phase="queued",
        language=translation.get_language() or settings.LANGUAGE_CODE,
        overrides=dict(overrides or {}),
    )
    job.file.save(original_name, uploaded_file, save=False)
    job.save()
    after = audit.snapshot(
        job, ["target", "profile", "original_filename", "sha256", "size_bytes", "skip_invalid", "school_year"]
    )
    if overrides:
        after["overrides"] = dict(overrides)
    audit.record(actor=actor, action="create", instance=job, after=after)
    from .tasks import preview_import_task

    transaction.on_commit(lambda: preview_import_task.enqueue(job.pk))
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, actor, skip_invalid: bool | None = None) -> ImportJob:
    """The user confirms a previewed job: schedule the commit. Only the uploader may confirm."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the person who uploaded the file may import it."))
    _authorize_import(actor, job.target)
    if job.status != ImportJob.Status.PREVIEWED:
        raise ValidationError(
            _("This import is not waiting for confirmation (it is %(status)s).") % {"status": job.get_status_display()}
        )
    if skip_invalid is not None:
        job.skip_invalid = skip_invalid
    job.status = ImportJob.Status.COMMITTING
    job.phase = "queued"
    job.rows_processed = 0
    job.error = ""
    # Waiting for a worker is not a sign of a dead one: the preview's heartbeat is cleared.
    job.heartbeat_at = None
    job.worker = ""
    job.save(update_fields=["skip_invalid", "status", "phase", "rows_processed", "error", "heartbeat_at", "worker"])
    from .tasks import commit_import_task

    transaction.on_commit(lambda: commit_import_task.enqueue(job.pk, actor.pk))
    return job


def import_job_preview(*, job: ImportJob) -> ImportJob:
    """Dry-run the job's file as its uploader: store the counts and the rejected rows."""
    try:
        _save(job, status=ImportJob.Status.PREVIEWING, phase="checking", rows_processed=0, error="")
        try:
            result = _run(job, actor=job.created_by, dry_run=True)
        except JobStopped:
            raise
        except (ImportFileError, ProfileError, PermissionDenied) as error:
            return _fail(job, error)
        except Exception as error:
            _fail(job, _unexpected(error))
            raise
        _save(
            job,
            status=ImportJob.Status.PREVIEWED,
            phase="previewed",
            rows_processed=result.rows,
            rows_total=result.rows,
            **_outcome(job, result),
        )
    except JobStopped:
        # Cancelled (or marked failed) while it ran: the job keeps the state it was given.
        job.refresh_from_db()
    return job


def import_job_commit(*, job: ImportJob, actor) -> ImportJob:
    """Import the job's file in one transaction. On failure the database is unchanged and the job FAILED."""

    def finish(result: ImportResult) -> None:
        # Inside the import's transaction: the job is DONE exactly when the rows are written. A job
        # cancelled meanwhile raises JobStopped here, which rolls the import back.
        _save(
            job,
            status=ImportJob.Status.DONE,
            phase="done",
            rows_processed=result.rows,
            rows_total=result.rows,
            finished_at=timezone.now(),
            **_outcome(job, result),
        )

    try:
        _save(job, status=ImportJob.Status.COMMITTING, phase="checking", rows_processed=0, error="")
        basis = _basis(job.target)
        with _one_commit_at_a_time(job.target, waiting=lambda: _save(job)):
            if _basis(job.target) != basis:
                # Another import of the same target committed while this one waited for it: its plan
                # would be made on data other than what this one was started on.
                logger.info("import job %s waited for another import of %s, which changed the data", job.pk, job.target)
                return _fail(job, data_changed_message())
            try:
                _authorize_import(actor, job.target)
                _run(job, actor=actor, dry_run=False, on_committed=finish)
            except JobStopped:
                raise
            except ImportRejected as rejected:
                _save(job, **_outcome(job, rejected.result))
                return _fail(job, rejected)
            except (ImportFileError, ProfileError, PermissionDenied) as error:
                return _fail(job, error)
            except IntegrityError as error:
                if _basis(job.target) != basis:
                    # Another import (or a person) wrote the same rows after this one read them.
                    logger.info("import job %s lost a race for its rows: %s", job.pk, error)
                    return _fail(job, data_changed_message())
                logger.exception("import job %s failed in the database", job.pk)
                return _fail(
                    job, _("The database refused the import, nothing was written: %(error)s") % {"error": error}
                )
            except DatabaseError as error:
                logger.exception("import job %s failed in the database", job.pk)
                return _fail(
                    job, _("The database refused the import, nothing was written: %(error)s") % {"error": error}
                )
            except Exception as error:
                _fail(job, _unexpected(error))
                raise
    except JobStopped:
        job.refresh_from_db()
    return job


def data_changed_message() -> str:
    """What the import that lost a race for its rows says (translated when it is used)."""
    return _("The data changed while this import was prepared; run it again.")


def authorize_job_change(actor, job: ImportJob) -> None:
    """Cancel and retry: for those who see the job (its uploader, administrators) and may import its target."""
    from .selectors import import_jobs_for

    if not import_jobs_for(actor).filter(pk=job.pk).exists():
        raise PermissionDenied(_("You may not change this import."))
    _authorize_import(actor, job.target)


def is_retryable(job: ImportJob) -> bool:
    """Whether running the job's file again may succeed: it was cancelled, or failed but not refused."""
    return job.status in RETRYABLE and not (job.status == ImportJob.Status.FAILED and job.phase == REFUSED)


def refused_file_message() -> str:
    return _("The file was refused; correct it and upload it again.")


@transaction.atomic
def import_job_cancel(*, job: ImportJob, actor) -> ImportJob:
    """Cancel a job that waits for a worker, runs, or waits for confirmation. A running worker stops at
    its next progress point; a commit under way is rolled back, so nothing is half-written."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    authorize_job_change(actor, job)
    if job.status not in CANCELLABLE:
        raise ValidationError(
            _("This import can no longer be cancelled (it is %(status)s).") % {"status": job.get_status_display()}
        )
    before = audit.snapshot(job, ["status", "phase"])
    job.status = ImportJob.Status.CANCELLED
    job.phase = "cancelled"
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "phase", "finished_at"])
    audit.record(
        actor=actor, action="cancel", instance=job, before=before, after=audit.snapshot(job, ["status", "phase"])
    )
    return job


def import_job_retry(*, job: ImportJob, actor) -> ImportJob:
    """A new job for the same file, profile and options as a failed or cancelled one (``retry_of``).

    The file is checked again and waits for confirmation, as any upload: the data may have changed.
    A job whose file was refused is not run again: it would fail the same way."""
    from django.core.files import File

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        authorize_job_change(actor, job)
        if job.status not in RETRYABLE:
            raise ValidationError(
                _("Only a failed or cancelled import can be run again (this one is %(status)s).")
                % {"status": job.get_status_display()}
            )
        if not is_retryable(job):
            raise ValidationError(refused_file_message())
        try:
            job.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise ValidationError(_("The file of this import is no longer stored; upload it again.")) from None
        try:
            upload = File(job.file.file, name=job.original_filename)
            upload.size = job.file.size
            retry = import_job_create(
                actor=actor,
                target=job.target,
                profile=job.profile,
                uploaded_file=upload,
                skip_invalid=job.skip_invalid,
                school_year=job.school_year,
                overrides=job.overrides,
            )
        finally:
            job.file.close()
        retry.retry_of = job
        retry.save(update_fields=["retry_of"])
        audit.record(actor=actor, action="retry", instance=retry, after={"retry_of": job.pk})
    return retry


# -- helpers ---------------------------------------------------------------------------------------


def _save(job: ImportJob, **values) -> None:
    """Write some of the job's fields at once, with its heartbeat, in one UPDATE (outside any import
    transaction but the final one). Raises JobStopped when the job was cancelled or marked failed."""
    for name, value in values.items():
        setattr(job, name, value)
    beat(ImportJob, job.pk, alive=ALIVE, **values)


def _fail(job: ImportJob, error) -> ImportJob:
    message = error.describe() if isinstance(error, ImportFileError) else str(error)
    # The file itself was refused (unreadable, a wrong header, rejected rows): a retry would fail again.
    phase = REFUSED if isinstance(error, ImportFileError | ImportRejected) else "failed"
    try:
        _save(job, status=ImportJob.Status.FAILED, phase=phase, error=message, finished_at=timezone.now())
    except JobStopped:
        job.refresh_from_db()
    return job


def _unexpected(error: Exception) -> str:
    """The reason an unexpected error gives on the job's page (the details are in the worker's log)."""
    return _("The import stopped on an unexpected error, nothing was written: %(error)s") % {
        "error": f"{type(error).__name__}: {error}"
    }


def _basis(target: str) -> tuple:
    """What the import's plan was made on, cheaply: the target table's row count and highest id, and
    the imports of the target done so far (an import that only updates rows changes no count)."""
    model: Any = importer_for(target).model
    figures = model._default_manager.aggregate(count=models.Count("pk"), last=Max("pk"))
    done = ImportJob.objects.filter(target=target, status=ImportJob.Status.DONE).aggregate(
        count=models.Count("pk"), last=Max("finished_at")
    )
    return figures["count"], figures["last"], done["count"], done["last"]


def commit_lock_key(target: str) -> int:
    """The PostgreSQL advisory lock key of the commits of ``target`` (64 bits from a SHA-256)."""
    return int.from_bytes(hashlib.sha256(f"digileap.import_commit:{target}".encode()).digest()[:8], "big", signed=True)


# While a commit waits for another import of its target: how often it asks for the lock, and how
# often it writes its heartbeat (well within DIGILEAP_JOB_STALE_MINUTES, so a long wait is not taken
# for a dead worker; a cancel during the wait stops it at the next heartbeat).
LOCK_POLL_SECONDS = 0.5
LOCK_BEAT_SECONDS = 15.0


@contextmanager
def _one_commit_at_a_time(target: str, waiting: Callable[[], None] | None = None):
    """Commits of one target one after the other, plan and write: two plans made on the same data
    and written one over the other would leave a mix of both files (a lost update). On PostgreSQL a
    session advisory lock, held outside the write transaction (the plan runs before it); SQLite, for
    development and tests, goes without. ``waiting`` is called while another import holds the lock,
    at once and then every ``LOCK_BEAT_SECONDS`` (the job's heartbeat; it may raise JobStopped)."""
    if connection.vendor != "postgresql":
        yield
        return
    key = commit_lock_key(target)
    last_beat: float | None = None
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            row = cursor.fetchone()
        if row is not None and row[0]:
            break
        if waiting is not None and (last_beat is None or time.monotonic() - last_beat >= LOCK_BEAT_SECONDS):
            waiting()
            last_beat = time.monotonic()
        time.sleep(LOCK_POLL_SECONDS)
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except DatabaseError:
            # A broken connection holds no lock any more (PostgreSQL releases it with the session).
            # A live one that refused the unlock (an aborted transaction) would keep it for the
            # worker's life and block every later import of the target: end the session instead.
            logger.warning("import commit lock of %s not released normally; closing the connection", target)
            if not connection.in_atomic_block:
                connection.close()


def _outcome(job: ImportJob, result: ImportResult) -> dict:
    """The job fields for a result: the summary, and the first rejected rows (all go to a CSV file)."""
    errors = result.errors
    _store_rejected_csv(job, errors)
    return {
        "summary": result.summary(),
        "rejected_rows": [error.as_dict() for error in errors[:MAX_STORED_REJECTED_ROWS]],
    }


def job_overrides(job: ImportJob) -> dict[str, str]:
    """The field values the upload gave every row: the school year, and those kept on the job."""
    overrides: dict[str, str] = dict(job.overrides or {})
    if job.school_year:
        overrides["school_year"] = job.school_year
    return overrides


def rejected_csv_name(job: ImportJob) -> str:
    return f"{job.file.name}.rejected.csv"


def _store_rejected_csv(job: ImportJob, errors: list[RowError]) -> None:
    name = rejected_csv_name(job)
    if default_storage.exists(name):
        default_storage.delete(name)
    if not errors:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REJECTED_COLUMNS)
    for error in errors:
        writer.writerow([error.line, error.column, error.message, error.value])
    from django.core.files.base import ContentFile

    default_storage.save(name, ContentFile(buffer.getvalue().encode("utf-8")))


def rejected_rows(job: ImportJob):
    """Every rejected row of the job as (line, column, message, value), from the stored report."""
    name = rejected_csv_name(job)
    if job.file and default_storage.exists(name):
        with default_storage.open(name, "rb") as stream:
            reader = csv.reader(io.TextIOWrapper(stream, encoding="utf-8", newline=""))
            next(reader, None)
            for line, column, message, value in reader:
                yield int(line), column, message, value
        return
    for row in job.rejected_rows:
        yield row["line"], row["column"], row["message"], row.get("value", "")


@contextmanager
def _local_path(job: ImportJob):
    """A path to the job's file on this machine (a temporary copy for remote storage)."""
    try:
        path = job.file.path
    except NotImplementedError:
        path = ""
    if path:
        yield path
        return
    suffix = os.path.splitext(job.original_filename)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy, job.file.open("rb") as stream:
        shutil.copyfileobj(stream, copy)
        copy.flush()
        yield copy.name


def _run(job: ImportJob, *, actor, dry_run: bool, on_committed=None) -> ImportResult:
    def progress(phase: str, done: int, total: int) -> None:
        # The engine reports every few hundred rows; each report is one small UPDATE.
        _save(job, phase=phase, rows_processed=done, rows_total=total)

    overrides = job_overrides(job) or None
    with _local_path(job) as path:
        return run_import(
            target=job.target,
            source=path,
            profile=job.profile,
            actor=actor,
            filename=job.original_filename,
            dry_run=dry_run,
            skip_invalid=job.skip_invalid,
            progress=progress,
            overrides=overrides,
            on_committed=on_committed,
        )
