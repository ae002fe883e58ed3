"""Pages of funding calls and applications.

Reads go through the selectors: a call or application outside the user's scope is a 404, an action
the role does not have a 403. Writes are POSTs that call the services; a ``ValidationError``
becomes a form error or a message, and nothing is written.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.formatting import format_number
from digileap.core.permissions import Action, can, permits
from digileap.core.types import Text
from digileap.schools.selectors import operators_for

from .forms import (
    ApplicationStartForm,
    CallForm,
    CostLineForm,
    DocumentForm,
    SchoolDocumentsForm,
    SubmitForm,
    TransitionForm,
    add_service_errors,
)
from .models import Application, ApplicationState, Call, CostLine, RequiredDocument
from .selectors import application_prefill, applications_for, calls_for, entitlements_for
from .services import applications as application_services
from .services import calls as call_services
from .services import entitlements as entitlement_services


def _messages_of(error: ValidationError) -> list[str]:
    return error.messages


def missing_schools(application: Application, required: RequiredDocument) -> list:
    """The application's schools that have no upload of ``required`` yet, by name."""
    done = set(application.documents.filter(required_document=required).values_list("school_id", flat=True))
    return [
        row.school
        for row in application.application_schools.select_related("school").order_by("school__name", "school_id")
        if row.school_id not in done
    ]


def _requirements(application: Application, can_edit: bool, school_forms: dict) -> list[dict]:
    """Each required document of the call: what is uploaded, what is missing, and for a document
    per school a form with a file field for every school that still lacks it."""
    uploads: dict[int, list] = {}
    for document in application.documents.select_related("school").order_by("school__name", "-uploaded_at"):
        uploads.setdefault(document.required_document_id, []).append(document)
    rows = []
    for required in application.call.required_documents.all():
        row = {"document": required, "uploads": uploads.get(required.pk, []), "missing": [], "form": None}
        if required.scope == RequiredDocument.Scope.SCHOOL:
            row["missing"] = missing_schools(application, required)
            if can_edit and row["missing"]:
                row["form"] = school_forms.get(required.pk) or SchoolDocumentsForm(
                    schools=row["missing"], prefix=f"doc{required.pk}"
                )
        rows.append(row)
    return rows


# Calls.


