"""OneRoster exports as ZIP bundles: schools found through orgs.csv identifiers (1.1 and 1.2), roles
from roles.csv (1.2), clear errors naming the file and line, and no names read from a 1.2 export."""

import io
import zipfile

import openpyxl
import pytest

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent
from digileap.core.tabular.engine import ImportRejected, run_import
from digileap.core.tabular.errors import ImportFileError
from digileap.devices.models import Recipient
from digileap.schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

ORGS = (
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
    "district-1,active,2024-09-01T00:00:00Z,District,district,,\n"
    "org-a,active,2024-09-01T00:00:00Z,INSIDE school,school,1001,district-1\n"
    "org-noid,active,2024-09-01T00:00:00Z,School without number,school,,district-1\n"
    "org-out,active,2024-09-01T00:00:00Z,OUTSIDE school,school,2002,district-1\n"
)
USERS_11 = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
    'u-1,active,2024-09-01T00:00:00Z,true,"district-1,org-a",student,anna,,Anna,Bērziņa,,,,,,,05,\n'
    "u-2,active,2024-09-01T00:00:00Z,true,org-a,teacher,jan,,Jan,Ozols,,,,,,,,\n"
    "u-3,active,2024-09-01T00:00:00Z,true,org-a,parent,p,,Pia,Ozola,,,,,,,,\n"
)
USERS_12_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,"
    "email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,"
    "preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n"
)


def user_12(sourced_id, grades="", status="active"):
    return (
        f"{sourced_id},{status},2024-09-01T00:00:00Z,true,{sourced_id}-login,,Given{sourced_id},Family{sourced_id},,,"
        f"{sourced_id}@school.example,,,,{grades},,,,,,,org-a,\n"
    )


ROLES_HEADER = "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n"


def role(number, user, role_type, role_name, org, status="active"):
    return f"r-{number},{status},2024-09-01T00:00:00Z,{user},{role_type},{role_name},,,{org},\n"


USERS_12 = USERS_12_HEADER + "".join(
    [user_12("u-1", "05"), user_12("u-2"), user_12("u-3"), user_12("u-4", "KG"), user_12("u-5", "07")]
)
ROLES_12 = ROLES_HEADER + "".join(
    [
        role(1, "u-1", "primary", "student", "org-a"),
        role(2, "u-2", "secondary", "teacher", "org-out"),
        role(3, "u-2", "primary", "teacher", "org-a"),
        role(4, "u-3", "primary", "guardian", "org-a"),
        role(5, "u-4", "primary", "student", "org-a", status="tobedeleted"),
        role(6, "u-5", "primary", "student", "org-a"),
        role(7, "u-5", "secondary", "aide", "org-a"),
    ]
)


