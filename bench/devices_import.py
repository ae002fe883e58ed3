"""A delivery file of a million devices: import it, then again (every row unchanged).

Run by bench/run.py with DATABASE_URL set to a fresh database (the evidence pack of a million
devices is bench/evidence_bench.py):

``devices_import.py FILE``           builds 4,000 schools and a catalogue, measures the raw baseline
                                     (below), imports FILE (profile ``generic``), then imports it
                                     again (every row unchanged);
``devices_import.py FILE --write N`` writes the file: N devices, ``;``-separated, Windows-1252, as
                                     Excel saves a CSV on a German desktop.

Raw baseline, measured in the same run before the imports: the ``csv`` module reads FILE and the
same device rows (ids looked up in dicts, no delivery) go into the devices table with
``executemany`` on SQLite or ``COPY`` on PostgreSQL, in a transaction that is rolled back.

Prints one JSON line; each of ``empty`` and ``again`` has ``seconds``, ``baseline_seconds``,
``ratio`` (seconds / baseline_seconds) and ``max_rss_mb`` (the process's peak so far), beside
``memory_limit_mb`` (200 MB + 5 × the file, the aim). Nothing is asserted (see bench/README.md).
"""

import argparse
import csv
import datetime
import json
import os
import random
import resource
import sys
import time

from _setup import bench_admin, migrate, setup

