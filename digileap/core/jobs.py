"""Background jobs that never hang: heartbeat, stale detection, cancellation and memory release.

A job model (``core.ImportJob``, ``programmes.EvidencePack``) has ``status``, ``error``, ``language``,
``heartbeat_at`` and ``worker`` fields. Its app registers a :class:`JobKind` in its ``tasks.py``, which
says which rows are running, how a failed row looks, and which django-tasks tasks run it.

- **Heartbeat**: the worker writes its progress with :func:`beat`, one UPDATE that also stamps
  ``heartbeat_at`` and ``worker`` ("host:pid"), and only while the job is still alive: when the job
  was cancelled (or marked failed) meanwhile, the UPDATE changes no row and :class:`JobStopped` is
  raised, so the worker stops at its next progress point. No extra query.
- **Stale detection**: a running job whose heartbeat is older than ``DIGILEAP_JOB_STALE_MINUTES``
  (default 10) lost its worker (killed, out of memory, a stop timeout): :func:`mark_stale` marks it
  failed with the reason, and its django-tasks result rows FAILED too. The job's running status is
  written with its first heartbeat, in one UPDATE; a running job without a heartbeat is measured
  from its start. A job still waiting for a worker although a worker took its task longer ago than
  that (the worker died between taking the task and the job's first heartbeat) is stale too. It runs when a worker takes
  its first task, from ``manage.py mark_stale_jobs`` (on a schedule), and for one job when its page
  is opened (:func:`check_stale`).
- **Memory**: :func:`release_memory` after a failed job (``gc.collect`` and, on glibc, ``malloc_trim``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime
import gc
import logging
import os
import socket
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_STALE_MINUTES = 10
# The exception class django-tasks records on a task result whose worker was lost.
WORKER_LOST = "digileap.core.jobs.WorkerLost"


class JobStopped(Exception):
    """The job was cancelled or marked failed while the worker ran it: the worker stops cleanly."""


class WorkerLost(Exception):
    """Recorded on a task result whose worker stopped answering (never raised)."""


@dataclass(frozen=True)
class JobKind:
    """How stale detection treats one job model."""

    model: type[models.Model]
    # The rows that a worker is running (not those waiting for a worker, nor finished ones).
    running: Q
    # The time a running row without a heartbeat is measured from (rows older than the heartbeat).
    started_field: str
    # The fields of a failed row, besides ``error`` and ``finished_at``.
    failed: dict[str, Any]
    # The django-tasks tasks that run it, whose first argument is the job's id.
    task_paths: tuple[str, ...] = ()
    # For each of those tasks, the rows waiting for it: a row still waiting although a worker took
    # its task (its result RUNNING) for the stale time has lost that worker before its first beat.
    waiting: dict[str, Q] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


_KINDS: dict[str, JobKind] = {}
JobModel = TypeVar("JobModel", bound=models.Model)


def register(kind: JobKind) -> JobKind:
    _KINDS[kind.model._meta.label_lower] = kind
    return kind


def kinds() -> list[JobKind]:
    """Every registered job kind (the apps' ``tasks`` modules register theirs when imported)."""
    autodiscover_modules("tasks")
    return list(_KINDS.values())


def kind_of(model: type[models.Model]) -> JobKind:
    kinds()
    return _KINDS[model._meta.label_lower]


def worker_label() -> str:
    """This process as "host:pid", as a job's ``worker`` shows it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def stale_minutes() -> float:
    return float(getattr(settings, "DIGILEAP_JOB_STALE_MINUTES", DEFAULT_STALE_MINUTES))


def stale_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(minutes=stale_minutes())


def beat(model: type[models.Model], pk: int, *, alive: list[str] | tuple[str, ...], **values: Any) -> None:
    """Write ``values`` with a heartbeat, in one UPDATE, while the job's status is in ``alive``.

    Raises JobStopped when the job is no longer alive (cancelled, or marked failed as stale)."""
    values["heartbeat_at"] = timezone.now()
    values["worker"] = worker_label()
    if not model._default_manager.filter(pk=pk, status__in=alive).update(**values):
        raise JobStopped(f"{model._meta.label} {pk} is no longer running")


def stale_reason(job: models.Model) -> str:
    """The reason a stale job failed, in the job's language (the uploader's or requester's)."""
    last = getattr(job, "heartbeat_at", None)
    with translation.override(getattr(job, "language", "") or settings.LANGUAGE_CODE):
        worker = getattr(job, "worker", "") or _("an unknown worker")
        if last is None:
            return _(
                "The worker (%(worker)s) stopped answering before the job reported progress; the job did not finish."
            ) % {"worker": worker}
        return _("The worker stopped answering at %(time)s (%(worker)s); the job did not finish.") % {
            "time": date_format(timezone.localtime(last), "H:i"),
            "worker": worker,
        }


def _claimed_rows(kind: JobKind, cutoff: datetime.datetime, pk: int | None = None) -> Q | None:
    """The rows still waiting for a task that a worker took before ``cutoff`` and never finished
    (``None``: no such task)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not kind.waiting:
        return None
    results = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path__in=list(kind.waiting), started_at__lt=cutoff
    )
    if pk is not None:
        results = results.filter(args_kwargs__args__0=pk)
    claimed: dict[str, set[int]] = {}
    for path, arguments in results.values_list("task_path", "args_kwargs"):
        args = (arguments or {}).get("args") or []
        if args and isinstance(args[0], int):
            claimed.setdefault(path, set()).add(args[0])
    condition = None
    for path, ids in claimed.items():
        rows = kind.waiting[path] & Q(pk__in=sorted(ids))
        condition = rows if condition is None else condition | rows
    return condition


def _stale_rows(kind: JobKind, cutoff: datetime.datetime, claimed: Q | None = None) -> models.QuerySet:
    silent = kind.running & Q(_last_sign__lt=cutoff)
    return kind.model._default_manager.annotate(_last_sign=Coalesce("heartbeat_at", kind.started_field)).filter(
        silent | claimed if claimed is not None else silent
    )


def _fail_stale(kind: JobKind, pk: int, cutoff: datetime.datetime, now: datetime.datetime) -> bool:
    """Mark one job failed if it is still stale (checked again under its row lock)."""
    from digileap.core import audit

    with transaction.atomic():
        claimed = _claimed_rows(kind, cutoff, pk)
        job = _stale_rows(kind, cutoff, claimed).select_for_update().filter(pk=pk).first()
        if job is None:
            return False
        reason = stale_reason(job)
        values = {**kind.failed, "error": reason, "finished_at": now}
        kind.model._default_manager.filter(pk=pk).update(**values)
        if kind.task_paths:
            _fail_task_results(kind, pk, reason, now)
        audit.record(
            actor=None,
            action="stale",
            instance=job,
            before={"status": getattr(job, "status", ""), "worker": getattr(job, "worker", "")},
            after={"status": kind.failed.get("status", ""), "error": reason},
        )
    logger.warning("%s %s: %s", kind.model._meta.label, pk, reason)
    return True


def _fail_task_results(kind: JobKind, pk: int, reason: str, now: datetime.datetime) -> int:
    """The job's django-tasks results still RUNNING (their worker is gone) become FAILED."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path__in=kind.task_paths, args_kwargs__args__0=pk
    ).update(status=TaskResultStatus.FAILED, finished_at=now, exception_class_path=WORKER_LOST, traceback=reason)


