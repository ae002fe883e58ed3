"""``manage.py allocation_round``: a JSON definition in, a computed (approved, published) round out."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from digileap.programmes.tests.factories import ProgrammeFactory
from digileap.schools.tests.factories import EnrolmentFactory, SchoolFactory

from ..models import AllocationRound, AllocationVersion

pytestmark = pytest.mark.django_db


def _run(*args) -> dict:
    out = StringIO()
    call_command("allocation_round", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_definition_file_to_published_round(tmp_path):
    programme = ProgrammeFactory(code="P")
    for number, pupils in (("A", 30), ("B", 10)):
        EnrolmentFactory(school=SchoolFactory(operator__authority=programme.authority, number=number), pupils=pupils)
    definition = tmp_path / "round.json"
    definition.write_text(
        json.dumps(
            {
                "code": "U",
                "name": "Units",
                "resource": "units",
                "device_type": "tablet",
                "total": 7,
                "school_year": "2024/25",
                "formula": {"per_pupil": [{"amount": "1"}]},
            }
        )
    )
    summary = _run(str(definition), "--programme", "P", "--publish")
    assert summary == {
        "round": "U",
        "version": 1,
        "status": "published",
        "total": "7",
        "schools": 2,
        "unallocated": "0",
    }
    amounts = dict(AllocationVersion.objects.get().lines.values_list("school__number", "amount"))
    assert amounts == {"A": 5, "B": 2}  # quotas 5.25 and 1.75: the larger remainder (0.75) gets the 7th


def test_bad_definition_names_the_setting_and_writes_nothing(tmp_path):
    ProgrammeFactory(code="P")
    definition = tmp_path / "round.json"
    definition.write_text(
        json.dumps({"code": "X", "name": "X", "school_year": "2024/25", "formula": {"per_pupil": [{"amount": "x"}]}})
    )
    with pytest.raises(CommandError) as caught:
        _run(str(definition), "--programme", "P", "--compute")
    assert json.loads(str(caught.value)) == {"formula": ["formula.per_pupil[0].amount: 'x' is not a number"]}
    assert not AllocationRound.objects.exists()
    definition.write_text("{not json")
    with pytest.raises(CommandError, match="round.json: Expecting property name"):
        _run(str(definition), "--programme", "P")
    definition.write_text("{}")
    with pytest.raises(CommandError, match="There is no programme 'Q'"):
        _run(str(definition), "--programme", "Q")
