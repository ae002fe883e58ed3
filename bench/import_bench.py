"""Import the 40,000-school CSV into an empty database, then again (every row unchanged).

Run by bench/run.py with DATABASE_URL set to a fresh database. Prints one JSON line.
``--memory`` instead imports once under tracemalloc and reports the peak.
"""

import argparse
import json
import resource
import time

from _setup import bench_admin, migrate, setup


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    setup()
    migrate()
    from digileap.core.tabular.engine import run_import

    admin = bench_admin()
    result: dict = {}

    def run(label: str) -> None:
        rss_before = maxrss_mb()
        started = time.perf_counter()
        outcome = run_import(target="schools", source=args.csv, profile="generic", actor=admin)
        seconds = time.perf_counter() - started
        result[label] = {
            "seconds": seconds,
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
        run("empty")
        run("full")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
