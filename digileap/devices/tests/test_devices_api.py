"""``/api/devices/`` and ``/api/device-events/``: filters, cursor pages, detail with events, the
transition action, the identifiers, and every role's scope."""

import base64

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from digileap.accounts.models import Role
from digileap.devices.api.devices import DeviceSerializer
from digileap.devices.models import Device, DeviceEvent

from .test_devices_lifecycle import DEPLOYED_MESSAGE
from .test_devices_list import VISIBLE, make_fleet

DEVICES = reverse("device-list")
EVENTS = reverse("deviceevent-list")


@pytest.fixture
def fleet(world):
    return make_fleet(world)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def detail(device) -> str:
    return reverse("device-detail", kwargs={"pk": device.pk})


def transition(device) -> str:
    return reverse("device-transition", kwargs={"pk": device.pk})


def serials(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["serial"] for row in response.json()["results"]]


# Teachers (training) and data-protection officers have no device grants: the API refuses them
# (test_a_role_without_device_grants_reads_no_device).
NO_DEVICE_ROLES = [Role.TEACHER, Role.DATA_PROTECTION_OFFICER]
DEVICE_ROLES = [role for role in Role if role not in NO_DEVICE_ROLES]


@pytest.mark.parametrize("role", NO_DEVICE_ROLES)
def test_a_role_without_device_grants_reads_no_device(role, role_users, fleet):
    client = api(role_users[role])
    assert client.get(DEVICES).status_code == 403
    assert client.get(detail(fleet.a1)).status_code == 403
    assert client.post(transition(fleet.a1), {"status": "in_repair", "reason": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("role", DEVICE_ROLES)
def test_each_role_lists_its_devices(role, role_users, fleet):
    assert serials(api(role_users[role]).get(DEVICES)) == VISIBLE[role]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "delivered"}, ["A-001", "B-001", "X-OUTSIDE-1"]),
        ("status=deployed&status=in_repair", ["A-002", "A-003"]),
        ({"device_type": "tablet"}, ["B-001"]),
        ({"serial": " a-002 "}, ["A-002"]),
        ({"serial_prefix": "a-"}, ["A-001", "A-002", "A-003"]),
        ({"asset_tag": "TAG-1"}, ["A-001"]),
        ({"delivered_after": "2024-09-02"}, ["A-001", "B-001", "X-OUTSIDE-1"]),
        ({"delivered_before": "2024-09-01"}, ["A-002", "C-001"]),
        ({"delivered_after": "2024-09-01", "delivered_before": "2024-09-02"}, ["A-001", "A-002"]),
        ({"condition": "refurbished"}, ["A-002"]),
        ({"discrepancy": "damaged"}, ["A-002"]),
    ],
)
def test_filters(query, expected, role_users, fleet):
    client = api(role_users[Role.ADMINISTRATOR])
    response = client.get(f"{DEVICES}?{query}") if isinstance(query, str) else client.get(DEVICES, query)
    assert serials(response) == expected


def test_filters_by_related_ids(role_users, world, fleet):
    client = api(role_users[Role.ADMINISTRATOR])
    assert serials(client.get(DEVICES, {"school": world.school.pk, "status": "deployed"})) == ["A-003"]
    assert serials(client.get(DEVICES, {"programme": fleet.programme.pk})) == ["A-001", "A-002", "A-003", "B-001"]
    assert serials(client.get(DEVICES, {"device_model": fleet.tablet.pk})) == ["B-001"]
    assert serials(client.get(DEVICES, {"supplier": world.other_supplier.pk})) == ["B-001", "X-OUTSIDE-1"]
    # Outside the scope: nothing, and no error.
    assert serials(api(role_users[Role.OPERATOR_STAFF]).get(DEVICES, {"school": world.other_school.pk})) == []


def test_bad_filters_are_400(role_users, fleet):
    response = api(role_users[Role.ADMINISTRATOR]).get(DEVICES, {"status": "broken", "delivered_after": "x"})
    assert response.status_code == 400
    assert response.json() == {
        "status": ["Select a valid choice. broken is not one of the available choices."],
        "delivered_after": ["Enter a valid date."],
    }


