"""A small analysed campaign for the map's and the charts' tests: three schools of the INSIDE
authority (two of the INSIDE operator, one of another operator), an older and a latest run with
statuses for two benchmarks and proposals, survey answers with uplinks."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.models import School, SchoolOperator
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import AnalysisRun, Benchmark, Campaign, Proposal, Status
from .factories import (
    AnalysisRunFactory,
    BenchmarkFactory,
    CampaignFactory,
    CampaignSchoolFactory,
    ProposalFactory,
    SchoolStatusFactory,
    SurveyResponseFactory,
    UplinkFactory,
)


@dataclass
class AnalysedCampaign:
    campaign: Campaign
    run: AnalysisRun
    old_run: AnalysisRun
    gigabit: Benchmark
    contracted: Benchmark
    schools: list[School]  # ordered by number: 1001 (world.school), 1002, 1003
    other_operator: SchoolOperator


def analysed_campaign(world) -> AnalysedCampaign:
    school = world.school
    School.objects.filter(pk=school.pk).update(
        latitude=Decimal("56.946"), longitude=Decimal("24.105"), pupils_total=400, type_label="Primary"
    )
    school.refresh_from_db()
    second = SchoolFactory(
        operator=world.operator,
        number="1002",
        name="Second school",
        latitude=Decimal("57.1"),
        longitude=Decimal("24.3"),
        pupils_total=100,
        type_label="Primary",
    )
    other_operator = OperatorFactory(authority=world.authority, name="Another operator", code="another")
    third = SchoolFactory(
        operator=other_operator, number="1003", name="Third school", pupils_total=50, type_label="Secondary"
    )
    programme = ProgrammeFactory(authority=world.authority, country="LV", code="lv-connect")
    campaign = CampaignFactory(programme=programme, code="LV-2024", name={"en": "Latvia 2024"})
    for item in (school, second, third):
        CampaignSchoolFactory(campaign=campaign, school=item)
    gigabit = BenchmarkFactory(programme=programme, code="gigabit", name={"en": "Gigabit"}, position=1)
    contracted = BenchmarkFactory(
        programme=programme,
        code="contracted",
        name={"en": "Against contract"},
        kind=Benchmark.Kind.CONTRACTED,
        threshold_mbps=None,
        share_percent=Decimal("80"),
        position=2,
    )
    BenchmarkFactory(programme=programme, code="unused", name={"en": "Not in the run"}, position=0)
    now = timezone.now()
    old_run = AnalysisRunFactory(campaign=campaign, computed_at=now - datetime.timedelta(days=1))
    SchoolStatusFactory(run=old_run, school=school, benchmark=gigabit, status=Status.MEETS)
    run = AnalysisRunFactory(campaign=campaign, computed_at=now, as_of=datetime.date(2024, 4, 2))
    SchoolStatusFactory(
        run=run, school=school, benchmark=gigabit, status=Status.BELOW, measured_mbps=90.25, required_mbps=1000
    )
    SchoolStatusFactory(
        run=run, school=second, benchmark=gigabit, status=Status.MEETS, measured_mbps=1200.0, required_mbps=1000
    )
    SchoolStatusFactory(
        run=run,
        school=third,
        benchmark=gigabit,
        status=Status.INSUFFICIENT,
        measured_mbps=None,
        required_mbps=1000,
        tests=2,
        days=1,
    )
    SchoolStatusFactory(
        run=run, school=school, benchmark=contracted, status=Status.MEETS, measured_mbps=90.25, required_mbps=80
    )
    SchoolStatusFactory(
        run=run, school=second, benchmark=contracted, status=Status.BELOW, measured_mbps=1200.0, required_mbps=1600
    )
    ProposalFactory(run=run, school=school, rank=1)
    ProposalFactory(
        run=run,
        school=second,
        gap_mbps=Decimal("0"),
        classrooms_without_wifi=2,
        option=Proposal.Option.NONE,
        uplink_capex=Decimal("0"),
        uplink_opex_year=Decimal("0"),
        wifi_capex=Decimal("1800.00"),
        total=Decimal("1800.00"),
        rank=2,
    )
    UplinkFactory(response=SurveyResponseFactory(campaign=campaign, school=school), download_mbps=Decimal("100"))
    second_answer = SurveyResponseFactory(campaign=campaign, school=second)
    UplinkFactory(response=second_answer, download_mbps=Decimal("1000"))
    UplinkFactory(response=second_answer, download_mbps=Decimal("1000"), technology="fibre")
    return AnalysedCampaign(campaign, run, old_run, gigabit, contracted, [school, second, third], other_operator)
