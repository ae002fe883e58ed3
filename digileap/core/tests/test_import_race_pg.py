"""Two imports of the school registry committed at the same moment, each on its own connection.

Each thread does what a user's pages do: upload (``import_job_create``; the immediate task backend
runs the preview as the worker would), then, once both previews are shown, confirm
(``import_job_confirm``; the commit task runs at once). Both commits read the basis of their plan
before either goes on (a barrier right after ``imports._basis``), so every run is a real race.
One import wins; the other fails with "The data changed while this import was prepared; run it
again.", without a traceback and without writing anything. Before commits of one target took turns
(``imports._one_commit_at_a_time``), two files updating the same schools both ended "done" and left
a mix: the names and e-mail addresses of one file with the city of the other. PostgreSQL only:
SQLite serialises writers itself.
"""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import translation
from django_tasks.signals import task_finished

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core import audit, imports, jobs
from digileap.core.imports import import_job_cancel, import_job_confirm, import_job_create
from digileap.core.models import AuditEvent, ImportJob
from digileap.schools.models import School
from digileap.schools.tests.import_files import MV_HEADERS, csv_text, database_counts, mv_rows

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers itself; two imports at once need PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]

DATA_CHANGED = "The data changed while this import was prepared; run it again."
WAIT = 60  # seconds a thread waits for the other at a barrier before the test fails


@pytest.fixture
def owner(db):
    return user_with_role(Role.ADMINISTRATOR, username="uploader")


@pytest.fixture
def tasks():
    """Every task the immediate backend ran: (task, status, errors). A traceback shows as FAILED."""
    finished: list[tuple[str, str, list]] = []
    lock = threading.Lock()

    def record(sender, task_result, **kwargs):
        with lock:
            finished.append((task_result.task.name, str(task_result.status), list(task_result.errors)))

    task_finished.connect(record, dispatch_uid="test-import-race")
    yield finished
    task_finished.disconnect(dispatch_uid="test-import-race")


@pytest.fixture
def hold_after_basis(monkeypatch):
    """Both racing commits read the basis of their plan before either goes on."""
    barrier = threading.Barrier(2, timeout=WAIT)
    racing = threading.local()
    read_basis = imports._basis

    def basis_then_wait(target):
        basis = read_basis(target)
        if getattr(racing, "armed", False):
            racing.armed = False
            barrier.wait()
        return basis

    monkeypatch.setattr(imports, "_basis", basis_then_wait)
    return racing


def upload(name: str, rows: list[list]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_text(rows).encode(), content_type="text/csv")


def import_file(owner, name: str, rows: list[list]) -> ImportJob:
    """One import as a user runs it, alone: upload, preview, confirm, commit."""
    job = import_job_create(actor=owner, target="schools", profile="mv", uploaded_file=upload(name, rows))
    job.refresh_from_db()
    assert job.status == "previewed"
    import_job_confirm(job=job, actor=owner)
    job.refresh_from_db()
    return job


def race(owner, racing, files: list[tuple[str, list[list]]]) -> tuple[list[ImportJob], list[tuple], list[str]]:
    """Two threads upload and preview one file each, then confirm at the same moment."""
    previewed = threading.Barrier(2, timeout=WAIT)
    job_ids: list[int | None] = [None, None]
    previews: list[tuple | None] = [None, None]
    errors: list[str] = []

    def run(index: int) -> None:
        try:
            translation.activate("en")
            name, rows = files[index]
            job = import_job_create(actor=owner, target="schools", profile="mv", uploaded_file=upload(name, rows))
            job.refresh_from_db()
            job_ids[index] = job.pk
            previews[index] = (job.status, job.summary)
            previewed.wait()
            racing.armed = True
            import_job_confirm(job=job, actor=owner)
        except Exception as error:  # noqa: BLE001 - any exception fails the test below
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            translation.deactivate()
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert not any(thread.is_alive() for thread in threads)
    jobs = [ImportJob.objects.get(pk=pk) for pk in job_ids]
    return jobs, previews, errors


def winner_and_loser(jobs: list[ImportJob]) -> tuple[ImportJob, ImportJob]:
    outcomes = sorted((job.status, job.phase, job.error) for job in jobs)
    assert outcomes == [("done", "done", ""), ("failed", "failed", DATA_CHANGED)]
    winner = next(job for job in jobs if job.status == "done")
    loser = next(job for job in jobs if job.status == "failed")
    assert loser.finished_at is not None
    return winner, loser


def registry_events(after_id: int = 0) -> list[tuple[str, str]]:
    """The audit trail of the registry (not of the import jobs) after an event id, as (action, type)."""
    return sorted(
        AuditEvent.objects.filter(pk__gt=after_id, object_type__startswith="schools.").values_list(
            "action", "object_type"
        )
    )


