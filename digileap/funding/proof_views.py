"""Pages of proofs of use and repayment claims.

Reads go through the selectors: a proof or repayment claim outside the user's scope is a 404, an
action the role does not have a 403. Writes are POSTs that call ``services.proofs``; a
``ValidationError`` goes onto the form of the page (status 400) and nothing is written.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.permissions import Action, can, permits, restrict
from digileap.devices.models import Delivery, DeviceStatus

from .forms import add_service_errors
from .forms_proofs import AcceptForm, ChecklistForm, NarrativeForm, RepaidForm, ReturnForm, WaiveForm
from .models import ClaimState, Grant, ProofOfUse, ProofState, RepaymentClaim, ReviewAnswer
from .selectors.proofs import OPEN_STATES, proof_content, proofs_for, repayment_claims_for
from .services import proofs as services

DATE_KEYS = {"issued_on", "delivered_on", "paid_on", "due_on", "granted_on"}


def _event_label(state: str) -> str:
    labels = {
        **dict(ProofState.choices),
        "repayment_open": _("repayment claimed"),
        "repayment_repaid": _("repaid"),
        "repayment_waived": _("repayment waived"),
    }
    return str(labels.get(state, state)) if state else "–"


def for_display(value, key: str = ""):
    """The content with its ISO days as dates (so the page writes them in its language) and the
    labels of claim, device and acceptance states."""
    if isinstance(value, dict):
        shown = {name: for_display(item, name) for name, item in value.items()}
        if "state" in value and "invoices" in value:
            shown["state"] = (
                str(ClaimState(value["state"]).label) if value["state"] in ClaimState.values else value["state"]
            )
        if "acceptance" in value and value["acceptance"] in Delivery.Acceptance.values:
            shown["acceptance"] = str(Delivery.Acceptance(value["acceptance"]).label)
        if "serial" in value and value.get("status") in DeviceStatus.values:
            shown["status"] = str(DeviceStatus(value["status"]).label)
        return shown
    if isinstance(value, list):
        return [for_display(item) for item in value]
    if key in DATE_KEYS and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _proof_or_404(request, pk: int) -> ProofOfUse:
    return get_object_or_404(proofs_for(request.user), pk=pk)


@login_required
@require_GET
def proofofuse_list(request):
    if not can(request.user, Action.VIEW, ProofOfUse):
        raise PermissionDenied
    proofs = proofs_for(request.user).order_by("due_on", "grant__number")
    return render(request, "funding/proofs/proofofuse_list.html", {"proofs": proofs})


def _page(request, proof: ProofOfUse, *, status=200, **forms):
    grant = proof.grant
    operator_side = permits(request.user, Action.CHANGE, proof)
    authority_side = permits(request.user, Action.CHANGE, grant.call)
    # While the operator writes, the page shows what Digileap knows now; once submitted, what was frozen.
    frozen = proof.state in (ProofState.SUBMITTED, ProofState.ACCEPTED) and bool(proof.content)
    content = proof.content if frozen else proof_content(grant)
    can_write = operator_side and proof.state in OPEN_STATES and grant.closed_at is None
    can_decide = authority_side and proof.state == ProofState.SUBMITTED
    # The checklist is the review's working paper: operator staff do not see it.
    rows = services.checklist(proof) if can(request.user, Action.VIEW, ReviewAnswer) else []
    repayments = list(proof.repayment_claims.order_by("created_at", "id"))
    return render(
        request,
        "funding/proofs/proofofuse_detail.html",
        {
            "proof": proof,
            "grant": grant,
            "call": grant.call,
            "content": for_display(content),
            "events": [
                {"event": event, "from": _event_label(event.from_state), "to": _event_label(event.to_state)}
                for event in proof.events.order_by("occurred_at", "id")
            ],
            "can_write": can_write,
            "can_decide": can_decide,
            "frozen": frozen,
            "can_settle": authority_side and can(request.user, Action.CHANGE, RepaymentClaim),
            "checklist_rows": rows,
            "narrative_form": forms.get("narrative_form") or NarrativeForm(initial={"narrative": proof.narrative}),
            "checklist_form": forms.get("checklist_form") or ChecklistForm(rows=rows),
            "return_form": forms.get("return_form") or ReturnForm(),
            "accept_form": forms.get("accept_form") or AcceptForm(),
            "repayments": [
                {
                    "claim": claim,
                    "repaid_form": forms.get(f"repaid_form_{claim.pk}") or RepaidForm(prefix=f"r{claim.pk}"),
                    "waive_form": forms.get(f"waive_form_{claim.pk}") or WaiveForm(prefix=f"w{claim.pk}"),
                }
                for claim in repayments
            ],
        },
        status=status,
    )


@login_required
@require_GET
def proofofuse_detail(request, pk: int):
    return _page(request, _proof_or_404(request, pk))


def _require_operator_side(request, proof: ProofOfUse) -> None:
    if not permits(request.user, Action.CHANGE, proof):
        raise PermissionDenied


def _require_authority_side(request, proof: ProofOfUse) -> None:
    if not permits(request.user, Action.CHANGE, proof.grant.call):
        raise PermissionDenied


@login_required
@require_POST
def proofofuse_save(request, pk: int):
    proof = _proof_or_404(request, pk)
    _require_operator_side(request, proof)
    form = NarrativeForm(request.POST)
    if form.is_valid():
        try:
            services.proof_of_use_save(actor=request.user, proof=proof, narrative=form.cleaned_data["narrative"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The narrative was saved."))
            return redirect("funding:proofofuse-detail", pk=proof.pk)
    return _page(request, proof, narrative_form=form, status=400)


@login_required
@require_POST
def proofofuse_submit(request, pk: int):
    proof = _proof_or_404(request, pk)
    _require_operator_side(request, proof)
    form = NarrativeForm(request.POST)
    if form.is_valid():
        try:
            services.proof_of_use_submit(actor=request.user, proof=proof, narrative=form.cleaned_data["narrative"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The proof of use was submitted."))
            return redirect("funding:proofofuse-detail", pk=proof.pk)
    return _page(request, proof, narrative_form=form, status=400)


@login_required
@require_POST
def proofofuse_checklist(request, pk: int):
    proof = _proof_or_404(request, pk)
    _require_authority_side(request, proof)
    form = ChecklistForm(request.POST, rows=services.checklist(proof))
    if form.is_valid():
        try:
            services.proof_of_use_answer(actor=request.user, proof=proof, answers=form.answers())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The checklist was saved."))
            return redirect("funding:proofofuse-detail", pk=proof.pk)
    return _page(request, proof, checklist_form=form, status=400)


@login_required
@require_POST
def proofofuse_return(request, pk: int):
    proof = _proof_or_404(request, pk)
    _require_authority_side(request, proof)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.proof_of_use_return(actor=request.user, proof=proof, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The proof of use was returned to the operator."))
            return redirect("funding:proofofuse-detail", pk=proof.pk)
    return _page(request, proof, return_form=form, status=400)


@login_required
@require_POST
def proofofuse_accept(request, pk: int):
    proof = _proof_or_404(request, pk)
    _require_authority_side(request, proof)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.proof_of_use_accept(
                actor=request.user,
                proof=proof,
                ineligible=form.cleaned_data["ineligible"],
                ineligible_reason=form.cleaned_data["ineligible_reason"],
                repayment_due_on=form.cleaned_data["repayment_due_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The proof of use was accepted and the grant closed."))
            return redirect("funding:proofofuse-detail", pk=proof.pk)
    return _page(request, proof, accept_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def proofofuse_open(request, grant_pk: int):
    """The grant's proof of use; a POST opens one for a grant that has none (older grants)."""
    grant = get_object_or_404(restrict(Grant.objects.select_related("call"), request.user), pk=grant_pk)
    existing = ProofOfUse.objects.filter(grant=grant).first()
    if request.method == "GET":
        if existing is not None:
            return redirect("funding:proofofuse-detail", pk=existing.pk)
        if not can(request.user, Action.ADD, ProofOfUse):
            raise Http404
        return render(request, "funding/proofs/proofofuse_open.html", {"grant": grant})
    proof = services.proof_of_use_open(actor=request.user, grant=grant)
    return redirect("funding:proofofuse-detail", pk=proof.pk)


