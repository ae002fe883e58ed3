"""A killed worker's job is marked failed, and can be retried (issue 15, "done means").

A real ``manage.py db_worker`` runs in a subprocess on the test's database: PostgreSQL directly (the
test commits, ``transaction=True``); on SQLite the in-memory test database is copied to a file for
the worker and copied back afterwards (sqlite3's backup API). The worker is slowed down at each
progress point (one second, by a small wrapper around the command) so that the test sees the import
at work, kills it with SIGKILL, and runs the stale-job detection with a threshold of zero minutes.
Every wait polls with a deadline; nothing asserts how long anything took.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core import jobs
from digileap.core.imports import import_job_confirm, import_job_create, import_job_retry
from digileap.core.models import ImportJob
from digileap.schools.models import School
from digileap.schools.tests.import_files import MV_HEADERS, csv_text, mv_row

ROWS = 3000  # the engine reports progress every 500 rows: six progress points while the file is checked
DEADLINE_SECONDS = 120
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The worker: ``manage.py db_worker`` in this process, each progress write of the file check followed
# by SLOW_PROGRESS_SECONDS of sleep.
RUNNER = """
import os, sys, time
import django
django.setup()
from digileap.core import imports
pause = float(os.environ.get("SLOW_PROGRESS_SECONDS", "0"))
original = imports._save
def slow(job, **values):
    original(job, **values)
    if pause and values.get("phase") == "checking" and values.get("rows_processed"):
        time.sleep(pause)
imports._save = slow
from django.core.management import call_command
call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", *sys.argv[1:])
"""


class WorkerDatabase:
    """The database the worker subprocess uses: the test database itself, or a file copy of it."""

    def __init__(self, tmp_path: Path):
        self.is_sqlite = connection.vendor == "sqlite"
        self.file = tmp_path / "worker.sqlite3"

    def url(self) -> str:
        if self.is_sqlite:
            return f"sqlite:///{self.file}"
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def to_worker(self) -> None:
        if self.is_sqlite:
            connection.ensure_connection()
            # A killed worker leaves its write-ahead log and shared memory behind: a fresh copy with
            # the old log beside it is "disk I/O error" for the next worker.
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.file}{suffix}").unlink(missing_ok=True)
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def from_worker(self) -> None:
        if self.is_sqlite:
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def job_progress(self, pk: int) -> tuple[str, int]:
        if self.is_sqlite:
            with sqlite3.connect(self.file, timeout=30) as reader:
                return reader.execute("SELECT status, rows_processed FROM core_importjob WHERE id = ?", [pk]).fetchone()
        return tuple(ImportJob.objects.filter(pk=pk).values_list("status", "rows_processed").get())


def start_worker(database: WorkerDatabase, tmp_path: Path, *args: str, slow: float = 0) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database.url(),
        "DIGILEAP_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": django_settings.MEDIA_ROOT,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DIGILEAP_AUDIT_KEY": django_settings.DIGILEAP_AUDIT_KEY,
        "DIGILEAP_AUDIT_KEY_ID": django_settings.DIGILEAP_AUDIT_KEY_ID,
        "SLOW_PROGRESS_SECONDS": str(slow),
        "PYTHONPATH": str(django_settings.BASE_DIR),
    }
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "worker.log", "ab"),  # noqa: SIM115 - the worker's log, read on failure
    )


def run_worker_until_idle(database: WorkerDatabase, tmp_path: Path) -> None:
    database.to_worker()
    worker = start_worker(database, tmp_path, "--batch")
    try:
        assert worker.wait(timeout=DEADLINE_SECONDS) == 0, (tmp_path / "worker.log").read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    database.from_worker()


def big_file() -> SimpleUploadedFile:
    rows = [MV_HEADERS] + [mv_row(str(76000000 + n), f"Schule {n}") for n in range(ROWS)]
    return SimpleUploadedFile("big.csv", csv_text(rows).encode(), content_type="text/csv")


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_job_is_marked_failed_and_can_be_retried(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    database = WorkerDatabase(tmp_path)
    admin = user_with_role(Role.ADMINISTRATOR, username="admin")
    job = import_job_create(actor=admin, target="schools", profile="mv", uploaded_file=big_file())
    job.refresh_from_db()  # previewed here (immediate tasks)
    assert (job.status, job.summary["created"]) == ("previewed", ROWS)
    schools = School.objects.count()

    with override_settings(TASKS=DATABASE_BACKEND):
        import_job_confirm(job=job, actor=admin)  # the commit waits in the database queue
    database.to_worker()
    worker = start_worker(database, tmp_path, slow=1)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            status, done = database.job_progress(job.pk)
            if status == "committing" and done >= 500:
                break
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, f"the worker did not start the job: {status}, {done}"
            time.sleep(0.1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=DEADLINE_SECONDS)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    database.from_worker()

    job.refresh_from_db()
    assert (job.status, job.worker) == ("committing", f"{socket.gethostname()}:{worker.pid}")
    assert 0 < job.rows_processed < ROWS
    [result] = DBTaskResult.objects.filter(task_path="digileap.core.tasks.commit_import_task")
    assert result.status == TaskResultStatus.RUNNING  # the killed worker could not say otherwise

    settings.DIGILEAP_JOB_STALE_MINUTES = 0
    assert jobs.mark_stale() == [("core.ImportJob", job.pk)]
    job.refresh_from_db()
    beat = date_format(timezone.localtime(job.heartbeat_at), "H:i")
    assert (job.status, job.error) == (
        "failed",
        f"The worker stopped answering at {beat} ({socket.gethostname()}:{worker.pid}); the job did not finish.",
    )
    result.refresh_from_db()
    assert (result.status, result.exception_class_path) == (TaskResultStatus.FAILED, "digileap.core.jobs.WorkerLost")
    assert School.objects.count() == schools  # nothing half-written

    settings.DIGILEAP_JOB_STALE_MINUTES = 10
    with override_settings(TASKS=DATABASE_BACKEND):
        retry = import_job_retry(job=job, actor=admin)
    run_worker_until_idle(database, tmp_path)
    retry.refresh_from_db()
    assert (retry.retry_of_id, retry.status, retry.summary["created"]) == (job.pk, "previewed", ROWS)
    with override_settings(TASKS=DATABASE_BACKEND):
        import_job_confirm(job=retry, actor=admin)
    run_worker_until_idle(database, tmp_path)
    retry.refresh_from_db()
    assert (retry.status, retry.summary["created"], retry.error) == ("done", ROWS, "")
    assert School.objects.count() == schools + ROWS
    assert ImportJob.objects.get(pk=job.pk).status == "failed"
