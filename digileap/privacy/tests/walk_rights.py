"""INSIDE and OUTSIDE erasures for the permission walk: a recipient of each side's school erased
(tombstone and school carry the side's marker). The export and erasure routes take the devices
app's recipients (``devices/tests/walk_recipients.py``)."""

from django.utils import timezone

from digileap.devices.tests.factories import RecipientFactory
from digileap.privacy.models import Erasure


def extend(*, world, role_users) -> dict:
    erasures = []
    for side, school in (("INSIDE", world.school), ("OUTSIDE", world.other_school)):
        tombstone = f"ERASED-{side}-1"
        recipient = RecipientFactory(
            school=school, reference=tombstone, group="", is_active=False, erased_at=timezone.now()
        )
        erasures.append(Erasure.objects.create(recipient=recipient, tombstone=tombstone, reason="request"))
    return {"privacy.erasure": tuple(erasures)}
