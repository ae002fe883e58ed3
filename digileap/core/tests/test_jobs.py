"""Background jobs that never hang (issue 15): heartbeat, stale detection, cancel, retry, the reason of a
failure, and two imports of the same rows at once. The killed worker is in test_jobs_worker.py."""

import datetime
import io
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core import imports, jobs
from digileap.core.imports import (
    import_job_cancel,
    import_job_commit,
    import_job_confirm,
    import_job_create,
    import_job_preview,
    import_job_retry,
)
from digileap.core.jobs import JobStopped
from digileap.core.models import AuditEvent, ImportJob
from digileap.core.tasks import ImportJobFailed, preview_import_task
from digileap.schools.importer import SchoolImporter
from digileap.schools.models import School
from digileap.schools.tests.import_files import HAMBURG_HEADERS, csv_text, hamburg_rows, mv_rows

pytestmark = pytest.mark.django_db

MV = {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
# 09:07 UTC is 10:07 in Brussels (TIME_ZONE of the settings) on a winter day.
LAST_BEAT = datetime.datetime(2026, 1, 5, 9, 7, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.TIME_ZONE = "Europe/Brussels"


@pytest.fixture
def owner(db):
    """The uploader: an administrator (the file's schools are in several authorities)."""
    return user_with_role(Role.ADMINISTRATOR, username="uploader")


def create(actor, capture) -> ImportJob:
    upload = SimpleUploadedFile("mv.csv", csv_text(mv_rows()).encode(), content_type="text/csv")
    with capture(execute=True):
        job = import_job_create(actor=actor, target="schools", profile="mv", uploaded_file=upload)
    job.refresh_from_db()
    return job


def create_hamburg(actor, capture, rows) -> ImportJob:
    upload = SimpleUploadedFile("hamburg.csv", csv_text(rows).encode(), content_type="text/csv")
    with capture(execute=True):
        job = import_job_create(actor=actor, target="schools", profile="hamburg", uploaded_file=upload)
    job.refresh_from_db()
    return job


def running(job: ImportJob, *, beat=LAST_BEAT, worker="worker-host:4242") -> ImportJob:
    """The job as a worker left it when it was killed at 35 %."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.COMMITTING,
        phase="checking",
        rows_processed=35,
        rows_total=100,
        heartbeat_at=beat,
        worker=worker,
    )
    job.refresh_from_db()
    return job


def task_result(job: ImportJob, actor, status=TaskResultStatus.RUNNING) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [job.pk, actor.pk], "kwargs": {}},
        task_path="digileap.core.tasks.commit_import_task",
        backend_name="default",
        run_after=timezone.now(),
        started_at=LAST_BEAT,
        exception_class_path="",
        traceback="",
    )


# -- heartbeat -------------------------------------------------------------------------------------


def test_each_progress_write_stamps_the_heartbeat_and_the_worker(owner, django_capture_on_commit_callbacks):
    job = create(owner, django_capture_on_commit_callbacks)
    assert (job.status, job.worker) == ("previewed", jobs.worker_label())
    assert job.heartbeat_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=job, actor=owner)
    job.refresh_from_db()
    assert (job.status, job.summary, job.worker) == ("done", MV, jobs.worker_label())
    assert jobs.worker_label().rsplit(":", 1)[1].isdigit()


@pytest.mark.parametrize("step", ["preview", "commit"])
def test_the_job_has_a_heartbeat_from_the_moment_it_runs(step, owner, monkeypatch):
    """Stamped with the running status, in the same UPDATE: a worker killed before the job's first
    progress leaves a heartbeat that stale detection sees."""
    job = import_job_create(
        actor=owner,
        target="schools",
        profile="mv",
        uploaded_file=SimpleUploadedFile("mv.csv", csv_text(mv_rows()).encode(), content_type="text/csv"),
    )
    seen = []

    def killed(job, **options):
        row = ImportJob.objects.get(pk=job.pk)
        seen.append((row.status, row.phase, row.worker, row.heartbeat_at is not None))
        raise JobStopped

    monkeypatch.setattr(imports, "_run", killed)
    assert (job.status, job.heartbeat_at, job.worker) == ("uploaded", None, "")
    if step == "preview":
        import_job_preview(job=job)
    else:
        ImportJob.objects.filter(pk=job.pk).update(status="committing", phase="queued")
        import_job_commit(job=job, actor=owner)
    status = "previewing" if step == "preview" else "committing"
    assert seen == [(status, "checking", jobs.worker_label(), True)]


def test_a_confirmed_job_waiting_for_a_worker_has_no_heartbeat(owner, django_capture_on_commit_callbacks):
    job = create(owner, django_capture_on_commit_callbacks)
    import_job_confirm(job=job, actor=owner)  # the commit is not run: no worker yet
    job.refresh_from_db()
    assert (job.status, job.phase, job.heartbeat_at, job.worker) == ("committing", "queued", None, "")


# -- stale detection -------------------------------------------------------------------------------


def test_a_job_silent_for_the_stale_time_is_marked_failed_with_the_reason(
    owner, settings, django_capture_on_commit_callbacks
):
    settings.DIGILEAP_JOB_STALE_MINUTES = 10
    job = running(create(owner, django_capture_on_commit_callbacks))
    result = task_result(job, owner)
    fresh = running(create(owner, django_capture_on_commit_callbacks), beat=timezone.now())
    waiting = create(owner, django_capture_on_commit_callbacks)
    import_job_confirm(job=waiting, actor=owner)
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=LAST_BEAT)
    other = task_result(fresh, owner)

    assert jobs.mark_stale() == [("core.ImportJob", job.pk)]
    job.refresh_from_db()
    assert (job.status, job.phase, job.error) == (
        "failed",
        "failed",
        "The worker stopped answering at 10:07 (worker-host:4242); the job did not finish.",
    )
    assert job.finished_at is not None
    result.refresh_from_db()
    assert (result.status, result.exception_class_path, result.traceback) == (
        TaskResultStatus.FAILED,
        "digileap.core.jobs.WorkerLost",
        job.error,
    )
    assert DBTaskResult.objects.get(pk=other.pk).status == TaskResultStatus.RUNNING
    assert ImportJob.objects.get(pk=fresh.pk).status == "committing"
    assert ImportJob.objects.get(pk=waiting.pk).status == "committing"
    event = AuditEvent.objects.filter(action="stale").get()
    assert (event.object_id, event.actor_label, event.after["status"]) == (str(job.pk), "system", "failed")
    assert jobs.mark_stale() == []


def test_a_running_job_without_a_heartbeat_is_stale_from_its_start(owner, settings):
    """A worker that died before the job's first heartbeat: measured from the upload (``created_at``)."""
    settings.DIGILEAP_JOB_STALE_MINUTES = 10
    now = timezone.now()
    started = {}
    for name, minutes in (("old", 11), ("recent", 2)):
        upload = SimpleUploadedFile("mv.csv", csv_text(mv_rows()).encode(), content_type="text/csv")
        job = import_job_create(actor=owner, target="schools", profile="mv", uploaded_file=upload)
        ImportJob.objects.filter(pk=job.pk).update(
            status="previewing", phase="checking", created_at=now - datetime.timedelta(minutes=minutes)
        )
        started[name] = job.pk
    assert jobs.mark_stale(now) == [("core.ImportJob", started["old"])]
    old = ImportJob.objects.get(pk=started["old"])
    assert (old.status, old.phase, old.heartbeat_at, old.finished_at, old.error) == (
        "failed",
        "failed",
        None,
        now,
        "The worker (an unknown worker) stopped answering before the job reported progress; the job did not finish.",
    )
    recent = ImportJob.objects.get(pk=started["recent"])
    assert (recent.status, recent.phase, recent.error, recent.finished_at) == ("previewing", "checking", "", None)
    assert imports.is_retryable(old) is True


def claimed(job: ImportJob, task: str, started: datetime.datetime) -> DBTaskResult:
    """The task of a job that a worker took at ``started`` (and never finished)."""
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [job.pk] if task == "preview" else [job.pk, job.created_by_id], "kwargs": {}},
        task_path=f"digileap.core.tasks.{task}_import_task",
        backend_name="default",
        run_after=started,
        started_at=started,
        exception_class_path="",
        traceback="",
    )


