"""``manage.py send_survey_reminders [--today YYYY-MM-DD] [--dry-run] [--enqueue]``

E-mails the schools that have not answered an open connectivity survey on the campaign's reminder
days before its last day, and once when it has passed, each once (``services.reminders``).
``--enqueue`` leaves the work to the background worker instead. The last line printed is
``{"today": "2024-03-17", "due": n, "sent": n, "emails": n, "already_sent": n,
"without_recipients": n, "dry_run": false}``.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...services.reminders import send_survey_reminders


class Command(BaseCommand):
    help = "E-mail the schools that have not answered an open connectivity survey (each reminder once)."

    def add_arguments(self, parser):
        parser.add_argument("--today", default="", help="act as if today were this day (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="count only: send nothing, record nothing")
        parser.add_argument("--enqueue", action="store_true", help="run in the background worker")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today {options['today']!r} is not a day like 2024-03-17") from None
        if options["enqueue"]:
            from ...tasks import send_survey_reminders as task

            result = task.enqueue(today=today.isoformat(), dry_run=options["dry_run"])
            self.stdout.write(json.dumps({"enqueued": str(result.id)}))
            return
        summary = send_survey_reminders(today=today, dry_run=options["dry_run"])
        self.stdout.write(json.dumps({"today": today.isoformat(), **summary, "dry_run": options["dry_run"]}))
