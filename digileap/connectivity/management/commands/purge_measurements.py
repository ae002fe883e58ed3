"""Delete raw measurements older than the retention; the daily aggregates stay.

    manage.py purge_measurements [--before 2025-01-01] [--dry-run]

Default: rows of the days before today minus ``DIGILEAP_MEASUREMENT_RETENTION_DAYS`` (400). The
days about to be deleted are aggregated first. Prints one JSON line
``{"before": "...", "deleted": n}`` (with ``--dry-run``: ``"would_delete": n``, nothing written).
Run it daily, from cron or the worker's schedule (docs/connectivity-measurements.md).
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from digileap.connectivity.services.aggregation import purge_measurements, purgeable, retention_cutoff


class Command(BaseCommand):
    help = "Delete raw measurements older than DIGILEAP_MEASUREMENT_RETENTION_DAYS (aggregates stay)."

    def add_arguments(self, parser):
        parser.add_argument("--before", default="", help="delete the rows of the days before this day (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted; delete nothing")

    def handle(self, *args, **options):
        before = None
        if options["before"]:
            try:
                before = datetime.date.fromisoformat(options["before"])
            except ValueError:
                raise CommandError(f"--before {options['before']!r}: not a date (use 2025-01-01)") from None
        cutoff = retention_cutoff(before)
        if options["dry_run"]:
            summary = {"before": cutoff.isoformat(), "would_delete": purgeable(cutoff).count()}
        else:
            summary = {"before": cutoff.isoformat(), "deleted": purge_measurements(before=cutoff)}
        self.stdout.write(json.dumps(summary))
