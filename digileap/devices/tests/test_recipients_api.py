"""API of recipients and assignments: /api/recipients/ and /api/assignments/."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.devices.models import Assignment, DeviceStatus, Recipient
from digileap.devices.services.assignments import device_assign
from digileap.devices.tests.factories import DeviceFactory, RecipientFactory
from digileap.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

RECIPIENTS = "/api/recipients/"
ASSIGNMENTS = "/api/assignments/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def device_at(school, serial):
    return DeviceFactory(programme=ProgrammeFactory(authority=school.authority), school=school, serial=serial)


@pytest.mark.parametrize(
    "role,references",
    [
        (Role.ADMINISTRATOR, ["IN-1", "OUT-1"]),
        (Role.PROGRAMME_OWNER, ["IN-1"]),
        (Role.OPERATOR_STAFF, ["IN-1"]),
        (Role.SCHOOL_COORDINATOR, ["IN-1"]),
        (Role.SUPPLIER, None),
        (Role.AUDITOR, ["IN-1"]),
    ],
)
def test_list_within_the_scope(role, references, world, role_users):
    RecipientFactory(school=world.school, reference="IN-1")
    RecipientFactory(school=world.other_school, reference="OUT-1")
    response = signed_in(role_users[role]).get(RECIPIENTS)
    if references is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == references


def test_create_update_deactivate(world, role_users):
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    response = post(
        client,
        RECIPIENTS,
        {
            "school": world.school.pk,
            "reference": "P-1",
            "kind": "pupil",
            "grade": 5,
            "group": "5A",
            "display_name": "Anna",
        },  # fmt: skip
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {key: body[key] for key in ("reference", "grade", "group", "display_name", "source", "has_device")} == {
        "reference": "P-1",
        "grade": 5,
        "group": "5A",
        "display_name": "",
        "source": "manual",
        "has_device": False,
    }
    recipient = Recipient.objects.get()
    assert recipient.display_name == ""
    response = patch(client, f"{RECIPIENTS}{recipient.pk}/", {"grade": 6})
    assert response.status_code == 200
    assert response.json()["grade"] == 6
    response = client.post(f"{RECIPIENTS}{recipient.pk}/deactivate/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    # No DELETE: a recipient's hand-outs stay on record (the role check answers first).
    assert client.delete(f"{RECIPIENTS}{recipient.pk}/").status_code == 403
    assert Recipient.objects.filter(pk=recipient.pk).exists()


def test_create_errors_name_the_field(world, role_users):
    RecipientFactory(school=world.school, reference="P-1")
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    response = post(client, RECIPIENTS, {"school": world.school.pk, "reference": "P-1"})
    assert response.status_code == 400
    assert response.json() == {"reference": ["The reference P-1 is already used at INSIDE school."]}
    response = post(client, RECIPIENTS, {"school": world.other_school.pk, "reference": "P-2"})
    assert response.status_code == 400
    assert list(response.json()) == ["school"]
    response = post(client, RECIPIENTS, {"school": world.school.pk, "reference": "P-3", "grade": 20})
    assert response.status_code == 400
    assert response.json() == {"grade": ["The grade must be a whole number from 0 to 13."]}


def test_the_school_cannot_change(world, role_users):
    recipient = RecipientFactory(school=world.school)
    from digileap.schools.tests.factories import SchoolFactory

    sister = SchoolFactory(operator=world.operator, authority=world.authority)
    response = patch(signed_in(role_users[Role.OPERATOR_STAFF]), f"{RECIPIENTS}{recipient.pk}/", {"school": sister.pk})
    assert response.status_code == 400
    assert response.json() == {"school": ["This cannot be changed; add the pupil at the new school."]}


def test_names_in_the_api_when_stored(world, role_users, settings):
    settings.PUPIL_NAMES_ENABLED = True
    response = post(
        signed_in(role_users[Role.SCHOOL_COORDINATOR]),
        RECIPIENTS,
        {"school": world.school.pk, "reference": "P-1", "display_name": "Anna Berzina"},
    )
    assert response.json()["display_name"] == "Anna Berzina"


def test_filters(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    RecipientFactory(school=world.school, reference="P-1", group="5A")
    holder = RecipientFactory(school=world.school, reference="P-2", group="5B")
    device_assign(device=device_at(world.school, "SN-1"), recipient=holder, actor=actor)
    client = signed_in(actor)

    def references(query):
        return [row["reference"] for row in client.get(RECIPIENTS, query).json()["results"]]

    assert references({"group": "5A"}) == ["P-1"]
    assert references({"has_device": "true"}) == ["P-2"]
    assert references({"has_device": "false"}) == ["P-1"]
    assert references({"school": world.other_school.pk}) == []


def test_outside_objects_are_404(world, role_users):
    recipient = RecipientFactory(school=world.other_school, reference="OUTSIDE-1")
    client = signed_in(role_users[Role.OPERATOR_STAFF])
    assert client.get(f"{RECIPIENTS}{recipient.pk}/").status_code == 404
    assert patch(client, f"{RECIPIENTS}{recipient.pk}/", {"grade": 9}).status_code == 404
    assert client.post(f"{RECIPIENTS}{recipient.pk}/deactivate/").status_code == 404


def test_the_auditor_writes_nothing(world, role_users):
    recipient = RecipientFactory(school=world.school)
    client = signed_in(role_users[Role.AUDITOR])
    assert post(client, RECIPIENTS, {"school": world.school.pk, "reference": "P-9"}).status_code == 403
    assert patch(client, f"{RECIPIENTS}{recipient.pk}/", {"grade": 9}).status_code == 403
    assert client.post(f"{RECIPIENTS}{recipient.pk}/deactivate/").status_code == 403
    assert Recipient.objects.count() == 1


# -- assignments -----------------------------------------------------------------------------------


def test_assign_through_the_api(world, role_users):
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    device = device_at(world.school, "SN-1")
    recipient = RecipientFactory(school=world.school, reference="P-1")
    response = post(client, ASSIGNMENTS, {"device": device.pk, "recipient": recipient.pk, "kit": ["charger"]})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["serial"], body["reference"], body["kit"], body["returned_at"]) == ("SN-1", "P-1", ["charger"], None)
    device.refresh_from_db()
    assert device.status == DeviceStatus.DEPLOYED
    listed = client.get(ASSIGNMENTS, {"is_open": "true"}).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]


def test_assign_twice_is_a_clear_400(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    device = device_at(world.school, "SN-1")
    device_assign(
        device=device,
        recipient=RecipientFactory(school=world.school, reference="P-1"),
        actor=actor,
        at=timezone.make_aware(datetime.datetime(2025, 9, 3, 8, 0)),
    )
    response = post(
        signed_in(actor), ASSIGNMENTS, {"device": device.pk, "recipient": RecipientFactory(school=world.school).pk}
    )
    assert response.status_code == 400
    assert response.json() == {"device": ["Device SN-1 is already handed out to P-1 (since 2025-09-03)."]}


def test_assign_outside_the_scope(world, role_users):
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    device = device_at(world.other_school, "SN-OUT")
    recipient = RecipientFactory(school=world.other_school)
    response = post(client, ASSIGNMENTS, {"device": device.pk, "recipient": recipient.pk})
    assert response.status_code == 400
    assert set(response.json()) == {"device", "recipient"}
    assert not Assignment.objects.exists()


def test_return_through_the_api(world, role_users):
    actor = role_users[Role.OPERATOR_STAFF]
    device = device_at(world.school, "SN-1")
    assignment = device_assign(device=device, recipient=RecipientFactory(school=world.school), actor=actor)
    client = signed_in(actor)
    url = f"{ASSIGNMENTS}{assignment.pk}/return/"
    response = post(client, url, {"kit_returned": ["charger", "bag"], "condition": "good", "note": "fine"})
    assert response.status_code == 200, response.json()
    assert (response.json()["kit_returned"], response.json()["return_note"]) == (["charger", "bag"], "fine")
    device.refresh_from_db()
    assert device.status == DeviceStatus.DELIVERED
    again = post(client, url, {})
    assert again.status_code == 400
    assert again.json() == {"assignment": [f"Device SN-1 was already returned on {timezone.localdate().isoformat()}."]}
    assert post(client, url, {"condition": "broken"}).status_code == 400


def test_return_by_the_auditor_or_outside(world, role_users):
    admin = role_users[Role.ADMINISTRATOR]
    inside = device_assign(
        device=device_at(world.school, "SN-1"), recipient=RecipientFactory(school=world.school), actor=admin
    )
    outside = device_assign(
        device=device_at(world.other_school, "SN-2"), recipient=RecipientFactory(school=world.other_school), actor=admin
    )
    assert post(signed_in(role_users[Role.AUDITOR]), f"{ASSIGNMENTS}{inside.pk}/return/", {}).status_code == 403
    assert (
        post(signed_in(role_users[Role.SCHOOL_COORDINATOR]), f"{ASSIGNMENTS}{outside.pk}/return/", {}).status_code
        == 404
    )
    assert Assignment.objects.filter(returned_at__isnull=True).count() == 2


def test_the_schema_has_the_routes(client, role_users):
    client.force_login(role_users[Role.ADMINISTRATOR])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/recipients/", "/api/assignments/", "/api/assignments/{id}/return/"} <= set(schema["paths"])
