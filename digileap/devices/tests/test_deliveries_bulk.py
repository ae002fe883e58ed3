"""The set-based path of the delivery importer against the row-by-row path: on the same generated
files (good, bad, repeated, re-imported; CSV as Excel writes it and XLSX), both give the same
counts, the same errors and the same stored rows."""

import datetime
import io

import openpyxl
import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.devices.importers.deliveries import DeliveryImporter
from digileap.devices.importers.deliveries_bulk import python_strip, python_upper
from digileap.devices.lifecycle import device_status_check
from digileap.devices.models import Delivery, Device, DeviceEvent, SelfPurchase

from .factories import DeliveryFactory, DeviceFactory
from .factories_deliveries import HEADER, delivery_setup, device_row

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("system (test)")
SITE_HEADER = [*HEADER, "site", "condition", "programme"]


class Rollback(Exception):
    pass


@pytest.fixture
def setup(world):
    return delivery_setup(world)


def excel_csv(rows: list[list[str]], header=SITE_HEADER) -> bytes:
    """``;``-separated Windows-1252 with CRLF, as Excel saves "CSV" on a German desktop."""
    lines = [";".join(header)] + [";".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def workbook(rows: list[list[str]], header=SITE_HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(serial, *, site="", condition="", programme="digi-in", **options) -> list[str]:
    return [*device_row(serial, **options), site, condition, programme]


def stored() -> dict:
    """Everything an import writes, without ids and times that differ between two runs."""
    notes = dict(Delivery.objects.values_list("id", "note_number"))
    return {
        "deliveries": sorted(
            Delivery.objects.values_list(
                "note_number",
                "school_id",
                "programme_id",
                "order_id",
                "supplier_id",
                "site_id",
                "delivered_on",
                "acceptance",
                "created_by_id",
            ),
            key=repr,
        ),
        "devices": sorted(
            [
                (notes.get(values[0]), *values[1:])
                for values in Device.objects.values_list(
                    "delivery_id",
                    "serial",
                    "manufacturer",
                    "device_model_id",
                    "device_type",
                    "condition",
                    "asset_tag",
                    "mac_address",
                    "autopilot_hash",
                    "windows_product_id",
                    "google_device_id",
                    "programme_id",
                    "funding_source_id",
                    "school_id",
                    "site_id",
                    "supplier_id",
                    "order_line_id",
                    "purchase_id",
                    "status",
                    "status_changed_at",
                    "delivered_on",
                    "discrepancy",
                )
            ],
            key=repr,
        ),
        "events": sorted(
            DeviceEvent.objects.values_list(
                "device__serial",
                "device__manufacturer",
                "status",
                "previous_status",
                "occurred_at",
                "actor_id",
                "actor_label",
                "reason",
                "data",
            ),
            key=repr,
        ),
        "audit": sorted(
            (event.action, event.object_type, event.object_repr, sorted(event.after.items()))
            for event in AuditEvent.objects.filter(object_type__in=("devices.delivery", "devices.import"))
        ),
        "status_check": device_status_check(),
    }


def outcome(monkeypatch, data: bytes, *, bulk: bool, filename="delivery.csv", **options):
    """Import with one path inside a savepoint that is rolled back: (result or errors, stored rows)."""
    monkeypatch.setattr(DeliveryImporter, "bulk_path", bulk)
    found = {}
    try:
        with transaction.atomic():
            try:
                result = run_import(
                    target="deliveries",
                    source=io.BytesIO(data),
                    profile="generic",
                    actor=SYSTEM,
                    filename=filename,
                    **options,
                )
                found["result"] = (result.summary(), result.rows, result.errors, result.committed)
            except ImportRejected as rejected:
                result = rejected.result
                found["result"] = ("rejected", result.summary(), result.rows, result.errors)
            found["stored"] = stored()
            raise Rollback
    except Rollback:
        pass
    return found


def assert_same(monkeypatch, data: bytes, **options) -> dict:
    rows_path = outcome(monkeypatch, data, bulk=False, **options)
    bulk_path = outcome(monkeypatch, data, bulk=True, **options)
    assert bulk_path["result"] == rows_path["result"]
    assert bulk_path["stored"] == rows_path["stored"]
    return bulk_path


def good_rows() -> list[list[str]]:
    rows = [row(f"GOOD{n:03d}", asset=f"A-{n}", mac=f"aa-bb-cc-dd-ee-{n:02x}") for n in range(12)]
    rows += [row(f"SITE{n}", note="DN-S", site="Annex", condition="refurbished") for n in range(3)]
    rows += [row("ONE-OFF", note="DN-MIX", site="Annex"), row("TWO-OFF", note="DN-MIX")]
    rows += [row(f"TAB{n}", model="Apple iPad 10", note="DN-2", on="02.10.2024", order="") for n in range(3)]
    return rows


def bad_rows() -> list[list[str]]:
    today = timezone.localdate()
    return [
        row("DUP1"),
        row("DUP1", note="DN-9"),
        row("X" * 70),
        row("BADMAC", mac="zz:zz"),
        row("BADDATE", on="31.02.2024"),
        row("FUTURE", on=(today + datetime.timedelta(days=3)).isoformat()),
        row("NOMODEL", model="no such thing"),
        row("NOSCHOOL", school="9999"),
        row("OUTSIDE", school="2002"),
        row("NOSITE", site="Attic"),
        row("NOLINE", model="ipad10"),
        row("BADCOND", condition="broken"),
        row("NOORDER", order="PO-404"),
        row("OTHERDATE", on="2024-10-05"),
        row("", asset="no serial"),
        row("NONOTE", note=""),
        row("LONGTAG", asset="T" * 70),
        row("good-1", asset=" spaced "),
        row("ümlaut-ß"),
    ]


def test_a_good_file_gives_the_same_rows_on_both_paths(setup, monkeypatch):
    found = assert_same(monkeypatch, excel_csv(good_rows()))
    assert found["result"][0] == {"created": 20, "updated": 0, "unchanged": 0, "rejected": 0}
    assert len(found["stored"]["devices"]) == 20
    assert found["stored"]["status_check"] == []


def test_a_bad_file_gives_the_same_errors_on_both_paths(setup, monkeypatch):
    found = assert_same(monkeypatch, excel_csv(good_rows() + bad_rows()))
    assert found["result"][0] == "rejected"
    assert found["result"][1]["rejected"] == 17
    assert {error.column for error in found["result"][3]} == {
        "serial",
        "mac_address",
        "delivered_on",
        "model",
        "school",
        "site",
        "order",
        "condition",
        "asset_tag",
        "delivery_note",
    }
    assert found["stored"]["devices"] == []


def test_skip_invalid_and_dry_run_on_both_paths(setup, monkeypatch):
    data = excel_csv(good_rows() + bad_rows())
    found = assert_same(monkeypatch, data, skip_invalid=True)
    assert found["result"][0]["created"] == 22
    assert assert_same(monkeypatch, data, dry_run=True)["stored"]["devices"] == []


def test_an_xlsx_file_on_both_paths(setup, monkeypatch):
    assert_same(monkeypatch, workbook(good_rows() + bad_rows()), filename="delivery.xlsx", skip_invalid=True)


def test_reimports_and_stored_devices_on_both_paths(world, setup, monkeypatch):
    monkeypatch.setattr(DeliveryImporter, "bulk_path", False)
    run_import(
        target="deliveries",
        source=io.BytesIO(excel_csv(good_rows())),
        profile="generic",
        actor=SYSTEM,
        filename="delivery.csv",
    )
    found = assert_same(monkeypatch, excel_csv(good_rows()))
    assert found["result"][0] == {"created": 0, "updated": 0, "unchanged": 20, "rejected": 0}
    # More rows, a device of the file with another asset tag, a note stored with another date, a
    # serial bought by the school, a serial delivered elsewhere, and a note accepted meanwhile.
    purchase = SelfPurchase.objects.create(
        programme=setup.programme,
        school=world.school,
        invoice_reference="INV-7",
        invoice_date=datetime.date(2024, 9, 1),
        vendor="Shop",
        amount=100,
    )
    DeviceFactory(
        programme=setup.programme, school=world.school, device_model=setup.model, serial="BOUGHT", purchase=purchase
    )
    outside = DeliveryFactory(programme=setup.other_programme, school=world.other_school, note_number="DN-X")
    DeviceFactory(
        programme=setup.other_programme,
        school=world.other_school,
        device_model=setup.other_model,
        serial="ELSEWHERE",
        delivery=outside,
    )
    Delivery.objects.filter(note_number="DN-2").update(
        acceptance="accepted", accepted_at=timezone.make_aware(datetime.datetime(2024, 10, 3, 9))
    )
    changed = good_rows()
    changed[0] = row("GOOD000", asset="A-other", mac="aa-bb-cc-dd-ee-00")
    more = changed + [
        row("NEW1"),
        row("NEW2", note="DN-S", site="Annex"),
        row("LATE", note="DN-S", on="2024-09-30"),
        row("BOUGHT"),
        row("ELSEWHERE"),
        row("TAB9", model="Apple iPad 10", note="DN-2", on="02.10.2024", order=""),
    ]
    found = assert_same(monkeypatch, excel_csv(more))
    assert found["result"][1] == {"created": 2, "updated": 0, "unchanged": 19, "rejected": 5}
    found = assert_same(monkeypatch, excel_csv(more), skip_invalid=True)
    assert found["result"][0] == {"created": 2, "updated": 0, "unchanged": 19, "rejected": 5}


def test_python_strip_and_upper_match_python():
    import pyarrow as pa

    texts = ["ab", " ab ", "\x1cab\x1f", "ümlaut-ß", "\u00a0x\u2003", "", "Ab-1"]
    assert python_strip(pa.array(texts)).to_pylist() == [text.strip() for text in texts]
    assert python_upper(pa.array(texts)).to_pylist() == [text.upper() for text in texts]


def test_the_path_is_chosen_by_the_profile(setup):
    from digileap.core.tabular.profiles import get_profile, profile_from_dict

    generic = get_profile("deliveries", "generic")
    assert DeliveryImporter(profile=generic, actor=SYSTEM).uses_bulk_path() is True
    counted = profile_from_dict(
        {
            "name": "typed",
            "target": "deliveries",
            "columns": [
                {"field": "serial", "source": "serial"},
                {"field": "school", "source": "school", "type": "integer"},
            ],
        }
    )
    assert DeliveryImporter(profile=counted, actor=SYSTEM).uses_bulk_path() is False


def test_the_staging_tables_are_gone_after_the_import(setup, monkeypatch):
    from django.db import connection

    from digileap.devices.importers.deliveries_bulk import STAGE, STAGE_SPECS

    monkeypatch.setattr(DeliveryImporter, "bulk_path", True)
    run_import(
        target="deliveries",
        source=io.BytesIO(excel_csv(good_rows())),
        profile="generic",
        actor=SYSTEM,
        filename="delivery.csv",
    )
    for table in (STAGE, STAGE_SPECS):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table}")
