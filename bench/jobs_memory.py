"""Does a worker give back its memory after a failed import? (issue 15, "limits under attack")

    DATABASE_URL=sqlite:////tmp/jobs-memory.sqlite3 .venv/bin/python bench/jobs_memory.py [--rows N] [--keep]

Migrates the database, writes a school file of N rows (default 100,000, profile ``mv``), and runs
the import's commit task as the worker does (``commit_import_task.call``) with the importer's write
made to fail after the whole file was checked and planned: the job ends FAILED with its reason.
Prints one JSON line with the process's resident memory (``/proc/self/statm``) before the job,
after it and after a second failed run of the same job (is the first one's memory reused?), and
the peak: with ``--keep`` the task's ``release_memory`` is switched off, for the
comparison. Run each mode in its own process. Nothing is asserted.
"""

import argparse
import csv
import io
import json
import resource
import sys
import tempfile

from _setup import bench_admin, migrate, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="switch off release_memory after the failure")
    options = parser.parse_args()
    setup()
    migrate()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from digileap.core import jobs, tasks
    from digileap.core.imports import import_job_create
    from digileap.core.models import ImportJob
    from digileap.schools.importer import SchoolImporter

    sys.path.insert(0, str(settings.BASE_DIR))
    from digileap.schools.tests.import_files import MV_HEADERS, mv_row

    admin = bench_admin()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MV_HEADERS)
    for n in range(options.rows):
        writer.writerow(mv_row(str(70_000_000 + n), f"Schule {n}"))
    content = buffer.getvalue().encode()
    del buffer, writer

    def write_fails(self, plan):
        raise RuntimeError("the disk is full")

    setattr(SchoolImporter, "commit", write_fails)  # noqa: B010  (the bench makes the write fail on purpose)
    if options.keep:
        jobs.release_memory = lambda: 0
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        job = import_job_create(
            actor=admin, target="schools", profile="mv", uploaded_file=SimpleUploadedFile("big.csv", content)
        )
        size = len(content)
        del content
        jobs.release_memory()
        before = jobs.current_rss_bytes()
        after_each = []
        for _run in range(2):  # the second run shows whether the first one's memory is reused
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.COMMITTING)
            try:
                tasks.commit_import_task.call(job.pk, admin.pk)
            except tasks.ImportJobFailed:
                pass
            after_each.append(jobs.current_rss_bytes())
        after = after_each[0]
        job.refresh_from_db()
    mb = 1024 * 1024
    print(
        json.dumps(
            {
                "rows": options.rows,
                "file_mb": round(size / mb, 1),
                "release_memory": not options.keep,
                "job": [job.status, job.error],
                "rss_before_mb": round(before / mb, 1),
                "rss_after_mb": round(after / mb, 1),
                "retained_mb": round((after - before) / mb, 1),
                "rss_after_second_failed_job_mb": round(after_each[1] / mb, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
