"""Load an authority's own competence framework from a JSON or CSV file (docs/training-frameworks.md).

    manage.py load_framework FILE --authority CODE [--dry-run] [--as USERNAME]

Every error goes to stderr, one a line, naming the file, the line or JSON place and the field;
nothing is written then and the exit code is 1. The last line on stdout is one JSON object:
``{"framework": CODE, "version": V, "authority": CODE, "created": 0|1, "areas": n,
"competences": n, "levels": n, "statements": n, "errors": n, "dry_run": bool}``.
Without ``--as`` the command runs as the installation itself.
"""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from digileap.core.permissions import SystemActor
from digileap.schools.models import Authority
from digileap.training.services import frameworks as services


class Command(BaseCommand):
    help = "Load an authority's own competence framework (a variant) from a JSON or CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the framework file, .json or .csv")
        parser.add_argument("--authority", required=True, help="the code of the authority the framework belongs to")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
        parser.add_argument(
            "--as", dest="username", default="", help="load with this user's role and scope (default: system)"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            authority = Authority.objects.get(code=options["authority"])
        except Authority.DoesNotExist:
            raise CommandError(f"--authority {options['authority']}: no such authority") from None
        actor = self._actor(options["username"])
        summary = {
            "framework": "",
            "version": "",
            "authority": authority.code,
            "created": 0,
            "areas": 0,
            "competences": 0,
            "levels": 0,
            "statements": 0,
            "errors": 0,
            "dry_run": bool(options["dry_run"]),
        }
        failed = False
        try:
            if options["dry_run"]:
                spec = services.check_framework_file(actor=actor, authority=authority, file=path, filename=path.name)
                summary.update(framework=spec.code, version=spec.version, **spec.counts())
            else:
                framework = services.load_framework(actor=actor, authority=authority, file=path, filename=path.name)
                summary.update(
                    framework=framework.code,
                    version=framework.version,
                    created=1,
                    **services.framework_counts(framework),
                )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            messages = list(services.iter_errors(error))
            for message in messages:
                self.stderr.write(message)
            summary["errors"] = len(messages)
            failed = True
        self.stdout.write(json.dumps(summary))
        if failed:
            sys.exit(1)

    def _actor(self, username: str):
        if not username:
            return SystemActor("system (manage.py load_framework)")
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"--as {username}: no such user") from None
