"""Pages of purchase orders: the list, a new order (programme first, then the header), its lines,
placing and cancelling it, the lines ordered for one's schools, and ordered versus allocated per
school with its CSV/XLSX export.

Orders outside the user's scope are a 404; an action the role does not allow on a visible order is
a 403. Writes are POSTs that call the services; a refusal shows its reason on the page.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digileap.core.exports import export_response
from digileap.core.permissions import Action, can, permits
from digileap.programmes.selectors import programmes_for

from ..forms.orders import (
    CancelForm,
    ComparisonForm,
    OrderFilterForm,
    OrderForm,
    OrderLineForm,
    PlaceForm,
    ProgrammeChoiceForm,
)
from ..models import DeviceType, OrderLine, PurchaseOrder
from ..selectors import orders as selectors
from ..selectors.catalogue import device_models_for
from ..services import orders as services

PER_PAGE = 50
Status = PurchaseOrder.Status


def _page(request, queryset):
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _for_change(request, pk: int) -> PurchaseOrder:
    order = selectors.order_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, order):
        raise PermissionDenied
    return order


@login_required
def order_list(request):
    user = request.user
    if not can(user, Action.VIEW, PurchaseOrder):
        raise PermissionDenied
    filter_form = OrderFilterForm(request.GET or None, programmes=programmes_for(user).order_by("code"))
    orders = selectors.with_totals(filter_form.filter(selectors.orders_for(user))).order_by("-created_at", "-id")
    page, query = _page(request, orders)
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query,
        "can_add": selectors.orderable_programmes(user).exists(),
    }
    return render(request, "devices/order_list.html", context)


@login_required
def orderline_list(request):
    """The lines ordered for the user's schools (what school coordinators see of orders)."""
    user = request.user
    if not can(user, Action.VIEW, OrderLine):
        raise PermissionDenied
    lines = (
        selectors.order_lines_for(user)
        .exclude(order__status=Status.DRAFT)
        .annotate(delivered=Count("devices"))
        .order_by("-order__ordered_on", "-order_id", "school__name", "pk")
    )
    page, query = _page(request, lines)
    return render(request, "devices/order_line_list.html", {"page": page, "query": query})


