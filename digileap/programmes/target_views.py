"""Pages for a programme's milestones and targets (with the indicator and a live preview of its value),
manual values, evidence documents (uploaded by one person, approved by another) and money
(commitments and payments, one at a time or from a CSV/XLSX file through the import engine).

Reads go through selectors: a programme or target outside the user's scope is a 404. Writes are
offered to whoever the grants let write the record (``permits``): milestones and targets to those
who may change the programme (administrators, programme owners in their authority); manual values,
documents and money also to funding administrators; approving a document to those who may change
it, never to its uploader. Whoever may read but not write gets a 403 on a write. Every write goes
through ``services``; their ValidationErrors are shown on the form.
"""

import datetime
import os
import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.permissions import Action, permits
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError

from . import budget as budgets
from . import selectors, services
from .indicators import get_kind
from .models import EvidenceDocument, FundingTransaction, IndicatorDefinition, ManualValue, Programme, Target
from .target_forms import (
    EvidenceUploadForm,
    IndicatorPreviewForm,
    ManualValueForm,
    TargetForm,
    TransactionForm,
    TransactionImportForm,
)

GET_AND_POST = ["GET", "POST"]
LIST_LIMIT = 200
IMPORT_SESSION_KEY = "programmes_transaction_import"


def _programme_to_change(user, pk: int) -> Programme:
    """404 when the user may not read the programme, 403 when they may read but not change it."""
    programme = selectors.programme_get(user, pk)
    if not permits(user, Action.CHANGE, programme):
        raise PermissionDenied
    return programme


def _next_position(programme: Programme) -> int:
    return (programme.targets.aggregate(highest=Max("position"))["highest"] or 0) + 1


def _add_service_error(form, error: ValidationError) -> None:
    if hasattr(form, "add_service_error"):
        form.add_service_error(error)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# Database constraints ``full_clean`` reports without a field (conditional unique constraints, checks),
# by name: the field they belong to and what a person reads.
CONSTRAINT_MESSAGES = {
    "target_number_unique": ("number", _lazy("Another milestone or target of this programme has this number.")),
    "target_position_unique": ("position", _lazy("Another milestone or target of this programme has this position.")),
    "target_differs_from_baseline": ("target_value", _lazy("The target value differs from the baseline.")),
    "per_period_target_has_start": ("period_start", _lazy("A per-period target needs the day counting starts.")),
    "target_period_before_due": ("period_start", _lazy("Counting starts on or before the due date.")),
}


def _named_constraint_errors(error: ValidationError) -> ValidationError:
    """The error with each named constraint's message moved to its field, in words."""
    if not hasattr(error, "error_dict"):
        return error
    result: dict[str, list] = {}
    for field, errors in error.error_dict.items():
        for item in errors:
            text = " ".join(item.messages)
            named = next((pair for name, pair in CONSTRAINT_MESSAGES.items() if name in text), None)
            if named is not None:
                result.setdefault(named[0], []).append(ValidationError(str(named[1])))
            else:
                result.setdefault(field, []).append(item)
    return ValidationError(result)


def format_value(value: Decimal | None) -> str:
    """A value as the language writes it: whole numbers without decimals, else two."""
    if value is None:
        return ""
    places = 0 if value == value.to_integral_value() else 2
    return number_format(value, places, force_grouping=True)


# --- milestones and targets ---------------------------------------------------------------------


@login_required
@require_GET
def programme_targets(request, pk: int):
    programme = selectors.programme_get(request.user, pk)
    targets = selectors.targets_for(request.user).filter(programme=programme).order_by("due_date", "position")
    today = timezone.localdate()
    context = {
        "programme": programme,
        "progress": selectors.target_progress(targets, today),
        "today": today,
        "may_change": permits(request.user, Action.CHANGE, programme),
    }
    return render(request, "programmes/targets/target_list.html", context)


