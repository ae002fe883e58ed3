"""Pages of the device register: the list (keyset pages, its count loaded after it, the export), a
device with its lifecycle, assignments, tickets and audit history, the status change and the edit
of its identifiers. Reads go through ``selectors.devices`` (a device outside the scope is a 404),
writes through ``services.devices``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from digileap.core.exports import export_response
from digileap.core.permissions import Action, permits
from digileap.privacy.access import log_recipients_shown

from ..forms.devices import DeviceFilterForm, DeviceStatusForm, DeviceUpdateForm, add_service_error
from ..models import Device, DeviceStatus
from ..selectors import devices as selectors
from ..services.devices import SET_ELSEWHERE, device_change_status, device_update

RESULTS_TARGET = "device-results"
URL_PLACEHOLDER = 987654321
PER_PAGE = selectors.PER_PAGE
# Query parameters that belong to one page of the list, not to its filters.
PAGE_PARAMETERS = ("after", "before", "format")


def _filtered(request):
    filter_form = DeviceFilterForm(request.GET or None, user=request.user)
    return filter_form, filter_form.filter(selectors.devices_for(request.user))


def _query(request, *, drop=PAGE_PARAMETERS) -> str:
    query = request.GET.copy()
    for name in drop:
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
def device_list(request):
    filter_form, devices = _filtered(request)
    sort = filter_form.chosen_sort()
    page = selectors.device_page(
        devices, sort=sort, after=request.GET.get("after"), before=request.GET.get("before"), per_page=PER_PAGE
    )
    context = {
        "filter_form": filter_form,
        "page": page,
        "rows_html": _rows_html(page.rows),
        "sort": sort,
        "query": _query(request),
        "sort_query": _query(request, drop=(*PAGE_PARAMETERS, "sort")),
        "can_sort_by_delivery": filter_form.can_sort_by_delivery(),
    }
    if request.htmx and request.htmx.target == RESULTS_TARGET:
        return render(request, "devices/_device_results.html", context)
    return render(request, "devices/device_list.html", context)


ROW_HTML = (
    '<tr><td class="mono"><a href="{}" hx-boost="false">{}</a></td><td class="mono">{}</td><td>{}</td><td>{}</td>'
    '<td><span class="badge badge--{}">{}</span></td><td>{} <span class="muted mono">{}</span></td>'
    '<td class="nowrap">{}</td><td>{}</td><td>{}</td></tr>'
)
EMPTY = "–"


def _rows_html(rows: list[dict]):
    """The table's rows, written in Python: fifty rows through the template engine cost more than
    the query behind them. Every value is escaped by ``format_html_join``; the columns are those of
    ``devices/_device_results.html``."""
    detail_url = reverse("devices:device-detail", kwargs={"pk": URL_PLACEHOLDER})
    placeholder = str(URL_PLACEHOLDER)
    return format_html_join(
        "\n",
        ROW_HTML,
        (
            (
                detail_url.replace(placeholder, str(row["id"])),
                row["serial"],
                row["asset_tag"] or EMPTY,
                row["model_name"],
                row["device_type_label"],
                row["status"],
                row["status_label"],
                row["school_name"],
                row["school_number"],
                row["delivered_on"].isoformat() if row["delivered_on"] else EMPTY,
                row["condition_label"],
                format_html('<span class="badge badge--warning">{}</span>', row["discrepancy_label"])
                if row["discrepancy"]
                else EMPTY,
            )
            for row in rows
        ),
    )


@login_required
@require_GET
def device_count(request):
    """How many devices the list's filters find: exact for one school or up to 10,000, else about."""
    filter_form, devices = _filtered(request)
    count = selectors.device_count(devices, exact=filter_form.is_one_school())
    return render(request, "devices/_device_count.html", {"count": count})


EXPORT_HEADERS = [
    "id",
    "serial",
    "manufacturer",
    "model",
    "device_type",
    "condition",
    "asset_tag",
    "mac_address",
    "windows_product_id",
    "google_device_id",
    "status",
    "status_since",
    "school_number",
    "school_name",
    "site",
    "programme",
    "supplier",
    "delivery_note",
    "delivered_on",
    "first_deployed_on",
    "accepted_at",
    "discrepancy",
]
EXPORT_COLUMNS = [
    "id",
    "serial",
    "manufacturer",
    "device_model__name",
    "device_type",
    "condition",
    "asset_tag",
    "mac_address",
    "windows_product_id",
    "google_device_id",
    "status",
    "status_changed_at",
    "school__number",
    "school__name",
    "site__name",
    "programme__code",
    "supplier__name",
    "delivery__note_number",
    "delivered_on",
    "first_deployed_on",
    "accepted_at",
    "discrepancy",
]


@login_required
@require_GET
def device_export(request):
    """Exactly the filtered list, in its order, every page of it, streamed as CSV (default) or
    XLSX (``?format=xlsx``). The Autopilot hash has its own export (the exchange pages)."""
    filter_form, devices = _filtered(request)
    sort = filter_form.chosen_sort()
    rows = devices.order_by(*sort.order_by()).values_list(*EXPORT_COLUMNS).iterator(chunk_size=5000)
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return export_response(file_format, "devices", EXPORT_HEADERS, rows)


def _detail(request, device: Device, *, status_form=None):
    can_change = permits(request.user, Action.CHANGE, device)
    context = {
        "device": device,
        "events": list(selectors.device_events(device)),
        "assignments": list(selectors.device_assignments(request.user, device)[:100]),
        "tickets": list(selectors.device_tickets(request.user, device)[:100]),
        "history": selectors.device_history(device)[:50],
        "can_change": can_change,
        "status_form": status_form or (DeviceStatusForm(device=device) if can_change else None),
        "set_elsewhere": [(DeviceStatus(value).label, message()) for value, message in SET_ELSEWHERE.items()],
    }
    log_recipients_shown(request, [a.recipient for a in context["assignments"]], school=device.school)
    return render(request, "devices/device_detail.html", context)


@login_required
@require_GET
def device_detail(request, pk: int):
    return _detail(request, selectors.device_get(request.user, pk))


@login_required
@require_POST
def device_transition(request, pk: int):
    """Move the device to the posted status, for the posted reason; errors show on its page."""
    device = selectors.device_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, device):
        raise PermissionDenied
    form = DeviceStatusForm(request.POST, device=device)
    if form.is_valid():
        try:
            event = device_change_status(
                device=device,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(serial)s is now %(status)s.")
                % {"serial": device.serial, "status": DeviceStatus(event.status).label.lower()},
            )
            return redirect("devices:device-detail", pk=device.pk)
    return _detail(request, device, status_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def device_update_view(request, pk: int):
    device = selectors.device_get(request.user, pk)
    if not permits(request.user, Action.CHANGE, device):
        raise PermissionDenied
    form = DeviceUpdateForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        try:
            device_update(device=device, data=form.cleaned_data, actor=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The identifiers of %(serial)s were saved.") % {"serial": device.serial})
            return redirect("devices:device-detail", pk=device.pk)
    return render(request, "devices/device_form.html", {"device": device, "form": form})
