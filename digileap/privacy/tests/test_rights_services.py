"""Export (GDPR art. 15) and erasure (art. 17) of one recipient: what the export lists, exactly;
what erasure changes and keeps; its refusals; its audit entry; who may do either, role by role."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Q

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices.models import Assignment, DeviceEvent, Recipient, Ticket, UserAgreement
from digileap.devices.services.assignments import device_return
from digileap.devices.services.recipients import recipient_create, recipient_update
from digileap.devices.tests.factories import RecipientFactory
from digileap.privacy.models import Erasure, PupilDataAccess
from digileap.privacy.services import (
    REDACTED,
    TOMBSTONE_PREFIX,
    erase_recipient,
    export_recipient,
    export_recipient_pdf,
    may_erase,
    may_export,
)

from .rights_world import at, pupil_history

pytestmark = pytest.mark.django_db(transaction=False)

EXPORTERS = {Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER, Role.SCHOOL_COORDINATOR, Role.OPERATOR_STAFF}
ERASERS = {Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER}


@pytest.fixture
def history(world, role_users):
    return pupil_history(world, role_users)


def _return_tablet(history):
    device_return(assignment=history.second, actor=history.coordinator, at=at(2024, 5, 1))


def test_the_export_lists_everything_about_the_pupil_and_nothing_else(history, role_users):
    officer = role_users[Role.DATA_PROTECTION_OFFICER]
    data = export_recipient(actor=officer, recipient=history.pupil)

    assert data["format"] == "digileap-pupil-export"
    assert data["exported_by"] == officer.get_username()
    assert data["recipient"] == {
        "id": history.pupil.pk,
        "reference": "R-0001",
        "display_name": "",
        "kind": "pupil",
        "school": {"id": history.pupil.school_id, "number": "1001", "name": "INSIDE school"},
        "grade": 6,
        "group": "6B",
        "isced_level": 1,
        "eligibility_group": "low-income",
        "source": "manual",
        "is_active": True,
        "created_at": history.pupil.created_at.isoformat(),
        "erased_at": None,
    }
    assert data["erasure"] is None
    assert [a["id"] for a in data["assignments"]] == [history.first.pk, history.second.pk]
    assert [a["device"]["serial"] for a in data["assignments"]] == ["RIGHTS-SN-1", "RIGHTS-SN-2"]
    assert data["assignments"][0]["device"]["model"] == "ThinkPad 11e"
    assert data["assignments"][0]["kit"] == ["charger", "bag"]
    assert data["assignments"][0]["agreement"] == history.first_agreement.pk
    assert [(r["assignment"], r["kit_returned"], r["note"]) for r in data["returns"]] == [
        (history.first.pk, ["charger"], "R-0001 lost the bag")
    ]
    assert [(g["id"], g["status"], g["has_signed_scan"], g["signed_by"]) for g in data["agreements"]] == [
        (history.first_agreement.pk, "accepted", True, "parent"),
        (history.second_agreement.pk, "pending", False, ""),
    ]
    # T0 was before the pupil had the laptop, T3 is the next holder's.
    assert [(t["id"], t["description"]) for t in data["tickets"]] == [
        (history.t1.pk, "R-0001 spilled water"),
        (history.t2.pk, "Hinge loose"),
    ]
    assignment_ids = {history.first.pk, history.second.pk}
    expected_events = [
        e.pk
        for e in DeviceEvent.objects.order_by("occurred_at", "pk")
        if isinstance(e.data, dict) and e.data.get("assignment") in assignment_ids
    ]
    assert len(expected_events) == 3  # SN-1 handed out and returned, SN-2 handed out
    assert [e["id"] for e in data["device_events"]] == expected_events
    expected_history = list(
        AuditEvent.objects.filter(
            Q(object_type="devices.recipient", object_id=str(history.pupil.pk))
            | Q(object_type="devices.assignment", object_id__in=[str(i) for i in assignment_ids])
            | Q(
                object_type="devices.useragreement",
                object_id__in=[str(history.first_agreement.pk), str(history.second_agreement.pk)],
            )
        ).values_list("pk", flat=True)
    )
    assert len(expected_history) == 7  # created; 2 hand-outs, 1 return; 2 agreements, 1 accepted
    assert sorted(h["id"] for h in data["history"]) == sorted(expected_history)
    assert {h["object_type"] for h in data["history"]} == {
        "devices.recipient",
        "devices.assignment",
        "devices.useragreement",
    }
    # The two reads that showed the pupil, then this export itself; not the read of R-0002 alone.
    export_read = PupilDataAccess.objects.get(channel="export")
    assert [row["id"] for row in data["access_log"]] == [history.reads[0].pk, history.reads[1].pk, export_read.pk]
    assert data["access_log"][2]["what"] == "privacy:recipient-export-json"
    json.dumps(data)  # JSON-safe as it is


def test_an_export_is_logged_as_a_read_and_audited(history, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    export_recipient(actor=coordinator, recipient=history.pupil, path="/privacy/x")
    pdf = export_recipient_pdf(actor=coordinator, recipient=history.pupil, language="de")

    assert pdf.startswith(b"%PDF")
    reads = list(PupilDataAccess.objects.filter(channel="export").order_by("pk"))
    assert [(r.what, r.rows, r.recipient_ids, r.path, r.school_id) for r in reads] == [
        ("privacy:recipient-export-json", 1, [history.pupil.pk], "/privacy/x", history.pupil.school_id),
        ("privacy:recipient-export-pdf", 1, [history.pupil.pk], "", history.pupil.school_id),
    ]
    events = AuditEvent.objects.filter(action="export").order_by("pk")
    assert [(e.object_type, e.object_id, e.after) for e in events] == [
        ("devices.recipient", str(history.pupil.pk), {"format": "json"}),
        ("devices.recipient", str(history.pupil.pk), {"format": "pdf"}),
    ]


def test_erasure_anonymises_in_place_and_keeps_what_the_indicators_count(history, role_users):
    officer = role_users[Role.DATA_PROTECTION_OFFICER]
    _return_tablet(history)
    assert default_storage.exists(history.scan_name)
    events_before = DeviceEvent.objects.count()

    erasure = erase_recipient(actor=officer, recipient=history.pupil, reason="request", note="Letter of 2024-05-02")

    pupil = Recipient.objects.get(pk=history.pupil.pk)
    assert pupil.reference == erasure.tombstone
    assert pupil.reference.startswith(TOMBSTONE_PREFIX) and len(pupil.reference) == len(TOMBSTONE_PREFIX) + 12
    assert (pupil.display_name, pupil.group, pupil.is_active) == ("", "", False)
    assert pupil.erased_at is not None
    # Kept: what indicators and evidence count by.
    assert (pupil.school_id, pupil.kind, pupil.grade, pupil.isced_level, pupil.eligibility_group) == (
        history.pupil.school_id,
        "pupil",
        6,
        1,
        "low-income",
    )
    assert (erasure.reason, erasure.note, erasure.erased_by) == ("request", "Letter of 2024-05-02", officer)
    # Assignments stay (the devices' history), without their free text.
    assert list(Assignment.objects.filter(recipient=pupil).values_list("pk", "return_note").order_by("pk")) == [
        (history.first.pk, ""),
        (history.second.pk, ""),
    ]
    assert DeviceEvent.objects.count() == events_before
    first = UserAgreement.objects.get(pk=history.first_agreement.pk)
    assert (first.scan.name, first.scan_sha256, first.status, first.signed_by) == ("", "", "accepted", "parent")
    assert first.token != history.first_agreement.token
    # The scan file goes once the transaction commits (test_the_scan_file_is_deleted_after_commit).
    assert default_storage.exists(history.scan_name)
    assert list(Ticket.objects.order_by("pk").values_list("pk", "description", "resolution")) == [
        (history.t0.pk, "Slow start", "Reinstalled"),
        (history.t1.pk, REDACTED, REDACTED),
        (history.t2.pk, REDACTED, ""),
        (history.t3.pk, "R-0002 forgot the PIN", ""),
    ]
    # Another pupil is untouched.
    other = Recipient.objects.get(pk=history.other.pk)
    assert (other.reference, other.group, other.is_active) == ("R-0002", "6B", True)


def test_the_scan_file_is_deleted_after_commit(history, role_users, django_capture_on_commit_callbacks):
    _return_tablet(history)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        erase_recipient(actor=role_users[Role.ADMINISTRATOR], recipient=history.pupil, reason="retention")
    assert len(callbacks) == 1
    assert not default_storage.exists(history.scan_name)


def test_the_erasure_audit_entry_holds_no_erased_data(history, role_users):
    _return_tablet(history)
    erasure = erase_recipient(actor=role_users[Role.DATA_PROTECTION_OFFICER], recipient=history.pupil, reason="request")
    event = AuditEvent.objects.get(action="erase")
    assert (event.object_type, event.object_id, event.object_repr) == (
        "devices.recipient",
        str(history.pupil.pk),
        erasure.tombstone,
    )
    assert event.before is None
    assert event.after == {
        "recipient": history.pupil.pk,
        "tombstone": erasure.tombstone,
        "reason": "request",
        "assignments": 2,
        "agreements": 2,
        "signed_scans_deleted": 1,
        "tickets_redacted": 2,
    }
    text = json.dumps([event.after, event.object_repr])
    for erased in ("R-0001", "6B", "spilled", "lost the bag"):
        assert erased not in text


def test_the_export_after_erasure_shows_the_tombstone(history, role_users):
    _return_tablet(history)
    erasure = erase_recipient(actor=role_users[Role.ADMINISTRATOR], recipient=history.pupil, reason="request")
    data = export_recipient(actor=role_users[Role.DATA_PROTECTION_OFFICER], recipient=history.pupil)
    assert data["recipient"]["reference"] == erasure.tombstone
    assert data["erasure"]["tombstone"] == erasure.tombstone
    assert data["erasure"]["reason"] == "request"
    assert [a["id"] for a in data["assignments"]] == [history.first.pk, history.second.pk]
    assert "R-0001" not in json.dumps({k: v for k, v in data.items() if k != "history"})


def test_erasure_is_refused_while_the_pupil_holds_a_device(history, role_users):
    with pytest.raises(ValidationError) as refused:
        erase_recipient(actor=role_users[Role.DATA_PROTECTION_OFFICER], recipient=history.pupil, reason="request")
    assert refused.value.message_dict == {
        "recipient": ["R-0001 still has device RIGHTS-SN-2. Record its return first, then erase."]
    }
    assert Recipient.objects.get(pk=history.pupil.pk).reference == "R-0001"
    assert not Erasure.objects.exists()
    assert not AuditEvent.objects.filter(action="erase").exists()


def test_erasure_refuses_twice_a_wrong_reason_and_a_note_naming_the_pupil(history, role_users):
    officer = role_users[Role.DATA_PROTECTION_OFFICER]
    _return_tablet(history)
    with pytest.raises(ValidationError) as wrong:
        erase_recipient(actor=officer, recipient=history.pupil, reason="whim")
    assert wrong.value.message_dict == {"reason": ["Choose why the data is erased."]}
    with pytest.raises(ValidationError) as named:
        erase_recipient(actor=officer, recipient=history.pupil, reason="request", note="asked by r-0001's mother")
    assert named.value.message_dict == {"note": ["The note may not contain the reference or name that is erased."]}
    erase_recipient(actor=officer, recipient=history.pupil, reason="request")
    with pytest.raises(ValidationError) as twice:
        erase_recipient(actor=officer, recipient=history.pupil, reason="request")
    assert twice.value.message_dict == {"recipient": ["This person's data was erased already."]}
    assert Erasure.objects.count() == 1


@pytest.mark.parametrize("role", list(Role))
def test_who_may_export_and_erase(role, history, role_users, world):
    user = role_users[role]
    _return_tablet(history)
    outside = RecipientFactory(school=world.other_school, reference="OUTSIDE-R")
    assert may_export(user, history.pupil) is (role in EXPORTERS)
    assert may_erase(user, history.pupil) is (role in ERASERS)
    assert may_export(user, outside) is (role == Role.ADMINISTRATOR)
    assert may_erase(user, outside) is (role == Role.ADMINISTRATOR)
    if role in EXPORTERS:
        assert export_recipient(actor=user, recipient=history.pupil)["recipient"]["id"] == history.pupil.pk
    else:
        with pytest.raises(PermissionDenied):
            export_recipient(actor=user, recipient=history.pupil)
        with pytest.raises(PermissionDenied):
            export_recipient_pdf(actor=user, recipient=history.pupil)
    if role != Role.ADMINISTRATOR:
        with pytest.raises(PermissionDenied):
            export_recipient(actor=user, recipient=outside)
        with pytest.raises(PermissionDenied):
            erase_recipient(actor=user, recipient=outside, reason="request")
    if role in ERASERS:
        erase_recipient(actor=user, recipient=history.pupil, reason="request")
        assert Erasure.objects.filter(recipient=history.pupil).exists()
    else:
        with pytest.raises(PermissionDenied):
            erase_recipient(actor=user, recipient=history.pupil, reason="request")
        assert not Erasure.objects.exists()


def test_recipient_audit_entries_never_hold_the_name(world, role_users, settings):
    """Names are kept only where the installation turns them on; even then the audit trail (which
    cannot be erased) records whether a name is set, never the name."""
    settings.PUPIL_NAMES_ENABLED = True
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    person = recipient_create(actor=coordinator, school=world.school, reference="N-1", display_name="Ada Lovelace")
    recipient_update(actor=coordinator, recipient=person, data={"display_name": "Ada King", "group": "6C"})
    recipient_update(actor=coordinator, recipient=person, data={"display_name": ""})
    entries = AuditEvent.objects.filter(object_type="devices.recipient", object_id=str(person.pk)).order_by("pk")
    assert [(e.action, e.before, e.after) for e in entries][1:] == [
        ("update", {"group": ""}, {"group": "6C"}),
        ("update", {"has_name": True}, {"has_name": False}),
    ]
    text = json.dumps([[e.before, e.after, e.object_repr] for e in entries])
    assert "Ada" not in text and "Lovelace" not in text and "King" not in text
    assert entries[0].after["has_name"] is True
