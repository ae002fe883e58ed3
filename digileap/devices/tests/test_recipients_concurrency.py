"""Twenty coordinators scan the same device at the same moment: exactly one hand-out lands.

The device's row lock makes the others wait; each then finds the open assignment and gets the
message naming it. The partial unique constraint ``one_open_assignment_per_device`` stays the
last guard. PostgreSQL only: SQLite serialises writers itself.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.devices.models import Assignment, DeviceEvent, DeviceStatus
from digileap.devices.services.assignments import device_assign
from digileap.devices.tests.factories import DeviceFactory, RecipientFactory
from digileap.programmes.tests.factories import ProgrammeFactory

ATTEMPTS = 20


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_hand_outs_of_one_device(world, role_users):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; row locks need PostgreSQL")
    actor = role_users[Role.SCHOOL_COORDINATOR]
    device = DeviceFactory(
        programme=ProgrammeFactory(authority=world.school.authority), school=world.school, serial="SN-RACE"
    )
    recipients = [RecipientFactory(school=world.school, reference=f"P-{n:02d}") for n in range(ATTEMPTS)]
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def hand_out(recipient) -> None:
        try:
            barrier.wait()
            assignment = device_assign(device=device, recipient=recipient, actor=actor)
            result = ("assigned", assignment.recipient.reference)
        except ValidationError as error:
            result = ("refused", error.messages[0])
        except Exception as error:  # noqa: BLE001  (any other outcome fails the test below)
            result = ("error", repr(error))
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=hand_out, args=(recipient,)) for recipient in recipients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assignment = Assignment.objects.select_related("recipient").get()
    winner = assignment.recipient.reference
    expected = f"Device SN-RACE is already handed out to {winner} (since {timezone.localdate(assignment.assigned_at).isoformat()})."
    assert sorted(outcomes) == sorted([("assigned", winner)] + [("refused", expected)] * (ATTEMPTS - 1))
    device.refresh_from_db()
    assert device.status == DeviceStatus.DEPLOYED
    assert list(DeviceEvent.objects.filter(device=device).order_by("id").values_list("status", flat=True)) == [
        "delivered",
        "deployed",
    ]
