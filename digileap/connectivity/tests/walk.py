"""INSIDE and OUTSIDE objects of every connectivity model for the permission walk
(digileap/core/tests/test_permission_walk.py): per side a programme with a campaign covering the
side's school, an answer with an uplink, a test link and a speed test, a measurement and a daily
summary, a benchmark and cost parameters, and an analysis with a status and a proposal. OUTSIDE
ones carry the marker. Parts that need more add ``walk_<part>.py`` with
``extend(*, side, made, world, role_users) -> dict[label, instance]`` (see ``PARTS``)."""

from importlib import import_module
from importlib.util import find_spec

from digileap.programmes.tests.factories import ProgrammeFactory

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
    SpeedTestFactory,
    SurveyResponseFactory,
    TestLinkFactory,
    UplinkFactory,
)

PARTS = ["campaigns", "survey", "speedtest", "measurements", "analysis", "map", "report"]


def _parts():
    for part in PARTS:
        name = f"{__package__}.walk_{part}"
        if find_spec(name) is not None:
            yield import_module(name)


def walk_objects(*, world, role_users) -> dict:
    objects: dict[str, list] = {}
    for side, authority, school in (
        ("INSIDE", world.authority, world.school),
        ("OUTSIDE", world.other_authority, world.other_school),
    ):
        programme = ProgrammeFactory(
            code=f"{side}-connectivity", name={"en": f"{side} connectivity programme"}, authority=authority
        )
        campaign = CampaignFactory(programme=programme, code=f"{side}-survey", name={"en": f"{side} survey"})
        covered = CampaignSchoolFactory(campaign=campaign, school=school)
        response = SurveyResponseFactory(campaign=campaign, school=school, problems_text=f"{side} problems")
        uplink = UplinkFactory(response=response, provider=f"{side} provider")
        link = TestLinkFactory(school=school, label=f"{side} staff room")
        test = SpeedTestFactory(school=school, link=link, browser=f"{side} browser")
        measurement = MeasurementFactory(school=school)
        aggregate = DailyAggregateFactory(school=school)
        benchmark = BenchmarkFactory(programme=programme, code=f"{side}-gigabit", name={"en": f"{side} gigabit"})
        costs = CostParametersFactory(programme=programme, target_benchmark=benchmark)
        run = AnalysisRunFactory(campaign=campaign)
        status = SchoolStatusFactory(run=run, school=school, benchmark=benchmark)
        proposal = ProposalFactory(run=run, school=school)
        made = {
            "connectivity.campaign": campaign,
            "connectivity.campaignschool": covered,
            "connectivity.surveyresponse": response,
            "connectivity.uplink": uplink,
            "connectivity.testlink": link,
            "connectivity.speedtest": test,
            "connectivity.measurement": measurement,
            "connectivity.dailyaggregate": aggregate,
            "connectivity.benchmark": benchmark,
            "connectivity.costparameters": costs,
            "connectivity.analysisrun": run,
            "connectivity.schoolstatus": status,
            "connectivity.proposal": proposal,
        }
        for part in _parts():
            made.update(part.extend(side=side, made=made, world=world, role_users=role_users))
        for label, instance in made.items():
            objects.setdefault(label, []).append(instance)
    return {label: tuple(pair) for label, pair in objects.items()}
