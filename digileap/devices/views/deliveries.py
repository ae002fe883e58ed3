"""Pages of deliveries: the list, a delivery with its devices, discrepancies and history, and the
school's acceptance (confirm devices one by one, then accept everything with the exceptions).
Reads go through the selectors, so a delivery outside the user's scope is a 404; writes go through
``services.deliveries``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.permissions import Action, can

from ..forms.deliveries import DeliveryAcceptForm, DeliveryConfirmForm, DeliveryFilterForm
from ..models import Delivery
from ..selectors.deliveries import (
    deliveries_filtered,
    deliveries_for,
    delivery_counts,
    delivery_devices,
    delivery_discrepancies,
    delivery_get,
    delivery_history,
    with_device_counts,
)
from ..services.deliveries import delivery_accept, delivery_confirm_devices, may_accept

PER_PAGE = 50
DEVICES_PER_PAGE = 100


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def delivery_list(request):
    filter_form = DeliveryFilterForm(request.GET or None, user=request.user)
    deliveries = deliveries_filtered(deliveries_for(request.user), **filter_form.values()).order_by(
        "-delivered_on", "-id"
    )
    page = Paginator(deliveries, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(with_device_counts(deliveries.filter(pk__in=[d.pk for d in page.object_list])))
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": _query(request),
        "can_import": can(request.user, Action.ADD, Delivery),
    }
    return render(request, "devices/delivery_list.html", context)


def _detail_context(request, delivery: Delivery) -> dict:
    devices = Paginator(delivery_devices(delivery), DEVICES_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "delivery": delivery,
        "devices": devices,
        "counts": delivery_counts(delivery),
        "discrepancies": delivery_discrepancies(delivery),
        "events": delivery_history(delivery)[:50],
        "can_accept": delivery.acceptance == Delivery.Acceptance.PENDING and may_accept(request.user, delivery),
        "query": _query(request),
    }


@login_required
@require_GET
def delivery_detail(request, pk: int):
    delivery = delivery_get(request.user, pk)
    return render(request, "devices/delivery_detail.html", _detail_context(request, delivery))


def _accept_context(request, delivery, accept_form, confirm_form) -> dict:
    return {
        "delivery": delivery,
        "counts": delivery_counts(delivery),
        "accept_form": accept_form,
        "confirm_form": confirm_form,
    }


def _add_service_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, errors in error.message_dict.items():
        if key in form.fields:
            form.add_error(key, errors)
        elif key.startswith("discrepancies") and "exceptions" in form.fields:
            form.add_error("exceptions", errors)
        else:
            form.add_error(None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def delivery_accept_view(request, pk: int):
    """Accept a delivery: everything at once, with the exceptions typed by serial."""
    delivery = delivery_get(request.user, pk)
    if not may_accept(request.user, delivery):
        raise PermissionDenied
    if delivery.acceptance != Delivery.Acceptance.PENDING:
        messages.info(request, _("This delivery is accepted already."))
        return redirect("devices:delivery-detail", pk=delivery.pk)
    accept_form = DeliveryAcceptForm(request.POST or None)
    if request.method == "POST" and accept_form.is_valid():
        try:
            delivery_accept(delivery=delivery, actor=request.user, **accept_form.service_data())
        except ValidationError as error:
            _add_service_errors(accept_form, error)
        else:
            messages.success(request, _("Delivery %(note)s is accepted.") % {"note": delivery.note_number})
            return redirect("devices:delivery-detail", pk=delivery.pk)
    context = _accept_context(request, delivery, accept_form, DeliveryConfirmForm())
    return render(request, "devices/delivery_accept.html", context, status=400 if accept_form.errors else 200)


@login_required
@require_POST
def delivery_confirm(request, pk: int):
    """Confirm devices one by one (scanned serials); htmx replaces the progress panel."""
    delivery = delivery_get(request.user, pk)
    if not may_accept(request.user, delivery):
        raise PermissionDenied
    form = DeliveryConfirmForm(request.POST)
    confirmed = None
    if form.is_valid():
        try:
            confirmed = delivery_confirm_devices(delivery=delivery, actor=request.user, serials=form.serial_list())
        except ValidationError as error:
            _add_service_errors(form, error)
    status = 400 if form.errors else 200
    if request.htmx:
        context = {
            "delivery": delivery,
            "counts": delivery_counts(delivery),
            "confirm_form": DeliveryConfirmForm() if confirmed is not None else form,
            "confirmed": confirmed,
        }
        return render(request, "devices/_delivery_confirm.html", context, status=status)
    if confirmed is not None:
        messages.success(request, _("%(n)s device(s) confirmed.") % {"n": confirmed})
        return redirect("devices:delivery-accept", pk=delivery.pk)
    if delivery.acceptance != Delivery.Acceptance.PENDING:
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()))
        return redirect("devices:delivery-detail", pk=delivery.pk)
    context = _accept_context(request, delivery, DeliveryAcceptForm(), form)
    return render(request, "devices/delivery_accept.html", context, status=status)
