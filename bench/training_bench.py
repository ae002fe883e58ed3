"""The ``training`` part of ``make bench`` (issue 14): bench/training_import.py, training_indicator.py
and training_attendance.py (training_world.py holds what they share).

- ``import``: a file of 1,000,000 completion rows through the ``generic`` profile (aim < 20 s),
  then again, beside the csv module + COPY/executemany of the same rows;
- ``indicator``: "teachers trained" over 600,000 teachers and 5,000,000 attendance rows (aim
  < 300 ms) beside a plain ``COUNT(DISTINCT staff_id)``;
- ``attendance``: a session's attendance page for 30 people, p95 of 200 requests (aim < 50 ms),
  beside the plain query of its rows.

Each script runs in its own process against a fresh database per backend, with ``--scale``
(``BENCH_TRAINING_SCALE``, default 1), and prints one JSON line ``{"part": ..., "figures": [...]}``;
this module prints their figures as one table: name, value, unit, baseline, ratio, aim.

``bench/run.py`` calls ``run_scripts`` (part ``training``) and ``report_lines``; run alone:

    .venv/bin/python bench/training_bench.py [--backend sqlite|postgresql|both] [--scale 0.1]
                                             [--only import,indicator,attendance]

A script that fails is reported as such in the table; the others still run.
"""

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCALE = float(os.environ.get("BENCH_TRAINING_SCALE", "1"))
PARTS = ("import", "indicator", "attendance")


def run_scripts(backend, run_json: Callable, log: Callable, *, scale: float = SCALE, only: set[str] | None = None):
    """Run each script against a fresh database of ``backend``; a list of their JSON results."""
    results = []
    for part in PARTS:
        if only and part not in only:
            continue
        script = f"training_{part}.py"
        url = backend.fresh()
        log(f"{backend.name}: training {part} at scale {scale:g} ({script})")
        try:
            result = run_json(script, "--scale", str(scale), database_url=url)
        except (RuntimeError, ValueError, IndexError) as error:  # a failing script must not stop the others
            result = {"part": part, "error": str(error), "figures": []}
        result.setdefault("part", part)
        results.append(result)
    return results


def _number(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, (int, float)):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return str(value)


def report_lines(results: list[dict], table: Callable) -> list[str]:
    """The table of every training figure, per backend (``results``: run.py's per-backend dicts)."""
    rows = []
    for backend in results:
        for result in backend.get("training", []):
            if result.get("error"):
                rows.append([f"{backend['backend']}: {result['part']}", "failed", "-", "-", "-", "-", "-"])
                continue
            for figure in result.get("figures", []):
                ratio = figure.get("ratio")
                rows.append(
                    [
                        f"{backend['backend']}: {result['part']}: {figure.get('name', '')}",
                        _number(figure.get("value")),
                        figure.get("unit", ""),
                        _number(figure.get("baseline")),
                        figure.get("baseline_name") or "-",
                        f"{ratio:.1f}x" if isinstance(ratio, (int, float)) else "-",
                        figure.get("aim") or "-",
                    ]
                )
    if not rows:
        return []
    return [
        "",
        f"Training (issue 14; scale {SCALE:g}, BENCH_TRAINING_SCALE)",
        table(rows, ["what", "value", "unit", "baseline", "baseline is", "ratio", "aim"]),
    ]


def main() -> None:
    global SCALE
    from run import Postgres, Sqlite, log, run_json, table

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "postgres", "both"], default="both")
    parser.add_argument("--scale", type=float, default=SCALE)
    parser.add_argument("--only", default="", help="comma-separated parts: import, indicator, attendance")
    args = parser.parse_args()
    only = {part.strip() for part in args.only.split(",") if part.strip()} or None
    SCALE = args.scale
    with tempfile.TemporaryDirectory(prefix="digileap-bench-") as folder:
        backends: list[Sqlite | Postgres] = []
        if args.backend in ("sqlite", "both"):
            backends.append(Sqlite(Path(folder)))
        if args.backend in ("postgresql", "postgres", "both"):
            postgres = Postgres(os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/"))
            if postgres.available():
                backends.append(postgres)
        results = []
        for backend in backends:
            try:
                results.append(
                    {
                        "backend": backend.name,
                        "training": run_scripts(backend, run_json, log, scale=args.scale, only=only),
                    }
                )
            finally:
                backend.drop()
    print("\n".join(report_lines(results, table)))


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
