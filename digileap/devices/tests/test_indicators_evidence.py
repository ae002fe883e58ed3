"""Evidence packs of device targets (the programmes' evidence service over the device kinds), and
the cache of computed values."""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.devices.indicators import data_stamp
from digileap.devices.models import Device
from digileap.programmes import evidence, services
from digileap.programmes.indicators import get_kind
from digileap.programmes.models import EvidencePack, Target
from digileap.programmes.tests.factories import IndicatorFactory, TargetFactory

from . import test_indicators_kinds

JUNE_30 = test_indicators_kinds.JUNE_30
data = test_indicators_kinds.data  # the hand-built programme, as a fixture of this module too

D = Decimal


def _target(data, kind: str, parameters=None, **fields) -> Target:
    fields.setdefault("programme", data.programme)
    fields.setdefault("number", "405")
    parameters = test_indicators_kinds.delivered_rule(kind, parameters)
    indicator = IndicatorFactory(programme=fields["programme"], kind=kind, parameters=parameters)
    return TargetFactory(title={"en": "Devices delivered"}, unit="devices", indicator=indicator, **fields)


def _read(pack: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";"))


def test_the_pack_of_a_devices_target_lists_every_device(data):
    target = _target(data, "devices_delivered", {"device_types": ["laptop", "tablet"]})
    files = _read(evidence.build_pack(target, JUNE_30))

    assert sorted(files) == ["manifest.json", "records.csv", "summary.pdf", "totals_by_school.csv"]
    manifest = json.loads(files["manifest.json"])
    assert manifest["value"] == "5.00"
    assert manifest["record_count"] == 5
    assert manifest["method"] == {
        "indicator": "devices_delivered",
        "label": "Devices delivered",
        "parameters": {"device_types": ["laptop", "tablet"], "count": "delivered"},
        "counting_rule": "Every device delivered counts, whether or not the school has accepted it yet, damaged "
        "devices included; only devices recorded as missing at acceptance do not.",
    }
    rows = _csv(files["records.csv"])
    assert rows[0] == [
        "serial",
        "manufacturer",
        "model",
        "device_type",
        "condition",
        "school_number",
        "school_name",
        "funding_source",
        "delivery_note",
        "invoice",
        "delivered_on",
        "accepted_at",
        "accepted_by",
        "discrepancy",
    ]
    assert [row[0] for row in rows[1:]] == ["SN-A1", "SN-A2", "SN-S1", "SN-B1", "SN-B2"]
    assert rows[1] == [
        "SN-A1", "Lenovo", "ThinkPad L13", "laptop", "new", "1001", "INSIDE school", "eu_rrf", "DN-1", "",
        "2024-01-10", "2024-01-11T09:00:00+00:00", "coordinator-a", "",
    ]  # fmt: skip
    assert _csv(files["totals_by_school.csv"]) == [
        ["school_number", "school_name", "records", "amount_eur"],
        ["1001", "INSIDE school", "3", ""],
        ["1003", "INSIDE secondary", "2", ""],
    ]
    assert evidence.verify_pack(io.BytesIO(evidence.build_pack(target, JUNE_30))).ok


def test_the_same_data_give_the_same_pack(data):
    target = _target(data, "devices_deployed")
    assert evidence.build_pack(target, JUNE_30) == evidence.build_pack(target, JUNE_30)


def test_the_pack_of_pupils_with_a_device(data):
    target = _target(data, "pupils_with_device", {"as_ratio": True}, number="P1")
    files = _read(evidence.build_pack(target, datetime.date(2024, 9, 1)))
    manifest = json.loads(files["manifest.json"])
    assert (manifest["value"], manifest["record_count"]) == ("0.67", 2)
    assert [row[0] for row in _csv(files["records.csv"])[1:]] == ["7B-01", "8A-01"]


def test_the_background_pack_and_the_download_are_scoped(data, world, role_users):
    target = _target(data, "devices_delivered")
    owner = role_users[Role.PROGRAMME_OWNER]
    pack = services.evidence_pack_request(actor=owner, target=target, as_of=JUNE_30)
    pack = services.evidence_pack_build(pack=EvidencePack.objects.get(pk=pack.pk))
    assert pack.status == EvidencePack.Status.DONE
    with pack.file.open("rb") as file:
        assert json.loads(_read(file.read())["manifest.json"])["record_count"] == 5

    url = reverse("programmes:target-evidence-download", kwargs={"pk": target.pk}) + "?as_of=2024-06-30"
    for role, status in ((Role.AUDITOR, 200), (Role.PROGRAMME_OWNER, 200), (Role.SUPPLIER, 404)):
        client = Client()
        client.force_login(role_users[role])
        assert client.get(url).status_code == status, role


@pytest.fixture
def caching(settings):
    settings.DEVICES_INDICATOR_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_values_computed_outside_a_transaction_are_cached_until_the_data_change(
    caching, world, role_users, django_assert_num_queries
):
    from .factories import DeviceFactory

    device = DeviceFactory(programme__authority=world.authority, serial="SN-CACHE-1")
    indicator = IndicatorFactory(
        programme=device.programme, kind="devices_delivered", parameters={"count": "delivered"}
    )
    target = Target.objects.select_related("indicator").get(
        pk=TargetFactory(programme=device.programme, indicator=indicator).pk
    )
    today = device.delivered_on
    kind = get_kind("devices_delivered")

    with django_assert_num_queries(2):  # the data stamp, then the count
        assert kind.compute(target, today) == D(1)
    with django_assert_num_queries(1):  # the stamp only
        assert kind.compute(target, today) == D(1)
    stamp = data_stamp()

    DeviceFactory(programme=device.programme, school=device.school, device_model=device.device_model)
    assert data_stamp() != stamp
    assert kind.compute(target, today) == D(2)

    # A change that appends nothing (no event, no audit) keeps the stamp: the cached value stays.
    Device.objects.filter(serial="SN-CACHE-1").update(discrepancy="missing")
    assert kind.compute(target, today) == D(2)
    assert kind.count(target, today) == D(1)
    # Services record every change in the audit trail, which makes a new stamp.
    from digileap.core import audit

    audit.record(
        actor=role_users[Role.ADMINISTRATOR], action="update", instance=device, after={"discrepancy": "missing"}
    )
    assert kind.compute(target, today) == D(1)


def test_inside_a_transaction_nothing_is_cached(caching, data, django_assert_num_queries):
    target = Target.objects.select_related("indicator").get(pk=_target(data, "devices_delivered").pk)
    for _ in range(2):
        with django_assert_num_queries(1):
            assert get_kind("devices_delivered").compute(target, JUNE_30) == D(5)


def test_the_cache_can_be_switched_off(settings, data):
    settings.DEVICES_INDICATOR_CACHE_SECONDS = 0
    target = _target(data, "access_points_installed")
    assert get_kind("access_points_installed").compute(target, JUNE_30) == D(0)
