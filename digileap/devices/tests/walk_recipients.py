"""INSIDE and OUTSIDE recipients and assignments for the permission walk. Each assignment hands a
device of its school to the school's recipient; OUTSIDE ones carry the marker in the reference
and the serial."""

from django.utils import timezone

from digileap.devices import lifecycle
from digileap.devices.models import Assignment, DeviceStatus, Recipient
from digileap.devices.tests.factories import DeviceFactory, RecipientFactory
from digileap.programmes.tests.factories import ProgrammeFactory


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    for side, school in (("INSIDE", world.school), ("OUTSIDE", world.other_school)):
        programme = ProgrammeFactory(
            code=f"{side}-recipients-programme", name={"en": f"{side} recipients programme"}, authority=school.authority
        )
        recipient = RecipientFactory(
            school=school, reference=f"{side}-P-001", group=f"{side}-5A", kind=Recipient.Kind.PUPIL
        )
        device = DeviceFactory(programme=programme, school=school, serial=f"{side}-SN-R001")
        moment = timezone.now()
        assignment = Assignment.objects.create(
            device=device, recipient=recipient, kit=["charger", "bag"], assigned_at=moment
        )
        lifecycle.device_transition(
            device=device, status=DeviceStatus.DEPLOYED, actor=None, at=moment, check_permission=False
        )
        objects.setdefault("devices.recipient", []).append(recipient)
        objects.setdefault("devices.assignment", []).append(assignment)
    return {label: tuple(pair) for label, pair in objects.items()}
