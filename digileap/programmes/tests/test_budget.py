"""Money against the budget: figures per source, and the warnings on the dashboard and programme page."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.programmes import budget
from digileap.programmes.models import FundingTransaction

from .factories import FundingSourceFactory, ProgrammeFactory

D = Decimal


def entry(programme, source, kind, amount, school=None):
    return FundingTransaction.objects.create(
        programme=programme,
        source=source,
        kind=kind,
        amount=D(amount),
        date=datetime.date(2024, 5, 1),
        school=school,
        recorded_at=timezone.now(),
    )


@pytest.fixture
def ledger(world):
    programme = ProgrammeFactory(code="EU-OVER", authority=world.authority)
    eu = FundingSourceFactory(programme=programme, position=1, name={"en": "EU RRF"}, amount=D("10000000.00"))
    region = FundingSourceFactory(
        programme=programme, position=2, name={"en": "Region"}, amount=D("2000000.00"), kind="regional"
    )
    entry(programme, eu, "committed", "6000000.00", world.school)
    entry(programme, eu, "committed", "5180000.00")
    entry(programme, eu, "paid", "4000000.10")
    entry(programme, region, "committed", "2000000.00")
    entry(programme, region, "paid", "2000000.01", world.school)
    return programme, eu, region


def test_source_budgets_tell_budget_committed_paid_and_how_far_over(ledger):
    programme, eu, region = ledger
    rows = budget.source_budgets(programme)
    assert [
        (r.source.pk, r.budget, r.committed, r.paid, r.committed_over_by, r.paid_over_by, r.is_over) for r in rows
    ] == [
        (eu.pk, D("10000000.00"), D("11180000.00"), D("4000000.10"), D("1180000.00"), D("0.00"), True),
        (region.pk, D("2000000.00"), D("2000000.00"), D("2000000.01"), D("0.00"), D("0.01"), True),
    ]
    assert [r.source.pk for r in budget.over_budget(rows)] == [eu.pk, region.pk]


def test_would_exceed_answers_for_a_new_amount(ledger):
    _programme, eu, region = ledger
    assert budget.would_exceed(eu, "paid", D("5999999.90")) is None  # exactly the budget
    after = budget.would_exceed(eu, "paid", D("6000000.00"))
    assert (after.paid, after.paid_over_by) == (D("10000000.10"), D("0.10"))
    assert budget.would_exceed(region, "committed", D("-5.00")) is None  # a correction never warns
    assert budget.would_exceed(region, "committed", D("0.01")).committed_over_by == D("0.01")


def test_dashboard_and_programme_page_warn_per_source_over_budget(ledger, role_users):
    programme, _eu, _region = ledger
    client = Client()
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    for name in ("programmes:programme-dashboard", "programmes:programme-detail"):
        html = client.get(reverse(name, args=[programme.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert (
            "EU RRF: EUR 11,180,000.00 committed against a budget of EUR 10,000,000.00, EUR 1,180,000.00 over." in html
        ), name
        assert "Region: EUR 2,000,000.01 paid against a budget of EUR 2,000,000.00, EUR 0.01 over." in html
        assert "Region: EUR 2,000,000.00 committed" not in html  # exactly the budget is not over


def test_no_warning_within_the_budget(world, role_users):
    programme = ProgrammeFactory(authority=world.authority)
    source = FundingSourceFactory(programme=programme, position=1, amount=D("100.00"))
    entry(programme, source, "committed", "100.00")
    client = Client()
    client.force_login(role_users[Role.PROGRAMME_OWNER])
    html = client.get(reverse("programmes:programme-dashboard", args=[programme.pk])).content.decode()
    assert "over-budget" not in html
