"""Pages of the exchange with device-management tools.

Management reports: the list, the upload (an Intune or Google Admin device export), a report with
its three lists (funded and enrolled, enrolled but unknown, funded but not enrolled), each paged and
exported as CSV. Autopilot: per school and per order, a page with the group tag and the counts, the
CSV (a ZIP above 500 devices) and the CSV of the devices skipped. Reads go through the selectors
(outside the scope: 404), writes and exports through ``services.exchange``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from digileap.core.exports import csv_response
from digileap.core.permissions import Action, can
from digileap.schools.models import School

from ..exchange import AUTOPILOT_MAX_ROWS
from ..forms.exchange import AutopilotChooseForm, AutopilotForm, ManagementReportUploadForm, add_service_errors
from ..models import ManagementReport
from ..selectors.exchange import (
    REPORT_LISTS,
    autopilot_batch,
    autopilot_order_get,
    autopilot_orders,
    autopilot_school_get,
    autopilot_schools,
    may_export_autopilot,
    report_get,
    report_list,
    reports_for,
)
from ..services.exchange import (
    autopilot_export,
    autopilot_skipped_export,
    default_group_tag,
    managementreport_import,
)

PER_PAGE = 50
SKIPPED_SHOWN = 50
LIST_TARGET = "report-list"


@login_required
@require_GET
def managementreport_list(request):
    page = Paginator(reports_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "can_upload": can(request.user, Action.ADD, ManagementReport),
        "can_export_autopilot": may_export_autopilot(request.user),
    }
    return render(request, "devices/managementreport_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def managementreport_create(request):
    if not can(request.user, Action.ADD, ManagementReport):
        raise PermissionDenied
    form = ManagementReportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report, plan = managementreport_import(
                actor=request.user,
                source=data["source"],
                operator=data["operator"],
                school=data["school"],
                file=data["file"],
                skip_invalid=data["skip_invalid"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(rows)s devices imported: %(matched)s funded and enrolled, %(unknown)s unknown; "
                    "%(not_enrolled)s funded devices are not enrolled."
                )
                % {
                    "rows": report.rows,
                    "matched": report.matched,
                    "unknown": report.unknown,
                    "not_enrolled": report.not_enrolled,
                },
            )
            if plan.skipped:
                messages.warning(
                    request,
                    _(
                        "Rows left out: %(without)s without a serial number, %(duplicates)s listed twice, "
                        "%(deprovisioned)s deprovisioned."
                    )
                    % {
                        "without": plan.skipped_without_serial,
                        "duplicates": plan.skipped_duplicates,
                        "deprovisioned": plan.skipped_deprovisioned,
                    },
                )
            return redirect("devices:managementreport-detail", pk=report.pk)
    status = 400 if form.errors else 200
    return render(request, "devices/managementreport_form.html", {"form": form}, status=status)


def _list_name(request) -> str:
    name = request.GET.get("list", "")
    return name if name in REPORT_LISTS else REPORT_LISTS[0]


@login_required
@require_GET
def managementreport_detail(request, pk: int):
    report = report_get(request.user, pk)
    name = _list_name(request)
    page = Paginator(report_list(request.user, report, name), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "report": report,
        "list_name": name,
        "page": page,
        "tabs": [
            ("matched", _("Funded and enrolled"), report.matched),
            ("unknown", _("Enrolled but unknown"), report.unknown),
            ("not_enrolled", _("Funded but not enrolled"), report.not_enrolled),
        ],
    }
    if request.htmx and request.htmx.target == LIST_TARGET:
        return render(request, "devices/_exchange_report_list.html", context)
    return render(request, "devices/managementreport_detail.html", context)


EXPORT_HEADERS = {
    "matched": [
        "serial_number",
        "manufacturer",
        "model",
        "device_name",
        "last_check_in",
        "school_number",
        "school_name",
        "device_status",
    ],
    "unknown": ["serial_number", "manufacturer", "model", "device_name", "last_check_in"],
    "not_enrolled": [
        "serial_number",
        "manufacturer",
        "model",
        "device_type",
        "device_status",
        "school_number",
        "school_name",
        "delivered_on",
    ],
}


def _export_rows(queryset, name: str):
    for item in queryset.iterator(chunk_size=2000):
        if name == "not_enrolled":
            yield [
                item.serial,
                item.manufacturer,
                item.device_model.name,
                item.device_type,
                item.status,
                item.school.number,
                item.school.name,
                item.delivered_on,
            ]
            continue
        row = [item.serial, item.manufacturer, item.model_name, item.device_name, item.last_sync_at]
        if name == "matched":
            row += [item.device.school.number, item.device.school.name, item.device.status]
        yield row


@login_required
@require_GET
def managementreport_export(request, pk: int):
    """One of the report's three lists, all of it, as CSV (``?list=matched|unknown|not_enrolled``)."""
    report = report_get(request.user, pk)
    name = _list_name(request)
    queryset = report_list(request.user, report, name)
    filename = f"management-report-{report.pk}-{name.replace('_', '-')}"
    return csv_response(filename, EXPORT_HEADERS[name], _export_rows(queryset, name))


