"""Pages of the school registry. Reads go through selectors, writes through services.

An object outside the user's scope is a 404 (its existence is not revealed); a write that the
user's role does not allow on a visible object is a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from digileap.core.contributions import school_panels_for
from digileap.core.exports import export_response
from digileap.core.permissions import Action, can, permits

from . import selectors, services
from .filters import SchoolFilter
from .forms import SchoolForm, SchoolYearFiguresForm, SiteForm
from .models import Enrolment, IscedLevel, School, Site, SocioEconomicIndex
from .tables import OperatorTable, SchoolTable

PER_PAGE = 50
# Above this many operators a drop-down list is slow to render and to use; the filter becomes a name search.
OPERATOR_SELECT_LIMIT = 300
# Filters folded under "More filters" unless one of them is in use.
MORE_FILTERS = ("type_code", "sector", "number", "pupils_min", "pupils_max", "ses_min", "ses_max")


# The columns the school table prints (schools/_school_table.html): a page loads these and the
# operator's name, not every field of the school, its authority and its index scale.
SCHOOL_ROW_FIELDS = (
    "id",
    "name",
    "number",
    "city",
    "type_label",
    *(f"isced_{level}" for level in IscedLevel.values),
    "pupils_total",
    "ses_value",
    "operator_id",
    "operator__name",
)


def _school_table(request, queryset, **kwargs) -> SchoolTable:
    rows = queryset.select_related(None).select_related("operator").only(*SCHOOL_ROW_FIELDS)
    table = SchoolTable(rows, **kwargs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return table


@login_required
def school_list(request):
    school_filter = SchoolFilter(request.GET or None, queryset=selectors.schools_for(request.user), request=request)
    table = _school_table(request, school_filter.qs)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": school_filter,
        "table": table,
        "operator_as_select": _operator_as_select(request),
        "more_filters_active": any(request.GET.get(name) for name in MORE_FILTERS),
        "export_query": query.urlencode(),
        "can_add": can(request.user, Action.ADD, School),
    }
    if request.htmx and request.htmx.target == "school-results":
        return render(request, "schools/_school_results.html", context)
    return render(request, "schools/school_list.html", context)


def _operator_as_select(request) -> bool:
    if request.htmx and request.htmx.target == "school-results":
        return False  # the filter form is not rendered
    return selectors.operators_for(request.user).count() <= OPERATOR_SELECT_LIMIT


EXPORT_COLUMNS = [
    ("authority__code", "authority_code"),
    ("number", "number"),
    ("name", "name"),
    ("operator__code", "operator_code"),
    ("operator__name", "operator_name"),
    ("type_code", "type_code"),
    ("type_label", "type_label"),
    ("isced_0", "isced_0"),
    ("isced_1", "isced_1"),
    ("isced_2", "isced_2"),
    ("isced_3", "isced_3"),
    ("isced_4", "isced_4"),
    ("language", "language"),
    ("sector", "sector"),
    ("status", "status"),
    ("street", "street"),
    ("postal_code", "postal_code"),
    ("city", "city"),
    ("email", "email"),
    ("website", "website"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
    ("pupils_total", "pupils_total"),
    ("ses_value", "ses_value"),
    ("ses_scale__code", "ses_scale"),
]


@login_required
def school_export(request, file_format: str):
    """Exactly the filtered, sorted list the user sees, every page of it."""
    school_filter = SchoolFilter(request.GET or None, queryset=selectors.schools_for(request.user), request=request)
    table = SchoolTable(school_filter.qs, order_by=request.GET.get("sort") or None)
    ordered = table.data.data
    rows = ordered.values_list(*[lookup for lookup, _header in EXPORT_COLUMNS]).iterator(chunk_size=2000)
    headers = [header for _lookup, header in EXPORT_COLUMNS]
    return export_response(file_format, "schools", headers, rows)


@login_required
def school_detail(request, pk: int):
    school = selectors.school_get(request.user, pk)
    user = request.user
    probe_site = Site(school=school)
    context = {
        "school": school,
        "sites": selectors.sites_for(user).filter(school=school),
        "history": selectors.school_year_history(school),
        "events": selectors.school_audit_history(school)[:50],
        "can_edit": permits(user, Action.CHANGE, school),
        "can_add_site": permits(user, Action.ADD, probe_site),
        "can_change_site": permits(user, Action.CHANGE, probe_site),
        "can_delete_site": permits(user, Action.DELETE, probe_site),
        "can_set_figures": permits(user, Action.CHANGE, Enrolment(school=school)),
        # The other apps' parts of the page (allocation lines, ...), from their contributions.
        "panels": school_panels_for(request, school),
    }
    return render(request, "schools/school_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def school_create(request):
    if not can(request.user, Action.ADD, School):
        raise PermissionDenied
    form = SchoolForm(
        request.POST or None,
        initial={"operator": request.GET.get("operator")},
        user=request.user,
        action=Action.ADD,
    )
    if request.method == "POST" and form.is_valid():
        operator = form.cleaned_data["operator"]
        try:
            school = services.school_create(actor=request.user, authority=operator.authority, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The school %(name)s was registered.") % {"name": school.name})
            return redirect("schools:school-detail", pk=school.pk)
    return render(request, "schools/school_form.html", {"form": form, "school": None})


@login_required
@require_http_methods(["GET", "POST"])
def school_update(request, pk: int):
    school = selectors.school_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, school):
        raise PermissionDenied
    form = SchoolForm(
        request.POST or None,
        instance=School.objects.get(pk=school.pk),
        user=request.user,
        action=Action.CHANGE,
        authority_id=school.authority_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.school_update(actor=request.user, school=school, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("schools:school-detail", pk=school.pk)
    return render(request, "schools/school_form.html", {"form": form, "school": school})


@login_required
@require_http_methods(["GET", "POST"])
def school_figures(request, pk: int):
    school = selectors.school_get(request.user, pk)
    user = request.user
    if not permits(user, Action.CHANGE, Enrolment(school=school)):
        raise PermissionDenied
    can_set_index = permits(user, Action.CHANGE, SocioEconomicIndex(school=school))
    history = selectors.school_year_history(school)
    year = request.GET.get("year") or (history[0]["school_year"] if history else "")
    form = SchoolYearFiguresForm(
        request.POST or None, initial=_figures_initial(history, year), can_set_index=can_set_index
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.school_year_figures_set(
                actor=user,
                school=school,
                school_year=data["school_year"],
                enrolment=form.enrolment(),
                teachers=data.get("teachers"),
                ses_scale=data.get("ses_scale"),
                ses_value=data.get("ses_value"),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The figures for %(year)s were saved.") % {"year": data["school_year"]})
            return redirect("schools:school-detail", pk=school.pk)
    years = [entry["school_year"] for entry in history]
    return render(request, "schools/school_figures.html", {"form": form, "school": school, "years": years})


def _figures_initial(history: list[dict], year: str) -> dict:
    initial: dict = {"school_year": year}
    entry = next((entry for entry in history if entry["school_year"] == year), None)
    if entry is None:
        return initial
    for level in entry["levels"]:
        initial[SchoolYearFiguresForm.level_field(level["level"])] = level["total"]
    initial["teachers"] = entry["teachers"]
    if entry["ses"]:
        initial["ses_scale"] = entry["ses"][0].scale_id
        initial["ses_value"] = entry["ses"][0].value
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request, school_pk: int):
    school = selectors.school_get(request.user, school_pk)
    if not permits(request.user, Action.ADD, Site(school=school)):
        raise PermissionDenied
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.site_create(actor=request.user, school=school, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The site was added."))
            return redirect("schools:school-detail", pk=school.pk)
    return render(request, "schools/site_form.html", {"form": form, "school": school, "site": None})


@login_required
@require_http_methods(["GET", "POST"])
def site_update(request, pk: int):
    site = get_object_or_404(selectors.sites_for(request.user), pk=pk)
    if not permits(request.user, Action.CHANGE, site):
        raise PermissionDenied
    form = SiteForm(request.POST or None, instance=Site.objects.get(pk=site.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.site_update(actor=request.user, site=site, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("schools:school-detail", pk=site.school_id)
    return render(request, "schools/site_form.html", {"form": form, "school": site.school, "site": site})


@login_required
@require_http_methods(["GET", "POST"])
def site_delete(request, pk: int):
    site = get_object_or_404(selectors.sites_for(request.user), pk=pk)
    if not permits(request.user, Action.DELETE, site):
        raise PermissionDenied
    error_messages: list[str] = []
    if request.method == "POST":
        try:
            services.site_delete(actor=request.user, site=site)
        except ValidationError as error:
            error_messages = error.messages
        else:
            messages.success(request, _("The site %(name)s was deleted.") % {"name": site.name})
            return redirect("schools:school-detail", pk=site.school_id)
    return render(
        request, "schools/site_confirm_delete.html", {"site": site, "school": site.school, "errors": error_messages}
    )


def _visible_school_counts(user, operator_ids: list[int]) -> dict[int, int]:
    """Per operator on the page, how many of its schools the user may see (never the full count).

    Counted for one page of operators at a time: a correlated subquery over every operator
    makes SQLite scan a whole authority's schools once per operator.
    """
    rows = (
        selectors.schools_for(user)
        .filter(operator_id__in=operator_ids)
        .order_by()
        .values("operator_id")
        .annotate(n=Count("pk"))
    )
    return {row["operator_id"]: row["n"] for row in rows}


@login_required
def operator_list(request):
    table = OperatorTable(selectors.operators_for(request.user))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    table.school_counts = _visible_school_counts(request.user, [row.record.pk for row in table.paginated_rows])
    return render(request, "schools/operator_list.html", {"table": table})


@login_required
def operator_detail(request, pk: int):
    operator = get_object_or_404(selectors.operators_for(request.user), pk=pk)
    schools = selectors.schools_for(request.user).filter(operator=operator)
    totals = schools.order_by().aggregate(schools=Count("pk"), pupils=Sum("pupils_total"))
    by_status = {row["status"]: row["n"] for row in schools.order_by().values("status").annotate(n=Count("pk"))}
    status_counts = [(label, by_status.get(value, 0)) for value, label in School.Status.choices]
    table = _school_table(request, schools, exclude=("operator",))
    context = {
        "operator": operator,
        "table": table,
        "totals": totals,
        "status_counts": status_counts,
        "can_add": permits(request.user, Action.ADD, School(operator=operator, authority=operator.authority)),
    }
    return render(request, "schools/operator_detail.html", context)
