"""The ``connectivity`` part of ``make bench`` (issue 13): every ``bench/connectivity_*.py`` script.

Each script measures one side of the connectivity app (``connectivity_import.py``: a million
measurement rows imported and a day of 160,000 tests aggregated; ``connectivity_analysis.py``,
``connectivity_map.py``, ``connectivity_ndt7.py``: the analysis, the status map page and the ndt7
endpoint) and prints one JSON line ``{"part": ..., "figures": [{"name", "value", "unit",
"baseline", "baseline_name", "ratio", "aim"}, ...]}``. This module runs each of them in its own
process against a fresh database per backend, with ``--scale`` (``BENCH_CONNECTIVITY_SCALE``,
default 1), and prints their figures as one table: name, value, unit, baseline, ratio, aim.

``bench/run.py`` calls ``run_scripts`` (part ``connectivity``) and ``report_lines``; run alone:

    .venv/bin/python bench/connectivity_bench.py [--backend sqlite|postgresql|both] [--scale 0.1]
                                                 [--only import,analysis]

A script that fails is reported as such in the table; the others still run.
"""

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCALE = float(os.environ.get("BENCH_CONNECTIVITY_SCALE", "1"))


def scripts() -> list[Path]:
    """Every connectivity benchmark script but this one, in name order."""
    return [path for path in sorted(HERE.glob("connectivity_*.py")) if path.name != Path(__file__).name]


def run_scripts(backend, run_json: Callable, log: Callable, *, scale: float = SCALE, only: set[str] | None = None):
    """Run each script against a fresh database of ``backend``; a list of their JSON results."""
    results = []
    for script in scripts():
        part = script.stem.removeprefix("connectivity_")
        if only and part not in only:
            continue
        url = backend.fresh()
        log(f"{backend.name}: connectivity {part} at scale {scale:g} ({script.name})")
        try:
            result = run_json(script.name, "--scale", str(scale), database_url=url)
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
    """The table of every connectivity figure, per backend (``results``: run.py's per-backend dicts)."""
    rows = []
    for backend in results:
        for result in backend.get("connectivity", []):
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
        f"Connectivity (issue 13; scale {SCALE:g}, BENCH_CONNECTIVITY_SCALE)",
        table(rows, ["what", "value", "unit", "baseline", "baseline is", "ratio", "aim"]),
    ]


def main() -> None:
    global SCALE
    from run import Postgres, Sqlite, log, run_json, table

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", type=float, default=SCALE)
    parser.add_argument("--only", default="", help="comma-separated scripts by their part: import, analysis, ...")
    args = parser.parse_args()
    only = {part.strip() for part in args.only.split(",") if part.strip()} or None
    SCALE = args.scale
    with tempfile.TemporaryDirectory(prefix="digileap-bench-") as folder:
        backends: list[Sqlite | Postgres] = []
        if args.backend in ("sqlite", "both"):
            backends.append(Sqlite(Path(folder)))
        if args.backend in ("postgresql", "both"):
            postgres = Postgres(os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/"))
            if postgres.available():
                backends.append(postgres)
        results = []
        for backend in backends:
            try:
                results.append(
                    {
                        "backend": backend.name,
                        "connectivity": run_scripts(backend, run_json, log, scale=args.scale, only=only),
                    }
                )
            finally:
                backend.drop()
    print("\n".join(report_lines(results, table)))


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