@login_required
@require_GET
def call_list(request):
    calls = calls_for(request.user).annotate(application_count=Count("applications")).order_by("-opens_at", "code")
    if not can(request.user, Action.VIEW, Call):
        raise PermissionDenied
    return render(
        request,
        "funding/call_list.html",
        {"calls": calls, "can_add": can(request.user, Action.ADD, Call), "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_create(request):
    if not can(request.user, Action.ADD, Call):
        raise PermissionDenied
    form = CallForm(request.POST or None, user=request.user, initial={"cofinancing_rate": 0, "uses_entitlements": True})
    if request.method == "POST" and form.is_valid():
        try:
            call = call_services.call_create(
                actor=request.user,
                programme=form.cleaned_data["programme"],
                funding_source=form.cleaned_data["funding_source"],
                data=form.call_data(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The call %(code)s was created.") % {"code": call.code})
            return redirect("funding:call-detail", pk=call.pk)
    return render(request, "funding/call_form.html", {"form": form, "call": None})


def _call_or_404(request, pk: int) -> Call:
    return get_object_or_404(calls_for(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def call_update(request, pk: int):
    call = _call_or_404(request, pk)
    if not permits(request.user, Action.CHANGE, call):
        raise PermissionDenied
    form = CallForm(request.POST or None, user=request.user, call=call, initial=CallForm.initial_for(call))
    if request.method == "POST" and form.is_valid():
        data = form.call_data()
        data["funding_source"] = form.cleaned_data["funding_source"]
        try:
            call_services.call_update(actor=request.user, call=call, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The call was saved."))
            return redirect("funding:call-detail", pk=call.pk)
    return render(request, "funding/call_form.html", {"form": form, "call": call})


# The call page: the set-up and counts, then the entitlements and the applications a page at a time
# (filtered by operator name or code, applications by state too, sorted by a column header). Each
# table costs a count and a page query, whatever the number of operators.

CALL_PAGE_ROWS = 50
ENTITLEMENT_SORTS = {
    "operator": ("operator__name", "operator__code", "id"),
    "amount": ("amount", "operator__name", "id"),
}
APPLICATION_SORTS = {
    "operator": ("operator__name", "number", "id"),
    "state": ("state", "operator__name", "number", "id"),
    "funding": ("funding", "operator__name", "number", "id"),
}
# The parameters of each table, so that one table's links and form keep the other's.
ENTITLEMENT_PARAMS = ("entitlement_q", "entitlement_sort", "entitlement_page")
APPLICATION_PARAMS = ("application_q", "application_state", "application_sort", "application_page")


def _sort_of(value: str | None, sorts: dict, default: str) -> tuple[str, tuple]:
    """The sort asked for ("-" for descending) if it is one of ``sorts``, else ``default``; and the
    ordering for the queryset."""
    value = value or default
    key = value.lstrip("-")
    if key not in sorts:
        value, key = default, default
    descending = value.startswith("-")
    return value, tuple(f"-{name}" if descending and index == 0 else name for index, name in enumerate(sorts[key]))


def _sort_links(request, used: str, sorts: dict, param: str, page_param: str) -> dict:
    """Per column: the link that sorts by it (the other way round when it is the sort already) and
    its ``aria-sort``."""
    links: dict[str, dict[str, str | None]] = {}
    for column in sorts:
        query = request.GET.copy()
        query.pop(page_param, None)
        if used.lstrip("-") == column:
            descending = used.startswith("-")
            query[param] = column if descending else f"-{column}"
            links[column] = {"url": f"?{query.urlencode()}", "aria": "descending" if descending else "ascending"}
        else:
            query[param] = column
            links[column] = {"url": f"?{query.urlencode()}", "aria": None}
    return links


def _pager_links(request, page, param: str) -> dict:
    """First, previous, next and last page of one table, keeping every other parameter."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    return {
        "first": url(1) if page.has_previous() else None,
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "last": url(page.paginator.num_pages) if page.has_next() else None,
    }


def _operator_filter(queryset, text: str):
    if not text:
        return queryset
    return queryset.filter(Q(operator__name__icontains=text) | Q(operator__code__icontains=text))


def _page_of(request, counted, ordered, param: str, count: int | None = None):
    """A page of ``ordered``: ``counted`` (the same rows, without ordering or figures) gives the
    count, so that the count does not compute the figures of every row; ``count``, when the page's
    figures hold it already (no filter), spares that query."""
    paginator = Paginator(counted.order_by("pk"), CALL_PAGE_ROWS)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not computed
    page = paginator.get_page(request.GET.get(param))
    page.object_list = list(ordered[page.start_index() - 1 : page.end_index()]) if page.paginator.count else []
    return page


def _kept(request, params: tuple[str, ...]) -> list[tuple[str, str]]:
    """The other table's parameters, as hidden fields of a table's filter form."""
    return [(name, request.GET[name]) for name in params if request.GET.get(name)]


@login_required
@require_GET
def call_detail(request, pk: int):
    call = _call_or_404(request, pk)
    user = request.user
    now = timezone.now()

    entitlements = entitlements_for(user).filter(call=call)
    entitlement_figures = entitlements.order_by().aggregate(count=Count("id"), total=Sum("amount"))
    entitlement_q = request.GET.get("entitlement_q", "").strip()
    entitlement_sort, entitlement_order = _sort_of(request.GET.get("entitlement_sort"), ENTITLEMENT_SORTS, "operator")
    shown_entitlements = _operator_filter(entitlements, entitlement_q)
    entitlement_page = _page_of(
        request,
        shown_entitlements,
        shown_entitlements.order_by(*entitlement_order),
        "entitlement_page",
        count=None if entitlement_q else entitlement_figures["count"],
    )

    applications = applications_for(user).filter(call=call)
    by_state = {
        row["state"]: row["count"] for row in applications.order_by().values("state").annotate(count=Count("id"))
    }
    application_q = request.GET.get("application_q", "").strip()
    application_state = request.GET.get("application_state", "")
    if application_state not in ApplicationState.values:
        application_state = ""
    application_sort, application_order = _sort_of(request.GET.get("application_sort"), APPLICATION_SORTS, "operator")
    shown_applications = _operator_filter(applications, application_q)
    if application_state:
        shown_applications = shown_applications.filter(state=application_state)
    # The funding asked for, per application of the page (a subquery per row, not a join of every line).
    funding = (
        CostLine.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(total=Sum("funding"))
        .values("total")
    )
    application_page = _page_of(
        request,
        shown_applications,
        shown_applications.annotate(
            funding=Coalesce(Subquery(funding), Value(Decimal("0.00")), output_field=DecimalField())
        ).order_by(*application_order),
        "application_page",
        count=None
        if application_q
        else (by_state.get(application_state, 0) if application_state else sum(by_state.values())),
    )

    # Only someone who may add applications at all is asked for each of their operators.
    can_apply = (
        call.is_open_at(now)
        and can(user, Action.ADD, Application)
        and any(
            permits(user, Action.ADD, Application(call=call, operator=operator))
            for operator in operators_for(user).filter(funding_calls__call=call)
        )
    )
    return render(
        request,
        "funding/call_detail.html",
        {
            "call": call,
            "categories": call.cost_categories.all(),
            "documents": call.required_documents.all(),
            "entitlements": entitlement_page,
            "entitlement_count": entitlement_figures["count"],
            "entitlement_total": entitlement_figures["total"] or 0,
            "entitlement_q": entitlement_q,
            "entitlement_sort_links": _sort_links(
                request, entitlement_sort, ENTITLEMENT_SORTS, "entitlement_sort", "entitlement_page"
            ),
            "entitlement_pager": _pager_links(request, entitlement_page, "entitlement_page"),
            "entitlement_kept": _kept(request, APPLICATION_PARAMS + ("entitlement_sort",)),
            "applications": application_page,
            "application_count": sum(by_state.values()),
            "application_q": application_q,
            "application_state": application_state,
            "application_states": ApplicationState.choices,
            "application_sort_links": _sort_links(
                request, application_sort, APPLICATION_SORTS, "application_sort", "application_page"
            ),
            "application_pager": _pager_links(request, application_page, "application_page"),
            "application_kept": _kept(request, ENTITLEMENT_PARAMS + ("application_sort",)),
            "states": [(label, by_state.get(value, 0)) for value, label in ApplicationState.choices],
            "can_change": permits(user, Action.CHANGE, call),
            "operator_count": call.eligibilities.count(),
            "can_apply": can_apply,
            "is_open": call.is_open_at(now),
        },
    )


@login_required
@require_POST
def call_publish(request, pk: int):
    call = _call_or_404(request, pk)
    count = entitlement_services.entitlements_publish(actor=request.user, call=call)
    messages.success(request, _("%(count)s entitlements were published.") % {"count": count})
    return redirect("funding:call-detail", pk=call.pk)


@login_required
@require_POST
def call_compute(request, pk: int):
    call = _call_or_404(request, pk)
    try:
        result = entitlement_services.entitlements_compute(actor=request.user, call=call)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(written)s entitlements were computed; %(kept)s published ones were kept.")
            % {"written": result["written"], "kept": result["kept_published"]},
        )
    return redirect("funding:call-detail", pk=call.pk)


# Applications.


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request, call_pk: int):
    call = _call_or_404(request, call_pk)
    operators = [
        operator
        for operator in operators_for(request.user).filter(funding_calls__call=call).order_by("name")
        if permits(request.user, Action.ADD, Application(call=call, operator=operator))
    ]
    if not operators:
        raise PermissionDenied
    chosen = next(
        (operator for operator in operators if str(operator.pk) == request.POST.get("operator")), operators[0]
    )
    prefill = application_prefill(call, chosen)
    schools = [{"id": school["id"], "label": _school_label(school), **school} for school in prefill["schools"]]
    form = ApplicationStartForm(
        request.POST or None,
        operators=operators,
        schools=schools,
        initial={
            "operator": chosen.pk,
            "schools": [school["id"] for school in schools],
            "title": f"{call.display_title} · {chosen.name}"[:200],
            "rollout_year": timezone.localdate().year,
        },
    )
    if request.method == "POST" and form.is_valid():
        selected = chosen.schools.filter(pk__in=[int(pk) for pk in form.cleaned_data["schools"]]).order_by("name", "id")
        try:
            application = application_services.application_draft(
                actor=request.user,
                call=call,
                operator=chosen,
                schools=list(selected),
                title=form.cleaned_data["title"],
                rollout_year=form.cleaned_data["rollout_year"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft application was created."))
            return redirect("funding:application-detail", pk=application.pk)
    return render(
        request,
        "funding/application_form.html",
        {"call": call, "form": form, "prefill": prefill, "schools": schools, "operator": chosen},
    )


def _school_label(school: dict) -> str:
    """What the registry knows of a school, for its checkbox: name, number, type and pupils."""
    pupils = school["pupils_total"]
    facts = [school["number"]]
    if school["type_code"]:
        facts.append(school["type_code"])
    facts.append(
        ngettext("%(pupils)s pupil", "%(pupils)s pupils", pupils) % {"pupils": format_number(pupils)}
        if pupils is not None
        else _("pupils unknown")
    )
    return f"{school['name']} ({', '.join(facts)})"


def _application_or_404(request, pk: int) -> Application:
    return get_object_or_404(applications_for(request.user), pk=pk)


def _transition_states(user, application: Application) -> list[tuple[str, Text]]:
    """The states this user may move the application to (submission has its own form)."""
    side_allowed = {
        True: permits(user, Action.CHANGE, application),  # the operator's side
        False: permits(user, Action.CHANGE, application.call),  # the authority's side
    }
    return [
        (state, ApplicationState(state).label)
        for state in application_services.allowed_next(application.state)
        if state not in application_services.SUBMISSION_STATES
        and side_allowed[state in application_services.OPERATOR_STATES]
    ]


def _application_page(
    request,
    application: Application,
    *,
    line_form=None,
    submit_form=None,
    transition_form=None,
    document_form=None,
    school_forms=None,
    status=200,
):
    result = application_services.application_check(application, submission=True)
    lines = list(application.cost_lines.select_related("category", "school").order_by("position"))
    rows = [{"line": line, "problems": result.for_line(line.position)} for line in lines]
    can_edit = application.state in application_services.EDITABLE_STATES and permits(
        request.user, Action.CHANGE, application
    )
    return render(
        request,
        "funding/application_detail.html",
        {
            "application": application,
            "call": application.call,
            "schools": application.application_schools.select_related("school").order_by("school__name"),
            "rows": rows,
            "result": result,
            "general_problems": [problem for problem in result.problems if problem.line is None],
            "documents": application.documents.select_related("required_document", "school"),
            "requirements": _requirements(application, can_edit, school_forms or {}),
            "events": application.events.order_by("occurred_at", "id"),
            "versions": application.versions.order_by("number"),
            "can_edit": can_edit,
            "line_form": line_form or CostLineForm(application=application),
            "submit_form": submit_form or SubmitForm(),
            "document_form": document_form or DocumentForm(application=application),
            "transition_form": transition_form or TransitionForm(states=_transition_states(request.user, application)),
        },
        status=status,
    )


@login_required
@require_GET
def application_detail(request, pk: int):
    return _application_page(request, _application_or_404(request, pk))


@login_required
@require_POST
def application_addline(request, pk: int):
    application = _application_or_404(request, pk)
    if not permits(request.user, Action.CHANGE, application):
        raise PermissionDenied
    form = CostLineForm(request.POST, application=application)
    if form.is_valid():
        try:
            line = application_services.cost_line_add(
                actor=request.user, application=application, data=form.line_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Line %(line)s was added.") % {"line": line.position})
            return redirect("funding:application-detail", pk=application.pk)
    return _application_page(request, application, line_form=form, status=400)


@login_required
@require_POST
def application_submit(request, pk: int):
    application = _application_or_404(request, pk)
    if not permits(request.user, Action.CHANGE, application):
        raise PermissionDenied
    form = SubmitForm(request.POST)
    form.is_valid()
    try:
        version = application_services.application_submit(
            actor=request.user,
            application=application,
            declarations_confirmed=form.cleaned_data.get("declarations_confirmed", False),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _application_page(request, application, submit_form=form, status=400)
    messages.success(request, _("The application was submitted as version %(number)s.") % {"number": version.number})
    return redirect("funding:application-detail", pk=application.pk)


@login_required
@require_POST
def costline_delete(request, pk: int):
    line = get_object_or_404(CostLine.objects.filter(application__in=applications_for(request.user)), pk=pk)
    try:
        application_services.cost_line_delete(actor=request.user, line=line)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Line %(line)s was removed.") % {"line": line.position})
    return redirect("funding:application-detail", pk=line.application_id)


@login_required
@require_POST
def application_transition(request, pk: int):
    application = _application_or_404(request, pk)
    states = _transition_states(request.user, application)
    if not states:
        raise PermissionDenied
    form = TransitionForm(request.POST, states=states)
    if form.is_valid():
        try:
            application_services.application_transition(
                actor=request.user,
                application=application,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            application.refresh_from_db()
            messages.success(
                request, _("The application is now %(state)s.") % {"state": application.get_state_display().lower()}
            )
            return redirect("funding:application-detail", pk=application.pk)
    return _application_page(request, application, transition_form=form, status=400)


@login_required
@require_POST
def application_upload(request, pk: int):
    application = _application_or_404(request, pk)
    if not permits(request.user, Action.CHANGE, application):
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES, application=application)
    if form.is_valid():
        school_id = form.cleaned_data["school"]
        school = application.application_schools.filter(school_id=school_id).first() if school_id else None
        try:
            application_services.application_document_add(
                actor=request.user,
                application=application,
                required_document=form.cleaned_data["required_document"],
                school=school.school if school else None,
                file=form.cleaned_data["file"],
                issued_on=form.cleaned_data["issued_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The document was uploaded."))
            return redirect("funding:application-detail", pk=application.pk)
    return _application_page(request, application, document_form=form, status=400)


@login_required
@require_POST
def application_uploadschools(request, pk: int):
    """One required document for many schools in one go: every file is checked by its content, and
    one refused file refuses them all (nothing is written)."""
    application = get_object_or_404(applications_for(request.user), pk=pk)
    if not permits(request.user, Action.CHANGE, application):
        raise PermissionDenied
    required = get_object_or_404(
        application.call.required_documents.filter(scope=RequiredDocument.Scope.SCHOOL),
        pk=_int_or_zero(request.POST.get("required_document")),
    )
    form = SchoolDocumentsForm(
        request.POST, request.FILES, schools=missing_schools(application, required), prefix=f"doc{required.pk}"
    )
    if form.is_valid():
        uploads = form.uploads()
        try:
            with transaction.atomic():
                for school, file in uploads:
                    try:
                        application_services.application_document_add(
                            actor=request.user,
                            application=application,
                            required_document=required,
                            school=school,
                            file=file,
                            issued_on=form.cleaned_data["issued_on"],
                        )
                    except ValidationError as error:
                        _school_errors(form, school, error)
                        raise
        except ValidationError:
            pass
        else:
            messages.success(
                request,
                ngettext(
                    "%(document)s was uploaded for %(count)s school.",
                    "%(document)s was uploaded for %(count)s schools.",
                    len(uploads),
                )
                % {"document": required.display_name, "count": len(uploads)},
            )
            return redirect("funding:application-detail", pk=application.pk)
    return _application_page(request, application, school_forms={required.pk: form}, status=400)


def _int_or_zero(value) -> int:
    """A posted id; anything that is not one finds nothing (a 404, not a server error)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _school_errors(form, school, error: ValidationError) -> None:
    field = f"file_{school.pk}"
    if hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            for text in texts:
                form.add_error("issued_on" if name == "issued_on" else field, text)
    else:
        for text in error.messages:
            form.add_error(field, text)
