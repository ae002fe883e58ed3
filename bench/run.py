"""`make bench`: the figures of issues 2 to 4 and 10, on SQLite and on PostgreSQL, each in a fresh database.

Each measurement runs in its own Python process (a clean Django set-up) with DATABASE_URL set:
1. import_bench.py: the 40,000-school CSV into the empty database, then again into the full one;
2. list_bench.py: the school list page and API list on that full database;
3. import_bench.py --memory: the first import again, in a fresh database, under tracemalloc;
4. programmes_bench.py: indicators, dashboard and public page of a programme over 40,000 schools;
5. allocation_bench.py: a budget and 500,000 devices split over 40,000 schools (formula, service);
6. devices_import.py: a delivery file of 1,000,000 devices imported (then again; time and peak
   memory of the process);
7. evidence_bench.py: 1,000,000 devices built by bulk inserts, then the evidence pack of a target
   that lists them all (first without statistics, then again), each in its own process;
8. devices_scale.py: 3,000,000 devices: the device list page and API, device indicators, the
   programme dashboard, and the hand-out scan loop;
9. scenarios_bench.py: the five seed scenarios at full scale (load_seed_scenario), each then again;
10. funding_bench.py: funding calls at national scale (10,000 operators, 200,000 cost lines, 50,000
   claims; BENCH_FUNDING_SCALE for less): call pages, an application of 400 lines, a grant dossier;
11. connectivity_bench.py: every bench/connectivity_*.py (measurement import and daily aggregation,
   analysis, status map, ndt7 endpoint), a fresh database each (BENCH_CONNECTIVITY_SCALE for less);
12. training_bench.py: bench/training_import.py, training_indicator.py, training_attendance.py
   (1,000,000 completion rows imported, "teachers trained" over 600,000 teachers and 5,000,000
   attendance rows, a session's attendance page), a fresh database each (BENCH_TRAINING_SCALE for less);
and once, without a database, rollout_bench.py: a roll-out plan of 5,000 schools over 4 years;
and once, on SQLite of its own, import_memory.py (part ``limits``): peak memory of an import per MB
of CSV and XLSX file at a few sizes, and the time to refuse a ZIP bomb.
``--only`` runs some of them (for example ``--only allocation,rollout``).

Beside every figure that has one, a raw baseline measured in the same run (the scripts' JSON gives
``seconds``, ``baseline_seconds`` and ``ratio``): csv plus executemany on SQLite, csv plus COPY on
PostgreSQL, ``COPY (query) TO STDOUT`` for the evidence pack, numpy for the allocation. The last
table, "Issue 10 aims", lists each aim with its figure, baseline, ratio and whether it was met.
Nothing is asserted: the figures are printed for people to read (see bench/README.md).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/")
POSTGRES_DATABASE = "digileap_bench"
DELIVERY_ROWS = int(os.environ.get("BENCH_DELIVERY_ROWS", "1000000"))
DEVICES = int(os.environ.get("BENCH_DEVICES", "3000000"))
EVIDENCE_DEVICES = int(os.environ.get("BENCH_EVIDENCE_DEVICES", "1000000"))
FUNDING_SCALE = float(os.environ.get("BENCH_FUNDING_SCALE", "1"))
PARTS = (
    "import",
    "lists",
    "memory",
    "programmes",
    "allocation",
    "rollout",
    "deliveries",
    "evidence",
    "devices",
    "scenarios",
    "funding",
    "connectivity",
    "training",
    "limits",
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_json(script: str, *args: str, database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run(
        [sys.executable, str(HERE / script), *args], env=env, cwd=HERE, capture_output=True, text=True
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr[-4000:])
        raise RuntimeError(f"{script} failed with exit code {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


class Sqlite:
    name = "SQLite"

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        path = self.folder / f"bench-{self.count}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"

    def drop(self) -> None:
        for path in self.folder.glob("bench-*.sqlite3*"):
            path.unlink()


class Postgres:
    name = "PostgreSQL"

    def __init__(self, server: str):
        self.server = server.rstrip("/")

    def _admin(self):
        import psycopg

        return psycopg.connect(f"{self.server}/postgres", autocommit=True)

    def available(self) -> bool:
        try:
            with self._admin():
                return True
        except Exception as error:  # noqa: BLE001 - any failure means: skip PostgreSQL
            log(f"PostgreSQL at {self.server} is not reachable ({error}); skipping it")
            return False

    def fresh(self) -> str:
        self.drop()
        with self._admin() as connection:
            connection.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
        return f"{self.server}/{POSTGRES_DATABASE}"

    def drop(self) -> None:
        with self._admin() as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")


def bench_backend(
    backend, csv_path: Path, schools: int, requests: int, parts: set[str], deliveries_path: Path | None = None
) -> dict:
    figures: dict = {"backend": backend.name}
    try:
        if parts & {"import", "lists"}:
            url = backend.fresh()
            log(f"{backend.name}: importing {csv_path.name} into an empty database, then again")
            figures["import"] = run_json("import_bench.py", str(csv_path), database_url=url)
        if "lists" in parts:
            log(f"{backend.name}: timing the school list page and API ({requests} requests each)")
            figures["lists"] = run_json("list_bench.py", "--requests", str(requests), database_url=url)
        if "memory" in parts:
            url = backend.fresh()
            log(f"{backend.name}: the import's peak memory (tracemalloc, fresh database)")
            figures["memory"] = run_json("import_bench.py", str(csv_path), "--memory", database_url=url)
        if "programmes" in parts:
            url = backend.fresh()
            log(f"{backend.name}: programmes (indicators, dashboard, public page; programmes_bench.py)")
            figures["programmes"] = run_json("programmes_bench.py", "--schools", str(schools), database_url=url)
        if "allocation" in parts:
            url = backend.fresh()
            log(f"{backend.name}: allocation rounds (formula and round_compute; allocation_bench.py)")
            figures["allocation"] = run_json("allocation_bench.py", "--schools", str(schools), database_url=url)
        if "deliveries" in parts and deliveries_path is not None:
            url = backend.fresh()
            log(f"{backend.name}: importing {deliveries_path.name} (devices_import.py), then again")
            figures["deliveries"] = run_json("devices_import.py", str(deliveries_path), database_url=url)
        if "evidence" in parts:
            url = backend.fresh()
            log(f"{backend.name}: evidence pack of {EVIDENCE_DEVICES:,} devices (evidence_bench.py)")
            figures["evidence"] = run_json("evidence_bench.py", "--devices", str(EVIDENCE_DEVICES), database_url=url)
        if "devices" in parts:
            url = backend.fresh()
            log(f"{backend.name}: {DEVICES:,} devices: lists, API, indicators, dashboard, scan loop (devices_scale.py)")
            figures["devices"] = run_json(
                "devices_scale.py", "--schools", str(schools), "--devices", str(DEVICES), database_url=url
            )
        if "scenarios" in parts:
            url = backend.fresh()
            log(f"{backend.name}: the seed scenarios at full scale (scenarios_bench.py)")
            figures["scenarios"] = run_json("scenarios_bench.py", database_url=url)
        if "funding" in parts:
            url = backend.fresh()
            log(
                f"{backend.name}: funding at scale {FUNDING_SCALE:g}: pages, an application, a dossier (funding_bench.py)"
            )
            figures["funding"] = run_json("funding_bench.py", "--scale", str(FUNDING_SCALE), database_url=url)
        if "connectivity" in parts:
            from connectivity_bench import run_scripts  # every bench/connectivity_*.py, a fresh database each

            figures["connectivity"] = run_scripts(backend, run_json, log)
        if "training" in parts:
            from training_bench import run_scripts as training_scripts  # every training script, a fresh database each

            figures["training"] = training_scripts(backend, run_json, log)
    finally:
        backend.drop()
    return figures


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
    out = [line, "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |", line]
    for row in rows:
        out.append(
            "| "
            + " | ".join(
                str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
            + " |"
        )
    out.append(line)
    return "\n".join(out)


def baseline_cells(figure: dict | None, digits: int = 2) -> list[str]:
    """The ``baseline s`` and ``ratio`` cells of a figure ("-" where the JSON has no baseline)."""
    baseline = (figure or {}).get("baseline_seconds")
    if not baseline or figure is None:  # (no baseline without a figure)
        return ["-", "-"]
    ratio = figure.get("ratio") or figure["seconds"] / baseline
    return [f"{baseline:.{digits}f}" if baseline >= 1 else f"{baseline:.2g}", f"{ratio:.1f}x"]


def import_lines(results: list[dict]) -> list[str]:
    results = [r for r in results if "import" in r]
    if not results:
        return []
    rows = []
    for r in results:
        for label, key in (("into an empty database", "empty"), ("again, every row unchanged", "full")):
            f = r["import"][key]
            rows.append(
                [
                    f"{r['backend']}: import {label}",
                    f"{f['seconds']:.2f}",
                    *baseline_cells(f),
                    f"{f['rows'] / f['seconds']:,.0f}",
                    f"{f['created']}/{f['updated']}/{f['unchanged']}/{f['rejected']}",
                ]
            )
    return [
        "",
        "Import of the registry CSV (generic profile, ';', Windows-1252; aims: <= 3 s, unchanged <= 2 s)",
        table(rows, ["what", "seconds", "baseline s", "ratio", "rows/s", "created/updated/unchanged/rejected"]),
        "(raw baselines: the csv module and executemany on SQLite, COPY on PostgreSQL, into the same tables; "
        "unchanged: the csv module and the stored rows read back)",
    ]


def list_lines(results: list[dict]) -> list[str]:
    results = [r for r in results if "lists" in r]
    if not results:
        return []
    rows = []
    for r in results:
        for run in r["lists"]["runs"]:
            if run.get("missing"):
                rows.append([f"{r['backend']}: {run['target']} as {run['role']}", "-", "-", "-", "route missing"])
                continue
            statuses = ", ".join(f"{code}x{n}" for code, n in sorted(run["statuses"].items()))
            rows.append(
                [
                    f"{r['backend']}: {run['target']} as {run['role']}",
                    f"{run['requests']}",
                    f"{run['median_ms']:.1f}",
                    f"{run['p95_ms']:.1f}",
                    statuses,
                ]
            )
    lists = results[0]["lists"]
    return [
        "",
        "School list, filtered and sorted (server time per request, Django test client; aim: p95 < 50 ms)",
        table(rows, ["what", "requests", "median ms", "p95 ms", "HTTP status x count"]),
        f"(operator staff user: scoped to the largest operator, {lists['operator_schools']} of {lists['schools']:,} schools)",
    ]


def memory_lines(results: list[dict]) -> list[str]:
    results = [r for r in results if "memory" in r and "import" in r]
    if not results:
        return []
    rows = []
    for r in results:
        m = r["memory"]
        rows.append(
            [
                f"{r['backend']}: import into an empty database",
                f"{m['tracemalloc_peak_mb']:.0f}",
                f"{r['import']['empty']['maxrss_mb_after']:.0f}",
                f"{r['import']['empty']['maxrss_mb_before']:.0f}",
            ]
        )
    return [
        "",
        "Peak memory of the import",
        table(rows, ["what", "tracemalloc peak MB", "process max RSS MB", "RSS before import MB"]),
    ]


def rollout_lines(rollout: dict | None) -> list[str]:
    """The roll-out plan figures (rollout_bench.py, no database, run once)."""
    if not rollout:
        return []
    left_out = ", ".join(f"{reason} {count:,}" for reason, count in rollout["left_out"].items()) or "none"
    rows = [
        ["optimiser, total (build + solve + explain)", f"{rollout['seconds']:.2f}"],
        ["  building the model", f"{rollout['build_seconds']:.2f}"],
        ["  solving (scipy milp, HiGHS)", f"{rollout['solve_seconds']:.2f}"],
    ]
    gap = "-" if rollout["gap"] is None else f"{rollout['gap'] * 100:.3f} %"
    return [
        "",
        f"Roll-out plan: {rollout['schools']:,} schools of {rollout['operators']} operators over "
        f"{rollout['periods']} years, at most 2 years per operator, gap 0.1 % (aim: < 5 s)",
        table(rows, ["what", "seconds"]),
        f"(status {rollout['status']}, gap reached {gap}, {rollout['assigned']:,} schools planned, "
        f"left out: {left_out}, {rollout['budget_used'] * 100:.1f} % of the budget used)",
    ]


def deliveries_lines(results: list[dict]) -> list[str]:
    """The delivery file imports (devices_import.py), each beside its raw baseline."""
    results = [r for r in results if "deliveries" in r]
    if not results:
        return []
    rows = []
    for r in results:
        d = r["deliveries"]
        for label, key in (("into an empty database", "empty"), ("again, every row unchanged", "again")):
            f = d[key]
            rss = f.get("max_rss_mb", f.get("maxrss_mb_after"))
            rows.append(
                [
                    f"{r['backend']}: {label}",
                    f"{f['seconds']:.1f}",
                    *baseline_cells(f, 1),
                    f"{f['rows'] / f['seconds']:,.0f}",
                    "-" if rss is None else f"{rss:.0f}",
                    f"{f['created']}/{f['updated']}/{f['unchanged']}/{f['rejected']}",
                ]
            )
    first = results[0]["deliveries"]
    limit = first.get("memory_limit_mb")
    return [
        "",
        f"Delivery file of {first['empty']['rows']:,} devices (';', Windows-1252; aims: <= 20 s, unchanged <= 10 s, "
        + (f"memory <= {limit:.0f} MB)" if limit else "memory <= 200 MB + 5 x the file)"),
        table(
            rows,
            [
                "what",
                "seconds",
                "baseline s",
                "ratio",
                "rows/s",
                "process max RSS MB",
                "created/updated/unchanged/rejected",
            ],
        ),
        f"(devices {first.get('devices', 0):,}, lifecycle events {first.get('events', 0):,}; raw baselines: the csv module and "
        "executemany on SQLite, COPY on PostgreSQL; max RSS includes Django)",
    ]


def evidence_lines(results: list[dict]) -> list[str]:
    """The evidence pack of a target over every device (evidence_bench.py), beside COPY (query) TO STDOUT."""
    results = [r for r in results if "evidence" in r]
    if not results:
        return []
    rows = []
    for r in results:
        e = r["evidence"]
        for label, f in (
            ("evidence pack (statistics present)", e),
            ("first pack (no statistics: analyses)", e.get("first")),
        ):
            if not f:
                continue
            rows.append(
                [
                    f"{r['backend']}: {label}",
                    f"{f['seconds']:.1f}",
                    *baseline_cells({**f, "baseline_seconds": e.get("baseline_seconds")}, 1),
                    f"{f['max_rss_mb']:.0f}",
                    f"{f['records']:,}",
                    f"{f['bytes'] / 1e6:.1f} MB",
                ]
            )
    first = results[0]["evidence"]
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in first.get("steps", {}).items())
    return [
        "",
        f"Evidence pack of a target listing {first['devices']:,} devices (aim: <= 15 s, <= 300 MB)",
        table(rows, ["what", "seconds", "baseline s", "ratio", "process max RSS MB", "records", "zip"]),
        "(raw baseline: COPY (the records query) TO STDOUT into a file on PostgreSQL, a cursor and csv.writer "
        "on SQLite; max RSS includes Django; the same bytes both times: "
        f"{'yes' if all(r['evidence'].get('same_bytes', True) for r in results) else 'NO'})",
        f"({results[0]['backend']}, steps: {steps})",
    ]


def indicator_lines(results: list[dict]) -> list[str]:
    """The cold device indicators (devices_scale.py) beside their plain COUNT query, where given."""
    rows = []
    for r in results:
        for run in r.get("devices", {}).get("indicators", []):
            if run.get("baseline_seconds"):
                rows.append([f"{r['backend']}: {run['what']}", f"{run['seconds'] * 1000:.0f}", *baseline_cells(run, 3)])
    if not rows:
        return []
    devices = next(r["devices"]["devices"] for r in results if "devices" in r)
    return [
        "",
        f"Device indicators at {devices:,} devices, computed cold (median of 7; aim: <= 300 ms)",
        table(rows, ["what", "ms", "baseline s", "ratio"]),
        "(raw baseline: the plain SQL COUNT of the same figure)",
    ]


def scenario_lines(results: list[dict]) -> list[str]:
    """The seed scenarios at full scale (scenarios_bench.py), each beside the same rows written raw."""
    rows = []
    for r in results:
        for run in r.get("scenarios", {}).get("runs", []):
            milestones = ", ".join(f"{key} {status}" for key, status in run["milestones"].items()) or "-"
            rows.append(
                [
                    f"{r['backend']}: {run['scenario']}",
                    f"{run['seconds']:.1f}",
                    *baseline_cells(run),
                    f"{run['rows']:,}",
                    f"{run['schools']:,}",
                    f"{run['devices']:,}",
                    f"{run['again_seconds']:.2f}" + ("" if not run["again_created"] else " (WROTE)"),
                    milestones,
                ]
            )
    if not rows:
        return []
    return [
        "",
        "Seed scenarios at full scale (load_seed_scenario NAME --scale full; aim: a few minutes at most each)",
        table(
            rows, ["scenario", "seconds", "baseline s", "ratio", "rows", "schools", "devices", "again s", "milestones"]
        ),  # fmt: skip
        "(rows: every row the scenario added to the project's tables; raw baseline: as many rows of eight columns "
        "inserted with executemany on SQLite, COPY on PostgreSQL; 'again': the second, idempotent run)",
    ]


def _aim_row(what, backend, scale, figure, seconds_aim, rss_aim=None, rss_key="max_rss_mb") -> list[str]:
    aim = f"<= {seconds_aim:g} s" + (f", <= {rss_aim:.0f} MB" if rss_aim is not None else "")
    if not figure or "seconds" not in figure:
        return [what, backend, scale, "-", "-", "-", aim, "not run"]
    seconds = figure["seconds"]
    met = seconds <= seconds_aim
    measured = f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"
    if rss_aim is not None:
        rss = figure.get(rss_key)
        if rss is not None:
            measured += f", {rss:.0f} MB"
            met = met and rss <= rss_aim
    return [what, backend, scale, measured, *baseline_cells(figure), aim, "met" if met else "MISSED"]


def aims_lines(results: list[dict]) -> list[str]:
    """Issue 10's aims: each with the figure measured in this run, its raw baseline and ratio."""
    rows = []
    for r in results:
        backend = r["backend"]
        imp, dlv, evi = r.get("import", {}), r.get("deliveries", {}), r.get("evidence", {})
        alloc, dev = r.get("allocation", {}), r.get("devices", {})
        schools = f"{imp['empty']['rows']:,}" if "empty" in imp else "-"
        rows.append(_aim_row("registry, empty database", backend, schools, imp.get("empty"), 3))
        rows.append(_aim_row("registry, unchanged", backend, schools, imp.get("full"), 2))
        devices = f"{dlv['empty']['rows']:,}" if "empty" in dlv else "-"
        rows.append(_aim_row("deliveries, empty database", backend, devices, dlv.get("empty"), 20))
        rows.append(_aim_row("deliveries, unchanged", backend, devices, dlv.get("again"), 10))
        for label, part, key, rss_key in (
            ("peak memory, delivery import", dlv, "empty", "max_rss_mb"),
            ("peak memory, registry import", imp, "empty", "maxrss_mb_after"),
        ):
            figure, limit = part.get(key), part.get("memory_limit_mb")
            rss = (figure or {}).get(rss_key)
            if rss is None or limit is None:
                rows.append([label, backend, "-", "-", "-", "-", "<= 200 MB + 5 x file", "not run"])
            else:
                ok = rss <= limit
                rows.append([label, backend, f"{part.get('file_mb', 0):.0f} MB file", f"{rss:.0f} MB", "-", "-",
                             f"<= {limit:.0f} MB", "met" if ok else "MISSED"])  # fmt: skip
        scale = f"{evi['devices']:,}" if "devices" in evi else "-"
        rows.append(_aim_row("evidence pack", backend, scale, evi or None, 15, 300))
        if evi.get("first"):
            first = {**evi["first"], "baseline_seconds": evi.get("baseline_seconds")}
            rows.append(_aim_row("evidence pack, no statistics yet", backend, scale, first, 15, 300))
        schools = f"{alloc['schools']:,}" if "schools" in alloc else "-"
        for key in ("money", "units"):
            figure = alloc.get(key, {}).get("compute")
            rows.append(_aim_row(f"allocation round ({key}), compute()", backend, schools, figure, 1))
        cold = [run for run in dev.get("indicators", []) if "seconds" in run]
        slowest = max(cold, key=lambda run: run["seconds"]) if cold else None
        scale = f"{dev['devices']:,}" if "devices" in dev else "-"
        what = "cold device indicators (slowest" + (f": {slowest['what']})" if slowest else ")")
        rows.append(_aim_row(what, backend, scale, slowest, 0.3))
    if not rows:
        return []
    return [
        "",
        "Issue 10 aims (on this machine; figures at the scale the run used)",
        table(rows, ["aim", "database", "scale", "measured", "baseline s", "ratio", "aim", "met?"]),
    ]


