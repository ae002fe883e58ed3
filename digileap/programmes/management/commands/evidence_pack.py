import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from digileap.programmes.evidence import EvidenceError, build_pack, sha256
from digileap.programmes.models import Target


class Command(BaseCommand):
    help = "Write the evidence pack (ZIP) of a milestone or target. The same data gives the same bytes."

    def add_arguments(self, parser):
        parser.add_argument("target_id", type=int)
        parser.add_argument("--output", required=True, help="Where to write the ZIP ('-' is not supported).")
        parser.add_argument("--as-of", dest="as_of", help="The day (YYYY-MM-DD); default: today.")
        parser.add_argument("--language", default="en", help="The language of the summary (default: en).")

    def handle(self, *args, target_id: int, output: str, as_of: str | None, language: str, **options):
        target = Target.objects.select_related("programme__authority", "indicator").filter(pk=target_id).first()
        if target is None:
            raise CommandError(f"There is no milestone or target {target_id}.")
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD).") from None
        try:
            with translation.override(language):
                data = build_pack(target, day)
        except EvidenceError as error:
            raise CommandError(str(error)) from None
        Path(output).write_bytes(data)
        self.stdout.write(f"{output}: {len(data)} bytes, SHA-256 {sha256(data)}")