def test_cursor_pages(role_users, fleet):
    client = api(role_users[Role.ADMINISTRATOR])
    first = client.get(DEVICES, {"page_size": 4}).json()
    assert set(first) == {"next", "previous", "results"}
    assert [row["serial"] for row in first["results"]] == ["A-001", "A-002", "A-003", "B-001"]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [row["serial"] for row in second["results"]] == ["C-001", "X-OUTSIDE-1"]
    assert second["next"] is None
    back = client.get(second["previous"]).json()
    assert [row["serial"] for row in back["results"]] == ["A-001", "A-002", "A-003", "B-001"]


def test_a_list_row_is_what_the_serializer_writes(role_users, fleet):
    rows = api(role_users[Role.ADMINISTRATOR]).get(DEVICES).json()["results"]
    expected = [DeviceSerializer(device).data for device in Device.objects.order_by("serial", "id")]
    assert rows == [dict(row) for row in expected]
    assert rows[0]["school"] == fleet.a1.school_id and rows[0]["delivered_on"] == "2024-09-02"


def test_the_detail_embeds_the_events(role_users, fleet):
    data = api(role_users[Role.SCHOOL_COORDINATOR]).get(detail(fleet.a2)).json()
    assert (data["serial"], data["status"], data["school_name"], data["device_model_name"]) == (
        "A-002",
        "in_repair",
        "INSIDE school",
        "L14",
    )
    assert data["allowed_statuses"] == ["in_stock", "delivered", "deployed", "returned", "retired"]
    assert [(e["previous_status"], e["status"], e["reason"]) for e in data["events"]] == [
        ("", "delivered", "factory"),
        ("delivered", "in_repair", "broken"),
    ]
    events = api(role_users[Role.SCHOOL_COORDINATOR]).get(reverse("device-events", kwargs={"pk": fleet.a2.pk}))
    assert events.json() == data["events"]


@pytest.mark.parametrize("role", DEVICE_ROLES)
def test_details_per_role(role, role_users, fleet):
    client = api(role_users[role])
    assert client.get(detail(fleet.a1)).status_code == 200
    assert client.get(detail(fleet.x1)).status_code == (200 if role == Role.ADMINISTRATOR else 404)
    events = reverse("device-events", kwargs={"pk": fleet.x1.pk})
    assert client.get(events).status_code == (200 if role == Role.ADMINISTRATOR else 404)