def test_a_job_whose_worker_died_before_its_first_heartbeat_is_stale(owner, settings):
    """The worker took the task (its result RUNNING) and died before it wrote the job's status."""
    settings.DIGILEAP_JOB_STALE_MINUTES = 10
    now = timezone.now()
    long_ago, lately = now - datetime.timedelta(minutes=11), now - datetime.timedelta(minutes=2)

    def uploaded() -> ImportJob:
        upload = SimpleUploadedFile("mv.csv", csv_text(mv_rows()).encode(), content_type="text/csv")
        job = import_job_create(actor=owner, target="schools", profile="mv", uploaded_file=upload)
        ImportJob.objects.filter(pk=job.pk).update(created_at=now - datetime.timedelta(minutes=30))
        job.refresh_from_db()
        return job

    dead, alive, no_worker, confirmed = uploaded(), uploaded(), uploaded(), uploaded()
    result = claimed(dead, "preview", long_ago)
    claimed(alive, "preview", lately)
    # Confirmed and waiting for its commit: the preview's result stuck RUNNING is not its task.
    ImportJob.objects.filter(pk=confirmed.pk).update(status="committing", phase="queued")
    claimed(confirmed, "preview", long_ago)

    assert jobs.mark_stale(now) == [("core.ImportJob", dead.pk)]
    dead.refresh_from_db()
    assert (dead.status, dead.phase, dead.finished_at, dead.error) == (
        "failed",
        "failed",
        now,
        "The worker (an unknown worker) stopped answering before the job reported progress; the job did not finish.",
    )
    result.refresh_from_db()
    assert (result.status, result.exception_class_path) == (TaskResultStatus.FAILED, "digileap.core.jobs.WorkerLost")
    statuses = dict(ImportJob.objects.filter(pk__in=[alive.pk, no_worker.pk, confirmed.pk]).values_list("pk", "status"))
    assert statuses == {alive.pk: "uploaded", no_worker.pk: "uploaded", confirmed.pk: "committing"}

    # Its page finds it too; the commit a worker took and died in as well.
    ImportJob.objects.filter(pk=alive.pk).update(status="committing", phase="queued")
    claimed(alive, "commit", long_ago)
    assert jobs.check_stale(ImportJob.objects.get(pk=no_worker.pk)).status == "uploaded"
    assert jobs.check_stale(ImportJob.objects.get(pk=alive.pk)).status == "failed"
    assert imports.is_retryable(ImportJob.objects.get(pk=alive.pk)) is True


