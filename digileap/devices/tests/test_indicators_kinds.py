"""The device indicator kinds (``digileap/devices/indicators.py``) on a small hand-built programme:
exact values for every filter, the counting window, missing devices, returned assignments, the
coverage ratio to two decimals, the records row by row, and parameter errors."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.devices import lifecycle
from digileap.devices.indicators import school_year_of
from digileap.devices.models import (
    AccessPointInstallation,
    AgreementTemplate,
    Assignment,
    Delivery,
    Device,
    DeviceStatus,
    Recipient,
    SelfPurchase,
    UserAgreement,
)
from digileap.programmes import services as programme_services
from digileap.programmes.indicators import get_kind
from digileap.programmes.tests.factories import FundingSourceFactory, IndicatorFactory, ProgrammeFactory, TargetFactory
from digileap.schools.models import EligibilityGroup, EligibleCount
from digileap.schools.tests.factories import EnrolmentFactory, SchoolFactory

from .factories import DeviceFactory, DeviceModelFactory, RecipientFactory

D = Decimal
day = datetime.date


def at(year: int, month: int, dd: int, hour: int = 10) -> datetime.datetime:
    """A moment in the installation's time zone (Europe/Brussels)."""
    return timezone.make_aware(datetime.datetime(year, month, dd, hour))


class Data:
    pass


