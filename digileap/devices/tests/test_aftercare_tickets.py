"""Aftercare tickets: deadlines from the contract's service levels, the flow per side (the supplier
acknowledges, starts and resolves; the school opens, lends a replacement and closes), the device's
status along the way (as events), overdue tickets against a fixed now, and the pages."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.devices import lifecycle
from digileap.devices.models import DeviceEvent, DeviceStatus, Ticket
from digileap.devices.selectors import tickets as selectors
from digileap.devices.services import tickets as services
from digileap.programmes.tests.factories import ProgrammeFactory

from .factories import DeviceFactory, FrameworkContractFactory

TZ = ZoneInfo("Europe/Brussels")
OPENED = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
BEFORE = datetime.datetime(2025, 1, 6, 8, 0, tzinfo=TZ)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="BXL-DEVICES", authority=world.authority)


@pytest.fixture
def contract(world):
    return FrameworkContractFactory(
        authority=world.authority,
        supplier=world.supplier,
        reference="FC-2025",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        response_hours=8,
        repair_hours=72,
    )


def device_at(programme, school, *, supplier, status=DeviceStatus.DELIVERED, serial=None, **extra):
    fields = {"programme": programme, "school": school, "supplier": supplier, "status": status}
    fields.update(status_changed_at=BEFORE, created_at=BEFORE, **extra)
    if serial:
        fields["serial"] = serial
    return DeviceFactory(**fields)


@pytest.fixture
def laptop(programme, world, contract):
    return device_at(programme, world.school, supplier=world.supplier, serial="LAPTOP-1")


@pytest.fixture
def coordinator(role_users):
    return role_users[Role.SCHOOL_COORDINATOR]


@pytest.fixture
def supplier_user(role_users):
    return role_users[Role.SUPPLIER]


def statuses(device):
    return list(
        DeviceEvent.objects.filter(device=device).order_by("occurred_at", "id").values_list("status", flat=True)
    )


def actions(ticket):
    return list(
        AuditEvent.objects.filter(object_type="devices.ticket", object_id=str(ticket.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- opening and deadlines ---


def test_deadlines_come_from_the_newest_contract_covering_the_day(world, programme, laptop, coordinator):
    FrameworkContractFactory(
        authority=world.authority,
        supplier=world.supplier,
        reference="FC-2024",
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        response_hours=24,
        repair_hours=120,
    )
    FrameworkContractFactory(  # not yet in force on the day
        authority=world.authority, supplier=world.supplier, reference="FC-2026", starts_on=datetime.date(2025, 4, 1)
    )
    FrameworkContractFactory(  # another authority's
        authority=world.other_authority,
        supplier=world.supplier,
        reference="FC-OTHER",
        starts_on=datetime.date(2025, 2, 1),
    )
    ticket = services.ticket_open(
        device=laptop, category="hardware", description=" Keyboard dead ", actor=coordinator, at=OPENED
    )
    assert (ticket.supplier, ticket.contract.reference, ticket.school) == (world.supplier, "FC-2025", world.school)
    assert ticket.response_due == at(3, 17)
    assert ticket.repair_due == at(6, 9)
    assert (ticket.status, ticket.description, ticket.opened_by) == ("open", "Keyboard dead", coordinator)
    assert actions(ticket) == ["create"]
    assert statuses(laptop) == ["delivered"]  # a hardware defect changes nothing until the repair starts


def test_without_a_contract_there_are_no_deadlines_and_the_page_says_so(world, programme, coordinator):
    device = device_at(programme, world.school, supplier=world.supplier)
    ticket = services.ticket_open(device=device, category="software", description="Slow", actor=coordinator, at=OPENED)
    assert (ticket.contract, ticket.response_due, ticket.repair_due) == (None, None, None)
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("devices:ticket-detail", kwargs={"pk": ticket.pk})).content.decode()
    assert "No framework contract of the supplier covers this ticket: it has no response or repair deadline." in page


def test_bad_input_is_named(laptop, coordinator):
    with pytest.raises(ValidationError) as error:
        services.ticket_open(device=laptop, category="flood", description="  ", actor=coordinator)
    assert error.value.message_dict == {
        "category": ["Choose hardware defect, software, damage, theft or loss."],
        "description": ["Describe the problem."],
    }
    assert not Ticket.objects.exists()


def test_one_ticket_at_a_time_per_device(laptop, coordinator):
    first = services.ticket_open(device=laptop, category="software", description="Slow", actor=coordinator, at=OPENED)
    with pytest.raises(ValidationError) as error:
        services.ticket_open(device=laptop, category="hardware", description="Fan", actor=coordinator, at=OPENED)
    assert error.value.message_dict == {
        "device": [f"Device LAPTOP-1 already has a ticket that is not closed: #{first.pk}."]
    }


def test_a_retired_device_gets_no_ticket(world, programme, coordinator, admin_user):
    device = device_at(programme, world.school, supplier=world.supplier, serial="OLD-1")
    lifecycle.device_transition(device=device, status="retired", actor=admin_user, at=BEFORE)
    with pytest.raises(ValidationError) as error:
        services.ticket_open(device=device, category="hardware", description="x", actor=coordinator)
    assert error.value.message_dict == {"device": ["Device OLD-1 is Retired: it cannot get a ticket."]}


@pytest.fixture
def admin_user(role_users):
    return role_users[Role.ADMINISTRATOR]


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.AUDITOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR])
def test_only_the_schools_side_opens_tickets(role, laptop, role_users):
    with pytest.raises(PermissionDenied):
        services.ticket_open(device=laptop, category="hardware", description="x", actor=role_users[role])
    assert not Ticket.objects.exists()


def test_operator_staff_open_tickets_but_not_outside_their_schools(world, programme, laptop, role_users):
    staff = role_users[Role.OPERATOR_STAFF]
    assert services.ticket_open(device=laptop, category="damage", description="Cracked", actor=staff).pk
    outside = device_at(programme, world.other_school, supplier=world.supplier)
    with pytest.raises(PermissionDenied):
        services.ticket_open(device=outside, category="damage", description="Cracked", actor=staff)


# --- the flow ---


def test_theft_marks_the_device_lost_at_once(laptop, coordinator):
    ticket = services.ticket_open(
        device=laptop, category="theft", description="Stolen on the bus", actor=coordinator, at=OPENED
    )
    laptop.refresh_from_db()
    assert laptop.status == "lost_stolen"
    event = DeviceEvent.objects.filter(device=laptop).order_by("-occurred_at", "-id").first()
    assert (event.previous_status, event.status, event.occurred_at, event.data) == (
        "delivered",
        "lost_stolen",
        OPENED,
        {"ticket": ticket.pk},
    )
    assert event.reason == f"Ticket #{ticket.pk}: Theft"
    with pytest.raises(ValidationError) as error:
        services.ticket_start_repair(ticket=ticket, actor=supplier_for(ticket))
    assert error.value.message_dict == {
        "category": ["A theft or loss is not repaired: resolve the ticket (with a replacement where one is given)."]
    }


def supplier_for(ticket):
    from digileap.accounts.tests.factories import user_with_role

    return user_with_role(Role.SUPPLIER, ticket.supplier, username=f"supplier-{ticket.pk}")


def test_a_repair_takes_a_deployed_device_out_and_brings_it_back(laptop, coordinator, supplier_user, admin_user):
    lifecycle.device_transition(device=laptop, status="deployed", actor=admin_user, at=at(1, 8, month=2))
    ticket = services.ticket_open(
        device=laptop, category="hardware", description="Screen", actor=coordinator, at=OPENED
    )
    ticket = services.ticket_acknowledge(ticket=ticket, actor=supplier_user, at=at(3, 11))
    assert (ticket.status, ticket.responded_at) == ("acknowledged", at(3, 11))
    ticket = services.ticket_start_repair(ticket=ticket, actor=supplier_user, at=at(4, 10))
    laptop.refresh_from_db()
    assert (ticket.status, laptop.status) == ("in_repair", "in_repair")
    ticket = services.ticket_resolve(ticket=ticket, actor=supplier_user, resolution=" New screen ", at=at(5, 15))
    laptop.refresh_from_db()
    assert (ticket.status, ticket.resolution, ticket.resolved_at, laptop.status) == (
        "resolved",
        "New screen",
        at(5, 15),
        "deployed",
    )
    ticket = services.ticket_close(ticket=ticket, actor=coordinator, at=at(6, 8))
    assert (ticket.status, ticket.closed_at) == ("closed", at(6, 8))
    assert statuses(laptop) == ["delivered", "deployed", "in_repair", "deployed"]
    assert actions(ticket) == ["create", "acknowledge", "start", "resolve", "close"]
    assert [event.actor_label for event in selectors.ticket_device_events(ticket)] == ["supplier-user", "supplier-user"]


def test_a_delivered_device_goes_back_to_delivered_and_software_stays_put(
    world, programme, laptop, coordinator, supplier_user
):
    ticket = services.ticket_open(device=laptop, category="damage", description="Dent", actor=coordinator, at=OPENED)
    services.ticket_start_repair(ticket=ticket, actor=supplier_user, at=at(3, 10))
    ticket.refresh_from_db()
    assert ticket.responded_at == at(3, 10)  # starting counts as the response
    services.ticket_resolve(ticket=ticket, actor=supplier_user, resolution="Fixed", at=at(3, 12))
    assert statuses(laptop) == ["delivered", "in_repair", "delivered"]
    other = device_at(programme, world.school, supplier=world.supplier)
    software = services.ticket_open(
        device=other, category="software", description="Update", actor=coordinator, at=OPENED
    )
    services.ticket_start_repair(ticket=software, actor=supplier_user, at=at(3, 10))
    assert statuses(other) == ["delivered"]


def test_the_school_cannot_resolve_and_the_supplier_cannot_close(laptop, coordinator, supplier_user, role_users):
    ticket = services.ticket_open(device=laptop, category="hardware", description="Fan", actor=coordinator, at=OPENED)
    for step in (services.ticket_acknowledge, services.ticket_start_repair):
        with pytest.raises(PermissionDenied) as error:
            step(ticket=ticket, actor=coordinator)
        assert str(error.value) == "Only the supplier takes this step of a ticket."
    with pytest.raises(PermissionDenied):
        services.ticket_resolve(ticket=ticket, actor=role_users[Role.OPERATOR_STAFF], resolution="x")
    services.ticket_resolve(ticket=ticket, actor=supplier_user, resolution="Fan replaced", at=at(3, 12))
    with pytest.raises(PermissionDenied) as error:
        services.ticket_close(ticket=ticket, actor=supplier_user)
    assert str(error.value) == "Only the school takes this step of a ticket."
    with pytest.raises(PermissionDenied):
        services.ticket_close(ticket=ticket, actor=role_users[Role.AUDITOR])
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_steps_in_the_wrong_order_are_refused(laptop, coordinator, supplier_user):
    ticket = services.ticket_open(device=laptop, category="hardware", description="Fan", actor=coordinator, at=OPENED)
    with pytest.raises(ValidationError) as error:
        services.ticket_close(ticket=ticket, actor=coordinator)
    assert error.value.message_dict == {
        "status": ["The supplier resolves the ticket first; the school closes it after that."]
    }
    with pytest.raises(ValidationError) as error:
        services.ticket_resolve(ticket=ticket, actor=supplier_user, resolution=" ")
    assert error.value.message_dict == {"resolution": ["Say what was done to resolve the problem."]}
    services.ticket_acknowledge(ticket=ticket, actor=supplier_user, at=at(3, 10))
    with pytest.raises(ValidationError) as error:
        services.ticket_acknowledge(ticket=ticket, actor=supplier_user)
    assert error.value.message_dict == {"status": ["This ticket is Acknowledged: it cannot be acknowledged."]}


def test_a_ticket_without_supplier_is_closed_by_the_school(world, programme, coordinator):
    device = device_at(programme, world.school, supplier=None, serial="NOSUP-1")
    ticket = services.ticket_open(device=device, category="software", description="Slow", actor=coordinator, at=OPENED)
    assert (ticket.supplier, ticket.contract) == (None, None)
    with pytest.raises(ValidationError) as error:
        services.ticket_close(ticket=ticket, actor=coordinator)
    assert error.value.message_dict == {"resolution": ["Say how the problem was solved: the ticket has no supplier."]}
    ticket = services.ticket_close(ticket=ticket, actor=coordinator, resolution="Reinstalled", at=at(4, 9))
    assert (ticket.status, ticket.resolution, ticket.resolved_at, ticket.closed_at) == (
        "closed",
        "Reinstalled",
        at(4, 9),
        at(4, 9),
    )


# --- replacement ---


def test_a_replacement_is_loaned_out_and_comes_back_when_the_ticket_closes(
    world, programme, laptop, coordinator, supplier_user
):
    spare = device_at(programme, world.school, supplier=world.supplier, serial="SPARE-1")
    ticket = services.ticket_open(
        device=laptop, category="hardware", description="Screen", actor=coordinator, at=OPENED
    )
    ticket = services.ticket_set_replacement(ticket=ticket, replacement=spare, actor=coordinator, at=at(3, 10))
    spare.refresh_from_db()
    assert (ticket.replacement_device, spare.status) == (spare, "loaned_out")
    services.ticket_start_repair(ticket=ticket, actor=supplier_user, at=at(3, 11))
    services.ticket_resolve(ticket=ticket, actor=supplier_user, resolution="Screen", at=at(4, 11))
    services.ticket_close(ticket=ticket, actor=coordinator, at=at(5, 9))
    assert statuses(spare) == ["delivered", "loaned_out", "delivered"]
    assert statuses(laptop) == ["delivered", "in_repair", "delivered"]
    close = AuditEvent.objects.get(object_type="devices.ticket", object_id=str(ticket.pk), action="close")
    assert close.after["permanent_replacement"] is False
    reasons = [event.reason for event in selectors.ticket_device_events(ticket) if event.device_id == spare.pk]
    assert reasons == [
        f"Replacement for LAPTOP-1 (ticket #{ticket.pk})",
        f"Back from loan (ticket #{ticket.pk}, LAPTOP-1)",
    ]


def test_a_permanent_replacement_after_a_loss_is_recorded(world, programme, laptop, coordinator, supplier_user):
    spare = device_at(programme, world.school, supplier=world.supplier, serial="SPARE-2")
    ticket = services.ticket_open(device=laptop, category="loss", description="Lost", actor=coordinator, at=OPENED)
    services.ticket_set_replacement(ticket=ticket, replacement=spare, actor=coordinator, at=at(3, 10))
    services.ticket_resolve(ticket=ticket, actor=supplier_user, resolution="Written off", at=at(4, 10))
    services.ticket_close(ticket=ticket, actor=coordinator, permanent_replacement=True, at=at(4, 12))
    laptop.refresh_from_db()
    spare.refresh_from_db()
    assert (laptop.status, spare.status) == ("lost_stolen", "delivered")
    close = AuditEvent.objects.get(object_type="devices.ticket", object_id=str(ticket.pk), action="close")
    assert close.after["permanent_replacement"] is True


def test_replacements_are_checked(world, programme, laptop, coordinator, supplier_user, admin_user):
    ticket = services.ticket_open(
        device=laptop, category="hardware", description="Screen", actor=coordinator, at=OPENED
    )
    elsewhere = device_at(programme, world.other_school, supplier=world.supplier, serial="AWAY-1")
    busy = device_at(programme, world.school, supplier=world.supplier, serial="BUSY-1")
    lifecycle.device_transition(device=busy, status="deployed", actor=admin_user, at=at(1, 8, month=2))
    cases = [
        (laptop, "A device cannot replace itself."),
        (elsewhere, "The replacement must be a device of the same school."),
        (busy, "Device BUSY-1 is Deployed: a replacement must be delivered or in stock."),
    ]
    for device, message in cases:
        with pytest.raises(ValidationError) as error:
            services.ticket_set_replacement(ticket=ticket, replacement=device, actor=coordinator)
        assert error.value.message_dict == {"replacement_device": [message]}
    spare = device_at(programme, world.school, supplier=world.supplier, serial="SPARE-3")
    services.ticket_set_replacement(ticket=ticket, replacement=spare, actor=coordinator, at=at(3, 10))
    another = device_at(programme, world.school, supplier=world.supplier, serial="SPARE-4")
    with pytest.raises(ValidationError) as error:
        services.ticket_set_replacement(ticket=ticket, replacement=another, actor=coordinator)
    assert error.value.message_dict == {"replacement_device": ["This ticket already has a replacement: SPARE-3."]}
    with pytest.raises(PermissionDenied):
        services.ticket_set_replacement(ticket=ticket, replacement=another, actor=supplier_user)


# --- overdue ---


@pytest.fixture
def ticket_mix(world, programme, contract, coordinator, supplier_user):
    """Four tickets opened on 3 March 2025 at 09:00 (response due 17:00, repair due 6 March 09:00)."""

    def opened(serial):
        device = device_at(programme, world.school, supplier=world.supplier, serial=serial)
        return services.ticket_open(
            device=device, category="hardware", description=serial, actor=coordinator, at=OPENED
        )

    silent = opened("SILENT")  # never answered
    answered = opened("ANSWERED")
    services.ticket_acknowledge(ticket=answered, actor=supplier_user, at=at(3, 10))
    repaired = opened("REPAIRED")
    services.ticket_acknowledge(ticket=repaired, actor=supplier_user, at=at(3, 10))
    services.ticket_resolve(ticket=repaired, actor=supplier_user, resolution="ok", at=at(4, 10))
    late_answer = opened("LATE")
    services.ticket_acknowledge(ticket=late_answer, actor=supplier_user, at=at(3, 18))
    return {"silent": silent, "answered": answered, "repaired": repaired, "late": late_answer}


def serials(tickets):
    return [ticket.device.serial for ticket in tickets]


def test_overdue_against_a_fixed_now(ticket_mix, coordinator):
    # Before the response deadline nothing is overdue.
    assert serials(selectors.overdue_tickets(coordinator, at(3, 16, 59))) == []
    # After it: the ticket nobody answered (the late answer came after 17:00, but it came).
    assert serials(selectors.overdue_tickets(coordinator, at(3, 17, 1))) == ["SILENT"]
    # After the repair deadline: every ticket not resolved.
    assert sorted(serials(selectors.overdue_tickets(coordinator, at(6, 9, 1)))) == ["ANSWERED", "LATE", "SILENT"]
    flags = {t.device.serial: t.is_overdue for t in selectors.tickets_for(coordinator, now=at(6, 9, 1))}
    assert flags == {"SILENT": True, "ANSWERED": True, "LATE": True, "REPAIRED": False}


def test_the_list_sorts_by_the_next_deadline_and_filters_overdue(ticket_mix, coordinator):
    rows = selectors.ticket_list(coordinator, now=at(4, 12), sort="due")
    assert [(t.device.serial, t.next_due) for t in rows] == [
        ("SILENT", at(3, 17)),
        ("LATE", at(6, 9)),
        ("ANSWERED", at(6, 9)),
        ("REPAIRED", None),
    ]
    assert serials(selectors.ticket_list(coordinator, now=at(4, 12), overdue_only=True)) == ["SILENT"]
    assert serials(selectors.ticket_list(coordinator, now=at(4, 12), status="resolved")) == ["REPAIRED"]


def test_the_list_page_highlights_overdue_tickets(ticket_mix, coordinator):
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("devices:ticket-list")).content.decode()
    # Today is long after March 2025: three tickets are overdue.
    assert page.count("ticket-row--overdue") == 3
    assert page.count('<span class="badge badge--closed">Overdue</span>') == 3
    assert "3 tickets are overdue." in page
    response = client.get(
        reverse("devices:ticket-list"), {"overdue": "on"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-rows"
    )
    text = response.content.decode()
    assert "<html" not in text and "3 tickets" in text and "REPAIRED" not in text


# --- pages per side ---


def test_pages_show_each_side_its_actions(laptop, coordinator, supplier_user):
    ticket = services.ticket_open(device=laptop, category="hardware", description="Fan", actor=coordinator, at=OPENED)
    url = reverse("devices:ticket-detail", kwargs={"pk": ticket.pk})
    school, supplier = Client(), Client()
    school.force_login(coordinator)
    supplier.force_login(supplier_user)
    school_page, supplier_page = school.get(url).content.decode(), supplier.get(url).content.decode()
    assert "Acknowledge" not in school_page and "Lend a replacement" in school_page
    assert "Acknowledge" in supplier_page and "Lend a replacement" not in supplier_page
    assert school.post(reverse("devices:ticket-acknowledge", kwargs={"pk": ticket.pk})).status_code == 403
    assert supplier.post(reverse("devices:ticket-acknowledge", kwargs={"pk": ticket.pk})).status_code == 302
    response = supplier.post(reverse("devices:ticket-resolve", kwargs={"pk": ticket.pk}), {"resolution": ""})
    assert "This field is required." in response.content.decode()
    supplier.post(reverse("devices:ticket-resolve", kwargs={"pk": ticket.pk}), {"resolution": "Fan replaced"})
    assert supplier.post(reverse("devices:ticket-close", kwargs={"pk": ticket.pk})).status_code == 403
    assert school.post(reverse("devices:ticket-close", kwargs={"pk": ticket.pk})).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_opening_a_ticket_on_the_page_by_serial(laptop, coordinator):
    client = Client()
    client.force_login(coordinator)
    url = reverse("devices:ticket-create")
    response = client.post(url, {"serial": "nope", "category": "hardware", "description": "x"})
    assert "No device with serial number NOPE in your scope." in response.content.decode()
    response = client.post(url, {"serial": " laptop-1 ", "category": "hardware", "description": "Fan noise"})
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("devices:ticket-detail", kwargs={"pk": ticket.pk})
    assert ticket.device == laptop


def test_a_ticket_outside_the_scope_is_404(world, programme, contract, admin_user, coordinator):
    outside = device_at(programme, world.other_school, supplier=world.other_supplier)
    ticket = services.ticket_open(device=outside, category="hardware", description="x", actor=admin_user)
    client = Client()
    client.force_login(coordinator)
    assert client.get(reverse("devices:ticket-detail", kwargs={"pk": ticket.pk})).status_code == 404
    assert client.post(reverse("devices:ticket-close", kwargs={"pk": ticket.pk})).status_code == 404
