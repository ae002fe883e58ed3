"""Recompute the audit trail's hash chain and name the first entry that was altered."""

from django.core.management.base import BaseCommand, CommandError

from digileap.core.audit import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain. Exits with status 1 and names the first broken entry."

    def handle(self, *args, **options):
        report = verify_chain()
        if report.is_intact:
            self.stdout.write(f"audit chain intact: {report.checked} entries, head {report.head_hash}")
            return
        raise CommandError(
            f"audit chain broken at entry {report.first_broken_id}: {report.reason} "
            f"({report.checked} entries before it are intact)",
            returncode=1,
        )