@pytest.fixture
def data(world, role_users):
    """Programme P of the INSIDE authority, with devices at school A (primary) and B (secondary):

    ===========  ======  ===  ==========  ===========  =====================================
    serial       type    at   delivered   condition    notes
    ===========  ======  ===  ==========  ===========  =====================================
    SN-A1        laptop  A    2024-01-10  new          DN-1 accepted 01-11; pupil p1, then teacher t2
    SN-A2        laptop  A    2024-01-10  refurbished  DN-1 accepted 01-11; teacher t1; lost 05-01
    SN-A3        laptop  A    2024-01-10  new          DN-1, marked missing
    SN-S1        laptop  A    2024-02-15  new          bought by the school (INV-7), reported 02-16
    SN-B1        tablet  B    2024-03-01  new          DN-2 not accepted; pupil p2 from 03-05
    SN-B2        laptop  B    2024-06-30  new          DN-3 accepted 07-02; pupil p3 from 07-05
    SN-B3        laptop  B    2024-07-01  new          DN-4 not accepted
    SN-C1        laptop  A    -           new          ordered, not delivered
    ===========  ======  ===  ==========  ===========  =====================================

    and one device of another programme Q at A, handed to pupil p4.
    """
    d = Data()
    coordinator = role_users[Role.SCHOOL_COORDINATOR]
    coordinator.username = "coordinator-a"
    coordinator.save()
    d.programme = ProgrammeFactory(code="devices-p", authority=world.authority)
    d.other_programme = ProgrammeFactory(code="devices-q", authority=world.authority)
    d.source = FundingSourceFactory(programme=d.programme, kind="eu_rrf")
    d.a = world.school  # number 1001, primary (isced_1)
    d.b = SchoolFactory(operator=world.operator, number="1003", name="INSIDE secondary", isced_1=False, isced_2=True)
    d.c = SchoolFactory(operator=world.operator, number="1004", name="INSIDE third school")
    d.laptop = DeviceModelFactory(authority=world.authority, manufacturer="Lenovo", name="ThinkPad L13")
    d.tablet = DeviceModelFactory(authority=world.authority, manufacturer="Apple", name="iPad 10", device_type="tablet")

    def delivery(number, school, delivered_on, accepted_at=None):
        return Delivery.objects.create(
            supplier=world.supplier,
            programme=d.programme,
            school=school,
            note_number=number,
            delivered_on=delivered_on,
            acceptance="accepted" if accepted_at else "pending",
            accepted_at=accepted_at,
            accepted_by=coordinator if accepted_at else None,
        )

    dn1 = delivery("DN-1", d.a, day(2024, 1, 10), at(2024, 1, 11))
    dn2 = delivery("DN-2", d.b, day(2024, 3, 1))
    dn3 = delivery("DN-3", d.b, day(2024, 6, 30), at(2024, 7, 2))
    dn4 = delivery("DN-4", d.b, day(2024, 7, 1))
    purchase = SelfPurchase.objects.create(
        programme=d.programme,
        funding_source=d.source,
        school=d.a,
        invoice_reference="INV-7",
        invoice_date=day(2024, 2, 14),
        vendor="Local shop",
        amount=D("450.00"),
        reported_by=coordinator,
    )

    def device(serial, model, school, delivered, source, **fields):
        status = DeviceStatus.DELIVERED if delivered else DeviceStatus.ORDERED
        moment = at(delivered.year, delivered.month, delivered.day, 9) if delivered else at(2024, 1, 2)
        return DeviceFactory(
            serial=serial,
            device_model=model,
            school=school,
            programme=fields.pop("programme", d.programme),
            funding_source=d.source,
            status=status,
            status_changed_at=moment,
            delivered_on=delivered,
            delivery=source if isinstance(source, Delivery) else None,
            purchase=source if isinstance(source, SelfPurchase) else None,
            **fields,
        )

    d.a1 = device("SN-A1", d.laptop, d.a, day(2024, 1, 10), dn1, accepted_at=at(2024, 1, 11))
    d.a2 = device("SN-A2", d.laptop, d.a, day(2024, 1, 10), dn1, condition="refurbished", accepted_at=at(2024, 1, 11))
    d.a3 = device("SN-A3", d.laptop, d.a, day(2024, 1, 10), dn1, discrepancy="missing")
    d.s1 = device("SN-S1", d.laptop, d.a, day(2024, 2, 15), purchase, accepted_at=at(2024, 2, 16, 9))
    d.b1 = device("SN-B1", d.tablet, d.b, day(2024, 3, 1), dn2)
    d.b2 = device("SN-B2", d.laptop, d.b, day(2024, 6, 30), dn3, accepted_at=at(2024, 7, 2))
    d.b3 = device("SN-B3", d.laptop, d.b, day(2024, 7, 1), dn4)
    d.c1 = device("SN-C1", d.laptop, d.a, None, None)
    d.q1 = device("SN-Q1", d.laptop, d.a, day(2024, 1, 10), None, programme=d.other_programme)

    d.p1 = RecipientFactory(school=d.a, reference="5A-01", grade=5, group="5A", isced_level=1)
    d.p2 = RecipientFactory(
        school=d.b, reference="7B-01", grade=7, group="7B", isced_level=2, eligibility_group="low-income"
    )
    d.p3 = RecipientFactory(school=d.b, reference="8A-01", grade=8, group="8A", isced_level=2)
    d.p4 = RecipientFactory(school=d.a, reference="5A-02", grade=5, group="5A", isced_level=1)
    d.t1 = RecipientFactory(school=d.a, reference="T-01", kind="teacher", grade=None, group="")
    d.t2 = RecipientFactory(school=d.a, reference="T-02", kind="teacher", grade=None, group="")

    def hand_out(device, recipient, moment, returned=None):
        lifecycle.device_transition(
            device=device, status="deployed", actor=coordinator, at=moment, check_permission=False
        )
        assignment = Assignment.objects.create(
            device=device, recipient=recipient, assigned_at=moment, assigned_by=coordinator, kit=["charger"]
        )
        if returned:
            lifecycle.device_transition(
                device=device, status="delivered", actor=coordinator, at=returned, check_permission=False
            )
            assignment.returned_at = returned
            assignment.save()
        return assignment

    d.assignment_p1 = hand_out(d.a1, d.p1, at(2024, 2, 1), returned=at(2024, 4, 1))
    hand_out(d.a2, d.t1, at(2024, 2, 1))
    lifecycle.device_transition(
        device=d.a2, status="lost_stolen", actor=coordinator, at=at(2024, 5, 1), check_permission=False
    )
    hand_out(d.a1, d.t2, at(2024, 4, 2))
    d.assignment_p2 = hand_out(d.b1, d.p2, at(2024, 3, 5))
    hand_out(d.b2, d.p3, at(2024, 7, 5))
    hand_out(d.q1, d.p4, at(2024, 2, 1))
    template = AgreementTemplate.objects.create(programme=d.programme, language="en", title="Agreement", body="…")
    UserAgreement.objects.create(
        assignment=d.assignment_p2,
        template=template,
        token="token-p2",
        sent_at=at(2024, 3, 5),
        status="accepted",
        accepted_at=at(2024, 3, 6),
        accepted_via="in_app",
        signed_by="parent",
    )

    # Enrolment: A 300 pupils in 2023/24; 150 (grades 5, 6) in 2024/25; B 50 (grades 7, 8) in 2024/25; C 100.
    EnrolmentFactory(school=d.a, school_year="2023/24", level=1, grade=0, pupils=300)
    EnrolmentFactory(school=d.a, school_year="2024/25", level=1, grade=5, pupils=80)
    EnrolmentFactory(school=d.a, school_year="2024/25", level=1, grade=6, pupils=70)
    EnrolmentFactory(school=d.b, school_year="2024/25", level=2, grade=7, pupils=30)
    EnrolmentFactory(school=d.b, school_year="2024/25", level=2, grade=8, pupils=20)
    EnrolmentFactory(school=d.c, school_year="2024/25", level=1, grade=0, pupils=100)
    group = EligibilityGroup.objects.get_or_create(code="low-income", defaults={"name": "Low income"})[0]
    EligibleCount.objects.create(school=d.b, school_year="2024/25", group=group, pupils=8)
    return d


