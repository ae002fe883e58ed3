from django.core.management.base import BaseCommand

from digileap.core.permissions import SystemActor
from digileap.programmes.seeding import load_seed_programmes


class Command(BaseCommand):
    help = "Create or update the five programmes of the seed documents (idempotent)."

    def handle(self, *args, **options):
        report = load_seed_programmes(actor=SystemActor("load_seed_programmes"))
        self.stdout.write(f"Seed programmes: {', '.join(report.programmes)}.")
        if report.pending_indicators:
            self.stdout.write(
                "Targets waiting for an indicator kind not installed yet (run again once it is): "
                + ", ".join(report.pending_indicators)
            )
