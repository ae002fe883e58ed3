"""The training indicator kinds: exact values for every kind, filter and breakdown on a small world;
records exact and pseudonymous; the evidence pack's records.csv."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from digileap.programmes.evidence import build_pack
from digileap.programmes.indicators import get_kind, kind_choices
from digileap.programmes.models import Target
from digileap.programmes.tests.factories import IndicatorFactory, ProgrammeFactory, TargetFactory
from digileap.schools.models import StaffCount
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import AssessmentAnswer, Attendance, Competence, SelfAssessment
from .factories import (
    AssessmentRoundFactory,
    AttendanceFactory,
    CompletionFactory,
    CourseEnrolmentFactory,
    CourseFactory,
    SessionFactory,
    small_framework,
    staff_at,
)

pytestmark = pytest.mark.django_db
day = datetime.date
TRAINED = "training_teachers_trained"
SHARE = "training_teachers_trained_share"
PARTICIPANTS = "training_participants"
LEVEL = "training_self_assessment_level"


def at(d: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(d, datetime.time(hour)))


def target_for(programme, kind: str, parameters: dict | None = None, **fields) -> Target:
    indicator = IndicatorFactory(programme=programme, kind=kind, parameters=parameters or {})
    return TargetFactory(programme=programme, indicator=indicator, **fields)


def value(kind: str, programme, as_of: datetime.date, parameters: dict | None = None, **fields) -> Decimal:
    return get_kind(kind).compute(target_for(programme, kind, parameters, **fields), as_of)


def rows(kind: str, target: Target, as_of: datetime.date) -> list[tuple]:
    records = get_kind(kind).records(target, as_of)
    return [tuple(records.columns), *[tuple(row) for row in records.rows]]


class World:
    """Programme P: primary school S1 and secondary school S2; courses DIG-1 (area 1) and DIG-2
    (area 2); a course of another programme; four teachers with completions, a fifth only present."""

    def __init__(self):
        self.programme = ProgrammeFactory()
        authority = self.programme.authority
        operator = OperatorFactory(authority=authority)
        self.s1 = SchoolFactory(operator=operator, number="100001", name="Primary One", isced_1=True)
        self.s2 = SchoolFactory(
            operator=operator, number="100002", name="Secondary Two", isced_1=False, isced_2=True, isced_3=True
        )
        self.framework = small_framework()
        competence = {c.code: c for c in Competence.objects.filter(framework=self.framework)}
        self.competence = competence
        self.c1 = CourseFactory(
            programme=self.programme,
            code="DIG-1",
            title={"en": "Digital didactics", "nl": "Digitale didactiek"},
        )
        self.c1.competences.set([competence["1.1"]])
        self.c2 = CourseFactory(programme=self.programme, code="DIG-2", title={"en": "Digital resources"})
        self.c2.competences.set([competence["2.1"]])
        self.other = CourseFactory(code="OTHER-1", title={"en": "Elsewhere"})
        self.session = SessionFactory(course=self.c1, starts_at=at(day(2024, 2, 26)), ends_at=at(day(2024, 2, 26), 12))
        self.t1 = staff_at(self.s1, gender="female", age_band="30-54")
        self.t2 = staff_at(self.s1, gender="male", age_band="55+")
        self.t3 = staff_at(self.s2)
        self.t4 = staff_at(self.s1, gender="female", age_band="18-29")
        self.t5 = staff_at(self.s2)
        self.t6 = staff_at(self.s2, gender="male", age_band="30-54")
        completion = CompletionFactory
        completion(course=self.c1, staff=self.t1, school=self.s1, completed_on=day(2024, 3, 1), session=self.session)
        completion(course=self.c2, staff=self.t1, school=self.s1, completed_on=day(2024, 4, 10), source="import")
        completion(course=self.c1, staff=self.t2, school=self.s1, completed_on=day(2024, 5, 2))
        completion(course=self.c2, staff=self.t3, school=self.s2, completed_on=day(2024, 3, 15), source="platform")
        completion(course=self.c1, staff=self.t4, school=self.s1, completed_on=day(2024, 7, 1))
        CompletionFactory(course=self.other, staff=self.t4, school=self.s1, completed_on=day(2024, 3, 1))
        # t5 was present at a session of DIG-2 (no completion yet); t6 was absent.
        june = SessionFactory(course=self.c2, starts_at=at(day(2024, 6, 3)), ends_at=at(day(2024, 6, 3), 12))
        AttendanceFactory(session=june, enrolment=CourseEnrolmentFactory(course=self.c2, staff=self.t5, school=self.s2))
        AttendanceFactory(
            session=june,
            enrolment=CourseEnrolmentFactory(course=self.c2, staff=self.t6, school=self.s2),
            status=Attendance.Status.ABSENT,
            minutes=0,
        )


@pytest.fixture
def world():
    return World()


def test_the_kinds_are_registered_with_labels_and_form_fields():
    offered = dict(kind_choices())
    assert [offered[code] for code in (TRAINED, SHARE, PARTICIPANTS, LEVEL)] == [
        "Teachers trained",
        "Share of a school's teachers trained",
        "Participants in training",
        "Self-assessed level",
    ]
    from digileap.programmes.target_forms import indicator_parameter_fields

    fields = {kind.code: [name for name, _f, _ff in params] for kind, params in indicator_parameter_fields()}
    assert fields[TRAINED] == ["courses", "area", "levels"]
    assert fields[SHARE] == ["min_share", "courses", "area", "levels"]
    assert fields[PARTICIPANTS] == ["gender", "age_band", "courses", "area", "levels"]
    assert fields[LEVEL] == ["round", "area"]
    gender_field = dict((name, field) for kind, params in indicator_parameter_fields() if kind.code == PARTICIPANTS
                        for name, _n, field in params)["gender"]  # fmt: skip
    assert [str(label) for _value, label in gender_field.choices] == ["—", "Female", "Male", "Non-binary", "Unknown"]


@pytest.mark.parametrize(
    ("kind", "parameters", "message"),
    [
        (TRAINED, {"courses": []}, "courses: [] should be non-empty"),
        (TRAINED, {"levels": [7]}, "levels.0: 7 is not one of [0, 1, 2, 3, 4]"),
        (TRAINED, {"colour": "red"}, "Additional properties are not allowed ('colour' was unexpected)"),
        (SHARE, {"min_share": 0}, "min_share: 0 is less than or equal to the minimum of 0"),
        (SHARE, {"min_share": 101}, "min_share: 101 is greater than the maximum of 100"),
        (
            PARTICIPANTS,
            {"gender": "other"},
            "gender: 'other' is not one of ['female', 'male', 'non_binary', 'unknown']",
        ),
        (LEVEL, {}, "'round' is a required property"),
        (LEVEL, ["round"], "Give the parameters as a JSON object."),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(kind, parameters, message):
    with pytest.raises(ValidationError) as raised:
        get_kind(kind).validate_parameters(parameters)
    assert raised.value.message_dict == {"parameters": [message]}


# --- teachers trained ---------------------------------------------------------------------------------


def test_teachers_trained_counts_distinct_people_by_the_day(world):
    programme = world.programme
    target = target_for(programme, TRAINED)
    kind = get_kind(TRAINED)
    assert [
        kind.compute(target, d) for d in (day(2024, 2, 29), day(2024, 3, 31), day(2024, 6, 30), day(2024, 7, 31))
    ] == [
        0,
        2,  # t1 (DIG-1), t3; the other programme's course does not count
        3,  # t1 again (DIG-2) counts once; t2
        4,  # t4
    ]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"courses": ["DIG-2"]}, 2),  # t1, t3
        ({"courses": ["DIG-1", "DIG-2"]}, 3),
        ({"courses": ["NOPE"]}, 0),
        ({"area": "1"}, 2),  # DIG-1: t1, t2
        ({"area": "2"}, 2),  # DIG-2: t1, t3
        ({"area": "3"}, 0),
        ({"levels": [2]}, 1),  # S2: t3
        ({"levels": [1]}, 2),  # S1: t1, t2
        ({"levels": [1, 2]}, 3),
        ({"area": "1", "levels": [2]}, 0),
    ],
)
def test_teachers_trained_filters(world, parameters, expected):
    assert value(TRAINED, world.programme, day(2024, 6, 30), parameters) == expected


def test_teachers_trained_per_period_counts_from_the_period_start(world):
    per_period = {"accumulation": Target.Accumulation.PER_PERIOD, "period_start": day(2024, 4, 1)}
    assert value(TRAINED, world.programme, day(2024, 6, 30), **per_period) == 2  # t1 (10 April), t2


def test_teachers_trained_per_school_and_records(world):
    target = target_for(world.programme, TRAINED)
    assert get_kind(TRAINED).per_school(target, day(2024, 6, 30)) == {world.s1.pk: 2, world.s2.pk: 1}
    t1, t2, t3 = world.t1.pseudonym, world.t2.pseudonym, world.t3.pseudonym
    assert rows(TRAINED, target, day(2024, 6, 30)) == [
        ("course_code", "course_title", "session_date", "completed_on", "school_number", "school_name",
         "staff_pseudonym", "source"),
        ("DIG-1", "Digital didactics", "2024-02-26", "2024-03-01", "100001", "Primary One", t1, "digileap"),
        ("DIG-2", "Digital resources", "", "2024-04-10", "100001", "Primary One", t1, "import"),
        ("DIG-1", "Digital didactics", "", "2024-05-02", "100001", "Primary One", t2, "digileap"),
        ("DIG-2", "Digital resources", "", "2024-03-15", "100002", "Secondary Two", t3, "platform"),
    ]  # fmt: skip


def test_records_never_carry_a_name_reference_or_email(world):
    world.t1.first_name, world.t1.last_name, world.t1.email = "Anna", "Peeters", "anna@example.org"
    world.t1.save()
    target = target_for(world.programme, TRAINED)
    text = repr(rows(TRAINED, target, day(2024, 12, 31))) + repr(
        rows(PARTICIPANTS, target_for(world.programme, PARTICIPANTS), day(2024, 12, 31))
    )
    for secret in ("Anna", "Peeters", "anna@example.org", world.t1.reference, world.t2.reference):
        assert secret not in text
    assert world.t1.pseudonym in text


def test_the_evidence_pack_lists_every_completion(world):
    target = target_for(world.programme, TRAINED, {"area": "1"}, number="T1")
    pack = zipfile.ZipFile(io.BytesIO(build_pack(target, day(2024, 7, 31))))
    text = pack.read("records.csv").decode("utf-8")
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [
        ["course_code", "course_title", "session_date", "completed_on", "school_number", "school_name",
         "staff_pseudonym", "source"],
        ["DIG-1", "Digital didactics", "2024-02-26", "2024-03-01", "100001", "Primary One", world.t1.pseudonym,
         "digileap"],
        ["DIG-1", "Digital didactics", "", "2024-05-02", "100001", "Primary One", world.t2.pseudonym, "digileap"],
        ["DIG-1", "Digital didactics", "", "2024-07-01", "100001", "Primary One", world.t4.pseudonym, "digileap"],
    ]  # fmt: skip
    import json

    manifest = json.loads(pack.read("manifest.json"))
    assert manifest["value"] == "3.00"
    assert manifest["record_count"] == 3
    assert manifest["method"]["indicator"] == TRAINED
    assert pack.read("totals_by_school.csv").decode() == (
        "school_number;school_name;records;amount_eur\r\n100001;Primary One;3;\r\n"
    )


# --- share of a school's teachers trained -----------------------------------------------------------


def _counts(world):
    StaffCount.objects.create(school=world.s1, school_year="2022/23", teachers=10)
    StaffCount.objects.create(school=world.s1, school_year="2023/24", teachers=4)
    StaffCount.objects.create(school=world.s1, school_year="2024/25", teachers=8)
    StaffCount.objects.create(school=world.s2, school_year="2023/24", teachers=5)


def test_share_over_all_schools_and_per_school(world):
    _counts(world)
    target = target_for(world.programme, SHARE)
    kind = get_kind(SHARE)
    # 2023/24: S1 2 of 4, S2 1 of 5 -> 3 of 9.
    assert kind.compute(target, day(2024, 6, 30)) == Decimal("33.33")
    assert kind.per_school(target, day(2024, 6, 30)) == {world.s1.pk: Decimal("50.00"), world.s2.pk: Decimal("20.00")}
    # 2024/25 from 1 August: S1 has 8 teachers, t4 trained on 1 July -> 3 of 8; S2 keeps 2023/24.
    assert kind.compute(target, day(2024, 8, 15)) == Decimal("30.77")
    # Before the first school year counted: 2022/23, S1 only, nobody trained yet.
    assert kind.compute(target, day(2023, 6, 30)) == Decimal("0.00")
    assert rows(SHARE, target, day(2024, 6, 30)) == [
        ("school_number", "school_name", "school_year", "registry_teachers", "staff_trained", "share_percent"),
        ("100001", "Primary One", "2023/24", 4, 2, "50.00"),
        ("100002", "Secondary Two", "2023/24", 5, 1, "20.00"),
    ]


@pytest.mark.parametrize(("minimum", "expected"), [(20, 2), (50, 1), (50.5, 0), (100, 0)])
def test_share_with_a_minimum_counts_the_schools_reaching_it(world, minimum, expected):
    _counts(world)
    assert value(SHARE, world.programme, day(2024, 6, 30), {"min_share": minimum}) == expected


def test_share_caps_a_school_at_its_teachers_and_records_the_minimum(world):
    StaffCount.objects.create(school=world.s1, school_year="2023/24", teachers=1)
    target = target_for(world.programme, SHARE, {"min_share": 100})
    assert get_kind(SHARE).compute(target, day(2024, 6, 30)) == 1
    assert rows(SHARE, target, day(2024, 6, 30)) == [
        ("school_number", "school_name", "school_year", "registry_teachers", "staff_trained", "share_percent",
         "reaches_minimum"),
        ("100001", "Primary One", "2023/24", 1, 1, "100.00", "yes"),
    ]  # fmt: skip
    assert value(SHARE, world.programme, day(2024, 6, 30), {"levels": [2]}) == Decimal("0.00")


# --- participants (common indicator 10) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({}, 4),  # t1, t2, t3 (completions), t5 (present); t6 was absent
        ({"gender": "female"}, 1),
        ({"gender": "male"}, 1),
        ({"gender": "non_binary"}, 0),
        ({"gender": "unknown"}, 2),  # t3, t5
        ({"age_band": "55+"}, 1),
        ({"age_band": "30-54"}, 1),  # t1; t6 absent
        ({"age_band": "unknown"}, 2),
        ({"levels": [2]}, 2),  # t3, t5 at S2
        ({"courses": ["DIG-1"]}, 2),
        ({"area": "2"}, 3),  # t1, t3, t5
        ({"gender": "female", "age_band": "30-54"}, 1),
    ],
)
def test_participants_and_their_breakdowns(world, parameters, expected):
    assert value(PARTICIPANTS, world.programme, day(2024, 6, 30), parameters) == expected


def test_participants_by_the_day_per_school_and_records(world):
    target = target_for(world.programme, PARTICIPANTS)
    kind = get_kind(PARTICIPANTS)
    assert [kind.compute(target, d) for d in (day(2024, 3, 1), day(2024, 6, 2), day(2024, 6, 3), day(2024, 7, 1))] == [
        1, 3, 4, 5,
    ]  # fmt: skip
    assert kind.per_school(target, day(2024, 6, 30)) == {world.s1.pk: 2, world.s2.pk: 2}
    records = rows(PARTICIPANTS, target, day(2024, 6, 30))
    assert records[0] == (
        "staff_pseudonym", "gender", "age_band", "school_number", "school_name", "first_participated_on", "courses",
    )  # fmt: skip
    assert sorted(records[1:]) == sorted(
        [
            (world.t1.pseudonym, "female", "30-54", "100001", "Primary One", "2024-03-01", "DIG-1 DIG-2"),
            (world.t2.pseudonym, "male", "55+", "100001", "Primary One", "2024-05-02", "DIG-1"),
            (world.t3.pseudonym, "unknown", "unknown", "100002", "Secondary Two", "2024-03-15", "DIG-2"),
            (world.t5.pseudonym, "unknown", "unknown", "100002", "Secondary Two", "2024-06-03", "DIG-2"),
        ]
    )
    assert [row[3] for row in records[1:]] == ["100001", "100001", "100002", "100002"]


# --- self-assessed level --------------------------------------------------------------------------------


RANKS = {  # staff -> (1.1, 1.2, 2.1)
    "t1": (2, 3, 4),
    "t2": (3, 3, 5),
    "t4": (4, 2, 6),
    "t3": (1, 1, 2),
}


def _assess(world, round_, who: dict, submitted: datetime.date = day(2024, 3, 10)):
    for name, ranks in who.items():
        staff = getattr(world, name)
        school = world.s2 if name in ("t3", "t5", "t6") else world.s1
        assessment = SelfAssessment.objects.create(round=round_, staff=staff, school=school, submitted_at=at(submitted))
        for code, rank in zip(("1.1", "1.2", "2.1"), ranks, strict=True):
            AssessmentAnswer.objects.create(assessment=assessment, competence=world.competence[code], rank=rank)


@pytest.fixture
def assessed(world):
    round_ = AssessmentRoundFactory(programme=world.programme, framework=world.framework, code="before")
    _assess(world, round_, RANKS)
    # The same code in another programme does not count.
    other = AssessmentRoundFactory(framework=world.framework, code="before")
    _assess(world, other, {"t6": (6, 6, 6)})
    return world


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"round": "before"}, Decimal("3.00")),  # 36 / 12
        ({"round": "before", "area": "1"}, Decimal("2.38")),  # 19 / 8
        ({"round": "before", "area": "2"}, Decimal("4.25")),  # 17 / 4
        ({"round": "after"}, Decimal("0.00")),
    ],
)
def test_self_assessment_level_means(assessed, settings, parameters, expected):
    settings.DIGILEAP_TRAINING_MIN_GROUP = 3
    assert value(LEVEL, assessed.programme, day(2024, 6, 30), parameters) == expected
    assert value(LEVEL, assessed.programme, day(2024, 3, 9), parameters) == Decimal("0.00")  # not submitted yet


def test_self_assessment_level_too_few_gives_zero_and_the_reason(assessed, settings):
    settings.DIGILEAP_TRAINING_MIN_GROUP = 5
    target = target_for(assessed.programme, LEVEL, {"round": "before"})
    assert get_kind(LEVEL).compute(target, day(2024, 6, 30)) == Decimal("0.00")
    assert get_kind(LEVEL).per_school(target, day(2024, 6, 30)) == {}
    assert rows(LEVEL, target, day(2024, 6, 30)) == [
        ("school_number", "school_name", "round", "teachers", "answers", "mean_level", "note"),
        ("", "All schools", "before", 4, "", "", "Fewer than 5 teachers answered: no mean is given."),
    ]


def test_self_assessment_level_hides_a_school_that_the_difference_would_reveal(assessed, settings):
    settings.DIGILEAP_TRAINING_MIN_GROUP = 3
    target = target_for(assessed.programme, LEVEL, {"round": "before"})
    # S1 has 3 teachers, S2 only 1: showing S1 would give S2's mean away.
    assert get_kind(LEVEL).per_school(target, day(2024, 6, 30)) == {}
    assert rows(LEVEL, target, day(2024, 6, 30)) == [
        ("school_number", "school_name", "round", "teachers", "answers", "mean_level", "note"),
        ("", "All schools", "before", 4, 12, "3.00", ""),
    ]


def test_self_assessment_level_by_school_where_every_group_is_large_enough(assessed, settings):
    settings.DIGILEAP_TRAINING_MIN_GROUP = 2
    round_ = assessed.programme.assessment_rounds.get(code="before")
    _assess(assessed, round_, {"t5": (2, 2, 2)})
    target = target_for(assessed.programme, LEVEL, {"round": "before"})
    kind = get_kind(LEVEL)
    assert kind.compute(target, day(2024, 6, 30)) == Decimal("2.80")  # 42 / 15
    assert kind.per_school(target, day(2024, 6, 30)) == {
        assessed.s1.pk: Decimal("3.56"),  # 32 / 9
        assessed.s2.pk: Decimal("1.67"),  # 10 / 6
    }
    assert rows(LEVEL, target, day(2024, 6, 30)) == [
        ("school_number", "school_name", "round", "teachers", "answers", "mean_level", "note"),
        ("", "All schools", "before", 5, 15, "2.80", ""),
        ("100001", "Primary One", "before", 3, 9, "3.56", ""),
        ("100002", "Secondary Two", "before", 2, 6, "1.67", ""),
    ]
