"""Import the 40,000-school CSV into an empty database, then again (every row unchanged).

Run by bench/run.py with DATABASE_URL set to a fresh database; by hand, for example:

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/import_bench.py /tmp/registry.csv
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/digileap_bench_x .venv/bin/python bench/import_bench.py FILE

(write FILE with ``bench/make_csv.py FILE``). Prints one JSON line. ``empty`` and ``full`` each
have ``seconds``, ``baseline_seconds`` and ``ratio`` (seconds / baseline_seconds), beside the
import's own summary, ``cpu_seconds`` (this process's CPU time: steadier than the wall clock on a
busy machine; PostgreSQL's own work is not in it) and the process's peak RSS.

Raw baselines, measured in the same run on the same file before the imports:

- ``empty``: the ``csv`` module reads FILE and the same rows go raw into the same registry tables
  (authorities, operators, schools, main buildings, enrolment, teacher counts, indices, eligible
  counts; ids given by the script, no checks, no audit) with ``executemany`` on SQLite or ``COPY``
  on PostgreSQL, in a transaction that is rolled back;
- ``full``: the ``csv`` module reads FILE and the stored rows of the same tables are read back
  (what an unchanged re-import must at least compare), after the first import.

``--memory`` instead imports once under tracemalloc and reports the peak beside ``file_mb`` and
``memory_limit_mb`` (200 MB + 5 × the file, the aim). Nothing is asserted (see bench/README.md).
"""

import argparse
import csv
import json
import os
import resource
import time

from _setup import bench_admin, migrate, setup


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Rollback(Exception):
    pass


def _read(path: str):
    stream = open(path, encoding="cp1252", newline="")  # noqa: SIM115 (closed by the caller's generator end)
    reader = csv.reader(stream, delimiter=";")
    header = next(reader)
    return stream, reader, {name: index for index, name in enumerate(header)}


def _decimal(text: str) -> str | None:
    return text.replace(",", ".") if text else None


