"""Pages that set a call up and edit an application in place (docs/funding-config.md).

- cost categories (funding rate and every cap) and required documents (scope, validity, template);
- the operators that may apply (a checkbox list the page's filter box narrows, for hundreds);
- an entitlement typed in by hand, and entitlements taken from an allocation round;
- a cost line edited in place (its problems shown with it), and two submitted versions of an
  application side by side; the documents of many schools uploaded in one form.

Reads go through the selectors (outside the scope: 404); a missing right is a 403. Every write is a
POST that calls a service; a service's ``ValidationError`` goes back onto the form and nothing is
written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from digileap.allocation.models import AllocationRound
from digileap.allocation.selectors.rounds import rounds_for
from digileap.core.forms import model_choice_field
from digileap.core.permissions import Action, permits

from .forms import (
    CallOperatorsForm,
    CompareForm,
    CostCategoryForm,
    CostLineForm,
    EntitlementForm,
    FromRoundForm,
    RequiredDocumentForm,
    add_service_errors,
)
from .models import Call, CostCategory, CostLine, Entitlement, RequiredDocument
from .selectors import applications_for, calls_for
from .services import applications as application_services
from .services import calls as call_services
from .services import entitlements as entitlement_services


def _call_to_change(request, pk: int) -> Call:
    call = get_object_or_404(calls_for(request.user), pk=pk)
    if not permits(request.user, Action.CHANGE, call):
        raise PermissionDenied
    return call


# Cost categories.


@login_required
@require_http_methods(["GET", "POST"])
def costcategory_create(request, call_pk: int):
    call = _call_to_change(request, call_pk)
    if not permits(request.user, Action.ADD, CostCategory(call=call)):
        raise PermissionDenied
    position = (call.cost_categories.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    form = CostCategoryForm(request.POST or None, initial={"position": position, "funding_rate": 100})
    if request.method == "POST" and form.is_valid():
        try:
            category = call_services.cost_category_create(actor=request.user, call=call, data=form.category_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The cost category %(name)s was added.") % {"name": category.display_name})
            return redirect("funding:call-detail", pk=call.pk)
    return render(
        request, "funding/costcategory_form.html", {"call": call, "form": form, "category": None}, status=_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def costcategory_update(request, pk: int):
    category = get_object_or_404(CostCategory.objects.filter(call__in=calls_for(request.user)), pk=pk)
    if not permits(request.user, Action.CHANGE, category):
        raise PermissionDenied
    form = CostCategoryForm(request.POST or None, initial=CostCategoryForm.initial_for(category))
    if request.method == "POST" and form.is_valid():
        try:
            call_services.cost_category_update(actor=request.user, category=category, data=form.category_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The cost category was saved."))
            return redirect("funding:call-detail", pk=category.call_id)
    return render(
        request,
        "funding/costcategory_form.html",
        {"call": category.call, "form": form, "category": category},
        status=_status(form),
    )


def _status(form) -> int:
    """400 when a posted form is shown back with its errors."""
    return 400 if form.is_bound and form.errors else 200


# Required documents.


@login_required
@require_http_methods(["GET", "POST"])
def requireddocument_create(request, call_pk: int):
    call = _call_to_change(request, call_pk)
    if not permits(request.user, Action.ADD, RequiredDocument(call=call)):
        raise PermissionDenied
    position = (call.required_documents.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    form = RequiredDocumentForm(request.POST or None, request.FILES or None, initial={"position": position})
    if request.method == "POST" and form.is_valid():
        try:
            document = call_services.required_document_create(actor=request.user, call=call, data=form.document_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The required document %(name)s was added.") % {"name": document.display_name})
            return redirect("funding:call-detail", pk=call.pk)
    return render(
        request,
        "funding/requireddocument_form.html",
        {"call": call, "form": form, "document": None},
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def requireddocument_update(request, pk: int):
    document = get_object_or_404(RequiredDocument.objects.filter(call__in=calls_for(request.user)), pk=pk)
    if not permits(request.user, Action.CHANGE, document):
        raise PermissionDenied
    form = RequiredDocumentForm(
        request.POST or None, request.FILES or None, initial=RequiredDocumentForm.initial_for(document)
    )
    if request.method == "POST" and form.is_valid():
        try:
            call_services.required_document_update(actor=request.user, document=document, data=form.document_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The required document was saved."))
            return redirect("funding:call-detail", pk=document.call_id)
    return render(
        request,
        "funding/requireddocument_form.html",
        {"call": document.call, "form": form, "document": document},
        status=_status(form),
    )


# Operators and entitlements.


@login_required
@require_http_methods(["GET", "POST"])
def call_operators(request, pk: int):
    call = _call_to_change(request, pk)
    current = list(call.eligibilities.values_list("operator_id", flat=True))
    form = CallOperatorsForm(
        request.POST if request.method == "POST" else None, call=call, initial={"operators": current}
    )
    if request.method == "POST" and form.is_valid():
        try:
            rows = call_services.call_operators_set(
                actor=request.user, call=call, operators=list(form.cleaned_data["operators"])
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s operator may apply to the call.", "%(count)s operators may apply to the call.", len(rows)
                )
                % {"count": len(rows)},
            )
            return redirect("funding:call-detail", pk=call.pk)
    applied = set(call.applications.values_list("operator_id", flat=True))
    operators = model_choice_field(form, "operators").queryset
    assert operators is not None  # the form sets it
    return render(
        request,
        "funding/call_operators.html",
        {
            "call": call,
            "form": form,
            "chosen_count": len(current),
            "operator_count": operators.count(),
            "applied": applied,
        },
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def entitlement_create(request, call_pk: int):
    """Type in an operator's entitlement (a new amount takes a published one back until published again)."""
    call = _call_to_change(request, call_pk)
    if not permits(request.user, Action.ADD, Entitlement(call=call)):
        raise PermissionDenied
    form = EntitlementForm(request.POST or None, call=call, initial={"operator": request.GET.get("operator")})
    if request.method == "POST" and form.is_valid():
        try:
            entitlement = entitlement_services.entitlement_set(
                actor=request.user,
                call=call,
                operator=form.cleaned_data["operator"],
                amount=form.cleaned_data["amount"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The entitlement of %(operator)s was saved; publish it to show it to the operator.")
                % {"operator": entitlement.operator.name},
            )
            return redirect("funding:call-detail", pk=call.pk)
    return render(request, "funding/entitlement_form.html", {"call": call, "form": form}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def call_fromround(request, pk: int):
    """Entitlements from an allocation round's approved version (unpublished ones are replaced)."""
    call = _call_to_change(request, pk)
    rounds = (
        rounds_for(request.user)
        .filter(programme=call.programme, resource=AllocationRound.Resource.MONEY)
        .order_by("code")
    )
    form = FromRoundForm(request.POST or None, rounds=rounds)
    if request.method == "POST" and form.is_valid():
        try:
            result = entitlement_services.entitlements_from_round(
                actor=request.user, call=call, round=form.cleaned_data["round"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(written)s entitlements were taken from the round; %(kept)s published ones were kept.")
                % {"written": result["written"], "kept": result["kept_published"]},
            )
            return redirect("funding:call-detail", pk=call.pk)
    return render(request, "funding/call_fromround.html", {"call": call, "form": form}, status=_status(form))


# Applications.


@login_required
@require_http_methods(["GET", "POST"])
def costline_update(request, pk: int):
    line = get_object_or_404(
        CostLine.objects.filter(application__in=applications_for(request.user)).select_related(
            "application__call", "application__operator", "category", "school"
        ),
        pk=pk,
    )
    application = line.application
    if not permits(request.user, Action.CHANGE, application):
        raise PermissionDenied
    initial = {
        "category": line.category_id,
        "school": line.school_id or "",
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
    }
    form = CostLineForm(request.POST or None, application=application, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application_services.cost_line_update(actor=request.user, line=line, data=form.line_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Line %(line)s was saved.") % {"line": line.position})
            return redirect("funding:application-detail", pk=application.pk)
    problems = application_services.application_check(application, submission=False).for_line(line.position)
    return render(
        request,
        "funding/costline_form.html",
        {
            "application": application,
            "call": application.call,
            "line": line,
            "form": form,
            "problems": problems,
            "is_editable": application.state in application_services.EDITABLE_STATES,
        },
        status=_status(form),
    )


FIELD_LABELS = {
    "category": gettext_lazy("Cost category"),
    "school": gettext_lazy("School"),
    "description": gettext_lazy("Description"),
    "quantity": gettext_lazy("Quantity"),
    "unit_price": gettext_lazy("Unit price (EUR)"),
    "amount": gettext_lazy("Amount (EUR)"),
    "funding": gettext_lazy("Funding (EUR)"),
    "cofinancing": gettext_lazy("Co-financing (EUR)"),
}
FORMATS = {"unit_price": "money", "amount": "money", "funding": "money", "cofinancing": "money", "quantity": "number"}


def _comparison_rows(comparison: dict, school_names: dict) -> list[dict]:
    """One row per line that differs, in line order: its kind and, per field, before and after."""

    def shown(name: str, line: dict | None):
        if line is None:
            return None
        value = line.get(name)
        if name == "school":
            return school_names.get(value, "") if value is not None else _("The operator as a whole")
        return value

    rows = []
    for kind, lines in (("added", comparison["added"]), ("removed", comparison["removed"])):
        for line in lines:
            before, after = (None, line) if kind == "added" else (line, None)
            rows.append(
                {
                    "position": line["position"],
                    "kind": kind,
                    "fields": [
                        {
                            "name": name,
                            "label": label,
                            "before": shown(name, before),
                            "after": shown(name, after),
                            "format": FORMATS.get(name, ""),
                            "changed": True,
                        }
                        for name, label in FIELD_LABELS.items()
                    ],
                }
            )
    for change in comparison["changed"]:
        rows.append(
            {
                "position": change["position"],
                "kind": "changed",
                "fields": [
                    {
                        "name": name,
                        "label": label,
                        "before": shown(name, change["before"]),
                        "after": shown(name, change["after"]),
                        "format": FORMATS.get(name, ""),
                        "changed": name in change["fields"],
                    }
                    for name, label in FIELD_LABELS.items()
                ],
            }
        )
    return sorted(rows, key=lambda row: (row["position"], row["kind"] != "removed"))


@login_required
@require_GET
def application_compare(request, pk: int):
    """Two submitted versions side by side: lines added, removed and changed (by line number)."""
    application = get_object_or_404(applications_for(request.user), pk=pk)
    versions = {version.number: version for version in application.versions.order_by("number")}
    numbers = sorted(versions)
    initial = {"older": numbers[-2], "newer": numbers[-1]} if len(numbers) >= 2 else {}
    form = CompareForm(request.GET if "older" in request.GET else None, numbers=numbers, initial=initial)
    context = {"application": application, "call": application.call, "form": form, "numbers": numbers}
    choice = form.cleaned_data if form.is_bound and form.is_valid() else (initial if not form.is_bound else None)
    if choice:
        older, newer = sorted((choice["older"], choice["newer"]))
        comparison = application_services.version_compare(versions[older], versions[newer])
        school_names = {}
        for version in (versions[older], versions[newer]):
            school_names.update({school["id"]: school["name"] for school in version.content.get("schools", [])})
        context.update(
            {
                "older": versions[older],
                "newer": versions[newer],
                "rows": _comparison_rows(comparison, school_names),
                "counts": {kind: len(comparison[kind]) for kind in ("added", "removed", "changed")},
                "totals": [
                    (
                        FIELD_LABELS[name],
                        versions[older].content.get("totals", {}).get(name),
                        versions[newer].content.get("totals", {}).get(name),
                    )
                    for name in ("amount", "funding", "cofinancing")
                ],
            }
        )
    return render(request, "funding/application_compare.html", context, status=400 if form.errors else 200)