def delivered_rule(kind: str, parameters: dict | None) -> dict:
    """The parameters with count "delivered" for the device kinds unless they choose a rule: these
    tests were written for that rule (the default, "accepted", has its own tests in
    test_indicators_counting_rule.py)."""
    parameters = dict(parameters or {})
    if kind in ("devices_delivered", "devices_deployed") and not {"count", "accepted_only"} & set(parameters):
        parameters["count"] = "delivered"
    return parameters


def value(data, kind: str, as_of: datetime.date, parameters=None, **target) -> Decimal:
    target.setdefault("programme", data.programme)
    indicator = IndicatorFactory(programme=target["programme"], kind=kind, parameters=delivered_rule(kind, parameters))
    target = TargetFactory(indicator=indicator, **target)
    return get_kind(kind).compute(target, as_of)


JUNE_30 = day(2024, 6, 30)


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({}, 5),  # A1, A2, S1, B1, B2: not A3 (missing), B3 (later), C1 (not delivered), Q1 (other programme)
        ({"device_types": ["laptop"]}, 4),
        ({"device_types": ["tablet", "chromebook"]}, 1),
        ({"condition": "refurbished"}, 1),
        ({"condition": "new"}, 4),
        ({"levels": [2]}, 2),
        ({"levels": [1]}, 3),
        ({"levels": [0, 4]}, 0),
        ({"accepted_only": True}, 3),  # B2 is accepted on 07-02
        ({"accepted_only": False}, 5),
        ({"device_types": ["laptop"], "levels": [2]}, 1),
        ({"target_group": "pupil"}, 2),  # A1 (first to p1) and B1
        ({"target_group": "teacher"}, 1),  # A2
    ],
)
def test_devices_delivered(data, parameters, expected):
    assert value(data, "devices_delivered", JUNE_30, parameters) == D(expected)


def test_devices_delivered_by_the_day(data):
    assert value(data, "devices_delivered", day(2024, 1, 9)) == D(0)
    assert value(data, "devices_delivered", day(2024, 1, 10)) == D(2)
    assert value(data, "devices_delivered", day(2024, 7, 1)) == D(6)
    assert value(data, "devices_delivered", day(2024, 7, 1), {"accepted_only": True}) == D(3)
    assert value(data, "devices_delivered", day(2024, 7, 2), {"accepted_only": True}) == D(4)
    # The group is the first hand-out's on or before the day: B2 is handed to p3 on 07-05.
    assert value(data, "devices_delivered", day(2024, 7, 4), {"target_group": "pupil"}) == D(2)
    assert value(data, "devices_delivered", day(2024, 7, 5), {"target_group": "pupil"}) == D(3)


