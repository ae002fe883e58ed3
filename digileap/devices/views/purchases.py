"""Pages of self-bought purchases: the list, a purchase with its devices, and the report form.
Reads go through the selectors (outside the scope: 404); the report goes through
``services.purchases.self_purchase_report``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digileap.core.audit import history_for
from digileap.core.permissions import Action, can

from ..forms.purchases import PurchaseFilterForm, SelfPurchaseForm
from ..models import SelfPurchase
from ..selectors.purchases import purchase_devices, purchase_get, purchases_for, with_device_counts
from ..services.purchases import self_purchase_report

PER_PAGE = 50


@login_required
@require_GET
def selfpurchase_list(request):
    filter_form = PurchaseFilterForm(request.GET or None, user=request.user)
    purchases = filter_form.filter(purchases_for(request.user)).order_by("-invoice_date", "-id")
    page = Paginator(with_device_counts(purchases), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query.urlencode(),
        "can_report": can(request.user, Action.ADD, SelfPurchase),
    }
    return render(request, "devices/purchase_list.html", context)


@login_required
@require_GET
def selfpurchase_detail(request, pk: int):
    purchase = purchase_get(request.user, pk)
    devices = Paginator(purchase_devices(purchase), 100).get_page(request.GET.get("page"))
    context = {"purchase": purchase, "devices": devices, "events": history_for(purchase)[:50]}
    return render(request, "devices/purchase_detail.html", context)


def _add_service_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, errors in error.message_dict.items():
        if key in form.fields:
            form.add_error(key, errors)
        elif key.startswith("devices"):
            form.add_error("serials", errors)
        else:
            form.add_error(None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def selfpurchase_create(request):
    if not can(request.user, Action.ADD, SelfPurchase):
        raise PermissionDenied
    form = SelfPurchaseForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            purchase = self_purchase_report(actor=request.user, **form.service_data())
        except ValidationError as error:
            _add_service_errors(form, error)
        except PermissionDenied:
            form.add_error("school", _("You may not report purchases for this school."))
        else:
            messages.success(
                request,
                _("Purchase %(invoice)s is reported with %(n)s device(s).")
                % {"invoice": purchase.invoice_reference, "n": len(form.cleaned_data["devices"])},
            )
            return redirect("devices:selfpurchase-detail", pk=purchase.pk)
    return render(request, "devices/purchase_form.html", {"form": form}, status=400 if form.errors else 200)
