"""Django set-up for a benchmark subprocess: the database comes from DATABASE_URL, DEBUG is off."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    os.environ["DEBUG"] = "0"  # DEBUG would log every query and distort the figures
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def bench_admin():
    """The administrator the benchmarks act as, and the eligibility groups the demo registry counts in."""
    from digileap.portal.demo import DEMO_USERS, SeedReport, _ensure_assignment, _ensure_user, ensure_eligibility_groups

    report, changes = SeedReport(), []
    admin = _ensure_user(DEMO_USERS[0], report, changes)
    _ensure_assignment(admin, "administrator", "all", None, report, changes)
    ensure_eligibility_groups(admin)
    return admin
