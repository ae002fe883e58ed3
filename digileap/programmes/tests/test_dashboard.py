import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.programmes import dashboard
from digileap.programmes.models import FundingTransaction, IndicatorSnapshot
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from .factories import (
    FundingSourceFactory,
    FundingTransactionFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
)

D = Decimal
COMMITTED, PAID = FundingTransaction.Kind.COMMITTED, FundingTransaction.Kind.PAID


@pytest.fixture
def programme(world):
    programme = ProgrammeFactory(code="dash", name={"en": "Dash programme"}, authority=world.authority)
    source = FundingSourceFactory(programme=programme, amount=D("10000.00"), name={"en": "RRF"})
    other_operator = OperatorFactory(authority=world.authority, name="Second operator", code="OP2")
    world.school.latitude, world.school.longitude = D("50.850000"), D("4.350000")
    world.school.save()
    second = SchoolFactory(
        operator=other_operator, name="Second school", number="1002", latitude=D("51.05"), longitude=D("3.72")
    )
    third = SchoolFactory(operator=world.operator, name="Third school", number="1003", latitude=None, longitude=None)
    for school, kind, amount, day in (
        (world.school, COMMITTED, "1000.00", datetime.date(2024, 3, 1)),
        (world.school, PAID, "400.00", datetime.date(2024, 4, 1)),
        (second, COMMITTED, "3000.00", datetime.date(2024, 5, 1)),
        (second, PAID, "3000.00", datetime.date(2024, 6, 1)),
    ):
        FundingTransactionFactory(
            programme=programme, source=source, school=school, kind=kind, amount=D(amount), date=day
        )
    target = TargetFactory(
        programme=programme,
        number="401",
        title={"en": "Schools funded"},
        target_value=D("4"),
        due_date=timezone.localdate() + datetime.timedelta(days=100),
        indicator=IndicatorFactory(programme=programme, kind="schools_reached"),
    )
    IndicatorSnapshot.objects.create(
        target=target,
        date=timezone.localdate() - datetime.timedelta(days=10),
        value=D("1"),
        status="on_track",
        computed_at=timezone.now(),
    )
    return programme, second, third


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_bucket_of():
    assert dashboard.bucket_of(D("0"), D("0")) == "none"
    assert dashboard.bucket_of(D("100"), D("0")) == "0"
    assert dashboard.bucket_of(D("100"), D("49.99")) == "0"
    assert dashboard.bucket_of(D("100"), D("50")) == "1"
    assert dashboard.bucket_of(D("100"), D("90")) == "2"
    assert dashboard.bucket_of(D("100"), D("100")) == "3"
    assert dashboard.bucket_of(D("0"), D("10")) == "3"  # paid without a commitment on record


def test_school_breakdown_for_the_programme_owner(role_users, programme):
    breakdown = dashboard.school_breakdown(role_users[Role.PROGRAMME_OWNER], programme[0])
    assert breakdown.rows == [
        ["1002", "Second school", "Second operator", D("3000.00"), D("3000.00"), D("100.0"), datetime.date(2024, 5, 1)],
        ["1001", "INSIDE school", "INSIDE operator", D("1000.00"), D("400.00"), D("40.0"), datetime.date(2024, 3, 1)],
        ["1003", "Third school", "INSIDE operator", D("0.00"), D("0.00"), None, None],
    ]
    top = dashboard.school_breakdown(role_users[Role.PROGRAMME_OWNER], programme[0], limit=1)
    assert [row[0] for row in top.rows] == ["1002"] and top.total_rows == 2


def test_operator_breakdown_is_scoped(role_users, programme):
    owner = dashboard.operator_breakdown(role_users[Role.PROGRAMME_OWNER], programme[0])
    assert owner.rows == [
        ["OP2", "Second operator", 1, 1, D("3000.00"), D("3000.00"), D("100.0")],
        [owner.rows[1][0], "INSIDE operator", 2, 1, D("1000.00"), D("400.00"), D("40.0")],
    ]
    staff = dashboard.operator_breakdown(role_users[Role.OPERATOR_STAFF], programme[0])
    assert [row[1:] for row in staff.rows] == [["INSIDE operator", 2, 1, D("1000.00"), D("400.00"), D("40.0")]]


def test_map_points_and_counts(role_users, programme):
    points, counts = dashboard.map_points(role_users[Role.PROGRAMME_OWNER], programme[0])
    assert sorted((p.latitude, p.longitude, p.bucket) for p in points) == [(50.85, 4.35, "0"), (51.05, 3.72, "3")]
    assert counts == {"none": 1, "0": 1, "1": 0, "2": 0, "3": 1, "unplaced": 1}


