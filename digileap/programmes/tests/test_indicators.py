import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from digileap.core.permissions import SystemActor
from digileap.programmes import services
from digileap.programmes.indicators import (
    IndicatorKind,
    Records,
    get_kind,
    kind_choices,
    register_indicator_kind,
    unregister_indicator_kind,
)

from .factories import TargetFactory

SYSTEM = SystemActor("test")


class DaysSinceStart(IndicatorKind):
    """A kind another app could register: the number of days since the target's counting start."""

    code = "test_days"
    label = "Days"
    parameter_schema = {
        "type": "object",
        "properties": {"factor": {"type": "integer", "minimum": 1}},
        "required": ["factor"],
        "additionalProperties": False,
    }

    def compute(self, target, as_of):
        return Decimal((as_of - target.programme.period_start).days * target.indicator.parameters["factor"])

    def records(self, target, as_of):
        return Records(["day"], [(str(as_of),)])


@pytest.fixture
def test_kind():
    kind = register_indicator_kind(DaysSinceStart())
    yield kind
    unregister_indicator_kind(kind.code)


def test_built_in_kinds_are_registered():
    # In the order of their codes; the devices app adds its four (digileap/devices/indicators.py), the
    # funding app its two (digileap/funding/indicators.py), the connectivity app its four
    # (digileap/connectivity/indicators.py), the training app its four (digileap/training/indicators.py).
    assert [code for code, _label in kind_choices()] == [
        "access_points_installed",
        "connectivity_schools_measured",
        "connectivity_schools_meeting",
        "connectivity_schools_surveyed",
        "connectivity_wifi_share",
        "devices_delivered",
        "devices_deployed",
        "document_approved",
        "funding_money",
        "manual",
        "money",
        "pupils_with_device",
        "schools_funded",
        "schools_reached",
        "training_participants",
        "training_self_assessment_level",
        "training_teachers_trained",
        "training_teachers_trained_share",
    ]
    assert get_kind("manual").is_manual is True
    assert get_kind("money").is_manual is False


@pytest.mark.django_db
def test_a_kind_registered_elsewhere_computes_targets(test_kind):
    target = TargetFactory(programme__period_start=datetime.date(2024, 1, 1))
    services.indicator_define(actor=SYSTEM, target=target, kind="test_days", parameters={"factor": 2})
    target.refresh_from_db()
    assert services.target_value(target, datetime.date(2024, 1, 11)) == Decimal("20")
    assert list(get_kind("test_days").records(target, datetime.date(2024, 1, 11)).rows) == [("2024-01-11",)]


@pytest.mark.django_db
def test_parameters_are_validated_against_the_kind_schema(test_kind):
    target = TargetFactory()
    with pytest.raises(ValidationError):
        services.indicator_define(actor=SYSTEM, target=target, kind="test_days", parameters={"factor": 0})
    with pytest.raises(ValidationError):
        services.indicator_define(actor=SYSTEM, target=target, kind="test_days", parameters={"factor": 1, "extra": 1})


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_and_an_unregistered_one_computes_nothing(test_kind):
    target = TargetFactory()
    with pytest.raises(ValidationError):
        services.indicator_define(actor=SYSTEM, target=target, kind="nonexistent")
    services.indicator_define(actor=SYSTEM, target=target, kind="test_days", parameters={"factor": 1})
    unregister_indicator_kind("test_days")
    target.refresh_from_db()
    assert services.target_value(target, datetime.date(2024, 1, 11)) is None


def test_another_class_cannot_take_a_registered_code():
    class Impostor(IndicatorKind):
        code = "money"

    with pytest.raises(ValueError):
        register_indicator_kind(Impostor())
    assert type(get_kind("money")).__name__ == "Money"


def test_an_invalid_parameter_schema_is_refused():
    class Broken(IndicatorKind):
        code = "test_broken"
        parameter_schema = {"type": "no such type"}

    with pytest.raises(Exception):  # noqa: B017 (jsonschema's SchemaError)
        register_indicator_kind(Broken())
    assert get_kind("test_broken") is None


@pytest.mark.django_db
def test_redefining_an_indicator_keeps_manual_values_meaningful():
    target = TargetFactory()
    first = services.indicator_define(actor=SYSTEM, target=target, kind="manual", parameters={"source": "A"})
    assert services.indicator_define(actor=SYSTEM, target=target, kind="manual", parameters={"source": "A"}) == first
    target.refresh_from_db()
    services.manual_value_record(actor=SYSTEM, target=target, value=Decimal("3"), as_of=datetime.date(2024, 1, 1))
    second = services.indicator_define(actor=SYSTEM, target=target, kind="manual", parameters={"source": "B"})
    assert second.pk != first.pk
    assert first.manual_values.count() == 1
