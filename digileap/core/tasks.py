"""Background tasks (django-tasks, database backend). Run the worker with ``manage.py db_worker``.

Tasks take ids, not objects, because their arguments are stored as JSON until a worker runs them.
They call services: the permission checks and the audit trail are the same as on the web.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django_tasks import task

from .imports import import_job_commit, import_job_preview
from .models import ImportJob


@task()
def preview_import_task(job_id: int) -> dict:
    """Check an uploaded file (a dry run) and store what the import would do."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        job = import_job_preview(job=job)
    return {"status": job.status, "summary": job.summary}


@task()
def commit_import_task(job_id: int, actor_id: int) -> dict:
    """Import a confirmed file as the user who confirmed it."""
    job = ImportJob.objects.get(pk=job_id)
    actor = get_user_model().objects.get(pk=actor_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        job = import_job_commit(job=job, actor=actor)
    return {"status": job.status, "summary": job.summary}
