"""The roll-out board: starting a school, the default checklist, ticking, steps of one's own, the
phase rules, the status, the figures from the data, and the pages (an operator sees its schools)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.devices import lifecycle
from digileap.devices.models import ChecklistItem, DeviceStatus, SchoolRollout, UserAgreement
from digileap.devices.selectors import board as selectors
from digileap.devices.services import board as services
from digileap.devices.services import tickets as ticket_services
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from .factories import DeviceFactory
from .factories_agreements import AgreementTemplateFactory, agreement_for, hand_out

DEFAULT_CODES = [
    ("preparation", "counts_confirmed"),
    ("preparation", "os_profile_chosen"),
    ("preparation", "agreements_sent"),
    ("preparation", "management_rules_agreed"),
    ("delivery", "delivery_received"),
    ("delivery", "delivery_accepted"),
    ("delivery", "devices_handed_out"),
    ("aftercare", "aftercare_contact_known"),
    ("aftercare", "first_check_in_done"),
]


@pytest.fixture
def programme(world):
    return ProgrammeFactory(code="GENT-LAPTOPS", name={"en": "Ghent laptops"}, authority=world.authority)


@pytest.fixture
def admin(role_users):
    return role_users[Role.ADMINISTRATOR]


@pytest.fixture
def rollout(programme, world, admin):
    return services.rollout_start(programme=programme, school=world.school, actor=admin)


def steps(rollout, phase=None):
    items = ChecklistItem.objects.filter(rollout=rollout).order_by("position", "pk")
    return list(items.filter(phase=phase) if phase else items)


def tick_all(rollout, phase, actor):
    for item in steps(rollout, phase):
        services.checklist_tick(item=item, actor=actor)


# --- starting ---


def test_start_puts_the_school_in_preparation_with_the_default_checklist(programme, world, role_users):
    staff = role_users[Role.OPERATOR_STAFF]
    rollout = services.rollout_start(programme=programme, school=world.school, actor=staff, os_profile=" Win11 SO ")
    assert (rollout.phase, rollout.status, rollout.os_profile) == ("preparation", "not_started", "Win11 SO")
    assert [(item.phase, item.code, item.label, item.is_done) for item in steps(rollout)] == [
        (phase, code, "", False) for phase, code in DEFAULT_CODES
    ]
    assert [services.step_label(item) for item in steps(rollout, "preparation")] == [
        "Counts confirmed",
        "OS image or profile chosen for the school type",
        "User agreements sent",
        "Device-management rules agreed",
    ]
    event = AuditEvent.objects.get(object_type="devices.schoolrollout", object_id=str(rollout.pk))
    assert (event.action, event.actor_label) == ("create", "operator_staff-user")
    assert event.after["checklist"] == [code for _phase, code in DEFAULT_CODES]


def test_the_labels_are_translated(rollout):
    from django.utils import translation

    item = steps(rollout, "delivery")[0]
    with translation.override("en"):
        assert services.step_label(item) == "Delivery received"
    item.label = "Own words"
    assert services.step_label(item) == "Own words"


def test_start_twice_is_refused(rollout, programme, world, admin):
    with pytest.raises(ValidationError) as error:
        services.rollout_start(programme=programme, school=world.school, actor=admin)
    assert error.value.message_dict == {"school": ["INSIDE school is already on the board of this programme."]}
    assert SchoolRollout.objects.count() == 1


def test_a_school_of_another_authority_is_refused(programme, world, admin):
    with pytest.raises(ValidationError) as error:
        services.rollout_start(programme=programme, school=world.other_school, actor=admin)
    assert error.value.message_dict == {
        "school": ["OUTSIDE school belongs to another authority than the programme GENT-LAPTOPS."]
    }
    assert not SchoolRollout.objects.exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SUPPLIER, Role.FUNDING_ADMINISTRATOR])
def test_roles_without_the_board_cannot_start(role, programme, world, role_users):
    with pytest.raises(PermissionDenied):
        services.rollout_start(programme=programme, school=world.school, actor=role_users[role])
    assert not SchoolRollout.objects.exists()


def test_operator_staff_cannot_start_a_school_of_another_operator(programme, world, role_users):
    sibling = SchoolFactory(operator=OperatorFactory(authority=world.authority, name="Sibling operator"))
    with pytest.raises(PermissionDenied):
        services.rollout_start(programme=programme, school=sibling, actor=role_users[Role.OPERATOR_STAFF])


def test_start_many_starts_only_the_schools_the_actor_may_start(programme, world, role_users, admin):
    sibling_operator = OperatorFactory(authority=world.authority, name="Sibling operator")
    sibling = SchoolFactory(operator=sibling_operator, name="Sibling school")
    second = SchoolFactory(operator=world.operator, name="Second school")
    staff = role_users[Role.OPERATOR_STAFF]
    assert services.rollout_start_many(programme=programme, actor=staff) == 2
    assert set(SchoolRollout.objects.values_list("school_id", flat=True)) == {world.school.pk, second.pk}
    assert ChecklistItem.objects.count() == 18
    assert AuditEvent.objects.filter(object_type="devices.schoolrollout", action="create").count() == 2
    # Again: nothing left to start for the operator; the owner starts the sibling's school.
    assert services.rollout_start_many(programme=programme, actor=staff) == 0
    owner = role_users[Role.PROGRAMME_OWNER]
    assert services.rollout_start_many(programme=programme, actor=owner, operator=sibling_operator) == 1
    assert SchoolRollout.objects.filter(school=sibling).exists()


def test_start_many_is_refused_to_the_auditor(programme, role_users):
    with pytest.raises(PermissionDenied):
        services.rollout_start_many(programme=programme, actor=role_users[Role.AUDITOR])


# --- the checklist ---


def test_ticking_records_who_and_when_and_unticking_clears_it(rollout, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    item = steps(rollout, "preparation")[0]
    before = timezone.now()
    item = services.checklist_tick(item=item, actor=coordinator)
    assert item.is_done and item.done_by == coordinator and item.done_at >= before
    event = AuditEvent.objects.filter(object_type="devices.checklistitem", object_id=str(item.pk)).get()
    assert (event.action, event.before["is_done"], event.after["is_done"], event.after["code"]) == (
        "tick",
        False,
        True,
        "counts_confirmed",
    )
    item = services.checklist_tick(item=item, actor=coordinator, is_done=False)
    item.refresh_from_db()
    assert (item.is_done, item.done_by, item.done_at) == (False, None, None)
    assert AuditEvent.objects.filter(object_type="devices.checklistitem", action="untick").count() == 1


def test_ticking_twice_is_refused(rollout, admin):
    item = services.checklist_tick(item=steps(rollout)[0], actor=admin)
    with pytest.raises(ValidationError) as error:
        services.checklist_tick(item=item, actor=admin)
    assert error.value.message_dict == {"is_done": ["This step is already done."]}
    with pytest.raises(ValidationError) as error:
        services.checklist_tick(item=steps(rollout)[1], actor=admin, is_done=False)
    assert error.value.message_dict == {"is_done": ["This step is not done yet."]}


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FUNDING_ADMINISTRATOR, Role.SUPPLIER])
def test_reading_roles_cannot_tick(role, rollout, role_users):
    with pytest.raises(PermissionDenied):
        services.checklist_tick(item=steps(rollout)[0], actor=role_users[role])
    assert not ChecklistItem.objects.filter(is_done=True).exists()


def test_steps_of_ones_own_get_the_next_code_and_position(rollout, role_users):
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    first = services.checklist_add(rollout=rollout, phase="delivery", label=" Chargers counted ", actor=coordinator)
    second = services.checklist_add(rollout=rollout, phase="delivery", label="Bags counted", actor=coordinator)
    assert [(item.code, item.label, item.position) for item in (first, second)] == [
        ("custom-1", "Chargers counted", 8),
        ("custom-2", "Bags counted", 9),
    ]
    assert [services.step_label(item) for item in steps(rollout, "delivery")] == [
        "Delivery received",
        "Delivery accepted",
        "Devices handed out",
        "Chargers counted",
        "Bags counted",
    ]
    assert AuditEvent.objects.filter(object_type="devices.checklistitem", action="create").count() == 2


def test_a_step_needs_a_phase_and_a_label(rollout, admin):
    with pytest.raises(ValidationError) as error:
        services.checklist_add(rollout=rollout, phase="closed", label="  ", actor=admin)
    assert error.value.message_dict == {
        "phase": ["Choose preparation, delivery or aftercare."],
        "label": ["Describe the step."],
    }
    with pytest.raises(ValidationError) as error:
        services.checklist_add(rollout=rollout, phase="delivery", label="x" * 201, actor=admin)
    assert error.value.message_dict == {"label": ["Describe the step in at most 200 characters (this has 201)."]}
    assert ChecklistItem.objects.count() == 9


# --- phases ---


def test_open_steps_block_the_next_phase(rollout, admin):
    services.checklist_tick(item=steps(rollout, "preparation")[0], actor=admin)
    with pytest.raises(ValidationError) as error:
        services.rollout_move_phase(rollout=rollout, phase="delivery", actor=admin)
    assert error.value.message_dict == {
        "phase": [
            "3 step(s) of Preparation are still open: OS image or profile chosen for the school type; "
            "User agreements sent; Device-management rules agreed."
        ]
    }
    rollout.refresh_from_db()
    assert rollout.phase == "preparation"


def test_force_needs_a_note_and_the_audit_keeps_the_open_steps(rollout, admin):
    with pytest.raises(ValidationError) as error:
        services.rollout_move_phase(rollout=rollout, phase="delivery", actor=admin, force=True)
    assert error.value.message_dict == {"note": ["Say why the school moves on while steps are still open."]}
    rollout = services.rollout_move_phase(
        rollout=rollout, phase="delivery", actor=admin, force=True, note="Agreements follow by mail"
    )
    assert rollout.phase == "delivery"
    event = AuditEvent.objects.filter(object_type="devices.schoolrollout", action="phase").get()
    assert event.before == {"phase": "preparation", "status": "not_started", "aftercare_until": None}
    assert event.after == {
        "phase": "delivery",
        "status": "not_started",
        "aftercare_until": None,
        "forced": True,
        "note": "Agreements follow by mail",
        "open_steps": ["counts_confirmed", "os_profile_chosen", "agreements_sent", "management_rules_agreed"],
    }


def test_phases_go_one_step_at_a_time(rollout, admin):
    with pytest.raises(ValidationError) as error:
        services.rollout_move_phase(rollout=rollout, phase="aftercare", actor=admin, force=True, note="x")
    assert error.value.message_dict == {"phase": ["A school in Preparation moves on to Delivery, not to Aftercare."]}
    with pytest.raises(ValidationError) as error:
        services.rollout_move_phase(rollout=rollout, phase="done", actor=admin)
    assert error.value.message_dict == {"phase": ["Unknown phase 'done'."]}


def test_aftercare_needs_its_end_date_and_closing_sets_done(rollout, admin):
    tick_all(rollout, "preparation", admin)
    services.rollout_move_phase(rollout=rollout, phase="delivery", actor=admin)
    tick_all(rollout, "delivery", admin)
    with pytest.raises(ValidationError) as error:
        services.rollout_move_phase(rollout=rollout, phase="aftercare", actor=admin)
    assert error.value.message_dict == {"aftercare_until": ["Set the date aftercare lasts until."]}
    rollout = services.rollout_move_phase(
        rollout=rollout, phase="aftercare", actor=admin, aftercare_until=datetime.date(2022, 6, 30)
    )
    assert (rollout.phase, rollout.aftercare_until) == ("aftercare", datetime.date(2022, 6, 30))
    tick_all(rollout, "aftercare", admin)
    rollout = services.rollout_move_phase(rollout=rollout, phase="closed", actor=admin)
    assert (rollout.phase, rollout.status) == ("closed", "done")
    with pytest.raises(ValidationError) as error:
        services.rollout_move_phase(rollout=rollout, phase="closed", actor=admin)
    assert error.value.message_dict == {"phase": ["The board of this school is closed: it has no next phase."]}
    with pytest.raises(ValidationError) as error:
        services.checklist_tick(item=steps(rollout)[0], actor=admin, is_done=False)
    assert error.value.messages == ["The board of this school is closed: its steps cannot change."]


def test_status_is_set_by_hand(rollout, role_users):
    staff = role_users[Role.OPERATOR_STAFF]
    rollout = services.rollout_set_status(rollout=rollout, status="at_risk", actor=staff)
    assert rollout.status == "at_risk"
    event = AuditEvent.objects.filter(object_type="devices.schoolrollout", action="status").get()
    assert (event.before, event.after) == ({"status": "not_started"}, {"status": "at_risk"})
    with pytest.raises(ValidationError) as error:
        services.rollout_set_status(rollout=rollout, status="at_risk", actor=staff)
    assert error.value.message_dict == {"status": ["The status is already At risk."]}
    with pytest.raises(ValidationError) as error:
        services.rollout_set_status(rollout=rollout, status="late", actor=staff)
    assert error.value.message_dict == {"status": ["Choose one of: not_started, on_track, at_risk, blocked, done."]}
    with pytest.raises(PermissionDenied):
        services.rollout_set_status(rollout=rollout, status="blocked", actor=role_users[Role.AUDITOR])


def test_update_keeps_the_aftercare_date_of_a_school_in_aftercare(rollout, admin):
    services.rollout_move_phase(rollout=rollout, phase="delivery", actor=admin, force=True, note="n")
    services.rollout_move_phase(
        rollout=rollout,
        phase="aftercare",
        actor=admin,
        force=True,
        note="n",
        aftercare_until=datetime.date(2025, 6, 30),
    )
    with pytest.raises(ValidationError) as error:
        services.rollout_update(rollout=rollout, actor=admin, os_profile="", aftercare_until=None, note="")
    assert error.value.message_dict == {
        "aftercare_until": ["A school in aftercare needs the date aftercare lasts until."]
    }
    rollout = services.rollout_update(
        rollout=rollout, actor=admin, os_profile="Secondary image", aftercare_until=datetime.date(2025, 8, 31), note=""
    )
    event = AuditEvent.objects.filter(object_type="devices.schoolrollout", action="update").get()
    assert event.after == {"os_profile": "Secondary image", "aftercare_until": "2025-08-31"}


# --- figures ---


def test_figures_come_from_the_data(rollout, programme, world, admin):
    school = world.school
    delivered = [DeviceFactory(programme=programme, school=school) for _ in range(4)]
    delivered[0].accepted_at = timezone.now()
    delivered[0].save(update_fields=["accepted_at"])
    delivered[1].accepted_at = timezone.now()
    delivered[1].save(update_fields=["accepted_at"])
    lifecycle.device_transition(device=delivered[2], status=DeviceStatus.DEPLOYED, actor=admin)
    DeviceFactory(programme=programme, school=school, status=DeviceStatus.ORDERED)  # not delivered
    DeviceFactory(school=school)  # another programme
    DeviceFactory(programme=programme, school=world.other_school)  # another school
    template = AgreementTemplateFactory(programme=programme)
    agreement_for(hand_out(programme=programme, school=school, reference="P1"), template)
    accepted = agreement_for(hand_out(programme=programme, school=school, reference="P2"), template)
    UserAgreement.objects.filter(pk=accepted.pk).update(
        status="accepted", accepted_at=timezone.now(), accepted_via="paper"
    )
    ticket_services.ticket_open(device=delivered[3], category="software", description="Will not boot", actor=admin)
    services.checklist_tick(item=steps(rollout)[0], actor=admin)
    row = selectors.rollout_figures(rollout)
    assert (
        row.steps_done,
        row.steps_total,
        row.devices_delivered,
        row.devices_accepted,
        row.devices_deployed,
        row.agreements_pending,
        row.tickets_open,
    ) == (1, 9, 6, 2, 1, 1, 1)


# --- pages ---


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two_operators(programme, world, admin):
    sibling = SchoolFactory(
        operator=OperatorFactory(authority=world.authority, name="Sibling operator"), name="Sibling school"
    )
    services.rollout_start_many(programme=programme, actor=admin)
    return sibling


def test_an_operator_sees_only_its_schools_at_a_glance(programme, two_operators, role_users):
    url = reverse("devices:schoolrollout-board", kwargs={"programme_pk": programme.pk})
    page = client_for(role_users[Role.OPERATOR_STAFF]).get(url).content.decode()
    assert "INSIDE school" in page and "Sibling school" not in page
    assert "1 school" in page
    page = client_for(role_users[Role.PROGRAMME_OWNER]).get(url).content.decode()
    assert "INSIDE school" in page and "Sibling school" in page
    assert "2 schools" in page
    assert "0/9" in page


def test_the_board_filters_by_phase_status_and_operator_with_htmx(programme, two_operators, role_users, admin):
    sibling_rollout = SchoolRollout.objects.get(school=two_operators)
    services.rollout_set_status(rollout=sibling_rollout, status="blocked", actor=admin)
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("devices:schoolrollout-board", kwargs={"programme_pk": programme.pk})
    response = client.get(url, {"status": "blocked"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="board-rows")
    text = response.content.decode()
    assert "<html" not in text and 'id="board-rows"' in text
    assert "Sibling school" in text and "INSIDE school" not in text
    text = client.get(url, {"operator": two_operators.operator_id}).content.decode()
    assert "Sibling school" in text and ">INSIDE school<" not in text
    text = client.get(url, {"phase": "delivery"}).content.decode()
    assert "No school on the board matches." in text
    # An operator the user may not filter by is ignored, not an error.
    assert client_for(role_users[Role.OPERATOR_STAFF]).get(url, {"operator": "999999"}).status_code == 200


def test_the_bulk_start_button_starts_the_operators_schools(programme, world, role_users):
    client = client_for(role_users[Role.OPERATOR_STAFF])
    url = reverse("devices:schoolrollout-start", kwargs={"programme_pk": programme.pk})
    assert client.get(url).status_code == 405
    response = client.post(url, {"operator": ""}, follow=True)
    assert "1 school was put on the board." in response.content.decode()
    assert SchoolRollout.objects.filter(programme=programme).count() == 1
    assert client_for(role_users[Role.AUDITOR]).post(url, {}).status_code == 403


def test_the_school_page_shows_three_columns_and_ticks_with_htmx(rollout, role_users):
    client = client_for(role_users[Role.SCHOOL_COORDINATOR])
    page = client.get(reverse("devices:schoolrollout-detail", kwargs={"pk": rollout.pk})).content.decode()
    for text in ("Preparation", "Delivery", "Aftercare", "Counts confirmed", "First check-in done", "0/4"):
        assert text in page
    item = steps(rollout)[0]
    url = reverse("devices:checklistitem-tick", kwargs={"pk": item.pk})
    response = client.post(url, {"done": "1"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and f'id="step-{item.pk}"' in text and "Done ✓" in text
    item.refresh_from_db()
    assert item.is_done
    text = client.post(url, {"done": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "This step is already done." in text
    assert client_for(role_users[Role.AUDITOR]).post(url, {"done": "0"}).status_code == 403


def test_the_phase_page_lists_open_steps_and_moves_on_with_force(rollout, role_users):
    client = client_for(role_users[Role.OPERATOR_STAFF])
    url = reverse("devices:schoolrollout-phase", kwargs={"pk": rollout.pk})
    page = client.get(url).content.decode()
    assert "4 steps of Preparation are still open:" in page
    response = client.post(url, {"phase": "delivery"})
    assert "4 step(s) of Preparation are still open" in response.content.decode()
    response = client.post(url, {"phase": "delivery", "force": "on", "note": "Counted later"})
    assert response.status_code == 302
    rollout.refresh_from_db()
    assert rollout.phase == "delivery"


def test_pages_outside_the_scope_are_404(rollout, programme, world):
    outsider = user_with_role(Role.OPERATOR_STAFF, OperatorFactory(name="Elsewhere"), username="elsewhere")
    client = client_for(outsider)
    assert client.get(reverse("devices:schoolrollout-detail", kwargs={"pk": rollout.pk})).status_code == 404
    item = steps(rollout)[0]
    assert client.post(reverse("devices:checklistitem-tick", kwargs={"pk": item.pk}), {"done": "1"}).status_code == 404
