"""INSIDE and OUTSIDE management reports and their rows for the permission walk. The INSIDE report
is for the INSIDE school (so that its coordinator reads it too); every OUTSIDE name, file name and
serial carries the marker. Each side also has a laptop with a hardware hash, so that the Autopilot
pages of a school have something to show."""

from django.utils import timezone

from ..models import ManagedDevice, ManagementReport
from .factories import DeviceFactory, DeviceModelFactory


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    for side, operator, school in (
        ("INSIDE", world.operator, world.school),
        ("OUTSIDE", world.other_operator, world.other_school),
    ):
        model = DeviceModelFactory(
            authority=school.authority, code=f"{side.lower()}-exchange", name=f"{side} Autopilot laptop"
        )
        device = DeviceFactory(
            programme__authority=school.authority,
            programme__code=f"{side}-exchange-programme",
            programme__name={"en": f"{side} exchange programme"},
            programme__is_public=False,
            school=school,
            device_model=model,
            serial=f"{side}-EXCHANGE-1",
            autopilot_hash="T0FBQUFB",
            windows_product_id="1234567890123",
            supplier=world.supplier if side == "INSIDE" else world.other_supplier,
        )
        report = ManagementReport.objects.create(
            source=ManagementReport.Source.INTUNE,
            operator=operator,
            school=school,
            original_filename=f"{side} intune export.csv",
            sha256="0" * 64,
            rows=2,
            matched=1,
            unknown=1,
            not_enrolled=0,
            uploaded_by=role_users["administrator"],
        )
        matched = ManagedDevice.objects.create(
            report=report,
            serial=device.serial,
            manufacturer="LENOVO",
            model_name=f"{side} model",
            device_name=f"{side}-PC-1",
            last_sync_at=timezone.now(),
            device=device,
        )
        ManagedDevice.objects.create(
            report=report, serial=f"{side}-UNKNOWN-1", manufacturer="HP", device_name=f"{side}-PC-2"
        )
        objects.setdefault("devices.managementreport", []).append(report)
        objects.setdefault("devices.manageddevice", []).append(matched)
    return {label: tuple(pair) for label, pair in objects.items()}
