"""A small campaign with everything the report shows: three schools in two regions (one without a
region), answers with uplinks and problems, measurements and daily summaries, two benchmarks with
statuses, cost parameters and ranked proposals."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import Benchmark, Problem, Proposal, Source, Status, Uplink
from .factories import (
    AnalysisRunFactory,
    BenchmarkFactory,
    CampaignFactory,
    CampaignSchoolFactory,
    CostParametersFactory,
    DailyAggregateFactory,
    MeasurementFactory,
    ProposalFactory,
    SchoolStatusFactory,
    SurveyResponseFactory,
    UplinkFactory,
)

COMPUTED_AT = datetime.datetime(2024, 6, 20, 14, 30, 15, 123456, tzinfo=datetime.UTC)


def report_world(authority=None, code: str = "lv-dators") -> SimpleNamespace:
    programme = ProgrammeFactory(
        code=code,
        name={"en": "A computer for every child", "lv": "Dators ikvienam bērnam"},
        **({"authority": authority} if authority is not None else {}),
    )
    authority = programme.authority
    riga = OperatorFactory(authority=authority, name="Rīgas valstspilsētas pašvaldība", region="Rīga")
    kurzeme = OperatorFactory(authority=authority, name="Kuldīgas novada pašvaldība", region="Kurzeme")
    nowhere = OperatorFactory(authority=authority, name="Private operator", region="")
    first = SchoolFactory(
        operator=riga, number="3001", name="Rīgas 1. vidusskola", type_label="Vidusskola", pupils_total=1200
    )
    second = SchoolFactory(
        operator=kurzeme, number="3002", name="Kuldīgas pamatskola", type_label="Pamatskola", pupils_total=200
    )
    third = SchoolFactory(
        operator=nowhere, number="3003", name="Small school", type_code="", type_label="", pupils_total=None
    )
    campaign = CampaignFactory(
        programme=programme,
        code="BW-2024",
        name={"en": "Bandwidth survey 2024", "lv": "Joslas platuma aptauja 2024"},
        starts_on=datetime.date(2024, 2, 1),
        ends_on=datetime.date(2024, 4, 30),
    )
    for school in (first, second, third):
        CampaignSchoolFactory(campaign=campaign, school=school)
    answer = SurveyResponseFactory(
        campaign=campaign,
        school=first,
        classrooms=40,
        classrooms_wifi=30,
        problems=[Problem.SLOW_AT_PEAK, Problem.OLD_EQUIPMENT],
    )
    UplinkFactory(response=answer, technology=Uplink.Technology.FIBRE, download_mbps=Decimal("500.00"))
    UplinkFactory(response=answer, technology=Uplink.Technology.MOBILE, download_mbps=Decimal("100.00"))
    answer = SurveyResponseFactory(
        campaign=campaign, school=second, classrooms=10, classrooms_wifi=2, problems=[Problem.SLOW_AT_PEAK]
    )
    UplinkFactory(response=answer, technology=Uplink.Technology.DSL, download_mbps=Decimal("30.00"))
    # A draft does not count.
    SurveyResponseFactory(
        campaign=campaign, school=third, state="draft", submitted_at=None, classrooms=5, classrooms_wifi=5
    )

    for minute in range(3):
        MeasurementFactory(
            school=first,
            measured_at=datetime.datetime(2024, 3, 4, 9, minute, tzinfo=datetime.UTC),
            source=Source.BROWSER,
        )
    MeasurementFactory(
        school=second, measured_at=datetime.datetime(2024, 3, 4, 10, tzinfo=datetime.UTC), source=Source.GIGA
    )
    # Outside the window: not counted.
    MeasurementFactory(
        school=second, measured_at=datetime.datetime(2023, 12, 4, 10, tzinfo=datetime.UTC), source=Source.GIGA
    )
    for offset in range(3):
        DailyAggregateFactory(school=first, day=datetime.date(2024, 3, 4 + offset), tests=4)
    DailyAggregateFactory(school=second, day=datetime.date(2024, 3, 4), tests=2)

    gigabit = BenchmarkFactory(
        programme=programme,
        code="eu-gigabit",
        name={"en": "EU gigabit", "lv": "ES gigabits"},
        kind=Benchmark.Kind.ABSOLUTE,
        threshold_mbps=Decimal("1000"),
        position=1,
    )
    giga = BenchmarkFactory(
        programme=programme,
        code="giga",
        name={"en": "Giga tiers"},
        kind=Benchmark.Kind.TIERS,
        threshold_mbps=Decimal("20"),
        lower_mbps=Decimal("1"),
        position=2,
    )
    costs = CostParametersFactory(programme=programme, target_benchmark=gigabit, years=5)
    run = AnalysisRunFactory(
        campaign=campaign,
        as_of=datetime.date(2024, 6, 15),
        window_start=datetime.date(2024, 2, 1),
        computed_at=COMPUTED_AT,
    )
    SchoolStatusFactory(
        run=run, school=first, benchmark=gigabit, status=Status.BELOW, measured_mbps=420.5, tests=12, days=3
    )
    SchoolStatusFactory(
        run=run, school=first, benchmark=giga, status=Status.MEETS, measured_mbps=420.5, tests=12, days=3
    )
    SchoolStatusFactory(
        run=run, school=second, benchmark=gigabit, status=Status.INSUFFICIENT, measured_mbps=18.0, tests=2, days=1
    )
    SchoolStatusFactory(
        run=run, school=second, benchmark=giga, status=Status.INSUFFICIENT, measured_mbps=18.0, tests=2, days=1
    )
    first_proposal = ProposalFactory(
        run=run,
        school=first,
        rank=2,
        gap_mbps=Decimal("579.50"),
        classrooms_without_wifi=10,
        option=Proposal.Option.UPGRADE,
        uplink_capex=Decimal("0.00"),
        uplink_opex_year=Decimal("3477.00"),
        wifi_capex=Decimal("9000.00"),
        switch_capex=Decimal("0.00"),
        total=Decimal("26385.00"),
    )
    second_proposal = ProposalFactory(
        run=run,
        school=second,
        rank=1,
        gap_mbps=Decimal("982.00"),
        classrooms_without_wifi=8,
        option=Proposal.Option.FIBRE,
        uplink_capex=Decimal("28000.00"),
        uplink_opex_year=Decimal("1800.00"),
        wifi_capex=Decimal("7200.00"),
        switch_capex=Decimal("2500.00"),
        total=Decimal("46700.00"),
    )
    return SimpleNamespace(
        programme=programme,
        authority=authority,
        campaign=campaign,
        schools=(first, second, third),
        benchmarks=(gigabit, giga),
        costs=costs,
        run=run,
        proposals=(first_proposal, second_proposal),
    )
