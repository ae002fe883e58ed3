"""Importing pupils and teachers: the class-list and OneRoster profiles, and import_recipients."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.permissions import SystemActor
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError
from digileap.core.tabular.profiles import available_profiles
from digileap.devices.importers.recipients import parse_grades
from digileap.devices.models import Recipient
from digileap.devices.tests.factories import RecipientFactory
from digileap.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

CLASS_LIST = (
    "reference;grade;class;level;eligibility_group;role\n"
    "P-003;5;5Ä;1;LV-LOW;pupil\n"
    "P-001;5;5Ä;1;;Schüler\n"
    "T-001;;5Ä;;;Lehrerin\n"
    "P-002;6;6Ö;1;LV-LOW;\n"
)

ONEROSTER = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
    "u-1,active,2024-09-01T00:00:00Z,true,1001,student,anna,,Anna,Bērziņa,,,,,,,05,\n"
    'u-2,active,2024-09-01T00:00:00Z,true,"district-1,1001",teacher,jan,,Jan,Ozols,,,,,,,"05,06",\n'
    "u-3,active,2024-09-01T00:00:00Z,true,1001,parent,p,,Pia,Ozola,,,,,,,,\n"
    "u-4,tobedeleted,2024-09-01T00:00:00Z,true,1001,student,k,,Karl,Liepa,,,,,,,KG,\n"
)


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows():
    return [
        (r.reference, r.kind, r.grade, r.group, r.isced_level, r.eligibility_group, r.is_active, r.source)
        for r in Recipient.objects.order_by("reference")
    ]


def test_the_profiles_are_offered():
    assert sorted(available_profiles("recipients")) == ["class-list", "oneroster-1.2", "oneroster-users"]


def test_a_latin_1_semicolon_class_list_as_excel_writes_it(world, role_users, tmp_path):
    path = write(tmp_path, "klasse.csv", CLASS_LIST.replace("\n", "\r\n"), "cp1252")
    result = run_import(
        target="recipients", source=path, profile="class-list", actor=role_users[Role.SCHOOL_COORDINATOR]
    )
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    assert (result.encoding, result.delimiter) == ("Windows-1252", ";")
    assert rows() == [
        ("P-001", "pupil", 5, "5Ä", 1, "", True, "class_list"),
        ("P-002", "pupil", 6, "6Ö", 1, "LV-LOW", True, "class_list"),
        ("P-003", "pupil", 5, "5Ä", 1, "LV-LOW", True, "class_list"),
        ("T-001", "teacher", None, "5Ä", None, "", True, "class_list"),
    ]
    assert set(Recipient.objects.values_list("school", flat=True)) == {world.school.pk}
    # One event per recipient and the import's summary.
    assert AuditEvent.objects.filter(object_type="devices.recipient", action="create").count() == 4
    summary = AuditEvent.objects.get(action="import")
    assert summary.after == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}


def test_re_import_changes_nothing_and_records_nothing(world, role_users, tmp_path):
    path = write(tmp_path, "klasse.csv", CLASS_LIST, "cp1252")
    actor = role_users[Role.SCHOOL_COORDINATOR]
    run_import(target="recipients", source=path, profile="class-list", actor=actor)
    events = AuditEvent.objects.count()
    again = run_import(target="recipients", source=path, profile="class-list", actor=actor)
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert AuditEvent.objects.count() == events


def test_a_new_school_year_updates_grade_and_class(world, role_users, tmp_path):
    actor = role_users[Role.OPERATOR_STAFF]
    run_import(
        target="recipients",
        source=write(tmp_path, "a.csv", CLASS_LIST),
        profile="class-list",
        actor=actor,
        overrides={"school": "1001"},
    )
    moved = CLASS_LIST.replace("P-001;5;5Ä;1;;Schüler", "P-001;6;6Ä;1;;Schüler")
    result = run_import(
        target="recipients",
        source=write(tmp_path, "b.csv", moved),
        profile="class-list",
        actor=actor,
        overrides={"school": "1001"},
    )
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 3, "rejected": 0}
    assert rows()[0] == ("P-001", "pupil", 6, "6Ä", 1, "", True, "class_list")
    event = AuditEvent.objects.filter(object_type="devices.recipient", action="update").get()
    assert (event.before, event.after) == ({"grade": 5, "group": "5Ä"}, {"grade": 6, "group": "6Ä"})


def test_columns_the_file_lacks_keep_their_values(world, role_users, tmp_path):
    RecipientFactory(school=world.school, reference="P-001", grade=5, group="5A", eligibility_group="LV-LOW")
    result = run_import(
        target="recipients",
        source=write(tmp_path, "a.csv", "reference,grade\nP-001,6\n"),
        profile="class-list",
        actor=role_users[Role.SCHOOL_COORDINATOR],
    )
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    recipient = Recipient.objects.get()
    assert (recipient.grade, recipient.group, recipient.eligibility_group) == (6, "5A", "LV-LOW")


def test_names_are_not_stored_by_default(world, role_users, tmp_path):
    path = write(tmp_path, "a.csv", "reference;class;name\nP-1;5A;Anna Bērziņa\n")
    run_import(target="recipients", source=path, profile="class-list", actor=role_users[Role.SCHOOL_COORDINATOR])
    assert Recipient.objects.get().display_name == ""
    assert not any("Anna" in json.dumps(event.after) for event in AuditEvent.objects.all())


def test_names_are_stored_when_switched_on(world, role_users, tmp_path, settings):
    settings.PUPIL_NAMES_ENABLED = True
    path = write(tmp_path, "a.csv", "reference;class;name\nP-1;5A;Anna  Bērziņa\n")
    run_import(target="recipients", source=path, profile="class-list", actor=role_users[Role.SCHOOL_COORDINATOR])
    assert Recipient.objects.get().display_name == "Anna Bērziņa"
    assert not any("Anna" in json.dumps(event.after) for event in AuditEvent.objects.all())


def test_rejected_rows_say_where_and_why_and_nothing_is_written(world, role_users, tmp_path):
    text = (
        "reference;grade;class;level;role;school\n"
        "P-1;five;5A;1;pupil;\n"
        "P-2;5;5A;7;pupil;\n"
        "P-3;5;5A;1;parent;\n"
        "P-4;5;5A;1;pupil;2002\n"
        "P-5;5;5A;1;pupil;\n"
        "P-5;5;5B;1;pupil;\n"
        ";5;5A;1;pupil;\n"
    )
    with pytest.raises(ImportRejected) as caught:
        run_import(
            target="recipients",
            source=write(tmp_path, "bad.csv", text),
            profile="class-list",
            actor=role_users[Role.SCHOOL_COORDINATOR],
        )
    errors = [(e.line, e.column, e.message) for e in caught.value.result.errors]
    assert errors == [
        (2, "grade", "'five' is not a whole number"),
        (3, "level", "7 is above the maximum 4"),
        (4, "role", "'parent' is neither a pupil (pupil, student) nor a teacher"),
        (5, "school", "no school with the number '2002' in your scope"),
        (6, "reference", "the reference P-5 appears again on line(s) 7"),
        (7, "reference", "the reference P-5 appears again on line(s) 6"),
        (8, "reference", "a value is required"),
    ]
    assert not Recipient.objects.exists()
    assert not AuditEvent.objects.exists()


def test_skip_invalid_imports_the_valid_rows(world, role_users, tmp_path):
    text = "reference;grade\nP-1;five\nP-2;5\n"
    result = run_import(
        target="recipients",
        source=write(tmp_path, "a.csv", text),
        profile="class-list",
        actor=role_users[Role.SCHOOL_COORDINATOR],
        skip_invalid=True,
    )
    assert result.summary() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert list(Recipient.objects.values_list("reference", flat=True)) == ["P-2"]


def test_a_user_with_several_schools_must_say_which(world, role_users, tmp_path):
    SchoolFactory(operator=world.operator, authority=world.authority, number="1003", name="Second school")
    path = write(tmp_path, "a.csv", "reference\nP-1\n")
    with pytest.raises(ImportRejected) as caught:
        run_import(target="recipients", source=path, profile="class-list", actor=role_users[Role.OPERATOR_STAFF])
    assert [(e.line, e.column, e.message) for e in caught.value.result.errors] == [
        (
            2,
            "school",
            "which school? Add a column 'school' with the official school number, or choose the school for the import",
        )
    ]
    result = run_import(
        target="recipients",
        source=path,
        profile="class-list",
        actor=role_users[Role.OPERATOR_STAFF],
        overrides={"school": "1003"},
    )
    assert result.created == 1
    assert Recipient.objects.get().school.name == "Second school"


@pytest.mark.parametrize("role", [Role.PROGRAMME_OWNER, Role.FUNDING_ADMINISTRATOR, Role.SUPPLIER, Role.AUDITOR])
def test_roles_that_may_not_import(role, world, role_users, tmp_path):
    with pytest.raises(PermissionDenied):
        run_import(
            target="recipients",
            source=write(tmp_path, "a.csv", CLASS_LIST),
            profile="class-list",
            actor=role_users[role],
            overrides={"school": "1001"},
        )


def test_oneroster_users(world, role_users, tmp_path):
    path = write(tmp_path, "users.csv", ONEROSTER)
    result = run_import(
        target="recipients", source=path, profile="oneroster-users", actor=role_users[Role.OPERATOR_STAFF]
    )
    # The parent is left out; the school comes from orgSourcedIds (district-1 is no school).
    assert result.summary() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert rows() == [
        ("u-1", "pupil", 5, "", None, "", True, "oneroster"),
        ("u-2", "teacher", None, "", None, "", True, "oneroster"),
        ("u-4", "pupil", 0, "", None, "", False, "oneroster"),
    ]
    assert set(Recipient.objects.values_list("display_name", flat=True)) == {""}
    assert set(Recipient.objects.values_list("school", flat=True)) == {world.school.pk}
    again = run_import(
        target="recipients", source=path, profile="oneroster-users", actor=role_users[Role.OPERATOR_STAFF]
    )
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}


def test_oneroster_names_when_switched_on(world, role_users, tmp_path, settings):
    settings.PUPIL_NAMES_ENABLED = True
    run_import(
        target="recipients",
        source=write(tmp_path, "users.csv", ONEROSTER),
        profile="oneroster-users",
        actor=role_users[Role.SCHOOL_COORDINATOR],
    )
    assert dict(Recipient.objects.values_list("reference", "display_name")) == {
        "u-1": "Anna Bērziņa",
        "u-2": "Jan Ozols",
        "u-4": "Karl Liepa",
    }


def test_oneroster_organisations_that_are_no_school(world, role_users, tmp_path):
    text = ONEROSTER.splitlines()[0] + "\nu-9,active,,true,district-9,student,x,,X,Y,,,,,,,05,\n"
    with pytest.raises(ImportRejected) as caught:
        run_import(
            target="recipients",
            source=write(tmp_path, "users.csv", text),
            profile="oneroster-users",
            actor=role_users[Role.OPERATOR_STAFF],
        )
    assert [(e.line, e.column, e.message) for e in caught.value.result.errors] == [
        (
            2,
            "orgSourcedIds",
            "none of the organisations district-9 is the number of a school in your scope; "
            "choose the school for the import",
        )
    ]
    # The school given for the import wins.
    result = run_import(
        target="recipients",
        source=write(tmp_path, "users.csv", text),
        profile="oneroster-users",
        actor=role_users[Role.OPERATOR_STAFF],
        overrides={"school": "1001"},
    )
    assert result.created == 1


def test_the_wrong_file_for_the_profile(world, role_users, tmp_path):
    with pytest.raises(ImportFileError) as caught:
        run_import(
            target="recipients",
            source=write(tmp_path, "users.csv", CLASS_LIST),
            profile="oneroster-users",
            actor=role_users[Role.SCHOOL_COORDINATOR],
        )
    assert caught.value.describe().startswith("users.csv, line 1: missing column(s) 'sourcedId', 'role'.")


@pytest.mark.parametrize(
    "text,grade", [("05", 5), ("KG", 0), ("pk", 0), ("13", 13), ("05,06", None), ("UG", None), ("", None), ("14", None)]
)
def test_oneroster_grades(text, grade):
    assert parse_grades(text) == grade


def test_the_command(world, tmp_path, capsys):
    path = write(tmp_path, "klasse.csv", CLASS_LIST, "cp1252")
    call_command("import_recipients", str(path), "--profile", "class-list", "--school", "1001", "--dry-run")
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        '{"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}'
    )
    assert not Recipient.objects.exists()
    call_command("import_recipients", str(path), "--profile", "class-list", "--school", "1001")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert AuditEvent.objects.filter(action="import").get().actor_label == "system (manage.py import_recipients)"
    call_command("import_recipients", str(path), "--profile", "class-list", "--school", "1001")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["unchanged"] == 4


def test_the_command_reports_rejected_rows(world, tmp_path, capsys):
    path = write(tmp_path, "klasse.csv", "reference;grade\nP-1;five\n")
    with pytest.raises(SystemExit) as exited:
        call_command("import_recipients", str(path), "--profile", "class-list", "--school", "1001")
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out.strip() == '{"created": 0, "updated": 0, "unchanged": 0, "rejected": 1}'
    assert f"{path}, line 2, column 'grade': 'five' is not a whole number" in captured.err


def test_the_system_actor_needs_the_school_when_numbers_repeat(world, tmp_path):
    # The system sees every school: 1001 exists once, so it is found; the file has no school otherwise.
    SchoolFactory(number="1001", name="Twin school")
    path = write(tmp_path, "a.csv", "reference\nP-1\n")
    with pytest.raises(ImportRejected) as caught:
        run_import(
            target="recipients", source=path, profile="class-list", actor=SystemActor(), overrides={"school": "1001"}
        )
    message = caught.value.result.errors[0].message
    assert message.startswith("the school number '1001' is used in several authorities (")


def test_a_profile_that_reads_the_source_from_a_column_is_refused(world, role_users, tmp_path):
    from digileap.core.tabular.profiles import profile_from_dict

    profile = profile_from_dict(
        {
            "name": "own",
            "target": "recipients",
            "columns": [
                {"field": "reference", "source": "reference", "required": True},
                {"field": "source", "source": "Quelle"},
            ],
        },
        is_builtin=False,
    )
    with pytest.raises(ImportFileError) as caught:
        run_import(
            target="recipients",
            source=write(tmp_path, "a.csv", "reference;Quelle\nP-1;oneroster\n"),
            profile=profile,
            actor=role_users[Role.SCHOOL_COORDINATOR],
        )
    assert caught.value.describe() == (
        "profile own reads source from the column 'Quelle', but source is one value for the whole file: set it as "
        "a constant of the profile"
    )
    assert not Recipient.objects.exists()


def test_an_eligibility_group_with_a_line_break_is_stored_as_one_space(world, role_users, tmp_path):
    """Found by the re-import property in CI: a quoted group with a line break kept the break."""
    path = write(tmp_path, "klasse.csv", 'reference;grade;class;eligibility_group\nP-1;5;5a;"LV\nLOW"\n', "cp1252")
    actor = role_users[Role.SCHOOL_COORDINATOR]
    run_import(target="recipients", source=path, profile="class-list", actor=actor)
    assert Recipient.objects.get(reference="P-1").eligibility_group == "LV LOW"
    again = run_import(target="recipients", source=path, profile="class-list", actor=actor)
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
