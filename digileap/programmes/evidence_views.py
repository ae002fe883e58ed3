"""Evidence pack pages: a target's evidence page, the direct download, background packs with progress.

Programme owners, funding administrators and auditors reach them (``selectors.evidence_target_get``);
operator staff and schools do not, since a pack lists every school's records. Downloads are reads:
the auditor downloads every pack. Preparing a pack in the background is a write (it stores the
file), for those who may add packs.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from digileap.core.jobs import check_stale
from digileap.core.permissions import Action, permits

from . import selectors, services
from .evidence import EvidenceError, build_pack, pack_filename
from .evidence_jobs import CANCELLABLE, RETRYABLE, evidence_pack_cancel, evidence_pack_retry
from .indicators import get_kind
from .models import EvidencePack


def _as_of(request) -> datetime.date:
    today = timezone.localdate()
    text = request.GET.get("as_of") or request.POST.get("as_of") or ""
    if not text:
        return today
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise Http404 from None
    if day > today:
        raise Http404
    return day


@login_required
@require_GET
def target_evidence(request, pk: int):
    target = selectors.evidence_target_get(request.user, pk)
    kind = get_kind(target.indicator.kind) if target.indicator is not None else None
    context = {
        "target": target,
        "programme": target.programme,
        "kind": kind,
        "today": timezone.localdate(),
        "packs": selectors.evidence_packs_for(request.user).filter(target=target)[:20],
        "may_prepare": permits(request.user, Action.ADD, EvidencePack(target=target)),
    }
    return render(request, "programmes/evidence/target_evidence.html", context)


@login_required
@require_GET
def target_evidence_download(request, pk: int):
    """The pack made during the request (fine up to some thousands of records)."""
    target = selectors.evidence_target_get(request.user, pk)
    day = _as_of(request)
    try:
        data = build_pack(target, day)
    except EvidenceError:
        raise Http404 from None
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{pack_filename(target, day)}"'
    return response


@login_required
@require_POST
def target_evidence_prepare(request, pk: int):
    target = selectors.evidence_target_get(request.user, pk)
    try:
        pack = services.evidence_pack_request(
            actor=request.user, target=target, as_of=_as_of(request), language=translation.get_language() or "en"
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programmes:target-evidence", pk=target.pk)
    return redirect("programmes:evidencepack-detail", pk=pack.pk)


@login_required
@require_GET
def evidencepack_detail(request, pk: int):
    pack = check_stale(selectors.evidence_pack_get(request.user, pk))
    return render(request, "programmes/evidence/pack_detail.html", _pack_context(request, pack))


@login_required
@require_GET
def evidencepack_progress(request, pk: int):
    pack = check_stale(selectors.evidence_pack_get(request.user, pk))
    return render(request, "programmes/evidence/_pack_status.html", _pack_context(request, pack))


def _pack_context(request, pack: EvidencePack) -> dict:
    may_change = permits(request.user, Action.ADD, pack)
    return {
        "pack": pack,
        "target": pack.target,
        "may_cancel": may_change and pack.status in CANCELLABLE,
        "may_retry": may_change and pack.status in RETRYABLE,
    }


@login_required
@require_POST
def evidencepack_cancel(request, pk: int):
    pack = selectors.evidence_pack_get(request.user, pk, Action.ADD)
    try:
        evidence_pack_cancel(actor=request.user, pack=pack)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The pack was cancelled."))
    return redirect("programmes:evidencepack-detail", pk=pack.pk)


@login_required
@require_POST
def evidencepack_retry(request, pk: int):
    pack = selectors.evidence_pack_get(request.user, pk, Action.ADD)
    try:
        retry = evidence_pack_retry(actor=request.user, pack=pack)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programmes:evidencepack-detail", pk=pack.pk)
    messages.success(request, _("A new pack is being prepared; it repeats pack %(number)s.") % {"number": pack.pk})
    return redirect("programmes:evidencepack-detail", pk=retry.pk)


@login_required
@require_GET
def evidencepack_download(request, pk: int):
    pack = selectors.evidence_pack_get(request.user, pk)
    if pack.status != EvidencePack.Status.DONE or not pack.file:
        raise Http404(_("This pack is not ready."))
    return FileResponse(pack.file.open("rb"), as_attachment=True, filename=pack_filename(pack.target, pack.as_of))
