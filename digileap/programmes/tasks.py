"""Background work: the daily snapshots of every target's value and status, and evidence packs.

Schedule ``record_snapshots`` once a day (cron or a systemd timer running
``manage.py shell -c "from digileap.programmes.tasks import record_snapshots; record_snapshots.enqueue()"``,
or simply ``manage.py backfill_snapshots --from today``)."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from digileap.core import jobs

from . import services
from .models import EvidencePack


@task()
def record_snapshots(as_of: str | None = None) -> int:
    """Store each target's value and status for ``as_of`` (ISO date; default today). Idempotent per day."""
    day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return services.snapshots_record(as_of=day)


@task()
def build_evidence_pack(pack_id: int) -> dict:
    """Prepare an evidence pack that was asked for on the web."""
    pack = services.evidence_pack_build(pack=EvidencePack.objects.get(pk=pack_id))
    outcome = {"status": pack.status, "sha256": pack.sha256}
    if pack.status == EvidencePack.Status.FAILED:
        del pack
        jobs.release_memory()
    return outcome


jobs.register(
    jobs.JobKind(
        model=EvidencePack,
        running=Q(status=EvidencePack.Status.RUNNING),
        started_field="requested_at",
        failed={"status": EvidencePack.Status.FAILED},
        task_paths=(build_evidence_pack.module_path,),
        waiting={build_evidence_pack.module_path: Q(status=EvidencePack.Status.QUEUED)},
    )
)
jobs.connect_worker_signals()
