"""When a milestone was met, in words (issue 11: "sees milestone 405 met in October 2021").

The dashboard and the public page showed a milestone's status ("Achieved") and its due date, never
the day it was reached. ``selectors.reached_dates`` finds, in one query for all the page's targets,
the first snapshot day on which the value reached the target value; both pages say "Reached on
29 October 2021" beside the status, or "Not reached by the due date; reached on ..." when late.
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.programmes import selectors
from digileap.programmes.models import FundingTransaction, IndicatorSnapshot, Programme, Target
from digileap.schools.tests.factories import SchoolFactory

from .factories import FundingSourceFactory, FundingTransactionFactory, ProgrammeFactory, TargetFactory

pytestmark = pytest.mark.django_db
D = Decimal
day = datetime.date


def snapshot(target, on, value):
    IndicatorSnapshot.objects.create(target=target, date=on, value=D(value), status="", computed_at=timezone.now())


@pytest.fixture
def programme(world):
    """Two schools funded (the value is 2 today) and three targets of 2 schools, with snapshots."""
    programme = ProgrammeFactory(code="reached", name={"en": "Reached programme"}, authority=world.authority)
    programme.is_public = True
    programme.save()
    source = FundingSourceFactory(programme=programme, amount=D("10000.00"), name={"en": "RRF"})
    second = SchoolFactory(operator=world.operator, name="Second school", number="1002")
    for school in (world.school, second):
        FundingTransactionFactory(
            programme=programme,
            source=source,
            school=school,
            kind=FundingTransaction.Kind.COMMITTED,
            amount=D("100.00"),
            date=day(2021, 10, 1),
        )
    on_time = TargetFactory(
        programme=programme, number="405", title={"en": "On time"}, target_value=D("2"), due_date=day(2021, 10, 31)
    )
    late = TargetFactory(
        programme=programme, number="406", title={"en": "Late"}, target_value=D("2"), due_date=day(2021, 10, 20)
    )
    never = TargetFactory(
        programme=programme, number="407", title={"en": "Not yet"}, target_value=D("3"), due_date=day(2099, 1, 1)
    )
    for target in (on_time, late):
        snapshot(target, day(2021, 10, 18), "1")
        snapshot(target, day(2021, 10, 29), "2")
        snapshot(target, day(2021, 11, 30), "2")
    snapshot(never, day(2021, 10, 29), "2")
    return programme, on_time, late, never


def test_reached_dates_one_query_for_all_targets(programme, django_assert_num_queries):
    _programme, on_time, late, never = programme
    targets = Target.objects.filter(programme=_programme)
    with django_assert_num_queries(1):
        reached = selectors.reached_dates(targets)
    assert reached == {on_time.pk: day(2021, 10, 29), late.pk: day(2021, 10, 29)}
    assert selectors.reached_dates(targets, as_of=day(2021, 10, 28)) == {}


def test_a_target_that_goes_down_is_reached_at_or_below_its_value(world):
    target = TargetFactory(baseline=D("10"), target_value=D("4"), due_date=day(2022, 1, 1))
    snapshot(target, day(2021, 5, 1), "6")
    snapshot(target, day(2021, 6, 1), "4")
    snapshot(target, day(2021, 7, 1), "3")
    assert selectors.reached_dates(Target.objects.filter(pk=target.pk)) == {target.pk: day(2021, 6, 1)}


def test_target_progress_gives_the_day_only_to_achieved_targets(programme):
    _programme, on_time, late, never = programme
    rows = {
        row["target"].pk: row
        for row in selectors.target_progress(Target.objects.filter(programme=_programme), timezone.localdate())
    }
    assert (rows[on_time.pk]["reached_on"], rows[on_time.pk]["reached_late"]) == (day(2021, 10, 29), False)
    assert (rows[late.pk]["reached_on"], rows[late.pk]["reached_late"]) == (day(2021, 10, 29), True)
    # 2 of 3: the snapshot never reached 3, and the status is not "achieved".
    assert (rows[never.pk]["reached_on"], rows[never.pk]["reached_late"]) == (None, False)


def public_page(client, code, language):
    response = client.get(reverse("public:programme", kwargs={"code": code}) + f"?lang={language}")
    assert response.status_code == 200
    return response.content.decode()


def reached_spans(html):
    return re.findall(r'<span class="reached-on">([^<]*)</span>', html)


def test_public_page_in_english(client, programme):
    html = public_page(client, "reached", "en")
    assert reached_spans(html) == [
        "Not reached by the due date; reached on 29 October 2021",  # 406, due 20 October
        "Reached on 29 October 2021",  # 405, due 31 October
    ]
    assert '<span class="badge badge--achieved">Achieved</span>\n             <span class="reached-on">' in html
    data = json.loads(client.get(reverse("public:programme-json", kwargs={"code": "reached"}) + "?lang=en").content)
    assert [(row["number"], row["reached_on"], row["reached_late"]) for row in data["milestones"]] == [
        ("406", "2021-10-29", True),
        ("405", "2021-10-29", False),
        ("407", None, False),
    ]


def test_public_page_in_german(client, programme):
    html = public_page(client, "reached", "de")
    assert reached_spans(html) == [
        "Bis zum Fälligkeitsdatum nicht erreicht; erreicht am 29. Oktober 2021",
        "Erreicht am 29. Oktober 2021",
    ]


def dashboard(user, programme, language):
    client = Client()
    client.force_login(user)
    url = reverse("programmes:programme-dashboard", kwargs={"pk": programme.pk})
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Not reached by the due date; reached on 29 October 2021", "Reached on 29 October 2021"]),
        (
            "de",
            ["Bis zum Fälligkeitsdatum nicht erreicht; erreicht am 29. Oktober 2021", "Erreicht am 29. Oktober 2021"],
        ),
    ],
)
def test_dashboard_beside_the_status(role_users, programme, language, expected):
    owner = role_users[Role.PROGRAMME_OWNER]
    owner.preferred_language = language
    owner.save()
    html = dashboard(owner, programme[0], language)
    assert reached_spans(html) == expected
    assert (
        '<span class="badge badge--achieved">' in html
        and '</span> <span class="reached-on">' + expected[0] + "</span></td>" in html
    )


def test_brussels_scenario_milestone_405_reached_in_october_2021_in_five_languages(client):
    call_command("load_seed_scenario", "brussels", scale="small", stdout=open("/dev/null", "w"))  # noqa: SIM115
    programme = Programme.objects.get(code="brussels-digitale-omkeer")
    milestone = Target.objects.get(programme=programme, number="405")
    reached = selectors.reached_dates(Target.objects.filter(pk=milestone.pk))[milestone.pk]
    assert (reached.year, reached.month) == (2021, 10)
    # The sentence and the date in the page's language.
    expected = {
        "en": f"Reached on {reached.day} October 2021",
        "nl": f"Bereikt op {reached.day} oktober 2021",
        "fr": f"Atteint le {reached.day} octobre 2021",
        "de": f"Erreicht am {reached.day}. Oktober 2021",
        "lv": f"Sasniegts 2021. gada {reached.day}. oktobrī",
    }
    for language, sentence in expected.items():
        html = public_page(client, programme.code, language)
        item = re.search(r"<h3>405 · .*?</li>", html, re.S)
        assert item, language
        assert reached_spans(item.group(0)) == [sentence]
    # And on the dashboard of the Brussels programme owner, beside "Achieved".
    owner = user_with_role(Role.PROGRAMME_OWNER, programme.authority, username="brussels-owner")
    for language in ("en", "de"):
        html = dashboard(owner, programme, language)
        row = re.search(r"<td>405 [^<]*</td>.*?</tr>", html, re.S)
        assert row, language
        assert reached_spans(row.group(0)) == [expected[language]]
