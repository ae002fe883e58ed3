"""The base of the import commands: ``--profile-file`` on every command, and the shared behaviour.

The JSON summary, exit codes and ``--as`` of each command are tested with the command
(``digileap/schools/tests/test_import_command.py``, ``digileap/devices/tests/test_deliveries_command.py``,
``test_recipients_import.py``); here what the base adds.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from digileap.core.management.import_command import ImportCommand
from digileap.core.models import AuditEvent
from digileap.devices.models import Recipient
from digileap.schools.models import School

pytestmark = pytest.mark.django_db

IMPORT_COMMANDS = ["import_schools", "import_deliveries", "import_recipients"]


def run(command: str, *args) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(command, *[str(a) for a in args], stdout=stdout, stderr=stderr)
    except SystemExit as exit:
        code = exit.code
    return code, stdout.getvalue(), stderr.getvalue()


def write(path, text: str, encoding: str = "cp1252"):
    path.write_bytes(text.encode(encoding))
    return path


SCHULEN = "Schulnummer;Name der Schule;Träger\r\n3001;Grundschule am Park;INSIDE operator\r\n"
SCHOOL_PROFILE = {
    "name": "schulen",
    "delimiter": ";",
    "constants": {"authority_code": "IN"},
    "columns": [
        {"field": "number", "source": "Schulnummer", "required": True},
        {"field": "name", "source": "Name der Schule"},
        {"field": "operator_name", "source": "Träger"},
    ],
}


@pytest.mark.parametrize("command", IMPORT_COMMANDS)
def test_every_import_command_is_built_on_the_base_and_has_the_options(command):
    from django.core.management import load_command_class

    app = {"import_schools": "digileap.schools"}.get(command, "digileap.devices")
    instance = load_command_class(app, command)
    assert isinstance(instance, ImportCommand)
    options = {action.dest for action in instance.create_parser("manage.py", command)._actions}
    assert {"profile", "profile_file", "dry_run", "skip_invalid", "username"} <= options


def test_a_profile_file_imports_and_a_reimport_changes_nothing(tmp_path, world):
    data = write(tmp_path / "schulen.csv", SCHULEN)
    profile = write(tmp_path / "schulen.json", json.dumps(SCHOOL_PROFILE), "utf-8")
    assert run("import_schools", data, "--profile-file", profile) == (
        0,
        '{"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}\n',
        "",
    )
    school = School.objects.get(number="3001")
    assert (school.name, school.operator.name) == ("Grundschule am Park", "INSIDE operator")
    events = AuditEvent.objects.count()
    assert run("import_schools", data, "--profile-file", profile)[1] == (
        '{"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}\n'
    )
    assert AuditEvent.objects.count() == events


def test_a_profile_file_for_class_lists_with_the_school_option(tmp_path, world):
    data = write(tmp_path / "klasse.csv", "Schüler-ID;Klasse\r\nP-1;4a\r\nP-2;4b\r\n")
    profile = {
        "name": "klassenliste",
        "columns": [
            {"field": "reference", "source": "Schüler-ID", "required": True},
            {"field": "group", "source": "Klasse"},
        ],  # fmt: skip
    }
    path = write(tmp_path / "klassenliste.json", json.dumps(profile), "utf-8")
    code, stdout, stderr = run("import_recipients", data, "--profile-file", path, "--school", "1001")
    assert (code, stdout, stderr) == (0, '{"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}\n', "")
    assert sorted(Recipient.objects.values_list("reference", "group", "school__number")) == [
        ("P-1", "4a", "1001"),
        ("P-2", "4b", "1001"),
    ]


def test_profile_and_profile_file_exclude_each_other(tmp_path):
    profile = write(tmp_path / "p.json", json.dumps(SCHOOL_PROFILE), "utf-8")
    with pytest.raises(CommandError, match="argument --profile-file: not allowed with argument --profile"):
        run("import_schools", tmp_path / "x.csv", "--profile", "mv", "--profile-file", profile)
    with pytest.raises(CommandError, match="one of the arguments --profile --profile-file is required"):
        run("import_schools", tmp_path / "x.csv")


def test_errors_in_a_profile_file_name_the_file(tmp_path, world):
    data = write(tmp_path / "schulen.csv", SCHULEN)
    missing = tmp_path / "nowhere.json"
    with pytest.raises(CommandError, match=f"--profile-file {missing}: no such file"):
        run("import_schools", data, "--profile-file", missing)
    broken = write(tmp_path / "broken.json", '{"name": "x", "columns": [', "utf-8")
    with pytest.raises(CommandError) as error:
        run("import_schools", data, "--profile-file", broken)
    assert str(error.value).startswith(f"{broken}: not valid JSON")
    wrong = write(tmp_path / "wrong.json", json.dumps({**SCHOOL_PROFILE, "columns": [{"field": "number"}]}), "utf-8")
    with pytest.raises(CommandError) as error:
        run("import_schools", data, "--profile-file", wrong)
    assert str(error.value).startswith(f"{wrong}: profile schulen")
    other = write(tmp_path / "other.json", json.dumps({**SCHOOL_PROFILE, "target": "recipients"}), "utf-8")
    with pytest.raises(CommandError, match="the profile is for recipients, not schools"):
        run("import_schools", data, "--profile-file", other)
    assert School.objects.filter(number="3001").count() == 0


def test_rejected_rows_from_a_profile_file_go_to_stderr(tmp_path, world):
    data = write(tmp_path / "schulen.csv", SCHULEN + ";Ohne Nummer;INSIDE operator\r\n")
    profile = write(tmp_path / "schulen.json", json.dumps(SCHOOL_PROFILE), "utf-8")
    code, stdout, stderr = run("import_schools", data, "--profile-file", profile)
    assert (code, stdout) == (1, '{"created": 0, "updated": 0, "unchanged": 0, "rejected": 1}\n')
    assert stderr.splitlines() == [
        f"{data}, line 3, column 'Schulnummer': a value is required",
        "nothing was imported: 1 row(s) rejected. With --skip-invalid the import would create 1, update 0 and "
        "leave 0 unchanged.",
    ]


def test_warnings_go_to_stderr_and_do_not_cost_the_row(tmp_path, world):
    data = write(
        tmp_path / "schulen.csv", "Schulnummer;Name der Schule;Träger;E-Mail\r\n3001;Park;INSIDE operator;kein-mail\r\n"
    )
    profile = {
        **SCHOOL_PROFILE,
        "columns": [
            *SCHOOL_PROFILE["columns"],
            {"field": "email", "source": "E-Mail", "type": "email", "on_invalid": "empty"},
        ],  # fmt: skip
    }
    path = write(tmp_path / "schulen.json", json.dumps(profile), "utf-8")
    code, stdout, stderr = run("import_schools", data, "--profile-file", path)
    assert (code, stdout) == (0, '{"created": 1, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": 1}\n')
    assert stderr.startswith(f"{data}, line 2, column 'E-Mail': warning: ")
    assert School.objects.get(number="3001").email == ""
