"""Pages of grants and claims (Mittelabruf): the grant list and page with approved, claimed, paid and
remaining per line; the claim page where operator staff add invoices with scans, lines and devices
and submit, and where the authority answers the checklist, returns, approves and marks paid.

Reads go through ``selectors.grants`` (a grant or claim outside the user's scope is a 404, an action
the role does not have a 403); writes are POSTs that call ``services.claims``, and a refused one
shows its messages on the page with nothing written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from digileap.core.permissions import Action, can, permits

from .dossier_views import dossier_grant_for
from .forms import add_service_errors
from .forms_claims import ChecklistForm, InvoiceForm, InvoiceLineForm, PayForm, ReturnForm
from .models import Claim, ClaimState, Grant, InvoiceLine, ReviewAnswer, ReviewItem
from .selectors.grants import (
    EDITABLE_STATES,
    claim_devices,
    claims_for,
    grant_lines_with_figures,
    grant_totals,
    grants_for,
    grants_with_totals,
    invoice_lines_for,
    invoices_for,
)
from .services import claims as services


def _url_or_none(name: str, **kwargs) -> str | None:
    """The URL of another part's page, where that part has built it."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


# Grants.


@login_required
@require_GET
def grant_list(request):
    if not can(request.user, Action.VIEW, Grant):
        raise PermissionDenied
    grants = grants_with_totals(grants_for(request.user)).order_by("call__code", "number")
    return render(request, "funding/grants/list.html", {"grants": grants})


def _may_download_dossier(user, grant) -> bool:
    try:
        dossier_grant_for(user, grant.pk)
    except Http404:
        return False
    return True


@login_required
@require_GET
def grant_detail(request, pk: int):
    grant = get_object_or_404(grants_for(request.user), pk=pk)
    user = request.user
    decisions = [
        (decision, _url_or_none("funding:decision-detail", pk=decision.pk))
        for decision in grant.application.decisions.order_by("number")
    ]
    proof = getattr(grant, "proof_of_use", None)
    proof_url = _url_or_none("funding:proofofuse-detail", pk=proof.pk) if proof else None
    return render(
        request,
        "funding/grants/detail.html",
        {
            "grant": grant,
            "lines": grant_lines_with_figures(grant),
            "totals": grant_totals(grant),
            "claims": claims_for(user).filter(grant=grant).order_by("number"),
            "decisions": decisions,
            "proof": proof,
            "proof_url": proof_url,
            "application_url": _url_or_none("funding:application-detail", pk=grant.application_id),
            "can_claim": permits(user, Action.ADD, Claim(grant=grant)) and grant.closed_at is None,
            "can_download_dossier": _may_download_dossier(user, grant),
            "can_open_proof": proof is None and permits(user, Action.CHANGE, grant.call),
        },
    )


@login_required
@require_POST
def grant_claim(request, pk: int):
    grant = get_object_or_404(grants_for(request.user), pk=pk)
    try:
        claim = services.claim_start(actor=request.user, grant=grant)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("funding:grant-detail", pk=grant.pk)
    messages.success(request, _("Claim %(claim)s was started.") % {"claim": str(claim)})
    return redirect("funding:claim-detail", pk=claim.pk)


# Claims.


@login_required
@require_GET
def claim_list(request):
    if not can(request.user, Action.VIEW, Claim):
        raise PermissionDenied
    claims = claims_for(request.user).order_by("-submitted_at", "grant__number", "number")
    state = request.GET.get("state", "")
    if state in ClaimState.values:
        claims = claims.filter(state=state)
    return render(
        request,
        "funding/claims/list.html",
        {"claims": claims, "states": ClaimState.choices, "state": state},
    )


def _claim_or_404(request, pk: int) -> Claim:
    return get_object_or_404(claims_for(request.user), pk=pk)


def _may(check, user, claim: Claim) -> bool:
    try:
        check(user, claim)
    except PermissionDenied:
        return False
    return True


def _answer_initial(answer) -> dict:
    return {"answer": answer.answer, "note": answer.note} if answer else {}


