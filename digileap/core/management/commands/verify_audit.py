"""Recompute the audit trail's hash chain, compare it with anchors, and name the first entry that was altered."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from digileap.core.audit import parse_anchors, verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain (and, with --anchor, that every anchored entry is still there "
        "with the anchored hash). Exits with status 1 and names the first broken entry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            metavar="FILE",
            help="a file of anchors written by audit_anchor (one JSON line each); every one must hold",
        )

    def handle(self, *args, **options) -> None:
        anchors = []
        if options["anchor"]:
            path = Path(options["anchor"])
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"cannot read the anchor file {path}: {error.strerror}", returncode=2) from error
            try:
                anchors = parse_anchors(text.splitlines())
            except ValueError as error:
                raise CommandError(f"anchor file {path}: {error}", returncode=2) from error
        report = verify_chain(anchors)
        if report.is_intact:
            self.stdout.write(f"audit chain intact: {report.checked} entries, head {report.head_hash}")
            if options["anchor"]:
                newest = max((a for a in anchors if a.last_event_id), key=lambda a: a.last_event_id or 0, default=None)
                upto = f", the newest up to entry {newest.last_event_id} ({newest.anchored_at})" if newest else ""
                self.stdout.write(f"anchors hold: {len(anchors)} in {options['anchor']}{upto}")
            return
        raise CommandError(
            f"audit chain broken at entry {report.first_broken_id}: {report.reason} "
            f"({report.checked} entries before it are intact)",
            returncode=1,
        )