def test_dashboard_page(role_users, programme):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).get(
        reverse("programmes:programme-dashboard", kwargs={"pk": programme[0].pk})
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert '<progress max="100" value="50">' in text  # 2 of 4 schools
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="burn-up burn-up--gutter-s" width="100%" height="260"' in text
    assert '<title id="burn-up-0-title">401 Schools funded</title>' in text
    assert 'class="chart__actual"' in text and 'class="chart__target"' in text
    assert "Second school" not in text  # the breakdowns load after the page, as fragments
    for name in ("programme-operators", "programme-schools"):
        url = reverse(f"programmes:{name}", kwargs={"pk": programme[0].pk})
        assert f'hx-get="{url}" hx-trigger="load" hx-swap="outerHTML"' in text
    assert "not reached: 1" in text and "fully paid: 1" in text
    assert "2 / 3" in text  # schools reached of the authority's schools
    assert "style=" not in text and "<script>" not in text and "<style" not in text


def test_dashboard_for_operator_staff_shows_only_their_money(role_users, programme):
    response = client_for(role_users[Role.OPERATOR_STAFF]).get(
        reverse("programmes:programme-dashboard", kwargs={"pk": programme[0].pk})
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "1 / 2" in text  # of its two schools, one reached
    for name in ("programme-operators", "programme-schools"):
        fragment = client_for(role_users[Role.OPERATOR_STAFF]).get(
            reverse(f"programmes:{name}", kwargs={"pk": programme[0].pk})
        )
        assert fragment.status_code == 200
        assert "INSIDE" in fragment.content.decode()
        assert "Second school" not in fragment.content.decode() and "Second operator" not in fragment.content.decode()


def test_breakdown_fragments(role_users, programme):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    schools = client.get(reverse("programmes:programme-schools", kwargs={"pk": programme[0].pk})).content.decode()
    assert schools.index("Second school") < schools.index("INSIDE school")
    assert "Third school" not in schools  # the page shows schools with money; the download has every row
    assert "?by=school&amp;format=csv" in schools
    operators = client.get(reverse("programmes:programme-operators", kwargs={"pk": programme[0].pk})).content.decode()
    assert operators.index("Second operator") < operators.index("INSIDE operator")
    assert "?by=operator&amp;format=xlsx" in operators
    assert "<html" not in operators and "<script" not in operators


def test_breakdown_exports(role_users, programme):
    client = client_for(role_users[Role.PROGRAMME_OWNER])
    url = reverse("programmes:programme-breakdown", kwargs={"pk": programme[0].pk})
    response = client.get(url, {"by": "school"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == dashboard.SCHOOL_COLUMNS
    assert rows[1] == ["1002", "Second school", "Second operator", "3000.00", "3000.00", "100.0", "2024-05-01"]
    response = client.get(url, {"by": "operator", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(dashboard.OPERATOR_COLUMNS)
    assert values[1][:4] == ("OP2", "Second operator", 1, 1)


def test_map_svg(role_users, programme):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).get(
        reverse("programmes:programme-map", kwargs={"pk": programme[0].pk})
    )
    text = response.content.decode()
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert text.count("<circle") == 2
    assert 'fill="#38a169"' in text and 'fill="#c53030"' in text
    assert "<title>Schools of dash Dash programme by progress</title>" in text


def test_dashboard_of_another_authority_is_not_found(role_users, world):
    other = ProgrammeFactory(authority=world.other_authority)
    client = client_for(role_users[Role.OPERATOR_STAFF])
    for name in (
        "programme-dashboard",
        "programme-operators",
        "programme-schools",
        "programme-breakdown",
        "programme-map",
    ):
        assert client.get(reverse(f"programmes:{name}", kwargs={"pk": other.pk})).status_code == 404


def test_bucket_counts_without_reading_every_school(role_users, programme):
    user = role_users[Role.PROGRAMME_OWNER]
    counts = dashboard.bucket_counts(user, programme[0])
    assert counts == {"none": 1, "0": 1, "1": 0, "2": 0, "3": 1, "schools": 3, "unplaced": 1}


@pytest.mark.parametrize(
    ("committed", "paid", "bucket"),
    [
        ("100.00", "49.99", "0"),
        ("100.00", "50.00", "1"),
        ("100.00", "89.99", "1"),
        ("100.00", "90.00", "2"),
        ("0.30", "0.27", "2"),  # 0.1 + 0.2 is not 0.3 in floating point; cents are exact
        ("100.00", "100.00", "3"),
        ("-10.00", "5.00", "3"),
    ],
)
def test_bucket_counts_match_bucket_of_on_the_boundaries(role_users, programme, committed, paid, bucket):
    programme_, second, _third = programme
    FundingTransaction.objects.filter(programme=programme_).delete()
    source = programme_.funding_sources.get()
    for kind, amount in ((COMMITTED, D(committed)), (PAID, D(paid))):
        # split the amounts, so the database sums several entries
        first = (amount / 3).quantize(D("0.01"))
        for part in (first, amount - first):
            if part:
                FundingTransactionFactory(programme=programme_, source=source, school=second, kind=kind, amount=part)
    assert dashboard.bucket_of(D(committed), D(paid)) == bucket
    counts = dashboard.bucket_counts(role_users[Role.PROGRAMME_OWNER], programme_)
    assert {key: counts[key] for key in ("0", "1", "2", "3")} == {
        key: int(key == bucket) for key in ("0", "1", "2", "3")
    }
