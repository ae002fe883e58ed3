import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role

from .factories import (
    FundingSourceFactory,
    FundingTransactionFactory,
    IndicatorFactory,
    ProgrammeFactory,
    TargetFactory,
)

D = Decimal


@pytest.fixture
def programmes(world):
    inside = ProgrammeFactory(code="INSIDE-programme", name={"en": "INSIDE programme"}, authority=world.authority)
    outside = ProgrammeFactory(
        code="OUTSIDE-programme", name={"en": "OUTSIDE programme"}, authority=world.other_authority
    )
    source = FundingSourceFactory(programme=inside, amount=D("5200000.00"), name={"en": "RRF"})
    TargetFactory(
        programme=inside,
        number="405",
        title={"en": "Schools funded"},
        target_value=D("2"),
        due_date=datetime.date(2099, 12, 31),
        indicator=IndicatorFactory(programme=inside, kind="schools_reached"),
    )
    FundingTransactionFactory(programme=inside, source=source, school=world.school, amount=D("1500.00"))
    return inside, outside


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_shows_only_programmes_in_scope(role_users, programmes):
    response = client_for(role_users[Role.PROGRAMME_OWNER]).get(reverse("programmes:programme-list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "INSIDE programme" in text and "OUTSIDE" not in text
    assert "5,200,000.00" in text


def test_detail_shows_targets_with_live_progress_and_budget(role_users, programmes):
    inside, outside = programmes
    client = client_for(role_users[Role.OPERATOR_STAFF])
    response = client.get(reverse("programmes:programme-detail", kwargs={"pk": inside.pk}))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Schools funded" in text
    assert '<progress max="100" value="50">' in text
    assert "1,500.00" in text  # paid for the operator's own school
    assert client.get(reverse("programmes:programme-detail", kwargs={"pk": outside.pk})).status_code == 404


def test_pages_need_sign_in(programmes):
    response = Client().get(reverse("programmes:programme-list"))
    assert response.status_code == 302