def _target_form_page(request, programme: Programme, target: Target | None):
    form = TargetForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            with transaction.atomic():
                if target is None:
                    data.setdefault("position", _next_position(programme))
                    saved = services.target_create(actor=request.user, programme=programme, data=data)
                else:
                    saved = services.target_update(actor=request.user, target=target, data=data)
                if form.indicator is not None:
                    kind, parameters = form.indicator
                    services.indicator_define(actor=request.user, target=saved, kind=kind, parameters=parameters)
        except ValidationError as error:
            _add_service_error(form, _named_constraint_errors(error))
        else:
            messages.success(request, _("%(target)s was saved.") % {"target": saved})
            return redirect("programmes:programme-targets", pk=programme.pk)
    context = {
        "programme": programme,
        "target": target,
        "form": form,
        "preview_url": reverse("programmes:programme-indicator-preview", args=[programme.pk]),
    }
    return render(request, "programmes/targets/target_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(GET_AND_POST)
def programme_target_create(request, pk: int):
    programme = _programme_to_change(request.user, pk)
    return _target_form_page(request, programme, None)


@login_required
@require_http_methods(GET_AND_POST)
def target_update(request, pk: int):
    target = selectors.target_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, target):
        raise PermissionDenied
    return _target_form_page(request, target.programme, target)


@login_required
@require_GET
def programme_indicator_preview(request, pk: int):
    """The value today of the indicator the form describes (kind, parameters, counting), as JSON:
    ``{"value": "1234.00", "formatted": "1,234", "unit": "EUR", "label": ..., "error": ""}``.

    Only for those who may change the programme: they read all of its data. The value is computed
    by the kind's own ``compute`` on a target that is not saved; for a target being edited, its
    key and (for the same kind) its indicator's key are kept, so documents and manual values count.
    """
    programme = _programme_to_change(request.user, pk)
    form = IndicatorPreviewForm(request.GET)
    form.is_valid()
    code = form.cleaned_data.get("indicator_kind") or ""
    kind = get_kind(code)
    if kind is None:
        return JsonResponse(
            {"value": None, "formatted": "", "unit": "", "label": "", "error": _("Choose an indicator.")}
        )
    indicator = form.clean_indicator()
    if indicator is None:
        errors = form.errors.get("indicator_kind") or [_("The parameters are not valid.")]
        return JsonResponse(
            {
                "value": None,
                "formatted": "",
                "unit": str(kind.unit),
                "label": str(kind.label),
                "error": " ".join(str(error) for error in errors),
            }
        )
    _code, parameters = indicator
    accumulation = request.GET.get("accumulation") or Target.Accumulation.CUMULATIVE
    if accumulation not in Target.Accumulation.values:
        accumulation = Target.Accumulation.CUMULATIVE
    period_start = None
    try:
        period_start = datetime.date.fromisoformat(request.GET.get("period_start") or "")
    except ValueError:
        pass
    existing = None
    target_id = request.GET.get("target") or ""
    if target_id.isdigit():
        existing = selectors.targets_for(request.user, Action.CHANGE).filter(programme=programme, pk=target_id).first()
    definition = IndicatorDefinition(programme=programme, kind=code, parameters=parameters)
    target = Target(programme=programme, accumulation=accumulation, period_start=period_start, indicator=definition)
    if existing is not None:
        target.pk = existing.pk
        if existing.indicator is not None and existing.indicator.kind == code:
            definition.pk = existing.indicator_id
            target.indicator_id = existing.indicator_id
    if accumulation == Target.Accumulation.PER_PERIOD and period_start is None:
        return JsonResponse(
            {
                "value": None,
                "formatted": "",
                "unit": str(kind.unit),
                "label": str(kind.label),
                "error": _("A per-period target needs the day counting starts."),
            }
        )
    try:
        value = kind.compute(target, timezone.localdate())
    except ValueError:
        # A kind that counts records linked to the target itself: nothing is linked before it is saved.
        return JsonResponse(
            {
                "value": None,
                "formatted": "",
                "unit": str(kind.unit),
                "label": str(kind.label),
                "error": _("Computed once the milestone or target is saved."),
            }
        )
    return JsonResponse(
        {
            "value": str(value),
            "formatted": format_value(value),
            "unit": str(kind.unit),
            "label": str(kind.label),
            "error": "",
        }
    )


