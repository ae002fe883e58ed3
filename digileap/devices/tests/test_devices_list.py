"""The device list: filters, sorts, keyset pages (both directions, every sort), the count, the
export, the scope of every role, and the scope's semi-join against ``restrict``."""

import csv
import datetime
import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.permissions import Action, restrict
from digileap.devices import lifecycle
from digileap.devices.models import Device, DeviceEvent, DeviceType
from digileap.devices.selectors import devices as selectors
from digileap.devices.views import devices as views
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from .factories import DeviceFactory, DeviceModelFactory

LIST = reverse("devices:device-list")
COUNT = reverse("devices:device-count")
EXPORT = reverse("devices:device-export")


def make_fleet(world) -> SimpleNamespace:
    """Devices at the INSIDE school (A), a second school of the INSIDE operator (B), a school of
    another operator of the INSIDE authority (C) and the OUTSIDE school (X)."""
    school_b = SchoolFactory(operator=world.operator, name="Second school", number="1002")
    school_c = SchoolFactory(
        operator=OperatorFactory(authority=world.authority, name="Other operator"), name="Third school", number="1003"
    )
    programme = ProgrammeFactory(code="fleet", name={"en": "Fleet programme"}, authority=world.authority)
    other_programme = ProgrammeFactory(code="fleet-2", name={"en": "Second programme"}, authority=world.authority)
    outside_programme = ProgrammeFactory(
        code="fleet-out", name={"en": "OUTSIDE programme"}, authority=world.other_authority
    )
    laptop = DeviceModelFactory(authority=world.authority, code="lap", manufacturer="Lenovo", name="L14")
    tablet = DeviceModelFactory(
        authority=world.authority, code="tab", manufacturer="Apple", name="iPad", device_type=DeviceType.TABLET
    )
    outside_model = DeviceModelFactory(authority=world.other_authority, code="out", manufacturer="Lenovo", name="X1")

    def device(serial, school, *, model=laptop, supplier=world.supplier, programme=programme, delivered=None, **extra):
        made = DeviceFactory(
            serial=serial,
            school=school,
            device_model=model,
            supplier=supplier,
            programme=programme,
            delivered_on=delivered,
            **extra,
        )
        return made

    d = SimpleNamespace(school_b=school_b, school_c=school_c, programme=programme, laptop=laptop, tablet=tablet)
    d.a1 = device("A-001", world.school, delivered=datetime.date(2024, 9, 2), asset_tag="TAG-1")
    d.a2 = device(
        "A-002", world.school, delivered=datetime.date(2024, 9, 1), condition="refurbished", discrepancy="damaged"
    )
    d.a3 = device("A-003", world.school, delivered=None, asset_tag="tag-3")
    d.b1 = device("B-001", school_b, model=tablet, supplier=world.other_supplier, delivered=datetime.date(2024, 9, 3))
    d.c1 = device("C-001", school_c, programme=other_programme, delivered=datetime.date(2024, 8, 30))
    d.x1 = device(
        "X-OUTSIDE-1",
        world.other_school,
        model=outside_model,
        supplier=world.other_supplier,
        programme=outside_programme,
        delivered=datetime.date(2024, 9, 4),
    )
    lifecycle.device_transition(device=d.a2, status="in_repair", actor=None, reason="broken", check_permission=False)
    lifecycle.device_transition(device=d.a3, status="deployed", actor=None, reason="handed out", check_permission=False)
    lifecycle.device_transition(device=d.c1, status="in_stock", actor=None, reason="to store", check_permission=False)
    return d


@pytest.fixture
def fleet(world):
    return make_fleet(world)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def serials(response) -> list[str]:
    return [row["serial"] for row in response.context["page"].rows]


# Who sees what.

