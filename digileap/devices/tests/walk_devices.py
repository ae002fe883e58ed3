"""INSIDE and OUTSIDE devices and lifecycle events for the permission walk: the INSIDE device is at
the INSIDE school, delivered by the INSIDE supplier (so that every scoped role reaches it); the
OUTSIDE one is at the OUTSIDE school, from the OUTSIDE supplier. Serials and reasons carry the marker."""

from digileap.devices import lifecycle
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories import DeviceFactory, DeviceModelFactory


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    for side, authority, school, supplier in (
        ("INSIDE", world.authority, world.school, world.supplier),
        ("OUTSIDE", world.other_authority, world.other_school, world.other_supplier),
    ):
        programme = ProgrammeFactory(
            code=f"{side}-register-programme", name={"en": f"{side} register programme"}, authority=authority
        )
        model = DeviceModelFactory(authority=authority, code=f"{side.lower()}-register", name=f"{side} register model")
        device = DeviceFactory(
            programme=programme,
            school=school,
            supplier=supplier,
            device_model=model,
            serial=f"{side}-REGISTER-0001",
            asset_tag=f"{side}-TAG-1",
        )
        event = lifecycle.device_transition(
            device=device, status="in_repair", actor=None, reason=f"{side} repair", check_permission=False
        )
        objects.setdefault("devices.device", []).append(device)
        objects.setdefault("devices.deviceevent", []).append(event)
    return {label: tuple(pair) for label, pair in objects.items()}
