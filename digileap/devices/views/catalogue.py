"""Pages of the catalogue: device models, suppliers, framework contracts and their items.

Objects outside the user's scope are a 404 (the selectors restrict); an action the role does not
allow on a visible object is a 403. Writes are POSTs that call the services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from digileap.core.audit import history_for
from digileap.core.permissions import Action, can, permits

from ..forms.catalogue import (
    ContractFilterForm,
    ContractForm,
    ContractItemForm,
    DeviceModelFilterForm,
    DeviceModelForm,
    SupplierForm,
    SupplierWithContractForm,
)
from ..models import ContractItem, DeviceModel, FrameworkContract, Supplier
from ..selectors import catalogue as selectors
from ..selectors.orders import orders_for, with_totals
from ..services import catalogue as services

PER_PAGE = 50


def _page(request, queryset):
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _require(user, action: str, obj) -> None:
    if not permits(user, action, obj):
        raise PermissionDenied


# --- device models ------------------------------------------------------------------------------


@login_required
def devicemodel_list(request):
    user = request.user
    if not can(user, Action.VIEW, DeviceModel):
        raise PermissionDenied
    visible = selectors.device_models_for(user)
    filter_form = DeviceModelFilterForm(request.GET or None, manufacturers=selectors.manufacturers_of(visible))
    device_models = filter_form.filter(visible, selectors.device_model_search).order_by(
        "manufacturer", "name", "authority__name", "pk"
    )
    page, query = _page(request, device_models)
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query,
        "can_add": selectors.authorities_where(user, Action.ADD, DeviceModel).exists(),
    }
    return render(request, "devices/devicemodel_list.html", context)


@login_required
def devicemodel_detail(request, pk: int):
    user = request.user
    device_model = selectors.device_model_get(user, pk)
    context = {
        "device_model": device_model,
        "items": selectors.contract_items_for(user).filter(device_model=device_model).order_by("contract__reference"),
        "events": history_for(device_model)[:50],
        "can_change": permits(user, Action.CHANGE, device_model),
    }
    return render(request, "devices/devicemodel_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def devicemodel_create(request):
    user = request.user
    authorities = selectors.authorities_where(user, Action.ADD, DeviceModel)
    if not authorities.exists():
        raise PermissionDenied
    form = DeviceModelForm(request.POST or None, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        try:
            device_model = services.device_model_create(
                actor=user, authority=form.cleaned_data["authority"], **form.service_data()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(model)s was added to the catalogue.") % {"model": device_model})
            return redirect("devices:devicemodel-detail", pk=device_model.pk)
    return render(request, "devices/devicemodel_form.html", {"form": form, "device_model": None})


@login_required
@require_http_methods(["GET", "POST"])
def devicemodel_update(request, pk: int):
    user = request.user
    device_model = selectors.device_model_get(user, pk)
    _require(user, Action.CHANGE, device_model)
    form = DeviceModelForm(request.POST or None, initial=DeviceModelForm.initial_from(device_model))
    if request.method == "POST" and form.is_valid():
        try:
            services.device_model_update(actor=user, device_model=device_model, data=form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The device model was saved."))
            return redirect("devices:devicemodel-detail", pk=device_model.pk)
    return render(request, "devices/devicemodel_form.html", {"form": form, "device_model": device_model})


# --- suppliers ----------------------------------------------------------------------------------


@login_required
def supplier_list(request):
    user = request.user
    if not can(user, Action.VIEW, Supplier):
        raise PermissionDenied
    suppliers = selectors.suppliers_for(user)
    text = (request.GET.get("q") or "").strip()
    for word in text.split():
        suppliers = suppliers.filter(name__icontains=word)
    page, query = _page(request, suppliers.order_by("name", "pk"))
    context = {"page": page, "query": query, "q": text, "can_add": services.may_create_suppliers(user)}
    return render(request, "devices/supplier_list.html", context)


@login_required
def supplier_detail(request, pk: int):
    user = request.user
    supplier = selectors.supplier_get(user, pk)
    contracts = selectors.contracts_for(user).filter(supplier=supplier).order_by("-starts_on", "reference")
    orders = with_totals(orders_for(user).filter(supplier=supplier)).order_by("-created_at", "-id")[:20]
    context = {
        "supplier": supplier,
        "contracts": contracts,
        "orders": orders,
        "events": history_for(supplier)[:50],
        "can_change": permits(user, Action.CHANGE, supplier),
        "can_add_contract": selectors.authorities_where(user, Action.ADD, FrameworkContract).exists(),
    }
    return render(request, "devices/supplier_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def supplier_create(request):
    """A new supplier with its first framework contract (see ``services.catalogue``)."""
    user = request.user
    authorities = selectors.authorities_where(user, Action.ADD, FrameworkContract)
    if not services.may_create_suppliers(user) or not authorities.exists():
        raise PermissionDenied
    form = SupplierWithContractForm(request.POST or None, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.supplier_create_with_contract(actor=user, **form.service_data())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(supplier)s was added with the contract %(reference)s.")
                % {"supplier": contract.supplier.name, "reference": contract.reference},
            )
            return redirect("devices:supplier-detail", pk=contract.supplier_id)
    return render(request, "devices/supplier_form.html", {"form": form, "supplier": None})


@login_required
@require_http_methods(["GET", "POST"])
def supplier_update(request, pk: int):
    user = request.user
    supplier = selectors.supplier_get(user, pk)
    _require(user, Action.CHANGE, supplier)
    form = SupplierForm(request.POST or None, initial=SupplierForm.initial_from(supplier))
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_update(actor=user, supplier=supplier, data=form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The supplier was saved."))
            return redirect("devices:supplier-detail", pk=supplier.pk)
    return render(request, "devices/supplier_form.html", {"form": form, "supplier": supplier})


# --- framework contracts ------------------------------------------------------------------------


@login_required
def contract_list(request):
    user = request.user
    if not can(user, Action.VIEW, FrameworkContract):
        raise PermissionDenied
    filter_form = ContractFilterForm(request.GET or None, suppliers=selectors.suppliers_for(user).order_by("name"))
    contracts = filter_form.filter(selectors.contracts_for(user)).annotate(item_count=Count("items"))
    page, query = _page(request, contracts.order_by("-starts_on", "reference", "pk"))
    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query,
        "can_add": selectors.authorities_where(user, Action.ADD, FrameworkContract).exists(),
    }
    return render(request, "devices/contract_list.html", context)


@login_required
def contract_detail(request, pk: int):
    user = request.user
    contract = selectors.contract_get(user, pk)
    committed = selectors.contract_committed(contract)
    context = {
        "contract": contract,
        "items": contract.items.select_related("device_model").order_by(
            "device_model__manufacturer", "device_model__name"
        ),
        "committed": committed,
        "remaining": None if contract.ceiling is None else contract.ceiling - committed,
        "orders": with_totals(orders_for(user).filter(contract=contract)).order_by("-created_at", "-id")[:20],
        "events": selectors.contract_history(contract)[:50],
        "can_change": permits(user, Action.CHANGE, contract),
        "can_add_item": permits(user, Action.ADD, ContractItem(contract=contract)),
        "can_change_items": permits(user, Action.CHANGE, ContractItem(contract=contract)),
        "can_remove_items": permits(user, Action.DELETE, ContractItem(contract=contract)),
    }
    return render(request, "devices/contract_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request):
    user = request.user
    authorities = selectors.authorities_where(user, Action.ADD, FrameworkContract)
    if not authorities.exists():
        raise PermissionDenied
    form = ContractForm(
        request.POST or None,
        authorities=authorities,
        suppliers=selectors.suppliers_for(user).order_by("name"),
        initial={"supplier": request.GET.get("supplier")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The contract %(reference)s was added.") % {"reference": contract.reference})
            return redirect("devices:frameworkcontract-detail", pk=contract.pk)
    return render(request, "devices/contract_form.html", {"form": form, "contract": None})


@login_required
@require_http_methods(["GET", "POST"])
def contract_update(request, pk: int):
    user = request.user
    contract = selectors.contract_get(user, pk)
    _require(user, Action.CHANGE, contract)
    suppliers = selectors.suppliers_for(user).order_by("name")
    form = ContractForm(request.POST or None, suppliers=suppliers, initial=ContractForm.initial_from(contract))
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(actor=user, contract=contract, data=form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The contract was saved."))
            return redirect("devices:frameworkcontract-detail", pk=contract.pk)
    return render(request, "devices/contract_form.html", {"form": form, "contract": contract})


@login_required
@require_http_methods(["GET", "POST"])
def contract_item_add(request, pk: int):
    user = request.user
    contract = selectors.contract_get(user, pk)
    _require(user, Action.ADD, ContractItem(contract=contract))
    device_models = (
        selectors.device_models_for(user)
        .filter(authority=contract.authority_id)
        .exclude(contract_items__contract=contract)
        .order_by("manufacturer", "name")
    )
    form = ContractItemForm(request.POST or None, device_models=device_models)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.contract_item_add(actor=user, contract=contract, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The contract now offers %(model)s.") % {"model": item.device_model})
            return redirect("devices:frameworkcontract-detail", pk=contract.pk)
    return render(request, "devices/contract_item_form.html", {"form": form, "contract": contract, "item": None})


@login_required
@require_http_methods(["GET", "POST"])
def contractitem_update(request, pk: int):
    user = request.user
    item = selectors.contract_item_get(user, pk)
    _require(user, Action.CHANGE, item)
    form = ContractItemForm(request.POST or None, initial={"unit_price": item.unit_price})
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_item_update(actor=user, item=item, unit_price=form.cleaned_data["unit_price"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The contract price was saved."))
            return redirect("devices:frameworkcontract-detail", pk=item.contract_id)
    context = {"form": form, "contract": item.contract, "item": item}
    return render(request, "devices/contract_item_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contractitem_remove(request, pk: int):
    user = request.user
    item = selectors.contract_item_get(user, pk)
    _require(user, Action.DELETE, item)
    if request.method == "POST":
        services.contract_item_remove(actor=user, item=item)
        messages.success(request, _("The contract no longer offers %(model)s.") % {"model": item.device_model})
        return redirect("devices:frameworkcontract-detail", pk=item.contract_id)
    return render(request, "devices/contract_item_remove.html", {"item": item, "contract": item.contract})
