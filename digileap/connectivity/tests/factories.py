"""Factories of the connectivity app. Tests of a workflow go through the services instead; these
make rows directly for tests of pages, selectors and the permission walk."""

import datetime
import secrets
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import SchoolFactory

from ..models import (
    AnalysisRun,
    Benchmark,
    Campaign,
    CampaignSchool,
    Connection,
    CostParameters,
    DailyAggregate,
    Measurement,
    Proposal,
    SchoolStatus,
    Source,
    SpeedTest,
    Status,
    SurveyResponse,
    TestLink,
    Uplink,
)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"SURVEY-{n}")
    name = factory.Sequence(lambda n: {"en": f"Connectivity survey {n}"})
    starts_on = datetime.date(2024, 1, 15)
    ends_on = datetime.date(2024, 3, 31)
    state = Campaign.State.OPEN
    reminder_days = factory.LazyFunction(lambda: [14, 7, 1])


class CampaignSchoolFactory(DjangoModelFactory):
    class Meta:
        model = CampaignSchool

    campaign = factory.SubFactory(CampaignFactory)
    school = factory.SubFactory(SchoolFactory)


class SurveyResponseFactory(DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    campaign = factory.SubFactory(CampaignFactory)
    school = factory.SubFactory(SchoolFactory)
    state = SurveyResponse.State.SUBMITTED
    classrooms = 20
    classrooms_wifi = 12
    access_points = 8
    switches = 2
    switch_age_years = 6
    submitted_at = factory.LazyFunction(timezone.now)


class UplinkFactory(DjangoModelFactory):
    class Meta:
        model = Uplink

    response = factory.SubFactory(SurveyResponseFactory)
    technology = Uplink.Technology.DSL
    provider = "Provider"
    download_mbps = Decimal("100.00")
    upload_mbps = Decimal("20.00")
    monthly_cost = Decimal("45.00")


class TestLinkFactory(DjangoModelFactory):
    class Meta:
        model = TestLink

    school = factory.SubFactory(SchoolFactory)
    label = "Staff room"
    key = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))


class SpeedTestFactory(DjangoModelFactory):
    class Meta:
        model = SpeedTest

    school = factory.SubFactory(SchoolFactory)
    state = SpeedTest.State.DONE
    started_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(seconds=30))
    finished_at = factory.LazyFunction(timezone.now)
    connection = Connection.WIRED
    verified = True
    download_mbps = 94.5
    upload_mbps = 18.25
    latency_ms = 12.0
    jitter_ms = 1.5


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = Measurement

    school = factory.SubFactory(SchoolFactory)
    measured_at = factory.Sequence(
        lambda n: datetime.datetime(2024, 2, 1, 9, tzinfo=datetime.UTC) + datetime.timedelta(minutes=n)
    )
    download_mbps = 50.0
    upload_mbps = 10.0
    latency_ms = 20.0
    source = Source.GENERIC


class DailyAggregateFactory(DjangoModelFactory):
    class Meta:
        model = DailyAggregate

    school = factory.SubFactory(SchoolFactory)
    day = datetime.date(2024, 2, 1)
    tests = 4
    download_median = 50.0
    download_p95 = 60.0
    upload_median = 10.0
    upload_p95 = 12.0
    latency_median = 20.0
    latency_p95 = 35.0


class BenchmarkFactory(DjangoModelFactory):
    class Meta:
        model = Benchmark

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"bench-{n}")
    name = factory.Sequence(lambda n: {"en": f"Benchmark {n}"})
    kind = Benchmark.Kind.ABSOLUTE
    threshold_mbps = Decimal("1000")


class CostParametersFactory(DjangoModelFactory):
    class Meta:
        model = CostParameters

    programme = factory.SubFactory(ProgrammeFactory)
    fibre_per_km = Decimal("25000.00")
    fibre_connection = Decimal("3000.00")
    fibre_monthly = Decimal("150.00")
    upgrade_per_mbps_month = Decimal("0.50")
    wifi_per_classroom = Decimal("900.00")
    switch_per_site = Decimal("2500.00")
    technology_limits = factory.LazyFunction(
        lambda: {"dsl": 250, "cable": 1000, "mobile": 300, "satellite": 200, "radio": 500, "fibre": 10000}
    )


class AnalysisRunFactory(DjangoModelFactory):
    class Meta:
        model = AnalysisRun

    campaign = factory.SubFactory(CampaignFactory)
    as_of = datetime.date(2024, 4, 1)
    window_start = datetime.date(2024, 1, 15)
    computed_at = factory.LazyFunction(timezone.now)


class SchoolStatusFactory(DjangoModelFactory):
    class Meta:
        model = SchoolStatus

    run = factory.SubFactory(AnalysisRunFactory)
    school = factory.SubFactory(SchoolFactory)
    benchmark = factory.SubFactory(BenchmarkFactory)
    status = Status.BELOW
    measured_mbps = 50.0
    required_mbps = 1000.0
    tests = 12
    days = 4


class ProposalFactory(DjangoModelFactory):
    class Meta:
        model = Proposal

    run = factory.SubFactory(AnalysisRunFactory)
    school = factory.SubFactory(SchoolFactory)
    gap_mbps = Decimal("950.00")
    classrooms_without_wifi = 8
    option = Proposal.Option.FIBRE
    uplink_capex = Decimal("28000.00")
    uplink_opex_year = Decimal("1800.00")
    wifi_capex = Decimal("7200.00")
    switch_capex = Decimal("0.00")
    total = Decimal("44200.00")
    rank = 1