def schools() -> dict[str, tuple[str, str, str]]:
    return {
        number: (name, city, email)
        for number, name, city, email in School.objects.values_list("number", "name", "city", "email")
    }


def test_the_same_file_committed_twice_at_once_imports_once(owner, tasks, hold_after_basis, caplog):
    empty = database_counts()
    jobs, previews, errors = race(owner, hold_after_basis, [("mv.csv", mv_rows()), ("mv.csv", mv_rows())])

    assert errors == []
    created = {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    assert previews == [("previewed", created), ("previewed", created)]
    winner, loser = winner_and_loser(jobs)
    assert winner.summary == created
    assert (winner.rows_processed, winner.rows_total) == (4, 4)
    # No traceback: every task (two previews, two commits) finished as it should, nothing logged an error.
    assert sorted((name, status, errs) for name, status, errs in tasks) == [
        ("commit_import_task", "SUCCESSFUL", []),
        ("commit_import_task", "SUCCESSFUL", []),
        ("preview_import_task", "SUCCESSFUL", []),
        ("preview_import_task", "SUCCESSFUL", []),
    ]
    assert [record.getMessage() for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")] == []
    # The rows of one import, nothing of the other.
    assert School.objects.count() == 4
    assert database_counts() == {
        **empty,
        "schools.Authority": empty["schools.Authority"] + 1,
        "schools.SchoolOperator": empty["schools.SchoolOperator"] + 3,
        "schools.School": 4,
        "schools.Site": 4,
        # Two uploads, one authority, three operators, four schools, one import summary.
        "core.AuditEvent": empty["core.AuditEvent"] + 11,
    }
    waren = School.objects.select_related("authority", "operator").get(number="75435001")
    assert (waren.name, waren.city, waren.type_code, waren.authority.code, waren.operator.code) == (
        "Regionale Schule Waren",
        "Waren (Müritz)",
        "RegS",
        "DE-MV",
        "MSE",
    )
    assert School.objects.get(number="75335456").name == 'Gymnasiales Schulzentrum "Fritz Reuter" Dömitz'
    assert registry_events() == [
        ("create", "schools.authority"),
        *[("create", "schools.school")] * 4,
        *[("create", "schools.schooloperator")] * 3,
        ("import", "schools.import"),
    ]
    assert AuditEvent.objects.filter(object_type="core.importjob", action="create").count() == 2
    assert audit.verify_chain().is_intact

    # The same file once more, alone: it finds every school there and changes nothing.
    before = database_counts()
    stored = list(School.objects.order_by("number").values())
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    again = import_file(owner, "mv.csv", mv_rows())
    assert (again.status, again.summary) == ("done", {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0})
    assert database_counts() == {**before, "core.AuditEvent": before["core.AuditEvent"] + 1}  # its upload
    assert list(School.objects.order_by("number").values()) == stored
    assert registry_events(after_id=last_event) == []


def variant(prefix: str, *, city: str = "", email: bool = False, reverse: bool = False) -> list[list]:
    """The four schools of ``mv_rows`` with other names, and another city or e-mail address."""
    rows = []
    for row in mv_rows()[1:]:
        row = list(row)
        row[4] = f"{prefix} {row[4]}"
        if city:
            row[6] = city
        if email:
            row[10] = f"{prefix.lower()}-{row[3]}@example.org"
        rows.append(row)
    if reverse:
        rows.reverse()
    return [MV_HEADERS, *rows]


def expected(rows: list[list]) -> dict[str, tuple[str, str, str]]:
    return {row[3]: (row[4], row[6], row[10]) for row in rows[1:]}


def test_two_files_changing_the_same_schools_at_once_leave_one_file_whole(owner, tasks, hold_after_basis, caplog):
    base = import_file(owner, "mv.csv", mv_rows())
    assert base.status == "done"
    # Each file changes the names and one other field the other file leaves as it was: a mix of
    # the two would show as the names of one with the city or e-mail address of the other.
    first = variant("North", city="Neubrandenburg")
    second = variant("South", email=True, reverse=True)
    assert expected(first) != expected(second)
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    jobs, previews, errors = race(owner, hold_after_basis, [("north.csv", first), ("south.csv", second)])

    assert errors == []
    updated = {"created": 0, "updated": 4, "unchanged": 0, "rejected": 0}
    assert previews == [("previewed", updated), ("previewed", updated)]
    winner, loser = winner_and_loser(jobs)
    assert winner.summary == updated
    assert sorted((name, status, errs) for name, status, errs in tasks) == [
        ("commit_import_task", "SUCCESSFUL", []),
        ("commit_import_task", "SUCCESSFUL", []),
        ("commit_import_task", "SUCCESSFUL", []),  # the base import
        ("preview_import_task", "SUCCESSFUL", []),
        ("preview_import_task", "SUCCESSFUL", []),
        ("preview_import_task", "SUCCESSFUL", []),
    ]
    assert [record.getMessage() for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")] == []
    won = first if winner.original_filename == "north.csv" else second
    assert schools() == expected(won)
    assert School.objects.count() == 4
    # One import's worth of events: four updates and a summary (and the two uploads).
    assert registry_events(after_id=last_event) == [
        ("import", "schools.import"),
        *[("update", "schools.school")] * 4,
    ]
    assert AuditEvent.objects.filter(pk__gt=last_event).count() == 7
    assert audit.verify_chain().is_intact

    # The winning file again, alone: nothing changes.
    stored = list(School.objects.order_by("number").values())
    again = import_file(owner, winner.original_filename, won)
    assert (again.status, again.summary) == ("done", {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0})
    assert list(School.objects.order_by("number").values()) == stored


@pytest.fixture
def other_session():
    """A second database session that holds the schools' commit lock, as another import would."""
    session = connections.create_connection("default")
    key = imports.commit_lock_key("schools")
    with session.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    yield session
    with session.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock_all()")
    session.close()


def release(session) -> None:
    with session.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [imports.commit_lock_key("schools")])


def wait_for(condition, what: str) -> None:
    for _ in range(int(WAIT / 0.05)):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"waited {WAIT} s for {what}")


def commit_in_thread(owner, job: ImportJob) -> tuple[threading.Thread, list[str]]:
    errors: list[str] = []

    def run() -> None:
        try:
            translation.activate("en")
            import_job_confirm(job=job, actor=owner)
        except Exception as error:  # noqa: BLE001 - any exception fails the test
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            translation.deactivate()
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def waiting_with_beats(job: ImportJob, beats: int) -> list:
    """The job's heartbeats while it waits for the lock, until ``beats`` different ones were seen."""
    seen: list = []

    def more() -> bool:
        row = ImportJob.objects.values_list("status", "phase", "heartbeat_at").get(pk=job.pk)
        if row[0] == "committing" and row[2] is not None and row[2] not in seen:
            seen.append(row[2])
        return len(seen) >= beats

    wait_for(more, f"{beats} heartbeats of a commit waiting for the lock")
    return seen


@pytest.fixture
def quick_beats(monkeypatch):
    monkeypatch.setattr(imports, "LOCK_POLL_SECONDS", 0.02)
    monkeypatch.setattr(imports, "LOCK_BEAT_SECONDS", 0.2)


def test_a_commit_waiting_for_another_import_beats_and_goes_on_when_it_ends(owner, other_session, quick_beats):
    job = import_job_create(actor=owner, target="schools", profile="mv", uploaded_file=upload("mv.csv", mv_rows()))
    thread, errors = commit_in_thread(owner, job)

    beats = waiting_with_beats(job, 3)
    assert beats == sorted(beats)
    waiting = ImportJob.objects.get(pk=job.pk)
    assert (waiting.status, waiting.phase, waiting.rows_processed) == ("committing", "checking", 0)
    assert School.objects.count() == 0
    # Not stale however long the other import takes: its heartbeat is fresh.
    assert jobs.mark_stale() == []

    release(other_session)  # the other import ends without changing anything
    thread.join(WAIT)
    assert not thread.is_alive() and errors == []
    job.refresh_from_db()
    assert (job.status, job.summary) == ("done", {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0})
    assert School.objects.count() == 4


def test_a_commit_cancelled_while_it_waits_for_the_lock_stops_and_writes_nothing(owner, other_session, quick_beats):
    job = import_job_create(actor=owner, target="schools", profile="mv", uploaded_file=upload("mv.csv", mv_rows()))
    empty = database_counts()
    thread, errors = commit_in_thread(owner, job)
    waiting_with_beats(job, 2)

    import_job_cancel(job=job, actor=owner)
    thread.join(WAIT)  # the lock is still held by the other session: the cancel alone ended the wait

    assert not thread.is_alive() and errors == []
    job.refresh_from_db()
    assert (job.status, job.summary) == ("cancelled", {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0})
    assert database_counts() == {**empty, "core.AuditEvent": empty["core.AuditEvent"] + 1}  # the cancel
    assert AuditEvent.objects.order_by("-pk").values_list("action", "object_type").first() == (
        "cancel",
        "core.importjob",
    )