# -- Autopilot ----------------------------------------------------------------------------------


def _autopilot_page(request, target, form: AutopilotForm, status: int = 200):
    if not may_export_autopilot(request.user):
        raise PermissionDenied
    kind = "school" if isinstance(target, School) else "purchaseorder"
    batch = autopilot_batch(request.user, **({"school": target} if kind == "school" else {"order": target}))
    exported = len(batch.exported)
    context = {
        "target": target,
        "kind": kind,
        "form": form,
        "exported": exported,
        "files": max(1, -(-exported // AUTOPILOT_MAX_ROWS)),
        "max_rows": AUTOPILOT_MAX_ROWS,
        "skipped": batch.skipped[:SKIPPED_SHOWN],
        "skipped_count": len(batch.skipped),
        "csv_url": f"devices:{kind}-autopilot-csv",
        "skipped_url": f"devices:{kind}-autopilot-skipped",
    }
    return render(request, "devices/autopilot_export.html", context, status=status)


def _autopilot_csv(request, target):
    if not may_export_autopilot(request.user):
        raise PermissionDenied
    form = AutopilotForm(request.GET or {"group_tag": default_group_tag(target)})
    if not form.is_valid():
        return _autopilot_page(request, target, form, status=400)
    try:
        download, _batch = autopilot_export(actor=request.user, target=target, group_tag=form.cleaned_data["group_tag"])
    except ValidationError as error:
        add_service_errors(form, error)
        return _autopilot_page(request, target, form, status=400)
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


def _autopilot_skipped(request, target):
    if not may_export_autopilot(request.user):
        raise PermissionDenied
    filename, content = autopilot_skipped_export(actor=request.user, target=target)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def school_autopilot_choose(request):
    """Where an Autopilot export starts: choose a school or an order (``?school=`` or ``?order=``
    go straight to its page)."""
    if not may_export_autopilot(request.user):
        raise PermissionDenied
    form = AutopilotChooseForm(
        request.GET or None, schools=autopilot_schools(request.user), orders=autopilot_orders(request.user)
    )
    if form.is_valid():
        if form.cleaned_data["school"] is not None:
            return redirect("devices:school-autopilot", pk=form.cleaned_data["school"].pk)
        if form.cleaned_data["order"] is not None:
            return redirect("devices:purchaseorder-autopilot", pk=form.cleaned_data["order"].pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "devices/autopilot_choose.html", {"form": form}, status=status)


@login_required
@require_GET
def school_autopilot(request, pk: int):
    school = autopilot_school_get(request.user, pk)
    return _autopilot_page(request, school, AutopilotForm(initial={"group_tag": default_group_tag(school)}))


@login_required
@require_GET
def school_autopilot_csv(request, pk: int):
    return _autopilot_csv(request, autopilot_school_get(request.user, pk))


@login_required
@require_GET
def school_autopilot_skipped(request, pk: int):
    return _autopilot_skipped(request, autopilot_school_get(request.user, pk))


@login_required
@require_GET
def purchaseorder_autopilot(request, pk: int):
    order = autopilot_order_get(request.user, pk)
    return _autopilot_page(request, order, AutopilotForm(initial={"group_tag": default_group_tag(order)}))


@login_required
@require_GET
def purchaseorder_autopilot_csv(request, pk: int):
    return _autopilot_csv(request, autopilot_order_get(request.user, pk))


@login_required
@require_GET
def purchaseorder_autopilot_skipped(request, pk: int):
    return _autopilot_skipped(request, autopilot_order_get(request.user, pk))
