"""Peak memory of an import per MB of file, CSV and XLSX of a few sizes, and the time to refuse a ZIP bomb.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 .venv/bin/python bench/import_memory.py [--csv-mb 5,20,50] [--xlsx-mb 2,5,10]

Files: the benchmark's school registry (``bench/make_csv.py``'s generator, ``;``, Windows-1252)
cut to each size; the XLSX files hold the same rows as text cells. Each import runs in its own
process into a fresh copy of a migrated database (SQLite unless DATABASE_URL says otherwise) under
``tracemalloc``, as an administrator with the ``generic`` profile, committed. Printed per file:
``file_mb``, ``rows``, ``peak_mb`` (tracemalloc peak of ``run_import``), ``peak_per_file_mb``
(peak_mb / file_mb), and the raw baseline of the same work: ``baseline_peak_mb``, the tracemalloc peak of reading every
row of the same file into a list (``csv.reader``; openpyxl read-only for XLSX), with ``ratio``
(peak_mb / baseline_peak_mb). The aim stated in docs/imports.md: peak ≤ 200 MB + 5 × the file.

The bomb: a workbook of ~1 MB whose sheet unpacks to 1.1 GB (zeros). ``bomb_refuse_ms``: the
median of ``open_table`` refusing it; ``baseline_ms``: of reading its ZIP directory
(``zipfile.ZipFile(...).infolist()``), the least any check must do. Nothing is asserted.
"""

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Sequence
from pathlib import Path

from _setup import bench_admin, migrate, setup

HERE = Path(__file__).resolve().parent
MB = 1024 * 1024


def write_files(directory: Path, csv_sizes: list[float], xlsx_sizes: list[float]) -> list[tuple[str, float, Path]]:
    """The CSV and XLSX files to measure, from one generated registry cut to each size."""
    from digileap.portal.demo import SCHOOL_YEARS, generate, registry_csv

    largest = max(csv_sizes + [size * 8 for size in xlsx_sizes])  # an XLSX holds ~8x the rows of a CSV MB
    schools = int(largest * MB / 300) + 1000
    text = registry_csv(
        generate(schools=schools, seed=2024, flavours=("de", "nl")), SCHOOL_YEARS[-1], delimiter=";", decimal_comma=True
    )
    lines = text.splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    files = []
    for size in csv_sizes:
        path, written, chosen = directory / f"registry-{size:g}mb.csv", len(header.encode("cp1252")), [header]
        for line in body:
            written += len(line.encode("cp1252"))
            if written > size * MB:
                break
            chosen.append(line)
        path.write_bytes("".join(chosen).encode("cp1252"))
        files.append(("csv", size, path))
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    for size in xlsx_sizes:
        files.append(("xlsx", size, _write_xlsx(directory / f"registry-{size:g}mb.xlsx", rows, size * MB)))
    return files


def _write_xlsx(path: Path, rows: list[list[str]], target: float) -> Path:
    import openpyxl

    # Estimate the rows that fit from a sample, write them, correct once.
    count = min(len(rows) - 1, 5000)
    for _attempt in range(3):
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in rows[: count + 1]:
            sheet.append(row)
        workbook.save(path)
        size = path.stat().st_size
        if abs(size - target) < target * 0.05 or count >= len(rows) - 1:
            break
        count = min(len(rows) - 1, int(count * target / size))
    return path


def baseline_peak(path: Path, kind: str) -> float:
    tracemalloc.start()
    if kind == "csv":
        with open(path, encoding="cp1252", newline="") as stream:
            held: list[Sequence[object]] = list(csv.reader(stream, delimiter=";"))
    else:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True)
        held = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    del held
    return peak


def measure_one(path: Path, kind: str) -> dict:
    """In a fresh process: import ``path`` under tracemalloc."""
    setup()
    migrate()
    from digileap.core.tabular.engine import run_import

    admin = bench_admin()
    baseline = baseline_peak(path, kind)
    tracemalloc.start()
    started = time.perf_counter()
    outcome = run_import(target="schools", source=str(path), profile="generic", actor=admin)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    file_mb = path.stat().st_size / MB
    return {
        "format": kind,
        "file_mb": round(file_mb, 2),
        "rows": outcome.rows,
        "created": outcome.created,
        "rejected": outcome.rejected,
        "seconds": round(seconds, 1),
        "peak_mb": round(peak, 1),
        "peak_per_file_mb": round(peak / file_mb, 2),
        "baseline_peak_mb": round(baseline, 1),
        "ratio": round(peak / baseline, 2),
        "aim_mb": round(200 + 5 * file_mb, 1),
    }


def bomb(directory: Path, unpacked_mb: int = 1100) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.worksheets[0].append(["number", "name"])  # the new workbook's (active) sheet
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(buffer)
    path = directory / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(info.filename, "w", force_zip64=True) as stream:
                    zeros = bytes(MB)
                    for _ in range(unpacked_mb):
                        stream.write(zeros)
            else:
                target.writestr(info, source.read(info.filename))
    return path


