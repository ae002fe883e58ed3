"""Reads for the exchange with device-management tools, restricted to what the acting user may see:
management reports and their three lists, the operators and schools a user may upload reports
for, and the devices of a school or an order that go into an Autopilot file."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from digileap.core.permissions import Action, assignments_for, can, restrict
from digileap.schools.models import School, SchoolOperator
from digileap.schools.selectors import schools_for

from ..exchange import AUTOPILOT_EXCLUDED_STATUSES, AutopilotBatch, AutopilotDevice, split_for_autopilot
from ..importers.management import MANAGED_TYPES, NOT_ENROLLED_STATUSES
from ..models import Device, ManagedDevice, ManagementReport, PurchaseOrder

REPORT_LISTS = ("matched", "unknown", "not_enrolled")


def reports_for(user, action: str = Action.VIEW) -> QuerySet[ManagementReport]:
    return restrict(ManagementReport.objects.select_related("operator", "school", "uploaded_by"), user, action)


def report_get(user, pk: int, action: str = Action.VIEW) -> ManagementReport:
    """The report, or 404 when it does not exist or is outside the user's scope."""
    return get_object_or_404(reports_for(user, action), pk=pk)


def managed_devices_for(user, action: str = Action.VIEW) -> QuerySet[ManagedDevice]:
    return restrict(
        ManagedDevice.objects.select_related("report", "device", "device__school", "device__device_model"),
        user,
        action,
    )


def report_matched(report: ManagementReport) -> QuerySet[ManagedDevice]:
    """Funded and enrolled: the tool's rows that are a funded device."""
    return (
        ManagedDevice.objects.filter(report=report, device__isnull=False)
        .select_related("device", "device__school", "device__device_model")
        .order_by("serial", "pk")
    )


def report_unknown(report: ManagementReport) -> QuerySet[ManagedDevice]:
    """Enrolled but unknown: the tool's rows that match no funded device of the scope."""
    return ManagedDevice.objects.filter(report=report, device__isnull=True).order_by("serial", "pk")


def report_not_enrolled(user, report: ManagementReport) -> QuerySet[Device]:
    """Funded but not enrolled: devices of the report's scope that should be enrolled in the tool
    (at the school or handed out, of a type it manages) and are not in the report, as they are now."""
    devices = Device.objects.filter(
        school__operator_id=report.operator_id,
        status__in=NOT_ENROLLED_STATUSES,
        device_type__in=MANAGED_TYPES[report.source],
    )
    if report.school_id is not None:
        devices = devices.filter(school_id=report.school_id)
    enrolled = ManagedDevice.objects.filter(report=report, device__isnull=False).values("device_id")
    return (
        restrict(devices, user)
        .exclude(pk__in=enrolled)
        .select_related("school", "device_model")
        .order_by("school__name", "serial", "pk")
    )


def report_list(user, report: ManagementReport, name: str) -> QuerySet:
    if name == "unknown":
        return report_unknown(report)
    if name == "not_enrolled":
        return report_not_enrolled(user, report)
    return report_matched(report)


def _upload_assignments(user) -> list:
    return [a for a in assignments_for(user, Action.ADD, ManagementReport)]


def operators_for_upload(user) -> QuerySet[SchoolOperator]:
    """The operators the user may upload reports for (a school coordinator: their school's)."""
    condition = Q(pk__in=[])
    for assignment in _upload_assignments(user):
        if assignment.scope_kind == "all":
            return SchoolOperator.objects.order_by("name", "pk")
        if assignment.scope_kind == "operator":
            condition |= Q(pk=assignment.scope_id)
        elif assignment.scope_kind == "school":
            condition |= Q(schools__pk=assignment.scope_id)
        elif assignment.scope_kind == "authority":
            condition |= Q(authority_id=assignment.scope_id)
    return SchoolOperator.objects.filter(condition).distinct().order_by("name", "pk")


def schools_for_upload(user) -> QuerySet[School]:
    """The schools the user may upload a one-school report for."""
    condition = Q(pk__in=[])
    for assignment in _upload_assignments(user):
        if assignment.scope_kind == "all":
            return School.objects.select_related("operator").order_by("name", "number", "pk")
        if assignment.scope_kind == "operator":
            condition |= Q(operator_id=assignment.scope_id)
        elif assignment.scope_kind == "school":
            condition |= Q(pk=assignment.scope_id)
        elif assignment.scope_kind == "authority":
            condition |= Q(authority_id=assignment.scope_id)
    return School.objects.filter(condition).select_related("operator").order_by("name", "number", "pk")


def school_requires_school(user) -> bool:
    """Whether the user may upload only one-school reports (a school coordinator)."""
    assignments = _upload_assignments(user)
    return bool(assignments) and all(a.scope_kind == "school" for a in assignments)


# -- Autopilot ----------------------------------------------------------------------------------


def autopilot_school_get(user, pk: int) -> School:
    """The school of an Autopilot export, or 404 outside the user's scope."""
    return get_object_or_404(schools_for(user), pk=pk)


def autopilot_order_get(user, pk: int) -> PurchaseOrder:
    """The order of an Autopilot export, or 404 outside the user's scope."""
    return get_object_or_404(restrict(PurchaseOrder.objects.select_related("supplier"), user), pk=pk)


def autopilot_schools(user) -> QuerySet[School]:
    """The schools whose Autopilot page the user may open."""
    return schools_for(user).select_related("operator").order_by("name", "number", "pk")


def autopilot_orders(user) -> QuerySet[PurchaseOrder]:
    """The orders whose Autopilot page the user may open (placed or later, not cancelled)."""
    return (
        restrict(PurchaseOrder.objects.select_related("supplier"), user)
        .exclude(status__in=[PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.CANCELLED])
        .order_by("-ordered_on", "number", "pk")
    )


def may_export_autopilot(user) -> bool:
    """Registering devices in Autopilot is work on the devices: whoever may change devices
    (owners, operator staff, coordinators, suppliers), for the devices they may change."""
    return can(user, Action.CHANGE, Device)


def autopilot_devices(user, *, school: School | None = None, order: PurchaseOrder | None = None) -> QuerySet[Device]:
    """The devices of a school or an order the user may change, still the programme's to enrol."""
    devices = restrict(Device.objects.all(), user, Action.CHANGE).exclude(status__in=AUTOPILOT_EXCLUDED_STATUSES)
    if school is not None:
        devices = devices.filter(school=school)
    elif order is not None:
        devices = devices.filter(Q(order_line__order=order) | Q(delivery__order=order))
    else:
        return devices.none()
    return devices.order_by("serial", "pk")


def autopilot_batch(user, *, school: School | None = None, order: PurchaseOrder | None = None) -> AutopilotBatch:
    """The devices for the Autopilot file, and those skipped with the reason."""
    fields = (
        "serial",
        "windows_product_id",
        "autopilot_hash",
        "manufacturer",
        "device_model__name",
        "school__name",
        "device_type",
    )
    rows = autopilot_devices(user, school=school, order=order).values_list(*fields)
    return split_for_autopilot(
        (
            AutopilotDevice(serial, product_id or "", hardware_hash or "", manufacturer, model, school_name),
            device_type,
        )
        for serial, product_id, hardware_hash, manufacturer, model, school_name, device_type in rows.iterator(
            chunk_size=2000
        )
    )