def test_the_reason_is_in_the_uploaders_language_and_local_time(owner, settings, django_capture_on_commit_callbacks):
    settings.TIME_ZONE = "UTC"
    job = running(create(owner, django_capture_on_commit_callbacks))
    assert jobs.stale_reason(job) == "The worker stopped answering at 09:07 (worker-host:4242); the job did not finish."
    assert zoneinfo.ZoneInfo("UTC")


def test_the_command_marks_stale_jobs(owner, django_capture_on_commit_callbacks):
    job = running(create(owner, django_capture_on_commit_callbacks), beat=timezone.now())
    out = io.StringIO()
    call_command("mark_stale_jobs", stdout=out)
    assert out.getvalue() == "0 stale job(s) marked failed.\n"
    call_command("mark_stale_jobs", "--minutes", "0", stdout=out)
    assert out.getvalue().splitlines()[1:] == [
        f"core.ImportJob {job.pk}: failed, its worker stopped answering",
        "1 stale job(s) marked failed.",
    ]
    assert ImportJob.objects.get(pk=job.pk).status == "failed"


def test_opening_the_page_of_a_stale_job_marks_it_failed(owner, django_capture_on_commit_callbacks):
    job = running(create(owner, django_capture_on_commit_callbacks))
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("importjob-detail", kwargs={"pk": job.pk})).content.decode()
    assert "The worker stopped answering at 10:07 (worker-host:4242); the job did not finish." in page
    assert "Run this import again" in page and "Cancel this import" not in page
    assert 'hx-trigger="every 1s"' not in page