def mark_stale(now: datetime.datetime | None = None) -> list[tuple[str, int]]:
    """Mark every running job without a heartbeat for the stale time failed. Returns (label, pk) pairs."""
    now = now or timezone.now()
    cutoff = stale_cutoff(now)
    marked = []
    for kind in kinds():
        for pk in list(_stale_rows(kind, cutoff, _claimed_rows(kind, cutoff)).values_list("pk", flat=True)):
            if _fail_stale(kind, pk, cutoff, now):
                marked.append((kind.model._meta.label, pk))
    return marked


def check_stale(job: JobModel) -> JobModel:
    """The job, marked failed first when it is stale (a job's page calls this when it is opened)."""
    kind = kind_of(type(job))
    now = timezone.now()
    cutoff = stale_cutoff(now)
    stale = _stale_rows(kind, cutoff).filter(pk=job.pk).exists()
    if not stale and kind.waiting and getattr(job, "heartbeat_at", None) is None:
        # Waiting since before the cutoff: did a worker take its task and die? (A job asked for
        # within the stale time cannot have been taken before it: no query for the task then.)
        started = getattr(job, kind.started_field, None)
        if started is not None and started < cutoff:
            claimed = _claimed_rows(kind, cutoff, job.pk)
            stale = claimed is not None and _stale_rows(kind, cutoff, claimed).filter(pk=job.pk).exists()
    if stale and _fail_stale(kind, job.pk, cutoff, now):
        job.refresh_from_db()
    return job


_libc: Any = None


def release_memory() -> int:
    """Free what a finished (failed) job left behind: collect reference cycles (an exception's
    traceback keeps every frame's locals, the parsed rows among them) and give freed heap pages back
    to the system where the C library can (glibc ``malloc_trim``). Returns the objects collected."""
    global _libc
    collected = gc.collect()
    if _libc is None:
        name = ctypes.util.find_library("c")
        try:
            _libc = ctypes.CDLL(name) if name else False
        except OSError:
            _libc = False
    if _libc and hasattr(_libc, "malloc_trim"):
        _libc.malloc_trim(0)
    return collected


def current_rss_bytes() -> int:
    """This process's resident memory now (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


# -- the worker --------------------------------------------------------------------------------------

_swept = False


def _on_task_started(sender: Any, **kwargs: Any) -> None:
    """The first task a database worker takes: mark the jobs of dead workers failed first."""
    global _swept
    if _swept:
        return
    from django_tasks_db.backend import DatabaseBackend

    if not (isinstance(sender, type) and issubclass(sender, DatabaseBackend)):
        return
    _swept = True
    marked = mark_stale()
    if marked:
        logger.warning("worker %s marked %s stale job(s) failed: %s", worker_label(), len(marked), marked)


def connect_worker_signals() -> None:
    from django_tasks.signals import task_started

    task_started.connect(_on_task_started, dispatch_uid="digileap-jobs-mark-stale")
