"""``manage.py check_device_status``: statuses against their newest lifecycle events."""

import io
import json

import pytest
from django.core.management import call_command

from digileap.devices.models import Device

from .test_devices_list import make_fleet


def run() -> tuple[int, dict, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_device_status", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue()), err.getvalue()


def test_every_status_agrees_with_its_events(world):
    make_fleet(world)
    assert run() == (0, {"devices": 6, "mismatched": 0}, "")


def test_a_status_written_behind_the_lifecycle_is_found(world):
    fleet = make_fleet(world)
    Device.objects.filter(pk=fleet.a1.pk).update(status="retired")
    Device.objects.filter(pk=fleet.a2.pk).update(status="delivered")
    code, summary, errors = run()
    assert (code, summary) == (1, {"devices": 6, "mismatched": 2})
    assert errors.splitlines() == [
        f"device {fleet.a1.pk}: status 'retired', its events say 'delivered'",
        f"device {fleet.a2.pk}: status 'delivered', its events say 'in_repair'",
    ]


def test_no_devices(db):
    assert run() == (0, {"devices": 0, "mismatched": 0}, "")


@pytest.mark.parametrize("count", [23])
def test_only_the_first_mismatches_are_named(world, count):
    from .factories import DeviceFactory

    devices = [DeviceFactory(school=world.school, programme__authority=world.authority) for _ in range(count)]
    Device.objects.filter(pk__in=[device.pk for device in devices]).update(status="retired")
    code, summary, errors = run()
    assert (code, summary) == (1, {"devices": 23, "mismatched": 23})
    lines = errors.splitlines()
    assert len(lines) == 21 and lines[-1] == "... and 3 more"
