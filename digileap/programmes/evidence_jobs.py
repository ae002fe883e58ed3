"""Evidence packs as background jobs: cancel one that waits or runs, prepare a failed or cancelled one again.

The heartbeat and stale detection are those of every job (``digileap.core.jobs``). Both services
are for those who may ask for packs (``add`` on the pack: programme owners, funding administrators).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from digileap.core import audit
from digileap.core.permissions import Action, authorize

from .models import EvidencePack

CANCELLABLE = (EvidencePack.Status.QUEUED, EvidencePack.Status.RUNNING)
RETRYABLE = (EvidencePack.Status.FAILED, EvidencePack.Status.CANCELLED)


@transaction.atomic
def evidence_pack_cancel(*, actor, pack: EvidencePack) -> EvidencePack:
    """Cancel a pack that waits or is being prepared; the worker stops at its next progress point."""
    pack = EvidencePack.objects.select_for_update().get(pk=pack.pk)
    authorize(actor, Action.ADD, pack)
    if pack.status not in CANCELLABLE:
        raise ValidationError(
            _("This pack can no longer be cancelled (it is %(status)s).") % {"status": pack.get_status_display()}
        )
    before = {"status": pack.status}
    pack.status = EvidencePack.Status.CANCELLED
    pack.finished_at = timezone.now()
    pack.save(update_fields=["status", "finished_at"])
    audit.record(actor=actor, action="cancel", instance=pack, before=before, after={"status": pack.status})
    return pack


def evidence_pack_retry(*, actor, pack: EvidencePack) -> EvidencePack:
    """A new pack for the same target, day and language as a failed or cancelled one."""
    from . import services

    with transaction.atomic():
        pack = EvidencePack.objects.select_for_update(of=("self",)).select_related("target__indicator").get(pk=pack.pk)
        authorize(actor, Action.ADD, pack)
        if pack.status not in RETRYABLE:
            raise ValidationError(
                _("Only a failed or cancelled pack can be prepared again (this one is %(status)s).")
                % {"status": pack.get_status_display()}
            )
        retry = services.evidence_pack_request(
            actor=actor, target=pack.target, as_of=pack.as_of, language=pack.language
        )
        audit.record(actor=actor, action="retry", instance=retry, after={"retry_of": pack.pk})
    return retry