def bundle(tmp_path, files: dict[str, str], name="oneroster.zip"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n")
        for member, text in files.items():
            archive.writestr(member, text.replace("\n", "\r\n").encode("utf-8"))
    return path


def rows():
    return [
        (r.reference, r.kind, r.grade, r.is_active, r.school.number, r.display_name, r.source)
        for r in Recipient.objects.select_related("school").order_by("reference")
    ]


def _import(path, actor, profile="oneroster-1.2", **options):
    return run_import(target="recipients", source=path, profile=profile, actor=actor, **options)


def test_a_oneroster_1_2_export(world, role_users, tmp_path, settings):
    settings.PUPIL_NAMES_ENABLED = True  # even then, a 1.2 export gives no names
    path = bundle(tmp_path, {"users.csv": USERS_12, "orgs.csv": ORGS, "roles.csv": ROLES_12})
    actor = role_users[Role.OPERATOR_STAFF]
    result = _import(path, actor)
    # u-3 is only a guardian: left out. u-2's primary role counts (the secondary one is elsewhere).
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    assert rows() == [
        ("u-1", "pupil", 5, True, "1001", "", "oneroster"),
        ("u-2", "teacher", None, True, "1001", "", "oneroster"),
        ("u-4", "pupil", 0, False, "1001", "", "oneroster"),
        ("u-5", "pupil", 7, True, "1001", "", "oneroster"),
    ]
    events = AuditEvent.objects.count()
    again = _import(path, actor)
    assert again.summary() == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert AuditEvent.objects.count() == events


def test_a_changed_role_updates_the_kind(world, role_users, tmp_path):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    _import(bundle(tmp_path, {"users.csv": USERS_12, "orgs.csv": ORGS, "roles.csv": ROLES_12}), actor)
    roles = ROLES_12.replace(
        "r-6,active,2024-09-01T00:00:00Z,u-5,primary,student", "r-6,active,2024-09-01T00:00:00Z,u-5,primary,teacher"
    )
    result = _import(bundle(tmp_path, {"users.csv": USERS_12, "orgs.csv": ORGS, "roles.csv": roles}, "b.zip"), actor)
    assert result.summary() == {"created": 0, "updated": 1, "unchanged": 3, "rejected": 0}
    event = AuditEvent.objects.get(object_type="devices.recipient", action="update")
    assert (event.before, event.after) == ({"kind": "pupil"}, {"kind": "teacher"})


def test_a_oneroster_1_1_export_finds_schools_through_orgs(world, role_users, tmp_path):
    path = bundle(tmp_path, {"export/users.csv": USERS_11, "export/orgs.csv": ORGS})
    result = _import(path, role_users[Role.OPERATOR_STAFF], profile="oneroster-users")
    assert result.summary() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert rows() == [
        ("u-1", "pupil", 5, True, "1001", "", "oneroster"),
        ("u-2", "teacher", None, True, "1001", "", "oneroster"),
    ]


def test_organisations_that_lead_to_no_school(world, role_users, tmp_path):
    users = USERS_12_HEADER + "".join(user_12(f"u-{n}") for n in range(1, 6))
    roles = ROLES_HEADER + "".join(
        [
            role(1, "u-1", "primary", "student", "org-noid"),
            role(2, "u-2", "primary", "student", "org-out"),
            role(3, "u-3", "primary", "student", "org-gone"),
            role(4, "u-4", "primary", "cook", "org-a"),
            role(5, "u-9", "primary", "student", "org-a"),
        ]
    )
    path = bundle(tmp_path, {"users.csv": users, "orgs.csv": ORGS, "roles.csv": roles})
    with pytest.raises(ImportRejected) as rejected:
        _import(path, role_users[Role.OPERATOR_STAFF])
    assert [(e.line, e.column, e.message, e.value) for e in rejected.value.result.errors] == [
        (
            2,
            "sourcedId",
            "oneroster.zip/roles.csv, line 2: the organisation org-noid (oneroster.zip/orgs.csv, line 4) has no "
            "identifier, which must be the school's official number",
            "org-noid",
        ),
        (
            3,
            "sourcedId",
            "oneroster.zip/roles.csv, line 3: the identifier '2002' of the organisation org-out "
            "(oneroster.zip/orgs.csv, line 5) is not the number of a school in your scope",
            "org-out",
        ),
        (
            4,
            "sourcedId",
            "oneroster.zip/roles.csv, line 4: the organisation org-gone is not in oneroster.zip/orgs.csv",
            "org-gone",
        ),
        (
            5,
            "sourcedId",
            "oneroster.zip/roles.csv, line 5: 'cook' is neither a pupil (student) nor a teacher",
            "cook",
        ),
        (6, "sourcedId", "the user u-5 has no role in oneroster.zip/roles.csv", "u-5"),
    ]
    assert not Recipient.objects.exists()
    # The school chosen for the import wins over the organisations.
    result = _import(path, role_users[Role.OPERATOR_STAFF], overrides={"school": "1001"}, skip_invalid=True)
    assert result.summary() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 2}


def test_a_1_1_user_whose_only_school_has_no_identifier(world, role_users, tmp_path):
    users = USERS_11.splitlines()[0] + '\nu-7,active,,true,"district-1,org-noid",student,x,,X,Y,,,,,,,05,\n'
    path = bundle(tmp_path, {"users.csv": users, "orgs.csv": ORGS})
    result = _import(path, role_users[Role.OPERATOR_STAFF], profile="oneroster-users", dry_run=True)
    assert [e.describe() for e in result.errors] == [
        "line 2, column 'orgSourcedIds': the organisation org-noid (oneroster.zip/orgs.csv, line 4) has no "
        "identifier, which must be the school's official number"
    ]


def test_an_identifier_used_by_two_authorities(world, role_users, tmp_path):
    twin = SchoolFactory(number="1001", name="Twin")
    path = bundle(tmp_path, {"users.csv": USERS_12, "orgs.csv": ORGS, "roles.csv": ROLES_12})
    result = _import(path, role_users[Role.ADMINISTRATOR], dry_run=True)
    assert result.errors[0].message == (
        "oneroster.zip/roles.csv, line 2: the identifier '1001' of the organisation org-a (oneroster.zip/orgs.csv, "
        f"line 3) is a school number in several authorities ({twin.authority.name}, INSIDE authority)"
    )


def test_an_export_without_orgs_csv_is_refused(world, role_users, tmp_path):
    path = bundle(tmp_path, {"users.csv": USERS_12, "roles.csv": ROLES_12})
    with pytest.raises(ImportFileError) as error:
        _import(path, role_users[Role.OPERATOR_STAFF])
    assert error.value.describe() == (
        "oneroster.zip: the OneRoster export has no orgs.csv; it is needed to find each user's school (orgs.csv "
        "gives every organisation's identifier, the school's official number)"
    )