VISIBLE = {
    Role.ADMINISTRATOR: ["A-001", "A-002", "A-003", "B-001", "C-001", "X-OUTSIDE-1"],
    Role.PROGRAMME_OWNER: ["A-001", "A-002", "A-003", "B-001", "C-001"],
    Role.FUNDING_ADMINISTRATOR: ["A-001", "A-002", "A-003", "B-001", "C-001"],
    Role.AUDITOR: ["A-001", "A-002", "A-003", "B-001", "C-001"],
    Role.OPERATOR_STAFF: ["A-001", "A-002", "A-003", "B-001"],
    Role.SCHOOL_COORDINATOR: ["A-001", "A-002", "A-003"],
    Role.SUPPLIER: ["A-001", "A-002", "A-003", "C-001"],
    Role.TEACHER: [],  # teachers have no device grants
    Role.DATA_PROTECTION_OFFICER: [],
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_devices_in_serial_order(role, role_users, fleet):
    response = signed_in(role_users[role]).get(LIST)
    assert response.status_code == 200
    assert serials(response) == VISIBLE[role]
    if role != Role.ADMINISTRATOR:
        assert "OUTSIDE" not in response.content.decode()


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", [Action.VIEW, Action.CHANGE])
@pytest.mark.parametrize("small_scope", [200, 0])
def test_the_semi_join_scope_finds_what_restrict_finds(role, action, small_scope, role_users, fleet, monkeypatch):
    """Both shapes (a list of school ids, and EXISTS) give exactly the rows of ``restrict``."""
    monkeypatch.setattr(selectors, "SMALL_SCOPE", small_scope)
    user = role_users[role]
    assert set(selectors.devices_for(user, action)) == set(restrict(Device.objects.all(), user, action))
    assert set(selectors.device_events_for(user, action)) == set(restrict(DeviceEvent.objects.all(), user, action))


def test_a_scope_of_many_schools_is_an_exists_and_of_few_a_list(role_users, fleet, monkeypatch):
    owner = role_users[Role.PROGRAMME_OWNER]
    assert " IN (" in str(selectors.devices_for(owner).query)
    assert "EXISTS" not in str(selectors.devices_for(owner).query)
    monkeypatch.setattr(selectors, "SMALL_SCOPE", 2)
    sql = str(selectors.devices_for(owner).query)
    assert "EXISTS" in sql and "JOIN" not in sql


def test_is_one_school_scope(role_users):
    assert selectors.is_one_school_scope(role_users[Role.SCHOOL_COORDINATOR])
    assert not selectors.is_one_school_scope(role_users[Role.OPERATOR_STAFF])
    assert not selectors.is_one_school_scope(role_users[Role.ADMINISTRATOR])


# Filters.


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "delivered"}, ["A-001", "B-001", "X-OUTSIDE-1"]),
        ({"status": ["in_repair", "deployed"]}, ["A-002", "A-003"]),
        ({"device_type": "tablet"}, ["B-001"]),
        ({"condition": "refurbished"}, ["A-002"]),
        ({"discrepancy": "damaged"}, ["A-002"]),
        ({"discrepancy": "any"}, ["A-002"]),
        ({"discrepancy": "none"}, ["A-001", "A-003", "B-001", "C-001", "X-OUTSIDE-1"]),
        ({"serial": "a-00"}, ["A-001", "A-002", "A-003"]),
        ({"serial": "X-"}, ["X-OUTSIDE-1"]),
        ({"serial": "Z"}, []),
        ({"asset_tag": "tag-"}, ["A-001", "A-003"]),
        ({"school_number": "1002"}, ["B-001"]),
        ({"school_number": "9999"}, []),
    ],
)
def test_filters(query, expected, role_users, fleet):
    response = signed_in(role_users[Role.ADMINISTRATOR]).get(LIST, query)
    assert serials(response) == expected


def test_filters_by_school_model_and_programme(role_users, world, fleet):
    client = signed_in(role_users[Role.ADMINISTRATOR])
    assert serials(client.get(LIST, {"school": fleet.school_b.pk})) == ["B-001"]
    assert serials(client.get(LIST, {"school": world.school.pk, "status": "deployed"})) == ["A-003"]
    assert serials(client.get(LIST, {"device_model": fleet.tablet.pk})) == ["B-001"]
    assert serials(client.get(LIST, {"programme": fleet.programme.pk})) == ["A-001", "A-002", "A-003", "B-001"]


def test_a_school_outside_the_scope_finds_nothing(role_users, world, fleet):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).get(LIST, {"school": world.other_school.pk})
    assert serials(response) == []
    assert "OUTSIDE" not in response.content.decode()


def test_filters_not_understood_are_named_and_ignored(role_users, fleet):
    response = signed_in(role_users[Role.ADMINISTRATOR]).get(LIST, {"status": "broken", "school": "x", "sort": "?"})
    assert response.status_code == 200
    assert serials(response) == VISIBLE[Role.ADMINISTRATOR]
    text = response.content.decode()
    assert "Some filters were not understood and are ignored:" in text
    assert "Status: Select a valid choice. broken is not one of the available choices." in text
    assert "School: Enter a whole number." in text


