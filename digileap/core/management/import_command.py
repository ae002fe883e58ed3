"""The base of every import command: arguments, who imports (``--as``), progress and the JSON summary.

    manage.py import_<target> FILE (--profile NAME | --profile-file FILE.json) [--dry-run]
                              [--skip-invalid] [--as USERNAME] [target options]

A command names its ``target``, adds its own options in ``add_target_arguments`` and turns them into
engine overrides in ``overrides``. Everything else is shared:

- progress bar on stderr (only when stderr is a terminal);
- every rejected row on stderr, one a line: ``FILE, line 6, column 'C_S_SuS': reason``;
- the last line on stdout is exactly one JSON object ``{"created": n, "updated": n, "unchanged": n,
  "rejected": n}`` with what was written (for a dry run: what would be);
- exit code 1 when nothing was written because of rejected rows or a file error (for a dry run:
  when the real import would refuse); unknown profiles, users and files and a role that may not
  import end with ``CommandError``.

``--profile-file`` reads a JSON profile (docs/imports.md, the JSON Schema at
``/imports/profile.schema.json``) instead of a built-in or saved one; an error names the file and
the place in it. Without ``--as`` the import runs as the installation itself (``SystemActor``).

A file larger than ``settings.IMPORT_MAX_FILE_BYTES`` (the limit of the web upload) is refused
before it is opened, as on the web; ``--max-bytes N`` sets another limit for one run.
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from tqdm import tqdm

from digileap.core.permissions import SystemActor
from digileap.core.tabular import profiles
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError
from digileap.core.tabular.profiles import Profile, ProfileError


def load_profile_file(path: str, *, target: str) -> Profile:
    """The profile in the JSON file ``path`` for ``target``; CommandError naming the file when it is wrong."""
    if not Path(path).is_file():
        raise CommandError(f"--profile-file {path}: no such file")
    try:
        return profiles.load_profile_file(path, target=target)
    except ProfileError as error:
        message = str(error)
        raise CommandError(message if message.startswith(str(path)) else f"{path}: {message}") from None


class ImportCommand(BaseCommand):
    """A command that imports one file into ``target`` through the engine."""

    target: str = ""
    # Whether --profile (or --profile-file) must be given; otherwise ``profile_default`` is used.
    profile_required: bool = True
    profile_default: str = "generic"
    profile_help: str = "the import profile"

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        group = parser.add_mutually_exclusive_group(required=self.profile_required)
        if self.profile_required:
            group.add_argument("--profile", help=self.profile_help)
        else:
            group.add_argument("--profile", default=self.profile_default, help=self.profile_help)
        group.add_argument(
            "--profile-file", default="", help="a JSON profile file instead of a built-in or saved profile"
        )
        self.add_target_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows and skip the rejected ones"
        )
        parser.add_argument(
            "--as", dest="username", default="", help="import with this user's role and scope (default: system)"
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=None,
            help="refuse a larger file (default: the setting IMPORT_MAX_FILE_BYTES, the web upload's limit)",
        )

    def add_target_arguments(self, parser) -> None:
        """The command's own options (``--school-year``, ``--programme``, ...)."""

    def overrides(self, options: dict[str, Any]) -> dict[str, Any]:
        """Field values from the command's own options; raise CommandError for a bad one."""
        return {}

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options["username"])
        overrides = self.overrides(options)
        path = options["file"]
        profile: str | Profile = options.get("profile") or self.profile_default
        if options.get("profile_file"):
            profile = load_profile_file(options["profile_file"], target=self.target)
        bar = tqdm(total=0, unit="rows", file=sys.stderr, disable=None, leave=False)

        def progress(phase: str, done: int, total: int) -> None:
            bar.set_description(phase)
            bar.total = total
            bar.n = done
            bar.refresh()

        summary = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        too_large = self.size_refusal(path, options.get("max_bytes"))
        if too_large:
            bar.close()
            self.stderr.write(too_large)
            self.stdout.write(json.dumps(summary))
            sys.exit(1)
        failed = False
        try:
            result = run_import(
                target=self.target,
                source=path,
                profile=profile,
                actor=actor,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=progress,
                overrides=overrides or None,
            )
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (ProfileError, PermissionDenied) as error:
            raise CommandError(str(error)) from None
        except IntegrityError as error:
            self.stderr.write(f"{path}: the database refused the import, nothing was written: {error}")
            failed = True
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
            self._write_warnings(path, getattr(result, "warnings", []))
            summary = result.summary()
            importable = result.created + result.updated + result.unchanged
            if result.rejected and ((options["dry_run"] and not options["skip_invalid"]) or importable == 0):
                failed = True
        finally:
            bar.close()
        self.stdout.write(json.dumps(summary))
        if failed:
            sys.exit(1)

    def size_refusal(self, path: str, max_bytes: int | None) -> str:
        """Why the file at ``path`` is too large to import, or "" (a missing file is left to the engine)."""
        limit = int(settings.IMPORT_MAX_FILE_BYTES) if max_bytes is None else max_bytes
        if max_bytes is not None and max_bytes < 1:
            raise CommandError("--max-bytes must be at least 1")
        try:
            size = Path(path).stat().st_size
        except OSError:
            return ""
        if size <= limit:
            return ""
        return (
            f"{path}: the file is {size:,} bytes ({size / 1048576:,.1f} MB); the largest file this installation "
            f"imports is {limit:,} bytes ({limit / 1048576:,.1f} MB). Nothing was imported "
            "(IMPORT_MAX_FILE_BYTES, or --max-bytes for one run)."
        )

    def actor(self, username: str):
        """The user named by ``--as``, or the installation itself."""
        if not username:
            return SystemActor(f"system (manage.py {self.command_name()})")
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"--as {username}: no such user") from None

    def command_name(self) -> str:
        return self.__class__.__module__.rsplit(".", 1)[-1]

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

    def _write_warnings(self, path: str, warnings) -> None:
        for warning in warnings:
            self.stderr.write(self._where(path, warning.line, warning.column) + "warning: " + warning.message)
