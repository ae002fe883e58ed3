"""``manage.py send_funding_reminders [--today YYYY-MM-DD] [--dry-run] [--enqueue]``

E-mails the reminders of the funding calls' deadlines that are due today (decisions to the
reviewers and programme owners; claims and proof of use to operator staff), each once
(``services.reminders``). ``--enqueue`` leaves the work to the background worker instead.
The last line printed is ``{"today": "2027-03-01", "due": n, "sent": n, "emails": n,
"already_sent": n, "without_recipients": n, "dry_run": false}``.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from ...services.reminders import funding_reminders_send


class Command(BaseCommand):
    help = "E-mail the reminders of funding deadlines (decisions, claims, proof of use) that are due."

    def add_arguments(self, parser):
        parser.add_argument("--today", default="", help="act as if today were this day (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="count only: send nothing, record nothing")
        parser.add_argument("--enqueue", action="store_true", help="run in the background worker")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today {options['today']!r} is not a day like 2027-03-01") from None
        if options["enqueue"]:
            from ...tasks import send_funding_reminders

            result = send_funding_reminders.enqueue(
                today=today.isoformat() if today else None, dry_run=options["dry_run"]
            )
            self.stdout.write(json.dumps({"enqueued": str(result.id)}))
            return
        summary = funding_reminders_send(today=today, dry_run=options["dry_run"])
        self.stdout.write(json.dumps(summary))
