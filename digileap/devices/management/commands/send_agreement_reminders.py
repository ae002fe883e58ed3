"""``manage.py send_agreement_reminders [--after-days N] [--every-days N] [--as-of ISO-TIME] [--dry-run] [--enqueue]``

E-mails each school (its own address and its coordinators') the user agreements still awaiting
acceptance N days after they were sent and not reminded in the last N days, listed by class or group,
and counts the reminder on each. ``--enqueue`` leaves the work to the background worker instead.
The last line printed is ``{"due": n, "schools": n, "emails": n, "reminded": n,
"schools_without_address": n, "dry_run": false}``.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ...services.agreements import agreement_reminders_send


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError
    return number


class Command(BaseCommand):
    help = "E-mail schools the user agreements that are still missing, and count the reminders."

    def add_arguments(self, parser):
        parser.add_argument("--after-days", type=_positive, default=7, help="first reminder N days after sending")
        parser.add_argument("--every-days", type=_positive, default=7, help="then every N days")
        parser.add_argument("--as-of", default="", help="act as if it were this time (ISO 8601; default: now)")
        parser.add_argument("--dry-run", action="store_true", help="count only: send nothing, mark nothing")
        parser.add_argument("--enqueue", action="store_true", help="run in the background worker")

    def handle(self, *args, **options):
        now = None
        if options["as_of"]:
            now = parse_datetime(options["as_of"])
            if now is None:
                raise CommandError(f"--as-of {options['as_of']!r} is not a time like 2025-03-01T08:00:00+01:00")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        if options["enqueue"]:
            from ...tasks import send_agreement_reminders

            result = send_agreement_reminders.enqueue(
                after_days=options["after_days"],
                every_days=options["every_days"],
                as_of=now.isoformat() if now else None,
            )
            self.stdout.write(json.dumps({"enqueued": str(result.id)}))
            return
        summary = agreement_reminders_send(
            now=now, after_days=options["after_days"], every_days=options["every_days"], dry_run=options["dry_run"]
        )
        self.stdout.write(json.dumps(summary))
