"""The training parts of the Flanders and Ghent scenarios at small scale: their training targets
move to exact values, the evidence pack lists every completion pseudonymously, a second run writes
nothing. (``digileap/portal/scenarios/flanders_training.py``, ``ghent_training.py``.)"""

import csv
import datetime
import io
import zipfile
from collections import Counter

import pytest

from digileap.portal.scenarios import get_scenario
from digileap.programmes.evidence import build_pack
from digileap.programmes.models import Programme
from digileap.programmes.services import target_value

from ..models import Attendance, Completion, SelfAssessment, StaffMember

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 1, 15)
day = datetime.date


def _values(target) -> list[int]:
    return [
        int(target_value(target, d)) for d in (day(2021, 9, 30), day(2021, 12, 31), day(2022, 6, 30), target.due_date)
    ]


def test_flanders_small_training_targets_move():
    summary = get_scenario("flanders").run("small", today=TODAY)
    created = summary["created"]
    assert {key: created[key] for key in ("training providers", "courses", "sessions", "staff records", "enrolments",
                                          "attendance records", "completions", "self-assessments", "targets")} == {
        "training providers": 2, "courses": 4, "sessions": 8, "staff records": 9600, "enrolments": 6026,
        "attendance records": 200, "completions": 6026, "self-assessments": 960, "targets": 2,
    }  # fmt: skip
    programme = Programme.objects.get(code="flanders-digisprong")
    trained = programme.targets.get(indicator__kind="training_teachers_trained")
    share = programme.targets.get(indicator__kind="training_teachers_trained_share")
    assert (trained.target_value, share.target_value) == (4000, 150)
    assert _values(trained) == [0, 718, 3219, 5026]
    assert _values(share) == [0, 0, 24, 157]
    assert summary["milestones"][f"#{trained.position}"] == "met"
    assert summary["milestones"][f"#{share.position}"] == "met"
    assert Attendance.objects.filter(session__course__programme=programme).count() == 200
    assert SelfAssessment.objects.filter(round__programme=programme, round__code="nameting-2022").count() == 480
    assert trained.snapshots.filter(date=day(2022, 12, 31)).get().value == 5026


def test_ghent_small_training_target_moves_and_its_pack_lists_every_completion():
    summary = get_scenario("ghent").run("small", today=TODAY)
    programme = Programme.objects.get(code="ghent-digisprong")
    target = programme.targets.get(indicator__kind="training_teachers_trained")
    assert target.target_value == 60
    assert _values(target) == [0, 25, 77, 77]
    assert summary["milestones"][f"#{target.position}"] == "met"
    assert StaffMember.objects.filter(authority=programme.authority).count() == 120
    completions = Completion.objects.filter(course__programme=programme)
    assert completions.count() == 92
    assert Counter(completions.values_list("source", flat=True)) == {"digileap": 75, "platform": 17}

    pack = zipfile.ZipFile(io.BytesIO(build_pack(target, target.due_date)))
    rows = list(csv.reader(io.StringIO(pack.read("records.csv").decode()), delimiter=";"))
    assert rows[0] == ["course_code", "course_title", "session_date", "completed_on", "school_number",
                       "school_name", "staff_pseudonym", "source"]  # fmt: skip
    assert len(rows) - 1 == completions.filter(completed_on__lte=target.due_date).count()
    pseudonyms = set(StaffMember.objects.filter(authority=programme.authority).values_list("pseudonym", flat=True))
    references = set(StaffMember.objects.filter(authority=programme.authority).values_list("reference", flat=True))
    assert {row[6] for row in rows[1:]} <= pseudonyms
    assert not {cell for row in rows[1:] for cell in row} & references

    before = (Completion.objects.count(), StaffMember.objects.count())
    again = get_scenario("ghent").run("small", today=TODAY)
    assert again["created"] == {}
    assert (Completion.objects.count(), StaffMember.objects.count()) == before