def test_a_worker_that_finds_its_job_marked_failed_stops(owner, monkeypatch, django_capture_on_commit_callbacks):
    """A slow worker (not a dead one) whose job was marked stale stops at its next progress point."""
    job = create(owner, django_capture_on_commit_callbacks)
    original = SchoolImporter.commit

    def marked_stale_meanwhile(self, plan):
        original(self, plan)
        ImportJob.objects.filter(pk=job.pk).update(status="failed", error="stale")

    monkeypatch.setattr(SchoolImporter, "commit", marked_stale_meanwhile)
    ImportJob.objects.filter(pk=job.pk).update(status="committing")
    import_job_commit(job=job, actor=owner)
    job.refresh_from_db()
    # The worker stopped: nothing written, and it did not write "done" over the mark. (The mark was
    # made on the test's own connection, inside the import's transaction, so it is rolled back with
    # the import; test_jobs_worker.py marks a real worker's job from another process.)
    assert job.status != "done"
    assert School.objects.filter(number__in=[row[0] for row in mv_rows()[1:]]).count() == 0


# -- cancel ----------------------------------------------------------------------------------------


def test_cancelling_while_the_file_is_checked_stops_the_worker(owner, monkeypatch, django_capture_on_commit_callbacks):
    job = create(owner, django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=job.pk).update(status="committing")
    original = imports._save
    calls = []

    def cancel_at_first_progress(job, **values):
        calls.append(values.get("phase"))
        if len(calls) == 2:
            import_job_cancel(job=job, actor=owner)
        original(job, **values)

    monkeypatch.setattr(imports, "_save", cancel_at_first_progress)
    schools = School.objects.count()
    import_job_commit(job=job, actor=owner)
    job.refresh_from_db()
    assert (job.status, job.phase, job.error) == ("cancelled", "cancelled", "")
    assert calls == ["checking", "checking"]
    assert School.objects.count() == schools


def test_a_job_stopped_while_it_writes_is_rolled_back(owner, monkeypatch, django_capture_on_commit_callbacks):
    """Cancelled (by another connection) while the importer writes: the final "done" finds the job no
    longer alive, and the import's transaction is rolled back. In this one-connection test a cancel
    would roll back with the import, so the job's liveness is switched off instead."""
    job = create(owner, django_capture_on_commit_callbacks)
    original = SchoolImporter.commit

    def stopped_meanwhile(self, plan):
        original(self, plan)
        assert School.objects.filter(name__startswith="Schule am").count() == 1
        monkeypatch.setattr(imports, "ALIVE", ())

    monkeypatch.setattr(SchoolImporter, "commit", stopped_meanwhile)
    schools = School.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=job, actor=owner)
    job.refresh_from_db()
    assert (job.status, job.summary) == ("committing", MV)  # not done; the preview's summary stays
    assert School.objects.count() == schools


def test_a_cancelled_queued_job_is_not_run(owner, django_capture_on_commit_callbacks):
    job = create(owner, django_capture_on_commit_callbacks)
    import_job_confirm(job=job, actor=owner)
    import_job_cancel(job=job, actor=owner)
    import_job_commit(job=job, actor=owner)  # the worker takes the task later
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert School.objects.filter(name__startswith="Grundschule").count() == 0
    with pytest.raises(ValidationError) as error:
        import_job_cancel(job=job, actor=owner)
    assert error.value.messages == ["This import can no longer be cancelled (it is Cancelled)."]
    event = AuditEvent.objects.filter(action="cancel").get()
    assert (event.before, event.after) == (
        {"status": "committing", "phase": "queued"},
        {"status": "cancelled", "phase": "cancelled"},
    )


@pytest.mark.parametrize("role", list(Role))
def test_who_may_cancel_and_retry(role, role_users, owner, django_capture_on_commit_callbacks):
    job = create(owner, django_capture_on_commit_callbacks)
    user = role_users[role]
    if role == Role.ADMINISTRATOR:
        assert import_job_cancel(job=job, actor=user).status == "cancelled"
        assert import_job_retry(job=job, actor=user).created_by == user
        return
    with pytest.raises(PermissionDenied):
        import_job_cancel(job=job, actor=user)
    ImportJob.objects.filter(pk=job.pk).update(status="failed")
    with pytest.raises(PermissionDenied):
        import_job_retry(job=job, actor=user)
    assert ImportJob.objects.count() == 1


