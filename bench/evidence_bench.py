"""The evidence pack of a target that lists every device (issue 10: <= 15 s, <= 300 MB at 1,000,000).

Run by bench/run.py with DATABASE_URL set to a fresh database, or by hand:
``DATABASE_URL=sqlite:////tmp/evidence.sqlite3 .venv/bin/python bench/evidence_bench.py --devices 100000``.

Three steps, each in its own process (so that the pack's peak memory is its own):

``--build``     migrates, then builds (bulk inserts, never through the importer) 4,000 schools, a
                catalogue, deliveries (70 % accepted), self-bought purchases for 2 % of the devices,
                ``--devices`` devices with their first lifecycle events, and a "devices delivered"
                target over them all. Some school names start with ``=``, ``+``, ``-``, ``@`` or hold
                ``;`` and quotes, so that the formula escaping and the CSV quoting have work to do.
                No ANALYZE: the tables are left without statistics, as right after a bulk import.
``--pack``      builds the evidence pack (``build_pack``), timing its phases, with its peak RSS. Run
                twice: first on the tables without statistics (the pack analyses them first: the
                figure of an installation whose import did not), then again (the figure of the aim,
                as after an import that analysed its tables, which the importers do).
``--baseline``  the raw baseline on the same database: on PostgreSQL ``COPY (the records query) TO
                STDOUT`` into a file; on SQLite a plain cursor over the same query, fetched and
                written with ``csv.writer``.

Without a step it runs them in turn (as subprocesses) and prints one JSON line with ``seconds``,
``baseline_seconds``, ``ratio`` (seconds / baseline seconds), ``max_rss_mb`` and the same for the
first pack (``first``), the phases (``steps``) and the build.
Nothing is asserted (see bench/README.md).
"""

import argparse
import csv
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import bench_admin, migrate, setup

HERE = Path(__file__).resolve().parent
SCHOOLS = 4_000
PROGRAMME = "bench-evidence"
TARGET = "E1"
AS_OF = datetime.date(2026, 6, 30)
MODELS = [
    ("bench-l14", "Lenovo", "ThinkPad L14 Gen 4", "laptop"),
    ("bench-cb314", "Acer", "Chromebook 314", "chromebook"),
    ("bench-ipad", "Apple", "iPad 10.9 (10th gen)", "tablet"),
    ("bench-u6", "Ubiquiti", "U6 Pro", "access_point"),
]
# Names a spreadsheet would run as formulas, or that need quoting in a CSV.
RISKY_NAMES = ['=HYPERLINK("x")', "+49 Schule", "-Ost- Schule", "@Campus", 'Schule "Am Park"; Nord']


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(devices: int) -> dict:
    """The data, in one transaction (on SQLite one commit instead of one per batch)."""
    from django.db import transaction

    with transaction.atomic():
        return _build(devices)


