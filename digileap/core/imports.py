"""Import jobs: an uploaded file on its way through preview and commit, run as background tasks.

    import_job_create   store the upload, check the actor may import, audit, schedule the preview
    import_job_preview  dry run of the engine: what would be created, updated, unchanged, rejected
    import_job_confirm  the user confirms the preview: schedule the commit
    import_job_commit   the real import, in one transaction; a failure leaves the database unchanged

Progress (``phase``, ``rows_processed``, ``rows_total``) is saved outside the import's transaction,
so that the progress page sees it while the job runs. The job's final state is written inside the
commit's transaction: a job is DONE exactly when its rows are in the database.
"""

import csv
import hashlib
import io
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit
from .models import ImportJob
from .tabular.engine import ImportRejected, ImportResult, importer_for, may_import, run_import
from .tabular.errors import ImportFileError, RowError
from .tabular.profiles import ProfileError, get_profile

logger = logging.getLogger(__name__)

MAX_STORED_REJECTED_ROWS = 1000
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
    job.save(update_fields=["skip_invalid", "status", "phase", "rows_processed", "error"])
    from .tasks import commit_import_task

    transaction.on_commit(lambda: commit_import_task.enqueue(job.pk, actor.pk))
    return job


def import_job_preview(*, job: ImportJob) -> ImportJob:
    """Dry-run the job's file as its uploader: store the counts and the rejected rows."""
    _save(job, status=ImportJob.Status.PREVIEWING, phase="checking", rows_processed=0, error="")
    try:
        result = _run(job, actor=job.created_by, dry_run=True)
    except (ImportFileError, ProfileError, PermissionDenied) as error:
        return _fail(job, error)
    except Exception as error:
        _fail(job, error)
        raise
    _save(
        job,
        status=ImportJob.Status.PREVIEWED,
        phase="previewed",
        rows_processed=result.rows,
        rows_total=result.rows,
        **_outcome(job, result),
    )
    return job


def import_job_commit(*, job: ImportJob, actor) -> ImportJob:
    """Import the job's file in one transaction. On failure the database is unchanged and the job FAILED."""
    _save(job, status=ImportJob.Status.COMMITTING, phase="checking", rows_processed=0, error="")

    def finish(result: ImportResult) -> None:
        # Inside the import's transaction: the job is DONE exactly when the rows are written.
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
        _authorize_import(actor, job.target)
        _run(job, actor=actor, dry_run=False, on_committed=finish)
    except ImportRejected as rejected:
        _save(job, **_outcome(job, rejected.result))
        return _fail(job, rejected)
    except (ImportFileError, ProfileError, PermissionDenied) as error:
        return _fail(job, error)
    except DatabaseError as error:
        logger.exception("import job %s failed in the database", job.pk)
        return _fail(job, _("The database refused the import, nothing was written: %(error)s") % {"error": error})
    except Exception as error:
        _fail(job, error)
        raise
    return job


# -- helpers ---------------------------------------------------------------------------------------


def _save(job: ImportJob, **values) -> None:
    """Write some of the job's fields at once, with an UPDATE (outside any import transaction)."""
    for name, value in values.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**values)


def _fail(job: ImportJob, error) -> ImportJob:
    message = error.describe() if isinstance(error, ImportFileError) else str(error)
    _save(job, status=ImportJob.Status.FAILED, phase="failed", error=message, finished_at=timezone.now())
    return job


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