def test_the_transition_action(role_users, fleet):
    response = api(role_users[Role.OPERATOR_STAFF]).post(
        transition(fleet.a1), {"status": "in_repair", "reason": "hinge"}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "in_repair"
    assert [(e["status"], e["reason"], e["actor_label"]) for e in data["events"]][-1] == (
        "in_repair",
        "hinge",
        "operator_staff-user",
    )
    assert Device.objects.get(pk=fleet.a1.pk).status == "in_repair"


@pytest.mark.parametrize(
    "body, errors",
    [
        ({"status": "deployed", "reason": "x"}, {"status": [DEPLOYED_MESSAGE]}),
        ({"status": "in_repair"}, {"reason": ["Give the reason for the change."]}),
        ({"status": "ordered", "reason": "x"}, {"status": ["A device that is Delivered cannot become Ordered."]}),
        ({"reason": "x"}, {"status": ["This field is required."]}),
    ],
)
def test_refused_transitions_are_400(body, errors, role_users, fleet):
    response = api(role_users[Role.SCHOOL_COORDINATOR]).post(transition(fleet.a1), body, format="json")
    assert (response.status_code, response.json()) == (400, errors)
    assert DeviceEvent.objects.filter(device=fleet.a1).count() == 1


@pytest.mark.parametrize("role", DEVICE_ROLES)
def test_transitions_per_role(role, role_users, fleet):
    client = api(role_users[role])
    body = {"status": "in_repair", "reason": "x"}
    may_change = role not in (Role.AUDITOR, Role.FUNDING_ADMINISTRATOR)
    assert client.post(transition(fleet.a1), body, format="json").status_code == (200 if may_change else 403)
    # Without the grant the answer is 403 before any device is looked up; with it, outside is 404.
    outside = client.post(transition(fleet.x1), body, format="json").status_code
    assert outside == (200 if role == Role.ADMINISTRATOR else 404 if may_change else 403)


def test_patch_corrects_identifiers(role_users, world, fleet):
    hash_text = base64.b64encode(b"x" * 30).decode()
    response = api(role_users[Role.SUPPLIER]).patch(
        detail(fleet.a1), {"mac_address": "aabbccddeeff", "autopilot_hash": hash_text}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["mac_address"], response.json()["autopilot_hash"]) == ("AA:BB:CC:DD:EE:FF", hash_text)
    response = api(role_users[Role.SUPPLIER]).patch(detail(fleet.a1), {"mac_address": "zz"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "mac_address": ["'zz' is not a MAC address: give 12 hexadecimal digits, as in 00:1A:2B:3C:4D:5E."]
    }
    assert api(role_users[Role.AUDITOR]).patch(detail(fleet.a1), {"asset_tag": "X"}, format="json").status_code == 403
    outside = api(role_users[Role.OPERATOR_STAFF]).patch(detail(fleet.x1), {"asset_tag": "X"}, format="json")
    assert outside.status_code == 404
    # The serial comes from the delivery: read-only here.
    api(role_users[Role.ADMINISTRATOR]).patch(detail(fleet.a1), {"serial": "NEW"}, format="json")
    assert Device.objects.get(pk=fleet.a1.pk).serial == "A-001"


def test_no_create_no_delete(role_users, fleet):
    client = api(role_users[Role.ADMINISTRATOR])
    assert client.post(DEVICES, {"serial": "N"}, format="json").status_code == 405
    assert client.delete(detail(fleet.a1)).status_code == 405
    assert client.put(detail(fleet.a1), {}, format="json").status_code == 405


EVENT_SERIALS = {
    Role.ADMINISTRATOR: {"A-001", "A-002", "A-003", "B-001", "C-001", "X-OUTSIDE-1"},
    Role.OPERATOR_STAFF: {"A-001", "A-002", "A-003", "B-001"},
    Role.SCHOOL_COORDINATOR: {"A-001", "A-002", "A-003"},
    Role.SUPPLIER: {"A-001", "A-002", "A-003", "C-001"},
    Role.AUDITOR: {"A-001", "A-002", "A-003", "B-001", "C-001"},
}


@pytest.mark.parametrize("role", list(EVENT_SERIALS))
def test_device_events_per_role(role, role_users, fleet):
    rows = api(role_users[role]).get(EVENTS, {"page_size": 100}).json()["results"]
    assert {row["device_serial"] for row in rows} == EVENT_SERIALS[role]
    assert [row["id"] for row in rows] == list(
        DeviceEvent.objects.filter(device__serial__in=EVENT_SERIALS[role])
        .order_by("device_id", "occurred_at", "id")
        .values_list("id", flat=True)
    )


def test_device_events_by_device_and_pages(role_users, fleet):
    client = api(role_users[Role.ADMINISTRATOR])
    rows = client.get(EVENTS, {"device": fleet.a3.pk}).json()["results"]
    assert [(row["previous_status"], row["status"], row["reason"]) for row in rows] == [
        ("", "delivered", "factory"),
        ("delivered", "deployed", "handed out"),
    ]
    first = client.get(EVENTS, {"page_size": 5}).json()
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 5 and len(second["results"]) == 4
    assert {row["id"] for row in first["results"] + second["results"]} == set(
        DeviceEvent.objects.values_list("id", flat=True)
    )
    event = DeviceEvent.objects.filter(device=fleet.x1).first()
    assert api(role_users[Role.SUPPLIER]).get(reverse("deviceevent-detail", kwargs={"pk": event.pk})).status_code == 404
    assert client.post(EVENTS, {}, format="json").status_code == 405
