"""Saved profiles (ImportProfile rows): a name is unique per target, not across targets."""

import pytest
from django.db import IntegrityError, transaction

from digileap.core.models import ImportProfile
from digileap.core.tabular.profiles import available_profiles

pytestmark = pytest.mark.django_db


def definition(target: str, label: str) -> dict:
    return {"name": "kiel", "target": target, "label": label, "columns": [{"field": "number", "source": "Nr"}]}


def test_the_same_name_for_two_targets():
    ImportProfile.objects.create(name="kiel", target="schools", definition=definition("schools", "Schulen"))
    ImportProfile.objects.create(name="kiel", target="deliveries", definition=definition("deliveries", "Geräte"))
    assert available_profiles("schools")["kiel"].label == "Schulen"
    assert available_profiles("deliveries")["kiel"].label == "Geräte"
    assert available_profiles("deliveries")["kiel"].is_builtin is False


def test_a_name_twice_for_one_target_is_refused_by_the_database():
    ImportProfile.objects.create(name="kiel", target="schools", definition=definition("schools", "A"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportProfile.objects.create(name="kiel", target="schools", definition=definition("schools", "B"))
    assert ImportProfile.objects.filter(name="kiel").count() == 1


def test_a_saved_profile_wins_over_the_builtin_of_its_name():
    ImportProfile.objects.create(
        name="generic", target="schools", definition={**definition("schools", "Mine"), "name": "generic"}
    )
    assert available_profiles("schools")["generic"].label == "Mine"
    assert available_profiles("deliveries")["generic"].is_builtin is True