SCHOOLS = 4_000
PROGRAMME = "bench-deliveries"
SUPPLIER = "Bench supplier GmbH"
MODELS = [
    ("bench-l14", "Lenovo", "ThinkPad L14 Gen 4", "laptop"),
    ("bench-cb314", "Acer", "Chromebook 314", "chromebook"),
    ("bench-ipad", "Apple", "iPad 10.9 (10th gen)", "tablet"),
    ("bench-u6", "Ubiquiti", "U6 Pro", "access_point"),
]


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_file(path: str, devices: int) -> dict:
    rng = random.Random(5)
    started = time.perf_counter()
    start_day = datetime.date(2025, 9, 1)
    with open(path, "w", encoding="cp1252", newline="") as stream:
        stream.write("serial;model;asset_tag;mac_address;condition;school;delivery_note;delivered_on\r\n")
        for n in range(devices):
            school = n % SCHOOLS
            code = MODELS[0 if n % 10 < 6 else 1 if n % 10 < 8 else 2 if n % 10 < 9 else 3][0]
            day = start_day + datetime.timedelta(days=(n // 50_000))
            mac = ":".join(f"{(n >> shift) & 0xFF:02X}" for shift in (40, 32, 24, 16, 8, 0))
            condition = "refurbished" if rng.random() < 0.1 else "new"
            stream.write(
                f"PF{n:010d};{code};INV-{n:08d};{mac};{condition};{70_000_000 + school};"
                f"LS-{school:05d}-{n // 50_000:03d};{day:%d.%m.%Y}\r\n"
            )
    return {"devices": devices, "seconds": time.perf_counter() - started}


def build(admin):
    from django.utils import timezone

    from digileap.devices.models import DeviceModel, Supplier
    from digileap.programmes import services
    from digileap.schools.models import Authority, School, SchoolOperator

    authority = Authority.objects.create(
        code="BENCH-DEL", name="Bench delivery authority", kind="ministry", country="DE"
    )
    SchoolOperator.objects.bulk_create(
        SchoolOperator(authority=authority, code=f"OP{n:03d}", name=f"Bench operator {n:03d}") for n in range(100)
    )
    operators = list(SchoolOperator.objects.filter(authority=authority).order_by("code"))
    School.objects.bulk_create(
        (
            School(authority=authority, operator=operators[n % 100], number=f"{70_000_000 + n}", name=f"School {n:04d}")
            for n in range(SCHOOLS)
        ),
        batch_size=2000,
    )
    for code, maker, name, kind in MODELS:
        DeviceModel.objects.create(authority=authority, code=code, manufacturer=maker, name=name, device_type=kind)
    Supplier.objects.create(name=SUPPLIER)
    today = timezone.localdate()
    programme = services.programme_create(
        actor=admin,
        data={
            "code": PROGRAMME,
            "name": {"en": "Bench deliveries"},
            "authority": authority,
            "country": "DE",
            "period_start": datetime.date(2025, 1, 1),
            "period_end": today + datetime.timedelta(days=400),
            "status": "in_progress",
            "is_public": True,
            "sdgs": [4],
            "climate_contribution": 0,
            "digital_contribution": 100,
        },
    )
    return programme


class _Rollback(Exception):
    pass


def baseline(path: str) -> float:
    """Seconds to read FILE with the csv module and insert its device rows raw (rolled back)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from digileap.devices.models import Device, DeviceModel, Supplier
    from digileap.programmes.models import Programme
    from digileap.schools.models import School

    programme = Programme.objects.get(code=PROGRAMME)
    models = {
        code: (model_id, maker, kind)
        for code, model_id, maker, kind in DeviceModel.objects.filter(authority=programme.authority_id).values_list(
            "code", "id", "manufacturer", "device_type"
        )
    }
    schools = dict(School.objects.filter(authority=programme.authority_id).values_list("number", "id"))
    supplier = Supplier.objects.get(name=SUPPLIER).id
    now = timezone.now()
    names = [
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
        "school_id",
        "supplier_id",
        "status",
        "status_changed_at",
        "delivered_on",
        "discrepancy",
        "created_at",
    ]
    postgres = connection.vendor == "postgresql"
    stamp = now if postgres else connection.ops.adapt_datetimefield_value(now)
    table = Device._meta.db_table
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            with open(path, encoding="cp1252", newline="") as stream:
                reader = csv.reader(stream, delimiter=";")
                next(reader)

                def rows():
                    for serial, code, asset, mac, condition, school, _note, day in reader:
                        model_id, maker, kind = models[code]
                        yield (
                            serial,
                            maker,
                            model_id,
                            kind,
                            condition,
                            asset,
                            mac,
                            "",
                            "",
                            "",
                            programme.id,
                            schools[school],
                            supplier,
                            "delivered",
                            stamp,
                            f"{day[6:10]}-{day[3:5]}-{day[0:2]}",
                            "",
                            stamp,
                        )

                if postgres:
                    with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                        for values in rows():
                            copy.write_row(values)
                else:
                    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
                    batch = []
                    for values in rows():
                        batch.append(values)
                        if len(batch) == 5000:
                            cursor.executemany(sql, batch)
                            batch = []
                    cursor.executemany(sql, batch)
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return seconds


def import_file(path: str) -> dict:
    from digileap.core.tabular.engine import run_import
    from digileap.devices.models import Device, DeviceEvent

    admin = bench_admin()
    build(admin)
    raw = baseline(path)
    file_mb = os.path.getsize(path) / 1024 / 1024
    result: dict = {"baseline_seconds": raw, "file_mb": file_mb, "memory_limit_mb": 200 + 5 * file_mb}
    for label in ("empty", "again"):
        rss_before = maxrss_mb()
        started = time.perf_counter()
        outcome = run_import(
            target="deliveries",
            source=path,
            profile="generic",
            actor=admin,
            overrides={"programme": PROGRAMME, "supplier": SUPPLIER},
        )
        seconds = time.perf_counter() - started
        result[label] = {
            "seconds": seconds,
            "baseline_seconds": raw,
            "ratio": seconds / raw,
            "max_rss_mb": maxrss_mb(),
            "rows": outcome.rows,
            **outcome.summary(),
            "maxrss_mb_before": rss_before,
            "maxrss_mb_after": maxrss_mb(),
        }
        print(
            f"deliveries {label}: {seconds:.1f} s, raw baseline {raw:.1f} s, ratio {seconds / raw:.1f}, "
            f"peak {maxrss_mb():.0f} MB (aim {200 + 5 * file_mb:.0f} MB)",
            file=sys.stderr,
        )
    result["devices"] = Device.objects.count()
    result["events"] = DeviceEvent.objects.count()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--write", type=int, default=0, help="write a file of this many devices and stop")
    args = parser.parse_args()
    if args.write:
        print(json.dumps(write_file(args.file, args.write)))
        return
    setup()
    migrate()
    print(json.dumps(import_file(args.file)))


if __name__ == "__main__":
    main()
