"""Import a school registry file from the command line (for the operators of an installation).

    manage.py import_schools FILE --profile NAME [--dry-run] [--skip-invalid]
                             [--school-year 2024/25] [--as USERNAME]

Progress and rejected rows go to stderr; the last line on stdout is one JSON object
``{"created": n, "updated": n, "unchanged": n, "rejected": n}`` with what was written (for a dry
run: what would be). Exit code 1 when nothing was written because of rejected rows or a file error
(for a dry run: when the real import would refuse).

Without ``--as`` the import runs as the installation itself (``SystemActor``), with an
administrator's rights over everything: whoever can run ``manage.py`` already holds the database.
With ``--as`` it runs with that user's role and scope, like an upload on the web.
"""

import json
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from digileap.core.permissions import SystemActor
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError
from digileap.core.tabular.profiles import ProfileError
from digileap.schools.models import SCHOOL_YEAR_VALIDATOR


class Command(BaseCommand):
    help = "Import schools from a CSV or XLSX file through an import profile (see docs/imports.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--profile", required=True, help="the import profile, e.g. hamburg, mv, generic")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows and skip the rejected ones"
        )
        parser.add_argument("--school-year", default="", help="school year for every row, e.g. 2024/25")
        parser.add_argument(
            "--as", dest="username", default="", help="import with this user's role and scope (default: system)"
        )

    def handle(self, *args, **options):
        actor = self._actor(options["username"])
        overrides = {}
        if options["school_year"]:
            try:
                SCHOOL_YEAR_VALIDATOR(options["school_year"])
            except ValidationError:
                raise CommandError(f"--school-year {options['school_year']!r} is not like 2024/25") from None
            overrides["school_year"] = options["school_year"]
        path = options["file"]
        bar = tqdm(total=0, unit="rows", file=sys.stderr, disable=None, leave=False)

        def progress(phase: str, done: int, total: int) -> None:
            bar.set_description(phase)
            bar.total = total
            bar.n = done
            bar.refresh()

        summary = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        failed = False
        try:
            result = run_import(
                target="schools",
                source=path,
                profile=options["profile"],
                actor=actor,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=progress,
                overrides=overrides,
            )
        except FileNotFoundError:
            bar.close()
            raise CommandError(f"{path}: no such file") from None
        except ProfileError as error:
            bar.close()
            raise CommandError(str(error)) from None
        except PermissionDenied as error:
            bar.close()
            raise CommandError(str(error)) from None
        except ImportFileError as error:
            bar.close()
            self.stderr.write(self._where(path, error.line, error.column) + error.message)
            failed = True
        except ImportRejected as rejected:
            bar.close()
            result = rejected.result
            self._write_errors(path, result.errors)
            self.stderr.write(
                f"nothing was imported: {result.rejected} row(s) rejected. With --skip-invalid the import would "
                f"create {result.created}, update {result.updated} and leave {result.unchanged} unchanged."
            )
            summary["rejected"] = result.rejected
            failed = True
        else:
            bar.close()
            self._write_errors(path, result.errors)
            summary = result.summary()
            importable = result.created + result.updated + result.unchanged
            if result.rejected and ((options["dry_run"] and not options["skip_invalid"]) or importable == 0):
                failed = True
        self.stdout.write(json.dumps(summary))
        if failed:
            sys.exit(1)

    def _actor(self, username: str):
        if not username:
            return SystemActor("system (manage.py import_schools)")
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"--as {username}: no such user") from None

    def _where(self, path: str, line: int | None, column: str) -> str:
        parts = [path]
        if line:
            parts.append(f"line {line}")
        if column:
            parts.append(f"column {column!r}")
        return ", ".join(parts) + ": "

    def _write_errors(self, path: str, errors) -> None:
        for error in errors:
            self.stderr.write(self._where(path, error.line, error.column) + error.message)