def report(results: list[dict], schools: int, rollout: dict | None = None, limits: dict | None = None) -> str:
    from allocation_bench import report_lines as allocation_lines
    from connectivity_bench import report_lines as connectivity_lines
    from devices_report import report_lines as devices_lines
    from funding_bench import report_lines as funding_lines
    from import_memory import report_lines as limits_lines
    from programmes_bench import report_lines as programme_lines
    from training_bench import report_lines as training_lines

    lines = [f"Digileap benchmarks: {schools:,} schools"]
    lines += import_lines(results)
    lines += list_lines(results)
    lines += memory_lines(results)
    lines += programme_lines(results, table)
    lines += allocation_lines(results, table)
    lines += rollout_lines(rollout)
    lines += deliveries_lines(results)
    lines += evidence_lines(results)
    # devices_report renders the scale figures (lists, indicators, dashboard, scan loop); the
    # delivery imports are rendered above, with their baselines.
    lines += devices_lines([{k: v for k, v in r.items() if k != "deliveries"} for r in results], table)
    lines += indicator_lines(results)
    lines += scenario_lines(results)
    lines += funding_lines(results, table)
    lines += connectivity_lines(results, table)
    lines += training_lines(results, table)
    lines += limits_lines(limits, table)
    lines += aims_lines(results)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts to run, of: {', '.join(PARTS)} (default: all)"
    )
    args = parser.parse_args()
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = parts - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="digileap-bench-") as folder:
        folder_path = Path(folder)
        csv_path = folder_path / f"registry-{args.schools}.csv"
        if parts & {"import", "lists", "memory"}:
            log(f"generating {csv_path.name}")
            subprocess.run(
                [sys.executable, str(HERE / "make_csv.py"), str(csv_path), "--schools", str(args.schools)],
                env={**os.environ, "DATABASE_URL": f"sqlite:///{folder_path / 'unused.sqlite3'}"},
                cwd=HERE,
                check=True,
            )
            log(f"{csv_path.name}: {csv_path.stat().st_size / 1e6:.1f} MB")
        deliveries_path = None
        if "deliveries" in parts:
            deliveries_path = folder_path / f"deliveries-{DELIVERY_ROWS}.csv"
            log(f"writing {deliveries_path.name}")
            run_json(
                "devices_import.py",
                str(deliveries_path),
                "--write",
                str(DELIVERY_ROWS),
                database_url=f"sqlite:///{folder_path / 'unused.sqlite3'}",
            )
        backends: list[Sqlite | Postgres] = []
        if parts - {"rollout", "limits"}:
            if args.backend in ("sqlite", "both"):
                backends.append(Sqlite(folder_path))
            if args.backend in ("postgresql", "both"):
                postgres = Postgres(POSTGRES_SERVER)
                if postgres.available():
                    backends.append(postgres)
        results = [
            bench_backend(backend, csv_path, args.schools, args.requests, parts, deliveries_path)
            for backend in backends
        ]
        rollout = None
        if "rollout" in parts:
            log("roll-out plan optimiser: 5,000 schools over 4 years (rollout_bench.py, no database)")
            rollout = run_json("rollout_bench.py", database_url=f"sqlite:///{folder_path / 'unused.sqlite3'}")
        limits = None
        if "limits" in parts:
            log("import memory per MB of file (CSV, XLSX) and the time to refuse a ZIP bomb (import_memory.py)")
            limits = run_json("import_memory.py", database_url=f"sqlite:///{folder_path / 'limits.sqlite3'}")
    print(report(results, args.schools, rollout, limits))


if __name__ == "__main__":
    main()
