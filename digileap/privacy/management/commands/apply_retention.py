"""Apply the retention rules (``settings.DIGILEAP_RETENTION``): erase pupils past their period,
delete old access-log reads, rejected single sign-ons and import files. Run it daily (docs/privacy.md).

    manage.py apply_retention --dry-run   # what is due, per kind; nothing changes
    manage.py apply_retention             # remove it; prints the counts (``--json`` as JSON)
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from digileap.core.context import new_request_id
from digileap.core.permissions import SystemActor
from digileap.privacy.retention import apply_retention


class Command(BaseCommand):
    help = "Remove the records past their retention period and report how many of each kind."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what is due; change nothing.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        new_request_id("retention-")
        report = apply_retention(actor=SystemActor("retention"), dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), sort_keys=True))
            return
        verb = "due" if report.dry_run else "removed"
        for kind, count in report.removed.items():
            self.stdout.write(f"{kind}: {count} {verb}")
        for recipient_id, reason in report.skipped.items():
            self.stdout.write(f"recipient {recipient_id} not erased: {reason}")
