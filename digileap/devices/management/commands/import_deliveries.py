"""Import a delivery file (devices with serial numbers) from the command line.

    manage.py import_deliveries FILE [--profile NAME] [--dry-run] [--skip-invalid]
                                [--programme CODE] [--supplier NAME] [--as USERNAME]

Progress and rejected rows go to stderr; the last line on stdout is one JSON object
``{"created": n, "updated": n, "unchanged": n, "rejected": n}`` with what was written (for a dry
run: what would be), exactly as ``import_schools``. Exit code 1 when nothing was written because of
rejected rows or a file error (for a dry run: when the real import would refuse).

``--programme`` is the programme of rows without a purchase order; ``--supplier`` the supplier of
those rows (a supplier user delivers as its own supplier). Without ``--as`` the import runs as the
installation itself (``SystemActor``); with it, with that user's role and scope.
"""

import json
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from tqdm import tqdm

from digileap.core.permissions import SystemActor
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError
from digileap.core.tabular.profiles import ProfileError
from digileap.devices.importers.deliveries import TARGET
from digileap.devices.models import Supplier
from digileap.programmes.models import Programme


class Command(BaseCommand):
    help = "Import a delivery file (one device a row) through an import profile (see docs/devices-import.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--profile", default="generic", help="the import profile (default: generic)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows and skip the rejected ones"
        )
        parser.add_argument("--programme", default="", help="programme code for rows without a purchase order")
        parser.add_argument("--supplier", default="", help="supplier name for rows without a purchase order")
        parser.add_argument(
            "--as", dest="username", default="", help="import with this user's role and scope (default: system)"
        )

    def handle(self, *args, **options):
        actor = self._actor(options["username"])
        overrides = {}
        if options["programme"]:
            if not Programme.objects.filter(code=options["programme"]).exists():
                raise CommandError(f"--programme {options['programme']!r}: no such programme")
            overrides["programme"] = options["programme"]
        if options["supplier"]:
            if not Supplier.objects.filter(name__iexact=options["supplier"]).exists():
                raise CommandError(f"--supplier {options['supplier']!r}: no such supplier")
            overrides["supplier"] = options["supplier"]
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
                target=TARGET,
                source=path,
                profile=options["profile"],
                actor=actor,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=progress,
                overrides=overrides or None,
            )
        except FileNotFoundError:
            bar.close()
            raise CommandError(f"{path}: no such file") from None
        except (ProfileError, PermissionDenied) as error:
            bar.close()
            raise CommandError(str(error)) from None
        except IntegrityError as error:
            bar.close()
            self.stderr.write(f"{path}: the database refused the import, nothing was written: {error}")
            failed = True
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
            return SystemActor("system (manage.py import_deliveries)")
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