def test_a_per_period_target_counts_from_its_start(data):
    per_period = {"accumulation": "per_period", "period_start": day(2024, 3, 1)}
    assert value(data, "devices_delivered", JUNE_30, **per_period) == D(2)  # B1, B2
    assert value(data, "devices_delivered", day(2024, 12, 31), **per_period) == D(3)
    assert value(data, "devices_delivered", day(2024, 2, 29), **per_period) == D(0)


@pytest.mark.parametrize(
    ("as_of", "parameters", "expected"),
    [
        (day(2024, 1, 31), {}, 0),
        (day(2024, 2, 1), {}, 2),  # A1, A2
        (JUNE_30, {}, 3),  # A1, A2 (lost since: still deployed once), B1
        (JUNE_30, {"target_group": "pupil"}, 2),  # A1 went first to p1, then to t2
        (JUNE_30, {"target_group": "teacher"}, 1),
        (JUNE_30, {"device_types": ["tablet"]}, 1),
        (JUNE_30, {"condition": "refurbished"}, 1),
        (JUNE_30, {"levels": [2]}, 1),
        (JUNE_30, {"accepted_only": True}, 2),
        (day(2024, 7, 31), {}, 4),
        (day(2024, 7, 31), {"accepted_only": True, "levels": [2]}, 1),
    ],
)
def test_devices_deployed(data, as_of, parameters, expected):
    assert value(data, "devices_deployed", as_of, parameters) == D(expected)


@pytest.mark.parametrize(
    ("as_of", "parameters", "expected"),
    [
        (day(2024, 3, 4), {}, "1"),  # p1
        (day(2024, 3, 31), {}, "2"),  # p1, p2
        (day(2024, 4, 1), {}, "1"),  # p1 returned the laptop at 10:00: p2
        (day(2024, 9, 1), {}, "2"),  # p2, p3; teachers and programme Q's pupil never count
        (day(2024, 3, 31), {"levels": [1]}, "1"),
        (day(2024, 9, 1), {"levels": [2]}, "2"),
        (day(2024, 9, 1), {"eligibility_groups": ["low-income"]}, "1"),
        (day(2024, 9, 1), {"eligibility_groups": ["foster-care"]}, "0"),
        # Ratios, in percent with two decimals.
        (JUNE_30, {"as_ratio": True}, "0.33"),  # 1 of A's 300 pupils in 2023/24 (the only figures that year)
        (day(2024, 9, 1), {"as_ratio": True}, "0.67"),  # 2 of 300 (A 150, B 50, C 100) in 2024/25
        (day(2024, 9, 1), {"as_ratio": True, "enrolment_of": "schools_with_recipients"}, "1.00"),  # 2 of 200
        (day(2024, 9, 1), {"as_ratio": True, "levels": [2]}, "4.00"),  # 2 of B's 50
        (day(2024, 9, 1), {"as_ratio": True, "eligibility_groups": ["low-income"]}, "12.50"),  # 1 of 8
        (day(2026, 10, 1), {"as_ratio": True}, "0.67"),  # no 2026/27 figures yet: the newest year, 2024/25
        (day(2024, 9, 1), {"as_ratio": False}, "2"),
    ],
)
def test_pupils_with_device(data, as_of, parameters, expected):
    assert value(data, "pupils_with_device", as_of, parameters) == D(expected)


def test_the_ratio_without_enrolment_is_zero(data, world):
    programme = ProgrammeFactory(code="no-schools")  # an authority of its own, without schools
    assert value(data, "pupils_with_device", JUNE_30, {"as_ratio": True}, programme=programme) == D("0.00")


def test_school_years():
    assert school_year_of(day(2024, 7, 31)) == "2023/24"
    assert school_year_of(day(2024, 8, 1)) == "2024/25"
    assert school_year_of(day(1999, 12, 31)) == "1999/00"