# --- manual values ------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_AND_POST)
def target_values(request, pk: int):
    target = selectors.target_get(request.user, pk)
    kind = get_kind(target.indicator.kind) if target.indicator is not None else None
    is_manual = kind is not None and kind.is_manual
    may_add = is_manual and permits(request.user, Action.ADD, ManualValue(indicator=target.indicator))
    form = ManualValueForm(request.POST or None, initial={"as_of": timezone.localdate()})
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.manual_value_record(
                    actor=request.user,
                    target=target,
                    value=form.cleaned_data["value"],
                    as_of=form.cleaned_data["as_of"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _add_service_error(form, error)
            else:
                messages.success(request, _("The value was recorded."))
                return redirect("programmes:target-values", pk=target.pk)
    values = (
        selectors.manual_values_for(request.user)
        .filter(indicator_id=target.indicator_id)
        .select_related("entered_by")
        .order_by("-as_of", "-id")[:LIST_LIMIT]
        if is_manual
        else ManualValue.objects.none()
    )
    context = {
        "programme": target.programme,
        "target": target,
        "form": form,
        "is_manual": is_manual,
        "may_add": may_add,
        "values": values,
    }
    return render(request, "programmes/targets/value_list.html", context, status=400 if form.errors else 200)


# --- evidence documents -------------------------------------------------------------------------


@login_required
@require_http_methods(GET_AND_POST)
def programme_documents(request, pk: int):
    programme = selectors.programme_get(request.user, pk)
    may_upload = permits(request.user, Action.ADD, EvidenceDocument(programme=programme))
    targets = selectors.targets_for(request.user).filter(programme=programme).order_by("due_date", "position")
    form = EvidenceUploadForm(request.POST or None, request.FILES or None, programme=programme, targets=targets)
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.evidence_document_upload(
                    actor=request.user,
                    programme=programme,
                    title=form.cleaned_data["title"],
                    file=form.cleaned_data["file"],
                    target=form.cleaned_data["target"],
                )
            except ValidationError as error:
                _add_service_error(form, error)
            else:
                messages.success(request, _("The document was uploaded. Another person approves it."))
                return redirect("programmes:programme-documents", pk=programme.pk)
    documents = (
        selectors.evidence_documents_for(request.user)
        .filter(programme=programme)
        .select_related("uploaded_by", "approved_by", "target")
        .order_by("-uploaded_at", "-id")[:LIST_LIMIT]
    )
    rows = []
    for document in documents:
        may_change = permits(request.user, Action.CHANGE, document)
        rows.append(
            {
                "document": document,
                "is_own": document.uploaded_by_id == request.user.pk,
                "may_approve": may_change and not document.is_approved and document.uploaded_by_id != request.user.pk,
            }
        )
    context = {"programme": programme, "form": form, "may_upload": may_upload, "rows": rows}
    return render(request, "programmes/targets/document_list.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def evidencedocument_approve(request, pk: int):
    document = get_object_or_404(selectors.evidence_documents_for(request.user), pk=pk)
    if not permits(request.user, Action.CHANGE, document):
        raise PermissionDenied
    try:
        services.evidence_document_approve(actor=request.user, document=document)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(title)s was approved.") % {"title": document.title})
    return redirect("programmes:programme-documents", pk=document.programme_id)


@login_required
@require_GET
def evidencedocument_download(request, pk: int):
    document = get_object_or_404(selectors.evidence_documents_for(request.user), pk=pk)
    if not document.file:
        raise Http404
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=os.path.basename(document.file.name or "")
    )


# --- money --------------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_AND_POST)
def programme_transactions(request, pk: int):
    """The programme's ledger, its budget by source, and the form for one commitment or payment.
    An amount that takes a source over its budget is recorded only with "record anyway" ticked."""
    programme = selectors.programme_get(request.user, pk)
    may_record = permits(request.user, Action.ADD, FundingTransaction(programme=programme))
    form = TransactionForm(request.POST or None, programme=programme, initial={"date": timezone.localdate()})
    over = None
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            over = budgets.would_exceed(data["source"], data["kind"], data["amount"])
            if over is not None and not data["record_anyway"]:
                form.add_error(
                    "record_anyway",
                    _("This amount takes the source over its budget: tick to record it anyway."),
                )
            else:
                try:
                    services.funding_transaction_record(
                        actor=request.user,
                        programme=programme,
                        source=data["source"],
                        kind=data["kind"],
                        amount=data["amount"],
                        date=data["date"],
                        school=data["school"],
                        reference=data["reference"],
                    )
                except ValidationError as error:
                    _add_service_error(form, error)
                else:
                    messages.success(request, _("The entry was recorded."))
                    if over is not None:
                        messages.warning(request, _("The source is now over its budget."))
                    return redirect("programmes:programme-transactions", pk=programme.pk)
    visible = selectors.funding_transactions_for(request.user)
    source_budgets = budgets.source_budgets(programme, visible)
    entries = visible.filter(programme=programme).select_related("recorded_by").order_by("-date", "-id")[:LIST_LIMIT]
    context = {
        "programme": programme,
        "form": form,
        "may_record": may_record,
        "over": over,
        "over_kind": form.cleaned_data.get("kind") if over is not None else "",
        "budgets": source_budgets,
        "over_budget": budgets.over_budget(source_budgets),
        "entries": entries,
    }
    return render(request, "programmes/targets/transaction_list.html", context, status=400 if form.errors else 200)


def _stored_import(request, programme: Programme, token: str) -> dict | None:
    stored = request.session.get(IMPORT_SESSION_KEY) or {}
    if stored.get("token") != token or stored.get("programme") != programme.pk or not token:
        return None
    return stored


def _discard_import(request) -> None:
    stored = request.session.pop(IMPORT_SESSION_KEY, None) or {}
    name = stored.get("name")
    if name and default_storage.exists(name):
        default_storage.delete(name)


@login_required
@require_http_methods(GET_AND_POST)
def programme_transactions_import(request, pk: int):
    """A file of commitments and payments: checked first (every rejected row with line and column,
    every source it takes over its budget), then recorded on confirmation, all rows or none."""
    programme = selectors.programme_get(request.user, pk)
    if not permits(request.user, Action.ADD, FundingTransaction(programme=programme)):
        raise PermissionDenied
    form = TransactionImportForm(request.POST or None, request.FILES or None)
    context = {"programme": programme, "form": form, "result": None, "token": "", "over_budget": []}
    overrides = {"programme": programme.code}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stored = _stored_import(request, programme, request.POST.get("token", ""))
        if stored is None:
            messages.error(request, _("The checked file is no longer here: upload it again."))
            return redirect("programmes:programme-transactions-import", pk=programme.pk)
        if stored.get("over_budget") and request.POST.get("record_anyway") != "on":
            messages.error(request, _("The file takes a source over its budget: tick to record it anyway."))
            return redirect("programmes:programme-transactions-import", pk=programme.pk)
        try:
            with default_storage.open(stored["name"], "rb") as source:
                result = run_import(
                    target="transactions",
                    source=source,
                    profile=stored["profile"],
                    actor=request.user,
                    filename=stored["filename"],
                    overrides=overrides,
                )
        except (ImportFileError, ImportRejected, ValidationError) as error:
            _discard_import(request)
            message = (
                error.describe()
                if isinstance(error, ImportFileError)
                else " ".join(getattr(error, "messages", [str(error)]))
            )
            messages.error(request, _("Nothing was recorded: %(reason)s") % {"reason": message})
            return redirect("programmes:programme-transactions-import", pk=programme.pk)
        _discard_import(request)
        messages.success(
            request,
            _("%(created)s entries recorded, %(unchanged)s already recorded.")
            % {"created": result.created, "unchanged": result.unchanged},
        )
        return redirect("programmes:programme-transactions", pk=programme.pk)
    if request.method == "POST" and form.is_valid():
        _discard_import(request)
        upload = form.cleaned_data["file"]
        extension = os.path.splitext(upload.name or "")[1].lower()[:8]
        name = default_storage.save(f"programmes/transaction-imports/{uuid.uuid4().hex}{extension}", upload)
        try:
            with default_storage.open(name, "rb") as source:
                result = run_import(
                    target="transactions",
                    source=source,
                    profile=form.cleaned_data["profile"],
                    actor=request.user,
                    filename=upload.name,
                    dry_run=True,
                    overrides=overrides,
                )
        except ImportFileError as error:
            default_storage.delete(name)
            form.add_error("file", error.describe())
        else:
            over_budget = _import_over_budget(result)
            context.update(result=result, over_budget=over_budget)
            if result.rejected:
                default_storage.delete(name)
            else:
                token = uuid.uuid4().hex
                request.session[IMPORT_SESSION_KEY] = {
                    "token": token,
                    "name": name,
                    "filename": upload.name,
                    "profile": form.cleaned_data["profile"],
                    "programme": programme.pk,
                    "over_budget": bool(over_budget),
                }
                context["token"] = token
    return render(request, "programmes/targets/transaction_import.html", context, status=400 if form.errors else 200)


def _import_over_budget(result) -> list:
    """The import's warnings that say a source goes over its budget (all of the importer's own)."""
    return [warning for warning in result.warnings if warning.column == "amount"]
