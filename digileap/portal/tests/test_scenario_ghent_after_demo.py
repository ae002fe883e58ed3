"""The Ghent scenario after ``seed_demo``: the demo already gave the programme its Dutch agreement,
and the scenario uses it instead of failing on a second one (seed_demo --scenarios stopped there)."""

import pytest

from digileap.core.permissions import SystemActor
from digileap.devices.models import AgreementTemplate
from digileap.devices.services.agreements import agreement_template_create
from digileap.portal.scenarios import get_scenario
from digileap.programmes.models import Programme
from digileap.programmes.seeding import load_seed_programmes

pytestmark = pytest.mark.django_db


def test_ghent_uses_the_agreement_the_demo_made():
    actor = SystemActor("seed_demo")
    load_seed_programmes(actor=actor)
    programme = Programme.objects.get(code="ghent-digisprong")
    demo = agreement_template_create(
        actor=actor, programme=programme, language="nl", title="Demo agreement", body="Demo body"
    )
    summary = get_scenario("ghent").run("small")
    assert "agreement templates" not in summary["created"]
    assert list(AgreementTemplate.objects.filter(programme=programme, language="nl", is_active=True)) == [demo]
    assert summary["milestones"] == {"#1": "met", "#2": "met", "#3": "met", "#4": "met"}