def test_the_school_filter_is_a_list_for_a_few_schools_and_a_number_for_many(role_users, world, fleet, monkeypatch):
    text = signed_in(role_users[Role.OPERATOR_STAFF]).get(LIST).content.decode()
    assert '<select name="school" id="id_school">' in text
    assert "INSIDE school (1001)" in text and "Second school (1002)" in text and "Third school" not in text
    monkeypatch.setattr("digileap.devices.forms.devices.SCHOOL_SELECT_LIMIT", 1)
    text = signed_in(role_users[Role.OPERATOR_STAFF]).get(LIST, {"school": world.school.pk}).content.decode()
    assert f'<input type="hidden" name="school" value="{world.school.pk}" id="id_school">' in text
    assert 'name="school_number"' in text


# Sorts and pages.


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("serial", ["A-001", "A-002", "A-003", "B-001", "C-001", "X-OUTSIDE-1"]),
        ("-serial", ["X-OUTSIDE-1", "C-001", "B-001", "A-003", "A-002", "A-001"]),
        ("status", ["A-001", "B-001", "X-OUTSIDE-1", "A-003", "A-002", "C-001"]),
        ("-status", ["C-001", "A-002", "A-003", "X-OUTSIDE-1", "B-001", "A-001"]),
    ],
)
def test_sorts(sort, expected, role_users, fleet):
    response = signed_in(role_users[Role.ADMINISTRATOR]).get(LIST, {"sort": sort})
    assert serials(response) == expected


def test_the_school_sort_groups_by_school(role_users, world, fleet):
    response = signed_in(role_users[Role.ADMINISTRATOR]).get(LIST, {"sort": "school"})
    schools = [row["school_id"] for row in response.context["page"].rows]
    assert schools == sorted(schools)
    assert serials(response)[:3] == ["A-001", "A-002", "A-003"]


def test_the_delivery_date_sorts_one_school_only(role_users, world, fleet):
    client = signed_in(role_users[Role.ADMINISTRATOR])
    empty_first = not selectors.nulls_are_high()
    expected = ["A-002", "A-001"]
    expected = ["A-003", *expected] if empty_first else [*expected, "A-003"]
    response = client.get(LIST, {"school": world.school.pk, "sort": "delivered"})
    assert serials(response) == expected
    assert serials(client.get(LIST, {"school": world.school.pk, "sort": "-delivered"})) == expected[::-1]
    # Over every school it would be a sort of millions: the list keeps the serial order.
    response = client.get(LIST, {"sort": "delivered"})
    assert serials(response) == VISIBLE[Role.ADMINISTRATOR]
    assert "Choose a school to sort by the delivery date." in response.content.decode()
    # A coordinator's whole scope is one school.
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).get(LIST, {"sort": "-delivered"})
    assert serials(response) == expected[::-1]


@pytest.mark.parametrize(
    "sort", ["serial", "-serial", "status", "-status", "school", "-school", "delivered", "-delivered"]
)
def test_keyset_pages_cover_every_row_once_both_ways(sort, world, fleet):
    """Pages of two, forward to the end and back to the start, in every order (empty dates too)."""
    devices = Device.objects.all()
    order = selectors.Sort.parse(sort)
    expected = list(devices.order_by(*order.order_by()).values_list("serial", flat=True))
    assert len(expected) == 6
    forward, pages, cursor = [], [], None
    while True:
        page = selectors.device_page(devices, sort=order, after=cursor, per_page=2)
        forward += [row["serial"] for row in page.rows]
        pages.append(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert forward == expected
    assert [page.is_first for page in pages] == [True, False, False]
    backward, cursor = [], pages[-1].previous_cursor
    while cursor:
        page = selectors.device_page(devices, sort=order, before=cursor, per_page=2)
        backward = [row["serial"] for row in page.rows] + backward
        cursor = page.previous_cursor
    assert backward == expected[:4]
    assert page.is_first and page.next_cursor


def test_the_null_dates_sort_where_the_database_keeps_them(world, fleet):
    order = selectors.Sort.parse("delivered")
    rows = list(Device.objects.order_by(*order.order_by()).values_list("serial", flat=True))
    assert (rows[-1] == "A-003") is (connection.vendor == "postgresql")
    assert (rows[0] == "A-003") is (connection.vendor == "sqlite")


def test_the_page_links_walk_the_list(role_users, fleet, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    client = signed_in(role_users[Role.ADMINISTRATOR])
    first = client.get(LIST, {"status": ["delivered", "in_repair", "deployed"]})
    assert serials(first) == ["A-001", "A-002"]
    assert first.context["page"].previous_cursor is None
    text = first.content.decode()
    assert 'rel="next"' in text and 'rel="prev"' not in text
    second = client.get(
        LIST, {"status": ["delivered", "in_repair", "deployed"], "after": first.context["page"].next_cursor}
    )
    assert serials(second) == ["A-003", "B-001"]
    third = client.get(
        LIST, {"status": ["delivered", "in_repair", "deployed"], "after": second.context["page"].next_cursor}
    )
    assert serials(third) == ["X-OUTSIDE-1"]
    assert third.context["page"].next_cursor is None
    back = client.get(
        LIST, {"status": ["delivered", "in_repair", "deployed"], "before": third.context["page"].previous_cursor}
    )
    assert serials(back) == ["A-003", "B-001"]


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "WyJhIiwxXQ", "WzEsIngiLDFd", "WzEsMiwzXQ"])
def test_a_cursor_that_cannot_be_read_gives_the_first_page(cursor, role_users, fleet):
    response = signed_in(role_users[Role.ADMINISTRATOR]).get(LIST, {"after": cursor, "sort": "status"})
    assert response.status_code == 200
    assert serials(response)[0] == "A-001"


