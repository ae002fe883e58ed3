"""Seed 003, Latvia, at small scale: general schools with their vulnerable pupils, two allocation
rounds, orders and deliveries, both laptop targets met on time, the bandwidth survey, measurements,
analysis and report meeting the third milestone on time, and a second run that writes nothing."""

import datetime
from collections import Counter

import pytest
from django.db.models import Max, Min, Sum

from digileap.allocation.models import AllocationLine, AllocationRound
from digileap.connectivity.models import (
    AnalysisRun,
    Campaign,
    DailyAggregate,
    Measurement,
    Proposal,
    SchoolStatus,
    SurveyResponse,
)
from digileap.core.models import AuditEvent
from digileap.devices.models import Delivery, Device, DeviceEvent, PurchaseOrder
from digileap.portal.scenarios import get_scenario
from digileap.portal.scenarios.base import moment
from digileap.portal.scenarios.latvia import SEATS
from digileap.programmes.models import EvidenceDocument, IndicatorSnapshot, Programme
from digileap.programmes.selectors import target_progress
from digileap.schools.models import EligibleCount, School

TODAY = datetime.date(2025, 1, 15)
CODE = "latvia-dators-ikvienam-bernam"
day = datetime.date


def table_counts() -> dict[str, int]:
    models = [School, EligibleCount, AllocationRound, AllocationLine, PurchaseOrder, Delivery, Device, DeviceEvent,
              Campaign, SurveyResponse, Measurement, DailyAggregate, AnalysisRun, SchoolStatus, Proposal,
              EvidenceDocument, IndicatorSnapshot, AuditEvent]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_latvia_small_meets_every_target_on_time_and_a_second_run_writes_nothing():
    summary = get_scenario("latvia").run("small", today=TODAY)
    summary.pop("seconds")
    created = summary.pop("created")
    assert summary == SUMMARY
    assert created == CREATED
    programme = Programme.objects.get(code=CODE)

    # The registry: general schools at their municipality's seat, with vulnerable pupils.
    schools = School.objects.filter(authority__code="LV-IZM").select_related("operator")
    assert Counter(schools.values_list("type_code", flat=True)) == KINDS
    assert all(school.city == SEATS[school.operator.code][0] for school in schools)
    groups = EligibleCount.objects.filter(school__in=schools, school_year="2022/23")
    assert set(groups.values_list("group__code", flat=True)) == {"low-income", "large-family", "foster-care"}

    # Two rounds of 1,331 laptops each, in proportion to the vulnerable pupils, approved on their days.
    rounds = AllocationRound.objects.filter(programme=programme).order_by("code")
    assert [(r.code, r.status, r.total) for r in rounds] == [
        ("LV-DIB-2022", "approved", 1331),
        ("LV-DIB-2023", "approved", 1331),
    ]
    for allocation_round, approved in zip(rounds, [day(2022, 9, 12), day(2023, 3, 13)], strict=True):
        version = allocation_round.versions.get(status="approved")
        assert version.approved_at.date() == approved
        assert version.lines.aggregate(total=Sum("amount"))["total"] == 1331

    # Orders and deliveries in their phases, each delivery accepted by the school.
    orders = PurchaseOrder.objects.filter(programme=programme).order_by("number")
    assert [(o.number, o.ordered_on, o.status) for o in orders] == [
        ("IZM-DIB-2022-001", day(2022, 9, 20), "delivered"),
        ("IZM-DIB-2023-001", day(2023, 4, 3), "delivered"),
    ]
    for order, first, last in [
        (orders[0], day(2022, 10, 3), day(2022, 12, 16)),
        (orders[1], day(2023, 9, 4), day(2023, 11, 30)),
    ]:
        deliveries = Delivery.objects.filter(order=order)
        assert deliveries.count() == 60
        assert deliveries.aggregate(first=Min("delivered_on"), last=Max("delivered_on")) == {
            "first": first,
            "last": last,
        }
        assert not deliveries.filter(accepted_at__isnull=True).exists()
    devices = Device.objects.filter(programme=programme)
    assert devices.count() == 2662
    assert not devices.filter(order_line__isnull=True).exists()
    assert set(devices.values_list("funding_source__kind", flat=True)) == {"eu_rrf"}

    # The targets: 1,331 by 31 December 2022, 2,662 by 31 December 2023 and 59 schools surveyed by
    # 30 June 2024, all met on time.
    targets = programme.targets.order_by("position")
    assert [(t.due_date, t.target_value) for t in targets] == [
        (day(2022, 12, 31), 1331),
        (day(2023, 12, 31), 2662),
        (day(2024, 6, 30), 59),
    ]
    for target in targets[:2]:
        (row,) = target_progress(programme.targets.filter(pk=target.pk), as_of=target.due_date)
        assert (row["value"], row["assessment"].status) == (target.target_value, "achieved")
    (survey,) = target_progress(programme.targets.filter(position=3), as_of=day(2024, 6, 30))
    assert (survey["value"], survey["assessment"].status) == (60, "achieved")

    # The survey: the campaign of March and April 2024, every school answered (about 95 % by 12 April).
    campaign = Campaign.objects.get(programme=programme, code="IZM-DPJ-2024")
    assert (campaign.starts_on, campaign.ends_on, campaign.state, campaign.campaign_schools.count()) == (
        day(2024, 3, 1),
        day(2024, 4, 30),
        "closed",
        60,
    )
    answers = SurveyResponse.objects.filter(campaign=campaign, state="submitted")
    assert answers.count() == 60
    assert answers.filter(submitted_at__lt=moment(day(2024, 4, 13), 0)).count() == 57
    assert answers.aggregate(last=Max("submitted_at"))["last"].date() <= day(2024, 4, 29)
    # Measurements: the state cities' own files and the counties' Giga Meter exports, 30 school days.
    measurements = Measurement.objects.filter(school__authority__code="LV-IZM")
    assert dict(Counter(measurements.values_list("source", flat=True))) == MEASUREMENT_SOURCES
    days = DailyAggregate.objects.filter(school__authority__code="LV-IZM").values_list("day", flat=True)
    assert (min(days), max(days), len(set(days))) == (day(2024, 3, 4), day(2024, 4, 23), 30)
    assert not DailyAggregate.objects.filter(day__in=[day(2024, 3, 20), day(2024, 4, 1)]).exists()  # holidays
    # The analysis of 14 June 2024 and its report, attached to the milestone and approved on 20 June.
    run = AnalysisRun.objects.get(campaign=campaign)
    assert run.as_of == day(2024, 6, 14)
    assert dict(Counter(run.statuses.values_list("benchmark__code", "status"))) == STATUSES
    (report,) = EvidenceDocument.objects.filter(target=targets[2])
    assert report.approved_at.date() == day(2024, 6, 20)
    values = dict(targets[1].snapshots.values_list("date", "value"))
    assert [values[d] for d in (day(2022, 9, 30), day(2022, 12, 31), day(2023, 6, 30), day(2023, 12, 31))] == [
        0,
        1331,
        1331,
        2662,
    ]
    accepted_2022 = devices.filter(accepted_at__lt=moment(day(2023, 1, 1), 0)).count()
    assert accepted_2022 == 1331

    before = table_counts()
    again = get_scenario("latvia").run("small", today=TODAY)
    assert again["created"] == {}
    assert again["milestones"] == SUMMARY["milestones"]
    assert table_counts() == before


