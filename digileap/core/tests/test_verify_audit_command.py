import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from digileap.core import audit
from digileap.core.models import AuditEvent
from digileap.core.tests.audit_dba import triggers_bypassed
from digileap.schools.tests.factories import SchoolFactory


def run_verify_audit() -> tuple[int, str]:
    """The command's exit status and its output (stdout or the error), as the shell would see them."""
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as error:  # manage.py prints it and exits with its returncode
        return error.returncode, str(error)
    return 0, out.getvalue()


@pytest.fixture
def three_events(db):
    school = SchoolFactory()
    return [audit.record(actor="tester", action="update", instance=school, after={"n": n}) for n in range(3)]


def test_an_intact_chain(three_events):
    status, output = run_verify_audit()
    assert status == 0
    assert output == f"audit chain intact: 3 entries, head {three_events[-1].entry_hash}\n"


def test_an_empty_chain(db):
    assert run_verify_audit() == (0, f"audit chain intact: 0 entries, head {audit.GENESIS_HASH}\n")


def test_a_row_altered_through_the_orm_is_named(three_events):
    middle = three_events[1]
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=middle.pk).update(after={"n": 99})
    status, output = run_verify_audit()
    assert status == 1
    assert output == (
        f"audit chain broken at entry {middle.pk}: content does not match its hash (1 entries before it are intact)"
    )


def test_a_row_altered_with_raw_sql_is_named(three_events):
    first = three_events[0]
    table = AuditEvent._meta.db_table
    with triggers_bypassed(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET actor_label = %s WHERE id = %s", ["someone else", first.pk])
    status, output = run_verify_audit()
    assert status == 1
    assert output == (
        f"audit chain broken at entry {first.pk}: content does not match its hash (0 entries before it are intact)"
    )


def test_a_recomputed_hash_still_breaks_the_next_link(three_events):
    """Whoever rewrites an entry and its hash must rewrite every later entry too (and the head)."""
    first, second = three_events[0], three_events[1]
    forged = AuditEvent.objects.get(pk=first.pk)
    forged.after = {"n": 99}
    forged_hash = audit.compute_hash(forged)
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=first.pk).update(after={"n": 99}, entry_hash=forged_hash)
    status, output = run_verify_audit()
    assert status == 1
    assert output.startswith(f"audit chain broken at entry {second.pk}: previous hash does not match")


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_with_status_1_from_the_shell():
    """manage.py turns the error into exit status 1 and a message on stderr."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in memory, another process cannot open it")
    school = SchoolFactory()
    event = audit.record(actor="tester", action="create", instance=school, after={})
    with triggers_bypassed():
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url},
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 1
    assert f"audit chain broken at entry {event.pk}: content does not match its hash" in result.stderr
