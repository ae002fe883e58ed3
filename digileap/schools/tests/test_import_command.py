import io
import json

import pytest
from django.core.management import CommandError, call_command

from digileap.accounts.models import Role
from digileap.accounts.tests.factories import user_with_role
from digileap.core.models import AuditEvent
from digileap.schools.models import Enrolment, School

from .import_files import (
    GENERIC_HEADERS,
    HAMBURG_HEADERS,
    database_counts,
    generic_row,
    hamburg_rows,
    mv_rows,
    write_csv,
)

pytestmark = pytest.mark.django_db


def import_schools(*args) -> tuple[int, dict, str]:
    """(exit code, the JSON summary on stdout's last line, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_schools", *[str(a) for a in args], stdout=stdout, stderr=stderr)
    except SystemExit as exit:
        code = exit.code
    last_line = stdout.getvalue().strip().splitlines()[-1]
    return code, json.loads(last_line), stderr.getvalue()


def test_imports_the_hamburg_shape_and_prints_one_json_line(tmp_path):
    path = write_csv(tmp_path / "hamburg.csv", hamburg_rows())
    code, summary, stderr = import_schools(path, "--profile", "hamburg")
    assert (code, summary, stderr) == (0, {"created": 4, "updated": 0, "unchanged": 1, "rejected": 0}, "")
    event = AuditEvent.objects.get(action="import")
    assert (event.actor_id, event.actor_label) == (None, "system (manage.py import_schools)")
    before = database_counts()
    assert import_schools(path, "--profile", "hamburg")[:2] == (
        0,
        {"created": 0, "updated": 0, "unchanged": 5, "rejected": 0},
    )
    assert database_counts() == before


def test_stdout_is_exactly_one_json_object(tmp_path):
    stdout = io.StringIO()
    call_command(
        "import_schools",
        str(write_csv(tmp_path / "mv.csv", mv_rows())),
        profile="mv",
        stdout=stdout,
        stderr=io.StringIO(),
    )
    assert stdout.getvalue() == '{"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}\n'


def test_rejected_rows_go_to_stderr_and_nothing_is_written(tmp_path):
    rows = hamburg_rows()
    rows[5][HAMBURG_HEADERS.index("C_S_SuS")] = "viele"
    rows[4][HAMBURG_HEADERS.index("C_S_SuS_PS")] = "-5"
    path = write_csv(tmp_path / "bad.csv", rows)
    before = database_counts()
    code, summary, stderr = import_schools(path, "--profile", "hamburg")
    assert (code, summary) == (1, {"created": 0, "updated": 0, "unchanged": 0, "rejected": 2})
    assert stderr.splitlines() == [
        f"{path}, line 5, column 'C_S_SuS_PS': -5 is negative; a count must be zero or more",
        f"{path}, line 6, column 'C_S_SuS': 'viele' is not a whole number",
        "nothing was imported: 2 row(s) rejected. With --skip-invalid the import would create 2, update 0 and "
        "leave 1 unchanged.",
    ]
    assert database_counts() == before


def test_skip_invalid_imports_the_good_rows(tmp_path):
    rows = hamburg_rows()
    rows[5][HAMBURG_HEADERS.index("C_S_SuS")] = "viele"
    code, summary, stderr = import_schools(
        write_csv(tmp_path / "bad.csv", rows), "--profile", "hamburg", "--skip-invalid"
    )
    assert (code, summary) == (0, {"created": 3, "updated": 0, "unchanged": 1, "rejected": 1})
    assert stderr.endswith("column 'C_S_SuS': 'viele' is not a whole number\n")
    assert sorted(School.objects.values_list("number", flat=True)) == ["3201", "5050", "5100"]


def test_skip_invalid_with_nothing_valid_exits_1(tmp_path):
    rows = [HAMBURG_HEADERS, hamburg_rows()[1]]
    rows[1][HAMBURG_HEADERS.index("C_S_SF")] = "XYZ"
    code, summary, _stderr = import_schools(
        write_csv(tmp_path / "bad.csv", rows), "--profile", "hamburg", "--skip-invalid"
    )
    assert (code, summary) == (1, {"created": 0, "updated": 0, "unchanged": 0, "rejected": 1})


def test_a_file_error_exits_1_with_the_place(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    code, summary, stderr = import_schools(path, "--profile", "mv")
    assert (code, summary) == (1, {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0})
    assert stderr == f"{path}: the file is empty\n"
    path.write_bytes(b"X|Y\n1|2\n")
    code, _summary, stderr = import_schools(path, "--profile", "mv")
    assert code == 1
    assert stderr.startswith(f"{path}, line 1: missing column(s) 'Dst-Nr.:'")


def test_dry_run_reports_without_writing(tmp_path):
    before = database_counts()
    code, summary, _stderr = import_schools(write_csv(tmp_path / "mv.csv", mv_rows()), "--profile", "mv", "--dry-run")
    assert (code, summary) == (0, {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0})
    assert database_counts() == before
    rows = mv_rows()
    rows[1][2] = "XYZ"
    code, summary, _stderr = import_schools(write_csv(tmp_path / "bad.csv", rows), "--profile", "mv", "--dry-run")
    assert (code, summary) == (1, {"created": 3, "updated": 0, "unchanged": 0, "rejected": 1})


def test_school_year_option(tmp_path, world):
    rows = [GENERIC_HEADERS, generic_row("3001", "Nord", operator_code=world.operator.code)]
    code, _summary, _stderr = import_schools(
        write_csv(tmp_path / "g.csv", rows), "--profile", "generic", "--school-year", "2023/24"
    )
    assert code == 0
    assert list(Enrolment.objects.filter(school__number="3001").values_list("school_year", flat=True)) == ["2023/24"]
    with pytest.raises(CommandError, match="--school-year '2023-24' is not like 2024/25"):
        import_schools(tmp_path / "g.csv", "--profile", "generic", "--school-year", "2023-24")


def test_as_user_imports_within_their_scope(tmp_path, world):
    user_with_role(Role.OPERATOR_STAFF, world.operator, username="staff")
    rows = [
        GENERIC_HEADERS,
        generic_row("1001", "INSIDE school renamed", operator_code=world.operator.code),
        generic_row("2002", "OUTSIDE school", authority="OUT", operator_code=world.other_operator.code),
    ]
    path = write_csv(tmp_path / "scope.csv", rows)
    code, summary, stderr = import_schools(path, "--profile", "generic", "--as", "staff", "--skip-invalid")
    assert (code, summary) == (0, {"created": 0, "updated": 1, "unchanged": 0, "rejected": 1})
    assert (
        stderr == f"{path}, line 3, column 'number': school 2002 is outside your scope: your role may not change it\n"
    )
    assert AuditEvent.objects.get(action="import").actor_label == "staff"


def test_as_auditor_is_refused(tmp_path, world):
    user_with_role(Role.AUDITOR, world.authority, username="auditor")
    before = database_counts()
    with pytest.raises(CommandError, match="Your role may not import schools."):
        import_schools(write_csv(tmp_path / "mv.csv", mv_rows()), "--profile", "mv", "--as", "auditor")
    assert database_counts() == before


def test_unknown_user_profile_and_file(tmp_path):
    path = write_csv(tmp_path / "mv.csv", mv_rows())
    with pytest.raises(CommandError, match="--as nobody: no such user"):
        import_schools(path, "--profile", "mv", "--as", "nobody")
    with pytest.raises(CommandError, match="unknown profile 'bremen' for schools; known: generic, hamburg, mv"):
        import_schools(path, "--profile", "bremen")
    with pytest.raises(CommandError, match="no such file"):
        import_schools(tmp_path / "missing.csv", "--profile", "mv")