SUMMARY = {
    "scenario": "latvia",
    "scale": "small",
    "programme": CODE,
    "schools": 60,
    "devices": 2662,
    "vulnerable_pupils": 5284,
    "schools_with_laptops": 60,
    "accepted_by_2022_12_31": 1331,
    "accepted_by_2023_12_31": 2662,
    "connectivity": {
        "schools_surveyed": 60,
        "schools_measured": 55,  # five not measured at all
        "speed_tests": 6482,
        "schools_meeting": {"eu-gigabit": 4, "per-pupil": 17, "giga": 44},
        "proposals_total_eur": "2149390.55",
    },
    "milestones": {"#1": "met", "#2": "met", "#3": "met"},
}
CREATED = {
    "allocation rounds": 2,
    "benchmarks": 4,
    "connectivity analyses": 1,
    "connectivity campaigns": 1,
    "daily measurement summaries": 1621,
    "deliveries": 120,
    "device models": 1,
    "devices": 2662,
    "eligibility groups": 3,
    "evidence documents": 1,
    "measurements": 6482,
    "orders": 2,
    "schools": 60,
    "snapshots": 501,  # three targets on the 167 history days from 1 June 2022 to 15 January 2025
    "suppliers": 1,
    "survey answers": 60,
    "targets scaled": 3,  # 13,310 -> 1,331, 26,620 -> 2,662 and 593 schools to survey -> 59
}
# A tenth of each kind: 36, 240, 205, 38, 52 and 22 schools at full scale.
KINDS = {"SAK": 4, "PAM": 24, "VID": 21, "GIM": 4, "SPEC": 5, "VAK": 2}
MEASUREMENT_SOURCES = {"generic": 1920, "giga": 4562}  # the state cities' own files, the counties' exports
# Five schools not measured and one with two tests on one day have no status.
STATUSES = {
    ("eu-gigabit", "meets"): 4,
    ("eu-gigabit", "below"): 50,
    ("eu-gigabit", "insufficient"): 6,
    ("per-pupil", "meets"): 17,
    ("per-pupil", "below"): 37,
    ("per-pupil", "insufficient"): 6,
    ("giga", "meets"): 44,
    ("giga", "moderate"): 10,
    ("giga", "insufficient"): 6,
    ("contracted-80", "meets"): 22,
    ("contracted-80", "below"): 32,
    ("contracted-80", "insufficient"): 6,
}