@pytest.fixture
def access_points(data, world):
    """Programme R's access points: AP-1 installed 05-01 at A, verified 05-02; AP-2 installed 05-01,
    never verified; AP-3 at B installed 06-01, verified 07-03; AP-4 at A installed 07-01, verified 07-01."""
    programme = ProgrammeFactory(code="devices-r", authority=world.authority)
    model = DeviceModelFactory(
        authority=world.authority, manufacturer="Ubiquiti", name="U6 Pro", device_type="access_point"
    )
    verifier = data.a1.delivery.accepted_by
    for serial, school, installed, verified, room in (
        ("AP-1", data.a, day(2024, 5, 1), at(2024, 5, 2), "101"),
        ("AP-2", data.a, day(2024, 5, 1), None, "102"),
        ("AP-3", data.b, day(2024, 6, 1), at(2024, 7, 3), "Gym"),
        ("AP-4", data.a, day(2024, 7, 1), at(2024, 7, 1, 15), "103"),
    ):
        device = DeviceFactory(
            serial=serial,
            device_model=model,
            programme=programme,
            school=school,
            status_changed_at=at(2024, 4, 30),
            delivered_on=day(2024, 4, 30),
        )
        AccessPointInstallation.objects.create(
            device=device,
            school=school,
            building="Main",
            room=room,
            installed_on=installed,
            verified_at=verified,
            verified_by=verifier if verified else None,
        )
    return programme


@pytest.mark.parametrize(
    ("as_of", "parameters", "expected"),
    [
        (day(2024, 5, 1), {}, 0),  # AP-1 is verified the day after
        (day(2024, 5, 2), {}, 1),
        (JUNE_30, {}, 1),  # AP-3 is verified on 07-03, AP-2 never
        (day(2024, 7, 31), {}, 3),
        (day(2024, 7, 31), {"levels": [2]}, 1),
        (day(2024, 7, 31), {"levels": [1]}, 2),
    ],
)
def test_access_points_installed(data, access_points, as_of, parameters, expected):
    assert value(data, "access_points_installed", as_of, parameters, programme=access_points) == D(expected)


def test_access_points_per_period(data, access_points):
    per_period = {"accumulation": "per_period", "period_start": day(2024, 6, 1)}
    assert value(data, "access_points_installed", day(2024, 7, 31), programme=access_points, **per_period) == 2


def test_schools_reached_by_devices(data):
    parameters = {"via": ["devices"]}
    assert value(data, "schools_reached", day(2024, 1, 9), parameters) == D(0)
    assert value(data, "schools_reached", day(2024, 1, 10), parameters) == D(1)
    assert value(data, "schools_reached", JUNE_30, parameters) == D(2)
    indicator = IndicatorFactory(programme=data.programme, kind="schools_reached", parameters=parameters)
    records = get_kind("schools_reached").records(TargetFactory(programme=data.programme, indicator=indicator), JUNE_30)
    assert [row[:2] + row[3:] for row in records.rows] == [
        ("1001", "INSIDE school", "2024-01-10", "devices"),
        ("1003", "INSIDE secondary", "2024-03-01", "devices"),
    ]


def test_schools_reached_by_devices_or_funding(data):
    from digileap.programmes.tests.factories import FundingTransactionFactory

    FundingTransactionFactory(programme=data.programme, source=data.source, school=data.c, date=day(2024, 6, 1))
    assert value(data, "schools_reached", JUNE_30, {"via": ["devices", "funding"]}) == D(3)


def records(data, kind, as_of, parameters=None, **target):
    target.setdefault("programme", data.programme)
    indicator = IndicatorFactory(programme=target["programme"], kind=kind, parameters=delivered_rule(kind, parameters))
    result = get_kind(kind).records(TargetFactory(indicator=indicator, **target), as_of)
    return list(result.columns), list(result.rows)


DEVICE_COLUMNS = [
    "serial",
    "manufacturer",
    "model",
    "device_type",
    "condition",
    "school_number",
    "school_name",
    "funding_source",
    "delivery_note",
    "invoice",
    "delivered_on",
    "accepted_at",
    "accepted_by",
    "discrepancy",
]


