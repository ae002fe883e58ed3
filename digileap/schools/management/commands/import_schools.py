"""Import a school registry file from the command line (for the operators of an installation).

    manage.py import_schools FILE (--profile NAME | --profile-file FILE.json) [--dry-run]
                             [--skip-invalid] [--school-year 2024/25] [--as USERNAME]

Progress and rejected rows go to stderr; the last line on stdout is one JSON object
``{"created": n, "updated": n, "unchanged": n, "rejected": n}`` with what was written (for a dry
run: what would be). Exit code 1 when nothing was written because of rejected rows or a file error
(for a dry run: when the real import would refuse). See ``digileap/core/management/import_command.py``.

Without ``--as`` the import runs as the installation itself (``SystemActor``), with an
administrator's rights over everything: whoever can run ``manage.py`` already holds the database.
With ``--as`` it runs with that user's role and scope, like an upload on the web.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from digileap.core.management.import_command import ImportCommand
from digileap.schools.models import SCHOOL_YEAR_VALIDATOR


class Command(ImportCommand):
    help = "Import schools from a CSV or XLSX file through an import profile (see docs/imports.md)."
    target = "schools"
    profile_help = "the import profile, e.g. hamburg, mv, generic"

    def add_target_arguments(self, parser):
        parser.add_argument("--school-year", default="", help="school year for every row, e.g. 2024/25")

    def overrides(self, options):
        if not options["school_year"]:
            return {}
        try:
            SCHOOL_YEAR_VALIDATOR(options["school_year"])
        except ValidationError:
            raise CommandError(f"--school-year {options['school_year']!r} is not like 2024/25") from None
        return {"school_year": options["school_year"]}