def _order_form(user, programme, data=None, initial=None):
    operators, central = selectors.buying_operators(user, programme)
    return OrderForm(
        data,
        initial=initial,
        funding_sources=selectors.funding_sources_of(programme),
        suppliers=selectors.ordering_suppliers(user, programme),
        contracts=selectors.ordering_contracts(programme).order_by("reference"),
        operators=operators,
        central=central,
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request):
    user = request.user
    programmes = selectors.orderable_programmes(user)
    if not programmes.exists():
        raise PermissionDenied
    raw = request.POST.get("programme") if request.method == "POST" else request.GET.get("programme")
    programme = programmes.filter(pk=raw).first() if raw and str(raw).isdigit() else None
    if programme is None and not raw and programmes.count() == 1:
        programme = programmes.first()
    if programme is None:
        choice = ProgrammeChoiceForm({"programme": raw} if raw else None, programmes=programmes)
        if choice.is_bound:
            choice.is_valid()  # shows why the programme is not one to order for
        return render(request, "devices/order_form.html", {"programme_form": choice, "order": None})
    form = _order_form(user, programme, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_create(actor=user, programme=programme, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("The draft order %(number)s was created. Add its lines.") % {"number": order.number}
            )
            return redirect("devices:purchaseorder-detail", pk=order.pk)
    context = {"form": form, "programme": programme, "order": None, "programme_count": programmes.count()}
    return render(request, "devices/order_form.html", context)


@login_required
def order_detail(request, pk: int):
    user = request.user
    order = selectors.order_get(user, pk)
    may_change = permits(user, Action.CHANGE, order)
    is_draft = order.status == Status.DRAFT
    lines = list(selectors.lines_of(order))
    context = {
        "order": order,
        "lines": lines,
        "total": selectors.order_total(order),
        "units": sum(line.quantity for line in lines),
        "delivered": sum(line.delivered for line in lines),
        "events": selectors.order_history(order)[:50],
        "can_edit": may_change and is_draft,
        "can_place": may_change and is_draft and bool(lines),
        "can_cancel": may_change and order.status in (Status.DRAFT, Status.PLACED),
        "can_remove_lines": may_change and is_draft,
    }
    return render(request, "devices/order_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order_update(request, pk: int):
    user = request.user
    order = _for_change(request, pk)
    form = _order_form(
        user, order.programme, request.POST if request.method == "POST" else None, OrderForm.initial_from(order)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.order_update(actor=user, order=order, data=form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The order was saved."))
            return redirect("devices:purchaseorder-detail", pk=order.pk)
    return render(request, "devices/order_form.html", {"form": form, "programme": order.programme, "order": order})


def _line_form(user, order, data=None, school=None):
    schools = selectors.orderable_schools(user, order)
    device_models = (
        device_models_for(user)
        .filter(authority=order.programme.authority_id, is_active=True)
        .order_by("manufacturer", "name", "pk")
    )
    allocation_lines = selectors.allocation_lines_for_ordering(user, order, school).filter(school__in=schools)
    return OrderLineForm(data, device_models=device_models, schools=schools, allocation_lines=allocation_lines)


@login_required
@require_http_methods(["GET", "POST"])
def order_line_add(request, pk: int):
    user = request.user
    order = _for_change(request, pk)
    school_id = request.GET.get("school")
    school = selectors.orderable_schools(user, order).filter(pk=school_id).first() if str(school_id).isdigit() else None
    form = _line_form(user, order, request.POST if request.method == "POST" else None, school)
    if request.method == "POST" and form.is_valid():
        try:
            line = services.order_line_add(actor=user, order=order, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(quantity)s × %(model)s for %(school)s were added at EUR %(price)s each.")
                % {
                    "quantity": line.quantity,
                    "model": line.device_model,
                    "school": line.school.name,
                    "price": line.unit_price,
                },  # fmt: skip
            )
            if "add_another" in request.POST:
                return redirect("devices:purchaseorder-line-add", pk=order.pk)
            return redirect("devices:purchaseorder-detail", pk=order.pk)
    return render(request, "devices/order_line_form.html", {"form": form, "order": order})


@login_required
@require_GET
def order_allocation_choices(request, pk: int):
    """The allocation lines of one school (htmx: the line form's choices follow the school)."""
    user = request.user
    order = _for_change(request, pk)
    school_id = request.GET.get("school")
    schools = selectors.orderable_schools(user, order)
    school = schools.filter(pk=school_id).first() if str(school_id).isdigit() else None
    form = _line_form(user, order, school=school)
    if school is None:
        form.fields["allocation_line"].queryset = form.fields["allocation_line"].queryset.none()
    return render(request, "devices/_order_allocation_choices.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def orderline_remove(request, pk: int):
    user = request.user
    line = selectors.order_line_get(user, pk)
    order = selectors.order_get(user, line.order_id)
    if not (permits(user, Action.CHANGE, order) and permits(user, Action.DELETE, line)):
        raise PermissionDenied
    errors = []
    if request.method == "POST":
        try:
            services.order_line_remove(actor=user, line=line)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("The line was removed."))
            return redirect("devices:purchaseorder-detail", pk=order.pk)
    return render(request, "devices/order_line_remove.html", {"line": line, "order": order, "errors": errors})


@login_required
@require_http_methods(["GET", "POST"])
def order_place(request, pk: int):
    user = request.user
    order = _for_change(request, pk)
    form = PlaceForm(request.POST or None, initial={"ordered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.order_place(actor=user, order=order, ordered_on=form.cleaned_data["ordered_on"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The order %(number)s was placed.") % {"number": order.number})
            return redirect("devices:purchaseorder-detail", pk=order.pk)
    context = {"form": form, "order": order, "total": selectors.order_total(order)}
    return render(request, "devices/order_place.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order_cancel(request, pk: int):
    user = request.user
    order = _for_change(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_cancel(actor=user, order=order, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The order %(number)s was cancelled.") % {"number": order.number})
            return redirect("devices:purchaseorder-detail", pk=order.pk)
    return render(request, "devices/order_cancel.html", {"form": form, "order": order})


# --- ordered versus allocated -------------------------------------------------------------------


def _comparison_form(request):
    user = request.user
    if not can(user, Action.VIEW, OrderLine):
        raise PermissionDenied
    programmes = programmes_for(user).order_by("code", "pk")
    data = request.GET.copy() if "programme" in request.GET else None
    if data is None and programmes.count() == 1:
        data = {"programme": programmes.first().pk, "device_type": request.GET.get("device_type", "")}
    return ComparisonForm(data, programmes=programmes)


@login_required
@require_GET
def order_comparison(request):
    form = _comparison_form(request)
    comparison = None
    query = ""
    if form.is_bound and form.is_valid():
        programme, device_type = form.cleaned_data["programme"], form.cleaned_data["device_type"]
        comparison = selectors.ordered_versus_allocated(request.user, programme, device_type)
        query = urlencode({"programme": programme.pk, "device_type": device_type})
    context = {
        "form": form,
        "comparison": comparison,
        "query": query,
        "device_type_label": DeviceType(comparison.device_type).label if comparison and comparison.device_type else "",
    }
    return render(request, "devices/order_comparison.html", context)


COMPARISON_HEADERS = [
    "school_number",
    "school",
    "operator",
    "allocated_units",
    "ordered_units",
    "delivered_units",
    "units_left",
    "allocated_eur",
    "ordered_eur",
    "eur_left",
]


def comparison_rows(comparison):
    for row in comparison.rows:
        yield [
            row.number,
            row.name,
            row.operator,
            row.allocated_units,
            row.ordered_units,
            row.delivered_units,
            row.units_left,
            row.allocated_eur,
            row.ordered_eur,
            row.eur_left,
        ]


@login_required
@require_GET
def order_comparison_export(request):
    form = _comparison_form(request)
    if not (form.is_bound and form.is_valid()):
        return redirect(reverse("devices:purchaseorder-comparison") + "?" + request.GET.urlencode())
    programme, device_type = form.cleaned_data["programme"], form.cleaned_data["device_type"]
    comparison = selectors.ordered_versus_allocated(request.user, programme, device_type)
    name = f"ordered-versus-allocated-{programme.code}" + (f"-{DeviceType(device_type).value}" if device_type else "")
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return export_response(file_format, name, COMPARISON_HEADERS, comparison_rows(comparison))
