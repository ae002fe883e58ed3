import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.permissions import SystemActor
from digileap.programmes import services
from digileap.programmes.indicators import get_kind
from digileap.programmes.models import FundingSource, FundingTransaction, Target
from digileap.schools.tests.factories import SchoolFactory

from .factories import (
    FundingSourceFactory,
    FundingTransactionFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
SYSTEM = SystemActor("test")


def value(target, on):
    target.refresh_from_db()
    return services.target_value(target, on)


@pytest.fixture
def programme():
    return ProgrammeFactory()


def _target(programme, indicator_kind, parameters=None, **fields):
    indicator = IndicatorFactory(programme=programme, kind=indicator_kind, parameters=parameters or {})
    return TargetFactory(programme=programme, indicator=indicator, **fields)


class TestMoney:
    def test_totals_are_exact_to_the_cent_on_every_database(self, programme):
        """SQLite adds decimals as floating point: 0.10 + 0.20 must still be 0.30, not 0.30000000000000004."""
        source = FundingSourceFactory(programme=programme, kind=FundingSource.Kind.EU_RRF)
        for amount in ("0.10", "0.20", "348882691.04"):
            FundingTransactionFactory(
                programme=programme,
                source=source,
                kind=FundingTransaction.Kind.PAID,
                amount=D(amount),
                date=datetime.date(2024, 3, 1),
            )
        paid = _target(programme, "money", {"measure": "paid"}, target_value=D("400000000"))
        total = value(paid, datetime.date(2024, 12, 31))
        assert total == D("348882691.34")
        assert str(total) == "348882691.34"

    def test_sums_by_measure_source_kind_and_day(self, programme):
        rrf = FundingSourceFactory(programme=programme, kind=FundingSource.Kind.EU_RRF)
        national = FundingSourceFactory(programme=programme, kind=FundingSource.Kind.NATIONAL)
        paid = FundingTransaction.Kind.PAID
        FundingTransactionFactory(
            programme=programme, source=rrf, kind=paid, amount=D("1000.10"), date=datetime.date(2024, 3, 1)
        )
        FundingTransactionFactory(
            programme=programme, source=rrf, kind=paid, amount=D("-0.10"), date=datetime.date(2024, 3, 5)
        )
        FundingTransactionFactory(
            programme=programme, source=national, kind=paid, amount=D("250.00"), date=datetime.date(2024, 4, 1)
        )
        FundingTransactionFactory(
            programme=programme,
            source=rrf,
            kind=FundingTransaction.Kind.COMMITTED,
            amount=D("5000.00"),
            date=datetime.date(2024, 2, 1),
        )
        FundingTransactionFactory(amount=D("9999.00"))  # another programme's money never counts
        paid_all = _target(programme, "money", {"measure": "paid"}, target_value=D("2000000"))
        paid_rrf = _target(
            programme, "money", {"measure": "paid", "source_kinds": ["eu_rrf"]}, target_value=D("2000000")
        )
        committed = _target(programme, "money", {"measure": "committed"}, target_value=D("2000000"))

        assert value(paid_all, datetime.date(2024, 3, 4)) == D("1000.10")
        assert value(paid_all, datetime.date(2024, 12, 31)) == D("1250.00")
        assert value(paid_rrf, datetime.date(2024, 12, 31)) == D("1000.00")
        assert value(committed, datetime.date(2024, 1, 31)) == D("0")
        assert value(committed, datetime.date(2024, 2, 1)) == D("5000.00")

    def test_per_period_counts_from_the_period_start(self, programme):
        FundingTransactionFactory(programme=programme, amount=D("10.00"), date=datetime.date(2024, 6, 30))
        FundingTransactionFactory(programme=programme, amount=D("20.00"), date=datetime.date(2024, 7, 1))
        target = _target(
            programme,
            "money",
            {"measure": "paid"},
            accumulation=Target.Accumulation.PER_PERIOD,
            period_start=datetime.date(2024, 7, 1),
        )
        assert value(target, datetime.date(2024, 12, 31)) == D("20.00")

    def test_records_list_every_entry_counted(self, programme):
        school = SchoolFactory(
            authority=programme.authority, operator__authority=programme.authority, number="77", name="Atheneum"
        )
        FundingTransactionFactory(
            programme=programme, amount=D("12.50"), date=datetime.date(2024, 5, 1), school=school, reference="D-1"
        )
        FundingTransactionFactory(programme=programme, amount=D("7.50"), date=datetime.date(2024, 5, 2))
        target = _target(programme, "money", {"measure": "paid"})
        records = get_kind("money").records(target, datetime.date(2024, 12, 31))
        assert list(records.columns) == [
            "date",
            "funding_source",
            "amount_eur",
            "school_number",
            "school_name",
            "reference",
        ]
        assert list(records.rows) == [
            ("2024-05-01", "eu_rrf", "12.50", "77", "Atheneum", "D-1"),
            ("2024-05-02", "eu_rrf", "7.50", "", "", ""),
        ]

    def test_unknown_measure_is_refused(self, programme):
        target = TargetFactory(programme=programme)
        with pytest.raises(ValidationError):
            services.indicator_define(actor=SYSTEM, target=target, kind="money", parameters={"measure": "stolen"})


class TestSchoolsReached:
    def test_counts_distinct_schools_with_a_positive_funding_decision(self, programme):
        first, second, third = (SchoolFactory(operator__authority=programme.authority) for _ in range(3))
        FundingTransactionFactory(programme=programme, school=first, date=datetime.date(2024, 3, 1))
        FundingTransactionFactory(programme=programme, school=first, date=datetime.date(2024, 4, 1))
        FundingTransactionFactory(
            programme=programme, school=second, kind=FundingTransaction.Kind.COMMITTED, date=datetime.date(2024, 5, 1)
        )
        FundingTransactionFactory(programme=programme, school=third, amount=D("-5.00"), date=datetime.date(2024, 5, 1))
        FundingTransactionFactory(programme=programme, school=None, date=datetime.date(2024, 5, 1))
        reached = _target(programme, "schools_reached", {"via": ["funding"]})
        paid_only = _target(programme, "schools_reached", {"transaction_kinds": ["paid"]})

        assert value(reached, datetime.date(2024, 2, 29)) == D("0")
        assert value(reached, datetime.date(2024, 4, 30)) == D("1")
        assert value(reached, datetime.date(2024, 5, 1)) == D("2")
        assert value(paid_only, datetime.date(2024, 12, 31)) == D("1")

        records = get_kind("schools_reached").records(reached, datetime.date(2024, 12, 31))
        rows = sorted(records.rows)
        assert rows == sorted(
            [
                (first.number, first.name, first.operator.name, "2024-03-01", "funding"),
                (second.number, second.name, second.operator.name, "2024-05-01", "funding"),
            ]
        )

    def test_unknown_way_to_reach_is_refused(self, programme):
        target = TargetFactory(programme=programme)
        with pytest.raises(ValidationError):
            services.indicator_define(
                actor=SYSTEM, target=target, kind="schools_reached", parameters={"via": ["carrier-pigeon"]}
            )


class TestDocumentApproved:
    def test_one_once_a_linked_document_is_approved(self, programme):
        target = _target(
            programme,
            "document_approved",
            {"document": "Bandwidth report"},
            kind=Target.Kind.MILESTONE,
            target_value=D("1"),
        )
        uploader = user_with_role(Role.PROGRAMME_OWNER, programme.authority)
        approver = user_with_role(Role.PROGRAMME_OWNER, programme.authority)
        document = services.evidence_document_upload(
            actor=uploader,
            programme=programme,
            target=target,
            title="Bandwidth report",
            file=ContentFile(b"%PDF-1.4 report", name="report.pdf"),
        )
        assert value(target, datetime.date(2099, 1, 1)) == D("0")
        services.evidence_document_approve(actor=approver, document=document)
        document.refresh_from_db()
        approved_on = timezone.localdate(document.approved_at)  # the day where the programme is, not in UTC
        assert value(target, approved_on - datetime.timedelta(days=1)) == D("0")
        assert value(target, approved_on) == D("1")
        records = get_kind("document_approved").records(target, approved_on)
        rows = list(records.rows)
        assert [row[0] for row in rows] == ["Bandwidth report"]
        assert rows[0][2] == hashlib.sha256(b"%PDF-1.4 report").hexdigest()
        assert rows[0][4] == approver.username

    def test_the_uploader_cannot_approve_their_own_document(self, programme):
        target = _target(programme, "document_approved", kind=Target.Kind.MILESTONE, target_value=D("1"))
        uploader = user_with_role(Role.PROGRAMME_OWNER, programme.authority)
        document = services.evidence_document_upload(
            actor=uploader,
            programme=programme,
            target=target,
            title="Report",
            file=ContentFile(b"%PDF-x", name="r.pdf"),
        )
        with pytest.raises(ValidationError):
            services.evidence_document_approve(actor=uploader, document=document)


class TestManual:
    def test_newest_value_on_or_before_the_day(self, programme):
        target = _target(programme, "manual", {"source": "survey"})
        user = user_with_role(Role.PROGRAMME_OWNER, programme.authority)
        services.manual_value_record(actor=user, target=target, value=D("10"), as_of=datetime.date(2024, 3, 1))
        services.manual_value_record(
            actor=user, target=target, value=D("25"), as_of=datetime.date(2024, 5, 1), note="Q2"
        )
        assert value(target, datetime.date(2024, 2, 1)) == D("0")
        assert value(target, datetime.date(2024, 4, 1)) == D("10")
        assert value(target, datetime.date(2024, 6, 1)) == D("25")
        rows = list(get_kind("manual").records(target, datetime.date(2024, 6, 1)).rows)
        assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
            ("2024-03-01", "10.00", "", user.username),
            ("2024-05-01", "25.00", "Q2", user.username),
        ]

    def test_values_are_typed_in_only_for_manual_indicators(self, programme):
        target = _target(programme, "schools_reached")
        with pytest.raises(ValidationError):
            services.manual_value_record(actor=SYSTEM, target=target, value=D("10"), as_of=datetime.date(2024, 3, 1))
