"""Recompute the daily measurement aggregates from the raw rows.

    manage.py aggregate_measurements [--day 2026-05-03 | --start 2026-05-01 --end 2026-05-31]

Without options: yesterday and today (local days). Idempotent. Prints one JSON line
``{"start": "...", "end": "...", "aggregates": n}``. See docs/connectivity-measurements.md.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from digileap.connectivity.services.aggregation import aggregate_days


def _date(text: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r}: not a date (use 2026-05-03)") from None


class Command(BaseCommand):
    help = "Recompute the daily aggregates (count, median, 95th percentile) of measurements."

    def add_arguments(self, parser):
        parser.add_argument("--day", default="", help="one day (YYYY-MM-DD)")
        parser.add_argument("--start", default="", help="first day (YYYY-MM-DD)")
        parser.add_argument("--end", default="", help="last day (YYYY-MM-DD)")

    def handle(self, *args, **options):
        if options["day"] and (options["start"] or options["end"]):
            raise CommandError("give --day or --start and --end, not both")
        if options["day"]:
            start = end = _date(options["day"], "--day")
        elif options["start"] or options["end"]:
            if not (options["start"] and options["end"]):
                raise CommandError("--start and --end go together")
            start, end = _date(options["start"], "--start"), _date(options["end"], "--end")
            if end < start:
                raise CommandError("--end is before --start")
        else:
            end = timezone.localdate()
            start = end - datetime.timedelta(days=1)
        written = aggregate_days(start=start, end=end)
        self.stdout.write(json.dumps({"start": start.isoformat(), "end": end.isoformat(), "aggregates": written}))
