"""`make bench`: the figures of issues 2 to 4, on SQLite and on PostgreSQL, each in a fresh database.

Each measurement runs in its own Python process (a clean Django set-up) with DATABASE_URL set:
1. import_bench.py: the 40,000-school CSV into the empty database, then again into the full one;
2. list_bench.py: the school list page and API list on that full database;
3. import_bench.py --memory: the first import again, in a fresh database, under tracemalloc;
4. programmes_bench.py: indicators, dashboard and public page of a programme over 40,000 schools;
5. allocation_bench.py: a budget and 500,000 devices split over 40,000 schools (formula, service);
6. devices_import.py: a delivery file of 1,000,000 devices imported (then again), and in a second
   process the evidence pack listing them all (time and peak memory of each process);
7. devices_scale.py: 3,000,000 devices: the device list page and API, device indicators, the
   programme dashboard, and the hand-out scan loop;
and once, without a database, rollout_bench.py: a roll-out plan of 5,000 schools over 4 years.
``--only`` runs some of them (for example ``--only allocation,rollout``).
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
PARTS = ("import", "lists", "memory", "programmes", "allocation", "rollout", "deliveries", "devices")


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
            log(f"{backend.name}: importing {deliveries_path.name} (devices_import.py), then its evidence pack")
            figures["deliveries"] = run_json("devices_import.py", str(deliveries_path), database_url=url)
            figures["deliveries"]["evidence"] = run_json(
                "devices_import.py", str(deliveries_path), "--evidence", database_url=url
            )
        if "devices" in parts:
            url = backend.fresh()
            log(f"{backend.name}: {DEVICES:,} devices: lists, API, indicators, dashboard, scan loop (devices_scale.py)")
            figures["devices"] = run_json(
                "devices_scale.py", "--schools", str(schools), "--devices", str(DEVICES), database_url=url
            )
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
                    f"{f['rows'] / f['seconds']:,.0f}",
                    f"{f['created']}/{f['updated']}/{f['unchanged']}/{f['rejected']}",
                ]
            )
    return [
        "",
        "Import of the registry CSV (generic profile, ';', Windows-1252; aim: < 5 s)",
        table(rows, ["what", "seconds", "rows/s", "created/updated/unchanged/rejected"]),
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


def report(results: list[dict], schools: int, rollout: dict | None = None) -> str:
    from allocation_bench import report_lines as allocation_lines
    from devices_report import report_lines as devices_lines
    from programmes_bench import report_lines as programme_lines

    lines = [f"Digileap benchmarks: {schools:,} schools"]
    lines += import_lines(results)
    lines += list_lines(results)
    lines += memory_lines(results)
    lines += programme_lines(results, table)
    lines += allocation_lines(results, table)
    lines += rollout_lines(rollout)
    lines += devices_lines(results, table)
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
        backends = []
        if parts - {"rollout"}:
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
    print(report(results, args.schools, rollout))


if __name__ == "__main__":
    main()
