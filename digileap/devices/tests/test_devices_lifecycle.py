"""A device's page, its status change (service and page) and the edit of its identifiers."""

import base64

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices import lifecycle
from digileap.devices.models import Assignment, Device, DeviceEvent, Recipient, Ticket
from digileap.devices.services.devices import device_change_status, device_update, normalise_mac
from digileap.schools.tests.factories import SiteFactory

from .test_devices_list import make_fleet

DEPLOYED_MESSAGE = (
    "A device becomes deployed when it is handed out to a pupil or teacher: use the hand-out of its school."
)
LOANED_MESSAGE = "A device is loaned out as a replacement from an aftercare ticket: set it on the ticket."


@pytest.fixture
def fleet(world):
    return make_fleet(world)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail(device) -> str:
    return reverse("devices:device-detail", kwargs={"pk": device.pk})


def transition_url(device) -> str:
    return reverse("devices:device-transition", kwargs={"pk": device.pk})


def update_url(device) -> str:
    return reverse("devices:device-update", kwargs={"pk": device.pk})


def history(device) -> list[tuple]:
    return list(
        DeviceEvent.objects.filter(device=device).order_by("occurred_at", "id").values_list("previous_status", "status")
    )


# The service.


def test_a_status_change_appends_an_event_and_is_audited(role_users, fleet):
    user = role_users[Role.SCHOOL_COORDINATOR]
    event = device_change_status(device=fleet.a1, status="in_repair", reason="  Screen broken  ", actor=user)
    device = Device.objects.get(pk=fleet.a1.pk)
    assert (device.status, device.status_changed_at) == ("in_repair", event.occurred_at)
    assert (event.previous_status, event.status, event.reason, event.actor_id, event.actor_label) == (
        "delivered",
        "in_repair",
        "Screen broken",
        user.pk,
        user.get_username(),
    )
    assert history(device) == [("", "delivered"), ("delivered", "in_repair")]
    audit = AuditEvent.objects.filter(object_type="devices.device", object_id=str(device.pk)).get()
    assert (audit.action, audit.before, audit.after) == (
        "transition",
        {"status": "delivered"},
        {"status": "in_repair", "reason": "Screen broken", "event": event.pk},
    )
    assert lifecycle.device_status_check() == []


def test_the_delivered_date_is_kept_from_the_first_delivery(role_users, fleet):
    user = role_users[Role.ADMINISTRATOR]
    device_change_status(device=fleet.c1, status="delivered", reason="brought to school", actor=user)
    assert Device.objects.get(pk=fleet.c1.pk).delivered_on.isoformat() == "2024-08-30"


