"""Pages of pupils' rights, role by role: the links on the recipient page, the rights page, the
exports as files, the erasure confirmation (the reference typed again) and the list of erasures
with its look-up."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.devices.services.assignments import device_return
from digileap.privacy.models import Erasure, PupilDataAccess

from .rights_world import at, pupil_history

EXPORTERS = {Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER, Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF}
ERASERS = {Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER}


@pytest.fixture
def history(world, role_users):
    return pupil_history(world, role_users)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_what_it_may(role, role_users, history):
    client = _client(role_users[role])
    pk = history.pupil.pk
    urls = {
        "rights": reverse("privacy:recipient-rights", kwargs={"pk": pk}),
        "json": reverse("privacy:recipient-export-json", kwargs={"pk": pk}),
        "pdf": reverse("privacy:recipient-export-pdf", kwargs={"pk": pk}),
        "erase": reverse("privacy:recipient-erase", kwargs={"pk": pk}),
    }
    statuses = {name: client.get(url).status_code for name, url in urls.items()}
    if role in ERASERS:
        assert statuses == {"rights": 200, "json": 200, "pdf": 200, "erase": 200}
    elif role in EXPORTERS:
        assert statuses == {"rights": 200, "json": 200, "pdf": 200, "erase": 403}
    else:
        assert statuses == {"rights": 404, "json": 404, "pdf": 404, "erase": 404}
    assert client.get(reverse("privacy:erasure-list")).status_code == (200 if role in ERASERS else 403)
    detail = client.get(reverse("devices:recipient-detail", kwargs={"pk": pk}))
    if detail.status_code == 200:
        page = detail.content.decode()
        assert (urls["json"] in page, urls["pdf"] in page) == (role in EXPORTERS, role in EXPORTERS)
        assert (urls["erase"] in page) is (role in ERASERS)


def test_the_json_export_is_a_file_and_a_logged_read(role_users, history):
    response = _client(role_users[Role.SCHOOL_COORDINATOR]).get(
        reverse("privacy:recipient-export-json", kwargs={"pk": history.pupil.pk})
    )
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="pupil-{history.pupil.pk}.json"'
    data = json.loads(response.content)
    assert [a["id"] for a in data["assignments"]] == [history.first.pk, history.second.pk]
    read = PupilDataAccess.objects.get(channel="export")
    assert (read.what, read.recipient_ids, read.path) == (
        "privacy:recipient-export-json",
        [history.pupil.pk],
        f"/privacy/rights/recipients/{history.pupil.pk}/export.json",
    )


def test_the_erasure_needs_the_reference_typed_and_the_device_back(role_users, history):
    client = _client(role_users[Role.DATA_PROTECTION_OFFICER])
    url = reverse("privacy:recipient-erase", kwargs={"pk": history.pupil.pk})
    page = client.get(url).content.decode()
    assert "This person still has device RIGHTS-SN-2. Record its return first, then erase." in page

    wrong = client.post(url, {"confirmation": "R-0002", "reason": "request"})
    assert wrong.status_code == 200
    assert "This is not the reference of the pupil or teacher to erase." in wrong.content.decode()
    held = client.post(url, {"confirmation": "R-0001", "reason": "request"})
    assert "R-0001 still has device RIGHTS-SN-2. Record its return first, then erase." in held.content.decode()
    assert not Erasure.objects.exists()

    device_return(assignment=history.second, actor=history.coordinator, at=at(2024, 5, 1))
    done = client.post(url, {"confirmation": "R-0001", "reason": "request", "note": "Letter of 2 May"})
    erasure = Erasure.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "privacy:recipient-rights", kwargs={"pk": history.pupil.pk}
    )
    assert (erasure.reason, erasure.note) == ("request", "Letter of 2 May")
    # Erased: the rights page says so and offers no second erasure; the list shows it.
    rights = client.get(done["Location"]).content.decode()
    assert erasure.tombstone in rights and url not in rights
    listing = client.get(reverse("privacy:erasure-list")).content.decode()
    assert erasure.tombstone in listing and "Letter of 2 May" in listing and "R-0001" not in listing


def test_the_officer_finds_a_pupil_by_school_and_reference(role_users, history, world):
    client = _client(role_users[Role.DATA_PROTECTION_OFFICER])
    found = client.get(reverse("privacy:erasure-list"), {"school": "1001", "reference": "R-0001"})
    assert found.status_code == 302
    assert found["Location"] == reverse("privacy:recipient-rights", kwargs={"pk": history.pupil.pk})
    missing = client.get(reverse("privacy:erasure-list"), {"school": "2002", "reference": "R-0001"})
    assert missing.status_code == 200
    assert "No pupil or teacher with this reference at this school in your scope." in missing.content.decode()
