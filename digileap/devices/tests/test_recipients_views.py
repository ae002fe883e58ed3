"""Pages of recipients (list, detail, form, deactivate), the scan loop and the return of a device."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.devices.models import Assignment, DeviceStatus, Recipient
from digileap.devices.services.assignments import device_assign
from digileap.devices.tests.factories import DeviceFactory, RecipientFactory
from digileap.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("devices:recipient-list")
CREATE_URL = reverse("devices:recipient-create")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def device_at(school, serial, status=DeviceStatus.DELIVERED):
    return DeviceFactory(
        programme=ProgrammeFactory(authority=school.authority), school=school, serial=serial, status=status
    )


def handout_urls(school):
    return (
        reverse("devices:assignment-handout", kwargs={"school_pk": school.pk}),
        reverse("devices:assignment-handout-scan", kwargs={"school_pk": school.pk}),
        reverse("devices:assignment-handout-confirm", kwargs={"school_pk": school.pk}),
    )


# -- list, detail, form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status,shown",
    [
        (Role.ADMINISTRATOR, 200, ["IN-P-1", "OUT-P-9"]),
        (Role.PROGRAMME_OWNER, 200, ["IN-P-1"]),
        (Role.FUNDING_ADMINISTRATOR, 200, ["IN-P-1"]),
        (Role.OPERATOR_STAFF, 200, ["IN-P-1"]),
        (Role.SCHOOL_COORDINATOR, 200, ["IN-P-1"]),
        (Role.SUPPLIER, 200, []),
        (Role.AUDITOR, 200, ["IN-P-1"]),
    ],
)
def test_the_list_shows_the_scope(role, status, shown, world, role_users):
    RecipientFactory(school=world.school, reference="IN-P-1")
    RecipientFactory(school=world.other_school, reference="OUT-P-9")
    response = signed_in(role_users[role]).get(LIST_URL)
    assert response.status_code == status
    assert [r.reference for r in response.context["page"].object_list] == shown


def test_the_list_filters(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    RecipientFactory(school=world.school, reference="P-1", group="5A")
    holder = RecipientFactory(school=world.school, reference="P-2", group="5A")
    RecipientFactory(school=world.school, reference="T-1", group="5A", kind="teacher")
    RecipientFactory(school=world.school, reference="P-3", group="5B")
    RecipientFactory(school=world.school, reference="P-4", group="5A", is_active=False)
    device_assign(device=device_at(world.school, "SN-1"), recipient=holder, actor=actor)
    client = signed_in(actor)

    def shown(**query):
        return [r.reference for r in client.get(LIST_URL, query).context["page"].object_list]

    assert shown() == ["P-1", "P-2", "T-1", "P-3"]
    assert shown(school=world.school.pk, group="5A") == ["P-1", "P-2", "T-1"]
    assert shown(kind="teacher") == ["T-1"]
    assert shown(device="with") == ["P-2"]
    assert shown(device="without", group="5A") == ["P-1", "T-1"]
    assert shown(active="inactive") == ["P-4"]
    assert shown(q="p-3") == ["P-3"]
    response = client.get(LIST_URL, {"school": world.school.pk, "group": "5A"})
    assert response.context["can_hand_out"] is True
    assert b"SN-1" in response.content
    handout = reverse("devices:assignment-handout", kwargs={"school_pk": world.school.pk})
    assert f'href="{handout}?group=5A"'.encode() in response.content


def test_a_school_outside_the_scope_is_not_a_filter_choice(world, role_users):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).get(LIST_URL, {"school": world.other_school.pk})
    assert response.status_code == 200
    assert response.context["filter_form"].errors["school"]
    assert b"OUTSIDE" not in response.content


def test_create_by_hand(world, role_users):
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    assert client.get(CREATE_URL, {"school": world.school.pk, "group": "5A"}).status_code == 200
    response = client.post(
        CREATE_URL,
        {
            "school": world.school.pk,
            "reference": "P-77",
            "kind": "pupil",
            "grade": "5",
            "group": "5A",
            "isced_level": "1",
        },
    )
    recipient = Recipient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("devices:recipient-detail", kwargs={"pk": recipient.pk})
    assert (recipient.reference, recipient.grade, recipient.group, recipient.isced_level) == ("P-77", 5, "5A", 1)


def test_the_form_has_no_name_field_unless_names_are_stored(world, role_users, settings):
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    assert "display_name" not in client.get(CREATE_URL).context["form"].fields
    settings.PUPIL_NAMES_ENABLED = True
    assert "display_name" in client.get(CREATE_URL).context["form"].fields


def test_create_errors_stay_on_the_form(world, role_users):
    RecipientFactory(school=world.school, reference="P-1")
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post(CREATE_URL, {"school": world.school.pk, "reference": "P-1", "kind": "pupil", "grade": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"grade": ["Enter a whole number."]}
    response = client.post(CREATE_URL, {"school": world.school.pk, "reference": "P-1", "kind": "pupil"})
    assert response.context["form"].errors == {"reference": ["The reference P-1 is already used at INSIDE school."]}
    # A school outside the scope is not a choice.
    response = client.post(CREATE_URL, {"school": world.other_school.pk, "reference": "P-2", "kind": "pupil"})
    assert "school" in response.context["form"].errors
    assert Recipient.objects.count() == 1


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.SUPPLIER, Role.AUDITOR, Role.FUNDING_ADMINISTRATOR])
def test_roles_that_may_not_add(role, world, role_users):
    assert signed_in(role_users[role]).get(CREATE_URL).status_code == 403


def test_detail_edit_deactivate(world, role_users):
    client = signed_in(role_users[Role.OPERATOR_STAFF])
    recipient = RecipientFactory(school=world.school, reference="P-1", group="5A")
    detail = reverse("devices:recipient-detail", kwargs={"pk": recipient.pk})
    assert client.get(detail).status_code == 200
    edit = reverse("devices:recipient-edit", kwargs={"pk": recipient.pk})
    response = client.post(edit, {"reference": "P-1", "kind": "pupil", "grade": "6", "group": "6A"})
    assert response.status_code == 302
    recipient.refresh_from_db()
    assert (recipient.grade, recipient.group) == (6, "6A")
    deactivate = reverse("devices:recipient-deactivate", kwargs={"pk": recipient.pk})
    assert client.get(deactivate).status_code == 405
    assert client.post(deactivate).status_code == 302
    recipient.refresh_from_db()
    assert recipient.is_active is False
    client.post(reverse("devices:recipient-activate", kwargs={"pk": recipient.pk}))
    recipient.refresh_from_db()
    assert recipient.is_active is True


def test_deactivating_a_holder_shows_why_not(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    recipient = RecipientFactory(school=world.school, reference="P-1")
    device_assign(device=device_at(world.school, "SN-5"), recipient=recipient, actor=actor)
    response = signed_in(actor).post(reverse("devices:recipient-deactivate", kwargs={"pk": recipient.pk}), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["P-1 still has device SN-5. Record its return first."]


def test_outside_recipients_are_404(world, role_users):
    recipient = RecipientFactory(school=world.other_school, reference="OUTSIDE-1")
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    for name in ("recipient-detail", "recipient-edit"):
        assert client.get(reverse(f"devices:{name}", kwargs={"pk": recipient.pk})).status_code == 404
    assert client.post(reverse("devices:recipient-deactivate", kwargs={"pk": recipient.pk})).status_code == 404
    recipient.refresh_from_db()
    assert recipient.is_active is True


def test_the_auditor_reads_but_does_not_edit(world, role_users):
    recipient = RecipientFactory(school=world.school)
    client = signed_in(role_users[Role.AUDITOR])
    assert client.get(reverse("devices:recipient-detail", kwargs={"pk": recipient.pk})).status_code == 200
    assert client.get(reverse("devices:recipient-edit", kwargs={"pk": recipient.pk})).status_code == 403
    assert client.post(reverse("devices:recipient-deactivate", kwargs={"pk": recipient.pk})).status_code == 404


# -- the scan loop ---------------------------------------------------------------------------------


@pytest.fixture
def class_5a(world):
    return [RecipientFactory(school=world.school, reference=f"P-{n:02d}", group="5A") for n in (3, 1, 2)]


def test_the_loop_page(world, role_users, class_5a):
    page, scan, _confirm = handout_urls(world.school)
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).get(page, {"group": "5A"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "0 of 3 handed out" in content
    assert 'name="serial"' in content and "autofocus" in content
    assert 'value="charger" checked' in content and 'value="bag" checked' in content
    assert f'hx-post="{scan}"' in content
    assert "devices/handout.js" in content


def test_scan_propose_confirm_with_htmx(world, role_users, class_5a):
    _page, scan, confirm = handout_urls(world.school)
    device = device_at(world.school, "SN-100")
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    response = client.post(
        scan, {"serial": " sn-100 ", "group": "5A", "kit": ["charger", "bag"]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "devices/_handout_panel.html"
    proposal = response.context["proposal"]
    assert (proposal.device, proposal.recipient.reference) == (device, "P-01")
    content = response.content.decode()
    assert "Hand SN-100 to P-01?" in content
    assert "data-handout-confirm" in content and "autofocus" in content
    # Enter on the focused button posts the proposal as it stands.
    response = client.post(
        confirm,
        {"device": device.pk, "recipient": proposal.recipient.pk, "group": "5A", "kit": ["charger"]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "SN-100 handed out to P-01." in content
    assert "1 of 3 handed out" in content
    assert 'hx-swap-oob="true"' in content
    assignment = Assignment.objects.get()
    assert (assignment.recipient.reference, assignment.kit) == ("P-01", ["charger"])
    # The kit choice stays for the next scan; the next proposal is the next on the list.
    assert 'value="charger" checked' in content and 'value="bag" checked' not in content
    device_at(world.school, "SN-101")
    response = client.post(scan, {"serial": "SN-101", "group": "5A", "kit": ["charger"]}, HTTP_HX_REQUEST="true")
    assert response.context["proposal"].recipient.reference == "P-02"


def test_another_recipient_may_be_chosen(world, role_users, class_5a):
    _page, _scan, confirm = handout_urls(world.school)
    device = device_at(world.school, "SN-100")
    third = Recipient.objects.get(reference="P-03")
    signed_in(role_users[Role.SCHOOL_COORDINATOR]).post(
        confirm, {"device": device.pk, "recipient": third.pk, "group": "5A", "kit": ["charger", "bag"]}
    )
    assert Assignment.objects.get().recipient == third


@pytest.mark.parametrize(
    "serial,message",
    [
        ("NOPE-1", "No device with serial number NOPE-1 is known at INSIDE school."),
        ("", "Scan or type a serial number."),
        ("SN-OUT", "No device with serial number SN-OUT is known at INSIDE school."),
        ("SN-TAKEN", "Device SN-TAKEN is already handed out to P-03 (since 2025-09-03)."),
        ("SN-REPAIR", "Device SN-REPAIR is in repair; only devices in stock or delivered can be handed out."),
    ],
)
def test_scan_errors_show_inline_and_the_loop_goes_on(serial, message, world, role_users, class_5a):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    _page, scan, _confirm = handout_urls(world.school)
    device_at(world.other_school, "SN-OUT")
    taken = device_at(world.school, "SN-TAKEN")
    device_assign(
        device=taken,
        recipient=Recipient.objects.get(reference="P-03"),
        actor=actor,
        at=timezone.make_aware(datetime.datetime(2025, 9, 3, 9, 0)),
    )
    repair = device_at(world.school, "SN-REPAIR")
    from digileap.devices import lifecycle

    lifecycle.device_transition(device=repair, status=DeviceStatus.IN_REPAIR, actor=None, check_permission=False)
    response = signed_in(actor).post(scan, {"serial": serial, "group": "5A", "kit": ["bag"]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["error"] == message
    content = response.content.decode()
    assert 'role="alert"' in content
    assert 'name="serial"' in content and "autofocus" in content
    assert 'value="bag" checked' in content and 'value="charger" checked' not in content
    assert "1 of 3 handed out" in content


def test_a_device_at_another_school_in_the_scope_is_named(world, role_users, class_5a):
    from digileap.schools.tests.factories import SchoolFactory

    sister = SchoolFactory(operator=world.operator, authority=world.authority, name="Sister school")
    device_at(sister, "SN-SIS")
    _page, scan, _confirm = handout_urls(world.school)
    response = signed_in(role_users[Role.OPERATOR_STAFF]).post(scan, {"serial": "SN-SIS", "group": "5A"})
    assert response.context["error"] == "Device SN-SIS is at Sister school, not at INSIDE school."
    # Without htmx the whole page comes back.
    assert "devices/handout_loop.html" in [t.name for t in response.templates]


def test_confirm_after_someone_else_handed_the_device_out(world, role_users, class_5a):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    _page, _scan, confirm = handout_urls(world.school)
    device = device_at(world.school, "SN-100")
    first, second = Recipient.objects.get(reference="P-01"), Recipient.objects.get(reference="P-02")
    device_assign(device=device, recipient=second, actor=actor, at=timezone.make_aware(datetime.datetime(2025, 9, 3)))
    response = signed_in(actor).post(
        confirm, {"device": device.pk, "recipient": first.pk, "group": "5A"}, HTTP_HX_REQUEST="true"
    )
    assert response.context["error"] == "Device SN-100 is already handed out to P-02 (since 2025-09-03)."
    assert Assignment.objects.count() == 1


def test_confirm_with_objects_of_another_school_or_nonsense(world, role_users, class_5a):
    _page, _scan, confirm = handout_urls(world.school)
    outside = device_at(world.other_school, "SN-OUT")
    outside_recipient = RecipientFactory(school=world.other_school, reference="OUTSIDE-1")
    client = signed_in(role_users[Role.ADMINISTRATOR])
    response = client.post(confirm, {"device": outside.pk, "recipient": outside_recipient.pk, "group": "5A"})
    assert response.context["error"] == "That device or pupil is not at INSIDE school; scan the device again."
    response = client.post(confirm, {"device": "x", "recipient": ""})
    assert response.context["error"] == "The hand-out was not understood; scan the device again."
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    "role,status",
    [
        (Role.ADMINISTRATOR, 200),
        (Role.OPERATOR_STAFF, 200),
        (Role.SCHOOL_COORDINATOR, 200),
        (Role.PROGRAMME_OWNER, 403),
        (Role.FUNDING_ADMINISTRATOR, 403),
        (Role.AUDITOR, 403),
        (Role.SUPPLIER, 404),
    ],
)
def test_who_may_open_the_loop(role, status, world, role_users):
    page, scan, confirm = handout_urls(world.school)
    client = signed_in(role_users[role])
    assert client.get(page).status_code == status
    device = device_at(world.school, "SN-1")
    recipient = RecipientFactory(school=world.school)
    response = client.post(confirm, {"device": device.pk, "recipient": recipient.pk})
    assert response.status_code == status
    assert Assignment.objects.exists() is (status == 200)


def test_the_loop_of_a_school_outside_the_scope_is_404(world, role_users):
    page, scan, confirm = handout_urls(world.other_school)
    client = signed_in(role_users[Role.OPERATOR_STAFF])
    assert client.get(page).status_code == 404
    assert client.post(scan, {"serial": "SN-1"}).status_code == 404
    assert client.post(confirm, {"device": "1", "recipient": "1"}).status_code == 404


def test_thirty_pupils_by_keyboard_alone(world, role_users):
    """The loop as a coordinator runs it: scan, Enter (propose), Enter (confirm), thirty times."""
    for n in range(30):
        RecipientFactory(school=world.school, reference=f"P-{n:02d}", group="6B")
    devices = [device_at(world.school, f"SN-{n:03d}") for n in range(30)]
    _page, scan, confirm = handout_urls(world.school)
    client = signed_in(role_users[Role.SCHOOL_COORDINATOR])
    for device in devices:
        proposed = client.post(
            scan, {"serial": device.serial.lower(), "group": "6B", "kit": ["charger", "bag"]}, HTTP_HX_REQUEST="true"
        )
        proposal = proposed.context["proposal"]
        client.post(
            confirm,
            {
                "device": proposal.device.pk,
                "recipient": proposal.recipient.pk,
                "group": "6B",
                "kit": ["charger", "bag"],
            },
            HTTP_HX_REQUEST="true",
        )
    assert sorted(Assignment.objects.values_list("recipient__reference", "device__serial")) == [
        (f"P-{n:02d}", f"SN-{n:03d}") for n in range(30)
    ]
    last = client.post(scan, {"serial": "SN-000", "group": "6B"}, HTTP_HX_REQUEST="true")
    assert "30 of 30 handed out" in last.content.decode()


def test_a_scan_costs_few_queries(world, role_users, class_5a, django_assert_max_num_queries):
    """Besides the session, the user and the scope: the school, the device, the next pupils, the
    progress and the latest hand-outs."""
    actor = role_users[Role.SCHOOL_COORDINATOR]
    device_at(world.school, "SN-100")
    _page, scan, _confirm = handout_urls(world.school)
    client = signed_in(actor)
    client.post(scan, {"serial": "SN-100", "group": "5A"}, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(10):
        client.post(scan, {"serial": "SN-100", "group": "5A"}, HTTP_HX_REQUEST="true")


# -- returns ---------------------------------------------------------------------------------------


def test_record_a_return(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    recipient = RecipientFactory(school=world.school, reference="P-1")
    device = device_at(world.school, "SN-1")
    assignment = device_assign(device=device, recipient=recipient, actor=actor)
    url = reverse("devices:assignment-return", kwargs={"pk": assignment.pk})
    client = signed_in(actor)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial == {"kit_returned": ["charger", "bag"]}
    response = client.post(url, {"kit_returned": ["charger"], "condition": "damaged", "note": "screen cracked"})
    assert response.status_code == 302
    assert response["Location"] == reverse("devices:recipient-detail", kwargs={"pk": recipient.pk})
    assignment.refresh_from_db()
    device.refresh_from_db()
    assert (assignment.kit_returned, assignment.return_note, device.status) == (
        ["charger"],
        "screen cracked",
        "in_repair",
    )
    # A second return is refused with the reason.
    response = client.post(url, {"condition": "good"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Device SN-1 was already returned on {timezone.localdate().isoformat()}."
    ]


def test_return_is_for_writers_in_the_scope(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    assignment = device_assign(
        device=device_at(world.school, "SN-1"), recipient=RecipientFactory(school=world.school), actor=actor
    )
    url = reverse("devices:assignment-return", kwargs={"pk": assignment.pk})
    assert signed_in(role_users[Role.AUDITOR]).post(url, {"condition": "good"}).status_code == 403
    outside = device_assign(
        device=device_at(world.other_school, "SN-2"),
        recipient=RecipientFactory(school=world.other_school),
        actor=role_users[Role.ADMINISTRATOR],
    )
    other_url = reverse("devices:assignment-return", kwargs={"pk": outside.pk})
    assert signed_in(actor).post(other_url, {"condition": "good"}).status_code == 404
    assert Assignment.objects.filter(returned_at__isnull=True).count() == 2
