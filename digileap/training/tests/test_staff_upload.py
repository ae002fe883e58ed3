"""Upload of a school's staff list: Excel's ';' Latin-1 CSV and XLSX with a title block above the
header; every row or none, errors with line and column; the same file again changes nothing."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from digileap.accounts.models import Role
from digileap.core.models import AuditEvent

from ..models import Membership, StaffMember
from ..services.people import StaffFileError, import_staff

pytestmark = pytest.mark.django_db

CSV = (
    "Personeelslijst Sint-Jozef, Li\u00e8ge;;;;\n"
    ";;;;\n"
    "Reference;E-mail;Role;Gender;Age band\n"
    "T-001;an.desmet@school.be;teacher;female;30-54\n"
    "T-002;;ICT coordinator;Male;55+\n"
    "T-003;jose@school.be;;;\n"
).encode("cp1252")


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(actor, school, content, name="staff.csv"):
    return import_staff(actor=actor, school=school, file=io.BytesIO(content), filename=name)


def test_a_latin_1_csv_with_a_title_block(world, role_users):
    summary = upload(role_users[Role.SCHOOL_COORDINATOR], world.school, CSV)
    assert summary == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    rows = list(
        StaffMember.objects.filter(reference__startswith="T-00")
        .order_by("reference")
        .values_list("reference", "email", "gender", "age_band", "memberships__role", "memberships__school")
    )
    assert rows == [
        ("T-001", "an.desmet@school.be", "female", "30-54", "teacher", world.school.pk),
        ("T-002", "", "male", "55+", "ict_coordinator", world.school.pk),
        ("T-003", "jose@school.be", "", "", "teacher", world.school.pk),
    ]


def test_the_same_file_again_changes_nothing(world, role_users):
    actor = role_users[Role.SCHOOL_COORDINATOR]
    upload(actor, world.school, CSV)
    events = AuditEvent.objects.count()
    staff = list(StaffMember.objects.order_by("pk").values())
    summary = upload(actor, world.school, CSV)
    assert summary == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3}
    assert AuditEvent.objects.count() == events
    assert list(StaffMember.objects.order_by("pk").values()) == staff


def test_an_xlsx_updates_known_references_and_adds_the_school(world, role_users):
    content = xlsx(
        [
            ["Staff list"],
            [],
            ["reference", "e-mail", "role", "gender", "age band"],
            ["INSIDE-teacher", "inside@school.example", "school_leader", "", ""],
            [1234, None, None, "non_binary", "18-29"],
        ]
    )
    summary = upload(role_users[Role.OPERATOR_STAFF], world.school, content, "staff.xlsx")
    assert summary == {"rows": 2, "created": 1, "updated": 1, "unchanged": 0}
    world.staff.refresh_from_db()
    assert world.staff.email == "inside@school.example"
    assert Membership.objects.get(staff=world.staff, school=world.school).role == "school_leader"
    assert StaffMember.objects.get(reference="1234").age_band == "18-29"


def test_refusals_name_line_and_column_and_nothing_is_written(world, role_users):
    bad = (
        "reference;e-mail;role;gender;age band\n"
        "T-1;not-an-address;teacher;female;30-54\n"
        ";;teacher;;\n"
        "T-3;;chef;;\n"
        "T-4;;;unknown;\n"
        "T-5;;;;99+\n"
        "T-1;;;;\n"
    ).encode("cp1252")
    before = StaffMember.objects.count()
    with pytest.raises(StaffFileError) as raised:
        upload(role_users[Role.SCHOOL_COORDINATOR], world.school, bad)
    assert raised.value.errors == [
        "line 2, column 'e-mail': not-an-address is not an e-mail address",
        "line 3, column 'reference': the staff reference is missing",
        "line 4, column 'role': chef is not a staff role (one of: teacher, school_leader, ict_coordinator, "
        "teaching_assistant, other)",
        "line 5, column 'gender': unknown is not a gender (one of: female, male, non_binary)",
        "line 6, column 'age band': 99+ is not an age band (one of: 0-17, 18-29, 30-54, 55+)",
        "line 7, column 'reference': T-1 is on line 2 already",
    ]
    assert StaffMember.objects.count() == before


def test_an_e_mail_of_another_record_is_refused(world, role_users):
    world.staff.email = "taken@example.org"
    world.staff.save()
    with pytest.raises(StaffFileError) as raised:
        upload(role_users[Role.SCHOOL_COORDINATOR], world.school, b"reference;e-mail\nT-9;TAKEN@example.org\n")
    assert raised.value.errors == [
        "line 2, column 'e-mail': taken@example.org is the e-mail of another staff record of the authority"
    ]


def test_a_file_without_a_reference_column(world, role_users):
    with pytest.raises(StaffFileError) as raised:
        upload(role_users[Role.SCHOOL_COORDINATOR], world.school, b"name;mail\nA;B\n")
    assert raised.value.errors == ["staff.csv: no header row with a column reference in the first 20 rows."]


def test_the_upload_page(world, role_users):
    client = Client()
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    url = reverse("training:staffmember-upload")
    assert client.get(url).status_code == 200
    response = client.post(url, {"school": world.school.pk, "file": SimpleUploadedFile("staff.csv", CSV)})
    assert response.status_code == 302
    assert StaffMember.objects.filter(reference__startswith="T-00").count() == 3
    response = client.post(
        url, {"school": world.school.pk, "file": SimpleUploadedFile("bad.csv", b"reference;role\nT-7;chef\n")}
    )
    assert response.status_code == 400
    assert "line 2, column &#x27;role&#x27;: chef is not a staff role" in response.text
    # Another school is no choice; the auditor and the teacher may not upload.
    response = client.post(url, {"school": world.other_school.pk, "file": SimpleUploadedFile("staff.csv", CSV)})
    assert response.status_code == 400
    for role in (Role.AUDITOR, Role.TEACHER):
        other = Client()
        other.force_login(role_users[role])
        assert other.post(url, {"school": world.school.pk, "file": SimpleUploadedFile("s.csv", CSV)}).status_code == 403