def test_orgs_csv_without_identifiers_is_refused(world, role_users, tmp_path):
    orgs = "sourcedId,status,name,type\norg-a,active,INSIDE school,school\n"
    path = bundle(tmp_path, {"users.csv": USERS_12, "orgs.csv": orgs, "roles.csv": ROLES_12})
    with pytest.raises(ImportFileError) as error:
        _import(path, role_users[Role.OPERATOR_STAFF])
    assert error.value.describe() == (
        "oneroster.zip/orgs.csv, line 1: missing column(s) 'identifier'. The file's columns are: 'sourcedId', "
        "'status', 'name', 'type'."
    )


def test_a_1_2_profile_needs_roles(world, role_users, tmp_path):
    actor = role_users[Role.OPERATOR_STAFF]
    with pytest.raises(ImportFileError) as error:
        _import(bundle(tmp_path, {"users.csv": USERS_12, "orgs.csv": ORGS}), actor)
    assert error.value.describe() == (
        "oneroster.zip: the OneRoster export has no roles.csv, where OneRoster 1.2 keeps each user's role and "
        "school; for a OneRoster 1.1 export choose the profile oneroster-users"
    )
    alone = tmp_path / "users.csv"
    alone.write_text(USERS_12, encoding="utf-8")
    with pytest.raises(ImportFileError) as error:
        _import(alone, actor)
    assert error.value.describe() == (
        "users.csv: a OneRoster 1.2 export is read as the ZIP the roster system wrote, with users.csv, roles.csv "
        "and orgs.csv; upload the ZIP, not users.csv alone"
    )
    assert not Recipient.objects.exists()


def test_a_zip_that_is_no_oneroster_export(world, role_users, tmp_path):
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(ImportFileError) as error:
        _import(path, role_users[Role.OPERATOR_STAFF])
    assert (
        error.value.describe() == "photos.zip: the ZIP has no users.csv: is it a OneRoster export? Its files are: a.txt"
    )


def test_an_uploaded_zip_stream(world, role_users, tmp_path):
    content = bundle(tmp_path, {"users.csv": USERS_12, "orgs.csv": ORGS, "roles.csv": ROLES_12}).read_bytes()
    result = _import(io.BytesIO(content), role_users[Role.OPERATOR_STAFF], filename="export.zip")
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}


def test_an_xlsx_class_list_is_not_taken_for_a_bundle(world, role_users, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["reference", "grade", "class"])
    sheet.append(["P-001", 5, "5A"])
    path = tmp_path / "klasse.xlsx"
    workbook.save(path)
    result = _import(path, role_users[Role.SCHOOL_COORDINATOR], profile="class-list")
    assert result.summary() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    assert rows() == [("P-001", "pupil", 5, True, "1001", "", "class_list")]


def test_a_large_member_is_unpacked_to_a_temporary_file(world, role_users, tmp_path, monkeypatch):
    from digileap.devices.importers import recipients

    monkeypatch.setattr(recipients, "IN_MEMORY_BYTES", 100)
    path = bundle(tmp_path, {"users.csv": USERS_12, "orgs.csv": ORGS, "roles.csv": ROLES_12})
    result = _import(path, role_users[Role.OPERATOR_STAFF])
    assert result.summary() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}


def test_a_member_larger_than_an_upload_may_be_is_refused(world, role_users, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1000
    path = bundle(tmp_path, {"users.csv": USERS_12 * 3, "orgs.csv": ORGS, "roles.csv": ROLES_12})
    size = len((USERS_12 * 3).replace("\n", "\r\n").encode())
    with pytest.raises(ImportFileError) as error:
        _import(path, role_users[Role.OPERATOR_STAFF])
    assert error.value.describe() == (
        f"oneroster.zip: users.csv is {size} bytes unpacked, more than the 1000 bytes a file may have"
    )


def test_the_profile_editor_previews_a_bundle_by_its_users_csv(tmp_path):
    from digileap.core.tabular.preview import sample
    from digileap.core.tabular.profiles import get_profile

    path = bundle(tmp_path, {"users.csv": USERS_12, "roles.csv": ROLES_12, "orgs.csv": ORGS})
    with open(path, "rb") as stream:
        result = sample(source=stream, filename="oneroster.zip", profile=get_profile("recipients", "oneroster-1.2"))
    assert result.error == ""
    assert result.headers[:3] == ["sourcedId", "status", "dateLastModified"]
    assert [row.values["reference"] for row in result.parsed] == ["u-1", "u-2", "u-3", "u-4", "u-5"]
    assert [line for line, _cells in result.rows] == [2, 3, 4, 5, 6]