def test_records_of_devices_delivered(data):
    columns, rows = records(data, "devices_delivered", JUNE_30)
    assert columns == DEVICE_COLUMNS
    lenovo = ("Lenovo", "ThinkPad L13", "laptop")
    a, b = ("1001", "INSIDE school", "eu_rrf"), ("1003", "INSIDE secondary", "eu_rrf")
    assert rows == [
        ("SN-A1", *lenovo, "new", *a, "DN-1", "", "2024-01-10", "2024-01-11T09:00:00+00:00", "coordinator-a", ""),
        ("SN-A2", *lenovo, "refurbished", *a, "DN-1", "", "2024-01-10", "2024-01-11T09:00:00+00:00", "coordinator-a", ""),
        ("SN-S1", *lenovo, "new", *a, "", "INV-7", "2024-02-15", "2024-02-16T08:00:00+00:00", "coordinator-a", ""),
        ("SN-B1", "Apple", "iPad 10", "tablet", "new", *b, "DN-2", "", "2024-03-01", "", "", ""),
        ("SN-B2", *lenovo, "new", *b, "DN-3", "", "2024-06-30", "2024-07-02T08:00:00+00:00", "coordinator-a", ""),
    ]  # fmt: skip


def test_records_follow_the_filters(data):
    _columns, rows = records(data, "devices_delivered", JUNE_30, {"levels": [2], "device_types": ["laptop"]})
    assert [row[0] for row in rows] == ["SN-B2"]


def test_records_of_devices_deployed(data):
    columns, rows = records(data, "devices_deployed", JUNE_30)
    assert columns == [*DEVICE_COLUMNS, "first_deployed_on", "status"]
    assert [(row[0], row[-2], row[-1]) for row in rows] == [
        ("SN-A1", "2024-02-01", "deployed"),
        ("SN-A2", "2024-02-01", "lost_stolen"),
        ("SN-B1", "2024-03-05", "deployed"),
    ]


def test_records_of_access_points(data, access_points):
    columns, rows = records(data, "access_points_installed", day(2024, 7, 31), programme=access_points)
    assert columns == [
        "serial",
        "manufacturer",
        "model",
        "school_number",
        "school_name",
        "site",
        "building",
        "room",
        "installed_on",
        "verified_at",
        "verified_by",
    ]
    ap = ("Ubiquiti", "U6 Pro")
    assert rows == [
        ("AP-1", *ap, "1001", "INSIDE school", "", "Main", "101", "2024-05-01", "2024-05-02T08:00:00+00:00", "coordinator-a"),
        ("AP-4", *ap, "1001", "INSIDE school", "", "Main", "103", "2024-07-01", "2024-07-01T13:00:00+00:00", "coordinator-a"),
        ("AP-3", *ap, "1003", "INSIDE secondary", "", "Main", "Gym", "2024-06-01", "2024-07-03T08:00:00+00:00", "coordinator-a"),
    ]  # fmt: skip


def test_records_of_pupils_with_device(data):
    columns, rows = records(data, "pupils_with_device", day(2024, 9, 1), {"as_ratio": True})
    assert columns == [
        "recipient",
        "school_number",
        "school_name",
        "grade",
        "group",
        "eligibility_group",
        "serial",
        "device_type",
        "assigned_at",
        "agreement",
    ]
    assert rows == [
        ("7B-01", "1003", "INSIDE secondary", "7", "7B", "low-income", "SN-B1", "tablet", "2024-03-05T09:00:00+00:00", "accepted"),
        ("8A-01", "1003", "INSIDE secondary", "8", "8A", "", "SN-B2", "laptop", "2024-07-05T08:00:00+00:00", "none"),
    ]  # fmt: skip
    _columns, rows = records(data, "pupils_with_device", day(2024, 3, 31))
    assert [row[0] for row in rows] == ["5A-01", "7B-01"]