# -- retry -----------------------------------------------------------------------------------------


def test_retry_runs_the_same_file_again_as_a_new_job(owner, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("mv.csv", csv_text(mv_rows()).encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            actor=owner, target="schools", profile="mv", uploaded_file=upload, skip_invalid=True, school_year="2024/25"
        )
    job = running(job)
    jobs.mark_stale()
    job.refresh_from_db()
    with pytest.raises(ValidationError):
        import_job_confirm(job=job, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        retry = import_job_retry(job=job, actor=owner)
    retry.refresh_from_db()
    assert (retry.retry_of, retry.status, retry.summary, retry.skip_invalid, retry.school_year) == (
        job,
        "previewed",
        MV,
        True,
        "2024/25",
    )
    assert (retry.sha256, retry.size_bytes, retry.original_filename) == (job.sha256, job.size_bytes, "mv.csv")
    assert retry.file.name != job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=retry, actor=owner)
    retry.refresh_from_db()
    assert retry.status == "done"
    assert AuditEvent.objects.filter(action="retry").get().after == {"retry_of": job.pk}
    with pytest.raises(ValidationError) as error:
        import_job_retry(job=retry, actor=owner)
    assert error.value.messages == ["Only a failed or cancelled import can be run again (this one is Imported)."]


def test_the_pages_offer_cancel_and_retry(owner, world, django_capture_on_commit_callbacks):
    job = create(owner, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(owner)
    detail = reverse("importjob-detail", kwargs={"pk": job.pk})
    assert "Cancel this import" in client.get(detail).content.decode()
    response = client.post(reverse("importjob-cancel", kwargs={"pk": job.pk}))
    assert response["Location"] == detail
    page = client.get(detail).content.decode()
    assert "This import was cancelled; nothing was written to the database." in page
    assert page.count("The import was cancelled; nothing was written.") == 1
    assert "Run this import again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("importjob-retry", kwargs={"pk": job.pk}))
    retry = ImportJob.objects.get(retry_of=job)
    assert response["Location"] == reverse("importjob-detail", kwargs={"pk": retry.pk})
    page = client.get(response["Location"]).content.decode()
    assert page.count(f"A new import of the same file was queued; it repeats import {job.pk}.") == 1
    assert "A new import of the same file" not in client.get(response["Location"]).content.decode()
    assert client.post(reverse("importjob-retry", kwargs={"pk": retry.pk}))["Location"] == reverse(
        "importjob-detail", kwargs={"pk": retry.pk}
    )
    assert ImportJob.objects.count() == 2
    stranger = Client()
    stranger.force_login(user_with_role(Role.PROGRAMME_OWNER, world.authority))
    assert stranger.post(reverse("importjob-cancel", kwargs={"pk": retry.pk})).status_code == 404
    assert ImportJob.objects.get(pk=retry.pk).status == "previewed"


def test_a_file_refused_at_the_preview_is_not_run_again(owner, django_capture_on_commit_callbacks):
    rows = hamburg_rows()
    rows[0] = ["Nummer" if column == "C_S_Nr" else column for column in HAMBURG_HEADERS]
    job = create_hamburg(owner, django_capture_on_commit_callbacks, rows)
    assert (job.status, job.phase, imports.is_retryable(job)) == ("failed", "refused", False)
    assert job.error.startswith("hamburg.csv, line 1: missing column(s) 'C_S_Nr'.")
    client = Client()
    client.force_login(owner)
    detail = reverse("importjob-detail", kwargs={"pk": job.pk})
    page = client.get(detail).content.decode()
    assert page.count("The file was refused; correct it and upload it again.") == 1
    assert "Run this import again" not in page
    response = client.post(reverse("importjob-retry", kwargs={"pk": job.pk}))
    assert response["Location"] == detail
    # The message, and the page's own sentence.
    assert client.get(detail).content.decode().count("The file was refused; correct it and upload it again.") == 2
    with pytest.raises(ValidationError) as error:
        import_job_retry(job=job, actor=owner)
    assert error.value.messages == ["The file was refused; correct it and upload it again."]
    assert ImportJob.objects.count() == 1


def test_rows_refused_at_the_commit_are_not_run_again(owner, django_capture_on_commit_callbacks):
    rows = hamburg_rows()
    rows[5][HAMBURG_HEADERS.index("C_S_SuS")] = "viele"
    job = create_hamburg(owner, django_capture_on_commit_callbacks, rows)
    assert (job.status, job.summary["rejected"]) == ("previewed", 1)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=job, actor=owner)  # without skipping the rejected row
    job.refresh_from_db()
    assert (job.status, job.phase, imports.is_retryable(job)) == ("failed", "refused", False)
    with pytest.raises(ValidationError):
        import_job_retry(job=job, actor=owner)


def test_worker_and_database_failures_are_offered_again(owner, django_capture_on_commit_callbacks):
    job = create(owner, django_capture_on_commit_callbacks)
    for error in (RuntimeError("disk on fire"), imports.data_changed_message()):
        ImportJob.objects.filter(pk=job.pk).update(status="committing", phase="checking")
        job.refresh_from_db()
        imports._fail(job, error)
        job.refresh_from_db()
        assert (job.status, job.phase, imports.is_retryable(job)) == ("failed", "failed", True)
    ImportJob.objects.filter(pk=job.pk).update(status="cancelled", phase="cancelled")
    job.refresh_from_db()
    assert imports.is_retryable(job) is True


# -- failures --------------------------------------------------------------------------------------


def test_an_unexpected_error_is_recorded_on_the_job_and_fails_its_task(
    owner, monkeypatch, django_capture_on_commit_callbacks
):
    job = create(owner, django_capture_on_commit_callbacks)

    def broken(self, rows):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(SchoolImporter, "plan", broken)
    collected = []
    monkeypatch.setattr(jobs, "release_memory", lambda: collected.append(True) or 0)
    with pytest.raises(ImportJobFailed) as error:
        preview_import_task.call(job.pk)
    assert str(error.value) == "RuntimeError: disk on fire"
    job.refresh_from_db()
    assert (job.status, job.phase, job.error) == (
        "failed",
        "failed",
        "The import stopped on an unexpected error, nothing was written: RuntimeError: disk on fire",
    )
    assert imports.is_retryable(job) is True
    assert collected == [True]


def test_release_memory_collects_cycles():
    class Node:
        pass

    node = Node()
    node.me = node
    del node
    assert jobs.release_memory() >= 1


# -- two imports of the same file at once ----------------------------------------------------------


def test_of_two_imports_of_the_same_file_one_wins_and_the_other_says_the_data_changed(
    owner, monkeypatch, django_capture_on_commit_callbacks
):
    """Both previewed before either commits. B reads the database (its plan: create 4 schools), then A
    commits the same 4 schools before B writes: B's inserts meet the unique school numbers."""
    first = create(owner, django_capture_on_commit_callbacks)
    second = create(owner, django_capture_on_commit_callbacks)
    assert (first.summary, second.summary) == (MV, MV)
    ImportJob.objects.filter(pk__in=[first.pk, second.pk]).update(status="committing")
    original_plan = SchoolImporter.plan
    state = {"raced": False}

    def plan_then_the_other_commits(self, rows):
        plan = original_plan(self, rows)
        if not state["raced"]:
            state["raced"] = True
            import_job_commit(job=first, actor=owner)
        return plan

    monkeypatch.setattr(SchoolImporter, "plan", plan_then_the_other_commits)
    schools = School.objects.count()
    import_job_commit(job=second, actor=owner)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.summary) == ("done", MV)
    assert (second.status, second.phase, second.error) == (
        "failed",
        "failed",
        "The data changed while this import was prepared; run it again.",
    )
    assert School.objects.count() == schools + 4
    # Run again, it finds the rows there.
    monkeypatch.setattr(SchoolImporter, "plan", original_plan)
    with django_capture_on_commit_callbacks(execute=True):
        retry = import_job_retry(job=second, actor=owner)
    retry.refresh_from_db()
    assert retry.summary == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