def _claim_page(request, claim: Claim, *, status: int = 200, **forms):
    user = request.user
    grant = claim.grant
    operator_side = _may(services.authorize_operator_side, user, claim)
    authority_side = _may(services.authorize_authority_side, user, claim)
    can_edit = operator_side and claim.state in EDITABLE_STATES
    lines = list(grant.lines.select_related("category").order_by("position"))
    devices = claim_devices(grant)
    invoices = claim.invoices.order_by("issued_on", "id").prefetch_related(
        Prefetch(
            "lines",
            queryset=InvoiceLine.objects.select_related("grant_line").prefetch_related(
                "devices__device_model", "devices__delivery"
            ),
        )
    )
    checklist = services.claim_checklist(claim)
    failed_line_form, failed_invoice = forms.get("line_form"), forms.get("line_form_invoice")
    invoice_rows = [
        (
            invoice,
            failed_line_form
            if failed_invoice == invoice.pk
            else InvoiceLineForm(lines=lines, devices=devices, auto_id=f"line{invoice.pk}_%s"),
        )
        for invoice in invoices
    ]
    labels = dict(ClaimState.choices)
    events = [
        (event, labels.get(event.from_state, event.from_state), labels.get(event.to_state, event.to_state))
        for event in claim.events.order_by("occurred_at", "id")
    ]
    context = {
        "claim": claim,
        "grant": grant,
        "invoice_rows": invoice_rows,
        "figures": grant_lines_with_figures(grant),
        "can_edit": can_edit,
        "can_check": authority_side and claim.state == ClaimState.SUBMITTED,
        "can_pay": authority_side and claim.state == ClaimState.APPROVED,
        # The checklist is the review's working paper: never shown to operator staff.
        "show_checklist": can(user, Action.VIEW, ReviewAnswer) and claim.state != ClaimState.DRAFT,
        "checklist": [
            (item, answer, ChecklistForm(initial=_answer_initial(answer), prefix=f"item{item.pk}"))
            for item, answer in checklist
        ],
        "events": events,
        "invoice_form": forms.get("invoice_form") or InvoiceForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "pay_form": forms.get("pay_form") or PayForm(),
        "errors": forms.get("errors", []),
    }
    return render(request, "funding/claims/detail.html", context, status=status)


@login_required
@require_GET
def claim_detail(request, pk: int):
    return _claim_page(request, _claim_or_404(request, pk))


@login_required
@require_POST
def claim_invoice(request, pk: int):
    claim = _claim_or_404(request, pk)
    if not _may(services.authorize_operator_side, request.user, claim):
        raise PermissionDenied
    form = InvoiceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            invoice = services.invoice_add(
                actor=request.user,
                claim=claim,
                supplier_name=data["supplier_name"],
                number=data["number"],
                issued_on=data["issued_on"],
                total=data["total"],
                file=data["file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Invoice %(number)s was added.") % {"number": invoice.number})
            return redirect("funding:claim-detail", pk=claim.pk)
    return _claim_page(request, claim, invoice_form=form, status=400)


