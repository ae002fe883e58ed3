"""``manage.py seed_demo [--schools N] [--seed S] [--scenarios [NAMES]]``: load the demo registry, users, programmes, allocation and devices (idempotent).

It lives in the portal, the app at the top that may use every domain app.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from digileap.allocation.demo import seed_demo_allocation
from digileap.connectivity.demo import seed_demo_connectivity
from digileap.devices.demo import seed_demo_devices
from digileap.funding.demo import seed_demo_funding
from digileap.portal.demo import DEFAULT_SCHOOLS, DEFAULT_SEED, seed_demo
from digileap.portal.scenarios import get_scenario, scenario_names
from digileap.portal.scenarios.base import ScenarioError
from digileap.privacy.demo import seed_demo_privacy
from digileap.programmes.demo import seed_demo_programmes
from digileap.training.demo import seed_demo_training


class Command(BaseCommand):
    help = "Create a deterministic demo registry and one demo user per role. Running it again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schools", type=int, default=DEFAULT_SCHOOLS, help="number of schools (default %(default)s)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
        parser.add_argument(
            "--scenarios",
            nargs="?",
            const="all",
            default="",
            help="also load the seed scenarios at their real size (load_seed_scenario): all of them, or a "
            "comma-separated list of names",
        )
        parser.add_argument("--scenario-scale", choices=["full", "small"], default="full")

    def handle(self, *args, schools: int, seed: int, scenarios: str, scenario_scale: str, **options) -> None:
        if schools < 1:
            self.stderr.write("--schools must be at least 1")
            raise SystemExit(2)
        names = scenario_names() if scenarios == "all" else [n.strip() for n in scenarios.split(",") if n.strip()]
        unknown = sorted(set(names) - set(scenario_names()))
        if unknown:
            raise CommandError(f"Unknown scenario(s) {', '.join(unknown)}: choose from {', '.join(scenario_names())}.")
        started = time.perf_counter()
        report = seed_demo(schools=schools, seed=seed)
        seed_demo_programmes()  # the five seed programmes (load_seed_programmes) and a demo programme
        seed_demo_allocation()  # rounds, needs, a roll-out plan and a change request on the demo programme
        seed_demo_devices()  # orders, deliveries, devices, hand-outs, board, tickets; device targets move
        seed_demo_funding()  # a call, entitlements, applications, a decision, a paid claim, a proof of use due
        seed_demo_connectivity()  # the Latvian survey, measurements, analysis and report; its milestone moves
        seed_demo_training()  # courses, sessions, attendance, completions, self-assessments, the teacher user
        seed_demo_privacy()  # reads of the pupil-data access log for the data-protection officer's pages
        elapsed = time.perf_counter() - started
        if report.changed_anything:
            created = ", ".join(f"{count} {what}" for what, count in report.created.items())
            self.stdout.write(f"Demo data loaded in {elapsed:.1f} s: {created}.")
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        for name in names:  # each ends with its one-line JSON summary, as load_seed_scenario prints it
            try:
                summary = get_scenario(name).run(scenario_scale)
            except ScenarioError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
