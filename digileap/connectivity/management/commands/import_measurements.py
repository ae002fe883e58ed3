"""Import a file of speed measurements from other tools.

    manage.py import_measurements FILE --profile NAME [--dry-run] [--skip-invalid] [--as USERNAME]
                                  [--profile-file FILE.json]

Profiles: ``generic`` (Digileap's columns, Mbit/s) and ``giga`` (the Giga Meter / Daily Check App
export, kbit/s). Rejected rows go to stderr with file, line and column; the last line on stdout is
one JSON object ``{"created": n, "updated": 0, "unchanged": n, "rejected": n}``, as every import
command. A re-import of the same file creates nothing. See docs/connectivity-measurements.md.
"""

from digileap.connectivity.importers.measurements import TARGET
from digileap.core.management.import_command import ImportCommand


class Command(ImportCommand):
    help = "Import speed measurements (one test a row) through an import profile (generic or giga)."
    target = TARGET
    profile_required = True
    profile_help = "the import profile: generic or giga"
