"""Import pupils and teachers from a class list or a OneRoster ``users.csv``.

    manage.py import_recipients FILE (--profile NAME | --profile-file FILE.json) [--school NUMBER]
                                [--dry-run] [--skip-invalid] [--as USERNAME]

Profiles: ``class-list`` and ``oneroster-users`` (see docs/devices-handout.md). ``--school``
gives every row that school (its official number). Rejected rows go to stderr; the last line on
stdout is one JSON object ``{"created": n, "updated": n, "unchanged": n, "rejected": n}``. Exit
code 1 when nothing was written because of rejected rows or a file error. Without ``--as`` the
import runs as the installation itself (``SystemActor``).
"""

from digileap.core.management.import_command import ImportCommand


class Command(ImportCommand):
    help = "Import pupils and teachers from a class list or OneRoster users.csv (see docs/devices-handout.md)."
    target = "recipients"
    profile_help = "the import profile: class-list or oneroster-users"

    def add_target_arguments(self, parser):
        parser.add_argument("--school", default="", help="the official number of the school of every row")

    def overrides(self, options):
        school = options["school"].strip()
        return {"school": school} if school else {}
