"""``manage.py load_seed_scenario NAME [--scale full|small]``: a seed programme at its real size.

Builds the invented registry of the seed's size and plays the programme's history through the
services with the real dates (``digileap/portal/scenarios``). Idempotent: a second run changes
nothing. The last line of the output is the summary as one line of JSON.
"""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from digileap.portal.scenarios import get_scenario, scenario_names
from digileap.portal.scenarios.base import SCALES, ScenarioError


class Command(BaseCommand):
    help = "Load a seed programme at its real size (registry and history); ends with a one-line JSON summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=scenario_names(), help="the seed scenario")
        parser.add_argument(
            "--scale", choices=SCALES, default="full", help="full: the real figures; small: a tenth (tests)"
        )

    def handle(self, *args, name: str, scale: str, **options) -> None:
        try:
            summary = get_scenario(name).run(scale)
        except ScenarioError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
