"""Prove that every device's status is what its lifecycle events say."""

import json
import sys

from django.core.management.base import BaseCommand

from digileap.devices import lifecycle
from digileap.devices.models import Device

# How many mismatched devices are named on stderr (the count covers them all).
NAMED = 20


class Command(BaseCommand):
    help = (
        "Compare each device's status with its newest lifecycle event. Prints one line of JSON "
        '({"devices": n, "mismatched": m}); names the first mismatches on stderr and exits with '
        "status 1 when there are any."
    )

    def handle(self, *args, **options):
        mismatched = lifecycle.device_status_check()
        for pk, status, derived in mismatched[:NAMED]:
            self.stderr.write(f"device {pk}: status {status!r}, its events say {derived!r}")
        if len(mismatched) > NAMED:
            self.stderr.write(f"... and {len(mismatched) - NAMED} more")
        self.stdout.write(json.dumps({"devices": Device.objects.count(), "mismatched": len(mismatched)}))
        if mismatched:
            sys.exit(1)
