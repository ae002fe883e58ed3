"""Done means (issue 15): erasing one pupil leaves every indicator value unchanged, and the evidence
packs still build with the same counts.

Every registered indicator kind gets a target on the devices programme of
``devices/tests/test_indicators_kinds.py`` (the kinds that need a parameter get one, and the device
and pupil kinds get several variants that count by what erasure keeps: pupil or teacher, level,
eligibility group). Each value is computed on days when the erased pupil held a device and after,
before and after the erasure: exactly equal. A kind registered later without an entry in
``REQUIRED_PARAMETERS`` (when it needs one) fails ``test_every_kind_has_a_target`` by name."""

import csv
import datetime
import io
import json
import zipfile

from digileap.accounts.models import Role
from digileap.devices.models import Ticket
from digileap.devices.tests import test_indicators_kinds
from digileap.privacy.services import erase_recipient, export_recipient
from digileap.programmes import evidence, services
from digileap.programmes.indicators import kinds, plain_schema
from digileap.programmes.tests.factories import IndicatorFactory, TargetFactory

from .rights_world import at

data = test_indicators_kinds.data  # the hand-built programme, as a fixture of this module too
day = datetime.date

REQUIRED_PARAMETERS = {
    "connectivity_schools_meeting": {"benchmark": "eu-gigabit"},
    "funding_money": {"stage": "paid"},
    "money": {"measure": "paid"},
    "training_self_assessment_level": {"round": "before"},
}
VARIANTS = {
    "devices_deployed": [{"target_group": "pupil"}, {"target_group": "pupil", "levels": [1]}],
    "devices_delivered": [{"target_group": "pupil"}, {"count": "delivered"}],
    "pupils_with_device": [
        {"levels": [1]},
        {"levels": [1, 2]},
        {"eligibility_groups": ["low-income"]},
        {"as_ratio": True},
        {"as_ratio": True, "levels": [1]},
        {"as_ratio": True, "enrolment_of": "schools_with_recipients"},
    ],
}
# p1 holds SN-A1 from 02-01 to 04-01; the others as in the fixture.
DAYS = [day(2024, 2, 1), day(2024, 3, 15), day(2024, 4, 1), test_indicators_kinds.JUNE_30]


def _parameter_sets(kind) -> list[dict]:
    return [REQUIRED_PARAMETERS.get(kind.code, {}), *VARIANTS.get(kind.code, [])]


def _targets(data) -> list:
    targets = []
    for kind in kinds():
        for parameters in _parameter_sets(kind):
            indicator = IndicatorFactory(programme=data.programme, kind=kind.code, parameters=parameters)
            targets.append(TargetFactory(programme=data.programme, indicator=indicator))
    return targets


def _values(targets) -> dict:
    return {
        (target.indicator.kind, json.dumps(target.indicator.parameters, sort_keys=True), as_of): services.target_value(
            target, as_of
        )
        for target in targets
        for as_of in DAYS
    }


def _pack_counts(target, as_of) -> tuple:
    with zipfile.ZipFile(io.BytesIO(evidence.build_pack(target, as_of))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        totals = list(csv.reader(io.StringIO(archive.read("totals_by_school.csv").decode()), delimiter=";"))
        records = list(csv.reader(io.StringIO(archive.read("records.csv").decode()), delimiter=";"))
    return manifest["value"], manifest["record_count"], totals, len(records)


def test_every_kind_has_a_target(data):
    missing = [
        kind.code
        for kind in kinds()
        if plain_schema(kind.parameter_schema).get("required") and kind.code not in REQUIRED_PARAMETERS
    ]
    assert missing == []
    targets = _targets(data)
    assert {t.indicator.kind for t in targets} == {kind.code for kind in kinds()}


def test_erasing_one_pupil_leaves_every_indicator_value_and_pack_count_unchanged(data, role_users):
    # p1 gets an eligibility group and a ticket about their time with SN-A1, so that erasure has
    # something to keep and something to redact.
    data.p1.eligibility_group = "low-income"
    data.p1.save(update_fields=["eligibility_group"])
    Ticket.objects.create(
        device=data.a1,
        school=data.a,
        category="damage",
        description="5A-01 dropped it",
        opened_at=at(2024, 3, 1),
        status="closed",
        closed_at=at(2024, 3, 2),
        resolution="Screen replaced for 5A-01",
    )
    targets = _targets(data)
    pupils = TargetFactory(
        programme=data.programme,
        indicator=IndicatorFactory(programme=data.programme, kind="pupils_with_device", parameters={}),
    )
    deployed = TargetFactory(
        programme=data.programme,
        indicator=IndicatorFactory(
            programme=data.programme,
            kind="devices_deployed",
            parameters={"target_group": "pupil", "count": "delivered"},
        ),
    )
    before = _values(targets)
    packs_before = {(target.pk, as_of): _pack_counts(target, as_of) for target in (pupils, deployed) for as_of in DAYS}
    # The world has what erasure must keep counting: the pupil counted on 03-15, not on 04-01.
    assert before[("pupils_with_device", "{}", day(2024, 3, 15))] == 2  # p1 (SN-A1), p2 (SN-B1)
    assert before[("pupils_with_device", '{"eligibility_groups": ["low-income"]}', day(2024, 3, 15))] == 2
    assert before[("pupils_with_device", "{}", day(2024, 4, 1))] == 1

    erasure = erase_recipient(actor=role_users[Role.DATA_PROTECTION_OFFICER], recipient=data.p1, reason="request")

    assert _values(targets) == before
    packs_after = {(target.pk, as_of): _pack_counts(target, as_of) for target in (pupils, deployed) for as_of in DAYS}
    assert packs_after == packs_before
    assert packs_before[(pupils.pk, day(2024, 3, 15))][:2] == ("2.00", 2)
    # The pack's records name the pupil by the tombstone now.
    with zipfile.ZipFile(io.BytesIO(evidence.build_pack(pupils, day(2024, 3, 15)))) as archive:
        records = archive.read("records.csv").decode()
    assert erasure.tombstone in records and "5A-01" not in records


def test_the_export_of_the_fixture_pupil_lists_every_related_object(data, role_users):
    ticket = Ticket.objects.create(
        device=data.b1, school=data.b, category="software", description="x", opened_at=at(2024, 3, 10)
    )
    exported = export_recipient(actor=role_users[Role.DATA_PROTECTION_OFFICER], recipient=data.p2)
    assert [a["id"] for a in exported["assignments"]] == [data.assignment_p2.pk]
    assert [g["assignment"] for g in exported["agreements"]] == [data.assignment_p2.pk]
    assert [t["id"] for t in exported["tickets"]] == [ticket.pk]
    assert exported["returns"] == []