def test_htmx_gets_only_the_results(role_users, fleet):
    response = signed_in(role_users[Role.ADMINISTRATOR]).get(
        LIST, {"status": "deployed"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="device-results"
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<section id="device-results"')
    assert "<html" not in text
    assert f'href="/devices/register/{fleet.a3.pk}/"' in text


def test_rows_are_escaped(role_users, world):
    DeviceFactory(serial="<B>SN", school=world.school, programme__authority=world.authority, asset_tag="<i>x</i>")
    text = signed_in(role_users[Role.ADMINISTRATOR]).get(LIST).content.decode()
    assert "&lt;B&gt;SN" in text and "&lt;i&gt;x&lt;/i&gt;" in text and "<i>x</i>" not in text


# The count.


def test_the_count(role_users, world, fleet):
    client = signed_in(role_users[Role.ADMINISTRATOR])
    assert client.get(COUNT).content.decode().strip() == "6 devices"
    assert client.get(COUNT, {"school": world.school.pk}).content.decode().strip() == "3 devices"
    assert client.get(COUNT, {"status": "deployed"}).content.decode().strip() == "1 device"
    assert signed_in(role_users[Role.OPERATOR_STAFF]).get(COUNT).content.decode().strip() == "4 devices"


def test_the_count_stops_at_its_cap(fleet):
    devices = Device.objects.all()
    assert selectors.device_count(devices, cap=6) == selectors.DeviceCount(6, True)
    assert selectors.device_count(devices, exact=True, cap=2) == selectors.DeviceCount(6, True)
    capped = selectors.device_count(devices, cap=2)
    assert not capped.is_exact
    if connection.vendor == "postgresql":
        assert capped.is_estimate or capped.value == 2
    else:
        assert capped == selectors.DeviceCount(2, False)


def test_the_count_says_more_than(role_users, fleet, monkeypatch):
    monkeypatch.setattr(selectors, "_planner_estimate", lambda devices: None)
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    text = signed_in(role_users[Role.ADMINISTRATOR]).get(COUNT).content.decode().strip()
    assert text == "More than 2 devices"
    monkeypatch.setattr(selectors, "_planner_estimate", lambda devices: 5000)
    text = signed_in(role_users[Role.ADMINISTRATOR]).get(COUNT).content.decode().strip()
    assert text == "About 5,000 devices"


# The export.


def test_the_csv_export_is_the_filtered_list_in_its_order(role_users, world, fleet):
    response = signed_in(role_users[Role.OPERATOR_STAFF]).get(EXPORT, {"sort": "-serial"})
    assert response["Content-Disposition"] == 'attachment; filename="devices.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == views.EXPORT_HEADERS
    assert [row[1] for row in rows[1:]] == ["B-001", "A-003", "A-002", "A-001"]
    a2 = dict(zip(rows[0], rows[4], strict=True))
    assert {key: a2[key] for key in ("serial", "model", "status", "school_number", "school_name", "programme")} == {
        "serial": "A-001",
        "model": "L14",
        "status": "delivered",
        "school_number": "1001",
        "school_name": "INSIDE school",
        "programme": "fleet",
    }
    assert "X-OUTSIDE-1" not in text


def test_the_xlsx_export_escapes_formulas(role_users, world, fleet):
    Device.objects.filter(pk=fleet.a1.pk).update(asset_tag="=HYPERLINK(1)")
    response = signed_in(role_users[Role.SCHOOL_COORDINATOR]).get(EXPORT, {"format": "xlsx", "status": "delivered"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["A-001"]
    assert rows[1][6] == "'=HYPERLINK(1)"
