"""Copy the audit chain's head out of the database: one JSON line to stdout, a file, or appended to one.

Run it on a schedule (cron, a systemd timer) and keep the lines where the database's administrators
cannot write: ``verify_audit --anchor FILE`` then proves that nothing up to each anchor was removed or
rewritten. See docs/audit.md.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from digileap.core.audit import make_anchor


class Command(BaseCommand):
    help = (
        "Write the audit chain head (newest entry id, entry count, hash, key id, time) as one JSON line "
        "to stdout, to --output FILE (replaced) or to --append FILE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--output", metavar="FILE", help="write the anchor to FILE, replacing it")
        target.add_argument("--append", metavar="FILE", help="add the anchor as a new line at the end of FILE")

    def handle(self, *args, **options) -> None:
        try:
            anchor = make_anchor()
        except ValueError as error:
            raise CommandError(str(error), returncode=1) from error
        line = anchor.as_json() + "\n"
        path = options["output"] or options["append"]
        if not path:
            self.stdout.write(line, ending="")
            return
        try:
            with Path(path).open("a" if options["append"] else "w", encoding="utf-8") as file:
                file.write(line)
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            raise CommandError(f"cannot write the anchor to {path}: {error.strerror}", returncode=2) from error
        if options["verbosity"] >= 2:
            self.stdout.write(f"anchored entry {anchor.last_event_id} ({anchor.count} entries) to {path}")