@login_required
@require_POST
def invoice_addline(request, pk: int):
    invoice = get_object_or_404(invoices_for(request.user), pk=pk)
    claim = invoice.claim
    if not _may(services.authorize_operator_side, request.user, claim):
        raise PermissionDenied
    grant = claim.grant
    form = InvoiceLineForm(
        request.POST,
        lines=list(grant.lines.select_related("category").order_by("position")),
        devices=claim_devices(grant),
        auto_id=f"line{invoice.pk}_%s",
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.invoice_line_add(
                actor=request.user,
                invoice=invoice,
                grant_line=data["grant_line"],
                amount=data["amount"],
                claimed=data["claimed"] or None,
                description=data["description"],
                devices=data["serials"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "devices" in error.error_dict:
                error = ValidationError(
                    {("serials" if key == "devices" else key): value for key, value in error.message_dict.items()}
                )
            add_service_errors(form, error)
        else:
            messages.success(request, _("The line was added to invoice %(number)s.") % {"number": invoice.number})
            return redirect("funding:claim-detail", pk=claim.pk)
    return _claim_page(request, claim, line_form=form, line_form_invoice=invoice.pk, status=400)


def _refused(request, claim: Claim, error: ValidationError):
    return _claim_page(request, claim, errors=error.messages, status=400)


@login_required
@require_POST
def invoice_delete(request, pk: int):
    invoice = get_object_or_404(invoices_for(request.user), pk=pk)
    claim = invoice.claim
    if not _may(services.authorize_operator_side, request.user, claim):
        raise PermissionDenied
    try:
        services.invoice_delete(actor=request.user, invoice=invoice)
    except ValidationError as error:
        return _refused(request, claim, error)
    messages.success(request, _("Invoice %(number)s was removed.") % {"number": invoice.number})
    return redirect("funding:claim-detail", pk=claim.pk)


@login_required
@require_POST
def invoiceline_delete(request, pk: int):
    line = get_object_or_404(invoice_lines_for(request.user), pk=pk)
    claim = line.invoice.claim
    if not _may(services.authorize_operator_side, request.user, claim):
        raise PermissionDenied
    try:
        services.invoice_line_delete(actor=request.user, line=line)
    except ValidationError as error:
        return _refused(request, claim, error)
    messages.success(request, _("The line was removed."))
    return redirect("funding:claim-detail", pk=claim.pk)


@login_required
@require_GET
def invoice_scan(request, pk: int):
    invoice = get_object_or_404(invoices_for(request.user), pk=pk)
    if not invoice.file:
        raise Http404
    return FileResponse(
        invoice.file.open("rb"),
        as_attachment=True,
        filename=invoice.original_filename or f"invoice-{invoice.pk}",
        content_type=invoice.content_type or "application/octet-stream",
    )


def _step(request, pk: int, work, success: str):
    claim = _claim_or_404(request, pk)
    try:
        work(claim)
    except ValidationError as error:
        return _refused(request, claim, error)
    messages.success(request, success % {"claim": str(claim)})
    return redirect("funding:claim-detail", pk=claim.pk)


@login_required
@require_POST
def claim_submit(request, pk: int):
    return _step(
        request,
        pk,
        lambda claim: services.claim_submit(actor=request.user, claim=claim),
        _("Claim %(claim)s was submitted."),
    )


@login_required
@require_POST
def claim_approve(request, pk: int):
    return _step(
        request,
        pk,
        lambda claim: services.claim_approve(actor=request.user, claim=claim),
        _("Claim %(claim)s was approved."),
    )


@login_required
@require_POST
def claim_return(request, pk: int):
    claim = _claim_or_404(request, pk)
    form = ReturnForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        services.claim_return(actor=request.user, claim=claim, reason=reason)
    except ValidationError as error:
        form.is_valid()
        add_service_errors(form, error)
        shown = claim.state == ClaimState.SUBMITTED  # otherwise the form is not on the page
        return _claim_page(request, claim, return_form=form, errors=[] if shown else error.messages, status=400)
    messages.success(request, _("Claim %(claim)s was returned to the operator.") % {"claim": str(claim)})
    return redirect("funding:claim-detail", pk=claim.pk)


@login_required
@require_POST
def claim_pay(request, pk: int):
    claim = _claim_or_404(request, pk)
    if not _may(services.authorize_authority_side, request.user, claim):
        raise PermissionDenied
    form = PayForm(request.POST)
    if form.is_valid():
        try:
            services.claim_pay(
                actor=request.user,
                claim=claim,
                paid_on=form.cleaned_data["paid_on"],
                reference=form.cleaned_data["payment_reference"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            if claim.state != ClaimState.APPROVED:  # the form is not on the page: say why above
                return _claim_page(request, claim, pay_form=form, errors=error.messages, status=400)
        else:
            messages.success(request, _("Claim %(claim)s was marked paid.") % {"claim": str(claim)})
            return redirect("funding:claim-detail", pk=claim.pk)
    return _claim_page(request, claim, pay_form=form, status=400)


@login_required
@require_POST
def claim_checklist(request, pk: int):
    claim = _claim_or_404(request, pk)
    if not _may(services.authorize_authority_side, request.user, claim):
        raise PermissionDenied
    item_pk = request.POST.get("item", "")
    item = get_object_or_404(
        ReviewItem, pk=int(item_pk) if item_pk.isdigit() else 0, call_id=claim.grant.call_id, stage="claim"
    )
    form = ChecklistForm(request.POST, prefix=f"item{item.pk}")
    if not form.is_valid():
        return _claim_page(request, claim, errors=[_("Answer yes, no or not applicable.")], status=400)
    try:
        services.claim_answer(
            actor=request.user,
            claim=claim,
            item=item,
            answer=form.cleaned_data["answer"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        return _refused(request, claim, error)
    messages.success(request, _("The answer was saved."))
    return redirect("funding:claim-detail", pk=claim.pk)
