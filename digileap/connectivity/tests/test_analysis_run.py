"""The analysis run: statuses per benchmark kind, proposals to the cent, ranking, the digest."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.connectivity.models import AnalysisRun, Benchmark, CostParameters, Proposal, SchoolStatus, Status
from digileap.connectivity.selectors.analysis import latest_run, status_counts, totals
from digileap.connectivity.services import analysis as services
from digileap.core.models import AuditEvent
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.models import SocioEconomicScale
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory, SiteFactory

from .factories import (
    CampaignFactory,
    CampaignSchoolFactory,
    DailyAggregateFactory,
    SurveyResponseFactory,
    UplinkFactory,
)

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2024, 4, 1)


def day(n: int) -> datetime.date:
    return AS_OF - datetime.timedelta(days=n)


@pytest.fixture
def setting():
    programme = ProgrammeFactory()
    owner = user_with_role(Role.PROGRAMME_OWNER, programme.authority)
    campaign = CampaignFactory(programme=programme)
    north = OperatorFactory(authority=programme.authority, name="North operator", region="Kurzeme")
    south = OperatorFactory(authority=programme.authority, name="South operator", region="")
    s1 = SchoolFactory(operator=north, number="001", pupils_total=400)
    s2 = SchoolFactory(operator=north, number="002", pupils_total=100)
    s3 = SchoolFactory(operator=south, number="003", pupils_total=None)
    s4 = SchoolFactory(operator=south, number="004", pupils_total=50)
    for school in (s1, s2, s3, s4):
        CampaignSchoolFactory(campaign=campaign, school=school)
    # s1: three days, a site's row on the first: daily medians 40, 70, 60, 50 -> median 55; 8 tests.
    site = SiteFactory(school=s1)
    for n, median in ((1, 40.0), (2, 60.0), (3, 50.0)):
        DailyAggregateFactory(school=s1, day=day(n), tests=2, download_median=median)
    DailyAggregateFactory(school=s1, site=site, day=day(1), tests=2, download_median=70.0)
    answer = SurveyResponseFactory(
        campaign=campaign,
        school=s1,
        classrooms=20,
        classrooms_wifi=12,
        switches=2,
        switch_age_years=10,
        fibre_distance_km=Decimal("0.50"),
    )
    UplinkFactory(response=answer, technology="dsl", download_mbps=Decimal("100.00"))
    # s2: 4 tests on 2 days: too few; a cable contract of 500 Mbit/s.
    DailyAggregateFactory(school=s2, day=day(0), tests=2, download_median=300.0)
    DailyAggregateFactory(school=s2, day=day(5), tests=2, download_median=320.0)
    answer = SurveyResponseFactory(
        campaign=campaign, school=s2, classrooms=10, classrooms_wifi=10, switches=3, switch_age_years=2
    )
    UplinkFactory(response=answer, technology="cable", download_mbps=Decimal("500.00"))
    # A draft answer counts for nothing.
    draft = SurveyResponseFactory(
        campaign=campaign, school=s3, state="draft", submitted_at=None, classrooms=30, classrooms_wifi=0
    )
    UplinkFactory(response=draft, technology="fibre", download_mbps=Decimal("1000.00"))
    # s3: medians 10, 12, 0.5 on three days (5 tests each) -> 10; rows outside the window do not count.
    for n, median in ((10, 10.0), (100, 12.0), (364, 0.5)):
        DailyAggregateFactory(school=s3, day=day(n), tests=5, download_median=median)
    DailyAggregateFactory(school=s3, day=day(365), tests=50, download_median=5000.0)
    DailyAggregateFactory(school=s3, day=day(-1), tests=50, download_median=5000.0)
    benchmarks = services.benchmarks_install_defaults(actor=owner, programme=programme)
    costs = services.cost_parameters_save(
        actor=owner,
        programme=programme,
        data={
            "target_benchmark": benchmarks[0],
            "fibre_per_km": Decimal("25000.00"),
            "fibre_connection": Decimal("3000.00"),
            "fibre_default_km": Decimal("1.00"),
            "fibre_monthly": Decimal("150.00"),
            "upgrade_per_mbps_month": Decimal("0.50"),
            "wifi_per_classroom": Decimal("900.00"),
            "switch_per_site": Decimal("2500.00"),
            "switch_max_age_years": 8,
            "technology_limits": {"dsl": 250, "cable": 1000, "fibre": 10000},
            "years": 5,
            "priority": CostParameters.Priority.GAP,
        },
    )
    return {
        "owner": owner,
        "campaign": campaign,
        "schools": (s1, s2, s3, s4),
        "benchmarks": benchmarks,
        "costs": costs,
        "north": north,
        "south": south,
        "programme": programme,
    }


def statuses(run) -> dict:
    return {
        (row.school.number, row.benchmark.code): (row.status, row.measured_mbps, row.required_mbps, row.tests, row.days)
        for row in SchoolStatus.objects.filter(run=run).select_related("school", "benchmark")
    }


def test_statuses_per_kind_including_insufficient_data(setting):
    run = services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    assert (run.as_of, run.window_start, run.schools) == (AS_OF, datetime.date(2023, 4, 3), 4)
    assert statuses(run) == {
        ("001", "eu-gigabit"): (Status.BELOW, 55.0, 1000.0, 8, 3),
        ("001", "per-pupil"): (Status.BELOW, 55.0, 400.0, 8, 3),
        ("001", "giga"): (Status.MEETS, 55.0, 20.0, 8, 3),
        ("001", "contracted-80"): (Status.BELOW, 55.0, 80.0, 8, 3),
        ("002", "eu-gigabit"): (Status.INSUFFICIENT, 310.0, 1000.0, 4, 2),
        ("002", "per-pupil"): (Status.INSUFFICIENT, 310.0, 100.0, 4, 2),
        ("002", "giga"): (Status.INSUFFICIENT, 310.0, 20.0, 4, 2),
        ("002", "contracted-80"): (Status.INSUFFICIENT, 310.0, 400.0, 4, 2),
        ("003", "eu-gigabit"): (Status.BELOW, 10.0, 1000.0, 15, 3),
        ("003", "per-pupil"): (Status.INSUFFICIENT, 10.0, None, 15, 3),
        ("003", "giga"): (Status.MODERATE, 10.0, 20.0, 15, 3),
        ("003", "contracted-80"): (Status.INSUFFICIENT, 10.0, None, 15, 3),
        ("004", "eu-gigabit"): (Status.INSUFFICIENT, None, 1000.0, 0, 0),
        ("004", "per-pupil"): (Status.INSUFFICIENT, None, 50.0, 0, 0),
        ("004", "giga"): (Status.INSUFFICIENT, None, 20.0, 0, 0),
        ("004", "contracted-80"): (Status.INSUFFICIENT, None, None, 0, 0),
    }
    counts = {c.benchmark.code: (c.meets, c.moderate, c.below, c.insufficient) for c in status_counts(run, None)}
    assert counts == {
        "eu-gigabit": (0, 0, 2, 2),
        "per-pupil": (0, 0, 1, 3),
        "giga": (1, 1, 0, 2),
        "contracted-80": (0, 0, 1, 3),
    }


def proposals(run) -> list[tuple]:
    return [
        (
            p.rank,
            p.school.number,
            p.gap_mbps,
            p.classrooms_without_wifi,
            p.sites_needing_switches,
            p.option,
            p.uplink_capex,
            p.uplink_opex_year,
            p.wifi_capex,
            p.switch_capex,
            p.total,
        )
        for p in Proposal.objects.filter(run=run).select_related("school").order_by("rank")
    ]


def test_proposals_to_the_cent_ranked_by_gap(setting):
    run = services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    D = Decimal
    assert proposals(run) == [
        # No answer: the gap to 1000 from the measured 10; fibre at the default 1 km: 28,000 + 1,800 x 5.
        (1, "003", D("990.00"), 0, 0, "fibre", D("28000.00"), D("1800.00"), D("0.00"), D("0.00"), D("37000.00")),
        # DSL is limited to 250: fibre at 0.5 km, 15,500 + 9,000; Wi-Fi 8 x 900; old switches 2,500.
        (2, "001", D("945.00"), 8, 1, "fibre", D("15500.00"), D("1800.00"), D("7200.00"), D("2500.00"), D("34200.00")),
        # Too few tests: the gap from the contract (500); cable allows it: 500 x 0.50 x 12 = 3,000 a year.
        (3, "002", D("500.00"), 0, 0, "upgrade", D("0.00"), D("3000.00"), D("0.00"), D("0.00"), D("15000.00")),
        # Neither measured nor answered: nothing to cost.
        (4, "004", D("0.00"), 0, 0, "none", D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00")),
    ]
    assert run.parameters["gap_basis"] == {"measured": 2, "contracted": 1, "none": 1}
    assert run.parameters["costs"]["target_benchmark"] == "eu-gigabit"
    assert [b["code"] for b in run.parameters["benchmarks"]] == ["eu-gigabit", "per-pupil", "giga", "contracted-80"]


def test_totals_per_operator_and_region(setting):
    run = services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    by_operator = [
        (t.label, t.schools, t.gap_mbps, t.capex, t.opex_year, t.total) for t in totals(run, None, by="operator")
    ]
    assert by_operator == [
        ("North operator", 2, Decimal("1445.00"), Decimal("25200.00"), Decimal("4800.00"), Decimal("49200.00")),
        ("South operator", 2, Decimal("990.00"), Decimal("28000.00"), Decimal("1800.00"), Decimal("37000.00")),
    ]
    authority = setting["programme"].authority.name
    assert [(t.label, t.schools, t.total) for t in totals(run, None, by="region")] == [
        ("Kurzeme", 2, Decimal("49200.00")),
        (authority, 2, Decimal("37000.00")),
    ]


def test_a_rerun_gives_the_same_digest_and_a_new_run(setting):
    first = services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    second = services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    assert first.pk != second.pk
    assert len(first.digest) == 64 and first.digest == second.digest
    assert latest_run(setting["campaign"]) == second
    assert AuditEvent.objects.filter(object_type__endswith="analysisrun", object_id=str(second.pk)).count() == 1
    DailyAggregateFactory(school=setting["schools"][3], day=day(2), tests=9, download_median=1.0)
    third = services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    assert third.digest != first.digest


def test_priority_ses_puts_the_most_disadvantaged_first(setting):
    s1, s2, s3, s4 = setting["schools"]
    # A scale where 1 is the most disadvantaged (Hamburg's way round).
    scale = SocioEconomicScale.objects.create(
        code="kess", name="KESS", minimum=1, maximum=6, is_higher_more_disadvantaged=False
    )
    for school, value in ((s1, "2"), (s2, "1"), (s3, "6")):
        school.ses_value, school.ses_scale = Decimal(value), scale
        school.save()
    CostParameters.objects.filter(pk=setting["costs"].pk).update(priority=CostParameters.Priority.SES)
    run = services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    ranked = [(p.school.number, p.priority_value) for p in Proposal.objects.filter(run=run).order_by("rank")]
    assert ranked == [("002", Decimal("1.0000")), ("001", Decimal("0.8000")), ("003", Decimal("0.0000")), ("004", None)]


def test_priority_gap_per_pupil_puts_unknown_pupils_last_and_ties_by_number(setting):
    s1, s2, s3, s4 = setting["schools"]
    s2.pupils_total = 200  # 500 / 200 = 2.5, as s1's 945 / 378
    s2.save()
    s1.pupils_total = 378
    s1.save()
    CostParameters.objects.filter(pk=setting["costs"].pk).update(priority=CostParameters.Priority.GAP_PER_PUPIL)
    run = services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    ranked = [(p.school.number, p.priority_value) for p in Proposal.objects.filter(run=run).order_by("rank")]
    assert ranked == [("001", Decimal("2.5000")), ("002", Decimal("2.5000")), ("003", None), ("004", Decimal("0.0000"))]


def test_without_cost_parameters_only_statuses(setting):
    CostParameters.objects.all().delete()
    run = services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    assert (run.statuses.count(), run.proposals.count(), run.parameters["costs"]) == (16, 0, None)


def test_without_benchmarks_nothing_is_written(setting):
    CostParameters.objects.all().delete()
    Benchmark.objects.all().delete()
    with pytest.raises(ValidationError):
        services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    assert AnalysisRun.objects.count() == 0


@pytest.mark.parametrize(
    "role", [Role.OPERATOR_STAFF, Role.SCHOOL_COORDINATOR, Role.AUDITOR, Role.FUNDING_ADMINISTRATOR]
)
def test_only_programme_owners_run_it(setting, role):
    scope = {
        Role.OPERATOR_STAFF: setting["north"],
        Role.SCHOOL_COORDINATOR: setting["schools"][0],
    }.get(role, setting["programme"].authority)
    with pytest.raises(PermissionDenied):
        services.analysis_run(actor=user_with_role(role, scope), campaign=setting["campaign"], as_of=AS_OF)
    assert AnalysisRun.objects.count() == 0


def test_an_owner_of_another_authority_cannot_run_it(setting):
    other = user_with_role(Role.PROGRAMME_OWNER, ProgrammeFactory().authority)
    with pytest.raises(PermissionDenied):
        services.analysis_run(actor=other, campaign=setting["campaign"], as_of=AS_OF)


def test_scoped_reads(setting):
    run = services.analysis_run(actor=setting["owner"], campaign=setting["campaign"], as_of=AS_OF)
    coordinator = user_with_role(Role.SCHOOL_COORDINATOR, setting["schools"][0])
    staff = user_with_role(Role.OPERATOR_STAFF, setting["south"])
    assert latest_run(setting["campaign"], coordinator) == run
    assert [(t.label, t.schools) for t in totals(run, coordinator, by="operator")] == [("North operator", 1)]
    assert [(t.label, t.schools) for t in totals(run, staff, by="operator")] == [("South operator", 2)]
    counts = {c.benchmark.code: c.total for c in status_counts(run, coordinator)}
    assert counts == {"eu-gigabit": 1, "per-pupil": 1, "giga": 1, "contracted-80": 1}
