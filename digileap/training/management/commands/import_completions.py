"""Import course completions from a learning platform's export or a completion file.

    manage.py import_completions FILE --profile NAME [--dry-run] [--skip-invalid] [--as USERNAME]
                                 [--profile-file FILE.json]

Profiles: ``moodle`` (Moodle's course completion report, CSV or XLSX), ``generic`` (Digileap's
columns) and ``xapi`` (xAPI statements as JSON: one, an array, or a statements page). Rejected rows
go to stderr with file, line and column; the last line on stdout is one JSON object
``{"created": n, "updated": 0, "unchanged": n, "rejected": n}`` (xAPI adds ``filtered``: the
statements with other verbs), as every import command. A re-import of the same file creates
nothing. See docs/training-imports.md.
"""

from digileap.core.management.import_command import ImportCommand
from digileap.training.importers.completions import TARGET
from digileap.training.importers.xapi import PROFILE as XAPI_PROFILE
from digileap.training.importers.xapi import TARGET as XAPI_TARGET


class Command(ImportCommand):
    help = "Import course completions through an import profile (moodle, generic or xapi)."
    target = TARGET
    profile_required = True
    profile_help = "the import profile: moodle, generic or xapi (xAPI statements as JSON)"

    def handle(self, *args, **options):
        # xAPI statements are their own target of the engine (a JSON file read into a table).
        self.target = XAPI_TARGET if options.get("profile") == XAPI_PROFILE else TARGET
        return super().handle(*args, **options)
