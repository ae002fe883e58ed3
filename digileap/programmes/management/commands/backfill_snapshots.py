import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from digileap.programmes import services
from digileap.programmes.models import Programme


class Command(BaseCommand):
    help = "Recompute the daily snapshots of every target from a day until today, from the dated records."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="First day (YYYY-MM-DD or 'today'); default 90 days ago.")
        parser.add_argument("--to", dest="end", help="Last day (YYYY-MM-DD); default today.")
        parser.add_argument("--programme", action="append", default=[], help="Programme code (repeatable).")

    def handle(self, *args, start=None, end=None, programme=(), **options):
        today = timezone.localdate()
        try:
            first = (
                today - datetime.timedelta(days=90)
                if not start
                else (today if start == "today" else datetime.date.fromisoformat(start))
            )
            last = datetime.date.fromisoformat(end) if end else today
        except ValueError as error:
            raise CommandError(f"Dates are written YYYY-MM-DD: {error}") from None
        if first > last:
            raise CommandError("--from is after --to.")
        programmes = None
        if programme:
            programmes = Programme.objects.filter(code__in=programme)
            missing = set(programme) - set(programmes.values_list("code", flat=True))
            if missing:
                raise CommandError(f"No programme with the code(s) {', '.join(sorted(missing))}.")
        written = services.snapshots_backfill(start=first, end=last, programmes=programmes)
        self.stdout.write(f"{written} snapshots from {first} to {last}.")
