"""The scenario framework: scales, the clock, the invented registry, idempotent steps, statuses."""

import datetime
import json
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from digileap.core.models import AuditEvent
from digileap.portal.models import ScenarioStep
from digileap.portal.scenarios import SCENARIOS, get_scenario, scenario_names
from digileap.portal.scenarios.base import (
    Operator,
    RegistrySpec,
    Run,
    Scale,
    Scenario,
    ScenarioError,
    SchoolKind,
    generate_registry,
    history_days,
    load_registry,
    record_history,
    split_total,
)
from digileap.schools.models import Enrolment, School

SPEC = RegistrySpec(
    authority_code="BE-BRU",
    number_prefix="TST",
    school_year="2021/22",
    language="fr",
    kinds=(
        SchoolKind("SEC", "École secondaire", (2, 3), count=30, size=(300, 900), languages=(("fr", 3), ("nl", 1))),
        SchoolKind("SPE", "Enseignement spécialisé", (1, 2), count=12, size=(40, 160), pupils_per_teacher=5),
    ),
    operators=(
        Operator("FWB", "Fédération Wallonie-Bruxelles", languages=("fr",)),
        Operator("VGC", "Vlaamse Gemeenschapscommissie", languages=("nl",)),
    ),
    places=(("Anderlecht", "1070"), ("Schaerbeek", "1030")),
    bbox=(50.78, 4.26, 50.91, 4.45),
    ses_scale="be-bru-ses-index",
    ses=lambda rng: Decimal(f"{rng.uniform(5, 95):.1f}"),
)


class Tiny(Scenario):
    name = "tiny"
    programme_code = "brussels-digitale-omkeer"
    seed = 7

    def steps(self):
        return [self.registry, self.history]

    def registry(self, run: Run) -> None:
        run.add("schools", load_registry(run, SPEC))

    def history(self, run: Run) -> None:
        record_history(run, [datetime.date(2021, 10, 31), datetime.date(2021, 11, 1)])


def test_scale_counts():
    assert Scale("full").count(2200) == 2200
    assert Scale("small").count(2200) == 220
    assert Scale("small").count(3785) == 379  # 378.5, rounded half up
    assert Scale("small").count(4) == 1  # never below one
    assert Scale("small").count(0) == 0
    with pytest.raises(ScenarioError):
        Scale("huge")


def test_split_total_adds_up():
    assert split_total(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(split_total(3785, [2.5, 1.0, 0.3])) == 3785


def test_history_days_mondays_month_ends_and_events():
    days = history_days(datetime.date(2021, 9, 29), datetime.date(2021, 10, 12), extra=[datetime.date(2021, 10, 7)])
    assert days == [
        datetime.date(2021, 9, 29),  # start
        datetime.date(2021, 9, 30),  # month end
        datetime.date(2021, 10, 4),  # Monday
        datetime.date(2021, 10, 7),  # an event
        datetime.date(2021, 10, 11),  # Monday
        datetime.date(2021, 10, 12),  # end
    ]


def test_registry_is_deterministic_and_scaled():
    first = generate_registry(SPEC, Scale("full"), random.Random(1))
    again = generate_registry(SPEC, Scale("full"), random.Random(1))
    assert [(s.number, s.name, s.language, s.pupils) for s in first] == [
        (s.number, s.name, s.language, s.pupils) for s in again
    ]
    assert len(first) == 42
    assert len(generate_registry(SPEC, Scale("small"), random.Random(1))) == 3 + 1
    # Operators follow the language: a Dutch-speaking school is never run by the French community.
    assert all(s.operator.code == ("VGC" if s.language == "nl" else "FWB") for s in first)
    assert first[0].number == "TST00001"


def test_registry_names_every_scenario():
    assert scenario_names()[:2] == ["brussels", "flanders"]
    assert set(SCENARIOS) >= {"brussels", "flanders"}
    assert all(path.startswith("digileap.portal.scenarios.") for path in SCENARIOS.values())
    assert get_scenario("brussels").name == "brussels"
    assert get_scenario("flanders").programme_code == "flanders-digisprong"


@pytest.mark.django_db
def test_run_is_idempotent_and_refuses_the_other_scale():
    summary = Tiny().run("small", today=datetime.date(2022, 1, 10))
    assert summary["scenario"] == "tiny"
    assert summary["scale"] == "small"
    assert summary["schools"] == 4
    assert summary["created"]["schools"] == 4
    assert summary["created"]["targets scaled"] == 2  # 405 (2,200 -> 220) and the hotspots (3,500 -> 350)
    assert summary["created"]["snapshots"] == 4  # two days, two targets with an indicator
    school = School.objects.get(authority__code="BE-BRU", number="TST00001")
    assert school.ses_scale.code == "be-bru-ses-index"
    assert Enrolment.objects.filter(school__authority__code="BE-BRU", school_year="2021/22").count() == 8
    target = school.authority.programmes.get(code="brussels-digitale-omkeer").targets.get(number="405")
    assert target.target_value == Decimal("220.00")
    assert summary["milestones"] == {"405": "late", "#2": "not_started"}
    assert list(ScenarioStep.objects.filter(scenario="tiny").values_list("step", "scale")) == [
        ("registry", "small"),
        ("history", "small"),
    ]

    counts = (School.objects.count(), Enrolment.objects.count(), AuditEvent.objects.count(), target.snapshots.count())
    again = Tiny().run("small", today=datetime.date(2022, 1, 10))
    assert again["created"] == {}
    assert again["schools"] == 4
    assert (
        School.objects.count(),
        Enrolment.objects.count(),
        AuditEvent.objects.count(),
        target.snapshots.count(),
    ) == counts

    with pytest.raises(ScenarioError, match="loaded at scale 'small'"):
        Tiny().run("full")


@pytest.mark.django_db
def test_command_rejects_an_unknown_scenario():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("load_seed_scenario", "atlantis", stdout=StringIO())


def test_summary_is_one_line_of_json():
    line = json.dumps({"scenario": "x", "milestones": {"405": "met"}})
    assert "\n" not in line


@pytest.mark.django_db
def test_seed_demo_refuses_unknown_scenarios_before_loading_anything():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="atlantis"):
        call_command("seed_demo", "--schools", "3", "--scenarios", "brussels,atlantis", stdout=StringIO())
    assert not School.objects.exists()


@pytest.mark.django_db
def test_seed_demo_loads_the_scenarios_after_the_demo(monkeypatch):
    """``--scenarios`` (all) plays every scenario after the demo, printing each one-line summary."""
    from digileap.portal.management.commands import seed_demo as command

    played = []

    class Recorded:
        def __init__(self, name):
            self.name = name

        def run(self, scale):
            played.append((self.name, scale))
            return {"scenario": self.name, "scale": scale}

    monkeypatch.setattr(command, "seed_demo", lambda **kwargs: type("R", (), {"changed_anything": False})())
    for name in ("seed_demo_programmes", "seed_demo_allocation", "seed_demo_devices"):
        monkeypatch.setattr(command, name, lambda: None)
    monkeypatch.setattr(command, "get_scenario", Recorded)
    out = StringIO()
    call_command("seed_demo", "--scenarios", "--scenario-scale", "small", stdout=out)
    assert played == [(name, "small") for name in scenario_names()]
    lines = out.getvalue().strip().splitlines()
    assert json.loads(lines[-1]) == {"scenario": scenario_names()[-1], "scale": "small"}