@pytest.mark.parametrize(
    "status, reason, errors",
    [
        ("deployed", "x", {"status": [DEPLOYED_MESSAGE]}),
        ("loaned_out", "x", {"status": [LOANED_MESSAGE]}),
        ("ordered", "x", {"status": ["A device that is Delivered cannot become Ordered."]}),
        ("delivered", "x", {"status": ["A device that is Delivered cannot become Delivered."]}),
        ("broken", "x", {"status": ["'broken' is not a status. Use one of: ordered, in_stock, delivered, deployed, "
                                    "in_repair, loaned_out, lost_stolen, returned, retired."]}),
        (None, "x", {"status": ["None is not a status. Use one of: ordered, in_stock, delivered, deployed, in_repair, "
                                "loaned_out, lost_stolen, returned, retired."]}),
        ("in_repair", "   ", {"reason": ["Give the reason for the change."]}),
        ("in_repair", None, {"reason": ["Give the reason for the change."]}),
        ("in_repair", "x" * 501, {"reason": ["Keep the reason to 500 characters (it has 501)."]}),
        ("deployed", "", {"status": [DEPLOYED_MESSAGE], "reason": ["Give the reason for the change."]}),
    ],
)  # fmt: skip
def test_refused_changes_write_nothing(status, reason, errors, role_users, fleet):
    before = (DeviceEvent.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        device_change_status(device=fleet.a1, status=status, reason=reason, actor=role_users[Role.ADMINISTRATOR])
    assert caught.value.message_dict == errors
    assert (DeviceEvent.objects.count(), AuditEvent.objects.count()) == before
    assert Device.objects.get(pk=fleet.a1.pk).status == "delivered"


def test_a_retired_device_moves_no_more(role_users, fleet):
    admin = role_users[Role.ADMINISTRATOR]
    device_change_status(device=fleet.a1, status="retired", reason="end of life", actor=admin)
    with pytest.raises(ValidationError) as caught:
        device_change_status(device=fleet.a1, status="delivered", reason="again", actor=admin)
    assert caught.value.message_dict == {"status": ["A device that is Retired cannot become Delivered."]}


@pytest.mark.parametrize(
    "role, allowed",
    [
        (Role.ADMINISTRATOR, True),
        (Role.PROGRAMME_OWNER, True),
        (Role.OPERATOR_STAFF, True),
        (Role.SCHOOL_COORDINATOR, True),
        (Role.SUPPLIER, True),
        (Role.FUNDING_ADMINISTRATOR, False),
        (Role.AUDITOR, False),
    ],
)
def test_who_may_change_a_status(role, allowed, role_users, fleet):
    user = role_users[role]
    if allowed:
        device_change_status(device=fleet.a1, status="in_repair", reason="r", actor=user)
        assert Device.objects.get(pk=fleet.a1.pk).status == "in_repair"
    else:
        with pytest.raises(PermissionDenied):
            device_change_status(device=fleet.a1, status="in_repair", reason="r", actor=user)
    if role != Role.ADMINISTRATOR:
        with pytest.raises(PermissionDenied):
            device_change_status(device=fleet.x1, status="in_repair", reason="r", actor=user)
    assert Device.objects.get(pk=fleet.x1.pk).status == "delivered"


# The identifiers.


def test_identifiers_are_cleaned_and_only_changes_audited(role_users, world, fleet):
    site = SiteFactory(school=world.school, name="Main building")
    hash_text = base64.b64encode(b"hardware" * 10).decode()
    device = device_update(
        device=fleet.a1,
        data={
            "asset_tag": " TAG-9 ",
            "site": site,
            "mac_address": "aa-bb-cc-dd-ee-0f",
            "autopilot_hash": hash_text[:20] + "\n " + hash_text[20:],
            "windows_product_id": " 00330-80000-00000-AA123 ",
            "google_device_id": "",
        },
        actor=role_users[Role.SCHOOL_COORDINATOR],
    )
    stored = Device.objects.get(pk=device.pk)
    assert (stored.asset_tag, stored.site_id, stored.mac_address, stored.autopilot_hash, stored.windows_product_id) == (
        "TAG-9",
        site.pk,
        "AA:BB:CC:DD:EE:0F",
        hash_text,
        "00330-80000-00000-AA123",
    )
    audit = AuditEvent.objects.get(object_type="devices.device", object_id=str(device.pk))
    assert audit.action == "update"
    assert sorted(audit.after) == ["asset_tag", "autopilot_hash", "mac_address", "site", "windows_product_id"]
    assert audit.before["asset_tag"] == "TAG-1"
    device_update(device=stored, data={"asset_tag": "TAG-9"}, actor=role_users[Role.SCHOOL_COORDINATOR])
    assert AuditEvent.objects.filter(object_type="devices.device").count() == 1


@pytest.mark.parametrize(
    "value, expected",
    [
        ("001A2B3C4D5E", "00:1A:2B:3C:4D:5E"),
        ("001a.2b3c.4d5e", "00:1A:2B:3C:4D:5E"),
        ("00 1A 2B 3C 4D 5E", "00:1A:2B:3C:4D:5E"),
    ],
)
def test_mac_addresses_are_normalised(value, expected):
    assert normalise_mac(value) == expected


@pytest.mark.parametrize(
    "data, errors",
    [
        ({"mac_address": "00:1A:2B:3C:4D"}, {"mac_address": ["'00:1A:2B:3C:4D' is not a MAC address: give 12 "
                                                            "hexadecimal digits, as in 00:1A:2B:3C:4D:5E."]}),
        ({"autopilot_hash": "not base64!"}, {"autopilot_hash": ["The hardware hash must be the Base64 text Windows "
                                                                "gives (Get-WindowsAutopilotInfo)."]}),
        ({"asset_tag": 12}, {"asset_tag": ["Give this as text."]}),
        ({"asset_tag": "x" * 65}, {"asset_tag": ["Ensure this value has at most 64 characters (it has 65)."]}),
        ({"serial": "NEW"}, {"serial": ["This cannot be changed here."]}),
    ],
)  # fmt: skip
def test_bad_identifiers_are_refused(data, errors, role_users, fleet):
    with pytest.raises(ValidationError) as caught:
        device_update(device=fleet.a1, data=data, actor=role_users[Role.OPERATOR_STAFF])
    assert caught.value.message_dict == errors
    assert Device.objects.get(pk=fleet.a1.pk).asset_tag == "TAG-1"
    assert not AuditEvent.objects.filter(object_type="devices.device").exists()


def test_a_site_of_another_school_is_refused(role_users, world, fleet):
    site = SiteFactory(school=fleet.school_b, name="Annex")
    with pytest.raises(ValidationError) as caught:
        device_update(device=fleet.a1, data={"site": site}, actor=role_users[Role.ADMINISTRATOR])
    assert caught.value.message_dict == {"site": ["Annex is not a site of INSIDE school, the device's school."]}


def test_identifiers_are_not_changed_by_readers(role_users, fleet):
    for role in (Role.AUDITOR, Role.FUNDING_ADMINISTRATOR):
        with pytest.raises(PermissionDenied):
            device_update(device=fleet.a1, data={"asset_tag": "X"}, actor=role_users[role])


# The pages.


def test_the_detail_page(role_users, world, fleet):
    recipient = Recipient.objects.create(school=world.school, reference="P-0042", group="5B")
    now = timezone.now()
    Assignment.objects.create(
        device=fleet.a1, recipient=recipient, kit=["charger", "bag"], assigned_at=now, returned_at=now,
        return_note="left school",
    )  # fmt: skip
    Ticket.objects.create(device=fleet.a1, school=world.school, category="hardware", description="keys", opened_at=now)
    device_change_status(device=fleet.a1, status="in_repair", reason="keyboard", actor=role_users[Role.ADMINISTRATOR])
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).get(detail(fleet.a1))
    assert response.status_code == 200
    text = response.content.decode()
    for shown in ("Device A-001", "TAG-1", "L14", "INSIDE school", "INSIDE operator", "Fleet programme",
                  "INSIDE supplier", "P-0042", "5B", "charger, bag", "left school", "Hardware defect", "keyboard",
                  "factory", "In repair"):  # fmt: skip
        assert shown in text, shown
    assert [(e.previous_status, e.status) for e in response.context["events"]] == [
        ("", "delivered"),
        ("delivered", "in_repair"),
    ]
    assert [event.action for event in response.context["history"]] == ["transition"]
    options = response.context["status_form"].fields["status"].widget.choices
    assert [value for value, _label in options] == ["", "in_stock", "delivered", "returned", "retired"]
    assert DEPLOYED_MESSAGE in text and LOANED_MESSAGE in text