def measure_bomb(directory: Path) -> dict:
    setup()
    from digileap.core.tabular.errors import ImportFileError
    from digileap.core.tabular.readers import open_table

    path = bomb(directory)
    refuse, baseline, message = [], [], ""
    for _ in range(21):
        started = time.perf_counter()
        with zipfile.ZipFile(path) as archive:
            archive.infolist()
        baseline.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        try:
            open_table(path).close()
        except ImportFileError as error:
            message = error.message
        refuse.append((time.perf_counter() - started) * 1000)
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    refuse_ms, baseline_ms = statistics.median(refuse), statistics.median(baseline)
    return {
        "file_mb": round(path.stat().st_size / MB, 2),
        "unpacks_to_mb": round(info.file_size / MB, 1),
        "bomb_refuse_ms": round(refuse_ms, 2),
        "baseline_ms": round(baseline_ms, 2),
        "ratio": round(refuse_ms / baseline_ms, 2),
        "message": message,
    }


def _sizes(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv-mb", default=os.environ.get("BENCH_IMPORT_MEMORY_CSV_MB", "5,20,50"))
    parser.add_argument("--xlsx-mb", default=os.environ.get("BENCH_IMPORT_MEMORY_XLSX_MB", "2,5,10"))
    parser.add_argument("--one", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--bomb", metavar="DIRECTORY", help=argparse.SUPPRESS)
    parser.add_argument("--migrate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.migrate_only:
        setup()
        migrate()
        return
    if args.one:
        print(json.dumps(measure_one(Path(args.one[1]), args.one[0])))
        return
    if args.bomb:
        print(json.dumps(measure_bomb(Path(args.bomb))))
        return
    setup()
    base_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="digileap-import-memory-") as temporary:
        directory = Path(temporary)
        files = write_files(directory, _sizes(args.csv_mb), _sizes(args.xlsx_mb))
        results = []
        sqlite = not base_url or base_url.startswith("sqlite")
        template = directory / "template.sqlite3"
        if sqlite:
            # Migrate once; each import gets a fresh copy of the migrated database.
            subprocess.run(
                [sys.executable, str(HERE / "import_memory.py"), "--migrate-only"],
                env={**os.environ, "DATABASE_URL": f"sqlite:///{template}"},
                cwd=HERE,
                check=True,
            )
        for index, (kind, _size, path) in enumerate(files):
            env = dict(os.environ)
            if sqlite:
                database = directory / f"db-{index}.sqlite3"
                shutil.copyfile(template, database)
                env["DATABASE_URL"] = f"sqlite:///{database}"
            completed = subprocess.run(
                [sys.executable, str(HERE / "import_memory.py"), "--one", kind, str(path)],
                env=env,
                cwd=HERE,
                capture_output=True,
                text=True,
            )
            if completed.returncode != 0:
                sys.stderr.write(completed.stderr[-3000:])
                raise SystemExit(f"measuring {path.name} failed")
            results.append(json.loads(completed.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
            path.unlink()
            if sqlite:
                database.unlink()
        completed = subprocess.run(
            [sys.executable, str(HERE / "import_memory.py"), "--bomb", str(directory)],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        )
        bomb_result = json.loads(completed.stdout.strip().splitlines()[-1])
        shutil.rmtree(directory, ignore_errors=True)
    print(json.dumps({"imports": results, "bomb": bomb_result}))


if __name__ == "__main__":
    main()


def report_lines(result: dict | None, table) -> list[str]:
    """The figures as bench/run.py prints them (part ``limits``)."""
    if not result:
        return []
    rows = [
        [
            r["format"],
            f"{r['file_mb']:.1f}",
            f"{r['rows']:,}",
            f"{r['peak_mb']:.1f}",
            f"{r['peak_per_file_mb']:.1f}",
            f"{r['baseline_peak_mb']:.1f}",
            f"{r['ratio']:.2f}",
            f"{r['aim_mb']:.0f}",
            "yes" if r["peak_mb"] <= r["aim_mb"] else "no",
        ]
        for r in result["imports"]
    ]
    bomb = result["bomb"]
    return [
        "",
        "Import memory (SQLite, tracemalloc peak of run_import; baseline: the file's rows read into a list)",
        table(
            rows, ["format", "file MB", "rows", "peak MB", "MB per file MB", "baseline MB", "ratio", "aim MB", "met?"]
        ),
        "",
        f"ZIP bomb: {bomb['file_mb']:.2f} MB unpacking to {bomb['unpacks_to_mb']:,.0f} MB refused in "
        f"{bomb['bomb_refuse_ms']:.2f} ms (baseline, reading its ZIP directory: {bomb['baseline_ms']:.2f} ms, "
        f"ratio {bomb['ratio']:.2f})",
    ]
