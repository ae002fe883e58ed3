"""The seed scenarios at full scale (``manage.py load_seed_scenario NAME --scale full``), timed.

Run by bench/run.py with DATABASE_URL set to a fresh database, or by hand:
``DATABASE_URL=sqlite:///var/bench-scenarios.sqlite3 .venv/bin/python bench/scenarios_bench.py``.
Migrates, then for each scenario (``--scenarios``, default all of them, in the seeds' order, one
database): plays it at full scale and times it, counts the rows it added to every table of the
project, plays it again (idempotent: nothing written) and times that, and measures the raw
baseline: the same number of rows inserted into a scratch table of eight columns (executemany on
SQLite, COPY on PostgreSQL), in one transaction.

Prints one JSON line. Nothing is asserted (see bench/README.md).
"""

import argparse
import json
import time

from _setup import migrate, setup


def table_counts() -> dict[str, int]:
    """Rows in every table of the project's models (one COUNT each)."""
    from django.apps import apps

    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {"contenttypes", "sessions", "admin", "auth"}:
            continue
        counts[model._meta.db_table] = model._base_manager.using("default").count()
    return counts


def raw_baseline(rows: int) -> float:
    """Seconds to insert ``rows`` rows of eight columns raw, in one transaction, then drop them."""
    from django.db import connection, transaction

    values = [(index, f"SCN{index:08d}", "Scenario school row", "BE", index % 97, "2021-10-29", "12.50", "x") for index in range(rows)]  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_scenario_rows (id integer, number varchar(32), name varchar(200), country "
            "varchar(2), school integer, day date, amount numeric(14, 2), note text)"
        )
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_scenario_rows FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.executemany("INSERT INTO bench_scenario_rows VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", values)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_scenario_rows")
    return seconds


def main() -> None:
    setup()
    from digileap.portal.scenarios import get_scenario, scenario_names

    parser = argparse.ArgumentParser()
    parser.add_argument("--scenarios", default=",".join(scenario_names()))
    args = parser.parse_args()
    migrate()
    runs = []
    for name in [n.strip() for n in args.scenarios.split(",") if n.strip()]:
        before = table_counts()
        started = time.perf_counter()
        summary = get_scenario(name).run("full")
        seconds = time.perf_counter() - started
        after = table_counts()
        rows = sum(after[t] - before.get(t, 0) for t in after)
        started = time.perf_counter()
        again = get_scenario(name).run("full")
        again_seconds = time.perf_counter() - started
        baseline = raw_baseline(rows)
        busiest = sorted(((after[t] - before.get(t, 0), t) for t in after), reverse=True)[:5]
        runs.append(
            {
                "scenario": name,
                "seconds": round(seconds, 2),
                "again_seconds": round(again_seconds, 3),
                "again_created": again["created"],
                "rows": rows,
                "baseline_seconds": round(baseline, 3),
                "ratio": round(seconds / baseline, 1) if baseline else None,
                "schools": summary["schools"],
                "devices": summary["devices"],
                "milestones": summary["milestones"],
                "created": summary["created"],
                "busiest_tables": {table: count for count, table in busiest},
            }
        )
    print(json.dumps({"runs": runs}), flush=True)


if __name__ == "__main__":
    main()