def test_suppliers_see_no_recipients(role_users, world, fleet):
    recipient = Recipient.objects.create(school=world.school, reference="P-0042")
    Assignment.objects.create(device=fleet.a1, recipient=recipient, assigned_at=timezone.now())
    response = signed_in(role_users[Role.SUPPLIER]).get(detail(fleet.a1))
    assert response.status_code == 200
    assert "P-0042" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.TEACHER, Role.DATA_PROTECTION_OFFICER])
def test_a_role_without_device_grants_opens_no_device_page(role, role_users, fleet):
    assert signed_in(role_users[role]).get(detail(fleet.a1)).status_code == 404


@pytest.mark.parametrize("role", [role for role in Role if role not in (Role.TEACHER, Role.DATA_PROTECTION_OFFICER)])
def test_the_detail_page_per_role(role, role_users, fleet):
    client = signed_in(role_users[role])
    visible = role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR)
    assert client.get(detail(fleet.c1)).status_code == (200 if visible or role == Role.SUPPLIER else 404)
    assert client.get(detail(fleet.x1)).status_code == (200 if role == Role.ADMINISTRATOR else 404)
    response = client.get(detail(fleet.a1))
    assert response.status_code == 200
    can_change = role not in (Role.AUDITOR, Role.FUNDING_ADMINISTRATOR)
    assert (response.context["status_form"] is not None) is can_change
    assert ("Edit identifiers" in response.content.decode()) is can_change


