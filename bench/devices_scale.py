"""Devices at national scale: list, API, indicators, dashboard and the hand-out scan loop.

Run by bench/run.py with DATABASE_URL set to a fresh database, or by hand:
``DATABASE_URL=sqlite:///var/bench-devices.sqlite3 .venv/bin/python bench/devices_scale.py --devices 300000``.

Builds (bulk inserts, not timed; the build time is printed) one authority with 400 operators and
``--schools`` schools, a programme with four device targets, and ``--devices`` devices spread over
the schools, each with its first lifecycle event; 60 % of them are handed out to pupils (a second
event, a recipient and an open assignment each). Then times, in this process (Django's test Client,
no network; server time of the whole request):

- the device list page and ``/api/devices/`` filtered by school and status, as the programme owner,
  the operator staff of one operator and the school coordinator (median and p95);
- computing the four device indicators, and the programme dashboard with its fragments;
- the scan loop: a class of 30 pupils handed 30 laptops, one scan and one confirmation each.

Prints one JSON line. Nothing is asserted (see bench/README.md).
"""

import argparse
import datetime
import json
import random
import re
import statistics
import time
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from _setup import bench_admin, migrate, setup


@runtime_checkable
class CountingKind(Protocol):
    """The devices app's indicator kinds: a value counted from the data, or computed (cached)."""

    def count(self, target: Any, as_of: datetime.date) -> Decimal: ...

    def compute(self, target: Any, as_of: datetime.date) -> Any: ...


DEVICE_LIST = "devices:device-list"
DEVICE_API = "device-list"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(timings: list[float]) -> dict:
    return {"median_ms": statistics.median(timings), "p95_ms": percentile(timings, 0.95), "requests": len(timings)}


