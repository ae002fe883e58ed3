"""The demo connectivity of ``seed_demo`` (``digileap/connectivity/demo.py``) on a small demo registry:
the Latvian programme's campaign with answers and measurements, the analysis, the report on the
third milestone, the milestone moving, and a second run that writes nothing."""

import datetime
from collections import Counter

import pytest

from digileap.connectivity.demo import CAMPAIGN_CODE, seed_demo_connectivity
from digileap.connectivity.models import (
    AnalysisRun,
    Benchmark,
    Campaign,
    CampaignSchool,
    CostParameters,
    DailyAggregate,
    Measurement,
    Proposal,
    SchoolStatus,
    SurveyResponse,
    Uplink,
)
from digileap.core.models import AuditEvent
from digileap.portal.demo import seed_demo
from digileap.programmes.demo import seed_demo_programmes
from digileap.programmes.indicators import get_kind
from digileap.programmes.models import EvidenceDocument, Target
from digileap.programmes.selectors import target_progress
from digileap.schools.models import School

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)
day = datetime.date
MODELS = [Campaign, CampaignSchool, SurveyResponse, Uplink, Measurement, DailyAggregate, Benchmark, CostParameters,
          AnalysisRun, SchoolStatus, Proposal, EvidenceDocument, AuditEvent]  # fmt: skip


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_survey_measurements_and_report_move_the_latvian_milestone_and_run_once():
    """One test: the demo registry takes a while to build."""
    seed_demo(schools=40)
    seed_demo_programmes(today=TODAY)
    created = seed_demo_connectivity(today=TODAY)
    region = list(School.objects.filter(authority__code="DEMO-VZ", status="open").order_by("number"))
    assert len(region) == 8
    assert created == Counter(CREATED)

    # The campaign covers the demo region's schools, open 1 March to 30 April 2024, now closed.
    campaign = Campaign.objects.get(code=CAMPAIGN_CODE)
    assert (campaign.programme.code, campaign.starts_on, campaign.ends_on, campaign.state) == (
        "latvia-dators-ikvienam-bernam",
        day(2024, 3, 1),
        day(2024, 4, 30),
        "closed",
    )
    assert sorted(campaign.campaign_schools.values_list("school_id", flat=True)) == sorted(s.pk for s in region)

    # About 80 % answered within the campaign, each with at least one uplink and sensible figures.
    answers = SurveyResponse.objects.filter(campaign=campaign)
    assert answers.filter(state="submitted").count() == answers.count() == 6
    assert all(day(2024, 3, 1) <= a.submitted_at.date() <= day(2024, 4, 30) for a in answers)
    assert all(0 <= a.classrooms_wifi <= a.classrooms for a in answers)
    assert not answers.filter(uplinks__isnull=True).exists()

    # Four tests a school day from 8 to 26 April; the aggregates per school and day.
    measurements = Measurement.objects.filter(school__in=region)
    assert measurements.count() == MEASUREMENTS
    assert set(measurements.values_list("source", flat=True)) == {"giga"}
    assert DailyAggregate.objects.filter(school__in=region).count() == AGGREGATES

    # The analysis of 14 June 2024: statuses per benchmark, a proposal per school.
    run = AnalysisRun.objects.get(campaign=campaign)
    assert (run.as_of, run.computed_at.date()) == (day(2024, 6, 14), day(2024, 6, 14))
    assert Counter(run.statuses.values_list("benchmark__code", "status")) == Counter(STATUSES)
    assert Counter(run.proposals.values_list("option", flat=True)) == {"fibre": 4, "none": 3, "upgrade": 1}

    # The milestone counts the schools surveyed; its report is attached and approved.
    milestone = Target.objects.get(programme=campaign.programme, position=3)
    assert (milestone.indicator.kind, milestone.target_value) == ("connectivity_schools_surveyed", 593)
    values = [target_progress(Target.objects.filter(pk=milestone.pk), d)[0]["value"] for d in
              (day(2024, 2, 29), day(2024, 6, 30), TODAY)]  # fmt: skip
    assert values == [0, 6, 6]
    (document,) = EvidenceDocument.objects.filter(target=milestone)
    assert (document.uploaded_at.date(), document.approved_at.date()) == (day(2024, 6, 17), day(2024, 6, 20))
    assert get_kind("document_approved").compute(_document_target(milestone), TODAY) == 1
    # The milestone's evidence pack holds the report itself, as uploaded.
    import io
    import zipfile

    from digileap.programmes.evidence import build_pack

    with zipfile.ZipFile(io.BytesIO(build_pack(milestone, TODAY))) as pack:
        (report,) = [name for name in pack.namelist() if name.startswith("documents/")]
        assert pack.read(report).startswith(b"%PDF-") and document.title in pack.read("documents.csv").decode()

    before = counts()
    assert seed_demo_connectivity(today=TODAY) == Counter()
    assert counts() == before


def _document_target(milestone: Target) -> Target:
    """The milestone as a document milestone (unsaved): its approved report counts."""
    from digileap.programmes.models import IndicatorDefinition

    indicator = IndicatorDefinition(programme=milestone.programme, kind="document_approved")
    return Target(
        pk=milestone.pk, programme=milestone.programme, indicator=indicator, target_value=1, due_date=milestone.due_date
    )


# 8 schools: 6 answer, 7 are measured (one of them on one day only).
CREATED = {
    "connectivity campaigns": 1,
    "survey answers": 6,
    "measurements": 362,
    "daily measurement summaries": 91,
    "connectivity analyses": 1,
    "evidence documents": 1,
}
MEASUREMENTS = 362
AGGREGATES = 91
# The unmeasured school and the one with two tests have no status; the Giga threshold is met widely,
# the gigabit aim by none of these eight. "contracted-80" also needs an answer (the contracted speed).
STATUSES = {
    ("eu-gigabit", "below"): 6,
    ("eu-gigabit", "insufficient"): 2,
    ("per-pupil", "meets"): 1,
    ("per-pupil", "below"): 5,
    ("per-pupil", "insufficient"): 2,
    ("giga", "meets"): 5,
    ("giga", "moderate"): 1,
    ("giga", "insufficient"): 2,
    ("contracted-80", "meets"): 1,
    ("contracted-80", "below"): 4,
    ("contracted-80", "insufficient"): 3,
}
