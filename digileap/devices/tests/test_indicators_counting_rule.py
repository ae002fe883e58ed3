"""Issue 11, defect 12: which devices count is a parameter of the device kinds (``count``), by default
only the devices the school accepted (neither missing nor damaged), and the evidence pack follows it
and states it.

The hand-built programme of ``test_indicators_kinds.data`` on 30 June 2024, plus SN-A4, delivered
with DN-1 and accepted on 11 January but recorded as damaged:

- accepted: A1, A2 (DN-1, accepted 11 January), S1 (bought by the school and reported);
- delivered, not accepted yet: B1 (DN-2), B2 (DN-3, accepted on 2 July);
- A3 missing at acceptance; B3 delivered on 1 July; C1 never delivered.
"""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from digileap.accounts.models import Role
from digileap.programmes import evidence
from digileap.programmes import services as programme_services
from digileap.programmes.indicators import get_kind
from digileap.programmes.tests.factories import IndicatorFactory, TargetFactory

from . import test_indicators_kinds
from .factories import DeviceFactory

pytestmark = pytest.mark.django_db

JUNE_30 = test_indicators_kinds.JUNE_30
ACCEPTED_RULE = (
    "Only devices the school accepted on or before the day count (devices the school bought and reported itself "
    "count as accepted); devices recorded as missing or damaged at acceptance do not."
)


@pytest.fixture
def data(world, role_users):
    data = test_indicators_kinds.data.__wrapped__(world, role_users)
    DeviceFactory(
        serial="SN-A4",
        device_model=data.laptop,
        school=data.a,
        programme=data.programme,
        funding_source=data.source,
        status_changed_at=test_indicators_kinds.at(2024, 1, 10, 9),
        delivered_on=datetime.date(2024, 1, 10),
        delivery=data.a1.delivery,
        accepted_at=test_indicators_kinds.at(2024, 1, 11),
        discrepancy="damaged",
    )
    return data


def target_of(data, kind, parameters, **fields):
    indicator = IndicatorFactory(programme=data.programme, kind=kind, parameters=parameters)
    return TargetFactory(programme=data.programme, unit="devices", indicator=indicator, **fields)


@pytest.mark.parametrize(
    ("parameters", "serials"),
    [
        ({}, ["SN-A1", "SN-A2", "SN-S1"]),
        ({"count": "accepted"}, ["SN-A1", "SN-A2", "SN-S1"]),
        ({"count": "delivered"}, ["SN-A1", "SN-A2", "SN-A4", "SN-S1", "SN-B1", "SN-B2"]),
        ({"count": "all_not_damaged"}, ["SN-A1", "SN-A2", "SN-S1", "SN-B1", "SN-B2"]),
        # The older form: accepted_only true is "accepted", false is "delivered".
        ({"accepted_only": True}, ["SN-A1", "SN-A2", "SN-S1"]),
        ({"accepted_only": False}, ["SN-A1", "SN-A2", "SN-A4", "SN-S1", "SN-B1", "SN-B2"]),
    ],
)
def test_the_counting_rule_decides_the_value_and_the_records(data, parameters, serials):
    kind = get_kind("devices_delivered")
    target = target_of(data, "devices_delivered", parameters)
    assert kind.compute(target, JUNE_30) == Decimal(len(serials))
    records = kind.records(target, JUNE_30)
    assert [row[0] for row in records.rows] == serials


def test_accepted_counts_from_the_day_of_acceptance(data):
    kind = get_kind("devices_delivered")
    target = target_of(data, "devices_delivered", {})
    assert [kind.compute(target, day) for day in (datetime.date(2024, 1, 10), datetime.date(2024, 1, 11))] == [
        Decimal(0),
        Decimal(2),
    ]
    assert kind.compute(target, datetime.date(2024, 7, 1)) == Decimal(3)  # B3 delivered, not accepted
    assert kind.compute(target, datetime.date(2024, 7, 2)) == Decimal(4)  # B2 accepted


def test_devices_deployed_follow_the_rule_too(data):
    kind = get_kind("devices_deployed")
    # A1 and A2 were accepted and handed out; B1 was handed out before its delivery was accepted.
    assert kind.compute(target_of(data, "devices_deployed", {}), JUNE_30) == Decimal(2)
    assert kind.compute(target_of(data, "devices_deployed", {"count": "delivered"}), JUNE_30) == Decimal(3)


def test_the_rule_is_a_documented_parameter(data, role_users):
    schema = get_kind("devices_delivered").parameter_schema["properties"]["count"]
    assert schema["enum"] == ["accepted", "delivered", "all_not_damaged"]
    admin = role_users[Role.ADMINISTRATOR]
    target = TargetFactory(programme=data.programme, indicator=None)
    for parameters, message in (
        ({"count": "everything"}, "count: 'everything' is not one of ['accepted', 'delivered', 'all_not_damaged']"),
        (
            {"count": "delivered", "accepted_only": True},
            "count and accepted_only: give count only (accepted_only is its older form).",
        ),
    ):
        with pytest.raises(ValidationError) as raised:
            programme_services.indicator_define(
                actor=admin, target=target, kind="devices_delivered", parameters=parameters
            )
        assert raised.value.message_dict == {"parameters": [message]}


def test_the_evidence_pack_follows_and_states_the_rule(data, monkeypatch):
    stated = []
    render = evidence._summary_pdf

    def summary(context):
        stated.append(context["counting_rule"])
        return render(context)

    monkeypatch.setattr(evidence, "_summary_pdf", summary)
    pack = evidence.build_pack(target_of(data, "devices_delivered", {}, number="405"), JUNE_30)
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        rows = list(csv.reader(io.StringIO(archive.read("records.csv").decode()), delimiter=";"))
        totals = archive.read("totals_by_school.csv").decode()
    assert (manifest["value"], manifest["record_count"]) == ("3.00", 3)
    assert manifest["method"] == {
        "indicator": "devices_delivered",
        "label": "Devices delivered",
        "parameters": {},
        "counting_rule": ACCEPTED_RULE,
    }
    assert [row[0] for row in rows[1:]] == ["SN-A1", "SN-A2", "SN-S1"]
    assert [row[-1] for row in rows[1:]] == ["", "", ""]  # no discrepancy among them
    assert totals.splitlines()[1:] == ["1001;INSIDE school;3;"]
    assert stated == [ACCEPTED_RULE]
