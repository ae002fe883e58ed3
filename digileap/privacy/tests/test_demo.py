"""The demo's reads: the data-protection officer's pages show something after ``seed_demo``."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import User
from digileap.core.contributions import todos_for
from digileap.devices.demo import seed_demo_devices
from digileap.portal.demo import seed_demo
from digileap.privacy.demo import seed_demo_privacy
from digileap.privacy.models import PupilDataAccess
from digileap.programmes.demo import seed_demo_programmes

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)


def test_the_officer_reads_the_demo_log():
    seed_demo(schools=20)
    seed_demo_programmes(today=TODAY)
    seed_demo_devices(today=TODAY)
    added = seed_demo_privacy()
    # 12 weekly class lists and 4 pupils' pages of the coordinator, the operator's agreement list and
    # print, the owner's API read and the administrator's export of the authority's pupils.
    assert added == 20
    assert sorted(set(PupilDataAccess.objects.values_list("rows", flat=True))) == [1, 24, 26]
    assert seed_demo_privacy() == 0  # idempotent
    officer = User.objects.get(username="dpo")
    client = Client()
    client.force_login(officer)
    response = client.get(reverse("privacy:pupildataaccess-list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == PupilDataAccess.objects.count() == added
    summary = client.get(reverse("privacy:pupildataaccess-summary"))
    assert {line["actor_label"] for line in summary.context["page"].object_list} == {
        "coordinator",
        "operator",
        "owner",
        "admin",
    }
    assert [t.key for t in todos_for(officer)] == []
