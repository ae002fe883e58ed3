"""Pages of pupils' rights: a pupil's rights page (export as JSON or PDF, erase), the erasure
confirmation, and the list of erasures with a look-up by school and reference for the
data-protection officer. Who may do what is decided in ``services`` (``exportable_recipients``,
``may_erase``); a recipient outside that is a 404."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digileap.core.permissions import Action, can, restrict
from digileap.devices.models import Assignment, Recipient

from .access import log_recipients_shown
from .models import Erasure
from .rights_forms import ErasureForm, RecipientLookupForm
from .services import erase_recipient, export_recipient, export_recipient_pdf, exportable_recipients, may_erase

PER_PAGE = 50


def _recipient(request: HttpRequest, pk: int) -> Recipient:
    return get_object_or_404(exportable_recipients(request.user), pk=pk)


@login_required
@require_GET
def erasure_list(request: HttpRequest) -> HttpResponse:
    """The erasures of the officer's authority (tombstone, when, by whom, why) and the look-up of a
    pupil by school number and reference."""
    if not can(request.user, Action.VIEW, Erasure):
        raise PermissionDenied
    lookup = RecipientLookupForm(request.GET if "reference" in request.GET else None)
    not_found = False
    if lookup.is_bound and lookup.is_valid():
        found = (
            exportable_recipients(request.user)
            .filter(
                school__number=lookup.cleaned_data["school"].strip(), reference=lookup.cleaned_data["reference"].strip()
            )
            .first()
        )
        if found is not None:
            return redirect("privacy:recipient-rights", pk=found.pk)
        not_found = True
    erasures = restrict(Erasure.objects.select_related("recipient__school", "erased_by"), request.user).order_by(
        "-erased_at", "-pk"
    )
    page = Paginator(erasures, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "privacy/rights/erasure_list.html", {"page": page, "lookup": lookup, "not_found": not_found})


@login_required
@require_GET
def recipient_rights(request: HttpRequest, pk: int) -> HttpResponse:
    """One pupil's rights: what is held (counts), export, and erasure for those who may."""
    recipient = _recipient(request, pk)
    log_recipients_shown(request, [recipient])
    context = {
        "recipient": recipient,
        "erasure": Erasure.objects.filter(recipient=recipient).select_related("erased_by").first(),
        "assignment_count": Assignment.objects.filter(recipient=recipient).count(),
        "open_assignment": Assignment.objects.filter(recipient=recipient, returned_at__isnull=True)
        .select_related("device")
        .first(),
        "can_erase": may_erase(request.user, recipient),
        "can_see_erasures": can(request.user, Action.VIEW, Erasure),
    }
    return render(request, "privacy/rights/recipient_rights.html", context)


@login_required
@require_GET
def recipient_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = _recipient(request, pk)
    data = export_recipient(actor=request.user, recipient=recipient, path=request.get_full_path())
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="pupil-{recipient.pk}.json"'
    return response


@login_required
@require_GET
def recipient_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = _recipient(request, pk)
    pdf = export_recipient_pdf(actor=request.user, recipient=recipient, path=request.get_full_path())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pupil-{recipient.pk}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def recipient_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and erase: the reference typed again, the reason and a note."""
    recipient = _recipient(request, pk)
    if not may_erase(request.user, recipient):
        raise PermissionDenied
    if recipient.erased_at is not None:
        messages.info(request, _("This person's data was erased already."))
        return redirect("privacy:recipient-rights", pk=recipient.pk)
    form = ErasureForm(request.POST or None, recipient=recipient)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = erase_recipient(
                actor=request.user,
                recipient=recipient,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("The data were erased. The record is kept as %(tombstone)s for the devices' history.")
                % {"tombstone": erasure.tombstone},
            )
            return redirect("privacy:recipient-rights", pk=recipient.pk)
    open_assignment = (
        Assignment.objects.filter(recipient=recipient, returned_at__isnull=True).select_related("device").first()
    )
    return render(
        request,
        "privacy/rights/recipient_erase.html",
        {"recipient": recipient, "form": form, "open_assignment": open_assignment},
    )
