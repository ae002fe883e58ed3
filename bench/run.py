"""`make bench`: the figures of issue 2, on SQLite and on PostgreSQL, each in a fresh database.

Each measurement runs in its own Python process (a clean Django set-up) with DATABASE_URL set:
1. import_bench.py: the 40,000-school CSV into the empty database, then again into the full one;
2. list_bench.py: the school list page and API list on that full database;
3. import_bench.py --memory: the first import again, in a fresh database, under tracemalloc.
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


def bench_backend(backend, csv_path: Path, requests: int) -> dict:
    figures: dict = {"backend": backend.name}
    try:
        url = backend.fresh()
        log(f"{backend.name}: importing {csv_path.name} into an empty database, then again")
        figures["import"] = run_json("import_bench.py", str(csv_path), database_url=url)
        log(f"{backend.name}: timing the school list page and API ({requests} requests each)")
        figures["lists"] = run_json("list_bench.py", "--requests", str(requests), database_url=url)
        url = backend.fresh()
        log(f"{backend.name}: the import's peak memory (tracemalloc, fresh database)")
        figures["memory"] = run_json("import_bench.py", str(csv_path), "--memory", database_url=url)
        url = backend.fresh()
        log(f"{backend.name}: programmes (indicators, dashboard, public page; programmes_bench.py)")
        figures["programmes"] = run_json(
            "programmes_bench.py", "--schools", csv_path.stem.split("-")[-1], database_url=url
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


def report(results: list[dict], schools: int) -> str:
    lines = [f"Digileap benchmarks: {schools:,} schools (aims: import < 5 s, list p95 < 50 ms)", ""]
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
    lines.append("Import of the registry CSV (generic profile, ';', Windows-1252)")
    lines.append(table(rows, ["what", "seconds", "rows/s", "created/updated/unchanged/rejected"]))
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
    lines.append("")
    lines.append("School list, filtered and sorted (server time per request, Django test client)")
    lines.append(table(rows, ["what", "requests", "median ms", "p95 ms", "HTTP status x count"]))
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
    lines.append("")
    lines.append("Peak memory of the import")
    lines.append(table(rows, ["what", "tracemalloc peak MB", "process max RSS MB", "RSS before import MB"]))
    if results:
        lists = results[0]["lists"]
        lines.append("")
        lines.append(
            f"(operator staff user: scoped to the largest operator, {lists['operator_schools']} of {lists['schools']:,} schools)"
        )
    from programmes_bench import report_lines

    lines += report_lines(results, table)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digileap-bench-") as folder:
        folder_path = Path(folder)
        csv_path = folder_path / f"registry-{args.schools}.csv"
        log(f"generating {csv_path.name}")
        completed = subprocess.run(
            [sys.executable, str(HERE / "make_csv.py"), str(csv_path), "--schools", str(args.schools)],
            env={**os.environ, "DATABASE_URL": f"sqlite:///{folder_path / 'unused.sqlite3'}"},
            cwd=HERE,
            check=True,
        )
        del completed
        log(f"{csv_path.name}: {csv_path.stat().st_size / 1e6:.1f} MB")
        backends = []
        if args.backend in ("sqlite", "both"):
            backends.append(Sqlite(folder_path))
        if args.backend in ("postgresql", "both"):
            postgres = Postgres(POSTGRES_SERVER)
            if postgres.available():
                backends.append(postgres)
        results = [bench_backend(backend, csv_path, args.requests) for backend in backends]
    print(report(results, args.schools))


if __name__ == "__main__":
    main()