def _build(devices: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from digileap.core.bulk import bulk_insert
    from digileap.core.model_fields import model_field
    from digileap.devices import lifecycle
    from digileap.devices.models import Delivery, Device, DeviceEvent, DeviceModel, SelfPurchase, Supplier
    from digileap.programmes import services
    from digileap.programmes.models import FundingSource
    from digileap.schools.models import Authority, School, SchoolOperator

    admin = bench_admin()
    coordinator = get_user_model().objects.create(username="bench-coordinator")
    rng = random.Random(10)
    started = time.perf_counter()
    authority = Authority.objects.create(
        code="BENCH-EVI", name="Bench evidence authority", kind="ministry", country="DE"
    )
    SchoolOperator.objects.bulk_create(
        SchoolOperator(authority=authority, code=f"OP{n:03d}", name=f"Bench operator {n:03d}") for n in range(100)
    )
    operators = list(SchoolOperator.objects.filter(authority=authority).order_by("code"))
    School.objects.bulk_create(
        (
            School(
                authority=authority,
                operator=operators[n % 100],
                number=f"{70_000_000 + n}",
                name=RISKY_NAMES[n // 50 % len(RISKY_NAMES)] if n % 50 == 7 else f"Schule {n:04d}",
                isced_1=n % 3 == 0,
                isced_2=n % 3 != 0,
            )
            for n in range(SCHOOLS)
        ),
        batch_size=2000,
    )
    school_ids = list(School.objects.filter(authority=authority).order_by("number").values_list("pk", flat=True))
    models = [
        DeviceModel.objects.create(authority=authority, code=code, manufacturer=maker, name=name, device_type=kind)
        for code, maker, name, kind in MODELS
    ]
    supplier = Supplier.objects.create(name="Bench supplier GmbH")
    programme = services.programme_create(
        actor=admin,
        data={
            "code": PROGRAMME,
            "name": {"en": "Bench evidence"},
            "authority": authority,
            "country": "DE",
            "period_start": datetime.date(2025, 1, 1),
            "period_end": datetime.date(2027, 12, 31),
            "status": "in_progress",
            "is_public": True,
            "sdgs": [4],
            "climate_contribution": 0,
            "digital_contribution": 100,
        },
    )
    source = FundingSource.objects.create(programme=programme, kind="eu_rrf", amount=500_000_000, position=1)
    target = services.target_create(
        actor=admin,
        programme=programme,
        data={
            "kind": "target",
            "position": 1,
            "number": TARGET,
            "title": {"en": "Devices delivered"},
            "target_value": devices,
            "due_date": datetime.date(2027, 6, 30),
        },
    )
    services.indicator_define(actor=admin, target=target, kind="devices_delivered", parameters={})

    now = timezone.now()
    first_day = datetime.date(2025, 9, 1)
    batches = max(1, (devices + 49_999) // 50_000)

    def delivery_rows():
        for batch in range(batches):
            day = first_day + datetime.timedelta(days=batch * 7)
            accepted_at = timezone.make_aware(
                datetime.datetime.combine(day + datetime.timedelta(days=2), datetime.time(9))
            )
            for index, school_id in enumerate(school_ids):
                accepted = (index + batch) % 10 < 7
                yield (
                    programme.pk, school_id, supplier.pk, f"LS-{index:05d}-{batch:03d}", day,
                    "accepted" if accepted else "pending", coordinator.pk if accepted else None,
                    accepted_at if accepted else None, "", admin.pk, now,
                )  # fmt: skip

    bulk_insert(
        Delivery,
        ["programme_id", "school_id", "supplier_id", "note_number", "delivered_on", "acceptance", "accepted_by_id",
         "accepted_at", "acceptance_note", "created_by_id", "created_at"],
        delivery_rows(),
    )  # fmt: skip
    delivery_ids = dict(
        ((school_id, note), pk)
        for school_id, note, pk in Delivery.objects.filter(programme=programme).values_list(
            "school_id", "note_number", "pk"
        )
    )
    purchases_per_school = 2
    bulk_insert(
        SelfPurchase,
        ["programme_id", "funding_source_id", "school_id", "invoice_reference", "invoice_date", "vendor", "amount",
         "note", "reported_by_id", "reported_at"],
        (
            (programme.pk, source.pk, school_id, f"RE-{index:05d}-{p}", first_day, "Local shop", 4_200, "",
             coordinator.pk, now)
            for index, school_id in enumerate(school_ids) for p in range(purchases_per_school)
        ),
    )  # fmt: skip
    purchase_ids = dict(
        ((school_id, ref), pk)
        for school_id, ref, pk in SelfPurchase.objects.filter(programme=programme).values_list(
            "school_id", "invoice_reference", "pk"
        )
    )

    def device_rows():
        for n in range(devices):
            index = n % SCHOOLS
            school_id = school_ids[index]
            model = models[0 if n % 10 < 6 else 1 if n % 10 < 8 else 2 if n % 10 < 9 else 3]
            batch = n // 50_000
            day = first_day + datetime.timedelta(days=batch * 7)
            bought = n % 50 == 3
            delivery = None if bought else delivery_ids[(school_id, f"LS-{index:05d}-{batch:03d}")]
            purchase = purchase_ids[(school_id, f"RE-{index:05d}-{n % purchases_per_school}")] if bought else None
            roll = rng.random()
            discrepancy = "missing" if roll < 0.002 else "damaged" if roll < 0.007 else ""
            mac = ":".join(f"{(n >> shift) & 0xFF:02X}" for shift in (40, 32, 24, 16, 8, 0))
            yield (
                f"PF{n:010d}", model.manufacturer, model.pk, model.device_type,
                "refurbished" if roll > 0.9 else "new", f"INV-{n:08d}", programme.pk, school_id,
                None if bought else supplier.pk, delivery, purchase, source.pk, "delivered", now, day, None, now,
                None, discrepancy, mac, "", "", "",
            )  # fmt: skip

    device_fields = [
        "serial", "manufacturer", "device_model_id", "device_type", "condition", "asset_tag", "programme_id",
        "school_id", "supplier_id", "delivery_id", "purchase_id", "funding_source_id", "status",
        "status_changed_at", "delivered_on", "first_deployed_on", "created_at", "accepted_at", "discrepancy",
        "mac_address", "autopilot_hash", "windows_product_id", "google_device_id",
    ]  # fmt: skip
    bulk_insert(Device, device_fields, device_rows())
    # The first lifecycle event of every device, in SQL (no ids through Python).
    event = DeviceEvent._meta
    fields = lifecycle.initial_event_fields()

    def column(name: str) -> str:
        column = model_field(DeviceEvent, name).column
        assert column is not None  # a concrete field
        return column

    columns = ", ".join(connection.ops.quote_name(column(name)) for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(event.db_table)} ({columns}) "
            f"SELECT id, 'delivered', '', status_changed_at, NULL, 'bench', '', '{{}}' "
            f"FROM {connection.ops.quote_name(Device._meta.db_table)}"
        )
    return {
        "devices": Device.objects.count(),
        "events": DeviceEvent.objects.count(),
        "deliveries": len(delivery_ids),
        "schools": len(school_ids),
        "build_seconds": time.perf_counter() - started,
    }


def _target():
    from digileap.programmes.models import Target

    return Target.objects.select_related("programme", "indicator").get(programme__code=PROGRAMME, number=TARGET)


def pack() -> dict:
    from digileap.programmes.evidence import build_pack

    target = _target()
    rss_before = maxrss_mb()
    phases: list[tuple[int, float]] = []
    started = time.perf_counter()
    data = build_pack(target, AS_OF, progress=lambda percent: phases.append((percent, time.perf_counter())))
    seconds = time.perf_counter() - started
    marks = [(0, started), *phases]
    names = {5: "statistics", 10: "value", 40: "records.csv and totals", 55: "totals csv", 90: "summary.pdf",
             100: "zip"}  # fmt: skip
    steps = {
        names.get(percent, f"to {percent} %"): round(at - before, 3)
        for (_p, before), (percent, at) in zip(marks, marks[1:], strict=False)
    }
    import hashlib
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    return {
        "seconds": seconds,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "records": manifest["record_count"],
        "records_bytes": manifest["files"]["records.csv"]["bytes"],
        "value": manifest["value"],
        "steps": steps,
        "max_rss_mb_before": rss_before,
        "max_rss_mb": maxrss_mb(),
    }


def baseline() -> dict:
    """The records query itself, straight into a file: COPY on PostgreSQL, a cursor and csv.writer on SQLite."""
    from django.db import connection

    from digileap.programmes.indicators import get_kind

    target = _target()
    kind = get_kind(target.defined_indicator.kind)
    assert kind is not None
    records = kind.records(target, AS_OF)
    rows = records.rows
    queryset = rows.ordered() if hasattr(rows, "ordered") else None
    if queryset is None:
        raise SystemExit("the records are not one query")
    sql, params = queryset.query.sql_with_params()
    with tempfile.TemporaryFile() as output, connection.cursor() as cursor:
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
                for chunk in copy:
                    output.write(chunk)
        else:
            text = open(output.fileno(), "w", encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
            writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
            writer.writerow(records.columns)
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(10_000):
                writer.writerows(batch)
            text.flush()
        seconds = time.perf_counter() - started
        size = output.tell()
    return {"baseline_seconds": seconds, "baseline_bytes": size, "baseline_max_rss_mb": maxrss_mb()}


def run_step(step: str, devices: int) -> dict:
    completed = subprocess.run(
        [sys.executable, str(HERE / "evidence_bench.py"), step, "--devices", str(devices)],
        cwd=HERE,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr[-4000:])
        raise RuntimeError(f"evidence_bench.py {step} failed with exit code {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=1_000_000)
    step = parser.add_mutually_exclusive_group()
    step.add_argument("--build", action="store_true")
    step.add_argument("--pack", action="store_true")
    step.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    if not (args.build or args.pack or args.baseline):
        result = {"devices": args.devices, "build": run_step("--build", args.devices)}
        first = run_step("--pack", args.devices)
        result.update(run_step("--pack", args.devices))
        result.update(run_step("--baseline", args.devices))
        result["ratio"] = result["seconds"] / result["baseline_seconds"]
        first["ratio"] = first["seconds"] / result["baseline_seconds"]
        result["first"] = first
        result["same_bytes"] = first["sha256"] == result["sha256"]
        print(json.dumps(result))
        return
    setup()
    if args.build:
        migrate()
        print(json.dumps(build(args.devices)))
    elif args.pack:
        print(json.dumps(pack()))
    else:
        print(json.dumps(baseline()))


if __name__ == "__main__":
    main()
