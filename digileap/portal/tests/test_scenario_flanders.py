"""Seed 001 at small scale, end to end: registry with the wider field, the per-pupil round
approved and committed, payments in waves, the wider field's round, self-bought devices, history;
milestone 401 computed from the payments and met; a second run changes nothing."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from digileap.allocation.models import AllocationRound
from digileap.core.audit import verify_chain
from digileap.core.models import AuditEvent
from digileap.devices.models import Device, SelfPurchase
from digileap.programmes.models import FundingTransaction, IndicatorSnapshot, Programme
from digileap.programmes.services import target_value
from digileap.programmes.status import Status, assess
from digileap.schools.models import Enrolment, School

pytestmark = pytest.mark.django_db


def load() -> dict:
    out = StringIO()
    call_command("load_seed_scenario", "flanders", "--scale", "small", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def counts() -> tuple:
    return (
        School.objects.count(),
        Enrolment.objects.count(),
        FundingTransaction.objects.count(),
        Device.objects.count(),
        AuditEvent.objects.count(),
        IndicatorSnapshot.objects.count(),
    )


def test_flanders_small_end_to_end():
    summary = load()
    programme = Programme.objects.get(code="flanders-digisprong")
    created = dict(summary["created"])
    assert created.pop("snapshots") > 0
    assert created == {
        "allocation rounds": 2,
        "device models": 3,
        "devices": 2035,
        "funding transactions": 804,
        "schools": 423,
        "self-bought purchases": 76,
        "targets scaled": 2,
        # Teacher training (digileap/portal/scenarios/flanders_training.py).
        "attendance records": 200,
        "completions": 6026,
        "courses": 4,
        "enrolments": 6026,
        "self-assessments": 960,
        "sessions": 8,
        "staff records": 9600,
        "targets": 2,
        "training providers": 2,
    }
    assert summary["schools"] == 423
    assert summary["compulsory_schools"] == 379
    assert summary["schools_paid_by_october_2022"] == 379
    assert summary["schools_paid"] == 423
    assert summary["self_bought_purchases"] == 76
    assert summary["devices"] == 2035
    assert summary["milestones"]["401"] == "met"
    assert summary["milestones"]["#2"] == "met"
    assert summary["milestones"]["#6"] == "met"  # teachers trained
    assert summary["milestones"]["#7"] == "met"  # schools with half their teachers trained

    # The registry: 270 primary and 109 secondary schools (a tenth of 2,695 and 1,091) and the
    # wider field; primary pupils by grade, for the formula.
    schools = School.objects.filter(authority__code="BE-VLG")
    assert schools.filter(type_code="BaO").count() == 270
    assert schools.filter(type_code="SO").count() == 109
    assert schools.filter(type_code__in=["KO", "DKO", "CVO"]).count() == 16 + 17 + 11
    assert Enrolment.objects.filter(school__type_code="BaO", level=1, grade=6).count() == 270

    # The per-pupil round: approved (published) on 26 March 2021, its total committed that day.
    allocation_round = AllocationRound.objects.get(programme=programme, code="DIGISPRONG-2021")
    assert allocation_round.status == AllocationRound.Status.PUBLISHED
    version = allocation_round.versions.get()
    assert version.total == Decimal("25000000.00")
    assert version.approved_at.date() == datetime.date(2021, 3, 26)
    commitment = FundingTransaction.objects.get(programme=programme, kind="committed", school__isnull=True,
                                                reference="DIGISPRONG-2021 v1")  # fmt: skip
    assert commitment.date == datetime.date(2021, 3, 26)
    assert commitment.amount == Decimal("25000000.00")
    paid = FundingTransaction.objects.filter(programme=programme, kind="paid", school__type_code__in=["BaO", "SO"])
    assert paid.aggregate(total=Sum("amount"))["total"] == Decimal("25000000.00")
    assert paid.count() == 2 * 379

    # Milestone 401 (379 at this scale) from the payments: the schools reached grow over the waves
    # and reach 379 before the due date.
    target = programme.targets.get(number="401")
    assert target.target_value == Decimal(379)
    assert target_value(target, datetime.date(2021, 4, 30)) == Decimal(0)
    assert target_value(target, datetime.date(2021, 6, 30)) == Decimal(208)  # 55 %
    assert target_value(target, datetime.date(2021, 12, 31)) == Decimal(208 + 113)  # and 30 %
    assert target_value(target, datetime.date(2022, 10, 31)) == Decimal(379)
    on_due = assess(
        value=target_value(target, target.due_date),
        baseline=target.baseline,
        target_value=target.target_value,
        due_date=target.due_date,
        as_of=target.due_date,
    )
    assert on_due.status == Status.ACHIEVED
    assert target.snapshots.get(date=datetime.date(2022, 10, 31)).value == Decimal(379)
    # The end goal (3,787, here 379) with the wider field paid in November and December 2022.
    end_goal = programme.targets.get(position=2)
    assert target_value(end_goal, datetime.date(2022, 12, 31)) == Decimal(423)

    # Self-bought devices: reported with invoices, after the school's first payment.
    purchases = SelfPurchase.objects.filter(programme=programme)
    assert purchases.count() == 76
    assert Device.objects.filter(purchase__in=purchases).count() == 2035
    assert max(purchases.values_list("invoice_date", flat=True)) <= datetime.date(2022, 12, 9)

    assert verify_chain().is_intact

    before = counts()
    again = load()
    assert again["created"] == {}
    assert again["milestones"] == summary["milestones"]
    assert counts() == before