def build(schools: int, devices: int, admin) -> dict:
    from django.db import connection
    from django.utils import timezone

    from digileap.core.bulk import bulk_insert
    from digileap.devices import lifecycle
    from digileap.devices.models import Assignment, Device, DeviceEvent, DeviceModel, Recipient, Supplier
    from digileap.programmes import services
    from digileap.programmes.models import Programme
    from digileap.schools.models import Authority, School, SchoolOperator

    rng = random.Random(7)
    authority, _created = Authority.objects.get_or_create(
        code="BENCH-DEV", defaults={"name": "Bench device authority", "kind": "ministry", "country": "DE"}
    )
    SchoolOperator.objects.bulk_create(
        SchoolOperator(authority=authority, code=f"OP{n:04d}", name=f"Bench operator {n:04d}") for n in range(400)
    )
    operators = list(SchoolOperator.objects.filter(authority=authority).order_by("code"))
    School.objects.bulk_create(
        (
            School(
                authority=authority,
                operator=operators[n % len(operators)],
                number=f"{80_000_000 + n}",
                name=f"Bench school {n:05d}",
                pupils_total=rng.randint(60, 900),
                isced_1=n % 3 == 0,
                isced_2=n % 3 != 0,
            )
            for n in range(schools)
        ),
        batch_size=2000,
    )
    school_ids = list(School.objects.filter(authority=authority).order_by("pk").values_list("pk", flat=True))
    supplier, _created = Supplier.objects.get_or_create(name="Bench supplier")
    models = [
        DeviceModel.objects.create(
            authority=authority, code=code, manufacturer=maker, name=name, device_type=kind, unit_price=price
        )
        for code, maker, name, kind, price in (
            ("bench-laptop", "Lenovo", "ThinkPad L14", "laptop", 610),
            ("bench-chromebook", "Acer", "Chromebook 314", "chromebook", 290),
            ("bench-tablet", "Apple", "iPad 10.9", "tablet", 380),
            ("bench-display", "Promethean", "ActivPanel 9", "interactive_display", 2900),
            ("bench-ap", "Ubiquiti", "U6 Pro", "access_point", 160),
        )
    ]
    today = timezone.localdate()
    programme = services.programme_create(
        actor=admin,
        data={
            "code": "bench-devices",
            "name": {"en": "Bench devices programme"},
            "authority": authority,
            "country": "DE",
            "period_start": today - datetime.timedelta(days=700),
            "period_end": today + datetime.timedelta(days=400),
            "status": "in_progress",
            "is_public": True,
            "sdgs": [4],
            "climate_contribution": 0,
            "digital_contribution": 100,
        },
    )
    due = today + datetime.timedelta(days=200)
    targets = []
    for position, (number, title, kind, value, parameters) in enumerate(
        [
            ("701", "Devices delivered", "devices_delivered", devices, {}),
            ("702", "Laptops and tablets deployed", "devices_deployed", devices // 2, {"device_types": ["laptop", "tablet"]}),
            ("703", "Access points installed", "access_points_installed", 10_000, {}),
            ("704", "Pupils with a personal device", "pupils_with_device", devices // 2, {}),
        ],
        start=1,
    ):  # fmt: skip
        target = services.target_create(
            actor=admin,
            programme=programme,
            data={"kind": "target", "position": position, "number": number, "title": {"en": title},
                  "target_value": value, "due_date": due},
        )  # fmt: skip
        services.indicator_define(actor=admin, target=target, kind=kind, parameters=parameters)
        targets.append(target)

    now = timezone.now()
    start_day = today - datetime.timedelta(days=600)
    weights = [0.55, 0.2, 0.17, 0.05, 0.03]
    plan = []  # (serial, model index, school id, delivered day, deployed)
    for n in range(devices):
        model_index = rng.choices(range(5), weights)[0]
        school_id = school_ids[n % len(school_ids)]
        day = start_day + datetime.timedelta(days=rng.randrange(590))
        deployed = model_index < 3 and rng.random() < 0.75
        plan.append((f"B{n:09d}", model_index, school_id, day, deployed))
    device_fields = [
        "serial", "manufacturer", "device_model_id", "device_type", "condition", "asset_tag", "programme_id",
        "school_id", "supplier_id", "status", "status_changed_at", "delivered_on", "first_deployed_on", "created_at",
        "accepted_at", "discrepancy", "mac_address", "autopilot_hash", "windows_product_id", "google_device_id",
    ]  # fmt: skip
    started = time.perf_counter()

    def device_rows():
        for serial, model_index, school_id, day, deployed in plan:
            model = models[model_index]
            yield (
                serial, model.manufacturer, model.pk, model.device_type, "new", f"AT{serial}", programme.pk,
                school_id, supplier.pk, "deployed" if deployed else "delivered", now, day,
                day + datetime.timedelta(days=3) if deployed else None, now, now, "", "", "", "", "",
            )  # fmt: skip

    bulk_insert(Device, device_fields, device_rows())
    ids = dict(Device.objects.filter(programme=programme).values_list("serial", "pk").iterator(chunk_size=20_000))
    at = timezone.make_aware(datetime.datetime.combine(start_day, datetime.time(9)))
    bulk_insert(
        DeviceEvent,
        lifecycle.initial_event_fields(),
        lifecycle.initial_event_rows((ids[p[0]] for p in plan), status="delivered", actor="bench", at=at),
    )
    deployed_plan = [p for p in plan if p[4]]
    bulk_insert(
        DeviceEvent,
        ["device_id", "status", "previous_status", "occurred_at", "actor_id", "actor_label", "reason", "data"],
        ((ids[p[0]], "deployed", "delivered", now, None, "bench", "handed out", {}) for p in deployed_plan),
    )
    bulk_insert(
        Recipient,
        ["school_id", "reference", "kind", "grade", "group", "eligibility_group", "display_name", "source",
         "is_active", "created_at"],
        ((p[2], f"R{p[0]}", "pupil", 5, "5A", "", "", "class_list", True, now) for p in deployed_plan),
    )  # fmt: skip
    recipients = dict(
        Recipient.objects.filter(school__authority=authority).values_list("reference", "pk").iterator(chunk_size=20_000)
    )
    bulk_insert(
        Assignment,
        ["device_id", "recipient_id", "kit", "assigned_at", "kit_returned", "return_note"],
        ((ids[p[0]], recipients[f"R{p[0]}"], ["charger", "bag"], now, [], "") for p in deployed_plan),
    )
    insert_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "authority": authority,
        "programme": Programme.objects.get(pk=programme.pk),
        "targets": targets,
        "operators": operators,
        "school_ids": school_ids,
        "models": models,
        "insert_seconds": insert_seconds,
        "deployed": len(deployed_plan),
    }


PLAIN_COUNTS = {
    "devices_delivered": """SELECT COUNT(*) FROM devices_device
        WHERE programme_id = %(programme)s AND delivered_on <= %(day)s AND discrepancy <> 'missing'""",
    "devices_deployed": """SELECT COUNT(*) FROM devices_device
        WHERE programme_id = %(programme)s AND first_deployed_on <= %(day)s AND discrepancy <> 'missing'
        AND device_type IN ('laptop', 'tablet')""",
    "access_points_installed": """SELECT COUNT(*) FROM devices_accesspointinstallation a
        JOIN devices_device d ON d.id = a.device_id
        WHERE d.programme_id = %(programme)s AND a.installed_on <= %(day)s AND a.verified_at < %(end)s""",
    "pupils_with_device": """SELECT COUNT(DISTINCT a.recipient_id) FROM devices_assignment a
        JOIN devices_device d ON d.id = a.device_id JOIN devices_recipient r ON r.id = a.recipient_id
        WHERE d.programme_id = %(programme)s AND r.kind = 'pupil' AND a.assigned_at < %(end)s
        AND (a.returned_at IS NULL OR a.returned_at >= %(end)s)""",
}


def plain_count(target, day) -> int:
    """The raw baseline of an indicator: the plain SQL COUNT query of the same figure (for the
    parameters the bench's targets use)."""
    from django.db import connection

    from digileap.devices.indicators import day_end

    with connection.cursor() as cursor:
        cursor.execute(
            PLAIN_COUNTS[target.indicator.kind], {"programme": target.programme_id, "day": day, "end": day_end(day)}
        )
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--devices", type=int, default=3_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--indicators-only", action="store_true", help="time only the indicators")
    args = parser.parse_args()
    setup()
    migrate()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from digileap.accounts.models import RoleAssignment, User
    from digileap.programmes.indicators import get_kind

    admin = bench_admin()
    started = time.perf_counter()
    world = build(args.schools, args.devices, admin)
    build_seconds = time.perf_counter() - started
    rng = random.Random(11)
    authority, programme = world["authority"], world["programme"]
    operator = world["operators"][17]
    operator_school_ids = [pk for index, pk in enumerate(world["school_ids"]) if index % 400 == 17]

    def user(name: str, role: str, **scope):
        account, _created = User.objects.get_or_create(username=name)
        kind = next(iter(scope)) if scope else "all"
        RoleAssignment.objects.get_or_create(user=account, role=role, scope_kind=kind, **scope)
        client = Client()
        client.force_login(account)
        return client

    owner = user("bench-owner", "programme_owner", authority=authority)
    staff = user("bench-operator", "operator_staff", operator=operator)
    coordinator_school = operator_school_ids[3]
    from digileap.schools.models import School

    coordinator = user("bench-coordinator", "school_coordinator", school=School.objects.get(pk=coordinator_school))

    def series(client, url_for, requests: int) -> dict:
        for _ in range(3):
            client.get(url_for())
        timings: list[float] = []
        statuses: dict[int, int] = {}
        for _ in range(requests):
            url = url_for()
            begun = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            timings.append((time.perf_counter() - begun) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        return {**summary(timings), "statuses": statuses, "example": url}

    statuses = ["delivered", "deployed"]
    page = reverse(DEVICE_LIST)
    api = reverse(DEVICE_API)
    all_schools = world["school_ids"]
    runs = []
    if not args.indicators_only:
        runs += [
            ("page, owner, school + status", series(owner, lambda: f"{page}?school={rng.choice(all_schools)}&status={rng.choice(statuses)}", args.requests)),
            ("page, owner, status only", series(owner, lambda: f"{page}?status={rng.choice(statuses)}", args.requests)),
            ("page, operator staff, school + status", series(staff, lambda: f"{page}?school={rng.choice(operator_school_ids)}&status={rng.choice(statuses)}", args.requests)),
            ("page, operator staff, status only", series(staff, lambda: f"{page}?status={rng.choice(statuses)}", args.requests)),
            ("page, coordinator, status", series(coordinator, lambda: f"{page}?status={rng.choice(statuses)}", args.requests)),
            ("API, owner, school + status", series(owner, lambda: f"{api}?school={rng.choice(all_schools)}&status={rng.choice(statuses)}", args.requests)),
            ("API, owner, status only", series(owner, lambda: f"{api}?status={rng.choice(statuses)}", args.requests)),
            ("API, operator staff, school + status", series(staff, lambda: f"{api}?school={rng.choice(operator_school_ids)}&status={rng.choice(statuses)}", args.requests)),
            ("API, coordinator, status", series(coordinator, lambda: f"{api}?status={rng.choice(statuses)}", args.requests)),
        ]  # fmt: skip

    today = timezone.localdate()
    from digileap.programmes.models import Target

    targets = list(
        Target.objects.filter(programme=programme).select_related("indicator", "programme").order_by("number")
    )
    indicator_runs: list[dict[str, object]] = []
    values: dict[str, str] = {}
    for target in targets:
        kind = get_kind(target.defined_indicator.kind)
        assert isinstance(kind, CountingKind)
        # Cold: the value computed from the data (``count``, no cache), median of 7; the raw
        # baseline: the plain SQL COUNT query of the same figure, in the same run.
        timings, baseline = [], []
        for _ in range(7):
            begun = time.perf_counter()
            values[target.number] = str(kind.count(target, today))
            timings.append((time.perf_counter() - begun) * 1000)
            begun = time.perf_counter()
            raw = plain_count(target, today)
            baseline.append((time.perf_counter() - begun) * 1000)
        cached = []
        for _ in range(7):
            begun = time.perf_counter()
            kind.compute(target, today)
            cached.append((time.perf_counter() - begun) * 1000)
        indicator_runs.append(
            {
                "what": f"indicator {target.defined_indicator.kind} (cold)",
                **summary(timings),
                "seconds": statistics.median(timings) / 1000,
                "baseline_seconds": statistics.median(baseline) / 1000,
                "ratio": statistics.median(timings) / statistics.median(baseline),
                "baseline_value": raw,
                "cached_median_ms": statistics.median(cached),
            }
        )
    if args.indicators_only:
        print(json.dumps({"devices": args.devices, "values": values, "indicators": indicator_runs}, default=str))
        return
    dashboard = [
        ("dashboard (programme owner)", series(owner, lambda: reverse("programmes:programme-dashboard", kwargs={"pk": programme.pk}), args.requests)),
        ("dashboard fragment: by operator", series(owner, lambda: reverse("programmes:programme-operators", kwargs={"pk": programme.pk}), max(10, args.requests // 5))),
        ("dashboard fragment: by school", series(owner, lambda: reverse("programmes:programme-schools", kwargs={"pk": programme.pk}), max(10, args.requests // 5))),
    ]  # fmt: skip
    result = {
        "schools": len(all_schools),
        "devices": args.devices,
        "deployed": world["deployed"],
        "build_seconds": build_seconds,
        "insert_seconds": world["insert_seconds"],
        "values": values,
        "runs": [{"what": label, **run} for label, run in runs],
        "indicators": indicator_runs,
        "dashboard": [{"what": label, **run} for label, run in dashboard],
        "scan": scan_loop(world, coordinator_school, coordinator),
    }
    print(json.dumps(result, default=str))


def scan_loop(world, school_id: int, client) -> dict:
    """30 pupils, 30 new laptops at one school: each scan proposes the next pupil, one key confirms.

    Two requests per pupil, as the page sends them (htmx): the scan and the confirmation."""
    from django.urls import reverse
    from django.utils import timezone

    from digileap.devices import lifecycle
    from digileap.devices.models import Assignment, Device, Recipient

    model = world["models"][0]
    programme = world["programme"]
    now = timezone.now()
    serials = [f"SCAN{n:05d}" for n in range(30)]
    for serial in serials:
        device = Device.objects.create(
            serial=serial, manufacturer=model.manufacturer, device_model=model, device_type=model.device_type,
            programme=programme, school_id=school_id, status="delivered", status_changed_at=now, created_at=now,
            delivered_on=now.date(),
        )  # fmt: skip
        lifecycle.create_initial_event(device=device, actor="bench")
    for n in range(30):
        Recipient.objects.create(school_id=school_id, reference=f"7B-{n + 1:02d}", grade=7, group="7B")
    scan_url = reverse("devices:assignment-handout-scan", kwargs={"school_pk": school_id})
    confirm_url = reverse("devices:assignment-handout-confirm", kwargs={"school_pk": school_id})
    scans, confirms, handed = [], [], 0
    for serial in serials:
        begun = time.perf_counter()
        response = client.post(
            scan_url, {"serial": serial, "group": "7B", "kit": ["charger", "bag"]}, HTTP_HX_REQUEST="true"
        )
        scans.append((time.perf_counter() - begun) * 1000)
        html = response.content.decode()
        device_found = re.search(r'name="device" value="(\d+)"', html)
        recipient_found = re.search(r'<option value="(\d+)" selected>', html)
        assert device_found is not None and recipient_found is not None, html[:500]
        device_pk, recipient_pk = device_found.group(1), recipient_found.group(1)
        begun = time.perf_counter()
        response = client.post(
            confirm_url,
            {"device": device_pk, "recipient": recipient_pk, "group": "7B", "kit": ["charger", "bag"]},
            HTTP_HX_REQUEST="true",
        )  # fmt: skip
        confirms.append((time.perf_counter() - begun) * 1000)
        handed += response.status_code == 200
    handed = Assignment.objects.filter(recipient__school_id=school_id, recipient__group="7B").count()
    return {"scan": summary(scans), "confirm": summary(confirms), "handed_out": handed}


if __name__ == "__main__":
    main()