def baseline_insert(path: str) -> float:
    """Seconds to read FILE with the csv module and insert its rows raw into the registry tables (rolled back)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from digileap.schools.models import (
        Authority,
        EligibilityGroup,
        EligibleCount,
        Enrolment,
        School,
        SchoolOperator,
        Site,
        SocioEconomicIndex,
        SocioEconomicScale,
        StaffCount,
    )

    postgres = connection.vendor == "postgresql"
    now = timezone.now()
    stamp = now if postgres else connection.ops.adapt_datetimefield_value(now)
    scales = dict(SocioEconomicScale.objects.values_list("code", "id"))
    groups = dict(EligibilityGroup.objects.values_list("code", "id"))
    started = time.perf_counter()
    tables: dict[str, tuple[list[str], list[tuple]]] = {}

    def flush(cursor, table: str) -> None:
        names, rows = tables[table]
        columns = ", ".join(names)
        if postgres:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
        rows.clear()

    try:
        with transaction.atomic(), connection.cursor() as cursor:

            def add(model, names: list[str], row: tuple) -> None:
                # Streamed in batches (flushed in the order the foreign keys need), like the import.
                table = model._meta.db_table
                rows = tables.setdefault(table, (names, []))[1]
                rows.append(row)
                if len(rows) >= 5000 and model is School:
                    for name in list(tables):
                        flush(cursor, name)

            stream, reader, at = _read(path)
            with stream:
                pupils = [(name, index) for name, index in at.items() if name.startswith("pupils_isced_")]
                eligible = [
                    (name.removeprefix("eligible_"), index)
                    for name, index in at.items()
                    if name.startswith("eligible_")
                ]
                authorities: dict[str, int] = {}
                operators: dict[tuple[str, str], int] = {}
                school_id = 10_000_000
                for cells in reader:
                    authority = cells[at["authority_code"]]
                    if authority not in authorities:
                        authorities[authority] = authority_id = 10_000_000 + len(authorities)
                        add(Authority, ["id", "code", "name", "kind", "country"],
                            (authority_id, authority, cells[at["authority_name"]], "region", cells[at["country"]]))  # fmt: skip
                    operator = (authority, cells[at["operator_code"]])
                    if operator not in operators:
                        operators[operator] = operator_id = 10_000_000 + len(operators)
                        add(SchoolOperator, ["id", "authority_id", "code", "name", "kind"],
                            (operator_id, authorities[authority], operator[1], cells[at["operator_name"]], "public"))  # fmt: skip
                    school_id += 1
                    levels = cells[at["levels"]]
                    latitude, longitude = _decimal(cells[at["latitude"]]), _decimal(cells[at["longitude"]])
                    year = cells[at["school_year"]]
                    add(School, ["id", "authority_id", "operator_id", "number", "name", "type_code", "type_label",
                                 "isced_0", "isced_1", "isced_2", "isced_3", "isced_4", "language", "sector", "status",
                                 "street", "postal_code", "city", "email", "website", "latitude", "longitude",
                                 "pupils_total", "ses_value", "ses_scale_id", "created_at", "updated_at"],
                        (school_id, authorities[authority], operators[operator], cells[at["number"]], cells[at["name"]],
                         cells[at["type_code"]], cells[at["type_label"]], *(str(level) in levels for level in range(5)),
                         cells[at["language"]], cells[at["sector"]], cells[at["status"]], cells[at["street"]],
                         cells[at["postal_code"]], cells[at["city"]], cells[at["email"]], cells[at["website"]],
                         latitude, longitude, None, _decimal(cells[at["ses_value"]]),
                         scales.get(cells[at["ses_scale"]]), stamp, stamp))  # fmt: skip
                    add(Site, ["school_id", "name", "is_main", "street", "postal_code", "city", "latitude", "longitude", "code"],
                        (school_id, "Main building", True, cells[at["street"]], cells[at["postal_code"]],
                         cells[at["city"]], latitude, longitude, ""))  # fmt: skip
                    for name, index in pupils:
                        if cells[index]:
                            level, _, grade = name.removeprefix("pupils_isced_").partition("_grade_")
                            add(Enrolment, ["school_id", "school_year", "level", "grade", "pupils"],
                                (school_id, year, int(level), int(grade or 0), int(cells[index])))  # fmt: skip
                    if cells[at["teachers"]]:
                        add(
                            StaffCount,
                            ["school_id", "school_year", "teachers"],
                            (school_id, year, int(cells[at["teachers"]])),
                        )
                    if cells[at["ses_value"]]:
                        add(SocioEconomicIndex, ["school_id", "school_year", "scale_id", "value"],
                            (school_id, year, scales[cells[at["ses_scale"]]], _decimal(cells[at["ses_value"]])))  # fmt: skip
                    for code, index in eligible:
                        if cells[index]:
                            add(EligibleCount, ["school_id", "school_year", "group_id", "pupils"],
                                (school_id, year, groups[code], int(cells[index])))  # fmt: skip
            for name in list(tables):
                flush(cursor, name)
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return seconds


def baseline_read(path: str) -> float:
    """Seconds to read FILE with the csv module and read back the stored rows of the registry tables."""
    from django.db import connection

    from digileap.schools.models import EligibleCount, Enrolment, School, SocioEconomicIndex, StaffCount

    started = time.perf_counter()
    stream, reader, _at = _read(path)
    with stream:
        rows = sum(1 for _cells in reader)
    with connection.cursor() as cursor:
        for model in (School, Enrolment, StaffCount, SocioEconomicIndex, EligibleCount):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")
            while cursor.fetchmany(10000):
                pass
    assert rows
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    setup()
    migrate()
    from digileap.core.tabular.engine import run_import

    admin = bench_admin()
    file_mb = os.path.getsize(args.csv) / 1024 / 1024
    result: dict = {"file_mb": file_mb, "memory_limit_mb": 200 + 5 * file_mb}

    def run(label: str, baseline: float | None = None) -> None:
        rss_before = maxrss_mb()
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = run_import(target="schools", source=args.csv, profile="generic", actor=admin)
        seconds = time.perf_counter() - started
        result[label] = {
            "seconds": seconds,
            "cpu_seconds": time.process_time() - cpu_started,
            **({"baseline_seconds": baseline, "ratio": seconds / baseline} if baseline else {}),
            "rows": outcome.rows,
            **outcome.summary(),
            "maxrss_mb_before": rss_before,
            "maxrss_mb_after": maxrss_mb(),
        }

    if args.memory:
        import tracemalloc

        tracemalloc.start()
        run("empty")
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    else:
        run("empty", baseline_insert(args.csv))
        run("full", baseline_read(args.csv))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
