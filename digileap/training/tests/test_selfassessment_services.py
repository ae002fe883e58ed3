"""Self-assessment services and selectors: rounds, submissions that replace, levels per area,
suggested courses, before/after, group results with the minimum group."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import OperatorFactory, SchoolFactory

from ..models import AssessmentAnswer, AssessmentRound, Course, SelfAssessment
from ..selectors import selfassessment as selectors
from ..services import selfassessment as services
from .factories import CourseFactory, small_framework, staff_at
from .selfassessment_data import answer, closed_round, open_round, ranks_by_id, teacher

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    return small_framework(code="sa-framework")


@pytest.fixture
def round_(world, framework):
    return open_round(world.authority, framework, code="now")


def competence_id(framework, code):
    return framework.competences.get(code=code).pk


# Rounds.


def test_a_programme_owner_makes_a_round_on_a_shipped_or_their_own_framework(world, role_users, framework):
    owner = role_users[Role.PROGRAMME_OWNER]
    programme = ProgrammeFactory(authority=world.authority)
    made = services.create_round(
        actor=owner,
        programme=programme,
        framework=framework,
        code=" 2025-before ",
        name={"en": "Before", "de": "Vorher"},
        opens_on=datetime.date(2025, 1, 1),
        closes_on=datetime.date(2025, 1, 31),
    )
    assert (made.code, made.name, made.framework) == ("2025-before", {"en": "Before", "de": "Vorher"}, framework)
    assert AuditEvent.objects.filter(object_type="training.assessmentround", action="create").count() == 1
    other = small_framework(authority=world.other_authority, code="other")
    with pytest.raises(ValidationError) as error:
        services.create_round(
            actor=owner,
            programme=programme,
            framework=other,
            code="x",
            name={"en": "X"},
            opens_on=datetime.date(2025, 1, 1),
            closes_on=datetime.date(2025, 1, 31),
        )
    assert "framework" in error.value.message_dict


def test_a_round_of_another_authority_or_by_a_coordinator_is_refused(world, role_users, framework):
    programme = ProgrammeFactory(authority=world.other_authority)
    for user in (role_users[Role.PROGRAMME_OWNER], role_users[Role.SCHOOL_COORDINATOR]):
        with pytest.raises(PermissionDenied):
            services.create_round(
                actor=user,
                programme=programme
                if user == role_users[Role.PROGRAMME_OWNER]
                else ProgrammeFactory(authority=world.authority),
                framework=framework,
                code="x",
                name={"en": "X"},
                opens_on=datetime.date(2025, 1, 1),
                closes_on=datetime.date(2025, 1, 31),
            )
    assert AssessmentRound.objects.count() == 0


def test_a_round_closes_on_or_after_it_opens(world, role_users, framework):
    with pytest.raises(ValidationError) as error:
        services.create_round(
            actor=role_users[Role.PROGRAMME_OWNER],
            programme=ProgrammeFactory(authority=world.authority),
            framework=framework,
            code="x",
            name={"en": "X"},
            opens_on=datetime.date(2025, 2, 1),
            closes_on=datetime.date(2025, 1, 31),
        )
    assert error.value.message_dict["closes_on"] == ["The round closes on or after the day it opens."]


def test_the_framework_of_an_answered_round_cannot_change(world, role_users, round_, framework):
    answer(round_, world.staff, {"1.1": 1, "1.2": 1, "2.1": 1})
    with pytest.raises(ValidationError) as error:
        services.update_round(actor=role_users[Role.PROGRAMME_OWNER], round=round_, framework=small_framework())
    assert error.value.message_dict["framework"] == ["Teachers have answered this round: its framework cannot change."]
    services.update_round(actor=role_users[Role.PROGRAMME_OWNER], round=round_, name={"en": "Renamed"})
    round_.refresh_from_db()
    assert round_.name == {"en": "Renamed"}


# Submissions.


def test_a_submission_stores_every_answer(world, role_users, round_, framework):
    assessment = services.submit_self_assessment(
        actor=role_users[Role.TEACHER],
        round=round_,
        staff=world.staff,
        answers=ranks_by_id(framework, {"1.1": 3, "1.2": 4, "2.1": 2}),
    )
    assert assessment.school == world.school
    assert dict(assessment.answers.values_list("competence__code", "rank")) == {"1.1": 3, "1.2": 4, "2.1": 2}


def test_answering_again_replaces_the_answers_and_the_audit_trail_keeps_both(world, role_users, round_, framework):
    user = role_users[Role.TEACHER]
    first = services.submit_self_assessment(
        actor=user, round=round_, staff=world.staff, answers=ranks_by_id(framework, {"1.1": 3, "1.2": 4, "2.1": 2})
    )
    answer_ids = set(first.answers.values_list("pk", flat=True))
    second = services.submit_self_assessment(
        actor=user, round=round_, staff=world.staff, answers=ranks_by_id(framework, {"1.1": 5, "1.2": 4, "2.1": 1})
    )
    assert second.pk == first.pk
    assert SelfAssessment.objects.filter(round=round_, staff=world.staff).count() == 1
    assert set(second.answers.values_list("pk", flat=True)) == answer_ids  # updated in place
    assert dict(second.answers.values_list("competence__code", "rank")) == {"1.1": 5, "1.2": 4, "2.1": 1}
    events = list(
        AuditEvent.objects.filter(object_type="training.selfassessment", object_id=str(first.pk)).order_by("id")
    )
    assert [event.action for event in events] == ["create", "update"]
    assert events[0].before is None
    assert events[0].after["answers"] == {"1.1": 3, "1.2": 4, "2.1": 2}
    assert events[1].before["answers"] == {"1.1": 3, "1.2": 4, "2.1": 2}
    assert events[1].after["answers"] == {"1.1": 5, "1.2": 4, "2.1": 1}
    assert events[1].actor_id == user.pk


def test_incomplete_answers_are_refused_naming_the_competence(world, role_users, round_, framework):
    answers = ranks_by_id(framework, {"1.1": 3, "2.1": 2})
    with pytest.raises(ValidationError) as error:
        services.submit_self_assessment(
            actor=role_users[Role.TEACHER], round=round_, staff=world.staff, answers=answers
        )
    assert error.value.message_dict == {
        f"competence_{competence_id(framework, '1.2')}": ["Choose a level for 1.2 Competence 1.2."]
    }
    assert SelfAssessment.objects.count() == 0
    assert AssessmentAnswer.objects.count() == 0


def test_a_rank_that_is_no_level_is_refused(world, role_users, round_, framework):
    answers = ranks_by_id(framework, {"1.1": 7, "1.2": 1, "2.1": 2})
    with pytest.raises(ValidationError) as error:
        services.submit_self_assessment(
            actor=role_users[Role.TEACHER], round=round_, staff=world.staff, answers=answers
        )
    assert error.value.message_dict == {
        f"competence_{competence_id(framework, '1.1')}": ["7 is not a level of 1.1 Competence 1.1."]
    }


def test_a_closed_round_takes_no_answers(world, role_users, framework):
    closed = closed_round(world.authority, framework)
    with pytest.raises(ValidationError) as error:
        services.submit_self_assessment(
            actor=role_users[Role.TEACHER],
            round=closed,
            staff=world.staff,
            answers=ranks_by_id(framework, {"1.1": 3, "1.2": 4, "2.1": 2}),
        )
    assert "is not open" in error.value.messages[0]
    assert SelfAssessment.objects.count() == 0


def test_nobody_but_the_teacher_answers_for_them(world, role_users, round_, framework):
    answers = ranks_by_id(framework, {"1.1": 3, "1.2": 4, "2.1": 2})
    other_teacher = teacher(world.school, reference="T-2")
    for actor in (role_users[Role.ADMINISTRATOR], role_users[Role.PROGRAMME_OWNER], other_teacher.user):
        with pytest.raises(PermissionDenied):
            services.submit_self_assessment(actor=actor, round=round_, staff=world.staff, answers=answers)
    assert SelfAssessment.objects.count() == 0


def test_a_round_of_another_authority_is_refused(world, framework):
    outside = teacher(world.other_school, reference="OUT-2")
    round_ = open_round(world.authority, framework)
    with pytest.raises(PermissionDenied):
        services.submit_self_assessment(
            actor=outside.user,
            round=round_,
            staff=outside,
            answers=ranks_by_id(framework, {"1.1": 3, "1.2": 4, "2.1": 2}),
        )


def test_the_system_records_answers_in_a_closed_round(world, framework):
    """Demo data and imports (a ``SystemActor``) may record answers of a past round."""
    closed = closed_round(world.authority, framework)
    assessment = services.submit_self_assessment(
        actor=SystemActor("seed"),
        round=closed,
        staff=world.staff,
        answers=ranks_by_id(framework, {"1.1": 3, "1.2": 4, "2.1": 2}),
    )
    assert assessment.answers.count() == 3


# The personal report.


def test_area_levels_are_the_rounded_mean_of_the_area(world, round_):
    report = selectors.personal_report(world.staff, round_)
    assert report["assessment"] is None and report["areas"] == []
    answer(round_, world.staff, {"1.1": 3, "1.2": 4, "2.1": 2})
    report = selectors.personal_report(world.staff, round_)
    assert [(row.area.code, row.mean, row.rank, row.level.code, row.label) for row in report["areas"]] == [
        ("1", Decimal("3.50"), 4, "B2", "B2 Level B2"),
        ("2", Decimal("2.00"), 2, "A2", "A2 Level A2"),
    ]
    assert [row.area.code for row in report["weakest"]] == ["2"]


def test_a_mean_half_way_rounds_up_and_ties_are_all_weakest(world, round_):
    answer(round_, world.staff, {"1.1": 1, "1.2": 2, "2.1": 1})
    report = selectors.personal_report(world.staff, round_)
    assert [(row.area.code, row.mean, row.level.code) for row in report["areas"]] == [
        ("1", Decimal("1.50"), "A2"),
        ("2", Decimal("1.00"), "A1"),
    ]
    other = teacher(world.school, reference="T-tie")
    answer(round_, other, {"1.1": 2, "1.2": 2, "2.1": 2})
    report = selectors.personal_report(other, round_)
    assert [row.area.code for row in report["weakest"]] == ["1", "2"]


def test_suggested_courses_cover_the_weakest_areas_most_first(world, round_, framework):
    answer(round_, world.staff, {"1.1": 2, "1.2": 1, "2.1": 5})  # area 1 weakest (1.5)
    programme = round_.programme
    c11, c12, c21 = (framework.competences.get(code=code) for code in ("1.1", "1.2", "2.1"))
    both = CourseFactory(programme=programme, code="B-both")
    both.competences.set([c11, c12])
    one_a = CourseFactory(programme=programme, code="C-one")
    one_a.competences.set([c12, c21])
    one_b = CourseFactory(programme=programme, code="A-one")
    one_b.competences.set([c11])
    CourseFactory(programme=programme, code="D-other-area").competences.set([c21])
    CourseFactory(programme=programme, code="E-draft", state=Course.State.DRAFT).competences.set([c11, c12])
    CourseFactory(programme=ProgrammeFactory(authority=world.other_authority), code="F-outside").competences.set(
        [c11, c12]
    )
    report = selectors.personal_report(world.staff, round_)
    assert [(course.code, covered) for course, covered in report["courses"]] == [
        ("B-both", 2),
        ("A-one", 1),
        ("C-one", 1),
    ]


def test_before_and_after_per_area(world, framework):
    earlier = closed_round(world.authority, framework, code="before")
    later = open_round(world.authority, framework, code="after")
    answer(earlier, world.staff, {"1.1": 1, "1.2": 2, "2.1": 4})
    answer(later, world.staff, {"1.1": 3, "1.2": 4, "2.1": 3})
    report = selectors.personal_report(world.staff, later)
    assert report["earlier"].round == earlier
    assert [
        (change["area"].code, change["before"].mean, change["after"].mean, change["change"])
        for change in report["changes"]
    ] == [
        ("1", Decimal("1.50"), Decimal("3.50"), Decimal("2.00")),
        ("2", Decimal("4.00"), Decimal("3.00"), Decimal("-1.00")),
    ]
    # The earlier round has no earlier one; another framework's round is no "before".
    assert selectors.personal_report(world.staff, earlier)["earlier"] is None
    other = open_round(world.authority, small_framework(), code="other")
    answer(other, world.staff, {"1.1": 1, "1.2": 1, "2.1": 1})
    assert selectors.personal_report(world.staff, other)["earlier"] is None


# Group results.


def teachers_answering(round_, school, count, ranks, prefix):
    for number in range(count):
        answer(round_, staff_at(school, reference=f"{prefix}-{number}"), ranks)


def test_a_group_of_nine_is_not_shown_and_ten_are(world, role_users, round_):
    small_school = SchoolFactory(operator=world.operator, name="Small school", number="3003")
    teachers_answering(round_, world.school, 5, {"1.1": 2, "1.2": 3, "2.1": 4}, "a")
    teachers_answering(round_, world.school, 5, {"1.1": 4, "1.2": 4, "2.1": 1}, "b")
    teachers_answering(round_, small_school, 9, {"1.1": 6, "1.2": 6, "2.1": 6}, "c")
    groups = selectors.group_results(round_, "school", role_users[Role.PROGRAMME_OWNER])
    assert [(group.label, group.teachers, group.shown) for group in groups] == [
        ("INSIDE school (1001)", 10, True),
        ("Small school (3003)", 9, False),
    ]
    shown, hidden = groups
    assert hidden.areas == []
    # Area 1: five teachers at 2.5 (B1), five at 4 (B2): mean (25 + 40) / 20 = 3.25 -> B1.
    # Area 2: five at 4 (B2), five at 1 (A1): mean 2.50 -> B1.
    assert [(entry.area.code, entry.mean, entry.level.code, entry.distribution) for entry in shown.areas] == [
        ("1", Decimal("3.25"), "B1", {1: 0, 2: 0, 3: 5, 4: 5, 5: 0, 6: 0}),
        ("2", Decimal("2.50"), "B1", {1: 5, 2: 0, 3: 0, 4: 5, 5: 0, 6: 0}),
    ]
    # By operator the 19 teachers form one group.
    (operator,) = selectors.group_results(round_, "operator", role_users[Role.PROGRAMME_OWNER])
    assert (operator.label, operator.teachers, operator.shown) == ("INSIDE operator", 19, True)
    assert [entry.mean for entry in operator.areas] == [Decimal("4.55"), Decimal("4.16")]


def test_regions_group_the_operators(world, role_users, round_):
    world.operator.region = "North"
    world.operator.save()
    east = OperatorFactory(authority=world.authority, name="East operator", region="East")
    teachers_answering(round_, world.school, 10, {"1.1": 1, "1.2": 1, "2.1": 1}, "n")
    teachers_answering(round_, SchoolFactory(operator=east), 10, {"1.1": 6, "1.2": 6, "2.1": 6}, "e")
    groups = selectors.group_results(round_, "region", role_users[Role.PROGRAMME_OWNER])
    assert [(group.label, group.teachers, [entry.mean for entry in group.areas]) for group in groups] == [
        ("East", 10, [Decimal("6.00"), Decimal("6.00")]),
        ("North", 10, [Decimal("1.00"), Decimal("1.00")]),
    ]


def test_results_per_role_stay_in_scope(world, role_users, round_):
    other_school = SchoolFactory(operator=world.operator, name="Second school", number="4004")
    other_operator_school = SchoolFactory(
        operator=OperatorFactory(authority=world.authority, name="Second operator"), name="Third school"
    )
    teachers_answering(round_, world.school, 10, {"1.1": 2, "1.2": 2, "2.1": 2}, "s1")
    teachers_answering(round_, other_school, 10, {"1.1": 4, "1.2": 4, "2.1": 4}, "s2")
    teachers_answering(round_, other_operator_school, 10, {"1.1": 6, "1.2": 6, "2.1": 6}, "s3")

    def labels(role, group_by):
        return [(g.label, g.teachers) for g in selectors.group_results(round_, group_by, role_users[role])]

    everything = [
        ("INSIDE school (1001)", 10),
        ("Second school (4004)", 10),
        (f"Third school ({other_operator_school.number})", 10),
    ]
    for role in (Role.ADMINISTRATOR, Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.AUDITOR):
        assert labels(role, "school") == everything, role
        assert labels(role, "all") == [("All teachers who answered", 30)], role
    assert labels(Role.OPERATOR_STAFF, "school") == everything[:2]
    assert labels(Role.OPERATOR_STAFF, "operator") == [("INSIDE operator", 20)]
    assert labels(Role.OPERATOR_STAFF, "region") == []  # not a grouping operator staff may choose
    assert labels(Role.SCHOOL_COORDINATOR, "school") == [("INSIDE school (1001)", 10)]
    assert labels(Role.SCHOOL_COORDINATOR, "operator") == []
    for role in (Role.TEACHER, Role.SUPPLIER):
        assert not selectors.may_read_results(role_users[role])
        assert labels(role, "school") == []
    outside_owner = user_with_role(Role.PROGRAMME_OWNER, world.other_authority)
    assert [(g.label) for g in selectors.group_results(round_, "school", outside_owner)] == []


def test_before_and_after_per_group_only_for_groups_of_ten_in_both(world, role_users, framework):
    earlier = closed_round(world.authority, framework, code="before")
    later = open_round(world.authority, framework, code="after")
    second = SchoolFactory(operator=world.operator, name="Second school", number="4004")
    for number in range(10):
        staff = staff_at(world.school, reference=f"g1-{number}")
        answer(earlier, staff, {"1.1": 1, "1.2": 2, "2.1": 2})
        answer(later, staff, {"1.1": 3, "1.2": 3, "2.1": 1})
    teachers_answering(earlier, second, 9, {"1.1": 1, "1.2": 1, "2.1": 1}, "g2e")
    teachers_answering(later, second, 12, {"1.1": 5, "1.2": 5, "2.1": 5}, "g2l")
    owner = role_users[Role.PROGRAMME_OWNER]
    assert list(selectors.earlier_rounds(later, owner)) == [earlier]
    changes = selectors.group_changes(later, earlier, "school", owner)
    assert [
        (
            change["group"].label,
            [(area["area"].code, area["before"].mean, area["after"].mean, area["change"]) for area in change["areas"]],
        )
        for change in changes
    ] == [
        (
            "INSIDE school (1001)",
            [
                ("1", Decimal("1.50"), Decimal("3.00"), Decimal("1.50")),
                ("2", Decimal("2.00"), Decimal("1.00"), Decimal("-1.00")),
            ],
        )
    ]


def test_area_means_for_indicators(world, round_):
    teachers_answering(round_, world.school, 9, {"1.1": 1, "1.2": 2, "2.1": 3}, "m")
    assert selectors.area_means([round_.pk]) == {}
    assert selectors.area_means([round_.pk], min_teachers=0) == {"1": Decimal("1.50"), "2": Decimal("3.00")}
    teachers_answering(round_, SchoolFactory(operator=world.operator), 1, {"1.1": 6, "1.2": 6, "2.1": 6}, "n")
    assert selectors.area_means([round_.pk]) == {"1": Decimal("1.95"), "2": Decimal("3.30")}
    assert selectors.area_means([round_.pk], [world.school.pk], min_teachers=1) == {
        "1": Decimal("1.50"),
        "2": Decimal("3.00"),
    }


def test_round_is_open_counts_both_days(world, framework):
    today = timezone.localdate()
    round_ = open_round(world.authority, framework, days_ago=0, days_left=0)
    assert selectors.round_is_open(round_, today)
    assert not selectors.round_is_open(round_, today + datetime.timedelta(days=1))
    assert not selectors.round_is_open(round_, today - datetime.timedelta(days=1))
