"""Background tasks (django-tasks, database backend). Run the worker with ``manage.py db_worker``.

Tasks take ids, not objects, because their arguments are stored as JSON until a worker runs them.
They call services: the permission checks and the audit trail are the same as on the web.

Each job writes a heartbeat with its progress (``core.jobs``); a job whose worker stopped answering
is marked failed by ``manage.py mark_stale_jobs``, by the next worker, or when its page is opened.
After a failed job the worker gives its memory back (``jobs.release_memory``).
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import translation
from django_tasks import task

from . import jobs
from .imports import import_job_commit, import_job_preview
from .models import ImportJob

logger = logging.getLogger(__name__)


class ImportJobFailed(Exception):
    """An import job failed on an unexpected error; its reason is on the job, its traceback in the log."""


def _run_job(job_id: int, run: Callable[[ImportJob], ImportJob]) -> dict:
    """Run an import job step; after a failure, drop every reference to its data and collect it."""
    failure = ""
    outcome: dict = {}
    try:
        job = ImportJob.objects.select_related("created_by").get(pk=job_id)
        with translation.override(job.language or settings.LANGUAGE_CODE):
            job = run(job)
        outcome = {"status": job.status, "summary": job.summary}
        del job
    except Exception as error:  # noqa: BLE001 - recorded on the job by the service, logged here
        logger.exception("import job %s failed", job_id)
        failure = f"{type(error).__name__}: {error}"
    # Outside the except block: the exception, its traceback and every frame's locals (the parsed
    # rows, the plan) are unreachable now, and collected here rather than at some later time.
    if failure or outcome.get("status") == ImportJob.Status.FAILED:
        jobs.release_memory()
    if failure:
        raise ImportJobFailed(failure)
    return outcome


@task()
def preview_import_task(job_id: int) -> dict:
    """Check an uploaded file (a dry run) and store what the import would do."""
    return _run_job(job_id, lambda job: import_job_preview(job=job))


@task()
def commit_import_task(job_id: int, actor_id: int) -> dict:
    """Import a confirmed file as the user who confirmed it."""
    actor = get_user_model().objects.get(pk=actor_id)
    return _run_job(job_id, lambda job: import_job_commit(job=job, actor=actor))


jobs.register(
    jobs.JobKind(
        model=ImportJob,
        # A confirmed job waiting for a worker (committing, phase "queued") is not running yet.
        running=Q(status=ImportJob.Status.PREVIEWING) | (Q(status=ImportJob.Status.COMMITTING) & ~Q(phase="queued")),
        started_field="created_at",
        failed={"status": ImportJob.Status.FAILED, "phase": "failed"},
        task_paths=(preview_import_task.module_path, commit_import_task.module_path),
        # The status a job waits for its task in (a worker's first write moves it on).
        waiting={
            preview_import_task.module_path: Q(status=ImportJob.Status.UPLOADED),
            commit_import_task.module_path: Q(status=ImportJob.Status.COMMITTING, phase="queued"),
        },
    )
)
jobs.connect_worker_signals()
