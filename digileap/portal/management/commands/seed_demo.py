"""``manage.py seed_demo [--schools N] [--seed S]``: load the demo registry, users, programmes, allocation and devices (idempotent).

It lives in the portal, the app at the top that may use every domain app.
"""

import time

from django.core.management.base import BaseCommand, CommandParser

from digileap.allocation.demo import seed_demo_allocation
from digileap.portal.demo import DEFAULT_SCHOOLS, DEFAULT_SEED, seed_demo
from digileap.devices.demo import seed_demo_devices
from digileap.programmes.demo import seed_demo_programmes


class Command(BaseCommand):
    help = "Create a deterministic demo registry and one demo user per role. Running it again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schools", type=int, default=DEFAULT_SCHOOLS, help="number of schools (default %(default)s)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")

    def handle(self, *args, schools: int, seed: int, **options) -> None:
        if schools < 1:
            self.stderr.write("--schools must be at least 1")
            raise SystemExit(2)
        started = time.perf_counter()
        report = seed_demo(schools=schools, seed=seed)
        seed_demo_programmes()  # the five seed programmes (load_seed_programmes) and a demo programme
        seed_demo_allocation()  # rounds, needs, a roll-out plan and a change request on the demo programme
        seed_demo_devices()  # orders, deliveries, devices, hand-outs, board, tickets; device targets move
        elapsed = time.perf_counter() - started
        if report.changed_anything:
            created = ", ".join(f"{count} {what}" for what, count in report.created.items())
            self.stdout.write(f"Demo data loaded in {elapsed:.1f} s: {created}.")
        else:
            self.stdout.write("Demo data already present; nothing changed.")
