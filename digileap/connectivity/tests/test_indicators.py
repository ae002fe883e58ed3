"""The connectivity indicator kinds: exact values and records on small data, dated by the data."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from digileap.programmes.indicators import get_kind, kind_choices
from digileap.programmes.models import Target
from digileap.programmes.tests.factories import IndicatorFactory, ProgrammeFactory, TargetFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory, SiteFactory

from ..models import SurveyResponse
from .factories import (
    AnalysisRunFactory,
    BenchmarkFactory,
    CampaignFactory,
    CampaignSchoolFactory,
    DailyAggregateFactory,
    SchoolStatusFactory,
    SurveyResponseFactory,
)

pytestmark = pytest.mark.django_db
day = datetime.date
KINDS = [
    "connectivity_schools_surveyed",
    "connectivity_schools_measured",
    "connectivity_schools_meeting",
    "connectivity_wifi_share",
]


def at(d: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(d, datetime.time(hour)))


def target_for(programme, kind: str, parameters: dict | None = None, **fields) -> Target:
    indicator = IndicatorFactory(programme=programme, kind=kind, parameters=parameters or {})
    return TargetFactory(programme=programme, indicator=indicator, **fields)


def values(kind: str, target: Target, days: list[datetime.date]) -> list[Decimal]:
    return [get_kind(kind).compute(target, d) for d in days]


def rows(kind: str, target: Target, as_of: datetime.date) -> list[tuple]:
    records = get_kind(kind).records(target, as_of)
    return [tuple(records.columns), *[tuple(row) for row in records.rows]]


def test_the_kinds_are_registered_and_offered_by_the_target_form():
    offered = dict(kind_choices())
    assert [offered[code] for code in KINDS] == [
        "Schools surveyed",
        "Schools measured",
        "Schools meeting a benchmark",
        "Classrooms with Wi-Fi",
    ]
    from digileap.programmes.target_forms import indicator_parameter_fields

    fields = {
        kind.code: [name for name, _field, _form_field in params] for kind, params in indicator_parameter_fields()
    }
    assert fields["connectivity_schools_meeting"] == ["benchmark", "campaign"]
    assert fields["connectivity_schools_measured"] == ["campaign", "min_tests"]


@pytest.mark.parametrize(
    ("kind", "parameters", "message"),
    [
        ("connectivity_schools_surveyed", {"campaign": ""}, "campaign: '' should be non-empty"),
        ("connectivity_schools_surveyed", {"colour": "red"}, "Additional properties are not allowed"),
        ("connectivity_schools_measured", {"min_tests": 0}, "min_tests: 0 is less than the minimum of 1"),
        ("connectivity_schools_meeting", {}, "'benchmark' is a required property"),
        ("connectivity_wifi_share", ["campaign"], "Give the parameters as a JSON object."),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(kind, parameters, message):
    with pytest.raises(ValidationError) as error:
        get_kind(kind).validate_parameters(parameters)
    assert message in error.value.message_dict["parameters"][0]


def test_schools_surveyed_counts_each_school_once_from_its_first_submitted_answer():
    programme = ProgrammeFactory()
    spring = CampaignFactory(programme=programme, code="LV-2024")
    autumn = CampaignFactory(programme=programme, code="LV-2024-B")
    other_programme = CampaignFactory(code="ELSEWHERE")
    first = SchoolFactory(number="LV00001", name="Cēsu 1. pamatskola")
    second = SchoolFactory(number="LV00002", name="Rīgas 2. vidusskola")
    site_a, site_b = SiteFactory(school=second, name="A"), SiteFactory(school=second, name="B")
    draft_only = SchoolFactory(number="LV00003")
    SurveyResponseFactory(campaign=spring, school=first, submitted_at=at(day(2024, 3, 4)), classrooms=10,
                          classrooms_wifi=4, access_points=3)  # fmt: skip
    SurveyResponseFactory(campaign=autumn, school=first, submitted_at=at(day(2024, 9, 2)), classrooms=10,
                          classrooms_wifi=9, access_points=6)  # fmt: skip
    SurveyResponseFactory(campaign=spring, school=second, site=site_a, submitted_at=at(day(2024, 3, 6)),
                          classrooms=20, classrooms_wifi=20, access_points=10)  # fmt: skip
    SurveyResponseFactory(campaign=spring, school=second, site=site_b, submitted_at=at(day(2024, 3, 5)),
                          classrooms=5, classrooms_wifi=1, access_points=1)  # fmt: skip
    SurveyResponseFactory(campaign=spring, school=draft_only, state=SurveyResponse.State.DRAFT, submitted_at=None)
    SurveyResponseFactory(campaign=other_programme, submitted_at=at(day(2024, 3, 1)))
    kind = "connectivity_schools_surveyed"
    target = target_for(programme, kind)
    assert values(kind, target, [day(2024, 3, 3), day(2024, 3, 4), day(2024, 3, 5), day(2024, 12, 31)]) == [0, 1, 2, 2]
    assert rows(kind, target, day(2024, 12, 31)) == [
        ("school_number", "school_name", "campaigns", "first_submitted_on", "answers", "classrooms",
         "classrooms_wifi", "access_points"),
        ("LV00001", "Cēsu 1. pamatskola", "LV-2024 LV-2024-B", "2024-03-04", 2, 20, 13, 9),
        ("LV00002", "Rīgas 2. vidusskola", "LV-2024", "2024-03-05", 2, 25, 21, 11),
    ]  # fmt: skip
    assert rows(kind, target, day(2024, 3, 4))[1:] == [
        ("LV00001", "Cēsu 1. pamatskola", "LV-2024", "2024-03-04", 1, 10, 4, 3)
    ]
    one_campaign = target_for(programme, kind, {"campaign": "LV-2024-B"})
    assert values(kind, one_campaign, [day(2024, 6, 1), day(2024, 9, 2)]) == [0, 1]
    per_period = target_for(programme, kind, accumulation="per_period", period_start=day(2024, 3, 6))
    assert values(kind, per_period, [day(2024, 12, 31)]) == [2]  # the school's site B (5 March) is outside
    assert get_kind(kind).per_school(target, day(2024, 3, 4)) == {first.pk: 1}


def test_schools_measured_counts_the_authoritys_and_the_campaigns_schools_with_enough_tests():
    operator = OperatorFactory()
    programme = ProgrammeFactory(authority=operator.authority)
    own = SchoolFactory(operator=operator, number="A1", name="Own school")
    in_campaign = SchoolFactory(number="B1", name="Campaign school")  # another authority
    few_tests = SchoolFactory(operator=operator, number="A2", name="Few tests")
    elsewhere = SchoolFactory(number="C1")  # neither the authority's nor a campaign's
    campaign = CampaignFactory(programme=programme, code="SURVEY")
    CampaignSchoolFactory(campaign=campaign, school=in_campaign)
    for school, days, tests, median in [
        (own, [day(2024, 3, 4), day(2024, 3, 5), day(2024, 3, 6)], 4, 900.0),
        (in_campaign, [day(2024, 3, 5), day(2024, 3, 7)], 3, 40.0),
        (few_tests, [day(2024, 3, 4)], 2, 15.5),
        (elsewhere, [day(2024, 3, 4)], 4, 10.0),
    ]:
        for index, d in enumerate(days):
            DailyAggregateFactory(school=school, day=d, tests=tests, download_median=median + index)
    kind = "connectivity_schools_measured"
    target = target_for(programme, kind)
    assert values(kind, target, [day(2024, 3, 3), day(2024, 3, 4), day(2024, 3, 5), day(2024, 4, 1)]) == [0, 2, 3, 3]
    assert rows(kind, target, day(2024, 4, 1)) == [
        ("school_number", "school_name", "first_measured_on", "last_measured_on", "days", "tests",
         "mean_daily_median_download_mbps"),
        ("A1", "Own school", "2024-03-04", "2024-03-06", 3, 12, "901.00"),
        ("A2", "Few tests", "2024-03-04", "2024-03-04", 1, 2, "15.50"),
        ("B1", "Campaign school", "2024-03-05", "2024-03-07", 2, 6, "40.50"),
    ]  # fmt: skip
    enough = target_for(programme, kind, {"min_tests": 5})
    assert values(kind, enough, [day(2024, 3, 4), day(2024, 3, 5), day(2024, 3, 7)]) == [0, 1, 2]
    only_campaign = target_for(programme, kind, {"campaign": "SURVEY"})
    assert values(kind, only_campaign, [day(2024, 4, 1)]) == [1]
    assert get_kind(kind).per_school(only_campaign, day(2024, 4, 1)) == {in_campaign.pk: 1}


def test_schools_meeting_reads_the_latest_run_of_each_campaign_computed_by_the_day():
    programme = ProgrammeFactory()
    gigabit = BenchmarkFactory(programme=programme, code="eu-gigabit")
    giga = BenchmarkFactory(programme=programme, code="giga", kind="tiers", threshold_mbps=20, lower_mbps=1)
    other = BenchmarkFactory(code="eu-gigabit")  # another programme's benchmark of the same code
    spring = CampaignFactory(programme=programme, code="SPRING")
    pilot = CampaignFactory(programme=programme, code="PILOT")
    fast = SchoolFactory(number="S1", name="Fast")
    slow = SchoolFactory(number="S2", name="Slow")
    march = AnalysisRunFactory(campaign=spring, as_of=day(2024, 3, 31), computed_at=at(day(2024, 4, 2)))
    june = AnalysisRunFactory(campaign=spring, as_of=day(2024, 6, 14), computed_at=at(day(2024, 6, 14)))
    pilot_run = AnalysisRunFactory(campaign=pilot, as_of=day(2024, 2, 1), computed_at=at(day(2024, 2, 1)))
    SchoolStatusFactory(run=march, school=fast, benchmark=gigabit, status="meets", measured_mbps=940.0,
                        required_mbps=1000.0, tests=40, days=10)  # fmt: skip
    SchoolStatusFactory(run=march, school=slow, benchmark=gigabit, status="meets", measured_mbps=1000.0,
                        required_mbps=1000.0, tests=8, days=3)  # fmt: skip
    SchoolStatusFactory(run=june, school=fast, benchmark=gigabit, status="meets", measured_mbps=1012.5,
                        required_mbps=1000.0, tests=120, days=30)  # fmt: skip
    SchoolStatusFactory(run=june, school=slow, benchmark=gigabit, status="below", measured_mbps=48.0,
                        required_mbps=1000.0, tests=120, days=30)  # fmt: skip
    SchoolStatusFactory(run=june, school=slow, benchmark=giga, status="meets", measured_mbps=48.0,
                        required_mbps=20.0, tests=120, days=30)  # fmt: skip
    SchoolStatusFactory(run=pilot_run, school=slow, benchmark=gigabit, status="insufficient", tests=2, days=1)
    SchoolStatusFactory(run=AnalysisRunFactory(campaign=CampaignFactory(programme=other.programme)),
                        school=slow, benchmark=other, status="meets")  # fmt: skip
    kind = "connectivity_schools_meeting"
    target = target_for(programme, kind, {"benchmark": "eu-gigabit"})
    assert values(kind, target, [day(2024, 4, 1), day(2024, 4, 2), day(2024, 6, 13), day(2024, 6, 14)]) == [0, 2, 2, 1]
    assert rows(kind, target, day(2024, 6, 30)) == [
        ("school_number", "school_name", "campaign", "analysis_as_of", "computed_on", "benchmark",
         "measured_download_mbps", "required_download_mbps", "tests", "days"),
        ("S1", "Fast", "SPRING", "2024-06-14", "2024-06-14", "eu-gigabit", "1012.50", "1000.00", 120, 30),
    ]  # fmt: skip
    giga_target = target_for(programme, kind, {"benchmark": "giga", "campaign": "SPRING"})
    assert values(kind, giga_target, [day(2024, 6, 14)]) == [1]
    assert get_kind(kind).per_school(giga_target, day(2024, 6, 14)) == {slow.pk: 1}
    preview = Target(programme=programme, indicator=None, target_value=1, due_date=day(2024, 6, 30))
    with pytest.raises(ValidationError):
        get_kind(kind).compute(preview, day(2024, 6, 30))


def test_wifi_share_over_the_newest_answer_of_each_school_and_site():
    programme = ProgrammeFactory()
    spring = CampaignFactory(programme=programme, code="SPRING")
    autumn = CampaignFactory(programme=programme, code="AUTUMN")
    first = SchoolFactory(number="W1", name="First")
    second = SchoolFactory(number="W2", name="Second")
    SurveyResponseFactory(campaign=spring, school=first, classrooms=12, classrooms_wifi=3,
                          submitted_at=at(day(2024, 3, 4)))  # fmt: skip
    SurveyResponseFactory(campaign=autumn, school=first, classrooms=12, classrooms_wifi=9,
                          submitted_at=at(day(2024, 10, 1)))  # fmt: skip
    SurveyResponseFactory(campaign=spring, school=second, classrooms=7, classrooms_wifi=7,
                          submitted_at=at(day(2024, 3, 8)))  # fmt: skip
    SurveyResponseFactory(campaign=spring, school=SchoolFactory(), classrooms=30, classrooms_wifi=0,
                          state=SurveyResponse.State.DRAFT, submitted_at=None)  # fmt: skip
    kind = "connectivity_wifi_share"
    target = target_for(programme, kind, unit="%")
    # 3 of 12; (3 + 7) of 19 = 52.63 %; then the first school's autumn answer: (9 + 7) of 19 = 84.21 %.
    assert values(kind, target, [day(2024, 3, 1), day(2024, 3, 4), day(2024, 3, 8), day(2024, 10, 1)]) == [
        Decimal("0.00"),
        Decimal("25.00"),
        Decimal("52.63"),
        Decimal("84.21"),
    ]
    assert rows(kind, target, day(2024, 10, 1)) == [
        ("school_number", "school_name", "site", "campaign", "submitted_on", "classrooms", "classrooms_wifi",
         "wifi_share_percent"),
        ("W1", "First", "", "AUTUMN", "2024-10-01", 12, 9, "75.00"),
        ("W2", "Second", "", "SPRING", "2024-03-08", 7, 7, "100.00"),
    ]  # fmt: skip
    spring_only = target_for(programme, kind, {"campaign": "SPRING"})
    assert values(kind, spring_only, [day(2024, 10, 1)]) == [Decimal("52.63")]
    assert get_kind(kind).per_school(target, day(2024, 10, 1)) == {first.pk: Decimal("75.00"), second.pk: 100}
