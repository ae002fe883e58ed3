"""The demo allocation (``allocation/demo.py``) on a small demo registry: what it creates, that the
rules come out as documented, and that a second run changes nothing."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum

from digileap.core import audit
from digileap.core.models import AuditEvent
from digileap.portal.demo import seed_demo
from digileap.programmes.demo import DEMO_CODE, seed_demo_programmes
from digileap.schools.models import Enrolment, SocioEconomicIndex

from ..demo import (
    BRUSSELS_CODE,
    DEMO_YEAR,
    DIGISPRONG_CODE,
    MV_BUDGET_CODE,
    MV_DEVICES_CODE,
    PLAN_CODE,
    seed_demo_allocation,
)
from ..models import (
    AllocationLine,
    AllocationRound,
    AllocationVersion,
    ChangeRequest,
    NeedDeclaration,
    NeedLine,
    RolloutEntry,
    RolloutPlan,
    RolloutVersion,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)


@pytest.fixture
def small_demo():
    seed_demo(schools=40)
    seed_demo_programmes(today=TODAY)


def _state() -> dict:
    """Everything the demo allocation writes, row by row, to compare two runs."""
    return {
        "declarations": list(
            NeedDeclaration.objects.order_by("pk").values_list(
                "pk", "school_id", "school_year", "classrooms_without_wifi", "declared_at"
            )
        ),
        "need lines": list(NeedLine.objects.order_by("pk").values_list("pk", "device_type", "needed")),
        "rounds": list(AllocationRound.objects.order_by("pk").values_list("pk", "code", "status", "total")),
        "versions": list(AllocationVersion.objects.order_by("pk").values_list("pk", "number", "status", "total")),
        "lines": list(AllocationLine.objects.order_by("pk").values_list("pk", "school_id", "amount", "bound")),
        "plans": list(RolloutPlan.objects.order_by("pk").values_list("pk", "code")),
        "plan versions": list(RolloutVersion.objects.order_by("pk").values_list("pk", "number", "status")),
        "entries": list(RolloutEntry.objects.order_by("pk").values_list("pk", "school_id", "period_id", "cost")),
        "change requests": list(ChangeRequest.objects.order_by("pk").values_list("pk", "school_id", "status")),
        "audit events": AuditEvent.objects.count(),
    }


def _version(code: str) -> AllocationVersion:
    return AllocationVersion.objects.get(round__code=code, round__programme__code=DEMO_CODE)


def test_the_demo_allocation_is_seeded_once(small_demo):
    created = seed_demo_allocation()

    assert created == Counter({"need declarations": 15, "rounds": 4, "roll-out plans": 1, "change requests": 1})
    assert Counter(NeedLine.objects.values_list("device_type", flat=True)) == {"laptop": 10, "tablet": 5}
    rounds = {
        code: (status, total)
        for code, status, total in AllocationRound.objects.filter(programme__code=DEMO_CODE).values_list(
            "code", "status", "total"
        )
    }
    assert rounds == {
        # 60 % of the 1,471 laptops declared: a small demo has fewer than the 3,500 of the rule.
        BRUSSELS_CODE: ("published", Decimal("882.00")),
        DIGISPRONG_CODE: ("approved", None),
        MV_BUDGET_CODE: ("approved", None),
        MV_DEVICES_CODE: ("computed", None),
    }
    versions = {
        code: (version.number, version.status, version.total, version.lines.count())
        for code in rounds
        for version in [_version(code)]
    }
    assert versions == {
        BRUSSELS_CODE: (1, "published", Decimal("882.00"), 10),
        DIGISPRONG_CODE: (1, "approved", Decimal("2535384.00"), 20),
        MV_BUDGET_CODE: (1, "approved", Decimal("2080600.00"), 20),
        MV_DEVICES_CODE: (1, "computed", Decimal("333310.00"), 20),
    }
    plan = RolloutPlan.objects.get(code=PLAN_CODE)
    in_force = plan.versions.get(status="adopted")
    assert (plan.versions.count(), in_force.entries.count(), in_force.solver["planned"]) == (1, 20, 20)
    request = ChangeRequest.objects.get()
    assert (request.plan, request.status, request.kind, request.requested_by.username) == (
        plan,
        "submitted",
        "move",
        "operator",
    )

    head = audit.chain_head_hash()
    state = _state()
    assert seed_demo_allocation() == Counter()
    assert _state() == state
    assert audit.chain_head_hash() == head


def test_digisprong_line_is_the_per_pupil_formula(small_demo):
    seed_demo_allocation()
    line = _version(DIGISPRONG_CODE).lines.get(school__number="75100002")
    enrolment = Enrolment.objects.filter(school=line.school, school_year=DEMO_YEAR)
    assert sorted(enrolment.values_list("level", "grade", "pupils")) == [
        (1, 1, 32), (1, 2, 38), (1, 3, 26), (1, 4, 24),
        (2, 5, 31), (2, 6, 32), (2, 7, 34), (2, 8, 34), (2, 9, 28), (2, 10, 28),
    ]  # fmt: skip
    # 120 pupils in grades 1-4 at EUR 25, none in primary grades 5-6 (they are secondary in this
    # registry), 187 secondary pupils at 510, and 307 pupils at 42 for infrastructure.
    assert line.amount == Decimal(25 * 120 + 290 * 0 + 510 * 187 + 42 * 307) == Decimal("111264.00")
    assert line.bound == ""


def test_brussels_mv_and_plan_rules_hold(small_demo):
    """Brussels: the lowest index first, each up to its need; MV: EUR 25,000 a school and 20 % of
    the operator's budget; the plan: the yearly caps and at most two years per operator."""
    seed_demo_allocation()
    version = _version(BRUSSELS_CODE)
    index = dict(SocioEconomicIndex.objects.filter(school_year=DEMO_YEAR).values_list("school_id", "value"))
    need = dict(
        NeedLine.objects.filter(device_type="laptop", declaration__school_year=DEMO_YEAR).values_list(
            "declaration__school_id", "needed"
        )
    )
    lines = list(version.lines.values_list("school_id", "amount", "bound"))
    served_in_full = [index[school] for school, amount, _bound in lines if amount == need[school]]
    cut_short = [index[school] for school, amount, _bound in lines if amount < need[school]]
    assert len(served_in_full) == 3 and len(cut_short) == 7
    assert max(served_in_full) <= min(cut_short)
    assert {bound for school, amount, bound in lines if amount < need[school]} == {"budget"}
    assert sum(amount for _school, amount, _bound in lines) == Decimal(882)

    devices = _version(MV_DEVICES_CODE).lines
    assert Counter(devices.values_list("bound", flat=True)) == {"cap_operator": 9, "cap_school": 6, "": 5}
    assert max(devices.values_list("amount", flat=True)) == Decimal("25000.00")
    budget_by_operator = dict(
        _version(MV_BUDGET_CODE)
        .lines.values_list("school__operator_id")
        .annotate(total=Sum("amount"))
        .values_list("school__operator_id", "total")
    )
    devices_by_operator = dict(
        devices.values_list("school__operator_id")
        .annotate(total=Sum("amount"))
        .values_list("school__operator_id", "total")
    )
    for operator, total in devices_by_operator.items():
        assert total <= budget_by_operator[operator] * Decimal("0.20")

    plan = RolloutPlan.objects.get(code=PLAN_CODE)
    entries = list(plan.versions.get(status="adopted").entries.select_related("school"))
    periods = list(plan.periods.order_by("position"))
    assert [(period.label, period.budget_cap) for period in periods] == [
        (year, Decimal("620000.00")) for year in ("2025", "2026", "2027", "2028")
    ]
    for period in periods:
        assert sum(entry.cost for entry in entries if entry.period_id == period.pk) <= period.budget_cap
    years: dict[int, set] = {}
    for entry in entries:
        if entry.period_id:
            years.setdefault(entry.school.operator_id, set()).add(entry.period_id)
    assert max(len(used) for used in years.values()) == 2


def test_nothing_without_the_demo_programme(db):
    assert seed_demo_allocation() == Counter()
    assert not NeedDeclaration.objects.exists()
