"""The hand-out page's markup (issue 11, defect 6): nothing inline that the Content Security Policy
blocks, in any state of the loop; the class picker as a labelled field; "Latest hand-outs" with
the date and the time in the language's own format."""

import datetime
import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.devices.models import Assignment
from digileap.devices.services.assignments import device_assign
from digileap.devices.tests.factories import DeviceFactory, RecipientFactory
from digileap.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


@pytest.fixture
def loop(world, role_users):
    """Two classes at INSIDE school, a device handed out on 5 March 2026 at 09:07 in Brussels, two on the shelf."""
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    programme = ProgrammeFactory(authority=world.school.authority)
    first = RecipientFactory(school=world.school, reference="P-01", group="5A")
    RecipientFactory(school=world.school, reference="P-02", group="5A")
    RecipientFactory(school=world.school, reference="P-03", group="5B")
    device_assign(
        device=DeviceFactory(programme=programme, school=world.school, serial="SN-001"),
        recipient=first,
        actor=coordinator,
        at=datetime.datetime(2026, 3, 5, 9, 7, tzinfo=BRUSSELS),
    )
    for serial in ("SN-002", "SN-003"):
        DeviceFactory(programme=programme, school=world.school, serial=serial)
    client = Client()
    client.force_login(coordinator)
    return client


def urls(school):
    return [
        reverse(f"devices:assignment-handout{suffix}", kwargs={"school_pk": school.pk})
        for suffix in ("", "-scan", "-confirm")
    ]


def assert_nothing_inline(html: str) -> None:
    assert re.findall(r"\sstyle\s*=", html) == []
    assert "<style" not in html
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert re.findall(r"\son[a-z]+\s*=", html) == []


def test_no_inline_style_or_script_in_any_state_of_the_loop(world, loop):
    page, scan, confirm = urls(world.school)
    states = [loop.get(page), loop.get(page, {"group": "5A"})]
    for htmx, serial, group in ((False, "SN-002", "5A"), (True, "SN-003", "5B")):
        headers = {"HX-Request": "true"} if htmx else {}
        states.append(loop.post(scan, {"serial": "NOPE", "group": group}, headers=headers))
        proposal = loop.post(scan, {"serial": serial, "group": group, "kit": ["charger"]}, headers=headers)
        states.append(proposal)
        states.append(
            loop.post(
                confirm,
                {
                    "device": proposal.context["proposal"].device.pk,
                    "recipient": proposal.context["proposal"].recipient.pk,
                    "group": group,
                    "kit": ["charger"],
                },
                headers=headers,
            )
        )
    assert [response.status_code for response in states] == [200] * 8
    assert sorted(Assignment.objects.values_list("device__serial", "recipient__reference")) == [
        ("SN-001", "P-01"),
        ("SN-002", "P-02"),
        ("SN-003", "P-03"),
    ]
    for response in states:
        assert_nothing_inline(response.content.decode())


def test_the_class_picker_is_a_labelled_field_with_the_current_class_chosen(world, loop):
    page, _scan, _confirm = urls(world.school)
    html = loop.get(page, {"group": "5B"}).content.decode()
    picker = re.search(r'<form class="filters handout-picker".*?</form>', html, re.S).group(0)
    assert '<label for="handout-group">Class or group</label>' in picker
    assert re.findall(r'<option value="([^"]*)"( selected)?>', picker) == [("", ""), ("5A", ""), ("5B", " selected")]
    assert re.findall(r"<button[^>]*>([^<]*)</button>", picker) == ["Show"]
    assert "inline-form" not in picker


@pytest.mark.parametrize(
    "language,shown",
    [
        ("en", "05/03/2026 09:07"),
        ("de", "05.03.2026 09:07"),
        ("fr", "05/03/2026 09:07"),
        ("nl", "5-3-2026 09:07"),
        ("lv", "5.03.2026 09:07"),
    ],
)
def test_latest_hand_outs_show_the_date_and_the_time(world, loop, language, shown):
    page, _scan, _confirm = urls(world.school)
    html = loop.get(page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    recent = re.search(r'<section id="handout-recent".*?</section>', html, re.S).group(0)
    assert re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', recent) == [("2026-03-05T09:07:00+01:00", shown)]