@pytest.mark.parametrize(
    ("kind", "parameters", "message"),
    [
        ("devices_delivered", {"device_types": ["phone"]}, "device_types.0: 'phone' is not one of"),
        ("devices_delivered", {"device_types": []}, "device_types: [] should be non-empty"),
        ("devices_delivered", {"condition": "used"}, "condition: 'used' is not one of ['new', 'refurbished']"),
        ("devices_delivered", {"levels": [5]}, "levels.0: 5 is not one of [0, 1, 2, 3, 4]"),
        ("devices_delivered", {"accepted_only": "yes"}, "accepted_only: 'yes' is not of type 'boolean'"),
        ("devices_deployed", {"target_group": "parent"}, "target_group: 'parent' is not one of ['pupil', 'teacher']"),
        ("devices_deployed", {"colour": "red"}, "Additional properties are not allowed ('colour' was unexpected)"),
        ("access_points_installed", {"target_group": "pupil"}, "('target_group' was unexpected)"),
        ("pupils_with_device", {"as_ratio": 1}, "as_ratio: 1 is not of type 'boolean'"),
        ("pupils_with_device", {"enrolment_of": "everyone"}, "enrolment_of: 'everyone' is not one of"),
        ("pupils_with_device", {"eligibility_groups": [""]}, "eligibility_groups.0: '' should be non-empty"),
        (
            "pupils_with_device",
            {"as_ratio": True, "levels": [1], "eligibility_groups": ["low-income"]},
            "levels and eligibility_groups: a ratio can divide",
        ),
        ("devices_delivered", ["laptop"], "Give the parameters as a JSON object."),
    ],
)
def test_parameter_errors_name_the_parameter(kind, parameters, message):
    with pytest.raises(ValidationError) as raised:
        get_kind(kind).validate_parameters(parameters)
    assert list(raised.value.message_dict) == ["parameters"]
    assert message in raised.value.message_dict["parameters"][0]


def test_defining_an_indicator_validates_through_the_service(data, role_users):
    target = TargetFactory(programme=data.programme, indicator=None)
    admin = role_users[Role.ADMINISTRATOR]
    with pytest.raises(ValidationError) as raised:
        programme_services.indicator_define(
            actor=admin, target=target, kind="devices_delivered", parameters={"condition": "used"}
        )
    assert "condition" in raised.value.message_dict["parameters"][0]
    target.refresh_from_db()
    assert target.indicator is None
    indicator = programme_services.indicator_define(
        actor=admin, target=target, kind="devices_delivered", parameters={"device_types": ["laptop"]}
    )
    # By default only accepted devices count: A1, A2 and S1 (B2 is accepted on 07-02).
    assert get_kind(indicator.kind).compute(reloaded(target), JUNE_30) == D(3)


def reloaded(target):
    from digileap.programmes.models import Target

    return Target.objects.select_related("indicator").get(pk=target.pk)


def test_every_kind_is_registered_with_a_documented_schema():
    for code in ("devices_delivered", "devices_deployed", "access_points_installed", "pupils_with_device"):
        kind = get_kind(code)
        assert kind is not None and kind.has_history and not kind.is_manual
        assert kind.parameter_schema["additionalProperties"] is False
        for name, schema in kind.parameter_schema["properties"].items():
            assert schema.get("description"), f"{code}.{name} has no description"


def test_compute_is_one_query(data, django_assert_num_queries):
    kinds = [
        ("devices_delivered", {"device_types": ["laptop"], "levels": [1], "accepted_only": True}),
        ("devices_deployed", {"target_group": "pupil", "condition": "new"}),
        ("access_points_installed", {"levels": [1]}),
        ("pupils_with_device", {"levels": [1]}),
    ]
    for kind, parameters in kinds:
        indicator = IndicatorFactory(programme=data.programme, kind=kind, parameters=parameters)
        target = reloaded(TargetFactory(programme=data.programme, indicator=indicator))
        with django_assert_num_queries(1):
            get_kind(kind).compute(target, JUNE_30)


def test_devices_are_left_as_they_are(data):
    statuses = dict(Device.objects.values_list("serial", "status"))
    value(data, "devices_deployed", JUNE_30)
    records(data, "devices_delivered", JUNE_30)
    assert dict(Device.objects.values_list("serial", "status")) == statuses
    assert lifecycle.device_status_check() == []
    assert Recipient.objects.count() == 6