def _repayment_or_404(request, pk: int) -> RepaymentClaim:
    return get_object_or_404(repayment_claims_for(request.user), pk=pk)


@login_required
@require_POST
def repaymentclaim_repaid(request, pk: int):
    claim = _repayment_or_404(request, pk)
    if not permits(request.user, Action.CHANGE, claim):
        raise PermissionDenied
    form = RepaidForm(request.POST, prefix=f"r{claim.pk}")
    if form.is_valid():
        try:
            services.repayment_claim_repaid(actor=request.user, claim=claim, settled_on=form.cleaned_data["settled_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The repayment was recorded."))
            return _back(claim)
    return _repayment_page(request, claim, {f"repaid_form_{claim.pk}": form})


@login_required
@require_POST
def repaymentclaim_waive(request, pk: int):
    claim = _repayment_or_404(request, pk)
    if not permits(request.user, Action.CHANGE, claim):
        raise PermissionDenied
    form = WaiveForm(request.POST, prefix=f"w{claim.pk}")
    if form.is_valid():
        try:
            services.repayment_claim_waive(actor=request.user, claim=claim, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The repayment was waived."))
            return _back(claim)
    return _repayment_page(request, claim, {f"waive_form_{claim.pk}": form})


def _back(claim: RepaymentClaim):
    if claim.proof_of_use_id:
        return redirect("funding:proofofuse-detail", pk=claim.proof_of_use_id)
    return redirect("funding:proofofuse-list")


def _repayment_page(request, claim: RepaymentClaim, forms: dict):
    if claim.proof_of_use_id:
        proof = _proof_or_404(request, claim.proof_of_use_id)
        return _page(request, proof, status=400, **forms)
    for form in forms.values():
        for texts in form.errors.values():
            for text in texts:
                messages.error(request, text)
    return redirect("funding:proofofuse-list")
