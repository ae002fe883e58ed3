"""The lifecycle: allowed steps, the one transition service, bulk first events, and the status check."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.bulk import bulk_insert
from digileap.devices import lifecycle
from digileap.devices.models import Device, DeviceEvent, DeviceStatus

from .factories import DeviceFactory, ProgrammeFactory

S = DeviceStatus


def test_every_status_has_its_steps_and_retired_is_final():
    assert set(lifecycle.TRANSITIONS) == set(DeviceStatus.values)
    assert lifecycle.allowed_next(S.RETIRED) == []
    assert lifecycle.allowed_next(S.DEPLOYED) == ["in_stock", "delivered", "in_repair", "lost_stolen", "retired"]
    assert lifecycle.allowed_next(S.LOST_STOLEN) == ["delivered", "retired"]


def test_refused_step_names_both_statuses():
    with pytest.raises(ValidationError) as error:
        lifecycle.check_transition(S.RETIRED, S.DEPLOYED)
    assert error.value.message_dict == {"status": ["A device that is Retired cannot become Deployed."]}
    with pytest.raises(ValidationError) as error:
        lifecycle.check_transition(S.DELIVERED, "melted")
    assert error.value.message_dict == {"status": ["Unknown status 'melted'."]}


def test_transition_appends_an_event_and_derives_the_status(world, role_users):
    programme = ProgrammeFactory(authority=world.authority)
    delivered_at = timezone.make_aware(datetime.datetime(2025, 3, 1, 8, 0))
    device = DeviceFactory(programme=programme, school=world.school, serial="SN-1", status_changed_at=delivered_at)
    at = timezone.make_aware(datetime.datetime(2025, 3, 4, 10, 0))
    event = lifecycle.device_transition(
        device=device, status=S.DEPLOYED, actor=role_users[Role.SCHOOL_COORDINATOR], reason="handed out", at=at
    )
    device.refresh_from_db()
    assert (device.status, device.status_changed_at, device.first_deployed_on) == (
        "deployed",
        at,
        datetime.date(2025, 3, 4),
    )
    assert (event.previous_status, event.status, event.actor_label, event.reason) == (
        "delivered",
        "deployed",
        "school_coordinator-user",
        "handed out",
    )
    assert list(device.events.values_list("previous_status", "status")) == [
        ("", "delivered"),
        ("delivered", "deployed"),
    ]
    assert lifecycle.device_status_check() == []


def test_transition_outside_the_scope_is_refused_and_writes_nothing(world, role_users):
    programme = ProgrammeFactory(authority=world.other_authority)
    device = DeviceFactory(programme=programme, school=world.other_school)
    with pytest.raises(PermissionDenied):
        lifecycle.device_transition(device=device, status=S.RETIRED, actor=role_users[Role.SCHOOL_COORDINATOR])
    assert DeviceEvent.objects.filter(device=device).count() == 1
    assert Device.objects.get(pk=device.pk).status == "delivered"


def test_first_events_in_bulk_and_a_mismatch_is_found(world):
    programme = ProgrammeFactory(authority=world.authority)
    device = DeviceFactory(programme=programme, school=world.school, status=S.IN_STOCK)
    DeviceEvent.objects.filter(device=device).delete()
    at = timezone.now()
    rows = list(lifecycle.initial_event_rows([device.pk], status=S.IN_STOCK, actor="import", at=at))
    bulk_insert(DeviceEvent, lifecycle.initial_event_fields(), rows)
    assert lifecycle.device_status_check() == []
    Device.objects.filter(pk=device.pk).update(status=S.RETIRED)
    assert lifecycle.device_status_check() == [(device.pk, "retired", "in_stock")]
    with pytest.raises(ValidationError):
        list(lifecycle.initial_event_rows([1], status=S.DEPLOYED, actor=None, at=at))


def test_the_database_refuses_to_change_an_event(world):
    device = DeviceFactory(programme=ProgrammeFactory(authority=world.authority), school=world.school)
    with pytest.raises(DatabaseError), transaction.atomic():
        DeviceEvent.objects.filter(device=device).update(reason="rewritten")
    assert DeviceEvent.objects.get(device=device).reason == "factory"
