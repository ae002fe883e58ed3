import datetime
from decimal import Decimal

import pytest
from django.test import Client

from digileap.accounts.models import Role

from .factories import FundingTransactionFactory, ProgrammeFactory, TargetFactory


@pytest.fixture
def api(role_users):
    client = Client(HTTP_ACCEPT="application/json")
    client.force_login(role_users[Role.AUDITOR])
    return client


def test_programmes_and_targets_are_scoped(api, world):
    inside = ProgrammeFactory(code="in", authority=world.authority, name={"en": "Inside", "nl": "Binnen"})
    ProgrammeFactory(code="out", authority=world.other_authority)
    data = api.get("/api/programmes/", HTTP_ACCEPT_LANGUAGE="nl").json()
    assert [(p["code"], p["display_name"], p["name"]) for p in data["results"]] == [
        ("in", "Binnen", {"en": "Inside", "nl": "Binnen"})
    ]
    target = TargetFactory(programme=inside, target_value=Decimal("4"), due_date=datetime.date(2099, 1, 1))
    other = TargetFactory()
    assert api.get(f"/api/targets/{other.pk}/value/").status_code == 404
    FundingTransactionFactory(programme=inside, school=world.school)
    value = api.get(f"/api/targets/{target.pk}/value/").json()
    assert (value["value"], value["progress"]) == ("1.00", "0.25")


def test_the_auditor_cannot_write(api, world):
    assert api.post("/api/programmes/", {"code": "x"}).status_code in (403, 405)
