"""Pages of need declarations: the list with totals by device type, a declaration, the declare and
edit form (one row per device type), and the list's export. Reads go through the selectors, so a
declaration outside the user's scope is a 404; writes go through ``services.needs.need_declare``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digileap.core.audit import history_for
from digileap.core.exports import export_response
from digileap.core.permissions import Action, can, permits

from ..forms.needs import NeedDeclarationForm, NeedFilterForm, NeedLineFormSet, add_service_error, line_initial
from ..models import NeedDeclaration
from ..selectors.needs import declaration_get, declarations_for, need_summary, schools_declarable
from ..services.needs import COUNT_FIELDS, need_declare

PER_PAGE = 50
LIST_ORDER = ("-school_year", "school__name", "school__number", "pk")


def _filtered(request):
    filter_form = NeedFilterForm(request.GET or None, user=request.user)
    declarations = filter_form.filter(declarations_for(request.user)).order_by(*LIST_ORDER)
    return filter_form, declarations


@login_required
@require_GET
def need_list(request):
    filter_form, declarations = _filtered(request)
    page = Paginator(declarations, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "summary": need_summary(request.user, declarations=declarations),
        "query": query.urlencode(),
        "can_declare": can(request.user, Action.ADD, NeedDeclaration),
    }
    return render(request, "allocation/need_list.html", context)


@login_required
@require_GET
def need_detail(request, pk: int):
    declaration = declaration_get(request.user, pk)
    context = {
        "declaration": declaration,
        "lines": list(declaration.lines.all()),
        "events": history_for(declaration)[:50],
        "can_edit": permits(request.user, Action.CHANGE, declaration),
    }
    return render(request, "allocation/need_detail.html", context)


def _declare(request, declaration: NeedDeclaration | None, initial: dict):
    form = NeedDeclarationForm(request.POST or None, user=request.user, declaration=declaration, initial=initial)
    formset = NeedLineFormSet(request.POST or None, initial=line_initial(declaration), prefix="lines")
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        lines = formset.lines()
        try:
            saved = need_declare(actor=request.user, lines=lines, **form.service_data())
        except ValidationError as error:
            add_service_error(error, form, formset, lines)
        else:
            messages.success(
                request,
                _("The needs of %(school)s for %(year)s were saved.")
                % {"school": saved.school.name, "year": saved.school_year},
            )
            return redirect("allocation:needdeclaration-detail", pk=saved.pk)
    context = {
        "form": form,
        "formset": formset,
        "declaration": declaration,
        "errors": _error_summary(form, formset) if request.method == "POST" else [],
    }
    return render(request, "allocation/need_form.html", context)


def _error_summary(form: NeedDeclarationForm, formset) -> list[str]:
    """Every error with the field it is about, then the rows' errors with their device type."""
    summary = []
    for name, errors in form.errors.items():
        prefix = f"{form.fields[name].label}: " if name in form.fields else ""
        summary += [f"{prefix}{message}" for message in errors]
    return summary + formset.error_summary()


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request):
    """Declare the needs of one school for one school year. ``?school=&school_year=`` pre-fill the
    form; when that school already declared for that year, its declaration is edited instead."""
    if not can(request.user, Action.ADD, NeedDeclaration):
        raise PermissionDenied
    initial = {"school_year": request.GET.get("school_year", "")}
    school_id = request.GET.get("school", "")
    if school_id.isdigit():
        school = schools_declarable(request.user).filter(pk=int(school_id)).first()
        if school is not None:
            initial["school"] = school.pk
            existing = (
                declarations_for(request.user, Action.CHANGE)
                .filter(school=school, school_year=initial["school_year"])
                .first()
            )
            if existing is not None and request.method == "GET":
                return redirect("allocation:needdeclaration-edit", pk=existing.pk)
    return _declare(request, None, initial)


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request, pk: int):
    declaration = declaration_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, declaration):
        raise PermissionDenied
    initial = {"classrooms_without_wifi": declaration.classrooms_without_wifi, "note": declaration.note}
    return _declare(request, declaration, initial)


EXPORT_HEADERS = [
    "school_number",
    "school_name",
    "operator_name",
    "school_year",
    "classrooms_without_wifi",
    "device_type",
    *COUNT_FIELDS,
    "declared_at",
    "declared_by",
    "note",
]


def export_rows(declarations):
    """One row per declaration and device type; a declaration without lines gives one row."""
    for declaration in declarations.iterator(chunk_size=2000):
        start = [
            declaration.school.number,
            declaration.school.name,
            declaration.school.operator.name,
            declaration.school_year,
            declaration.classrooms_without_wifi,
        ]
        end = [
            declaration.declared_at,
            declaration.declared_by.get_username() if declaration.declared_by else "",
            declaration.note,
        ]
        lines = list(declaration.lines.all())
        if not lines:
            yield [*start, "", *([""] * len(COUNT_FIELDS)), *end]
        for line in lines:
            yield [*start, line.device_type, *(getattr(line, name) for name in COUNT_FIELDS), *end]


@login_required
@require_GET
def need_export(request):
    """Exactly the filtered list, every page of it, as CSV (default) or XLSX (``?format=xlsx``)."""
    _filter_form, declarations = _filtered(request)
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return export_response(file_format, "need-declarations", EXPORT_HEADERS, export_rows(declarations))
