"""Mark background jobs whose worker stopped answering as failed (run it on a schedule).

    manage.py mark_stale_jobs                 # the threshold of DIGILEAP_JOB_STALE_MINUTES (default 10)
    manage.py mark_stale_jobs --minutes 30    # another threshold for this run

A job is stale when it runs (an import being checked or written, an evidence pack being prepared)
and has written no heartbeat for that long: its worker was killed, ran out of memory, or was
stopped. The job becomes FAILED with the reason, and its django-tasks result rows FAILED too.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from digileap.core import jobs


class Command(BaseCommand):
    help = "Mark background jobs whose worker stopped answering as failed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutes", type=float, default=None, help="Stale after this many minutes without a heartbeat."
        )

    def handle(self, *args: Any, minutes: float | None = None, **options: Any) -> None:
        if minutes is not None:
            with override_settings(DIGILEAP_JOB_STALE_MINUTES=minutes):
                marked = jobs.mark_stale()
        else:
            marked = jobs.mark_stale()
        for label, pk in marked:
            self.stdout.write(f"{label} {pk}: failed, its worker stopped answering")
        self.stdout.write(f"{len(marked)} stale job(s) marked failed.")
