"""Import pupils and teachers from a class list or a OneRoster ``users.csv``.

    manage.py import_recipients FILE --profile NAME [--school NUMBER] [--dry-run] [--skip-invalid]
                                [--as USERNAME]

Profiles: ``class-list`` and ``oneroster-users`` (see docs/devices-handout.md). ``--school``
gives every row that school (its official number). Rejected rows go to stderr; the last line on
stdout is one JSON object ``{"created": n, "updated": n, "unchanged": n, "rejected": n}``. Exit
code 1 when nothing was written because of rejected rows or a file error. Without ``--as`` the
import runs as the installation itself (``SystemActor``).
"""

import json
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from digileap.core.permissions import SystemActor
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError
from digileap.core.tabular.profiles import ProfileError


class Command(BaseCommand):
    help = "Import pupils and teachers from a class list or OneRoster users.csv (see docs/devices-handout.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--profile", required=True, help="the import profile: class-list or oneroster-users")
        parser.add_argument("--school", default="", help="the official number of the school of every row")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows and skip the rejected ones"
        )
        parser.add_argument(
            "--as", dest="username", default="", help="import with this user's role and scope (default: system)"
        )

    def handle(self, *args, **options):
        actor = self._actor(options["username"])
        overrides = {"school": options["school"].strip()} if options["school"].strip() else None
        path = options["file"]
        summary = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        failed = False
        try:
            result = run_import(
                target="recipients",
                source=path,
                profile=options["profile"],
                actor=actor,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                overrides=overrides,
            )
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (ProfileError, PermissionDenied) as error:
            raise CommandError(str(error)) from None
        except ImportFileError as error:
            self.stderr.write(self._where(path, error.line, error.column) + error.message)
            failed = True
        except ImportRejected as rejected:
            result = rejected.result
            self._write_errors(path, result.errors)
            self.stderr.write(
                f"nothing was imported: {result.rejected} row(s) rejected. With --skip-invalid the import would "
                f"create {result.created}, update {result.updated} and leave {result.unchanged} unchanged."
            )
            summary["rejected"] = result.rejected
            failed = True
        else:
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
            return SystemActor("system (manage.py import_recipients)")
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
