"""``manage.py allocation_round DEFINITION.json --programme CODE [--compute] [--approve] [--publish]
[--authority CODE] [--as USERNAME]``

Creates a round from a JSON definition (or updates the round with the same code while it is not
approved), and optionally computes, approves and publishes it. Examples are in
``docs/allocation-examples/``. ``--authority`` creates the programme for that authority when it
does not exist yet (to try a formula on an imported register). The last line printed is
``{"round": ..., "version": n, "status": ..., "total": "...", "schools": n, "unallocated": "..."}``.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from digileap.core.permissions import SystemActor
from digileap.programmes.models import Programme
from digileap.schools.models import Authority

from ...models import AllocationRound
from ...services.rounds import round_compute, round_create, round_update, version_approve, version_publish


class Command(BaseCommand):
    help = "Create (or update) an allocation round from a JSON definition, and compute, approve, publish it."

    def add_arguments(self, parser):
        parser.add_argument("definition", type=Path)
        parser.add_argument("--programme", required=True, help="the programme's code")
        parser.add_argument("--authority", default="", help="create the programme for this authority if missing")
        parser.add_argument("--compute", action="store_true")
        parser.add_argument("--approve", action="store_true", help="approve the computed version (implies --compute)")
        parser.add_argument("--publish", action="store_true", help="publish it (implies --approve)")
        parser.add_argument("--as", dest="username", default="", help="act as this user (default: system)")

    def handle(self, *args, **options):
        actor = SystemActor("allocation_round")
        if options["username"]:
            try:
                actor = get_user_model().objects.get(username=options["username"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"There is no user {options['username']!r}.") from None
        try:
            data = json.loads(options["definition"].read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{options['definition']}: {error}") from None
        if not isinstance(data, dict):
            raise CommandError(f"{options['definition']}: the definition is a JSON object")
        programme = self._programme(options["programme"], options["authority"])
        try:
            existing = AllocationRound.objects.filter(programme=programme, code=data.get("code")).first()
            if existing is None:
                allocation_round = round_create(actor=actor, programme=programme, data=data)
            else:
                data.pop("code", None)
                allocation_round = round_update(actor=actor, allocation_round=existing, data=data)
            version = None
            if options["compute"] or options["approve"] or options["publish"]:
                version = round_compute(actor=actor, allocation_round=allocation_round)
            if version is not None and (options["approve"] or options["publish"]):
                version = version_approve(actor=actor, version=version)
            if version is not None and options["publish"]:
                version = version_publish(actor=actor, version=version)
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {"round": error.messages}
            raise CommandError(json.dumps(messages, ensure_ascii=False)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        summary = {"round": allocation_round.code, "version": None, "status": allocation_round.status}
        if version is not None:
            summary.update(
                version=version.number,
                status=version.status,
                total=str(int(version.total)) if allocation_round.is_units else str(version.total),
                schools=version.schools_count,
                unallocated=version.parameters.get("unallocated", "0"),
            )
        self.stdout.write(json.dumps(summary))

    def _programme(self, code: str, authority_code: str) -> Programme:
        programme = Programme.objects.filter(code=code).first()
        if programme is not None:
            return programme
        if not authority_code:
            raise CommandError(f"There is no programme {code!r} (give --authority to create it).")
        authority = Authority.objects.filter(code=authority_code).first()
        if authority is None:
            raise CommandError(f"There is no authority {authority_code!r}.")
        return Programme.objects.create(
            code=code, name={"en": code}, authority=authority, country=authority.country or "EU"
        )