def test_the_status_form_moves_the_device(role_users, fleet):
    client = signed_in(role_users[Role.OPERATOR_STAFF])
    response = client.post(transition_url(fleet.a1), {"status": "lost_stolen", "reason": "stolen from the bus"})
    assert response.status_code == 302 and response["Location"] == detail(fleet.a1)
    assert Device.objects.get(pk=fleet.a1.pk).status == "lost_stolen"
    assert "A-001 is now lost or stolen." in client.get(detail(fleet.a1)).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"status": "deployed", "reason": "x"}, DEPLOYED_MESSAGE),
        ({"status": "in_repair", "reason": ""}, "Give the reason for the change."),
        ({"status": "ordered", "reason": "x"}, "A device that is Delivered cannot become Ordered."),
        ({}, "&#x27;&#x27; is not a status."),
    ],
)
def test_the_status_form_shows_what_is_wrong(data, message, role_users, fleet):
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).post(transition_url(fleet.a1), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert history(fleet.a1) == [("", "delivered")]


def test_the_status_form_is_post_only_and_scoped(role_users, fleet):
    assert signed_in(role_users[Role.ADMINISTRATOR]).get(transition_url(fleet.a1)).status_code == 405
    data = {"status": "in_repair", "reason": "x"}
    assert signed_in(role_users[Role.AUDITOR]).post(transition_url(fleet.a1), data).status_code == 403
    assert signed_in(role_users[Role.OPERATOR_STAFF]).post(transition_url(fleet.x1), data).status_code == 404
    assert signed_in(role_users[Role.OPERATOR_STAFF]).post(transition_url(fleet.c1), data).status_code == 404
    assert Client().post(transition_url(fleet.a1), data).status_code == 302
    assert history(fleet.a1) == [("", "delivered")]


def test_the_edit_page(role_users, world, fleet):
    site = SiteFactory(school=world.school, name="Main building")
    SiteFactory(school=fleet.school_b, name="Not here")
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    page = client.get(update_url(fleet.a1))
    assert page.status_code == 200
    assert [str(choice[1]) for choice in page.context["form"].fields["site"].choices] == ["No site", "Main building"]
    response = client.post(update_url(fleet.a1), {"asset_tag": "T-2", "site": site.pk, "mac_address": "0011.2233.4455"})
    assert response.status_code == 302
    stored = Device.objects.get(pk=fleet.a1.pk)
    assert (stored.asset_tag, stored.site_id, stored.mac_address) == ("T-2", site.pk, "00:11:22:33:44:55")
    response = client.post(update_url(fleet.a1), {"mac_address": "nope"})
    assert response.status_code == 200
    assert "&#x27;nope&#x27; is not a MAC address" in response.content.decode()
    assert signed_in(role_users[Role.AUDITOR]).get(update_url(fleet.a1)).status_code == 403
    assert signed_in(role_users[Role.OPERATOR_STAFF]).get(update_url(fleet.x1)).status_code == 404
