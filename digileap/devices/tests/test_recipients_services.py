"""Recipients and assignments: the services (create, edit, deactivate; hand out and take back)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices.models import Assignment, DeviceEvent, DeviceStatus, Recipient
from digileap.devices.selectors.assignments import handout_progress, handout_propose
from digileap.devices.selectors.recipients import recipients_for
from digileap.devices.services.assignments import device_assign, device_return
from digileap.devices.services.recipients import (
    recipient_activate,
    recipient_create,
    recipient_deactivate,
    recipient_update,
)
from digileap.devices.tests.factories import DeviceFactory, RecipientFactory
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

WRITERS = [Role.ADMINISTRATOR, Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR]
NON_WRITERS = [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.SUPPLIER, Role.AUDITOR]


def device_at(school, serial="SN-0001", status=DeviceStatus.DELIVERED):
    programme = ProgrammeFactory(authority=school.authority)
    return DeviceFactory(programme=programme, school=school, serial=serial, status=status)


# -- recipients ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_writers_create_a_recipient_without_a_name(role, world, role_users):
    recipient = recipient_create(
        actor=role_users[role],
        school=world.school,
        reference=" P-001 ",
        kind="pupil",
        grade=5,
        group=" 5  A ",
        isced_level=1,
        eligibility_group="LV-LOW",
        display_name="Anna Berzina",
    )
    recipient.refresh_from_db()
    assert (recipient.reference, recipient.group, recipient.grade, recipient.isced_level) == ("P-001", "5 A", 5, 1)
    assert recipient.display_name == ""
    assert recipient.source == "manual"
    event = AuditEvent.objects.get(object_type="devices.recipient", object_id=str(recipient.pk))
    assert event.after["has_name"] is False
    assert "Anna" not in str(event.after)


def test_names_are_kept_when_the_installation_stores_them(world, role_users, settings):
    settings.PUPIL_NAMES_ENABLED = True
    recipient = recipient_create(
        actor=role_users[Role.SCHOOL_COORDINATOR], school=world.school, reference="P-1", display_name="Anna  Berzina"
    )
    recipient.refresh_from_db()
    assert recipient.display_name == "Anna Berzina"
    event = AuditEvent.objects.get(object_type="devices.recipient", object_id=str(recipient.pk))
    assert event.after["has_name"] is True
    assert "Anna" not in str(event.after)


@pytest.mark.parametrize("role", NON_WRITERS)
def test_other_roles_may_not_create(role, world, role_users):
    with pytest.raises(PermissionDenied):
        recipient_create(actor=role_users[role], school=world.school, reference="P-1")
    assert not Recipient.objects.exists()


@pytest.mark.parametrize("role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR])
def test_writers_may_not_create_outside_their_scope(role, world, role_users):
    with pytest.raises(PermissionDenied):
        recipient_create(actor=role_users[role], school=world.other_school, reference="P-1")


def test_bad_input_names_each_field(world, role_users):
    with pytest.raises(ValidationError) as caught:
        recipient_create(
            actor=role_users[Role.SCHOOL_COORDINATOR],
            school=world.school,
            reference="  ",
            kind="parent",
            grade=14,
            isced_level=-1,
            group="x" * 41,
        )
    assert caught.value.message_dict == {
        "reference": ["Give the school's reference for this pupil or teacher."],
        "kind": ["'parent' is neither pupil nor teacher."],
        "grade": ["The grade must be a whole number from 0 to 13."],
        "isced_level": ["The level (ISCED) must be a whole number from 0 to 4."],
        "group": ["At most 40 characters."],
    }
    assert not Recipient.objects.exists()


def test_a_reference_is_unique_within_its_school(world, role_users):
    actor = role_users[Role.ADMINISTRATOR]
    recipient_create(actor=actor, school=world.school, reference="P-1")
    with pytest.raises(ValidationError) as caught:
        recipient_create(actor=actor, school=world.school, reference="P-1")
    assert caught.value.message_dict == {"reference": ["The reference P-1 is already used at INSIDE school."]}
    # Another school may use the same reference.
    recipient_create(actor=actor, school=world.other_school, reference="P-1")
    assert Recipient.objects.count() == 2


def test_update_records_only_the_changed_fields(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    recipient = recipient_create(actor=actor, school=world.school, reference="P-1", grade=5, group="5A")
    recipient_update(actor=actor, recipient=recipient, data={"grade": 6, "group": "6A", "reference": "P-1"})
    recipient.refresh_from_db()
    assert (recipient.grade, recipient.group) == (6, "6A")
    event = AuditEvent.objects.filter(object_type="devices.recipient").latest("id")
    assert (event.action, event.before, event.after) == (
        "update",
        {"grade": 5, "group": "5A"},
        {"grade": 6, "group": "6A"},
    )
    # Saving the same again records nothing.
    count = AuditEvent.objects.count()
    recipient_update(actor=actor, recipient=recipient, data={"grade": 6})
    assert AuditEvent.objects.count() == count


def test_update_refuses_a_taken_reference_and_the_school(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    RecipientFactory(school=world.school, reference="P-2")
    recipient = RecipientFactory(school=world.school, reference="P-1")
    with pytest.raises(ValidationError) as caught:
        recipient_update(actor=actor, recipient=recipient, data={"reference": "P-2"})
    assert caught.value.message_dict == {"reference": ["The reference P-2 is already used at INSIDE school."]}
    with pytest.raises(ValidationError) as caught:
        recipient_update(actor=actor, recipient=recipient, data={"school": world.other_school})
    assert caught.value.messages == ["These fields cannot be set here: school"]


def test_update_outside_the_scope_is_refused(world, role_users):
    recipient = RecipientFactory(school=world.other_school, reference="OUTSIDE-1")
    with pytest.raises(PermissionDenied):
        recipient_update(actor=role_users[Role.OPERATOR_STAFF], recipient=recipient, data={"grade": 7})


def test_deactivate_and_activate(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    recipient = RecipientFactory(school=world.school)
    recipient_deactivate(actor=actor, recipient=recipient)
    recipient.refresh_from_db()
    assert recipient.is_active is False
    recipient_activate(actor=actor, recipient=recipient)
    recipient.refresh_from_db()
    assert recipient.is_active is True


def test_a_recipient_holding_a_device_cannot_be_deactivated(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    recipient = RecipientFactory(school=world.school, reference="P-1")
    device_assign(device=device_at(world.school, "SN-9"), recipient=recipient, actor=actor)
    with pytest.raises(ValidationError) as caught:
        recipient_deactivate(actor=actor, recipient=recipient)
    assert caught.value.message_dict == {"recipient": ["P-1 still has device SN-9. Record its return first."]}


@pytest.mark.parametrize(
    "role,visible",
    [
        (Role.ADMINISTRATOR, ["IN-1", "OUTSIDE-1"]),
        (Role.PROGRAMME_OWNER, ["IN-1"]),
        (Role.FUNDING_ADMINISTRATOR, ["IN-1"]),
        (Role.OPERATOR_STAFF, ["IN-1"]),
        (Role.SCHOOL_COORDINATOR, ["IN-1"]),
        (Role.SUPPLIER, []),
        (Role.AUDITOR, ["IN-1"]),
    ],
)
def test_who_sees_which_recipients(role, visible, world, role_users):
    RecipientFactory(school=world.school, reference="IN-1")
    RecipientFactory(school=world.other_school, reference="OUTSIDE-1")
    assert sorted(recipients_for(role_users[role]).values_list("reference", flat=True)) == visible


# -- hand out and take back ------------------------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_assign_deploys_the_device_in_one_step(role, world, role_users):
    actor = role_users[role]
    recipient = RecipientFactory(school=world.school, reference="P-1")
    device = device_at(world.school)
    moment = timezone.now()
    assignment = device_assign(device=device, recipient=recipient, actor=actor, at=moment)
    assert (assignment.kit, assignment.assigned_at, assignment.assigned_by) == (["charger", "bag"], moment, actor)
    device.refresh_from_db()
    assert device.status == DeviceStatus.DEPLOYED
    assert device.first_deployed_on == timezone.localdate(moment)
    event = DeviceEvent.objects.filter(device=device).latest("id")
    assert (event.previous_status, event.status, event.data) == ("delivered", "deployed", {"assignment": assignment.pk})
    audit_event = AuditEvent.objects.get(object_type="devices.assignment", object_id=str(assignment.pk))
    assert audit_event.after["kit"] == ["charger", "bag"]


def test_assign_with_a_partial_kit(world, role_users):
    assignment = device_assign(
        device=device_at(world.school),
        recipient=RecipientFactory(school=world.school),
        actor=role_users[Role.SCHOOL_COORDINATOR],
        kit=["bag"],
    )
    assert assignment.kit == ["bag"]
    with pytest.raises(ValidationError) as caught:
        device_assign(
            device=device_at(world.school, "SN-2"),
            recipient=RecipientFactory(school=world.school),
            actor=role_users[Role.SCHOOL_COORDINATOR],
            kit=["mouse"],
        )
    assert caught.value.message_dict == {"kit": ["'mouse' is not a kit item; use charger, bag."]}


@pytest.mark.parametrize("role", NON_WRITERS)
def test_other_roles_may_not_assign(role, world, role_users):
    with pytest.raises(PermissionDenied):
        device_assign(
            device=device_at(world.school), recipient=RecipientFactory(school=world.school), actor=role_users[role]
        )
    assert not Assignment.objects.exists()


def test_a_device_handed_out_cannot_be_handed_out_again(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    device = device_at(world.school, "SN-7")
    first = RecipientFactory(school=world.school, reference="P-1")
    moment = timezone.make_aware(datetime.datetime(2025, 9, 3, 10, 0))
    device_assign(device=device, recipient=first, actor=actor, at=moment)
    with pytest.raises(ValidationError) as caught:
        device_assign(device=device, recipient=RecipientFactory(school=world.school), actor=actor)
    assert caught.value.message_dict == {"device": ["Device SN-7 is already handed out to P-1 (since 2025-09-03)."]}
    assert Assignment.objects.count() == 1


def test_the_devices_status_and_school_must_fit(world, role_users):
    actor = role_users[Role.ADMINISTRATOR]
    recipient = RecipientFactory(school=world.school, reference="P-1")
    ordered = device_at(world.school, "SN-ORD", status=DeviceStatus.ORDERED)
    with pytest.raises(ValidationError) as caught:
        device_assign(device=ordered, recipient=recipient, actor=actor)
    assert caught.value.message_dict == {
        "device": ["Device SN-ORD is ordered; only devices in stock or delivered can be handed out."]
    }
    elsewhere = device_at(world.other_school, "SN-OUT")
    with pytest.raises(ValidationError) as caught:
        device_assign(device=elsewhere, recipient=recipient, actor=actor)
    assert caught.value.message_dict == {"device": ["Device SN-OUT is at OUTSIDE school, not at INSIDE school."]}
    assert not Assignment.objects.exists()


def test_the_recipient_must_be_active_and_without_a_device_of_that_type(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    inactive = RecipientFactory(school=world.school, reference="P-0", is_active=False)
    with pytest.raises(ValidationError) as caught:
        device_assign(device=device_at(world.school, "SN-1"), recipient=inactive, actor=actor)
    assert caught.value.message_dict == {"recipient": ["P-0 is no longer active."]}
    holder = RecipientFactory(school=world.school, reference="P-1")
    moment = timezone.make_aware(datetime.datetime(2025, 9, 3, 10, 0))
    device_assign(device=device_at(world.school, "SN-2"), recipient=holder, actor=actor, at=moment)
    with pytest.raises(ValidationError) as caught:
        device_assign(device=device_at(world.school, "SN-3"), recipient=holder, actor=actor)
    assert caught.value.message_dict == {"recipient": ["P-1 already has device SN-2 (since 2025-09-03)."]}


def test_a_device_outside_the_scope_is_refused(world, role_users):
    with pytest.raises(PermissionDenied):
        device_assign(
            device=device_at(world.other_school),
            recipient=RecipientFactory(school=world.other_school),
            actor=role_users[Role.SCHOOL_COORDINATOR],
        )


def test_return_in_working_order_makes_the_device_available_again(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    device = device_at(world.school, "SN-1")
    assignment = device_assign(device=device, recipient=RecipientFactory(school=world.school), actor=actor)
    returned = device_return(assignment=assignment, actor=actor, kit_returned=["charger"], note=" bag lost ")
    assert (returned.kit_returned, returned.return_note, returned.returned_by) == (["charger"], "bag lost", actor)
    device.refresh_from_db()
    assert device.status == DeviceStatus.DELIVERED
    # Handed out again to someone else.
    device_assign(device=device, recipient=RecipientFactory(school=world.school), actor=actor)
    assert Assignment.objects.filter(device=device).count() == 2


def test_return_damaged_sends_the_device_to_repair(world, role_users):
    actor = role_users[Role.OPERATOR_STAFF]
    device = device_at(world.school)
    assignment = device_assign(device=device, recipient=RecipientFactory(school=world.school), actor=actor)
    device_return(assignment=assignment, actor=actor, condition="damaged", kit_returned=["charger", "bag"])
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_REPAIR
    assert DeviceEvent.objects.filter(device=device).latest("id").reason == "Returned damaged"


def test_return_errors(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    moment = timezone.make_aware(datetime.datetime(2025, 9, 3, 10, 0))
    assignment = device_assign(
        device=device_at(world.school, "SN-1"), recipient=RecipientFactory(school=world.school), actor=actor, at=moment
    )
    with pytest.raises(ValidationError) as caught:
        device_return(assignment=assignment, actor=actor, condition="broken")
    assert caught.value.message_dict == {"condition": ["Choose whether the device is in working order or damaged."]}
    with pytest.raises(ValidationError) as caught:
        device_return(assignment=assignment, actor=actor, at=moment - datetime.timedelta(days=1))
    assert caught.value.message_dict == {"returned_at": ["The return cannot be before the hand-out (2025-09-03)."]}
    device_return(assignment=assignment, actor=actor, at=moment + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as caught:
        device_return(assignment=assignment, actor=actor)
    assert caught.value.message_dict == {"assignment": ["Device SN-1 was already returned on 2025-09-05."]}
    with pytest.raises(PermissionDenied):
        device_return(assignment=assignment, actor=role_users[Role.AUDITOR])


# -- the scan loop's selector ----------------------------------------------------------------------


def test_propose_the_next_recipient_of_the_class(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    for reference in ("P-03", "P-01", "P-02"):
        RecipientFactory(school=world.school, reference=reference, group="5A")
    RecipientFactory(school=world.school, reference="P-00", group="5B")
    device = device_at(world.school, "AB-123")
    proposal = handout_propose(school=world.school, group="5A", serial="  Ab-123 ", user=actor)
    assert (proposal.device, proposal.recipient.reference) == (device, "P-01")
    assert [r.reference for r in proposal.candidates] == ["P-01", "P-02", "P-03"]
    device_assign(device=device, recipient=proposal.recipient, actor=actor)
    assert handout_progress(school=world.school, group="5A") == (1, 3)
    assert handout_progress(school=world.school, group="") == (1, 4)
    second = handout_propose(
        school=world.school, group="5A", serial=device_at(world.school, "AB-124").serial, user=actor
    )
    assert second.recipient.reference == "P-02"


def test_propose_errors(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    recipient = RecipientFactory(school=world.school, reference="P-01", group="5A")

    def message(serial, group="5A", user=actor):
        with pytest.raises(ValidationError) as caught:
            handout_propose(school=world.school, group=group, serial=serial, user=user)
        return caught.value.message_dict["serial"][0]

    assert message("  ") == "Scan or type a serial number."
    assert message("NOPE") == "No device with serial number NOPE is known at INSIDE school."
    # A device at another school of the user's scope is named; one outside the scope is unknown.
    sister = SchoolFactory(operator=world.operator, authority=world.authority, name="Sister school")
    device_at(sister, "SN-SIS")
    staff = role_users[Role.OPERATOR_STAFF]
    assert message("sn-sis", user=staff) == "Device SN-SIS is at Sister school, not at INSIDE school."
    assert message("sn-sis") == "No device with serial number SN-SIS is known at INSIDE school."
    device_at(world.other_school, "SN-OUT")
    assert message("SN-OUT") == "No device with serial number SN-OUT is known at INSIDE school."
    device_at(world.school, "SN-REP", status=DeviceStatus.IN_STOCK)
    device = device_at(world.school, "SN-1")
    moment = timezone.make_aware(datetime.datetime(2025, 9, 3, 10, 0))
    device_assign(device=device, recipient=recipient, actor=actor, at=moment)
    assert message("sn-1") == "Device SN-1 is already handed out to P-01 (since 2025-09-03)."
    assert message("SN-REP") == "Everybody in 5A has a device."
    assert message("SN-REP", group="") == "Everybody at INSIDE school has a device."


def test_a_hand_out_issues_the_programmes_user_agreement(world, role_users):
    pytest.importorskip("digileap.devices.services.agreements")
    from digileap.devices.models import AgreementTemplate, UserAgreement

    device = device_at(world.school, "SN-AG")
    AgreementTemplate.objects.create(programme=device.programme, language="en", title="Loan", body="{serial}")
    assignment = device_assign(
        device=device, recipient=RecipientFactory(school=world.school), actor=role_users[Role.SCHOOL_COORDINATOR]
    )
    agreement = UserAgreement.objects.get()
    assert (agreement.assignment, agreement.status) == (assignment, "pending")
