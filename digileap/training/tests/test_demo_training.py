"""The demo training of ``seed_demo`` (``digileap/training/demo.py``) on a small demo registry:
courses, sessions, staff, attendance, completions, the self-assessment, the teacher user, and the
training target moving; a second run writes nothing."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from digileap.accounts.models import User
from digileap.core.audit import verify_chain
from digileap.core.contributions import menu_for, todos_for
from digileap.core.models import AuditEvent
from digileap.portal.demo import seed_demo
from digileap.programmes.demo import seed_demo_programmes
from digileap.programmes.services import target_value

from ..demo import PROGRAMME_CODE, seed_demo_training
from ..models import Attendance, Completion, Course, CourseEnrolment, SelfAssessment, Session, StaffMember

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = [Course, Session, StaffMember, CourseEnrolment, Attendance, Completion, SelfAssessment, AuditEvent]
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_training_moves_the_target_and_runs_once():
    TODAY = timezone.localdate()  # noqa: N806 - the demo's dates count back from the real day (to-dos are of today)
    seed_demo(schools=40)
    seed_demo_programmes(today=TODAY)
    created = seed_demo_training(today=TODAY)
    completions = Completion.objects.filter(course__programme__code=PROGRAMME_CODE)
    trained = completions.values("staff_id").distinct().count()
    assert created["courses"] == 3 and created["sessions"] == 6
    assert created["staff records"] == 40
    assert created["enrolments"] == 16 + 12 + 12
    assert created["self-assessments"] == 11
    assert created["completions"] == completions.count()
    assert Counter(completions.values_list("source", flat=True))["platform"] == 6
    assert SelfAssessment.objects.filter(round__code="demo-before").count() == 11

    # The target moves: nobody before the first course, everyone who completed by today.
    target = completions.first().course.programme.targets.get(number="T1")
    assert target.indicator.kind == "training_teachers_trained"
    assert target_value(target, TODAY - datetime.timedelta(days=70)) == 0
    assert target_value(target, TODAY) == trained > 20
    assert target.snapshots.count() == 10

    # The teacher signs in, has My training in the menu and the self-assessment to answer.
    teacher = User.objects.get(username="teacher")
    assert teacher.check_password("digileap-demo")
    assert teacher.staff_member.reference.startswith("NH-")
    assert [entry.key for entry in menu_for(teacher) if entry.key == "training"] == ["training"]
    assert [todo.key for todo in todos_for(teacher) if todo.key.startswith("training-self-assessment")] != []
    assert verify_chain().is_intact

    before = counts()
    assert seed_demo_training(today=TODAY) == Counter()
    assert counts() == before
