"""Import a delivery file (devices with serial numbers) from the command line.

    manage.py import_deliveries FILE [--profile NAME | --profile-file FILE.json] [--dry-run]
                                [--skip-invalid] [--programme CODE] [--supplier NAME] [--as USERNAME]

Progress and rejected rows go to stderr; the last line on stdout is one JSON object
``{"created": n, "updated": n, "unchanged": n, "rejected": n}`` with what was written (for a dry
run: what would be), exactly as ``import_schools``. Exit code 1 when nothing was written because of
rejected rows or a file error (for a dry run: when the real import would refuse).

``--programme`` is the programme of rows without a purchase order; ``--supplier`` the supplier of
those rows (a supplier user delivers as its own supplier). Without ``--as`` the import runs as the
installation itself (``SystemActor``); with it, with that user's role and scope.
"""

from django.core.management.base import CommandError

from digileap.core.management.import_command import ImportCommand
from digileap.devices.importers.deliveries import TARGET
from digileap.devices.models import Supplier
from digileap.programmes.models import Programme


class Command(ImportCommand):
    help = "Import a delivery file (one device a row) through an import profile (see docs/devices-import.md)."
    target = TARGET
    profile_required = False
    profile_default = "generic"
    profile_help = "the import profile (default: generic)"

    def add_target_arguments(self, parser):
        parser.add_argument("--programme", default="", help="programme code for rows without a purchase order")
        parser.add_argument("--supplier", default="", help="supplier name for rows without a purchase order")

    def overrides(self, options):
        overrides = {}
        if options["programme"]:
            if not Programme.objects.filter(code=options["programme"]).exists():
                raise CommandError(f"--programme {options['programme']!r}: no such programme")
            overrides["programme"] = options["programme"]
        if options["supplier"]:
            if not Supplier.objects.filter(name__iexact=options["supplier"]).exists():
                raise CommandError(f"--supplier {options['supplier']!r}: no such supplier")
            overrides["supplier"] = options["supplier"]
        return overrides
